//! The queue's actions on requests (DESIGN §8.1): dismissing one, by key or command line.

use super::*;

/// A join request (#16, .fr), a leave request (#15, .za) and a confirmation (#17, .se) at the
/// top of the queue.
fn with_requests(s: &mut State) {
    let join = item(
        "request",
        Some("fr"),
        "France",
        None,
        "asks to join",
        Some(16),
    );
    let leave = item(
        "remove",
        Some("za"),
        "South Africa",
        None,
        "asks to leave",
        Some(15),
    );
    let confirm = item("confirm", Some("se"), "Sweden", None, "confirms", Some(17));
    s.data.queue.splice(0..0, [join, leave, confirm]);
}

#[test]
fn a_request_is_dismissed_from_the_queue_by_key_or_command_line() {
    let mut s = state(80, 24);
    with_requests(&mut s);
    s.queue.selected = 0;
    assert_eq!(
        key(&mut s, KeyCode::Char('D')),
        [Effect::Plan(Command::Dismiss {
            message: "#16".into(),
            reason: None
        })]
    );
    s.busy = None;
    s.queue.selected = 1;
    assert_eq!(
        key(&mut s, KeyCode::Char('D')),
        [Effect::Plan(Command::Dismiss {
            message: "#15".into(),
            reason: None
        })]
    );
    s.busy = None;
    // Not a request: refused, with why.
    s.queue.selected = 2;
    assert!(key(&mut s, KeyCode::Char('D')).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .contains("D dismisses a request to join, change or leave; this item's TODO is"),
        "{:?}",
        s.notice
    );
    // The command line gives a reason, which is logged.
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "dismiss #16 spam from a bot");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Dismiss {
            message: "#16".into(),
            reason: Some("spam from a bot".into())
        })]
    );
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "dismiss fr");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .contains("usage: :dismiss [#ID [REASON…]]"),
        "{:?}",
        s.notice
    );
}

