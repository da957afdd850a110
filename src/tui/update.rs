//! The one place state changes: `update(state, msg)` returns the effects to run (load data,
//! run an action, poll, quit). Pure: no terminal, no database, no network — tested directly.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::input::{Edit, Editor};
use super::keymap::{Action, Key};
use super::state::{
    CaseDetail, Command, Dialog, MESSAGE_PAGE, MIN_HEIGHT, MIN_WIDTH, MessageDetail, Notice,
    PollStatus, Purpose, Snapshot, State, View,
};
use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::domain::triage::{Contact, Verdict};
use crate::service::MessageQuery;
use crate::service::{ItemKind, MessagePage, Plan};

/// What happened.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste): goes to the input being typed.
    Paste(String),
    Data(Box<Snapshot>),
    Case(Box<CaseDetail>),
    Message(Box<MessageDetail>),
    /// A page of the Messages view.
    Messages(Box<MessagePage>),
    Poll(PollStatus),
    /// An action's plan (then confirmed by the operator), or why it cannot be done.
    Planned(Box<Result<Plan, Refusal>>),
    /// An action finished: its result in words, or its error.
    Done(String),
    Failed(String),
    /// SIGTERM, SIGHUP: leave now, restoring the terminal.
    Terminate,
}

/// Why a planned action cannot be done as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// An approval of a reply that is not verified: the operator may give a reason.
    NeedsOverride {
        tld: String,
        why: String,
    },
    Refused(String),
}

/// What to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Reload,
    LoadCase(String),
    LoadMessage(i64),
    /// A page of the message search, from the `offset`-th match.
    LoadMessages {
        query: MessageQuery,
        offset: usize,
    },
    /// Ask the service what `Command` would do (a dialog follows).
    Plan(Command),
    Run(Command),
    PollNow,
    /// Clear and redraw everything (C-l, after resume).
    Redraw,
    Suspend,
    Quit,
}

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    // Every new status line goes to the notifications view too, with its time: an action's
    // result always (the same text again is news), anything else when it changed.
    let before = match msg {
        Msg::Done(_) | Msg::Failed(_) => None,
        _ => s.notice.clone(),
    };
    let mut effects = step(s, msg);
    if s.notice.is_some() && s.notice != before {
        s.log_notice();
    }
    effects.extend(message_page_wanted(s));
    effects
}

/// In the Messages view, the page holding the rows on screen when it is not loaded (or the
/// database changed since): a list of any length is loaded a page at a time.
fn message_page_wanted(s: &mut State) -> Option<Effect> {
    if s.view != View::Messages {
        return None;
    }
    let h = s.list_height();
    let m = &mut s.messages;
    let first = m.cursor.offset;
    let loaded = m
        .current()
        .is_some_and(|p| p.offset <= first && (first + h).min(p.total) <= p.offset + p.rows.len());
    if loaded && !m.stale {
        return None;
    }
    let offset = first.saturating_sub(MESSAGE_PAGE / 4);
    let want = (m.query.clone(), offset);
    if m.pending.as_ref() == Some(&want) {
        return None;
    }
    m.pending = Some(want);
    m.stale = false;
    Some(Effect::LoadMessages {
        query: m.query.clone(),
        offset,
    })
}

