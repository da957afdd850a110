//! DESIGN §8 against the real servers: requests, a member leaving, the re-confirmation and a
//! changed admin, with the mailbox on a real Dovecot and the mail through a real SMTP server
//! (aiosmtpd) — every answer of the admin threaded under the mail the SMTP server received.

use crate::support::dovecot::{Dovecot, PASSWORD as IMAP_PASSWORD, USER as IMAP_USER};
use crate::support::install::{CORPUS_CONFIG, Install};
use crate::support::smtp::{
    Options, PASSWORD as SMTP_PASSWORD, Security, SmtpServer, USER as SMTP_USER,
};
use tldops::domain::message::parse;

/// The corpus roster, reading its mailbox on `dovecot` and sending through `smtp`.
fn world(dovecot: &Dovecot, smtp: &SmtpServer) -> Install {
    let config = format!(
        "{CORPUS_CONFIG}\n[imap]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         username = \"{IMAP_USER}\"\npassword_env = \"TEST_IMAP_PASSWORD\"\n\n\
         [outgoing]\ntransport = \"smtp\"\nhost = \"localhost\"\nport = {}\ntls = \"starttls\"\n\
         ca_file = \"{}\"\nusername = \"{SMTP_USER}\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n",
        dovecot.plain_port,
        smtp.port,
        smtp.ca_file().display()
    );
    let i = Install::with_config(&config);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    i
}

fn run(i: &Install, args: &[&str]) -> String {
    let out = i.run_env(
        &[
            ("TEST_IMAP_PASSWORD", IMAP_PASSWORD),
            ("TEST_SMTP_PASSWORD", SMTP_PASSWORD),
        ],
        args,
    );
    assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
    out.stdout
}

/// The last mail the SMTP server received for `to`: its Message-ID and subject.
fn received_by(smtp: &SmtpServer, to: &str) -> (String, String) {
    let got = smtp.received();
    let r = got
        .iter()
        .rev()
        .find(|r| r.rcpt_tos.iter().any(|t| t == to))
        .unwrap_or_else(|| panic!("nothing sent to {to}"));
    let m = parse(&r.raw, true);
    (m.message_id.unwrap(), m.subject)
}

/// An answer from `from` in the thread of the mail `id` with `subject`.
fn answer(from: &str, id: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: secretariat@ccnso.example.org\r\nSubject: Re: {subject}\r\n\
         Message-ID: <answer.{}@mail.example>\r\nIn-Reply-To: <{id}>\r\nReferences: <{id}>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {body}\r\n",
        body.len() + subject.len()
    )
    .into_bytes()
}

fn message_number(i: &Install, from: &str) -> String {
    let n: i64 = i.scalar(&format!(
        "SELECT id FROM messages WHERE from_addr = '{from}' ORDER BY id DESC LIMIT 1"
    ));
    n.to_string()
}

