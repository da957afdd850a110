use super::*;

fn key(s: &str) -> Key {
    Key::parse(s).unwrap()
}

#[test]
fn scope_bindings_fall_back_to_global() {
    let k = Keymap::new(&KeysConfig::default()).unwrap();
    assert_eq!(k.action(Scope::Queue, key("a")), Some(Action::Approve));
    assert_eq!(k.action(Scope::Queue, key("j")), Some(Action::Down));
    assert_eq!(k.action(Scope::Log, key("a")), None);
    assert_eq!(
        k.action(Scope::Roster, key("C-d")),
        Some(Action::HalfPageDown)
    );
}

#[test]
fn overrides_replace_only_what_they_name() {
    let mut cfg = KeysConfig::default();
    cfg.queue.insert("approve".into(), KeySpec::One("A".into()));
    cfg.global
        .insert("down".into(), KeySpec::Many(vec!["j".into(), "C-n".into()]));
    let k = Keymap::new(&cfg).unwrap();
    assert_eq!(k.action(Scope::Queue, key("A")), Some(Action::Approve));
    assert_eq!(k.action(Scope::Queue, key("a")), None);
    assert_eq!(
        k.action(Scope::Case, key("a")),
        Some(Action::Approve),
        "other scopes keep theirs"
    );
    assert_eq!(k.action(Scope::Global, key("C-n")), Some(Action::Down));
    assert_eq!(
        k.action(Scope::Global, key("Down")),
        None,
        "the override lists all keys of the action"
    );
    assert_eq!(k.action(Scope::Queue, key("r")), Some(Action::Reject));
}

#[test]
fn bad_overrides_are_named() {
    let mut cfg = KeysConfig::default();
    cfg.queue.insert("aprove".into(), KeySpec::One("A".into()));
    assert!(
        Keymap::new(&cfg).unwrap_err()
            == (
                "keys.queue.aprove".to_string(),
                "unknown action (see the help screen, `?`, for the names)".to_string()
            )
    );
    let mut cfg = KeysConfig::default();
    cfg.queue
        .insert("approve".into(), KeySpec::One("Hyper-x".into()));
    assert!(
        Keymap::new(&cfg)
            .unwrap_err()
            .1
            .contains("unknown key `Hyper-x`")
    );
}

#[test]
fn an_override_clashing_with_another_action_of_its_view_is_refused() {
    let clash = |section: &str, action: &str, k: &str| {
        let mut cfg = KeysConfig::default();
        let keys = match section {
            "queue" => &mut cfg.queue,
            "roster" => &mut cfg.roster,
            _ => &mut cfg.global,
        };
        keys.insert(action.into(), KeySpec::One(k.into()));
        Keymap::new(&cfg).err()
    };
    assert_eq!(
        clash("queue", "approve", "r"),
        Some((
            "keys.queue.approve".to_string(),
            "`r` is also the key of `reject` in [keys.queue]: give one of them another key"
                .to_string()
        ))
    );
    assert_eq!(
        clash("queue", "approve", "j").map(|e| e.1),
        Some("`j` is also the key of `down` in [keys.global]: give one of them another key".into()),
        "a view's key would hide a global one"
    );
    assert!(
        clash("global", "poll_now", "a").is_some(),
        "a global key hidden in the queue"
    );
    assert_eq!(
        clash("roster", "invite", "a"),
        None,
        "`a` is free in the roster"
    );
    assert!(
        Keymap::new(&KeysConfig::default()).is_ok(),
        "the defaults never clash"
    );
}

#[test]
fn help_lists_every_action_with_its_keys() {
    let help = Keymap::new(&KeysConfig::default()).unwrap().help();
    let down = help.iter().find(|h| h.2 == Action::Down).unwrap();
    assert_eq!(down.1, "j Down");
    assert!(
        help.iter()
            .any(|h| h.0 == Scope::Queue && h.2 == Action::Approve)
    );
}

#[test]
fn help_lists_a_command_with_no_key_and_every_action_once_per_view() {
    let help = Keymap::new(&KeysConfig::default()).unwrap().help();
    let resend = help.iter().find(|h| h.2 == Action::ResendMail).unwrap();
    assert_eq!((resend.0, resend.1.as_str()), (Scope::Queue, ""));
    for h in &help {
        assert_eq!(
            help.iter().filter(|o| o.0 == h.0 && o.2 == h.2).count(),
            1,
            "{:?} in {:?}",
            h.2,
            h.0
        );
    }
}

#[test]
fn a_command_word_is_an_action_name_or_a_short_form() {
    assert_eq!(command_action("approve"), Some(Action::Approve));
    assert_eq!(command_action("show_roster"), Some(Action::ShowRoster));
    assert_eq!(command_action("roster"), Some(Action::ShowRoster));
    assert_eq!(command_action("mark-sent"), Some(Action::MarkMailSent));
    assert_eq!(command_action("Q"), Some(Action::Quit));
    assert_eq!(command_action("frobnicate"), None);
}
