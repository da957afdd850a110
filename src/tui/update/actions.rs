//! Operator actions asked from a view: what they are about (the selected TLD or message),
//! then their plan asked of the worker, a dialog following.

use super::*;
use crate::domain::triage::intent::Intent;

/// The TLD an action is about: the open case, the selected queue item or roster row.
pub(super) fn target_tld(s: &State) -> Option<String> {
    match s.view {
        View::Case | View::Message => s.case.as_ref().map(|c| c.row.tld.code.to_string()),
        View::Queue => s.selected_queue_item().and_then(|i| i.tld.clone()),
        View::Roster => s.selected_roster_row().map(|r| r.tld.code.to_string()),
        _ => None,
    }
}

/// The actions of DESIGN §8 on the selected queue item, or in a case on its TLD and the
/// selected message: each a command, planned first.
pub(super) fn after_invitation(s: &mut State, action: Action) -> Vec<Effect> {
    let Some(target) = request_target(s) else {
        return refuse(s, "select a queue item, or open a case, first");
    };
    let RequestTarget {
        kind,
        tld,
        message,
        is,
    } = target;
    // A message's action is for it only when it is an open request of its kind (a leave
    // for x, a join or change for K); the service would refuse the others in the words of
    // the command line.
    let message = message
        .filter(|_| match action {
            Action::RemoveMember => kind == Some(ItemKind::Remove),
            Action::AskAdmin => kind == Some(ItemKind::Request),
            _ => true,
        })
        .map(|m| format!("#{m}"));
    let command = match (action, tld, message) {
        (Action::RemoveMember, _, Some(message)) => Command::Remove { message },
        (Action::Dismiss, _, Some(message))
            if matches!(kind, Some(ItemKind::Request | ItemKind::Remove)) =>
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
        _ => {
            // Named by the key pressed (or the command typed), with the key that fits the
            // item, if one does.
            let scope = s.view.scope();
            let named = |a: Action| match s.keymap.key_of(scope, a) {
                Some(k) => k.to_string(),
                None => format!(":{}", a.name()),
            };
            let does = match action {
                Action::RemoveMember => "removes a member who asked to leave",
                Action::Dismiss => "dismisses a request to join, change or leave",
                Action::AskAdmin => "asks the admin about a request to join or change",
                _ => "is for an approved ccTLD's re-confirmation",
            };
            let instead = match kind {
                Some(ItemKind::Remove) => Some(Action::RemoveMember),
                Some(ItemKind::Request) => Some(Action::AskAdmin),
                _ => None,
            }
            .filter(|&a| a != action)
            .map(|a| format!(" ({} fits it)", named(a)))
            .unwrap_or_default();
            return refuse(s, format!("{} {does}; {is}{instead}", named(action)));
        }
    };
    plan(s, command)
}

/// What a DESIGN §8 action is about: the kind of request (a queue item's kind; in a case,
/// that of the selected message when it is an open request), the TLD, the message, and what
/// a refusal says it is.
struct RequestTarget {
    kind: Option<ItemKind>,
    tld: Option<String>,
    message: Option<i64>,
    is: String,
}

fn request_target(s: &State) -> Option<RequestTarget> {
    match s.view {
        View::Queue => s.selected_queue_item().map(|i| RequestTarget {
            kind: Some(i.kind),
            tld: i.tld.clone(),
            message: i.message,
            is: format!("this item's TODO is {}", i.kind.as_str()),
        }),
        View::Case => {
            let c = s.case.as_ref()?;
            let m = c.messages.get(s.case_cursor.selected);
            let kind = m
                .filter(|m| m.verdict == Verdict::Request && m.settled_at.is_none())
                .map(|m| match m.intent {
                    Some(Intent::Leave) => ItemKind::Remove,
                    _ => ItemKind::Request,
                });
            let is = match (m, kind) {
                (None, _) => "select the request among the case's messages".to_string(),
                (Some(m), Some(ItemKind::Remove)) => format!("#{} asks to leave", m.id),
                (Some(m), Some(_)) => format!("#{} asks to join or change", m.id),
                (Some(m), None) if m.verdict == Verdict::Request => {
                    format!("#{} was acted on already", m.id)
                }
                (Some(m), None) => format!("#{} is {}", m.id, m.verdict),
            };
            Some(RequestTarget {
                kind,
                tld: Some(c.row.tld.code.to_string()),
                message: m.map(|m| m.id),
                is,
            })
        }
        _ => None,
    }
}

