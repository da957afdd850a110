//! The one place state changes: `update(state, msg)` returns the effects to run (load data,
//! run an action, poll, quit). Pure: no terminal, no database, no network — tested directly.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::input::{Edit, Editor};
use super::keymap::{Action, Key};
use super::state::{
    CaseDetail, Command, Dialog, MIN_HEIGHT, MIN_WIDTH, MessageDetail, Notice, PollStatus, Purpose,
    Snapshot, State, View,
};
use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::domain::triage::Contact;

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
    Poll(PollStatus),
    /// An action finished: its result in words, or its error.
    Done(String),
    Failed(String),
    /// SIGTERM, SIGHUP: leave now, restoring the terminal.
    Terminate,
}

/// What to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Reload,
    LoadCase(String),
    LoadMessage(i64),
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
    let effects = step(s, msg);
    if s.notice.is_some() && s.notice != before {
        s.log_notice();
    }
    effects
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
            s.data = *d;
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
            if s.search.is_some() && searchable {
                s.search = None;
                s.roster = Default::default();
                s.log = Default::default();
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
        Action::NextView => {
            let next = match s.view {
                View::Queue => View::Roster,
                View::Roster => View::Log,
                View::Log => View::Coverage,
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
        Action::Redraw => return vec![Effect::Redraw],
        Action::Suspend => return vec![Effect::Suspend],
        Action::Approve
        | Action::Reject
        | Action::Chase
        | Action::Invite
        | Action::Assign
        | Action::EditContacts => {
            ask(s, action);
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
        View::Case => s.case.as_ref().map_or(0, |c| c.messages.len()),
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
        View::Message => s.message_scroll = scrolled(s.message_scroll, delta, &s.scroll_limit),
        View::Help => s.help_scroll = scrolled(s.help_scroll, delta, &s.scroll_limit),
        View::Notifications => {
            s.notifications_scroll = scrolled(s.notifications_scroll, delta, &s.scroll_limit)
        }
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
            let Some(tld) = s.log_rows().get(s.log.selected).and_then(|e| e.tld.clone()) else {
                return vec![];
            };
            go(s, View::Case);
            vec![Effect::LoadCase(tld)]
        }
        View::Case => {
            let Some(id) = s
                .case
                .as_ref()
                .and_then(|c| c.messages.get(s.case_cursor.selected))
                .map(|m| m.id)
            else {
                return vec![];
            };
            go(s, View::Message);
            vec![Effect::LoadMessage(id)]
        }
        _ => vec![],
    }
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
        _ => None,
    }
}

