//! `tldops poll` end to end against a real Dovecot: the corpus ingested over IMAP (plain and
//! TLS), incremental passes, the size cap, and a poll killed half-way.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::corpus::messages as corpus;
use support::dovecot::{Dovecot, PASSWORD, USER};
use support::install::{CORPUS_CONFIG, Install};

/// The corpus world, polling the mailbox `imap` (the `[imap]` keys besides the account).
fn world(imap: &str) -> Install {
    let config = format!(
        "{CORPUS_CONFIG}\n[imap]\nusername = \"{USER}\"\npassword_env = \"TEST_IMAP_PASSWORD\"\n{imap}\n"
    );
    let i = Install::corpus_world();
    std::fs::write(i.path("config.toml"), config).unwrap();
    i
}

fn plain(dovecot: &Dovecot) -> String {
    format!(
        "host = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
        dovecot.plain_port
    )
}

fn poll(i: &Install) -> support::install::Output {
    let out = i
        .cmd()
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .arg("poll")
        .output()
        .unwrap();
    support::install::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn the_corpus_over_imap_is_classified_like_the_corpus_says() {
    let dovecot = Dovecot::start();
    let i = world(&plain(&dovecot));
    let files = corpus();
    for (_, bytes, _) in &files {
        dovecot.deliver(bytes);
    }
    let out = poll(&i);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: imap.tls = \"none\""),
        "{}",
        out.stderr
    );
    let unique = files
        .iter()
        .filter(|(_, _, e)| e.get("duplicate_of").is_none())
        .count();
    assert!(
        out.stdout
            .contains(&format!("{} new, {unique} stored", files.len())),
        "{}",
        out.stdout
    );

    let mut want: HashMap<String, usize> = HashMap::new();
    for (_, _, e) in files
        .iter()
        .filter(|(_, _, e)| e.get("duplicate_of").is_none())
    {
        *want
            .entry(e["verdict"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let messages = i.json(&["messages", "--json"]);
    let mut got: HashMap<String, usize> = HashMap::new();
    for m in messages.as_array().unwrap() {
        *got.entry(m["verdict"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(got, want);
    // tldops reads the mailbox without marking anything seen.
    assert_eq!(dovecot.seen_count(), 0);

    // Nothing new: nothing fetched, nothing stored.
    let again = poll(&i);
    assert!(
        again.stdout.contains(": 0 new, 0 stored"),
        "{}",
        again.stdout
    );
    // One new reply: only it.
    dovecot.deliver(
        b"From: Pm Admin <hostmaster@afnic.example>\r\nTo: secretariat@ccnso.example.org\r\n\
          Subject: [TLD-OPS .pm] contacts\r\nMessage-ID: <late.pm@afnic.example>\r\n\
          Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n\
          For .pm: Marie Exemple <marie@afnic.example>, +33 1 39 30 83 00\r\n",
    );
    let third = poll(&i);
    assert!(
        third.stdout.contains(": 1 new, 1 stored"),
        "{}",
        third.stdout
    );
    let pm = i.json(&["messages", "--json", "--tld", "pm"]);
    assert_eq!(pm[0]["verdict"], "admin_from");
    assert_eq!(pm[0]["contacts"][0]["email"], "marie@afnic.example");
    assert_eq!(pm[0]["contacts"][0]["phone"], "+33 1 39 30 83 00");
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

#[test]
fn implicit_tls_with_the_test_ca() {
    let dovecot = Dovecot::start();
    let imap = format!(
        "host = \"localhost\"\nport = {}\ntls = \"implicit\"\nca_file = \"{}\"",
        dovecot.tls_port.unwrap(),
        dovecot.ca_file().display()
    );
    let i = world(&imap);
    let (_, bytes, _) = &corpus()[0];
    dovecot.deliver(bytes);
    let out = poll(&i);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 new, 1 stored"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // Without the CA the certificate is refused, with a hint.
    let no_ca = world(&format!(
        "host = \"localhost\"\nport = {}",
        dovecot.tls_port.unwrap()
    ));
    let out = poll(&no_ca);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("UnknownIssuer"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn messages_over_the_size_cap_keep_their_headers_only() {
    let dovecot = Dovecot::start();
    let i = world(&format!("{}\nmax_message_size = 3000", plain(&dovecot)));
    let files = corpus();
    let big = files
        .iter()
        .find(|(f, b, e)| f.starts_with("reply-") && b.len() > 3000 && e["verdict"] == "admin_from")
        .unwrap();
    dovecot.deliver(&big.1);
    let out = poll(&i);
    assert!(out.stdout.contains("1 with headers only"), "{}", out.stdout);
    let m = &i.json(&["messages", "--json"])[0];
    // The headers still say who wrote and about what; the body was never fetched.
    assert_eq!(m["verdict"], "admin_from");
    assert_eq!(m["contacts"], Value::Array(vec![]));
    let raw: Vec<u8> = i.scalar("SELECT raw FROM messages");
    assert!(raw.len() < big.1.len());
}

#[test]
fn poll_needs_an_imap_section_and_a_working_password() {
    let i = Install::new();
    let out = i.run(&["poll"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("needs an [imap] section"),
        "{}",
        out.stderr
    );

    let dovecot = Dovecot::start();
    let i = world(&plain(&dovecot));
    let out = i.run(&["poll"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("$TEST_IMAP_PASSWORD is not set"),
        "{}",
        out.stderr
    );
    let wrong = i
        .cmd()
        .env("TEST_IMAP_PASSWORD", "wrong")
        .arg("poll")
        .output()
        .unwrap();
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert!(stderr.contains("login as tldops failed"), "{stderr}");
    assert!(
        !stderr.contains("wrong"),
        "the password is never shown: {stderr}"
    );
}

#[test]
fn a_poll_killed_half_way_over_imap_loses_and_duplicates_nothing() {
    let dovecot = Dovecot::start();
    let i = world(&plain(&dovecot));
    let n = 5_000;
    for k in 0..n {
        dovecot.deliver(
            format!(
                "From: News <news@lists.example.net>\r\nTo: secretariat@ccnso.example.org\r\n\
                 Subject: Digest {k}\r\nMessage-ID: <digest.{k}@lists.example.net>\r\n\
                 Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nIssue {k}.\r\n"
            )
            .as_bytes(),
        );
    }
    let start_poll = || {
        let mut c = i.std_cmd();
        c.env("TEST_IMAP_PASSWORD", PASSWORD).arg("poll");
        c
    };
    let left = i
        .kill_mid_poll(start_poll, n)
        .expect("no poll was interrupted mid-way");
    let out = poll(&i);
    assert!(
        out.stdout
            .contains(&format!("{n} new, {} stored", n - left)),
        "{}",
        out.stdout
    );
    let (rows, ids): (i64, i64) = i
        .db()
        .query_row(
            "SELECT count(*), count(DISTINCT message_id) FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((rows, ids), (n, n));
}

#[test]
fn watch_keeps_polling_and_sees_new_mail() {
    let dovecot = Dovecot::start();
    let i = world(&format!("{}\npoll_interval = \"1s\"", plain(&dovecot)));
    let mut child = i
        .std_cmd()
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .args(["poll", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    dovecot.deliver(
        b"From: hostmaster@afnic.example\r\nTo: secretariat@ccnso.example.org\r\n\
          Subject: [TLD-OPS .pm] contacts\r\nMessage-ID: <watch.pm@afnic.example>\r\n\
          Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nFor .pm: Marie <marie@afnic.example>\r\n",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut seen = false;
    while std::time::Instant::now() < deadline {
        if i.scalar::<i64>(
            "SELECT count(*) FROM messages WHERE message_id = 'watch.pm@afnic.example'",
        ) == 1
        {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(seen, "the watcher did not pick up the new mail");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(": 1 new, 1 stored"), "{stdout}");
}