fn step(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => key(s, k),
        Msg::Key(_) => vec![],
        Msg::Paste(text) => {
            if let Some(editor) = active_editor(s) {
                editor.paste(&text);
            }
            vec![]
        }
        Msg::Resize(w, h) => {
            s.width = w;
            s.height = h;
            let height = s.list_height();
            s.queue.fit(height);
            s.roster.fit(height);
            s.log.fit(height);
            vec![]
        }
        Msg::Data(d) => {
            // The queue's cursor stays on the item it was on: new mail inserts rows above it,
            // and an action must not land on another ccTLD's item.
            let key =
                |i: &crate::service::QueueItem| (i.kind, i.tld.clone(), i.message, i.mail.clone());
            let was = s.data.queue.get(s.queue.selected).map(key);
            s.data = *d;
            if let Some(at) = was.and_then(|w| s.data.queue.iter().position(|i| key(i) == w)) {
                s.queue.selected = at;
            }
            // New mail, a new verdict after an assignment: the page on screen is asked again.
            s.messages.stale = true;
            let h = s.list_height();
            let (q, r, l) = (
                s.data.queue.len(),
                s.roster_rows().len(),
                s.log_rows().len(),
            );
            s.queue.step(0, q, h);
            s.roster.step(0, r, h);
            s.log.step(0, l, h);
            // The open case may have changed too.
            match (&s.case, s.view) {
                (Some(c), View::Case) => vec![Effect::LoadCase(c.row.tld.code.to_string())],
                _ => vec![],
            }
        }
        Msg::Case(c) => {
            let same = s
                .case
                .as_ref()
                .is_some_and(|old| old.row.tld.code == c.row.tld.code);
            if !same {
                s.case_cursor = Default::default();
            }
            s.case = Some(*c);
            vec![]
        }
        Msg::Message(m) => {
            s.message = Some(*m);
            s.message_scroll = 0;
            vec![]
        }
        Msg::Messages(page) => {
            let m = &mut s.messages;
            if m.pending.as_ref() == Some(&(page.query.clone(), page.offset)) {
                m.pending = None;
            }
            // A page of an earlier search is of no use.
            if page.query == m.query {
                let total = page.total;
                m.page = Some(*page);
                let h = s.list_height();
                s.messages.cursor.step(0, total, h);
            }
            vec![]
        }
        Msg::Poll(p) => {
            // A finished pass may have brought mail: show it.
            let finished = s.poll.polling && !p.polling;
            s.poll = p;
            if finished {
                vec![Effect::Reload]
            } else {
                vec![]
            }
        }
        Msg::Planned(planned) => {
            s.busy = None;
            let then = s.then_prompt.take();
            match *planned {
                Ok(_) if then.is_some() => s.dialog = then,
                Ok(plan) => {
                    s.dialog = Some(Dialog::Confirm {
                        title: plan.title(),
                        lines: plan.lines(),
                        command: plan.command,
                    })
                }
                Err(Refusal::NeedsOverride { tld, why }) => {
                    // The why is long: it stays readable in the status line (and @).
                    s.notice = Some(Notice {
                        text: why,
                        error: false,
                    });
                    s.dialog = Some(Dialog::Prompt {
                        title: format!("Approve .{tld} on a reply that is not verified?"),
                        label: "approve anyway, because (logged): ".into(),
                        input: Editor::line(),
                        purpose: Purpose::OverrideReason { tld },
                    })
                }
                Err(Refusal::Refused(text)) => s.notice = Some(Notice { text, error: true }),
            }
            vec![]
        }
        Msg::Done(text) => {
            s.busy = None;
            s.notice = Some(Notice { text, error: false });
            vec![Effect::Reload]
        }
        Msg::Failed(text) => {
            s.busy = None;
            s.notice = Some(Notice { text, error: true });
            vec![Effect::Reload]
        }
        Msg::Terminate => vec![Effect::Quit],
    }
}

fn key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if s.width < MIN_WIDTH || s.height < MIN_HEIGHT {
        // The screen only says it is too small: keys that act unseen would surprise.
        return match s.keymap.action(s.view.scope(), Key::from_event(k)) {
            Some(a @ (Action::Quit | Action::Suspend | Action::Redraw)) => act(s, a),
            _ => vec![],
        };
    }
    if s.dialog.is_some() {
        return dialog_key(s, k);
    }
    if let Some(input) = s.search_input.as_mut() {
        match k.code {
            KeyCode::Enter if s.view == View::Messages => {
                let q = s.search_input.take().map(|e| e.text()).unwrap_or_default();
                search_messages(s, &q);
            }
            KeyCode::Enter => {
                let q = s.search_input.take().map(|e| e.text()).unwrap_or_default();
                s.search = (!q.is_empty()).then_some(q);
                s.roster = Default::default();
                s.log = Default::default();
                jump_to_match(s, 0, true);
            }
            KeyCode::Esc => s.search_input = None,
            _ => {
                input.key(k);
            }
        }
        return vec![];
    }
    if let Some(input) = s.command_input.as_mut() {
        match k.code {
            KeyCode::Enter => {
                let line = s.command_input.take().map(|e| e.text()).unwrap_or_default();
                return command_line(s, &line);
            }
            KeyCode::Esc => s.command_input = None,
            _ => {
                input.key(k);
            }
        }
        return vec![];
    }
    s.notice = None;
    let Some(action) = s.keymap.action(s.view.scope(), Key::from_event(k)) else {
        return vec![];
    };
    act(s, action)
}

