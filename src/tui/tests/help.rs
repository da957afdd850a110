//! The keymap as the operator sees it: config overrides, and help listing every action.

use super::*;

#[test]
fn keys_from_the_config_apply() {
    let mut cfg = KeysConfig::default();
    cfg.queue
        .insert("approve".into(), crate::config::KeySpec::One("A".into()));
    let mut s = State::new(Keymap::new(&cfg).unwrap(), "alice".into(), false);
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, Msg::Data(Box::new(snapshot())));
    assert!(key(&mut s, KeyCode::Char('a')).is_empty());
    assert!(matches!(
        key(&mut s, KeyCode::Char('A')).as_slice(),
        [Effect::Plan(Command::Approve { .. })]
    ));
    s.busy = None;
    key(&mut s, KeyCode::Char('?'));
    keys(&mut s, "/approve");
    key(&mut s, KeyCode::Enter);
    let help = render(&s);
    assert!(
        help.contains("  A          :approve [TLD]           approve the TLD's proposed contacts"),
        "{help}"
    );
}

/// Help at tmux's 80x23: every action with its keys and its `:` command, nothing cut — a long
/// description wraps under itself.
#[test]
fn help_lists_every_action_and_command_uncut_at_80x23() {
    let mut s = state(80, 23);
    key(&mut s, KeyCode::Char('?'));
    let first = render(&s);
    assert_reviewed("help_from_queue_80x23", &first);
    // Page through it all.
    let mut pages = vec![first];
    loop {
        let before = s.help_scroll;
        key(&mut s, KeyCode::PageDown);
        pages.push(render(&s));
        if s.help_scroll == before {
            break;
        }
    }
    let all = pages.join("");
    for line in all.lines() {
        assert!(!line.ends_with('…'), "cut: {line}");
    }
    for (_, _, action, _) in s.keymap.help() {
        assert!(
            all.contains(&action.command()),
            "{} missing",
            action.command()
        );
    }
    assert!(
        all.contains(":resend [MESSAGE-ID]"),
        "a command with no key: {all}"
    );
    assert!(
        all.contains("(:approve nl)"),
        "the command line's description, wrapped, not cut"
    );
}

/// Help says what each queue TODO word asks, and finds it by what it means ("/join").
#[test]
fn help_explains_the_queue_todo_words() {
    let mut s = state(80, 23);
    key(&mut s, KeyCode::Char('?'));
    keys(&mut s, "/join");
    key(&mut s, KeyCode::Enter);
    let help = render(&s);
    assert!(help.contains("queue TODO:"), "{help}");
    assert!(
        help.contains("request                  someone asks to join or change contacts:"),
        "{help}"
    );
    assert!(!help.contains("decide"), "only what matches: {help}");
}
