//! Actions: planned first, then a dialog that says everything the plan says (or the
//! reason it cannot be done), prompts for reasons, the queue's own actions.

use super::*;

#[test]
fn approving_plans_first_then_asks_with_everything_the_plan_says() {
    let mut s = state(80, 24);
    let approve = Command::Approve {
        tld: "nl".into(),
        contacts: vec![],
        override_reason: None,
    };
    assert_eq!(
        key(&mut s, KeyCode::Char('a')),
        [Effect::Plan(approve.clone())]
    );
    assert!(
        s.dialog().is_none() && s.busy.is_some(),
        "no dialog before the plan"
    );
    update(
        &mut s,
        Msg::Planned(Box::new(Ok(approve_plan(approve.clone())))),
    );
    let Some(Dialog::Confirm {
        title,
        lines,
        command,
    }) = s.dialog()
    else {
        panic!("{:?}", s.dialog())
    };
    assert_eq!(title, "Approve .nl?");
    let text = lines.join("\n");
    for want in [
        "Subscribe to .nl: Jan Jansen <jan.jansen@nic.nl.example>, +31 26 352 5511",
        "Remove from .nl: Piet de Oude <old.hand@nic.nl.example>",
        "Mail: the approval notice to ccadmin@nic.nl.example",
        "Mail: a welcome to marieke@nic.nl.example",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert_eq!(*command, approve);
    assert_reviewed("approve_dialog", &render(&s));
    assert_eq!(key(&mut s, KeyCode::Char('y')), [Effect::Run(approve)]);
    assert!(s.dialog().is_none() && s.busy.is_some());
    assert_eq!(
        update(
            &mut s,
            Msg::Failed(".nl: already approved by bob at 2026-03-04T10:12:00Z".into())
        ),
        [Effect::Reload]
    );
    assert!(render(&s).contains("✗ .nl: already approved by bob at 2026-03-04T10:12:00Z"));
}

#[test]
fn a_refused_plan_shows_its_reason_and_no_dialog() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('a'));
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::Refused(
            ".nl: 4 contacts, more than list.max_contacts (3): choose with --contacts".into(),
        )))),
    );
    assert!(s.dialog().is_none() && s.busy.is_none());
    let notice = s.notice.clone().unwrap();
    assert!(notice.error && notice.text.contains("more than list.max_contacts"));
}

#[test]
fn an_unverified_reply_is_approved_with_a_prompted_override_reason() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('a'));
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::NeedsOverride {
            tld: "nl".into(),
            why: ".nl: the only reply is unverified (…)".into(),
        }))),
    );
    assert!(matches!(
        s.dialog(),
        Some(Dialog::Prompt { purpose: Purpose::OverrideReason { tld }, .. }) if tld == "nl"
    ));
    keys(&mut s, "confirmed by phone with the admin");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Approve {
            tld: "nl".into(),
            contacts: vec![],
            override_reason: Some("confirmed by phone with the admin".into()),
        })]
    );
}

#[test]
fn rejecting_prompts_for_a_reason_then_plans() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('j'));
    // Checked first: a reason is asked for only when the rejection can be done.
    let effects = key(&mut s, KeyCode::Char('r'));
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(Command::Reject { tld, .. })] if tld == "ch"),
        "{effects:?}"
    );
    assert!(s.dialog().is_none());
    update(
        &mut s,
        Msg::Planned(Box::new(Err(Refusal::Refused(
            ".ch: already rejected by bob at 2026-03-09".into(),
        )))),
    );
    assert!(
        s.dialog().is_none(),
        "no reason asked for what cannot be done"
    );
    assert!(s.notice.as_ref().is_some_and(|n| n.error));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert!(matches!(s.dialog(), Some(Dialog::Prompt { .. })));
    keys(&mut s, "No admin copy");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Reject {
            tld: "ch".into(),
            reason: "No admin copy".into()
        })]
    );
    assert!(s.dialog().is_none());
}