fn act(s: &mut State, action: Action) -> Vec<Effect> {
    let h = s.list_height();
    match action {
        Action::Down => move_by(s, 1),
        Action::Up => move_by(s, -1),
        Action::Top => move_by(s, isize::MIN / 2),
        Action::Bottom => move_by(s, isize::MAX / 2),
        Action::HalfPageDown => move_by(s, (h / 2).max(1) as isize),
        Action::HalfPageUp => move_by(s, -((h / 2).max(1) as isize)),
        Action::PageDown => move_by(s, h.max(1) as isize),
        Action::PageUp => move_by(s, -(h.max(1) as isize)),
        Action::Open => return open(s),
        Action::Back => {
            // Esc first clears the search of a list view, then goes back.
            let searchable = matches!(s.view, View::Queue | View::Roster | View::Log | View::Help);
            let message_search = s.messages.query.text.is_some() || s.messages.query.tld.is_some();
            if s.search.is_some() && searchable {
                s.search = None;
                s.roster = Default::default();
                s.log = Default::default();
            } else if s.view == View::Messages && message_search {
                search_messages(s, "");
            } else if let Some(v) = s.back.pop() {
                s.view = v;
            }
        }
        Action::Search => s.search_input = Some(Editor::line()),
        Action::NextMatch => jump_to_match(s, 1, false),
        Action::PrevMatch => jump_to_match(s, -1, false),
        Action::CommandLine => s.command_input = Some(Editor::line()),
        Action::Help => go(s, View::Help),
        Action::ShowNotifications => {
            s.notifications_scroll = 0;
            go(s, View::Notifications)
        }
        Action::Quit => return vec![Effect::Quit],
        Action::ShowQueue => switch(s, View::Queue),
        Action::ShowRoster => switch(s, View::Roster),
        Action::ShowLog => switch(s, View::Log),
        Action::ShowCoverage => switch(s, View::Coverage),
        Action::ShowMessages => switch(s, View::Messages),
        Action::NextView => {
            let next = match s.view {
                View::Queue => View::Roster,
                View::Roster => View::Log,
                View::Log => View::Coverage,
                View::Coverage => View::Messages,
                _ => View::Queue,
            };
            switch(s, next);
        }
        Action::PollNow => return poll_now(s),
        Action::ToggleHeaders => s.show_headers = !s.show_headers,
        Action::FilterRegion => {
            let order: [Option<Option<Region>>; 6] = [
                None,
                Some(Some(Region::Aftld)),
                Some(Some(Region::Aptld)),
                Some(Some(Region::Centr)),
                Some(Some(Region::Lactld)),
                Some(None),
            ];
            let i = order
                .iter()
                .position(|o| *o == s.region_filter)
                .unwrap_or(0);
            s.region_filter = order[(i + 1) % order.len()];
            s.roster = Default::default();
        }
        Action::FilterState => {
            let order: Vec<Option<CaseState>> = std::iter::once(None)
                .chain(CaseState::ALL.map(Some))
                .collect();
            let i = order.iter().position(|o| *o == s.state_filter).unwrap_or(0);
            s.state_filter = order[(i + 1) % order.len()];
            s.roster = Default::default();
        }
        Action::FilterVerdict => {
            // What an operator looks through first: mail triage could not tie to a case.
            let order: [Option<Verdict>; 10] = [
                None,
                Some(Verdict::Unrelated),
                Some(Verdict::Request),
                Some(Verdict::Ambiguous),
                Some(Verdict::Unverified),
                Some(Verdict::Suspicious),
                Some(Verdict::AdminFrom),
                Some(Verdict::AdminCc),
                Some(Verdict::AutoReply),
                Some(Verdict::Bounce),
            ];
            let m = &mut s.messages;
            let i = order
                .iter()
                .position(|o| *o == m.query.verdict)
                .unwrap_or(0);
            m.query.verdict = order[(i + 1) % order.len()];
            m.cursor = Default::default();
        }
        Action::Redraw => return vec![Effect::Redraw],
        Action::Suspend => return vec![Effect::Suspend],
        Action::Approve
        | Action::Reject
        | Action::Chase
        | Action::Invite
        | Action::Assign
        | Action::EditContacts => return ask(s, action),
        Action::AskAdmin
        | Action::RemoveMember
        | Action::Dismiss
        | Action::Confirm
        | Action::Reconfirm => {
            return after_invitation(s, action);
        }
    }
    vec![]
}

