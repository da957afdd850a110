//! Everything the screen shows, as plain data. Only `update` changes it; views only read it.

use crate::domain::audit::EventRecord;
use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::domain::time::Timestamp;
pub use crate::service::{CaseDetail, MessageDetail};
use crate::service::{
    ContactRow, MessagePage, MessageQuery, MessageRow, QueueItem, RosterRow, Stats,
};

use super::input::Editor;
use super::keymap::{Keymap, Scope};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Queue,
    Case,
    Message,
    Roster,
    Log,
    Coverage,
    /// Every ingested message, newest first, searchable (a page at a time).
    Messages,
    /// One event of the log or of a case's history, in full.
    Event,
    Help,
    /// Every status line of this session, with its time (lazygit's command log).
    Notifications,
}

impl View {
    pub fn scope(self) -> Scope {
        match self {
            View::Queue => Scope::Queue,
            View::Case => Scope::Case,
            View::Message => Scope::Message,
            View::Roster => Scope::Roster,
            View::Log => Scope::Log,
            View::Coverage => Scope::Coverage,
            View::Messages => Scope::Messages,
            View::Help | View::Notifications | View::Event => Scope::Global,
        }
    }
}

/// What the data worker loaded: the lists behind the views.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// When it was loaded (`None`: not yet): the "now" ages are counted to.
    pub loaded_at: Option<Timestamp>,
    pub queue: Vec<QueueItem>,
    pub roster: Vec<RosterRow>,
    /// Subscribed contacts per TLD, for the roster ("who is the security contact of .br?").
    pub members: Vec<ContactRow>,
    /// Proposed contacts awaiting a decision, for the approval dialog.
    pub proposed: Vec<ContactRow>,
    pub stats: Option<Stats>,
    pub log: Vec<EventRecord>,
    pub outbox_backlog: i64,
}

/// How many messages the Messages view asks for at a time: a few screens around the cursor.
pub const MESSAGE_PAGE: usize = 200;

/// The Messages view: the search, the page loaded, the cursor over all the matches.
#[derive(Clone, Debug, Default)]
pub struct MessageList {
    pub query: MessageQuery,
    /// The page loaded last (of `query`, or of an earlier search while the new one loads).
    pub page: Option<MessagePage>,
    /// Over all the matches (`page.total`), not only the page.
    pub cursor: Cursor,
    /// The page asked for and not here yet: (query, offset).
    pub pending: Option<(MessageQuery, usize)>,
    /// The database changed since the page was loaded.
    pub stale: bool,
}

impl MessageList {
    /// The page loaded for the current search.
    pub fn current(&self) -> Option<&MessagePage> {
        self.page.as_ref().filter(|p| p.query == self.query)
    }

    /// How many messages match the current search, once known.
    pub fn total(&self) -> Option<usize> {
        self.current().map(|p| p.total)
    }

    /// The `i`-th match, if its page is loaded.
    pub fn row(&self, i: usize) -> Option<&MessageRow> {
        let page = self.current()?;
        page.rows.get(i.checked_sub(page.offset)?)
    }

    pub fn selected(&self) -> Option<&MessageRow> {
        self.row(self.cursor.selected)
    }
}

/// The mailbox poller, as the status bar shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollStatus {
    /// `imap:user@host/INBOX`, `maildir:…`, or `None` when no mailbox is configured.
    pub source: Option<String>,
    pub polling: bool,
    /// The last pass wrote to the database: the views reload (a pass with nothing new does
    /// not wake the data worker).
    pub news: bool,
    /// New messages the last pass stored.
    pub stored: usize,
    pub last_poll: Option<String>,
    pub next_poll: Option<String>,
    /// Between passes the server tells of new mail as it comes (IMAP IDLE).
    pub idle: bool,
    /// The last failure and when the next attempt is.
    pub error: Option<(String, String)>,
    /// Why `source` is not polled at all (its password is missing, see `missing.rs`).
    pub off: Option<String>,
}

/// Where keys go: one input mode at a time, so a search cannot be typed under a dialog.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Keys are the keymap's actions.
    #[default]
    Normal,
    /// A search being typed (`/…`).
    Search(Editor),
    /// A command line being typed (`:…`).
    Command(Editor),
    /// A modal question: keys answer it.
    Dialog(Dialog),
}

/// The actions the TUI runs are the service's commands, planned before they are confirmed.
pub use crate::service::Command;

