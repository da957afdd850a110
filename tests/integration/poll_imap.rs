//! `tldops poll` end to end against a real Dovecot: the corpus ingested over IMAP (plain and
//! TLS), incremental passes, the size cap, and a poll killed half-way.

use std::collections::HashMap;
use std::time::Duration;

use crate::support;
use crate::support::corpus::messages as corpus;
use crate::support::dovecot::{Dovecot, PASSWORD, USER};
use crate::support::install::{CORPUS_CONFIG, Install};
use serde_json::Value;

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
    with_password(i, &["poll"])
}

/// Runs `tldops ARGS` with the mailbox password in the environment.
fn with_password(i: &Install, args: &[&str]) -> support::install::Output {
    i.run_env(&[("TEST_IMAP_PASSWORD", PASSWORD)], args)
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
        out.stderr
            .lines()
            .any(|l| l.starts_with("warning: imap.tls = \"none\"") && l.chars().count() <= 80),
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

    // Nothing new: nothing fetched, nothing stored — and nothing committed, so a TUI on
    // this database is not woken to reload by a pass with no news (the poll timer's pass
    // while IDLE waits).
    let watcher = i.db();
    let version = |c: &rusqlite::Connection| -> i64 {
        c.query_row("PRAGMA data_version", [], |r| r.get(0))
            .unwrap()
    };
    let before = version(&watcher);
    let log = i.path("data/tldops.log");
    let passes_logged = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("poll pass")
            .count()
    };
    let logged = passes_logged();
    let again = poll(&i);
    assert!(
        again.stdout.contains(": 0 new, 0 stored"),
        "{}",
        again.stdout
    );
    assert_eq!(
        version(&watcher),
        before,
        "a pass with nothing new committed"
    );
    // Nor does it log a line (once a minute for ever; a write in the data dir, which wakes a
    // TUI watching it for commits).
    assert_eq!(
        passes_logged(),
        logged,
        "a pass with nothing new was logged"
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
    // Before anything is imported there is nothing to poll for, and nothing is created.
    let i = Install::new();
    let out = i.run(&["poll"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no installation at"), "{}", out.stderr);
    assert!(!i.path("data/tldops.sqlite3").exists());

    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
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
    let stderr = i
        .run_env(&[("TEST_IMAP_PASSWORD", "wrong")], &["poll"])
        .stderr;
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
    deliver_digests(&dovecot, n);
    let start_poll = || {
        let mut c = i.std_cmd();
        c.env("TEST_IMAP_PASSWORD", PASSWORD).arg("poll");
        c
    };
    let left = i
        .kill_mid_poll(start_poll, n)
        .expect("no poll was interrupted mid-way");
    // The next pass goes on from the checkpoint the killed one committed with its last chunk.
    let checkpoint: i64 = i.scalar("SELECT coalesce(max(last_uid), 0) FROM mailbox_sync");
    let out = poll(&i);
    assert!(
        out.stdout
            .contains(&format!("{} new, {} stored", n - checkpoint, n - left)),
        "checkpoint {checkpoint}, {left} stored before: {}",
        out.stdout
    );
    let (rows, ids) = i.messages_and_ids();
    assert_eq!((rows, ids), (n, n));
}

/// The lines a child prints, as they come.
fn lines_of(stdout: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// `tldops poll --watch` on `dovecot` every `interval`, its stdout and stderr piped.
fn watcher(dovecot: &Dovecot, interval: &str) -> (Install, std::process::Child) {
    let i = world(&format!(
        "{}\npoll_interval = \"{interval}\"",
        plain(dovecot)
    ));
    let child = watching(&i);
    (i, child)
}

/// `tldops poll --watch` of `i`, its stdout and stderr piped.
fn watching(i: &Install) -> std::process::Child {
    i.std_cmd()
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .args(["poll", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The lines `rx` gives within `within`, up to and including the first with `needle`, and
/// whether that one came.
fn lines_until(
    rx: &std::sync::mpsc::Receiver<String>,
    needle: &str,
    within: std::time::Duration,
) -> (Vec<String>, bool) {
    let deadline = std::time::Instant::now() + within;
    let mut lines = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        let Ok(line) = rx.recv_timeout(left) else {
            break;
        };
        let done = line.contains(needle);
        lines.push(line);
        if done {
            return (lines, true);
        }
    }
    (lines, false)
}

/// A reply for .pm naming one contact, with Message-ID `<ID@afnic.example>`.
fn pm_reply(id: &str) -> Vec<u8> {
    format!(
        "From: hostmaster@afnic.example\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: [TLD-OPS .pm] contacts\r\nMessage-ID: <{id}@afnic.example>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nFor .pm: Marie <marie@afnic.example>\r\n"
    )
    .into_bytes()
}

/// Sends `child` SIGTERM and waits at most 10 s for it to end; `hung` says what failed if not.
fn terminated(child: &mut std::process::Child, hung: &str) -> std::process::ExitStatus {
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{hung}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn watch_keeps_polling_and_sees_new_mail() {
    let dovecot = Dovecot::start();
    let (i, mut child) = watcher(&dovecot, "1s");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    dovecot.deliver(&pm_reply("watch.pm"));
    // The pass's report line comes after its last commit: wait for it, not for the row
    // (which a pass may store before it ends).
    let stdout = child.stdout.take().unwrap();
    let rx = lines_of(stdout);
    let (lines, reported) = lines_until(&rx, ": 1 new, 1 stored", Duration::from_secs(15));
    assert!(
        reported,
        "the watcher did not report the new mail: {lines:?}"
    );
    // SIGTERM between passes: it says so and exits 0 (systemd's stop is not a failure).
    let status = terminated(&mut child, "poll --watch did not stop on SIGTERM");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.starts_with("poll: stopped by SIGTERM")),
        "{rest:?}"
    );
    assert_eq!(
        i.scalar::<i64>(
            "SELECT count(*) FROM messages WHERE message_id = 'watch.pm@afnic.example'"
        ),
        1
    );
}

/// With IDLE the interval is only the upper bound: with `poll_interval = "1h"`, mail delivered
/// while `--watch` waits is stored at once; SIGTERM ends the wait in IDLE at once too.
#[test]
fn watch_waits_in_idle_and_fetches_new_mail_at_once() {
    let dovecot = Dovecot::start();
    let (_install, mut child) = watcher(&dovecot, "1h");
    let stdout = child.stdout.take().unwrap();
    let rx = lines_of(stdout);
    // The first pass (an empty mailbox) has logged in and gone into IDLE.
    assert!(
        dovecot.wait_for_log(|log| log.matches("Login: user=<tldops>").count() >= 2),
        "{}",
        dovecot.log()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    dovecot.deliver(&pm_reply("idle.pm"));
    // It said once what it waits for; the pass that found the mail comes under its time.
    let (mut said, reported) = lines_until(&rx, ": 1 new, 1 stored", Duration::from_secs(30));
    assert!(
        reported,
        "the new mail was not fetched while the interval (1h) ran: {said:?}"
    );
    said.pop();
    assert_eq!(
        said[0],
        "watching INBOX of tldops on 127.0.0.1 (Ctrl-C stops)"
    );
    assert_eq!(
        said[1],
        "  waiting in IDLE: new mail is fetched as it arrives (and a pass every 1h)"
    );
    let time = said.last().unwrap();
    assert!(time.len() == 12 && time.ends_with(" UTC"), "{said:?}");

    let status = terminated(&mut child, "poll --watch did not leave IDLE on SIGTERM");
    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter()
            .any(|l| l.starts_with("poll: stopped by SIGTERM")),
        "{rest:?}"
    );
}

/// The server restarts while `--watch` waits in IDLE: it says so in one line, reconnects at
/// once and is back in IDLE, so mail delivered after the restart is stored within seconds —
/// not at the next interval (5 minutes here).
#[test]
fn watch_reconnects_at_once_when_the_server_drops_idle() {
    let mut dovecot = Dovecot::start();
    let (i, mut child) = watcher(&dovecot, "5m");
    let rx = lines_of(child.stdout.take().unwrap());
    assert!(
        dovecot.wait_for_log(|log| log.matches("Login: user=<tldops>").count() >= 2),
        "{}",
        dovecot.log()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));

    dovecot.restart();
    dovecot.deliver(&pm_reply("restart.pm"));
    let (lines, reported) = lines_until(&rx, ": 1 new, 1 stored", Duration::from_secs(10));
    let status = terminated(&mut child, "poll --watch did not stop on SIGTERM");
    assert!(
        reported,
        "mail delivered after the restart was not stored within 10 s: {lines:?}"
    );
    let said: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("reconnecting"))
        .collect();
    assert_eq!(said.len(), 1, "the lost connection said once: {lines:?}");
    assert!(said[0].starts_with("poll: "), "{lines:?}");
    assert!(said[0].chars().count() <= 80, "{lines:?}");
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        i.scalar::<i64>(
            "SELECT count(*) FROM messages WHERE message_id = 'restart.pm@afnic.example'"
        ),
        1
    );
}

/// A new user watched a server that was down: every retry repeated the whole error, the
/// retries drifted past the poll interval, and once it was back nothing said so.
#[test]
fn watch_says_a_failure_once_retries_within_the_interval_and_says_it_works_again() {
    let mut dovecot = Dovecot::start();
    let (_install, mut child) = watcher(&dovecot, "2s");
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    let (said, waiting) = lines_until(&out, "waiting in IDLE", Duration::from_secs(15));
    assert!(waiting, "{said:?}");
    dovecot.stop();
    let (failed, _) = lines_until(&err, "still failing", Duration::from_secs(15));
    let (more, _) = lines_until(&err, "still failing", Duration::from_secs(15));
    dovecot.restart();
    let (back, worked) = lines_until(&err, "working again (at ", Duration::from_secs(15));
    let status = terminated(&mut child, "poll --watch did not stop on SIGTERM");
    assert_eq!(status.code(), Some(0));
    let all: Vec<&String> = failed.iter().chain(&more).chain(&back).collect();
    assert!(worked, "{all:?}");
    let whole = all.iter().filter(|l| l.starts_with("error: ")).count();
    assert_eq!(whole, 1, "the same failure said whole once: {all:?}");
    assert!(all.iter().any(|l| l.contains("cannot connect")), "{all:?}");
    // Retried within the 2 s interval: two more tries came within the 30 s above, and each
    // says when the next is.
    let still: Vec<&&String> = all
        .iter()
        .filter(|l| l.starts_with("still failing (at "))
        .collect();
    assert!(still.len() >= 2, "{all:?}");
    assert!(
        still
            .iter()
            .all(|l| l.ends_with("trying again in 1s)") || l.ends_with("trying again in 2s)")),
        "{all:?}"
    );
}

/// SIGTERM while a login waited for its token helper was ignored until the helper's time limit
/// (60 s), and `--watch` then said the server offered no IDLE: the stop ends the helper, and
/// what it started, at once.
#[test]
fn a_stop_ends_a_token_helper_at_once() {
    let endpoint = crate::support::oauth2::Introspection::start("tok", USER);
    let dovecot = Dovecot::start_with(support::dovecot::Options {
        oauth2_introspection_port: Some(endpoint.port),
        ..Default::default()
    });
    // Unique to this run: a helper left by an earlier run must not be taken for this one's.
    let mark = format!("44.{:06}", std::process::id());
    let i = world(&format!(
        "{}\nauth = \"xoauth2\"\noauth2_token_command = \"sleep {mark}; echo tok\"",
        plain(&dovecot)
    ));
    stopped_while_helper_runs(&i, &mark);
}

/// The same for a `password_command` (run before the poll's stop handler was installed: the
/// signal ended tldops and left the helper).
#[test]
fn a_stop_ends_a_password_command_at_once() {
    let dovecot = Dovecot::start();
    let i = Install::corpus_world();
    let mark = format!("47.{:06}", std::process::id());
    let config = format!(
        "{CORPUS_CONFIG}\n[imap]\nusername = \"{USER}\"\n\
         password_command = \"sleep {mark}; echo x\"\n{}\n",
        plain(&dovecot)
    );
    std::fs::write(i.path("config.toml"), config).unwrap();
    stopped_while_helper_runs(&i, &mark);
}

/// Starts `poll --watch` of `i`, whose secret command holds `mark`; SIGTERM while that runs
/// ends both at once, saying so, and exit 0.
fn stopped_while_helper_runs(i: &Install, mark: &str) {
    let mut child = watching(i);
    let helper = || {
        std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(mark))
        })
    };
    let until = std::time::Instant::now() + Duration::from_secs(15);
    while !helper() && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(helper(), "the helper did not start");
    let asked = std::time::Instant::now();
    let status = terminated(&mut child, "poll --watch waited for its helper");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    let out = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    let err = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(0), "{out}{err}");
    assert!(!out.contains("offers no IDLE"), "{out}");
    assert!(out.contains("poll: stopped by SIGTERM"), "{out}");
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while helper() && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!helper(), "the helper's sleep lives on");
}