fn switch(s: &mut State, v: View) {
    s.back.clear();
    s.view = v;
    s.search = None;
}

fn go(s: &mut State, v: View) {
    if s.view != v {
        s.back.push(s.view);
        s.view = v;
    }
}

/// The number of rows of the current view's list.
fn list_len(s: &State) -> usize {
    match s.view {
        View::Queue => s.data.queue.len(),
        View::Roster => s.roster_rows().len(),
        View::Log => s.log_rows().len(),
        // The case's messages, then its history: one cursor over both.
        View::Case => s
            .case
            .as_ref()
            .map_or(0, |c| c.messages.len() + c.events.len()),
        View::Messages => s.messages.total().unwrap_or(0),
        _ => 0,
    }
}

fn move_by(s: &mut State, delta: isize) {
    let (len, h) = (list_len(s), s.list_height());
    match s.view {
        View::Queue => s.queue.step(delta, len, h),
        View::Roster => s.roster.step(delta, len, h),
        View::Log => s.log.step(delta, len, h),
        View::Case => s.case_cursor.step(delta, len, h),
        View::Messages => s.messages.cursor.step(delta, len, h),
        View::Message => s.message_scroll = scrolled(s.message_scroll, delta, &s.scroll_limit),
        View::Help => s.help_scroll = scrolled(s.help_scroll, delta, &s.scroll_limit),
        View::Notifications => {
            s.notifications_scroll = scrolled(s.notifications_scroll, delta, &s.scroll_limit)
        }
        View::Event => s.event_scroll = scrolled(s.event_scroll, delta, &s.scroll_limit),
        View::Coverage => {}
    }
}

/// A text view's scroll offset moved by `delta`, kept between the top and the offset that
/// still shows the end.
fn scrolled(offset: usize, delta: isize, limit: &std::cell::Cell<usize>) -> usize {
    offset
        .min(limit.get())
        .saturating_add_signed(delta)
        .min(limit.get())
}

/// The Messages view's search: `.fr` (a word starting with a dot) is the TLD, the rest text
/// to find in sender, subject, Message-ID and why; the verdict filter stays.
fn search_messages(s: &mut State, typed: &str) {
    let mut tld = None;
    let mut words = Vec::new();
    for w in typed.split_whitespace() {
        match w.strip_prefix('.').filter(|t| !t.is_empty()) {
            Some(t) => {
                tld = Some(
                    crate::domain::tld::TldCode::parse(t)
                        .map_or_else(|_| t.to_lowercase(), |c| c.to_string()),
                )
            }
            None => words.push(w),
        }
    }
    let m = &mut s.messages;
    m.query.tld = tld;
    m.query.text = (!words.is_empty()).then(|| words.join(" "));
    m.cursor = Default::default();
}

/// Moves to the next (`dir` 1) or previous (-1) row matching the search; `dir` 0 finds the
/// first from the top. The roster and the log filter instead of jumping.
fn jump_to_match(s: &mut State, dir: isize, from_top: bool) {
    let Some(q) = s.search.clone().map(|q| q.to_lowercase()) else {
        return;
    };
    let rows: Vec<String> = match s.view {
        View::Queue => s
            .data
            .queue
            .iter()
            .map(|i| {
                format!(
                    "{} {} {} {}",
                    i.kind,
                    i.tld.clone().unwrap_or_default(),
                    i.country.clone().unwrap_or_default(),
                    i.why
                )
            })
            .collect(),
        View::Roster | View::Log => {
            // These views filter by the search instead of jumping.
            let h = s.list_height();
            if s.view == View::Roster {
                s.roster.step(0, s.roster_rows().len(), h);
            } else {
                s.log.step(0, s.log_rows().len(), h);
            }
            if dir != 0 {
                move_by(s, dir);
            }
            return;
        }
        _ => return,
    };
    let len = rows.len();
    if len == 0 {
        return;
    }
    let current = s.queue.selected;
    let start = if from_top { 0 } else { current as isize + dir };
    for step in 0..len as isize {
        let i = (start + step * if dir < 0 { -1 } else { 1 }).rem_euclid(len as isize) as usize;
        if rows[i].to_lowercase().contains(&q) {
            let h = s.list_height();
            s.queue.selected = i;
            s.queue.fit(h);
            return;
        }
    }
    s.notice = Some(Notice {
        text: format!("no match for \"{q}\""),
        error: true,
    });
}

