//! The `:` command line: every action by its name, and the contacts form.

use super::*;

#[test]
fn the_command_line_never_changes_the_view() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char('3'));
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "approve nl");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Plan(Command::Approve {
            tld: "nl".into(),
            contacts: vec![],
            override_reason: None,
        })]
    );
    assert_eq!(s.view, View::Log, "the dialog opens over the log");
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "reject ch");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Plan(Command::Reject { tld, .. })] if tld == "ch"),
        "checked before the reason is asked: {effects:?}"
    );
    check_passes(&mut s);
    assert!(matches!(s.dialog(), Some(Dialog::Prompt { .. })));
    assert_eq!(s.view, View::Log);
}

#[test]
fn command_line_and_contacts_form() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "reject nl The reply did not copy the admin address");
    assert!(matches!(
        key(&mut s, KeyCode::Enter).as_slice(),
        [Effect::Plan(Command::Reject { tld, .. })] if tld == "nl"
    ));
    s.busy = None;
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "approve zz");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.notice
            .as_ref()
            .unwrap()
            .text
            .contains(".zz is not in the roster")
    );

    key(&mut s, KeyCode::Char('1'));
    key(&mut s, KeyCode::Char('e'));
    let Some(Dialog::Contacts { editor, .. }) = s.dialog() else {
        panic!("{:?}", s.dialog())
    };
    assert_eq!(
        editor.line_texts()[0],
        "jan.jansen@nic.nl.example, Jan Jansen, +31 26 352 5511"
    );
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    keys(&mut s, "not-an-address");
    key(&mut s, KeyCode::Enter);
    let Some(Dialog::Contacts { error, .. }) = s.dialog() else {
        panic!()
    };
    assert!(error.as_deref().unwrap().contains("line 3"), "{error:?}");
    for _ in 0.."not-an-address".len() {
        key(&mut s, KeyCode::Backspace);
    }
    let effects = key(&mut s, KeyCode::Enter);
    let [Effect::Plan(Command::SetContacts { contacts, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(contacts.len(), 2);
}

/// A `:` word is the name of a keymap action (or a short form of it): without arguments it
/// does what the key does; with them it names what it acts on.
#[test]
fn every_action_is_a_command_by_its_name() {
    let mut s = state(80, 24);
    command(&mut s, "show_roster");
    assert_eq!(s.view, View::Roster);
    command(&mut s, "queue");
    assert_eq!(s.view, View::Queue, "a short form");
    command(&mut s, "down");
    assert_eq!(s.queue.selected, 1, "as j does");
    assert_eq!(command(&mut s, "poll"), [Effect::PollNow]);
    assert_eq!(command(&mut s, "q"), [Effect::Quit]);
    // No TLD: the selected item's, as `a` would.
    key(&mut s, KeyCode::Char('g'));
    assert!(matches!(
        command(&mut s, "approve").as_slice(),
        [Effect::Plan(Command::Approve { tld, .. })] if tld == "nl"
    ));
    s.busy = None;
    assert_eq!(
        command(&mut s, "confirm .BR"),
        [Effect::Plan(Command::Confirm { tld: "br".into() })]
    );
    s.busy = None;
    assert_eq!(
        command(&mut s, "remove_member #15"),
        [Effect::Plan(Command::Remove {
            message: "#15".into()
        })]
    );
    s.busy = None;
    let refused = |s: &mut State, line: &str| {
        assert!(command(s, line).is_empty(), "{line}");
        s.notice.as_ref().unwrap().text.clone()
    };
    assert_eq!(
        refused(&mut s, "frobnicate"),
        "unknown command :frobnicate: ? lists them; Tab completes"
    );
    assert_eq!(
        refused(&mut s, "aprove nl"),
        "unknown command :aprove: did you mean :approve? (? lists them)"
    );
    assert_eq!(
        refused(&mut s, "Resnd"),
        "unknown command :Resnd: did you mean :resend? (? lists them)"
    );
    assert_eq!(refused(&mut s, "quit now"), ":quit takes no arguments");
    assert_eq!(refused(&mut s, "assign 12"), "usage: :assign [#ID TLD]");
    command(&mut s, "assign #12 fr");
    assert_eq!(
        refused(&mut s, "dismiss #16"),
        "an action is still running",
        "one action at a time"
    );
    assert_eq!(s.view, View::Queue);
}

/// Tab on the `:` line completes the command word: whole when one command fits (then a space
/// for its argument), else as far as the candidates agree, listing them.
#[test]
fn tab_completes_the_command_word() {
    let mut s = state(80, 24);
    let line = |s: &State| match &s.mode {
        crate::tui::state::Mode::Command(l) => l.text(),
        m => panic!("{m:?}"),
    };
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "appr");
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "approve ");
    keys(&mut s, "nl");
    assert_eq!(line(&s), "approve nl");
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "approve nl", "arguments are not command words");
    key(&mut s, KeyCode::Esc);

    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "re");
    key(&mut s, KeyCode::Tab);
    let listed = s.notice.as_ref().unwrap().text.clone();
    assert!(listed.starts_with("6 commands: "), "{listed}");
    for want in ["reconfirm", "reject", "remove", "resend"] {
        assert!(
            listed[12..].split("  ").any(|w| w == want),
            "{want} in {listed}"
        );
    }
    assert!(line(&s).starts_with("re"));
    // Shown beside what is typed, on the line being typed into.
    let screen = render(&s);
    let typed_row = screen
        .lines()
        .find(|l| l.starts_with(":re"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        typed_row.contains("reconfirm  redraw  reject"),
        "{typed_row}"
    );
    // Tab again puts each in turn.
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "reconfirm");
    assert!(s.notice.as_ref().unwrap().text.starts_with("1 of 6: "));
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "redraw");
    for _ in 0..5 {
        key(&mut s, KeyCode::Tab);
    }
    assert_eq!(line(&s), "reconfirm", "round again");
    for _ in 0.."reconfirm".len() - 2 {
        key(&mut s, KeyCode::Backspace);
    }
    assert_eq!(line(&s), "re");
    keys(&mut s, "j");
    assert!(s.notice.is_none(), "typing on clears the list");
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "reject ");

    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char(':'));
    keys(&mut s, "zz");
    key(&mut s, KeyCode::Tab);
    assert_eq!(line(&s), "zz");
    assert!(s.notice.as_ref().unwrap().error);
}

/// `:open` goes to a ccTLD's case or a message by number, wherever the cursor is.
#[test]
fn open_goes_to_a_case_or_a_message_by_name() {
    let mut s = state(80, 24);
    assert_eq!(command(&mut s, "open .CH"), [Effect::LoadCase("ch".into())]);
    assert_eq!(s.view, View::Case);
    assert_eq!(command(&mut s, "open #12"), [Effect::LoadMessage(12)]);
    assert_eq!(s.view, View::Message);
    assert!(command(&mut s, "open zz").is_empty());
    assert_eq!(s.notice.as_ref().unwrap().text, ".zz is not in the roster");
    assert!(command(&mut s, "open ch br").is_empty());
    assert_eq!(s.notice.as_ref().unwrap().text, "usage: :open [TLD | #ID]");
}

#[test]
fn open_says_how_a_message_is_named() {
    let mut s = state(80, 24);
    assert!(command(&mut s, "open #abc").is_empty());
    assert_eq!(
        s.notice.as_ref().unwrap().text,
        "#abc: a message is # and its number (#12)"
    );
    assert_eq!(s.view, View::Queue);
}