/// The case: the server's connection closes after 99 of 196 FETCH answers. The pass
/// reconnects and goes on: every message stored once, exit 0.
#[test]
fn a_connection_dropped_mid_poll_is_resumed_in_the_same_pass() {
    let dovecot = Dovecot::start();
    for n in 0..196 {
        dovecot.deliver(
            format!(
                "From: news{n}@lists.example\r\nTo: secretariat@ccnso.example.org\r\n\
                 Subject: Newsletter {n}\r\nMessage-ID: <cut-{n}@lists.example>\r\n\
                 Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nNews.\r\n"
            )
            .as_bytes(),
        );
    }
    let relay = support::relay::Relay::start_cutting(dovecot.plain_port, 99);
    let i = world(&format!(
        "host = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
        relay.port
    ));
    let out = poll(&i);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(": 196 new, 196 stored"),
        "{}",
        out.stdout
    );
    assert_eq!(relay.connections(), 2);
    assert_eq!(
        i.scalar::<i64>("SELECT count(DISTINCT message_id) FROM messages"),
        196
    );
}

#[test]
fn assigning_mail_judged_on_its_headers_fetches_its_body_from_the_server() {
    // Judged unrelated on its headers: only a digest of them was downloaded and kept.
    let adrift = |n: u32| {
        format!(
            "From: Ann de Vries <ann.devries@home.example>\r\n\
             To: secretariat@ccnso.example.org\r\nSubject: as promised\r\n\
             Message-ID: <adrift.{n}@home.example>\r\n\
             Date: Tue, 3 Mar 2026 09:00:00 +0100\r\n\r\n\
             Our security contact: Pieter Jansen <pieter.jansen@sidn.example>\r\n"
        )
    };
    let mut dovecot = Dovecot::start();
    let i = world(&plain(&dovecot));
    dovecot.deliver(adrift(1).as_bytes());
    dovecot.deliver(adrift(2).as_bytes());
    assert_eq!(poll(&i).code, 0);

    let out = with_password(&i, &["assign", "adrift.1@home.example", "nl"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "fetched whole, nothing to warn about");
    let filed = i.json(&["messages", "--json", "--tld", "nl"]);
    assert_eq!(
        filed[0]["contacts"][0]["email"],
        "pieter.jansen@sidn.example"
    );

    // The server is down: filed all the same, and the operator is told what is missing.
    dovecot.stop();
    let out = with_password(&i, &["assign", "adrift.2@home.example", "nl"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("is now unverified for .nl"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("warning: assigned without its body, so no contacts from it: 127.0.0.1:")
            && out.stderr.contains("cannot connect"),
        "{}",
        out.stderr
    );
}

/// A pass stopped after its first commits keeps its progress: the checkpoint moved with them,
/// and the next pass fetches only what comes after it, storing nothing twice.
#[test]
fn a_stopped_pass_keeps_its_progress_in_the_checkpoint() {
    let dovecot = Dovecot::start();
    let n: i64 = 20_000;
    deliver_digests(&dovecot, n);
    // The scan is held a few chunks in until the signal is sent: on a fast machine the whole
    // pass fits in its first commit, and it would end before a signal could stop it.
    let relay = support::relay::Relay::start_holding(dovecot.plain_port, 3_000);
    let i = world(&format!(
        "host = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
        relay.port
    ));
    // Stop it once a chunk is committed.
    let kept = stop_held_poll_past(&i, &relay, 0);
    let stored: i64 = i.scalar("SELECT count(*) FROM messages");
    assert!(
        kept > 0 && kept < n && kept <= stored,
        "checkpoint {kept}, {stored} stored"
    );
    let again = poll(&i);
    assert!(
        again.stdout.contains(&format!("{} new, ", n - kept)),
        "checkpoint {kept}: {}",
        again.stdout
    );
    let (rows, ids) = i.messages_and_ids();
    assert_eq!((rows, ids), (n, n));
}

/// The replies whose bodies came on the second connection are stored while the scan goes on:
/// a long pass stopped half-way keeps them, and its checkpoint moves past them (it used to
/// wait at the first of them until the scan's end, so a stopped pass began again from there).
#[test]
fn a_stopped_pass_keeps_the_replies_read_alongside() {
    let dovecot = Dovecot::start();
    let files = corpus();
    for (_, bytes, _) in &files {
        dovecot.deliver(bytes);
    }
    let n = files.len() as i64 + 2_000;
    deliver_digests(&dovecot, 2_000);
    // The scan is held once the second connection is reading bodies (from the third chunk).
    let relay = support::relay::Relay::start_holding(dovecot.plain_port, 1_800);
    let i = world(&format!(
        "host = \"127.0.0.1\"\nport = {}\ntls = \"none\"",
        relay.port
    ));
    let kept = stop_held_poll_past(&i, &relay, files.len() as i64);
    // Stored whole, as a pass that ran to the end stores them: the replies are judged on
    // their bodies (the contacts they name are proposed).
    let proposed: i64 = i.scalar("SELECT count(*) FROM contacts WHERE state = 'proposed'");
    assert!(proposed > 0, "no contacts proposed by the stopped pass");
    let again = poll(&i);
    assert!(
        again.stdout.contains(&format!("{} new, ", n - kept)),
        "checkpoint {kept}: {}",
        again.stdout
    );
    let unique = files
        .iter()
        .filter(|(_, _, e)| e.get("duplicate_of").is_none())
        .count() as i64;
    let (rows, _) = i.messages_and_ids();
    assert_eq!(rows, unique + 2_000);
}

/// Starts `tldops poll` through `relay` (which holds its scan), waits until a commit moves the
/// checkpoint past UID `past` (the store commits at least every second), stops the poll with
/// SIGTERM, lets the scan go on, and returns the checkpoint the stopped pass kept.
fn stop_held_poll_past(i: &Install, relay: &support::relay::Relay, past: i64) -> i64 {
    let mut child = i
        .std_cmd()
        .env("TEST_IMAP_PASSWORD", PASSWORD)
        .arg("poll")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoint = || -> i64 { i.scalar("SELECT coalesce(max(last_uid), 0) FROM mailbox_sync") };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while checkpoint() <= past {
        assert!(
            std::time::Instant::now() < deadline && child.try_wait().unwrap().is_none(),
            "the checkpoint stayed at {} while the scan was held (wanted past {past})",
            checkpoint()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    // The handler has run long before this; the scan goes on to its next header and stops.
    std::thread::sleep(std::time::Duration::from_millis(200));
    relay.release();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(stopped before the end)"), "{stdout}");
    checkpoint()
}

/// `n` newsletters (list mail: judged on their headers), Digest 0 to n − 1.
fn deliver_digests(dovecot: &Dovecot, n: i64) {
    for k in 0..n {
        dovecot.deliver(
            format!(
                "From: News <news@lists.example.net>\r\nTo: secretariat@ccnso.example.org\r\n\
                 Subject: Digest {k}\r\nMessage-ID: <digest.{k}@lists.example.net>\r\n\
                 Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nList-Id: <news.lists.example.net>\r\n\
                 \r\nIssue {k}.\r\n"
            )
            .as_bytes(),
        );
    }
}

/// A long first poll: a thousand newsletters, then the corpus with its replies.
fn long_mailbox(dovecot: &Dovecot) -> Vec<(String, Vec<u8>, Value)> {
    deliver_digests(dovecot, 1_100);
    let files = corpus();
    for (_, bytes, _) in &files {
        dovecot.deliver(bytes);
    }
    files
}

/// What each message became, by Message-ID (or subject where it has none).
fn verdicts(i: &Install) -> Vec<(String, String, String)> {
    let mut all: Vec<(String, String, String)> = i
        .json(&["messages", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let key = m["message_id"].as_str().or(m["subject"].as_str());
            (
                key.unwrap_or("").to_string(),
                m["verdict"].as_str().unwrap().to_string(),
                m["contacts"].to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

/// A long scan reads the replies' bodies on a second connection while the headers stream on
/// the first; a server that allows one connection only gets them after the scan, as before.
/// Either way every message ends as it does when nothing runs alongside (a short scan).
#[test]
fn a_long_scan_reads_bodies_alongside_and_without() {
    let counts = |log: &str| log.matches("Login: user=<").count();
    let mut results = Vec::new();
    for max_connections in [None, Some(1)] {
        let dovecot = Dovecot::start_with(support::dovecot::Options {
            max_connections,
            ..Default::default()
        });
        let i = world(&plain(&dovecot));
        let files = long_mailbox(&dovecot);
        // The harness logged in once to see Dovecot ready (logged asynchronously).
        assert!(dovecot.wait_for_log(|l| counts(l) == 1));
        let out = with_password(&i, &["-v", "poll"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        // With the log on stderr each thing is said once, and each connection says which.
        assert_eq!(
            out.stderr.matches("cross the network in clear").count(),
            1,
            "{}",
            out.stderr
        );
        let second = out
            .stderr
            .matches("a second connection, for bodies: connected as")
            .count();
        assert_eq!(
            out.stderr.matches("connected as").count(),
            second + 1,
            "{}",
            out.stderr
        );
        assert_eq!(
            second,
            usize::from(max_connections.is_none()),
            "{}",
            out.stderr
        );
        let unique = files
            .iter()
            .filter(|(_, _, e)| e.get("duplicate_of").is_none())
            .count();
        assert!(
            out.stdout.contains(&format!(
                "{} new, {} stored",
                files.len() + 1_100,
                unique + 1_100
            )),
            "{}",
            out.stdout
        );
        let log = dovecot.log();
        match max_connections {
            None => assert!(
                dovecot.wait_for_log(|l| counts(l) == 3),
                "a second login for the bodies: {log}"
            ),
            Some(_) => {
                assert!(
                    dovecot.wait_for_log(|l| l.contains("Maximum number of connections")),
                    "{log}"
                );
                assert_eq!(counts(&dovecot.log()), 2, "{log}");
            }
        }
        results.push(verdicts(&i));
    }
    // And as a short scan does it: the corpus alone (the bodies fetched after its scan).
    let dovecot = Dovecot::start();
    let i = world(&plain(&dovecot));
    for (_, bytes, _) in &corpus() {
        dovecot.deliver(bytes);
    }
    assert_eq!(poll(&i).code, 0);
    let short = verdicts(&i);
    for got in &results {
        let corpus_part: Vec<_> = got
            .iter()
            .filter(|(key, _, _)| !key.starts_with("digest."))
            .cloned()
            .collect();
        assert_eq!(corpus_part, short);
    }
    assert_eq!(results[0], results[1]);
}