fn open(s: &mut State) -> Vec<Effect> {
    match s.view {
        View::Queue => {
            let Some(item) = s.selected_queue_item().cloned() else {
                return vec![];
            };
            match (item.tld, item.message) {
                (Some(tld), _) => {
                    go(s, View::Case);
                    vec![Effect::LoadCase(tld)]
                }
                (None, Some(id)) => {
                    go(s, View::Message);
                    vec![Effect::LoadMessage(id)]
                }
                _ => vec![],
            }
        }
        View::Roster => {
            let Some(code) = s.selected_roster_row().map(|r| r.tld.code.to_string()) else {
                return vec![];
            };
            go(s, View::Case);
            vec![Effect::LoadCase(code)]
        }
        View::Log => {
            let Some(event) = s.log_rows().get(s.log.selected).map(|e| (*e).clone()) else {
                return vec![];
            };
            open_event(s, event);
            vec![]
        }
        // The event's case.
        View::Event => {
            let Some(tld) = s.event.as_ref().and_then(|e| e.tld.clone()) else {
                return vec![];
            };
            go(s, View::Case);
            vec![Effect::LoadCase(tld)]
        }
        View::Case => {
            let Some(c) = s.case.as_ref() else {
                return vec![];
            };
            let i = s.case_cursor.selected;
            if let Some(m) = c.messages.get(i) {
                let id = m.id;
                go(s, View::Message);
                return vec![Effect::LoadMessage(id)];
            }
            if let Some(e) = c.events.get(i - c.messages.len()) {
                let event = e.clone();
                open_event(s, event);
            }
            vec![]
        }
        View::Messages => {
            let Some(id) = s.messages.selected().map(|m| m.id) else {
                return vec![];
            };
            go(s, View::Message);
            vec![Effect::LoadMessage(id)]
        }
        _ => vec![],
    }
}

fn open_event(s: &mut State, event: crate::domain::audit::EventRecord) {
    s.event = Some(event);
    s.event_scroll = 0;
    go(s, View::Event);
}

/// The TLD an action is about: the open case, the selected queue item or roster row.
fn target_tld(s: &State) -> Option<String> {
    match s.view {
        View::Case | View::Message => s.case.as_ref().map(|c| c.row.tld.code.to_string()),
        View::Queue => s.selected_queue_item().and_then(|i| i.tld.clone()),
        View::Roster => s.selected_roster_row().map(|r| r.tld.code.to_string()),
        _ => None,
    }
}

/// The actions of DESIGN §8 on the selected queue item: each a command, planned first.
fn after_invitation(s: &mut State, action: Action) -> Vec<Effect> {
    let item = s
        .selected_queue_item()
        .filter(|_| s.view == View::Queue)
        .cloned();
    let refuse = |s: &mut State, text: &str| {
        s.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
        vec![]
    };
    let Some(item) = item else {
        return refuse(s, "select the queue item first");
    };
    let message = item.message.map(|m| format!("#{m}"));
    let command = match (action, item.tld.clone(), message) {
        (Action::RemoveMember, _, Some(message)) => Command::Remove { message },
        (Action::Dismiss, _, Some(message))
            if matches!(item.kind, ItemKind::Request | ItemKind::Remove) =>
        {
            Command::Dismiss {
                message,
                reason: None,
            }
        }
        (Action::AskAdmin, Some(tld), Some(message)) => Command::Ask {
            tld,
            messages: vec![message],
        },
        (Action::AskAdmin, None, Some(_)) => {
            return refuse(s, "the request names no ccTLD: assign it first (s)");
        }
        (Action::Confirm, Some(tld), _) => Command::Confirm { tld },
        (Action::Reconfirm, Some(tld), _) => Command::Reconfirm {
            tlds: vec![tld],
            due_only: false,
        },
        _ => return refuse(s, "this queue item is not one that action is for"),
    };
    plan(s, command)
}

