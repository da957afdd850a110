//! The outbox against a real SMTP server (aiosmtpd): what arrives, exactly; a server that
//! answers 4xx and later accepts (retried, sent once); one that answers 5xx (failed, surfaced
//! in the queue, retried by the operator once fixed).

use crate::support::install::{CORPUS_CONFIG, Install};
use crate::support::smtp::{Options, PASSWORD, Security, SmtpServer, USER};
use tldops::domain::message::parse;

fn world(server: &SmtpServer) -> Install {
    let config = format!(
        "{CORPUS_CONFIG}\n[outgoing]\ntransport = \"smtp\"\nhost = \"localhost\"\nport = {}\n\
         tls = \"starttls\"\nca_file = \"{}\"\nusername = \"{USER}\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n",
        server.port,
        server.ca_file().display()
    );
    let i = Install::with_config(&config);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    i
}

fn run(i: &Install, args: &[&str]) -> (i32, String, String) {
    let out = i.run_env(&[("TEST_SMTP_PASSWORD", PASSWORD)], args);
    (out.code, out.stdout, out.stderr)
}

#[test]
fn an_invitation_arrives_exactly_as_recorded() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    let (code, out, err) = run(&i, &["invite", "--tld", "nl"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sent 1 mail"), "{out}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert!(r.tls, "sent over STARTTLS");
    assert_eq!(r.login.as_deref(), Some(USER));
    assert_eq!(r.mail_from, "secretariat@ccnso.example.org");
    assert_eq!(r.rcpt_tos, ["directie@sidn.example"]);
    let m = parse(&r.raw, true);
    let (id, token): (String, String) = i
        .db()
        .query_row(
            "SELECT invitation_message_id, token FROM cases WHERE tld = 'nl'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(m.message_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        m.subject,
        format!("[TLD-OPS .nl #{token}] Invitation to name the security contacts of .nl")
    );
    assert!(m.text.starts_with("Dear Ann de Vries,"), "{}", m.text);
    let stored: Vec<u8> = i.scalar("SELECT raw FROM outbox");
    assert_eq!(
        parse(&stored, true),
        m,
        "what was sent is what the outbox recorded"
    );
}

#[test]
fn a_temporary_refusal_is_retried_and_sent_once() {
    let server = SmtpServer::start(Options {
        auth: true,
        flaky: 1,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    let (code, out, _) = run(&i, &["invite", "--tld", "de"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("451 4.3.0 try again later; will retry"),
        "{out}"
    );
    let outbox = i.json(&["outbox", "--json"]);
    assert_eq!(outbox[0]["state"], "queued");
    assert!(outbox[0]["error"].as_str().unwrap().contains("451"));
    // Not due yet: nothing is sent.
    let (_, out, _) = run(&i, &["outbox", "send"]);
    assert!(!out.contains("sent"), "{out}");
    // Time passes.
    i.db()
        .execute(
            "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    let (_, out, _) = run(&i, &["outbox", "send"]);
    assert!(out.contains("sent 1 mail"), "{out}");
    assert_eq!(server.received().len(), 1, "delivered exactly once");
    assert_eq!(i.json(&["outbox", "--json"])[0]["state"], "sent");
}

#[test]
fn a_permanent_refusal_is_surfaced_until_retried() {
    let server = SmtpServer::start(Options {
        auth: true,
        reject: true,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    let (code, _, err) = run(&i, &["invite", "--tld", "fr"]);
    assert_eq!(code, 0);
    assert!(err.contains("550 5.1.1 user unknown"), "{err}");
    let queue = i.json(&["queue", "--json"]);
    let failed = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "mail_failed")
        .expect("in the queue");
    assert_eq!(failed["tld"], "fr");
    assert!(
        failed["why"]
            .as_str()
            .unwrap()
            .contains("invitation to hostmaster@afnic.example failed"),
        "{failed}"
    );
    let log = i.json(&["log", "--json", "--tld", "fr"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "mail_failed")
    );
    let id = i.json(&["outbox", "--json"])[0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, err) = run(&i, &["outbox", "retry", &id]);
    assert!(err.contains("550"), "still refused: {err}");
}

/// `invite` killed (-9) while the server holds its answer to DATA: the mail has arrived, but
/// tldops cannot know. It is not sent again by itself: it waits as "interrupted" (outbox,
/// queue) until an operator resends it or marks it sent.
#[test]
fn a_send_interrupted_mid_data_waits_for_the_operator_instead_of_going_twice() {
    let server = SmtpServer::start(Options {
        auth: true,
        hold: 30,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    let mut invite = i.std_cmd();
    invite
        .env("TEST_SMTP_PASSWORD", PASSWORD)
        .args(["invite", "--tld", "be", "--tld", "nl"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = invite.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.received().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no DATA arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = parse(&server.received()[0].raw, true).message_id.unwrap();

    let (code, out, err) = run(&i, &["outbox", "send"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("warning: mail {first} may have been sent")),
        "{err}"
    );
    assert!(
        out.contains("sent 1 mail"),
        "the other invitation goes: {out}"
    );
    let got = server.received();
    assert_eq!(got.len(), 2, "the interrupted mail was not sent again");
    assert_ne!(parse(&got[1].raw, true).message_id.unwrap(), first);

    let outbox = i.json(&["outbox", "--json"]);
    let state = |id: &str| {
        outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["message_id"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state(&first), "interrupted");
    let queue = i.json(&["queue", "--json"]);
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "mail_interrupted")
        .expect("in the queue");
    assert_eq!(item["mail"], first.as_str());

    // Sending again is the operator's decision, and logged.
    let (code, _, err) = run(&i, &["outbox", "send"]);
    assert_eq!((code, server.received().len()), (0, 2), "{err}");
    let (code, out, err) = run(&i, &["outbox", "resend", &format!("<{first}>")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sent 1 mail"), "{out}");
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert_eq!(parse(&got[2].raw, true).message_id.unwrap(), first);
    let (code, _, err) = run(&i, &["outbox", "resend", &first]);
    assert_eq!(code, 2);
    assert!(err.contains("is sent, not interrupted"), "{err}");
    let log = i.json(&["log", "--json"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "mail_resend" && e["detail"]["message_id"] == first.as_str()),
        "{log}"
    );
}

/// An interrupted mail the operator knows arrived is recorded as sent, and never goes again.
#[test]
fn an_interrupted_mail_marked_sent_is_not_sent_again() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    run(&i, &["invite", "--tld", "be"]);
    // As if the process died after the server took the mail but before it was marked sent.
    i.db()
        .execute(
            "UPDATE outbox SET state = 'sending', sent_at = NULL, claimed_by = NULL",
            [],
        )
        .unwrap();
    let id = i.json(&["outbox", "--json"])[0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, out, err) = run(&i, &["outbox", "mark-sent", &id]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recorded as sent"), "{out}");
    assert!(
        out.contains(&format!(
            "Mail {id} (the invitation to .be) is recorded as sent"
        )),
        "the result names the mail's TLD: {out}"
    );
    assert_eq!(i.json(&["outbox", "--json"])[0]["state"], "sent");
    run(&i, &["outbox", "send"]);
    assert_eq!(server.received().len(), 1);
    assert!(
        i.json(&["log", "--json", "--tld", "be"])
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "mail_marked_sent")
    );
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// With `[outgoing] verp = true` each mail leaves with its own envelope sender, which names it:
/// a bounce of it, delivered to that address, is tied to that one invitation.
#[test]
fn with_verp_each_mail_leaves_with_its_own_envelope_sender() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Starttls)
    });
    let i = world(&server);
    let config = std::fs::read_to_string(i.path("config.toml")).unwrap();
    std::fs::write(i.path("config.toml"), format!("{config}verp = true\n")).unwrap();
    let (code, _, err) = run(&i, &["invite", "--tld", "nl", "--tld", "be"]);
    assert_eq!(code, 0, "{err}");
    let got = server.received();
    assert_eq!(got.len(), 2);
    for r in &got {
        let id = parse(&r.raw, true).message_id.unwrap();
        assert_eq!(
            r.mail_from,
            tldops::domain::verp::address("secretariat@ccnso.example.org", &id).unwrap()
        );
        assert!(r.mail_from.starts_with("secretariat+"), "{}", r.mail_from);
        // The From a person sees stays the Secretariat's.
        assert!(
            String::from_utf8_lossy(&r.raw).contains("<secretariat@ccnso.example.org>"),
            "{}",
            String::from_utf8_lossy(&r.raw)
        );
    }
    assert_ne!(got[0].mail_from, got[1].mail_from);
}