/// A modal question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    /// "Approve .nl?" with exactly what will happen; y/Enter runs `command`.
    Confirm {
        title: String,
        lines: Vec<String>,
        command: Command,
    },
    /// Input: a rejection reason (several lines), a TLD to assign to.
    Prompt {
        title: String,
        label: String,
        input: Editor,
        purpose: Purpose,
    },
    /// The proposed contacts, one `email, name, phone` per line.
    Contacts {
        tld: String,
        editor: Editor,
        error: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    RejectReason {
        tld: String,
    },
    AssignTld {
        message: i64,
    },
    /// The approval of a reply that is not verified: why, logged.
    OverrideReason {
        tld: String,
    },
}

/// A list's cursor and scroll position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` items and keeps the selection within `height` rows.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let max = len - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max as isize) as usize;
        self.fit(height);
    }

    /// Puts the cursor back on the item it was on (`was`, by what identifies it) in the rows
    /// `now` shows after a reload: new rows above it must not move it onto another item.
    pub fn follow<K: PartialEq>(&mut self, was: Option<K>, now: impl IntoIterator<Item = K>) {
        if let Some(at) = was.and_then(|w| now.into_iter().position(|k| k == w)) {
            self.selected = at;
        }
    }

    pub fn fit(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

/// The status line: the result of the last action, or an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// A status line as the notifications view keeps it: when, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// UTC wall-clock time, HH:MM:SS.
    pub at: String,
    pub notice: Notice,
}

/// How many status lines the notifications view keeps (the oldest go first).
pub const NOTIFICATIONS_KEPT: usize = 1000;

/// The UTC wall-clock time now, HH:MM:SS.
pub fn clock_now() -> String {
    jiff::Timestamp::now().strftime("%H:%M:%S").to_string()
}

/// The UTC wall-clock time `after` from now, HH:MM:SS (the status line's next poll, retry).
pub fn clock_in(after: std::time::Duration) -> String {
    clock_up(jiff::Timestamp::now() + jiff::SignedDuration::try_from(after).unwrap_or_default())
}

/// `t` as HH:MM:SS, rounded up: a retry at 12:00:05.9 shown as 12:00:05 would be a time
/// already past for most of a second.
fn clock_up(t: jiff::Timestamp) -> String {
    let up = jiff::TimestampRound::new()
        .smallest(jiff::Unit::Second)
        .mode(jiff::RoundMode::Ceil);
    t.round(up).unwrap_or(t).strftime("%H:%M:%S").to_string()
}

pub struct State {
    pub view: View,
    /// Where Esc goes back to.
    pub back: Vec<View>,
    pub data: Snapshot,
    pub case: Option<CaseDetail>,
    pub message: Option<MessageDetail>,
    /// The event open in the event view.
    pub event: Option<EventRecord>,
    pub event_scroll: usize,
    pub queue: Cursor,
    pub roster: Cursor,
    pub log: Cursor,
    pub messages: MessageList,
    pub case_cursor: Cursor,
    pub message_scroll: usize,
    pub help_scroll: usize,
    /// The largest scroll offset of the text view (message, help) drawn last that still shows
    /// its end: only drawing knows how its text wraps, so the draw records it.
    pub scroll_limit: std::cell::Cell<usize>,
    pub show_headers: bool,
    /// What keys go to: the keymap, an input being typed, a dialog.
    pub mode: Mode,
    /// The last search (for n/N).
    pub search: Option<String>,
    /// The prompt to open once the action's check (its plan) comes back without an error.
    pub then_prompt: Option<Dialog>,
    pub notice: Option<Notice>,
    /// Every status line shown, oldest first, each with its time: nothing cut off the bar is
    /// lost.
    pub notifications: Vec<Logged>,
    pub notifications_scroll: usize,
    /// Where times of status lines come from (fixed in tests).
    pub clock: fn() -> String,
    pub poll: PollStatus,
    pub region_filter: Option<Option<Region>>,
    pub state_filter: Option<CaseState>,
    pub keymap: Keymap,
    pub color: bool,
    pub width: u16,
    pub height: u16,
    pub operator: String,
    /// An action is running in the worker.
    pub busy: Option<String>,
    /// `p` asked for a pass: its end (what it found, or why it failed) is said in the status
    /// line, whatever keys come meanwhile.
    pub poll_asked: bool,
    /// Esc was pressed once in a dialog holding typed text: the next Esc discards it.
    pub esc_discards: bool,
    /// C-c was pressed once in such a dialog: the next C-c quits.
    pub ctrl_c_quits: bool,
    /// The `:` commands Tab listed, and which of them Tab put on the line last.
    pub tab_cycle: Option<(Vec<&'static str>, Option<usize>)>,
    /// Rejection reasons typed and not yet used, by TLD: a confirmation cancelled does not
    /// lose the reason (`r` again starts from it).
    pub reasons: std::collections::BTreeMap<String, String>,
    /// Secrets this session runs without (the status bar names them).
    pub missing: super::missing::Missing,
}

/// The smallest terminal the views work in (a split pane); from there up they drop columns
/// and rows gracefully, and below it the screen only says it is too small.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

impl State {
    pub fn new(keymap: Keymap, operator: String, color: bool) -> State {
        State {
            view: View::Queue,
            back: Vec::new(),
            data: Snapshot::default(),
            case: None,
            message: None,
            event: None,
            event_scroll: 0,
            queue: Cursor::default(),
            roster: Cursor::default(),
            log: Cursor::default(),
            messages: MessageList::default(),
            case_cursor: Cursor::default(),
            message_scroll: 0,
            help_scroll: 0,
            scroll_limit: std::cell::Cell::new(usize::MAX),
            show_headers: false,
            mode: Mode::Normal,
            search: None,
            then_prompt: None,
            notice: None,
            notifications: Vec::new(),
            notifications_scroll: 0,
            clock: clock_now,
            poll: PollStatus::default(),
            region_filter: None,
            state_filter: None,
            keymap,
            color,
            width: 80,
            height: 24,
            operator,
            busy: None,
            poll_asked: false,
            esc_discards: false,
            ctrl_c_quits: false,
            tab_cycle: None,
            reasons: std::collections::BTreeMap::new(),
            missing: Default::default(),
        }
    }