/// The message an assignment is about.
fn target_message(s: &State) -> Option<i64> {
    match s.view {
        View::Queue => s.selected_queue_item().and_then(|i| i.message),
        View::Case => s
            .case
            .as_ref()
            .and_then(|c| c.messages.get(s.case_cursor.selected))
            .map(|m| m.id),
        View::Message => s.message.as_ref().map(|m| m.row.id),
        View::Messages => s.messages.selected().map(|m| m.id),
        _ => None,
    }
}

/// Opens the dialog that states what `action` will do, or says why it cannot.
fn ask(s: &mut State, action: Action) -> Vec<Effect> {
    if s.busy.is_some() {
        s.notice = Some(Notice {
            text: "an action is still running".into(),
            error: true,
        });
        return vec![];
    }
    if action == Action::Assign {
        match target_message(s) {
            Some(message) => {
                s.dialog = Some(Dialog::Prompt {
                    title: format!("Assign message #{message}"),
                    label: "to TLD: ".into(),
                    input: Editor::line(),
                    purpose: Purpose::AssignTld { message },
                })
            }
            None => {
                s.notice = Some(Notice {
                    text: "no message selected".into(),
                    error: true,
                })
            }
        }
        return vec![];
    }
    let Some(tld) = target_tld(s) else {
        s.notice = Some(Notice {
            text: "no TLD selected".into(),
            error: true,
        });
        return vec![];
    };
    ask_about(s, action, tld)
}

/// The reason a rejection's check is planned with, before the operator gives the real one.
const REASON_ASKED_NEXT: &str = "(the reason is asked next)";

/// [`ask`] about `tld`, wherever the cursor is (the command line names its TLD).
fn ask_about(s: &mut State, action: Action, tld: String) -> Vec<Effect> {
    let Some(row) = s
        .data
        .roster
        .iter()
        .find(|r| r.tld.code.as_str() == tld)
        .cloned()
    else {
        s.notice = Some(Notice {
            text: format!("{} is not in the roster", super::view::tld_label(&tld)),
            error: true,
        });
        return vec![];
    };
    let proposed: Vec<Contact> = s
        .data
        .proposed
        .iter()
        .chain(s.case.iter().flat_map(|c| c.contacts.iter()))
        .filter(|c| c.tld == tld && c.state == crate::domain::member::ContactState::Proposed)
        .map(|c| c.contact())
        .fold(Vec::new(), |mut acc: Vec<Contact>, c| {
            if !acc.iter().any(|a| a.email == c.email) {
                acc.push(c);
            }
            acc
        });
    match action {
        Action::Approve => {
            return plan(
                s,
                Command::Approve {
                    tld,
                    contacts: vec![],
                    override_reason: None,
                },
            );
        }
        Action::Reject => {
            // Checked first: a reason is asked only for a rejection that can be done.
            s.then_prompt = Some(Dialog::Prompt {
                title: format!("Reject {}", super::view::tld_label(&tld)),
                label: "reason (mailed to the admin contact): ".into(),
                input: Editor::lines(vec![]),
                purpose: Purpose::RejectReason { tld: tld.clone() },
            });
            return plan(
                s,
                Command::Reject {
                    tld,
                    reason: REASON_ASKED_NEXT.into(),
                },
            );
        }
        Action::Chase => {
            return plan(
                s,
                Command::Chase {
                    tlds: vec![tld],
                    due_only: false,
                },
            );
        }
        Action::Invite => {
            let again = row.case.state != CaseState::Uninvited;
            return plan(
                s,
                Command::Invite {
                    selection: crate::service::Selection {
                        tlds: vec![tld],
                        ..Default::default()
                    },
                    again,
                },
            );
        }
        Action::EditContacts => {
            let mut lines: Vec<String> = proposed
                .iter()
                .map(|c| {
                    format!(
                        "{}, {}, {}",
                        c.email,
                        c.name.clone().unwrap_or_default(),
                        c.phone.clone().unwrap_or_default()
                    )
                    .trim_end_matches([',', ' '])
                    .to_string()
                })
                .collect();
            lines.push(String::new());
            s.dialog = Some(Dialog::Contacts {
                tld,
                editor: Editor::lines(lines),
                error: None,
            });
        }
        _ => {}
    }
    vec![]
}