fn subscribed(i: &Install, tld: &str) -> Vec<String> {
    let db = i.db();
    let mut stmt = db
        .prepare(
            "SELECT email FROM contacts WHERE tld = ?1 AND state = 'subscribed' ORDER BY email",
        )
        .unwrap();
    stmt.query_map([tld], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn requests_leaving_and_re_confirmation_over_imap_and_smtp() {
    let dovecot = Dovecot::start();
    let smtp = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Starttls)
    });
    let i = world(&dovecot, &smtp);

    // A request to join .be from a personal address, asked of the admin, agreed, approved.
    dovecot.deliver(
        b"From: Jan Peeters <jan.peeters@home.example>\r\nTo: secretariat@ccnso.example.org\r\n\
          Subject: Joining TLD-OPS\r\nMessage-ID: <join.be@home.example>\r\n\
          Date: Tue, 3 Mar 2026 09:00:00 +0000\r\n\r\nHello,\r\n\r\nI run security for .be and \
          would like to join the TLD-OPS mailing list.\r\n\r\nJan Peeters\r\n+32 16 28 49 70\r\n",
    );
    run(&i, &["poll"]);
    let n = message_number(&i, "jan.peeters@home.example");
    run(&i, &["ask", "be", "--message", &n]);
    let (asked, subject) = received_by(&smtp, "admin@dnsbelgium.example");
    assert!(subject.starts_with("[TLD-OPS .be #"), "{subject}");
    dovecot.deliver(&answer(
        "admin@dnsbelgium.example",
        &asked,
        &subject,
        "Yes, Jan is our security contact.",
    ));
    run(&i, &["poll"]);
    run(&i, &["approve", "be"]);
    assert_eq!(subscribed(&i, "be"), ["jan.peeters@home.example"]);
    let (_, welcome) = received_by(&smtp, "jan.peeters@home.example");
    assert!(welcome.contains("Welcome"), "{welcome}");

    // The member leaves by mail: removed in one action, told, the admin in copy.
    dovecot.deliver(
        b"From: Jan Peeters <jan.peeters@home.example>\r\nTo: secretariat@ccnso.example.org\r\n\
          Subject: Please remove me\r\nMessage-ID: <leave.be@home.example>\r\n\
          Date: Tue, 3 Mar 2026 11:00:00 +0000\r\n\r\nPlease unsubscribe me from the list, I am \
          leaving the registry.\r\n\r\nJan\r\n",
    );
    run(&i, &["poll"]);
    let n = message_number(&i, "jan.peeters@home.example");
    let removed = run(&i, &["remove", "--message", &n]);
    assert!(
        removed.lines().next().unwrap_or("").ends_with("(.be)"),
        "the result names the ccTLD: {removed}"
    );
    assert!(subscribed(&i, "be").is_empty());
    let got = smtp.received();
    let notice = got.last().unwrap();
    assert!(
        notice
            .rcpt_tos
            .contains(&"jan.peeters@home.example".to_string())
            && notice
                .rcpt_tos
                .contains(&"admin@dnsbelgium.example".to_string()),
        "{:?}",
        notice.rcpt_tos
    );

    // .nl is approved with a member; its admin is asked to re-confirm and confirms by reply.
    run(&i, &["invite", "--tld", "nl"]);
    let (invitation, subject) = received_by(&smtp, "directie@sidn.example");
    dovecot.deliver(&answer(
        "directie@sidn.example",
        &invitation,
        &subject,
        "Our contact: Pieter Jansen <pieter.jansen@sidn.example> +31 26 352 5500",
    ));
    run(&i, &["poll"]);
    run(&i, &["approve", "nl"]);
    run(&i, &["reconfirm", "--tld", "nl"]);
    let (round, subject) = received_by(&smtp, "directie@sidn.example");
    assert_ne!(round, invitation);
    dovecot.deliver(&answer(
        "directie@sidn.example",
        &round,
        &subject,
        "We confirm: Pieter Jansen <pieter.jansen@sidn.example> +31 26 352 5500 is still our contact.",
    ));
    run(&i, &["poll"]);
    let queue = run(&i, &["queue", "--json"]);
    assert!(queue.contains("\"confirm\""), "{queue}");
    run(&i, &["confirm", "nl"]);
    assert_eq!(subscribed(&i, "nl"), ["pieter.jansen@sidn.example"]);

    // IANA changes .nl's admin contact: the members stay, and the new admin is due to
    // re-confirm them at once — mailed to the new address.
    let roster = std::fs::read_to_string("tests/corpus/roster.csv")
        .unwrap()
        .replace("directie@sidn.example", "registry-admin@sidn.example");
    std::fs::write(i.path("roster-2.csv"), roster).unwrap();
    run(
        &i,
        &["roster", "import", i.path("roster-2.csv").to_str().unwrap()],
    );
    assert_eq!(subscribed(&i, "nl"), ["pieter.jansen@sidn.example"]);
    let queue = run(&i, &["queue", "--json"]);
    assert!(queue.contains("\"reconfirm\""), "{queue}");
    run(&i, &["reconfirm", "--due"]);
    let (_, subject) = received_by(&smtp, "registry-admin@sidn.example");
    assert!(subject.contains("[TLD-OPS .nl #"), "{subject}");
    assert!(run(&i, &["log", "--verify"]).starts_with("ok:"));
}
