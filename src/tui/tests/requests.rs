//! The queue's actions on requests (DESIGN §8.1): dismissing one, by key or command line.

use super::*;

#[test]
fn a_request_is_dismissed_from_the_queue_by_key_or_command_line() {
    let mut s = state(80, 24);
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
            .contains("not one that action is for"),
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
            .contains("usage: :dismiss #ID"),
        "{:?}",
        s.notice
    );
}