fn dialog_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = s.dialog.as_mut() else {
        return vec![];
    };
    match dialog {
        Dialog::Confirm { command, .. } => match k.code {
            KeyCode::Char('y') | KeyCode::Enter => {
                let command = command.clone();
                s.dialog = None;
                s.busy = Some(command.doing());
                return vec![Effect::Run(command)];
            }
            KeyCode::Char('n') | KeyCode::Esc => {
                s.dialog = None;
                s.notice = Some(Notice {
                    text: "cancelled".into(),
                    error: false,
                });
            }
            _ => {}
        },
        Dialog::Prompt { input, purpose, .. } => match k.code {
            KeyCode::Enter if k.modifiers.is_empty() && !input.text().trim().is_empty() => {
                let text = input.text().trim().to_string();
                let purpose = purpose.clone();
                s.dialog = None;
                return plan(
                    s,
                    match purpose {
                        Purpose::RejectReason { tld } => Command::Reject { tld, reason: text },
                        Purpose::AssignTld { message } => assign_command(message, &text),
                        Purpose::OverrideReason { tld } => Command::Approve {
                            tld,
                            contacts: vec![],
                            override_reason: Some(text),
                        },
                    },
                );
            }
            KeyCode::Esc => s.dialog = None,
            _ => {
                input.key(k);
            }
        },
        Dialog::Contacts { tld, editor, error } => match k.code {
            KeyCode::Esc => s.dialog = None,
            KeyCode::Down | KeyCode::Tab
                if k.modifiers.is_empty() && {
                    // Down on the last line, once it is filled in, starts the next contact.
                    let (row, _) = editor.cursor();
                    let lines = editor.line_texts();
                    row + 1 == lines.len() && !lines[row].trim().is_empty()
                } =>
            {
                editor.open_line_below();
            }
            KeyCode::Tab => {
                editor.key(KeyEvent::new(KeyCode::Down, k.modifiers));
            }
            KeyCode::Enter if !k.modifiers.contains(crossterm::event::KeyModifiers::ALT) => {
                match parse_contacts(editor.line_texts()) {
                    Ok(contacts) if !contacts.is_empty() => {
                        let tld = tld.clone();
                        s.dialog = None;
                        return plan(s, Command::SetContacts { tld, contacts });
                    }
                    Ok(_) => *error = Some("give at least one contact".into()),
                    Err(e) => *error = Some(e),
                }
            }
            _ => {
                if editor.key(k) == Edit::Changed {
                    *error = None;
                }
            }
        },
    }
    vec![]
}

/// The input being typed into, if any: a dialog's, the search's, the command line's.
fn active_editor(s: &mut State) -> Option<&mut Editor> {
    match s.dialog.as_mut() {
        Some(Dialog::Prompt { input, .. }) => return Some(input),
        Some(Dialog::Contacts { editor, .. }) => return Some(editor),
        Some(Dialog::Confirm { .. }) => return None,
        None => {}
    }
    s.search_input.as_mut().or(s.command_input.as_mut())
}

/// `email, name, phone` per line ([`Contact::from_line`]); blank lines ignored.
pub fn parse_contacts(lines: &[String]) -> Result<Vec<Contact>, String> {
    let mut out = Vec::new();
    for (i, line) in lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        out.push(Contact::from_line(line).map_err(|e| format!("line {}: {e}", i + 1))?);
    }
    Ok(out)
}

/// Asks the worker for `command`'s plan; the confirmation opens when it comes.
fn plan(s: &mut State, command: Command) -> Vec<Effect> {
    s.busy = Some(format!("checking: {}", command.doing()));
    vec![Effect::Plan(command)]
}

/// `:resend` / `:mark-sent` for an interrupted mail: the one named, or the selected queue
/// item's.
fn interrupted_mail_command(s: &State, verb: &str, arg: Option<&str>) -> Result<Command, String> {
    let message_id = match arg {
        Some(id) => id.trim_matches(['<', '>']).to_string(),
        None => s
            .selected_queue_item()
            .filter(|_| s.view == View::Queue)
            .and_then(|q| q.mail.clone())
            .ok_or_else(|| {
                format!(":{verb} needs a Message-ID, or an interrupted mail selected in the queue")
            })?,
    };
    Ok(if verb == "resend" {
        Command::ResendMail { message_id }
    } else {
        Command::MarkMailSent { message_id }
    })
}

/// Assigning message #`message` to `tld` (as typed: `.FR`, `fr`).
fn assign_command(message: i64, tld: &str) -> Command {
    Command::Assign {
        message: format!("#{message}"),
        tld: tld.trim_start_matches('.').to_lowercase(),
    }
}