/// The case view shows where its requests and re-confirmation stand, and their history in
/// words: the request put to the admin, its reminders, a dismissal, the confirmations.
#[test]
fn the_case_view_shows_the_request_and_confirmation_history() {
    let mut case = case_detail();
    case.rounds = vec![
        crate::service::RoundLine {
            label: "request",
            text: "#16 open: ann@nic.nl.example asks to join".into(),
        },
        crate::service::RoundLine {
            label: "confirm",
            text: "lapsed: not confirmed since 2025-03-05 (asked 2026-01-10, no answer after every reminder)".into(),
        },
    ];
    let history = [
        event(
            40,
            "nl",
            "request_reminded",
            r#"{"reminder":2,"escalated_to_tech":false,"to":"ccadmin@nic.nl.example"}"#,
        ),
        event(
            39,
            "nl",
            "asked",
            r#"{"messages":[14],"added":["piet@nic.nl.example"],"removed":[],"admin":"ccadmin@nic.nl.example"}"#,
        ),
        event(
            38,
            "nl",
            "request_dismissed",
            r#"{"message":13,"from":"seo@spam.example","reason":"spam"}"#,
        ),
        event(
            37,
            "nl",
            "confirmed",
            r#"{"contacts":["jan@nic.nl.example"],"evidence":{"message":11}}"#,
        ),
    ];
    case.events.splice(0..0, history);
    let text = render(&case_view(80, 24, case));
    assert_reviewed("case_rounds_80x24", &text);
    for want in [
        "request: #16 open: ann@nic.nl.example asks to join",
        "confirm: lapsed: not confirmed since 2025-03-05",
        "alice      request reminder 2",
        "alice      admin asked to authorise #14: add piet@nic.nl.example",
        "request #13 from seo@spam.example dismissed: spam",
        "contacts confirmed (#11): jan@nic.nl.example",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}

/// One action at a time, whichever way it is asked for: a queue key, like the `:` line and
/// the dialogs, is refused while another action is checked or runs (it reached the worker).
#[test]
fn queue_keys_wait_for_the_running_action() {
    let mut s = state(80, 24);
    with_requests(&mut s);
    s.busy = Some("approving .nl".into());
    let keys = [
        (0, 'D'),
        (0, 'K'),
        (1, 'x'),
        (2, 'C'),
        (2, 'R'),
        (2, 'r'),
        (2, 'e'),
    ];
    for (row, k) in keys {
        s.queue.selected = row;
        s.notice = None;
        assert!(key(&mut s, KeyCode::Char(k)).is_empty(), "{k} on row {row}");
        assert_eq!(
            s.notice.as_ref().map(|n| n.text.as_str()),
            Some("an action is still running"),
            "{k} on row {row}"
        );
        assert!(
            matches!(s.mode, crate::tui::state::Mode::Normal),
            "{k} on row {row}: no dialog or prompt opens"
        );
    }
    assert!(s.then_prompt.is_none());
}

/// In a case the request keys act on the selected message, as in the queue on its item: `x`
/// on a member's request to leave plans the removal (it did nothing: the case had no `x`),
/// and on any other message says what the key is for.
#[test]
fn the_case_acts_on_its_selected_request_as_the_queue_does() {
    use crate::domain::triage::intent::Intent;
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Enter);
    let mut case = case_detail();
    let mut leave = message_row(15, Verdict::Request, "Please remove me", "asks to leave");
    leave.intent = Some(Intent::Leave);
    let mut join = message_row(16, Verdict::Request, "Please add Piet", "asks to join");
    join.intent = Some(Intent::Join);
    case.messages.splice(0..0, [leave, join]);
    update(&mut s, Msg::Case(Box::new(case)));
    assert_eq!(s.view, View::Case);
    let press = |s: &mut State, row: usize, k: char| {
        s.busy = None;
        s.notice = None;
        s.case_cursor.selected = row;
        key(s, KeyCode::Char(k))
    };
    let remove = Command::Remove {
        message: "#15".into(),
    };
    assert_eq!(press(&mut s, 0, 'x'), [Effect::Plan(remove)]);
    let dismiss = Command::Dismiss {
        message: "#16".into(),
        reason: None,
    };
    assert_eq!(press(&mut s, 1, 'D'), [Effect::Plan(dismiss)]);
    let ask = Command::Ask {
        tld: "nl".into(),
        messages: vec!["#16".into()],
    };
    assert_eq!(press(&mut s, 1, 'K'), [Effect::Plan(ask)]);
    let confirm = Command::Confirm { tld: "nl".into() };
    assert_eq!(press(&mut s, 2, 'C'), [Effect::Plan(confirm)]);
    // Not a request to leave: refused, with why.
    for (row, k, why) in [
        (
            1,
            'x',
            "x removes a member who asked to leave; #16 asks to join or change (K fits it)",
        ),
        (
            2,
            'x',
            "x removes a member who asked to leave; #12 is admin_from",
        ),
        (
            0,
            'K',
            "K asks the admin about a request to join or change; #15 asks to leave (x fits it)",
        ),
        (
            3,
            'D',
            "D dismisses a request to join, change or leave; #9 is auto_reply",
        ),
    ] {
        assert!(press(&mut s, row, k).is_empty(), "{k} on row {row}");
        assert_eq!(
            s.notice.as_ref().map(|n| n.text.as_str()),
            Some(why),
            "{k} on row {row}"
        );
    }
}

/// In the queue too, x and K act only on the kind of request they are for; the others are
/// refused here, naming the key that fits (the service refused them in the words of the
/// command line).
#[test]
fn queue_keys_on_the_wrong_kind_of_request_name_the_key_that_fits() {
    let mut s = state(80, 24);
    with_requests(&mut s);
    s.queue.selected = 0;
    assert!(key(&mut s, KeyCode::Char('x')).is_empty());
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "x removes a member who asked to leave; this item's TODO is request (K fits it)"
    );
    s.queue.selected = 1;
    assert!(key(&mut s, KeyCode::Char('K')).is_empty());
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "K asks the admin about a request to join or change; this item's TODO is remove (x fits it)"
    );
}
