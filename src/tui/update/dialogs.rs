//! Keys in a dialog: confirming, typing a reason or a TLD, editing the proposed contacts.

use super::*;

pub(super) fn dialog_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    // Any key but a second Esc keeps what was typed.
    let discard = std::mem::take(&mut s.esc_discards);
    if k.code == KeyCode::Esc && !discard && s.typed_into_dialog() {
        s.esc_discards = true;
        s.notice = Some(Notice {
            text: "Esc again discards what you typed (any other key goes on)".into(),
            error: false,
        });
        return vec![];
    }
    let Mode::Dialog(dialog) = &mut s.mode else {
        return vec![];
    };
    match dialog {
        Dialog::Confirm { command, .. } => match k.code {
            KeyCode::Char('y') | KeyCode::Enter => {
                let command = command.clone();
                if let Command::Reject { tld, .. } = &command {
                    s.reasons.remove(tld);
                }
                s.mode = Mode::Normal;
                s.busy = Some(command.doing());
                return vec![Effect::Run(command)];
            }
            KeyCode::Char('n') | KeyCode::Esc => cancel(s),
            _ => {}
        },
        Dialog::Prompt { input, purpose, .. } => match k.code {
            KeyCode::Enter if k.modifiers.is_empty() && input.text().trim().is_empty() => {
                let what = match purpose {
                    Purpose::RejectReason { .. } => "a reason: it is mailed to the admin contact",
                    Purpose::AssignTld { .. } => "the ccTLD to file the message under (fr, .de)",
                    Purpose::OverrideReason { .. } => "why: it is logged with the approval",
                };
                s.notice = Some(Notice {
                    text: format!("give {what} (Esc cancels)"),
                    error: true,
                });
            }
            // A ccTLD not in the roster is said at once, the dialog kept for another try.
            KeyCode::Enter
                if k.modifiers.is_empty()
                    && matches!(purpose, Purpose::AssignTld { .. })
                    && crate::tui::state::roster_code(&s.data.roster, &input.text()).is_none() =>
            {
                let typed = input.text();
                return not_in_roster(s, typed.trim());
            }
            KeyCode::Enter if k.modifiers.is_empty() => {
                let text = input.text().trim().to_string();
                let purpose = purpose.clone();
                s.notice = None; // what an empty Enter or a wrong ccTLD said is over
                if let Purpose::RejectReason { tld } = &purpose {
                    s.reasons.insert(tld.clone(), text.clone());
                }
                s.mode = Mode::Normal;
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
            KeyCode::Esc => {
                // Discarded on purpose (a second Esc): no draft to come back to.
                if let Purpose::RejectReason { tld } = purpose
                    && discard
                {
                    s.reasons.remove(tld);
                }
                cancel(s)
            }
            _ => {
                input.key(k);
            }
        },
        Dialog::Contacts { tld, editor, error } => match k.code {
            KeyCode::Esc => cancel(s),
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
                        s.mode = Mode::Normal;
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

/// Closes the dialog, doing nothing; says so (in place of what the first Esc said).
fn cancel(s: &mut State) {
    s.mode = Mode::Normal;
    s.notice = Some(Notice {
        text: "cancelled".into(),
        error: false,
    });
}

/// The input being typed into, if any: a dialog's, the search's, the command line's.
pub(super) fn active_editor(s: &mut State) -> Option<&mut Editor> {
    match &mut s.mode {
        Mode::Dialog(Dialog::Prompt { input, .. }) => Some(input),
        Mode::Dialog(Dialog::Contacts { editor, .. }) => Some(editor),
        Mode::Dialog(Dialog::Confirm { .. }) | Mode::Normal => None,
        Mode::Search(input) | Mode::Command(input) => Some(input),
    }
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
