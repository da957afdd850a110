//! `log --verify` against a real installation tampered with behind its back: events deleted
//! (all, or one with the chain rewritten around the gap), the append-only triggers dropped,
//! cases and members changed without an event; and `--head`, with the head the digest
//! carries to the members' mailboxes.

use crate::support::install::{CORPUS_CONFIG, Install, maildir};
use tldops::domain::audit::{GENESIS, event_hash};

const NO_DELETE: &str = "CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END";
const NO_UPDATE: &str = "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END";

/// .be approved with two members (export backend), .ch invited, the rest of the corpus
/// roster uninvited; the log verifies.
fn admitted() -> Install {
    let i = Install::with_config(CORPUS_CONFIG);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    i.ok(&["invite", "--tld", "be", "--tld", "ch"]);
    let invitation: String = i.scalar("SELECT invitation_message_id FROM cases WHERE tld = 'be'");
    let reply = format!(
        "From: Bea Voorbeeld <admin@dnsbelgium.example>\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: [TLD-OPS .be] Invitation\r\nMessage-ID: <reply.be@mail.example>\r\n\
         In-Reply-To: <{invitation}>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n\
         Our contacts:\r\nName: Jan Peeters\r\nEmail: jan.peeters@dnsbelgium.example\r\n\
         Phone: +32 16 28 49 70\r\n\r\nName: Els Janssens\r\nEmail: els@cert.example\r\n"
    );
    let dir = i.path("Maildir");
    maildir(&dir, &[("reply".into(), reply.into_bytes())]);
    i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    i.ok(&["approve", "be"]);
    let ok = i.ok(&["log", "--verify"]);
    assert!(ok.starts_with("ok: "), "{ok}");
    i
}

