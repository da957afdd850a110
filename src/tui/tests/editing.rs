//! Text inputs edited with the readline keys people type without thinking.

use super::*;

#[test]
fn a_reject_reason_is_edited_with_readline_keys_never_typed_as_letters() {
    let mut s = state(80, 23);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('r'));
    check_passes(&mut s);
    keys(&mut s, "Teh reply");
    ctrl(&mut s, 'w');
    keys(&mut s, "wrong words");
    ctrl(&mut s, 'u');
    keys(&mut s, "reply did not copy the admin address.");
    ctrl(&mut s, 'a');
    keys(&mut s, "The ");
    ctrl(&mut s, 'e');
    ctrl(&mut s, 'j');
    update(
        &mut s,
        Msg::Paste("Please reply again\r\nwith it in Cc.\u{1b}[2J".into()),
    );
    assert_reviewed("reject_reason_80x23", &render(&s));
    let reason = "The reply did not copy the admin address.\nPlease reply again\nwith it in Cc.[2J";
    let reject = Command::Reject {
        tld: "ch".into(),
        reason: reason.into(),
    };
    assert_eq!(key(&mut s, KeyCode::Enter), [Effect::Plan(reject.clone())]);
    // The plan's lines show the reason as it will be mailed, line by line.
    let plan = Plan {
        command: reject,
        effects: Effects {
            notes: vec![format!("Reason: {reason}")],
            ..Effects::default()
        },
    };
    update(&mut s, Msg::Planned(Box::new(Ok(plan))));
    let text = render(&s);
    assert!(
        text.contains("Reason: The reply did not copy the admin address."),
        "{text}"
    );
    assert!(text.contains("with it in Cc."), "{text}");
}

#[test]
fn the_search_and_command_lines_edit_too() {
    let mut s = state(80, 23);
    keys(&mut s, "2/braz");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT)),
    );
    keys(&mut s, "br");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.search.as_deref(), Some("br"));
    keys(&mut s, ":chase");
    ctrl(&mut s, 'a');
    ctrl(&mut s, 'k');
    update(&mut s, Msg::Paste("roster\n".into()));
    assert!(render(&s).contains(":roster"));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Roster);
    assert!(s.notice.is_none(), "{:?}", s.notice);
}
