//! Result lines: what a command did, in words, naming its ccTLD.

use super::*;

fn outcome(command: Command, effects: Effects) -> Outcome {
    Outcome {
        command,
        effects,
        members: vec![],
        deliveries: vec![],
    }
}

/// Commands keyed by a message (remove, dismiss) name the ccTLD the message is about, as
/// every other command's result names its own (DESIGN issue 11, point 8).
#[test]
fn results_of_commands_keyed_by_message_name_the_tld() {
    let dismissed = outcome(
        Command::Dismiss {
            message: "#16".into(),
            reason: None,
        },
        Effects {
            tld: Some("fr".into()),
            ..Effects::default()
        },
    );
    assert_eq!(dismissed.summary(), "dismissed the request #16 (.fr)");
    let removed = outcome(
        Command::Remove {
            message: "#15".into(),
        },
        Effects {
            tld: Some("xn--p1ai".into()),
            remove: vec![(
                "xn--p1ai".into(),
                Contact {
                    email: "ivan@nic.example".into(),
                    name: None,
                    phone: None,
                },
            )],
            ..Effects::default()
        },
    );
    assert_eq!(
        removed.summary(),
        "removed the member of #15 (.рф); 1 removed",
        "an IDN ccTLD in its script"
    );
    let unknown = outcome(
        Command::Dismiss {
            message: "#17".into(),
            reason: None,
        },
        Effects::default(),
    );
    assert_eq!(unknown.summary(), "dismissed the request #17");
}