/// Esc in a prompt or the contacts editor holding typed text asks before it throws the text
/// away: a reason half-written is not lost to one key. Untouched, Esc closes at once.
#[test]
fn esc_asks_before_discarding_what_was_typed() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert!(matches!(s.dialog(), Some(Dialog::Prompt { .. })));
    // Nothing typed: Esc cancels.
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none());

    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    keys(&mut s, "No admin cop");
    key(&mut s, KeyCode::Esc);
    let typed = |s: &State| match s.dialog() {
        Some(Dialog::Prompt { input, .. }) => Some(input.text()),
        _ => None,
    };
    assert_eq!(
        typed(&s).as_deref(),
        Some("No admin cop"),
        "the first Esc keeps it"
    );
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Esc again discards what you typed"),
        "{:?}",
        s.notice
    );
    // Another key goes on typing, and the next Esc asks again.
    key(&mut s, KeyCode::Char('y'));
    key(&mut s, KeyCode::Esc);
    assert_eq!(typed(&s).as_deref(), Some("No admin copy"));
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none(), "the second Esc in a row discards");
    assert_eq!(s.notice.as_ref().unwrap().text, "cancelled");

    // The contacts editor opens holding the proposed contacts: unchanged, Esc closes it.
    key(&mut s, KeyCode::Char('k'));
    key(&mut s, KeyCode::Char('e'));
    assert!(matches!(s.dialog(), Some(Dialog::Contacts { .. })));
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none());
    key(&mut s, KeyCode::Char('e'));
    keys(&mut s, "x");
    key(&mut s, KeyCode::Esc);
    assert!(
        matches!(s.dialog(), Some(Dialog::Contacts { .. })),
        "changed: kept"
    );
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none());
}

#[test]
fn an_interrupted_mail_is_resent_or_marked_sent_from_the_queue() {
    let mut s = state(80, 24);
    let mut q = item(
        "mail_interrupted",
        Some("be"),
        "Belgium",
        None,
        "its send was interrupted",
        None,
    );
    q.mail = Some("invitation.be.1@ccnso.example.org".into());
    s.data.queue.insert(0, q);
    s.queue.selected = 0;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "resend");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::ResendMail {
            message_id: "invitation.be.1@ccnso.example.org".into()
        })]
    );
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "mark-sent <other@ccnso.example.org>");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::MarkMailSent {
            message_id: "other@ccnso.example.org".into()
        })]
    );
}

#[test]
fn the_queue_acts_on_requests_leaving_members_and_re_confirmations() {
    let mut s = state(80, 24);
    let leave = item(
        "remove",
        Some("za"),
        "South Africa",
        None,
        "asks to leave",
        Some(15),
    );
    let join = item("request", None, "", None, "asks to join", Some(16));
    let confirm = item("confirm", Some("se"), "Sweden", None, "confirms", Some(17));
    s.data.queue.splice(0..0, [leave, join, confirm]);
    s.queue.selected = 0;
    assert_eq!(
        key(&mut s, KeyCode::Char('x')),
        [Effect::Plan(Command::Remove {
            message: "#15".into()
        })]
    );
    s.busy = None;
    s.queue.selected = 1;
    assert!(key(&mut s, KeyCode::Char('K')).is_empty());
    assert!(
        s.notice.as_ref().unwrap().text.contains("assign it first"),
        "{:?}",
        s.notice
    );
    s.queue.selected = 2;
    assert_eq!(
        key(&mut s, KeyCode::Char('C')),
        [Effect::Plan(Command::Confirm { tld: "se".into() })]
    );
    s.busy = None;
    assert_eq!(
        key(&mut s, KeyCode::Char('R')),
        [Effect::Plan(Command::Reconfirm {
            tlds: vec!["se".into()],
            due_only: false
        })]
    );
}

/// A long reason does not push the mail it goes in, or the keys, off the dialog: the reason
/// is cut, and says so.
#[test]
fn a_long_reason_leaves_the_mail_and_the_keys_in_view() {
    for (w, h) in [(80, 23), (60, 16)] {
        let mut s = state(w, h);
        let reason = (1..=200)
            .map(|k| format!("word{k}"))
            .collect::<Vec<_>>()
            .join(" ");
        s.mode = crate::tui::state::Mode::Dialog(Dialog::Confirm {
            title: "Reject .jp?".into(),
            lines: vec![
                format!("Reason: {reason}\nsecond paragraph\nthird"),
                ".jp: answered → rejected".into(),
                "Mail: the rejection to admin@jprs.example".into(),
            ],
            command: Command::Reject {
                tld: "jp".into(),
                reason,
            },
        });
        let screen = render(&s);
        for want in [
            "Reason: word1 word2",
            "  …",
            ".jp: answered → rejected",
            "Mail: the rejection to admin@jprs.example",
            "y / Enter: do it",
        ] {
            assert!(screen.contains(want), "{w}x{h}: {want}\n{screen}");
        }
    }
}

