//! The `:` command line.

use super::*;

/// `:approve nl`, `:reject nl the reason`, `:chase nl`, `:invite nl [again]`,
/// `:assign #12 fr`, `:poll`, `:queue`, `:roster`, `:log`, `:coverage`, `:help`, `:q`.
pub(super) fn command_line(s: &mut State, line: &str) -> Vec<Effect> {
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