    /// The dialog open, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.mode {
            Mode::Dialog(d) => Some(d),
            _ => None,
        }
    }

    /// Records the status line now shown (if it is new) for the notifications view.
    pub fn log_notice(&mut self) {
        if let Some(n) = self.notice.clone() {
            self.log(n);
        }
    }

    /// Records `notice` for the notifications view without showing it in the status line.
    pub fn log(&mut self, notice: Notice) {
        self.notifications.push(Logged {
            at: (self.clock)(),
            notice,
        });
        if self.notifications.len() > NOTIFICATIONS_KEPT {
            self.notifications.remove(0);
        }
    }

    /// Rows of list body on screen: the terminal minus tabs, table header and status lines.
    pub fn list_height(&self) -> usize {
        let rows = self.height.saturating_sub(5) as usize;
        rows.saturating_sub(self.preview_rows())
    }

    /// Rows under the queue and the log for the selected row's reason or detail in full
    /// (their last column is cut at 80 columns): a rule and two lines on a screen tall enough
    /// to spare them, up to four where the list leaves the rows empty anyway.
    pub fn preview_rows(&self) -> usize {
        let listed = match self.view {
            View::Queue => self.data.queue.len(),
            // (Unfiltered: the bound is enough, and filtering each key would cost a pass.)
            View::Log => self.data.log.len(),
            _ => return 0,
        };
        if self.height < 16 {
            return 0;
        }
        let rows = self.height.saturating_sub(5) as usize;
        rows.saturating_sub(listed).clamp(3, 5)
    }

    /// The roster rows shown: filtered by region, state and the fuzzy search.
    pub fn roster_rows(&self) -> Vec<&RosterRow> {
        let rows = self.data.roster.iter().filter(|r| {
            self.region_filter.is_none_or(|g| r.tld.region == g)
                && self.state_filter.is_none_or(|s| r.case.state == s)
        });
        match self.search.as_deref().filter(|_| self.view == View::Roster) {
            Some(q) if !q.is_empty() => {
                // The TLD typed exactly comes first ("/br" → .br), then the rows that hold what
                // was typed as it is ("/austria" → .at alone), or when none does, the countries
                // spelt nearly so ("/brasil" → .br alone), or when none is, the best fuzzy
                // matches: fuzzy alone let "austria" match a third of the roster, and missed a
                // letter swapped.
                let code = q.trim_start_matches('.').to_lowercase();
                let exact = |r: &RosterRow| {
                    r.tld.code.as_str() == code || r.tld.code.unicode().is_some_and(|u| u == code)
                };
                let typed = q.to_lowercase();
                // (row, exact, holds what was typed, haystack)
                let rows: Vec<(&RosterRow, bool, bool, String)> = rows
                    .map(|r| {
                        let h = self.roster_haystack(r).to_lowercase();
                        (r, exact(r), h.contains(&typed), h)
                    })
                    .collect();
                let literal = rows.iter().any(|&(_, _, holds, _)| holds);
                // Whether each row's country is spelt nearly as typed (asked only when
                // nothing holds what was typed).
                let near: Vec<bool> = rows
                    .iter()
                    .map(|&(r, ..)| {
                        !literal
                            && super::search::spelt_nearly(&typed, &r.tld.country.to_lowercase())
                    })
                    .collect();
                let any_near = near.contains(&true);
                let mut fuzzy = super::search::Fuzzy::new(q);
                let mut scored: Vec<(bool, bool, u32, &RosterRow)> = rows
                    .iter()
                    .zip(near)
                    .filter(|&(&(_, exact, holds, _), _)| exact || holds || !literal)
                    .filter_map(|(&(r, exact, holds, ref h), near)| {
                        let score = fuzzy.score(h);
                        let found = if literal {
                            holds
                        } else if any_near {
                            near
                        } else {
                            score.is_some()
                        };
                        (exact || found).then(|| (exact, near, score.unwrap_or(0), r))
                    })
                    .collect();
                scored.sort_by(|a, b| {
                    b.0.cmp(&a.0)
                        .then(b.1.cmp(&a.1))
                        .then(b.2.cmp(&a.2))
                        .then(a.3.tld.code.cmp(&b.3.tld.code))
                });
                scored.into_iter().map(|(_, _, _, r)| r).collect()
            }
            _ => rows.collect(),
        }
    }

    /// What the roster search looks in: code (both forms), country, IANA names and addresses,
    /// and the members' names and addresses.
    pub fn roster_haystack(&self, r: &RosterRow) -> String {
        let mut h = format!(
            "{} {} {} {} {} {} {}",
            r.tld.code,
            r.tld.code.unicode().unwrap_or_default(),
            r.tld.country,
            r.tld.admin.name,
            r.tld.admin.email,
            r.tld.tech.name,
            r.tld.tech.email
        );
        for m in self.members_of(r.tld.code.as_str()) {
            h.push(' ');
            h.push_str(&m.email);
            if let Some(n) = &m.name {
                h.push(' ');
                h.push_str(n);
            }
        }
        h
    }

    /// The log rows shown: with a search in the log view, the events whose TLD, operator,
    /// action or detail contain it ("alice", ".nl", "approved").
    pub fn log_rows(&self) -> Vec<&EventRecord> {
        let query = self
            .search
            .as_deref()
            .filter(|_| self.view == View::Log)
            .map(|q| q.trim_start_matches('.').to_lowercase());
        self.data
            .log
            .iter()
            .filter(|e| {
                query.as_ref().is_none_or(|q| {
                    e.tld.as_deref().is_some_and(|t| t == q)
                        || e.operator.to_lowercase().contains(q)
                        || e.action.contains(q.as_str())
                        || e.detail.to_lowercase().contains(q)
                })
            })
            .collect()
    }

    pub fn members_of<'a>(&'a self, tld: &'a str) -> impl Iterator<Item = &'a ContactRow> + 'a {
        self.data.members.iter().filter(move |m| m.tld == tld)
    }

    pub fn selected_queue_item(&self) -> Option<&QueueItem> {
        self.data.queue.get(self.queue.selected)
    }

    /// Whether a dialog holds text the operator typed (what quitting or Esc would lose).
    pub fn typed_into_dialog(&self) -> bool {
        match &self.mode {
            Mode::Dialog(Dialog::Prompt { input: e, .. } | Dialog::Contacts { editor: e, .. }) => {
                e.edited()
            }
            _ => false,
        }
    }

    /// The code of the roster's ccTLD `typed` names (`.FR`, `fr`, an IDN in either form).
    pub fn roster_code(&self, typed: &str) -> Option<String> {
        roster_code(&self.data.roster, typed)
    }

    pub fn selected_roster_row(&self) -> Option<&RosterRow> {
        self.roster_rows().get(self.roster.selected).copied()
    }
}

/// [`State::roster_code`], on the roster alone (for a dialog holding the rest of the state).
pub fn roster_code(roster: &[RosterRow], typed: &str) -> Option<String> {
    let typed = typed.trim().trim_start_matches('.').to_lowercase();
    roster
        .iter()
        .find(|r| r.tld.code.as_str() == typed || r.tld.code.unicode().is_some_and(|u| u == typed))
        .map(|r| r.tld.code.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_time_to_come_is_rounded_up_to_the_second() {
        let at = |t: &str| super::clock_up(t.parse().unwrap());
        assert_eq!(at("2026-03-10T23:28:45.100Z"), "23:28:46");
        assert_eq!(at("2026-03-10T23:28:46Z"), "23:28:46");
    }
}