/// A rejection reason typed and then not confirmed (n at the confirmation) is there again
/// when `r` is pressed again; once the rejection is confirmed, or the reason discarded, it
/// is not.
#[test]
fn a_reason_not_confirmed_is_kept_for_the_next_try() {
    let mut s = state(80, 24);
    let planned = |s: &mut State, reason: &str| {
        update(
            s,
            Msg::Planned(Box::new(Ok(Plan {
                command: Command::Reject {
                    tld: "ch".into(),
                    reason: reason.into(),
                },
                effects: Effects::default(),
            }))),
        );
    };
    let prompt_text = |s: &State| match s.dialog() {
        Some(Dialog::Prompt { input, .. }) => input.text(),
        d => panic!("{d:?}"),
    };
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    keys(&mut s, "No admin copy");
    key(&mut s, KeyCode::Enter);
    planned(&mut s, "No admin copy");
    assert!(matches!(s.dialog(), Some(Dialog::Confirm { .. })));
    key(&mut s, KeyCode::Char('n'));
    assert!(s.dialog().is_none());

    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert_eq!(prompt_text(&s), "No admin copy", "the reason is back");
    // Unchanged, one Esc closes it, and it is still kept.
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    keys(&mut s, ".");
    key(&mut s, KeyCode::Enter);
    planned(&mut s, "No admin copy.");
    key(&mut s, KeyCode::Char('y'));
    s.busy = None;
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert_eq!(prompt_text(&s), "", "used: gone");

    keys(&mut s, "draft");
    key(&mut s, KeyCode::Enter);
    planned(&mut s, "draft");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert_eq!(prompt_text(&s), "draft");
    keys(&mut s, "s");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert_eq!(prompt_text(&s), "", "discarded: gone");
}

/// Enter in an empty prompt says what it wants; a ccTLD to assign to that is not in the
/// roster is said at once, and the dialog stays with what was typed.
#[test]
fn a_prompt_says_what_it_wants_and_keeps_a_wrong_tld() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    key(&mut s, KeyCode::Enter);
    assert!(matches!(s.dialog(), Some(Dialog::Prompt { .. })));
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "give a reason: it is mailed to the admin contact (Esc cancels)"
    );
    key(&mut s, KeyCode::Esc);

    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('s'));
    assert!(
        matches!(s.dialog(), Some(Dialog::Prompt { .. })),
        "{:?}",
        s.dialog()
    );
    keys(&mut s, "frx");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(s.notice.as_ref().unwrap().text, ".frx is not in the roster");
    let Some(Dialog::Prompt { input, .. }) = s.dialog() else {
        panic!("{:?}", s.dialog())
    };
    assert_eq!(input.text(), "frx", "kept for another try");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    keys(&mut s, ".AR");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(Command::Assign { tld, .. })] if tld == "ar"),
        "{effects:?}"
    );
    assert!(
        s.notice.is_none(),
        "what the wrong one said is over: {:?}",
        s.notice
    );
}

/// C-c quits at once, but with a reason typed into a dialog only when pressed twice in a row.
#[test]
fn ctrl_c_asks_before_losing_a_typed_reason() {
    let c_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut s = state(80, 24);
    assert_eq!(crate::tui::handle(&mut s, c_c()), [Effect::Quit]);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    assert_eq!(
        crate::tui::handle(&mut s, c_c()),
        [Effect::Quit],
        "nothing typed"
    );
    keys(&mut s, "half a reason");
    assert!(crate::tui::handle(&mut s, c_c()).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("C-c again quits")
    );
    let bang = Msg::Key(KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE));
    crate::tui::handle(&mut s, bang);
    assert!(
        crate::tui::handle(&mut s, c_c()).is_empty(),
        "another key disarms it"
    );
    assert_eq!(crate::tui::handle(&mut s, c_c()), [Effect::Quit]);
}