/// Opens the dialog that states what `action` will do, or says why it cannot.
fn ask(s: &mut State, action: Action) {
    if s.busy.is_some() {
        s.notice = Some(Notice {
            text: "an action is still running".into(),
            error: true,
        });
        return;
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
        return;
    }
    let Some(tld) = target_tld(s) else {
        s.notice = Some(Notice {
            text: "no TLD selected".into(),
            error: true,
        });
        return;
    };
    let Some(row) = s
        .data
        .roster
        .iter()
        .find(|r| r.tld.code.as_str() == tld)
        .cloned()
    else {
        return;
    };
    let admin = row.tld.admin.email.to_string();
    let proposed: Vec<Contact> = s
        .data
        .proposed
        .iter()
        .chain(s.case.iter().flat_map(|c| c.contacts.iter()))
        .filter(|c| c.tld == tld && c.state == "proposed" && c.approved_at.is_none())
        .map(|c| c.contact())
        .fold(Vec::new(), |mut acc: Vec<Contact>, c| {
            if !acc.iter().any(|a| a.email == c.email) {
                acc.push(c);
            }
            acc
        });
    match action {
        Action::Approve if proposed.len() > s.max_contacts => {
            s.notice = Some(Notice {
                text: format!(
                    ".{tld}: {} proposed contacts, more than list.max_contacts ({}): \
                     keep the ones to approve (e in the case view), then approve",
                    proposed.len(),
                    s.max_contacts
                ),
                error: true,
            });
        }
        Action::Approve => {
            let mut lines = vec![format!(
                "Subscribe {} contact(s) of .{tld} to the list:",
                proposed.len()
            )];
            lines.extend(
                proposed
                    .iter()
                    .map(|c| format!("  {}", crate::service::describe(c))),
            );
            lines.push(format!("Mail: the approval notice to {admin};"));
            lines.push(format!(
                "      a welcome to {}.",
                proposed
                    .iter()
                    .map(|c| c.email.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if proposed.is_empty() {
                lines = vec![
                    format!(".{tld} has no proposed contacts loaded: open the case (Enter) first,"),
                    "or approve anyway to let tldops check.".into(),
                ];
            }
            s.dialog = Some(Dialog::Confirm {
                title: format!("Approve .{tld}?"),
                lines,
                command: Command::Approve { tld },
            });
        }
        Action::Reject => {
            s.dialog = Some(Dialog::Prompt {
                title: format!("Reject .{tld}"),
                label: "reason (mailed to the admin contact): ".into(),
                input: Editor::lines(vec![]),
                purpose: Purpose::RejectReason { tld },
            })
        }
        Action::Chase => {
            let n = row.case.reminders + 1;
            s.dialog = Some(Dialog::Confirm {
                title: format!("Remind .{tld}?"),
                lines: vec![
                    format!("Mail: reminder {n} to {admin},"),
                    "threaded under the invitation.".into(),
                ],
                command: Command::Chase { tld },
            })
        }
        Action::Invite => {
            let again = row.case.state != CaseState::Uninvited;
            let mut lines = vec![format!(
                "Mail: the invitation to {admin} ({}).",
                row.tld.admin.name
            )];
            if again {
                lines.push(format!(
                    "The case is {}: this invites it again.",
                    row.case.state
                ));
            }
            s.dialog = Some(Dialog::Confirm {
                title: format!("Invite .{tld}?"),
                lines,
                command: Command::Invite { tld, again },
            });
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
                s.busy = Some(describe_command(&command));
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
                s.dialog = Some(match purpose {
                    Purpose::RejectReason { tld } => {
                        let admin = s
                            .data
                            .roster
                            .iter()
                            .find(|r| r.tld.code.as_str() == tld)
                            .map(|r| r.tld.admin.email.to_string())
                            .unwrap_or_default();
                        Dialog::Confirm {
                            title: format!("Reject .{tld}?"),
                            lines: vec![
                                format!("Mail: the rejection to {admin}, saying:"),
                                format!("  {text}"),
                            ],
                            command: Command::Reject { tld, reason: text },
                        }
                    }
                    Purpose::AssignTld { message } => assign_dialog(message, &text),
                });
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
                        let mut shown =
                            vec![format!("Replace the proposed contacts of .{tld} with:")];
                        shown.extend(
                            contacts
                                .iter()
                                .map(|c| format!("  {}", crate::service::describe(c))),
                        );
                        shown.push("No mail is sent; approve afterwards.".into());
                        s.dialog = Some(Dialog::Confirm {
                            title: format!("Set the contacts of .{tld}?"),
                            lines: shown,
                            command: Command::SetContacts { tld, contacts },
                        });
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

pub fn describe_command(c: &Command) -> String {
    match c {
        Command::Approve { tld } => format!("approving .{tld}"),
        Command::Reject { tld, .. } => format!("rejecting .{tld}"),
        Command::Chase { tld } => format!("reminding .{tld}"),
        Command::Invite { tld, .. } => format!("inviting .{tld}"),
        Command::Assign { message, tld } => format!("assigning #{message} to .{tld}"),
        Command::SetContacts { tld, .. } => format!("setting the contacts of .{tld}"),
        Command::ResendMail { message_id } => format!("sending {message_id} again"),
        Command::MarkMailSent { message_id } => format!("recording {message_id} as sent"),
    }
}

/// The confirmation of `:resend` / `:mark-sent` for an interrupted mail: the one named, or
/// the selected queue item's.
fn interrupted_mail_dialog(s: &State, verb: &str, arg: Option<&str>) -> Result<Dialog, String> {
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
    let (title, lines, command) = if verb == "resend" {
        (
            "Send the interrupted mail again?",
            vec![
                format!("Mail {message_id} is sent again, with the same Message-ID."),
                "Its send was interrupted: the receiver may get it twice.".into(),
            ],
            Command::ResendMail { message_id },
        )
    } else {
        (
            "Record the interrupted mail as sent?",
            vec![
                format!("Mail {message_id} is recorded as sent and not sent again."),
                "Do this when you know it arrived (the receiver has it).".into(),
            ],
            Command::MarkMailSent { message_id },
        )
    };
    Ok(Dialog::Confirm {
        title: title.into(),
        lines,
        command,
    })
}

/// The confirmation of assigning message #`message` to `tld` (as typed: `.FR`, `fr`).
fn assign_dialog(message: i64, tld: &str) -> Dialog {
    let tld = tld.trim_start_matches('.').to_lowercase();
    Dialog::Confirm {
        title: format!("Assign #{message} to .{tld}?"),
        lines: vec![
            format!("Message #{message} is filed under .{tld} and triaged again for it;"),
            "its contacts are extracted. No mail is sent.".into(),
        ],
        command: Command::Assign { message, tld },
    }
}

/// Asks the poller for a pass now, or says why there is none to ask.
fn poll_now(s: &mut State) -> Vec<Effect> {
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
    let open_on = |s: &mut State, tld: String, action: Action| {
        s.case = s.case.take().filter(|c| c.row.tld.code.as_str() == tld);
        s.view = View::Roster;
        s.search = None;
        if let Some(i) = s
            .roster_rows()
            .iter()
            .position(|r| r.tld.code.as_str() == tld)
        {
            s.roster.selected = i;
        }
        ask(s, action);
    };
    match verb {
        "" => {}
        "q" | "quit" => return vec![Effect::Quit],
        "poll" => return poll_now(s),
        "queue" => switch(s, View::Queue),
        "roster" => switch(s, View::Roster),
        "log" => switch(s, View::Log),
        "coverage" => switch(s, View::Coverage),
        "help" => go(s, View::Help),
        "notifications" => go(s, View::Notifications),
        "approve" | "chase" | "invite" => {
            if let Some(tld) = need_tld(s, &arg) {
                let action = match verb {
                    "approve" => Action::Approve,
                    "chase" => Action::Chase,
                    _ => Action::Invite,
                };
                open_on(s, tld, action);
            }
        }
        "reject" => {
            if let Some(tld) = need_tld(s, &arg) {
                if rest.is_empty() {
                    open_on(s, tld, Action::Reject);
                } else {
                    let reason = rest.join(" ");
                    let admin = s
                        .data
                        .roster
                        .iter()
                        .find(|r| r.tld.code.as_str() == tld)
                        .map(|r| r.tld.admin.email.to_string())
                        .unwrap_or_default();
                    s.dialog = Some(Dialog::Confirm {
                        title: format!("Reject .{tld}?"),
                        lines: vec![
                            format!("Mail: the rejection to {admin}, saying:"),
                            format!("  {reason}"),
                        ],
                        command: Command::Reject { tld, reason },
                    });
                }
            }
        }
        "resend" | "mark-sent" => match interrupted_mail_dialog(s, verb, arg.as_deref()) {
            Ok(dialog) => s.dialog = Some(dialog),
            Err(text) => s.notice = Some(Notice { text, error: true }),
        },
        "assign" => {
            let message = arg
                .as_deref()
                .and_then(|m| m.trim_start_matches('#').parse::<i64>().ok());
            match (message, rest.first()) {
                (Some(message), Some(tld)) => s.dialog = Some(assign_dialog(message, tld)),
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