/// Asks the poller for a pass now, or says why there is none to ask.
fn poll_now(s: &mut State) -> Vec<Effect> {
    if let (Some(src), Some(why)) = (&s.poll.source, &s.poll.off) {
        s.notice = Some(Notice {
            text: format!("cannot poll {src}: {why}"),
            error: true,
        });
        return vec![];
    }
    if s.poll.source.is_none() {
        s.notice = Some(Notice {
            text: "no mailbox to poll: configure [imap] (see `tldops config check`)".into(),
            error: true,
        });
        return vec![];
    }
    s.notice = Some(Notice {
        text: "polling…".into(),
        error: false,
    });
    vec![Effect::PollNow]
}

/// `:approve nl`, `:reject nl the reason`, `:chase nl`, `:invite nl [again]`,
/// `:assign #12 fr`, `:poll`, `:queue`, `:roster`, `:log`, `:coverage`, `:help`, `:q`.
fn command_line(s: &mut State, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let verb = words.next().unwrap_or("");
    let arg = words
        .next()
        .map(|w| w.trim_start_matches('.').to_lowercase());
    let rest: Vec<&str> = words.collect();
    let need_tld = |s: &mut State, arg: &Option<String>| -> Option<String> {
        match arg {
            Some(t) if s.data.roster.iter().any(|r| r.tld.code.as_str() == t) => Some(t.clone()),
            Some(t) => {
                s.notice = Some(Notice {
                    text: format!(".{t} is not in the roster"),
                    error: true,
                });
                None
            }
            None => {
                s.notice = Some(Notice {
                    text: format!(":{verb} needs a TLD"),
                    error: true,
                });
                None
            }
        }
    };
    // The command line never changes the view: the dialog opens over it.
    let open_on = |s: &mut State, tld: String, action: Action| {
        if s.busy.is_some() {
            s.notice = Some(Notice {
                text: "an action is still running".into(),
                error: true,
            });
            return vec![];
        }
        ask_about(s, action, tld)
    };
    match verb {
        "" => {}
        "q" | "quit" => return vec![Effect::Quit],
        "poll" => return poll_now(s),
        "queue" => switch(s, View::Queue),
        "roster" => switch(s, View::Roster),
        "log" => switch(s, View::Log),
        "coverage" => switch(s, View::Coverage),
        "messages" => switch(s, View::Messages),
        "help" => go(s, View::Help),
        "notifications" => go(s, View::Notifications),
        "approve" | "chase" | "invite" => {
            if let Some(tld) = need_tld(s, &arg) {
                let action = match verb {
                    "approve" => Action::Approve,
                    "chase" => Action::Chase,
                    _ => Action::Invite,
                };
                return open_on(s, tld, action);
            }
        }
        "reject" => {
            if let Some(tld) = need_tld(s, &arg) {
                if rest.is_empty() {
                    return open_on(s, tld, Action::Reject);
                }
                let reason = rest.join(" ");
                return plan(s, Command::Reject { tld, reason });
            }
        }
        "resend" | "mark-sent" => match interrupted_mail_command(s, verb, arg.as_deref()) {
            Ok(command) => return plan(s, command),
            Err(text) => s.notice = Some(Notice { text, error: true }),
        },
        "dismiss" => {
            match arg
                .as_deref()
                .and_then(|m| m.trim_start_matches('#').parse::<i64>().ok())
            {
                Some(message) => {
                    return plan(
                        s,
                        Command::Dismiss {
                            message: format!("#{message}"),
                            reason: (!rest.is_empty()).then(|| rest.join(" ")),
                        },
                    );
                }
                None => {
                    s.notice = Some(Notice {
                        text: "usage: :dismiss #ID [reason…]".into(),
                        error: true,
                    })
                }
            }
        }
        "assign" => {
            let message = arg
                .as_deref()
                .and_then(|m| m.trim_start_matches('#').parse::<i64>().ok());
            match (message, rest.first()) {
                (Some(message), Some(tld)) => return plan(s, assign_command(message, tld)),
                _ => {
                    s.notice = Some(Notice {
                        text: "usage: :assign #ID TLD".into(),
                        error: true,
                    })
                }
            }
        }
        other => {
            s.notice = Some(Notice {
                text: format!("unknown command :{other} (? lists them)"),
                error: true,
            })
        }
    }
    vec![]
}
