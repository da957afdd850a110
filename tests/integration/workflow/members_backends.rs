//! The `email-command` members backend: each batch of member changes reaches the list server
//! as one mail of commands, and the changes are recorded as it says.

use super::*;

#[test]
fn email_commands_carry_each_approval_and_removal() {
    let config = format!(
        "{CORPUS_CONFIG}\n[members]\nbackend = \"email-command\"\n\
         [members.email-command]\nrequest_address = \"sympa@lists.example.org\"\n\
         unsubscribe = \"DEL {{list}} {{email}} ({{name}})\"\n"
    );
    let i = Install::with_config(&config);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    i.ok(&["invite", "--tld", "nl"]);
    poll(
        &i,
        &[reply(
            &i,
            "nl",
            "directie@sidn.example",
            "",
            "Contact: Jan Jansen <jan@sidn.example>",
        )],
    );
    let out = i.ok(&["approve", "nl"]);
    assert!(
        out.contains(
            ".nl jan@sidn.example subscribed (commands mailed to sympa@lists.example.org)"
        ),
        "{out}"
    );
    let (_, raw) = mail_of(&i, "command", "sympa@lists.example.org");
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("ADD tld-ops@lists.example.org jan@sidn.example Jan Jansen"),
        "{text}"
    );
    let state: String = i.scalar("SELECT state FROM contacts WHERE email = 'jan@sidn.example'");
    assert_eq!(state, "subscribed");

    let out = i.ok(&["contacts", "remove", "nl", "jan@sidn.example"]);
    assert!(
        out.contains(".nl jan@sidn.example removed (commands mailed to sympa@lists.example.org)"),
        "{out}"
    );
    // Queued: `contacts remove` sends no mail of its own, so the commands wait for the next
    // send (as they always did).
    let text: String =
        i.scalar("SELECT group_concat(CAST(raw AS TEXT), '') FROM outbox WHERE kind = 'command'");
    assert!(
        text.contains("DEL tld-ops@lists.example.org jan@sidn.example (Jan Jansen)"),
        "the removal names the member too: {text}"
    );
    let queued: i64 = i.scalar("SELECT count(*) FROM outbox WHERE kind = 'command'");
    assert_eq!(queued, 2, "one mail of commands per batch");
    let log = i.ok(&["log", "--tld", "nl"]);
    assert!(log.contains("subscribed"), "{log}");
}
