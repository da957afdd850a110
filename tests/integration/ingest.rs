//! Ingest through the real binary: `poll --maildir` / `--mbox` of the whole corpus, `messages
//! --json`, re-polling (nothing stored twice), `assign`, and a poll killed half-way.

use std::collections::HashMap;

use crate::support;
use crate::support::corpus::messages as corpus;
use crate::support::install::{Install, maildir};
use serde_json::Value;

/// Writes the whole corpus into the installation's `Maildir`; returns it with expectations.
fn corpus_in_maildir(i: &Install) -> Vec<(String, Vec<u8>, Value)> {
    let files = corpus();
    let plain: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(f, b, _)| (f.clone(), b.clone()))
        .collect();
    maildir(&i.path("Maildir"), &plain);
    files
}

#[test]
fn maildir_poll_stores_classifies_and_never_duplicates() {
    let i = Install::corpus_world();
    let files = corpus_in_maildir(&i);
    let out = i.ok(&["poll", "--maildir", i.path("Maildir").to_str().unwrap()]);
    let unique = files
        .iter()
        .filter(|(_, _, e)| e.get("duplicate_of").is_none())
        .count();
    assert!(
        out.contains(&format!("{} new, {unique} stored", files.len())),
        "{out}"
    );

    let messages = i.json(&["messages", "--json"]);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), unique);
    for m in messages {
        let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "contacts",
                "from",
                "message_id",
                "subject",
                "tld",
                "verdict",
                "why"
            ]
        );
        assert!(!m["why"].as_str().unwrap().is_empty());
        if let Some(id) = m["message_id"].as_str() {
            assert!(!id.starts_with('<') && !id.ends_with('>'), "{id}");
        }
    }
    // The CLI path agrees with the corpus, message by message (matched by subject and sender).
    let mut by_verdict: HashMap<String, usize> = HashMap::new();
    for (_, _, e) in files
        .iter()
        .filter(|(_, _, e)| e.get("duplicate_of").is_none())
    {
        *by_verdict
            .entry(e["verdict"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (verdict, n) in &by_verdict {
        let listed = i.json(&["messages", "--json", "--verdict", verdict]);
        assert_eq!(listed.as_array().unwrap().len(), *n, "{verdict}");
    }

    // Polling again stores nothing.
    let again = i.ok(&["poll", "--maildir", i.path("Maildir").to_str().unwrap()]);
    assert!(again.contains(", 0 stored"), "{again}");
    assert_eq!(
        i.json(&["messages", "--json"]).as_array().unwrap().len(),
        unique
    );
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

#[test]
fn verified_replies_and_bounces_move_cases() {
    let i = Install::corpus_world();
    let files = corpus_in_maildir(&i);
    i.ok(&["poll", "--maildir", i.path("Maildir").to_str().unwrap()]);
    let roster = i.json(&["roster", "list", "--json"]);
    let state = |tld: &str| {
        roster
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tld"] == tld)
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (_, _, e) in &files {
        let Some(tld) = e.get("tld").and_then(Value::as_str) else {
            continue;
        };
        match e["verdict"].as_str().unwrap() {
            "admin_from" | "admin_cc" => assert_eq!(state(tld), "answered", ".{tld}"),
            _ => {}
        }
    }
    let events = i.json(&["log", "--json"]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "case_answered")
    );
}

#[test]
fn assign_files_an_ambiguous_message() {
    let i = Install::corpus_world();
    let files = corpus();
    // A message from AFNIC's hostmaster address, shared by .fr, .re, .yt and .pm.
    let Some((file, bytes, _)) = files
        .iter()
        .find(|(f, _, e)| e["verdict"] == "ambiguous" && f.contains("afnic-hostmaster"))
    else {
        panic!("the corpus has no ambiguous message from the shared AFNIC address");
    };
    maildir(&i.path("Maildir"), &[(file.clone(), bytes.clone())]);
    i.ok(&["poll", "--maildir", i.path("Maildir").to_str().unwrap()]);
    let listed = i.json(&["messages", "--json", "--verdict", "ambiguous"]);
    let m = &listed[0];
    assert_eq!(m["tld"], Value::Null);
    let reference = m["message_id"]
        .as_str()
        .map_or("#1".to_string(), str::to_string);
    // Ingested a while before the operator gets to it.
    i.db()
        .execute(
            "UPDATE messages SET ingested_at = '2026-03-03T08:00:00Z'",
            [],
        )
        .unwrap();
    // The plan names the contacts the message proposes, as assigning then does.
    let plan = i.ok(&["assign", &reference, ".pm", "--dry-run"]);
    let proposed = plan.matches("Propose for .pm: ").count();
    assert!(proposed > 0, "{plan}");
    let out = i.ok(&["assign", &reference, ".pm"]);
    assert!(out.contains("is now admin_from for .pm"), "{out}");
    let contacts: i64 = i.scalar("SELECT count(*) FROM contacts WHERE tld = 'pm'");
    assert_eq!(contacts as usize, proposed);
    let after = i.json(&["messages", "--json", "--tld", "pm"]);
    assert_eq!(after[0]["verdict"], "admin_from");
    assert!(
        after[0]["why"]
            .as_str()
            .unwrap()
            .starts_with("assigned to .pm by ")
    );
    let log = i.json(&["log", "--json", "--tld", "pm"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "message_assigned")
    );
    // The case is answered by the assignment, and waits for a decision like any reply.
    let queue = i.json(&["queue", "--json"]);
    let items = queue.as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|q| q["kind"] == "decide" && q["tld"] == "pm" && q["message"].is_i64()),
        "{queue}"
    );
    assert!(!items.iter().any(|q| q["kind"] == "assign"), "{queue}");
    // Only ambiguous and unrelated messages can be assigned.
    let again = i.run(&["assign", &reference, "fr"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("already admin_from for .pm"),
        "{}",
        again.stderr
    );
}

/// A reply that lost its thread and names no TLD: judged unrelated on its headers alone, so
/// stored as a header digest, without the contacts in its body.
const ADRIFT: &[u8] = b"From: Ann de Vries <ann.devries@home.example>\r\n\
    To: secretariat@ccnso.example.org\r\nSubject: as promised\r\n\
    Message-ID: <adrift.1@home.example>\r\nDate: Tue, 3 Mar 2026 09:00:00 +0100\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\r\n\
    Hello,\r\n\r\nOur security contacts for the list:\r\n\r\n\
    Pieter Jansen <pieter.jansen@sidn.example>, +31 26 352 5500\r\n\
    Lotte Smit <lotte.smit@sidn.example>\r\n\r\nKind regards,\r\nAnn\r\n";

fn raw_of(i: &Install, message_id: &str) -> String {
    let raw: Vec<u8> = i
        .db()
        .query_row(
            "SELECT raw FROM messages WHERE message_id = ?1",
            [message_id],
            |r| r.get(0),
        )
        .unwrap();
    String::from_utf8(raw).unwrap()
}

fn emails(message: &Value) -> Vec<&str> {
    message["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect()
}

/// An installation that has polled a Maildir holding only [`ADRIFT`]; and that Maildir.
fn adrift_polled() -> (Install, std::path::PathBuf) {
    let i = Install::corpus_world();
    let dir = i.path("Maildir");
    maildir(&dir, &[("adrift".into(), ADRIFT.to_vec())]);
    i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    (i, dir)
}

/// `tldops assign` of [`ADRIFT`] to .nl, which always files it (unverified: the admin
/// address is in none of From, To, Cc).
fn assign_adrift(i: &Install) -> support::install::Output {
    let out = i.run(&["assign", "adrift.1@home.example", "nl"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("is now unverified for .nl"),
        "{}",
        out.stdout
    );
    out
}

#[test]
fn assigning_mail_kept_as_a_digest_fetches_it_whole_for_its_contacts() {
    let (i, dir) = adrift_polled();
    let listed = i.json(&["messages", "--json", "--verdict", "unrelated"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(!raw_of(&i, "adrift.1@home.example").contains("security contacts"));

    let out = assign_adrift(&i);
    assert_eq!(out.stderr, "", "fetched whole, nothing to warn about");
    let filed = i.json(&["messages", "--json", "--tld", "nl"]);
    assert_eq!(
        emails(&filed[0]),
        ["pieter.jansen@sidn.example", "lotte.smit@sidn.example"]
    );
    assert!(raw_of(&i, "adrift.1@home.example").contains("Our security contacts"));

    // Still recognised by the next pass: stored once.
    let again = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(again.contains("1 new, 0 stored"), "{again}");
}

#[test]
fn mail_gone_from_its_mailbox_is_assigned_without_its_body_and_says_so() {
    let (i, dir) = adrift_polled();
    std::fs::remove_file(dir.join("new/000000.test.host")).unwrap();

    let out = assign_adrift(&i);
    assert_eq!(
        out.stderr.trim_end(),
        format!(
            "warning: assigned without its body, so no contacts from it: maildir:{} no longer \
             has it",
            dir.display()
        )
    );
    let filed = i.json(&["messages", "--json", "--tld", "nl"]);
    assert!(emails(&filed[0]).is_empty());
    let log = i.json(&["log", "--json", "--tld", "nl"]);
    let assigned = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "message_assigned")
        .unwrap();
    assert!(
        assigned["detail"]["without_body"]
            .as_str()
            .is_some_and(|w| w.ends_with("no longer has it")),
        "{assigned}"
    );
}

/// A stranger's reply with the subject tag of .nl and 20,000 lines naming addresses: judged
/// `unverified`, so its body is fetched and read for contacts — up to the work budget. It is
/// stored with a reason that says what was left out, and the pass goes on to a reply after it.
#[test]
fn a_huge_reply_is_read_up_to_the_work_budget_and_the_pass_goes_on() {
    let i = Install::corpus_world();
    let mut huge = String::from(
        "From: A Stranger <someone@stranger.example>\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: [TLD-OPS .nl #k3x9] Invitation to name the security contacts of .nl\r\n\
         Message-ID: <huge.1@stranger.example>\r\nDate: Tue, 3 Mar 2026 09:00:00 +0100\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    for k in 0..20_000 {
        huge.push_str(&format!("Name {k} <user{k}@example.org> +1 555 000{k}\r\n"));
    }
    let files = corpus();
    let (_, reply, expected) = files
        .iter()
        .find(|(_, _, e)| e["verdict"] == "admin_from" && e["tld"] != "nl")
        .expect("the corpus has a verified reply");
    let dir = i.path("Maildir");
    maildir(
        &dir,
        &[
            ("huge".into(), huge.into_bytes()),
            ("reply".into(), reply.clone()),
        ],
    );
    let out = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(out.contains("2 new, 2 stored"), "{out}");

    let nl = i.json(&["messages", "--json", "--tld", "nl"]);
    let huge = nl
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message_id"] == "huge.1@stranger.example")
        .unwrap_or_else(|| panic!("{nl}"));
    assert_eq!(huge["verdict"], "unverified");
    let emails = emails(huge);
    assert_eq!(emails.len(), 50);
    assert_eq!(emails[0], "user0@example.org");
    assert!(
        huge["why"].as_str().unwrap().ends_with(
            "; contacts: examined the first 5000 lines only, kept the first 50 contacts only \
             (message over the work budget)"
        ),
        "{huge}"
    );
    let tld = expected["tld"].as_str().unwrap();
    let after = i.json(&["messages", "--json", "--tld", tld]);
    assert_eq!(after[0]["verdict"], "admin_from", "{after}");
    assert!(!after[0]["why"].as_str().unwrap().contains("budget"));

    let again = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(again.contains(", 0 stored"), "{again}");
}

#[test]
fn mbox_poll() {
    let i = Install::corpus_world();
    let files = corpus();
    let mut mbox = Vec::new();
    let mut count = 0;
    let usable = |e: &Value| e.get("duplicate_of").is_none() && e.get("parse_error").is_none();
    for (_, bytes, _) in files.iter().filter(|(_, _, e)| usable(e)).take(20) {
        mbox.extend_from_slice(b"From secretariat@ccnso.example.org Mon Mar  2 10:00:00 2026\n");
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let stripped = line
                .iter()
                .position(|&b| b != b'>')
                .map_or(line, |p| &line[p..]);
            if stripped.starts_with(b"From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line);
        }
        if !mbox.ends_with(b"\n") {
            mbox.push(b'\n');
        }
        mbox.push(b'\n');
        count += 1;
    }
    std::fs::write(i.path("export.mbox"), &mbox).unwrap();
    let out = i.ok(&["poll", "--mbox", i.path("export.mbox").to_str().unwrap()]);
    assert!(
        out.contains(&format!("{count} new, {count} stored")),
        "{out}"
    );
}

#[test]
fn a_poll_killed_half_way_loses_and_duplicates_nothing() {
    let i = Install::corpus_world();
    let n = 20_000;
    let files: Vec<(String, Vec<u8>)> = (0..n)
        .map(|k| {
            let body = format!(
                "From: News {k} <news{k}@lists.example.net>\nTo: secretariat@ccnso.example.org\n\
                 Subject: Weekly digest {k}\nMessage-ID: <digest.{k}@lists.example.net>\n\
                 Date: Mon, 2 Mar 2026 10:00:00 +0000\nList-Id: <weekly.lists.example.net>\n\n\
                 Issue {k} of the weekly digest.\n"
            );
            (format!("{k}"), body.into_bytes())
        })
        .collect();
    maildir(&i.path("Maildir"), &files);
    let dir = i.path("Maildir");
    // Start a poll and kill it while it works; repeat until one run was really cut short.
    let poll = || {
        let mut c = i.std_cmd();
        c.args(["poll", "--maildir", dir.to_str().unwrap()]);
        c
    };
    let left = i
        .kill_mid_poll(poll, n as i64)
        .expect("no run was interrupted mid-way; the machine is too fast for the delays");
    let out = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(
        out.contains(&format!("{n} new, {} stored", n as i64 - left)),
        "{out}"
    );
    let (rows, ids) = i.messages_and_ids();
    assert_eq!((rows, ids), (n as i64, n as i64));
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// Mail that concerns no case keeps a digest of its headers; everything else keeps them all.
#[test]
fn mail_concerning_no_case_is_kept_as_a_header_digest() {
    let i = Install::corpus_world();
    let mut files: Vec<(String, Vec<u8>)> = corpus().into_iter().map(|(f, b, _)| (f, b)).collect();
    // A newsletter without a Message-ID: recognised on the next pass by its content hash,
    // which is that of the header block as fetched, not of the digest.
    let newsletter =
        b"Received: from mx.centr.example by mx.ccnso.example.org; Mon, 2 Mar 2026\r\n\
        DKIM-Signature: v=1; a=rsa-sha256; d=centr.example;\r\n b=QUJDREVGRw==\r\n\
        From: CENTR Newsletter <newsletter@centr.example>\r\n\
        To: secretariat@ccnso.example.org\r\nSubject: Newsletter March\r\n\
        Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nList-Id: <news.centr.example>\r\n\
        X-Campaign: 2026-03\r\n\r\nThis month in the ccTLD community.\r\n";
    files.push(("newsletter".into(), newsletter.to_vec()));
    maildir(&i.path("Maildir"), &files);
    let dir = i.path("Maildir");
    i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);

    let db = i.db();
    let mut rows = db
        .prepare("SELECT verdict, tld, raw, subject, parse_error IS NULL FROM messages")
        .unwrap();
    type Row = (String, Option<String>, Vec<u8>, String, bool);
    let rows: Vec<Row> = rows
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (mut digests, mut full) = (0, 0);
    for (verdict, tld, raw, subject, readable) in &rows {
        let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
        let traced = text.contains("\nreceived:") || text.starts_with("received:");
        // Judged on its headers alone: nothing after the first blank line. (An unreadable
        // message is kept whole: its bytes are the only evidence.)
        let end = text.find("\r\n\r\n").map(|p| p + 4);
        let headers_only = end.or(text.find("\n\n").map(|p| p + 2)) == Some(text.len());
        if verdict == "unrelated" && tld.is_none() && *readable && headers_only {
            digests += 1;
            assert!(!traced, "{subject}: a digest has no trace fields");
        } else if traced {
            full += 1;
        }
    }
    assert!(digests >= 2 && full >= 10, "{digests} digests, {full} full");
    let digest: Vec<u8> = db
        .query_row(
            "SELECT raw FROM messages WHERE subject = 'Newsletter March'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        String::from_utf8(digest).unwrap(),
        "From: CENTR Newsletter <newsletter@centr.example>\r\n\
         To: secretariat@ccnso.example.org\r\nSubject: Newsletter March\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nList-Id: <news.centr.example>\r\n\r\n"
    );

    let again = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(again.contains(", 0 stored"), "{again}");
}

/// Machine mail tied to no TLD (tickets, monitoring) concerns no case as unrelated mail does:
/// a digest of its headers, and nothing in the audit log. An automatic answer tied to a case
/// keeps its headers and its event.
#[test]
fn automatic_mail_concerning_no_case_is_a_digest_without_an_event() {
    let i = Install::corpus_world();
    let mut files: Vec<(String, Vec<u8>)> = corpus().into_iter().map(|(f, b, _)| (f, b)).collect();
    let ticket = b"Received: from mx.issues.example by mx.ccnso.example.org; Mon, 2 Mar 2026\r\n\
        Auto-Submitted: auto-generated\r\nX-Mailer: Jira 2.8\r\n\
        From: Jira <jira@issues.example>\r\nTo: secretariat@ccnso.example.org\r\n\
        Subject: [PROBLEM] ns2.example: DNS response time above 20 ms\r\n\
        Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <t1@issues.example>\r\n\r\n\
        Response time above threshold.\r\n";
    files.push(("ticket".into(), ticket.to_vec()));
    maildir(&i.path("Maildir"), &files);
    let dir = i.path("Maildir");
    i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);

    let db = i.db();
    let (id, verdict, raw): (i64, String, Vec<u8>) = db
        .query_row(
            "SELECT id, verdict, raw FROM messages WHERE message_id = 't1@issues.example'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(verdict, "auto_reply");
    let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    assert!(!text.contains("received:"), "kept whole:\n{text}");
    assert!(text.contains("auto-submitted: auto-generated"), "{text}");
    let logged: i64 = i.scalar(&format!(
        "SELECT count(*) FROM events WHERE action = 'message_received'
         AND json_extract(detail, '$.message') = {id}"
    ));
    assert_eq!(
        logged, 0,
        "machine mail about no case is not in the audit log"
    );
    let with_tld: i64 = i.scalar(
        "SELECT count(*) FROM messages m JOIN events e
           ON e.action = 'message_received' AND json_extract(e.detail, '$.message') = m.id
         WHERE m.verdict = 'auto_reply' AND m.tld IS NOT NULL",
    );
    assert!(
        with_tld > 0,
        "an automatic answer about a case keeps its event"
    );
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// 20,000 newsletters: enough rows that a pass must grow the database by megabytes.
fn newsletters(i: &Install, n: usize) -> std::path::PathBuf {
    let files: Vec<(String, Vec<u8>)> = (0..n)
        .map(|k| {
            let body = format!(
                "From: News {k} <news{k}@lists.example.net>\nTo: secretariat@ccnso.example.org\n\
                 Subject: Weekly digest {k}\nMessage-ID: <digest.{k}@lists.example.net>\n\
                 Date: Mon, 2 Mar 2026 10:00:00 +0000\nList-Id: <weekly.lists.example.net>\n\n\
                 Issue {k} of the weekly digest.\n"
            );
            (format!("{k}"), body.into_bytes())
        })
        .collect();
    let dir = i.path("Maildir");
    maildir(&dir, &files);
    dir
}

/// `poll --maildir dir` started (its output piped) while the returned connection holds the
/// database's write lock.
fn poll_behind_the_write_lock(
    i: &Install,
    dir: &std::path::Path,
) -> (rusqlite::Connection, std::process::Child) {
    let lock = i.db();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = i
        .std_cmd()
        .args(["poll", "--maildir", dir.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    (lock, child)
}

/// Waits for `child` at most `limit`; a child still running then is killed and the test fails.
fn finishes(mut child: std::process::Child, limit: std::time::Duration) -> std::process::Output {
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A database that cannot grow (the disk is full: here, a file-size limit on the process) ends
/// the pass with a clear error and exit 1 instead of parking its threads for ever; nothing is
/// half-written, and the next pass with room stores everything once.
#[test]
fn a_poll_whose_database_writes_fail_ends_with_an_error() {
    let i = Install::corpus_world();
    let n = 20_000;
    let dir = newsletters(&i, n);
    // The database exists, with the roster; the limit leaves it no room to grow by much.
    let size = std::fs::metadata(i.path("data/tldops.sqlite3"))
        .unwrap()
        .len();
    let blocks = (size + 64 * 1024) / 512;
    let mut c = i.std_cmd();
    c.args([
        "-c",
        &format!("ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" \"$@\""),
    ]);
    let mut poll = std::process::Command::new("sh");
    poll.env_clear()
        .args(c.get_args())
        .arg(c.get_program())
        .args(["poll", "--maildir", dir.to_str().unwrap()])
        .envs(c.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("TLDOPS_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = finishes(poll.spawn().unwrap(), std::time::Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.lines().count() == 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let out = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(out.contains(&format!("{n} new, ")), "{out}");
    let (rows, ids) = i.messages_and_ids();
    assert_eq!((rows, ids), (n as i64, n as i64));
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// Another process holding the write lock longer than the busy timeout: the pass ends with an
/// error saying so (it used to park its threads for ever, even after the lock was released).
#[test]
fn a_poll_that_cannot_get_the_write_lock_ends_with_an_error() {
    let i = Install::corpus_world();
    let dir = newsletters(&i, 50);
    let (holder, child) = poll_behind_the_write_lock(&i, &dir);
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(15));
        holder.execute_batch("ROLLBACK").unwrap();
    });
    let out = finishes(child, std::time::Duration::from_secs(60));
    release.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("locked by another process"),
        "{stderr}"
    );
    let out = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(out.contains("50 new, 50 stored"), "{out}");
}

/// SIGTERM in the middle of a pass: what was scanned is stored, the command says so and exits
/// 0; the next pass stores the rest, nothing twice. The test holds the database's write lock
/// while it signals, so the pass cannot end first (on a fast machine it fit in its first
/// commit, and tries in a row failed to catch it mid-way).
#[test]
fn a_poll_stopped_by_sigterm_keeps_what_it_stored_and_exits_0() {
    let n = 30_000;
    let i = Install::corpus_world();
    let dir = newsletters(&i, n);
    let (lock, child) = poll_behind_the_write_lock(&i, &dir);
    // Its handler is in place (SIGTERM among the signals it catches) ...
    let catches_sigterm = || {
        std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|status| {
                let mask = status.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
                u64::from_str_radix(mask.trim(), 16).ok()
            })
            .is_some_and(|mask| mask & (1 << (libc::SIGTERM - 1)) != 0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
    while !catches_sigterm() {
        assert!(std::time::Instant::now() < deadline, "no SIGTERM handler");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // ... and its scan under way, held (it waits for the lock with chunks in hand).
    std::thread::sleep(std::time::Duration::from_millis(500));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    std::thread::sleep(std::time::Duration::from_millis(200));
    lock.execute_batch("COMMIT").unwrap();
    let out = finishes(child, std::time::Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(stopped before the end)"), "{stdout}");
    let said = stdout
        .lines()
        .find(|l| l.starts_with("poll: stopped by SIGTERM"));
    // Read in an 80-column terminal without a word cut in two.
    assert!(said.is_some_and(|l| l.chars().count() <= 80), "{stdout}");
    let kept = i.scalar::<i64>("SELECT count(*) FROM messages");
    assert!(kept < n as i64, "{kept} of {n} stored: stopped mid-way");
    let out = i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
    assert!(!out.contains("stopped"), "{out}");
    let (rows, ids) = i.messages_and_ids();
    assert_eq!((rows, ids), (n as i64, n as i64));
}
