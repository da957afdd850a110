//! The `:` command line: a word is the name of a keymap action (or a short form of it), so
//! help lists keys and commands together. Without arguments a command does what its key does;
//! arguments name what it acts on instead of the selection (`:approve nl`, `:assign #12 fr`).

use super::*;
use crate::tui::keymap::{command_action, commands_starting, nearest_command};

/// Tab on the `:` line: completes the command word (to what all the commands it may start
/// share, listing them when there are several); Tab again, nothing typed since, puts each of
/// them in turn.
pub(super) fn complete(s: &mut State) {
    let Mode::Command(line) = &mut s.mode else {
        return;
    };
    if let Some((found, at)) = s.tab_cycle.as_mut() {
        let next = at.map_or(0, |i| (i + 1) % found.len());
        *at = Some(next);
        line.set_line(found[next]);
        s.notice = Some(Notice {
            text: format!("{} of {}: {}", next + 1, found.len(), found.join("  ")),
            error: false,
        });
        return;
    }
    let text = line.text();
    if text.contains(char::is_whitespace) {
        return; // past the command word: its arguments are TLDs and #IDs
    }
    let found = commands_starting(&text);
    let Some(first) = found.first() else {
        s.notice = Some(Notice {
            text: format!("no command starts with {text:?}"),
            error: true,
        });
        return;
    };
    let shared = found.iter().fold(first.to_string(), |acc, w| {
        acc.chars()
            .zip(w.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    if found.len() == 1 {
        line.set_line(&format!("{shared} "));
        s.notice = None;
    } else {
        line.set_line(&shared);
        // The count first: at 80 columns the list may be cut (Tab again puts each in turn).
        s.notice = Some(Notice {
            text: format!("{} commands: {}", found.len(), found.join("  ")),
            error: false,
        });
        s.tab_cycle = Some((found, None));
    }
}

pub(super) fn command_line(s: &mut State, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return vec![];
    };
    let args: Vec<&str> = words.collect();
    let Some(action) = command_action(verb) else {
        let hint = match nearest_command(verb) {
            Some(near) => format!("did you mean :{near}? (? lists them)"),
            None => "? lists them; Tab completes".into(),
        };
        return refuse(s, format!("unknown command :{verb}: {hint}"));
    };
    if args.is_empty() {
        return act(s, action);
    }
    // The command line never changes the view (a dialog opens over it), but to open one.
    match action {
        Action::Approve
        | Action::Chase
        | Action::Invite
        | Action::Reject
        | Action::EditContacts
        | Action::Confirm
        | Action::Reconfirm => {
            let Some(tld) = s.roster_code(args[0]) else {
                return not_in_roster(s, args[0]);
            };
            match (action, &args[1..]) {
                (_, []) => ask_about(s, action, tld),
                (Action::Reject, reason) => plan(
                    s,
                    Command::Reject {
                        tld,
                        reason: reason.join(" "),
                    },
                ),
                _ => usage(s, action),
            }
        }
        Action::Assign => match (message_number(args[0]), &args[1..]) {
            (Some(message), [tld]) => plan(s, assign_command(message, tld)),
            _ => usage(s, action),
        },
        Action::Dismiss => match message_number(args[0]) {
            Some(message) => plan(
                s,
                Command::Dismiss {
                    message: format!("#{message}"),
                    reason: (args.len() > 1).then(|| args[1..].join(" ")),
                },
            ),
            None => usage(s, action),
        },
        Action::RemoveMember => match (message_number(args[0]), args.len()) {
            (Some(message), 1) => plan(
                s,
                Command::Remove {
                    message: format!("#{message}"),
                },
            ),
            _ => usage(s, action),
        },
        Action::ResendMail | Action::MarkMailSent if args.len() == 1 => {
            interrupted_mail(s, action, Some(args[0]))
        }
        // Opening is going somewhere: the one command that changes the view, as Enter does.
        Action::Open if args.len() == 1 => match message_number(args[0]) {
            Some(id) if args[0].starts_with('#') => {
                go(s, View::Message);
                vec![Effect::LoadMessage(id)]
            }
            None if args[0].starts_with('#') => refuse(
                s,
                format!("{}: a message is # and its number (#12)", args[0]),
            ),
            _ => {
                let Some(tld) = s.roster_code(args[0]) else {
                    return not_in_roster(s, args[0]);
                };
                go(s, View::Case);
                vec![Effect::LoadCase(tld)]
            }
        },
        _ => usage(s, action),
    }
}

/// `.zz is not in the roster`, as typed (the command line's, the assign prompt's).
pub(super) fn not_in_roster(s: &mut State, typed: &str) -> Vec<Effect> {
    let typed = typed.trim_start_matches('.').to_lowercase();
    refuse(s, format!(".{typed} is not in the roster"))
}

/// `#12` or `12`.
fn message_number(word: &str) -> Option<i64> {
    word.trim_start_matches('#').parse().ok()
}

/// How the command is written: `usage: :assign [#ID TLD]`.
fn usage(s: &mut State, action: Action) -> Vec<Effect> {
    let text = match action.args() {
        "" => format!(":{} takes no arguments", action.name()),
        _ => format!("usage: {}", action.command()),
    };
    refuse(s, text)
}