/// The message an assignment is about.
pub(super) fn target_message(s: &State) -> Option<i64> {
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
pub(super) fn ask(s: &mut State, action: Action) -> Vec<Effect> {
    if s.busy.is_some() {
        return refuse(s, STILL_RUNNING);
    }
    if action == Action::Assign {
        match target_message(s) {
            Some(message) => {
                s.mode = Mode::Dialog(Dialog::Prompt {
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
        return refuse(s, "no TLD selected");
    };
    ask_about(s, action, tld)
}

/// The reason a rejection's check is planned with, before the operator gives the real one.
pub(super) const REASON_ASKED_NEXT: &str = "(the reason is asked next)";

/// [`ask`] about `tld`, wherever the cursor is (the command line names its TLD).
pub(super) fn ask_about(s: &mut State, action: Action, tld: String) -> Vec<Effect> {
    // Before a reason is readied or the contacts editor opens, not only in [`plan`].
    if s.busy.is_some() {
        return refuse(s, STILL_RUNNING);
    }
    let Some(row) = s
        .data
        .roster
        .iter()
        .find(|r| r.tld.code.as_str() == tld)
        .cloned()
    else {
        return refuse(
            s,
            format!("{} is not in the roster", crate::tui::view::tld_label(&tld)),
        );
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
                title: format!("Reject {}", crate::tui::view::tld_label(&tld)),
                label: "reason (mailed to the admin contact): ".into(),
                input: Editor::lines_at_end(s.reasons.get(&tld).map_or("", String::as_str)),
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
        Action::Confirm => return plan(s, Command::Confirm { tld }),
        Action::Reconfirm => {
            return plan(
                s,
                Command::Reconfirm {
                    tlds: vec![tld],
                    due_only: false,
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
            s.mode = Mode::Dialog(Dialog::Contacts {
                tld,
                editor: Editor::lines(lines),
                error: None,
            });
        }
        _ => {}
    }
    vec![]
}

/// Why an action is refused while another is checked or runs.
pub(super) const STILL_RUNNING: &str = "an action is still running";

/// Asks the worker for `command`'s plan; the confirmation opens when it comes. One action at
/// a time: every way of asking for one (a key, the `:` line, a dialog) comes through here.
pub(super) fn plan(s: &mut State, command: Command) -> Vec<Effect> {
    if s.busy.is_some() {
        return refuse(s, STILL_RUNNING);
    }
    s.busy = Some(format!("checking: {}", command.doing()));
    vec![Effect::Plan(command)]
}

/// Resending an interrupted mail, or recording it as sent: the one named (`:resend ID`), or
/// the selected queue item's.
pub(super) fn interrupted_mail(s: &mut State, action: Action, id: Option<&str>) -> Vec<Effect> {
    let message_id = match id {
        Some(id) => Some(id.trim_matches(['<', '>']).to_string()),
        None => s
            .selected_queue_item()
            .filter(|_| s.view == View::Queue)
            .and_then(|q| q.mail.clone()),
    };
    let Some(message_id) = message_id else {
        return refuse(
            s,
            format!(
                ":{} needs a Message-ID, or an interrupted mail selected in the queue",
                action.name()
            ),
        );
    };
    plan(
        s,
        if action == Action::ResendMail {
            Command::ResendMail { message_id }
        } else {
            Command::MarkMailSent { message_id }
        },
    )
}

/// Assigning message #`message` to `tld` (as typed: `.FR`, `fr`).
pub(super) fn assign_command(message: i64, tld: &str) -> Command {
    Command::Assign {
        message: format!("#{message}"),
        tld: tld.trim_start_matches('.').to_lowercase(),
    }
}

/// Asks the poller for a pass now, or says why there is none to ask.
pub(super) fn poll_now(s: &mut State) -> Vec<Effect> {
    if let (Some(src), Some(why)) = (&s.poll.source, &s.poll.off) {
        return refuse(s, format!("cannot poll {src}: {why}"));
    }
    if s.poll.source.is_none() {
        return refuse(
            s,
            "no mailbox to poll: configure [imap] (see `tldops config check`)",
        );
    }
    s.poll_asked = true;
    vec![Effect::PollNow]
}