/// `log --verify` failing: its stderr lines, each checked to be one `error: audit log:` line.
fn failures(i: &Install) -> Vec<String> {
    let out = i.run(&["log", "--verify"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("ok:"), "{}", out.stdout);
    let lines: Vec<String> = out.stderr.lines().map(str::to_string).collect();
    for line in &lines {
        assert!(line.starts_with("error: audit log: "), "{}", out.stderr);
    }
    lines
}

/// Recomputes every event's prev_hash and hash, as a tamperer covering their tracks would.
fn rechain(db: &rusqlite::Connection) {
    let mut stmt = db
        .prepare("SELECT id, at, operator, tld, action, detail FROM events ORDER BY id")
        .unwrap();
    let rows: Vec<(i64, String, String, Option<String>, String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = GENESIS.to_string();
    for (id, at, operator, tld, action, detail) in rows {
        let hash = event_hash(&prev, id, &at, &operator, tld.as_deref(), &action, &detail);
        db.execute(
            "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            rusqlite::params![id, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn an_honest_installation_verifies() {
    let ok = admitted().ok(&["log", "--verify"]);
    assert!(
        ok.contains("hash chain intact; 36 cases and 2 members follow from them\n"),
        "{ok}"
    );
}

#[test]
fn deleting_every_event_is_found() {
    let i = admitted();
    let db = i.db();
    // Around the trigger, and the trigger put back: only the missing history can tell.
    db.execute_batch(&format!(
        "DROP TRIGGER events_no_delete; DELETE FROM events; {NO_DELETE};"
    ))
    .unwrap();
    let lines = failures(&i);
    for expected in [
        "error: audit log: case .be is approved but the events say uninvited",
        "error: audit log: case .ch is invited but the events say uninvited",
        "error: audit log: jan.peeters@dnsbelgium.example is a member for .be but no event subscribed them",
        "error: audit log: els@cert.example is a member for .be but no event subscribed them",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} not in {lines:#?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cases exist that no event added: .")),
        "{lines:#?}"
    );
}

#[test]
fn an_event_deleted_in_the_middle_is_found_even_with_the_chain_rewritten() {
    let i = admitted();
    let db = i.db();
    let id: i64 = i.scalar("SELECT min(id) FROM events WHERE action = 'message_received'");
    db.execute_batch(&format!(
        "DROP TRIGGER events_no_delete; DROP TRIGGER events_no_update;
         DELETE FROM events WHERE id = {id};"
    ))
    .unwrap();
    rechain(&db);
    db.execute_batch(&format!("{NO_DELETE}; {NO_UPDATE};"))
        .unwrap();
    assert_eq!(
        failures(&i),
        [format!(
            "error: audit log: event {id} missing (ids jump from {} to {})",
            id - 1,
            id + 1
        )]
    );
}

#[test]
fn dropped_or_defused_append_only_triggers_are_found() {
    let i = admitted();
    let db = i.db();
    db.execute_batch("DROP TRIGGER events_no_delete;").unwrap();
    assert_eq!(
        failures(&i),
        [
            "error: audit log: trigger events_no_delete missing (the events table is no longer append-only)"
        ]
    );
    // A trigger of the right name that refuses nothing.
    db.execute_batch(
        "DROP TRIGGER events_no_update;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT 1; END;",
    )
    .unwrap();
    assert_eq!(
        failures(&i),
        [
            "error: audit log: trigger events_no_update altered (it is not the one tldops created)",
            "error: audit log: trigger events_no_delete missing (the events table is no longer append-only)",
        ]
    );
}

#[test]
fn a_case_changed_behind_the_logs_back_is_found() {
    let i = admitted();
    i.db()
        .execute("UPDATE cases SET state = 'approved' WHERE tld = 'ch'", [])
        .unwrap();
    assert_eq!(
        failures(&i),
        ["error: audit log: case .ch is approved but the events say invited"]
    );
}

#[test]
fn members_changed_behind_the_logs_back_are_found() {
    let i = admitted();
    let db = i.db();
    db.execute(
        "INSERT INTO contacts (tld, email, state, created_at, updated_at)
         VALUES ('be', 'eve@evil.example', 'subscribed', '2026-03-04T10:00:00Z', '2026-03-04T10:00:00Z')",
        [],
    )
    .unwrap();
    assert_eq!(
        failures(&i),
        ["error: audit log: eve@evil.example is a member for .be but no event subscribed them"]
    );
    // The digest and the export would now send people to another phone.
    db.execute_batch(
        "DELETE FROM contacts WHERE email = 'eve@evil.example';
         UPDATE contacts SET phone = '+1 555 0100' WHERE email = 'jan.peeters@dnsbelgium.example';
         UPDATE contacts SET state = 'removed' WHERE email = 'els@cert.example';",
    )
    .unwrap();
    assert_eq!(
        failures(&i),
        [
            "error: audit log: member jan.peeters@dnsbelgium.example of .be has phone \"+1 555 0100\" but the events say \"+32 16 28 49 70\"",
            "error: audit log: the events say els@cert.example is a member for .be, but the contacts table does not",
        ]
    );
}

#[test]
fn a_head_recorded_elsewhere_is_found_or_not() {
    let i = admitted();
    let verified = i.json(&["log", "--verify", "--json"]);
    let head = verified["head"].as_str().unwrap().to_string();
    let n = verified["events"].as_i64().unwrap();

    let out = i.ok(&["log", "--verify", "--head", &head]);
    assert!(
        out.contains(&format!(
            "head {head} found at event {n}; 0 events since (the current head)"
        )),
        "{out}"
    );

    // The log grows: the old head is an earlier event's hash now.
    i.ok(&["invite", "--tld", "cz"]);
    let since: i64 = i.scalar(&format!("SELECT count(*) FROM events WHERE id > {n}"));
    assert!(since > 0);
    let out = i.ok(&["log", "--verify", "--head", &head.to_uppercase()]);
    let noun = if since == 1 { "event" } else { "events" };
    assert!(
        out.contains(&format!(
            "head {head} found at event {n}; {since} {noun} since\n"
        )),
        "{out}"
    );
    let json = i.json(&["log", "--verify", "--json", "--head", &head]);
    assert_eq!(json["given_head"]["event"], n);
    assert_eq!(json["given_head"]["events_since"], since);

    // A head the chain never had: cut short, or rewritten.
    let unknown = "ab".repeat(32);
    let out = i.run(&["log", "--verify", "--head", &unknown]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "error: audit log: head {unknown} not found: the log was cut short or rewritten since \
             it was recorded\n"
        )
    );
    let bad = i.run(&["log", "--verify", "--head", "1234"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("is not a head"), "{}", bad.stderr);
}

#[test]
fn the_digest_carries_the_head_to_the_members() {
    let i = admitted();
    let head = i.json(&["log", "--verify", "--json"])["head"]
        .as_str()
        .unwrap()
        .to_string();
    let digest = i.ok(&["digest"]);
    assert!(digest.contains(&format!("\n  {head}\n")), "{digest}");
    i.ok(&["digest", "--send"]);
    let sent: Vec<u8> = i.scalar("SELECT raw FROM outbox WHERE kind = 'digest'");
    assert!(
        String::from_utf8_lossy(&sent).contains(&head),
        "the digest mail carries the head"
    );
    // What the members' mailboxes witness, the log still has.
    let out = i.ok(&["log", "--verify", "--head", &head]);
    assert!(
        out.contains(&format!("head {head} found at event ")),
        "{out}"
    );
}
