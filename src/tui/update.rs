//! The one place state changes: `update(state, msg)` returns the effects to run (load data,
//! run an action, poll, quit). Pure: no terminal, no database, no network — tested directly.
//! Here: messages and keys routed to actions; by concern: `navigation` (views, cursors,
//! search), `actions` (what an action is about, its plan), `dialogs`, `command_line`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::input::{Edit, Editor};
use super::keymap::{Action, Key};
use super::state::{
    CaseDetail, Command, Dialog, MESSAGE_PAGE, MIN_HEIGHT, MIN_WIDTH, MessageDetail, Mode, Notice,
    PollStatus, Purpose, Snapshot, State, View,
};
use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::domain::triage::{Contact, Verdict};
use crate::service::MessageQuery;
use crate::service::{ItemKind, MessagePage, Plan};

mod actions;
mod command_line;
mod dialogs;
mod navigation;

use actions::*;
use command_line::*;
use dialogs::*;
use navigation::*;

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

/// What a finished pass found, as the status line and `@` say it.
fn polled(stored: usize) -> String {
    match stored {
        0 => "polled: nothing new".to_string(),
        n => format!("polled: {}", crate::domain::plural(n, "new message")),
    }
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
            // The cursors stay on the items they were on: new mail inserts rows above them,
            // and an action must not land on another ccTLD's item.
            let item =
                |i: &crate::service::QueueItem| (i.kind, i.tld.clone(), i.message, i.mail.clone());
            let was_queue = s.selected_queue_item().map(item);
            let was_roster = s.selected_roster_row().map(|r| r.tld.code.clone());
            let was_event = s.log_rows().get(s.log.selected).map(|e| e.id);
            s.data = *d;
            s.queue.follow(was_queue, s.data.queue.iter().map(item));
            let roster: Vec<_> = s.roster_rows().iter().map(|r| r.tld.code.clone()).collect();
            let log: Vec<_> = s.log_rows().iter().map(|e| e.id).collect();
            // (The rows are filtered once: a roster search scores every row.)
            let (q, r, l) = (s.data.queue.len(), roster.len(), log.len());
            s.roster.follow(was_roster, roster);
            s.log.follow(was_event, log);
            // New mail, a new verdict after an assignment: the page on screen is asked again.
            s.messages.stale = true;
            let h = s.list_height();
            s.queue.step(0, q, h);
            s.roster.step(0, r, h);
            s.log.step(0, l, h);
            // The open case or message may have changed too (a new verdict after an assign).
            match (&s.case, &s.message, s.view) {
                (Some(c), _, View::Case) => vec![Effect::LoadCase(c.row.tld.code.to_string())],
                (_, Some(m), View::Message) => vec![Effect::LoadMessage(m.row.id)],
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
            // The same message again (a reload) keeps its place.
            if s.message.as_ref().is_none_or(|old| old.row.id != m.row.id) {
                s.message_scroll = 0;
            }
            s.message = Some(*m);
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
            let finished = s.poll.polling && !p.polling;
            let error = |p: &PollStatus| p.error.as_ref().map(|(e, _)| e.clone());
            if finished && std::mem::take(&mut s.poll_asked) {
                // `p` asked for this pass: say what it found, or why it failed (and so `@`).
                s.notice = Some(match error(&p) {
                    Some(e) => Notice {
                        text: format!("mailbox: {e}"),
                        error: true,
                    },
                    None => Notice {
                        text: polled(p.stored),
                        error: false,
                    },
                });
            } else if finished && p.error.is_none() && s.poll.error.is_some() {
                // Back after failing: said where the failure was (the status line, `@`), so
                // that no red line stays under a green bar.
                let back = Notice {
                    text: format!("mailbox: working again; {}", polled(p.stored)),
                    error: false,
                };
                let failure_shown = s
                    .notice
                    .as_ref()
                    .is_some_and(|n| n.error && n.text.starts_with("mailbox: "));
                if failure_shown {
                    s.notice = Some(back);
                } else {
                    s.log(back);
                }
            } else if finished && p.stored > 0 && p.error.is_none() {
                // A pass of the timer or of IDLE that brought mail: `@` keeps when it came,
                // without taking the status line from what the operator is doing.
                s.log(Notice {
                    text: polled(p.stored),
                    error: false,
                });
            } else if let Some(e) = error(&p).filter(|e| error(&s.poll).as_ref() != Some(e)) {
                // The bar cuts a failure short: `@` has it whole, once while the same one
                // repeats (a login refused at every retry would fill it).
                s.log(Notice {
                    text: format!("mailbox: {e}"),
                    error: true,
                });
            }
            // A finished pass that wrote may have brought mail: show it.
            let reload = finished && p.news;
            s.poll = p;
            if reload { vec![Effect::Reload] } else { vec![] }
        }
        Msg::Planned(planned) => {
            s.busy = None;
            let then = s.then_prompt.take();
            match (*planned, then) {
                (Ok(_), Some(prompt)) => s.mode = Mode::Dialog(prompt),
                (Ok(plan), None) => {
                    s.mode = Mode::Dialog(Dialog::Confirm {
                        title: plan.title(),
                        lines: plan.lines(),
                        command: plan.command,
                    })
                }
                (Err(Refusal::NeedsOverride { tld, why }), _) => {
                    // The why is long: it stays readable in the status line (and @).
                    s.notice = Some(Notice {
                        text: why,
                        error: false,
                    });
                    s.mode = Mode::Dialog(Dialog::Prompt {
                        title: format!("Approve .{tld} on a reply that is not verified?"),
                        label: "approve anyway, because (logged): ".into(),
                        input: Editor::line(),
                        purpose: Purpose::OverrideReason { tld },
                    })
                }
                (Err(Refusal::Refused(text)), _) => s.notice = Some(Notice { text, error: true }),
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

/// An action refused with why, in the status line.
fn refuse(s: &mut State, text: impl Into<String>) -> Vec<Effect> {
    s.notice = Some(Notice {
        text: text.into(),
        error: true,
    });
    vec![]
}

fn key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if s.width < MIN_WIDTH || s.height < MIN_HEIGHT {
        // The screen only says it is too small: keys that act unseen would surprise.
        return match s.keymap.action(s.view.scope(), Key::from_event(k)) {
            Some(a @ (Action::Quit | Action::Suspend | Action::Redraw)) => act(s, a),
            _ => vec![],
        };
    }
    match &mut s.mode {
        Mode::Normal => {}
        Mode::Dialog(_) => return dialog_key(s, k),
        Mode::Command(_) if k.code == KeyCode::Tab => {
            complete(s);
            return vec![];
        }
        Mode::Search(input) | Mode::Command(input) => {
            match k.code {
                KeyCode::Enter => {
                    let typed = std::mem::take(&mut s.mode);
                    return match typed {
                        Mode::Search(q) => {
                            search(s, &q.text());
                            vec![]
                        }
                        Mode::Command(line) => command_line(s, &line.text()),
                        _ => vec![],
                    };
                }
                KeyCode::Esc => s.mode = Mode::Normal,
                _ => {
                    if input.key(k) == Edit::Changed {
                        // What Tab listed was for the text before.
                        s.notice = None;
                        s.tab_cycle = None;
                    }
                }
            }
            return vec![];
        }
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
        Action::Search => s.mode = Mode::Search(Editor::line()),
        Action::NextMatch => jump_to_match(s, 1, false),
        Action::PrevMatch => jump_to_match(s, -1, false),
        Action::CommandLine => {
            s.mode = Mode::Command(Editor::line());
            s.tab_cycle = None;
        }
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
        Action::ResendMail | Action::MarkMailSent => return interrupted_mail(s, action, None),
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
