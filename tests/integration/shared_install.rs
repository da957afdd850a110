//! A shared installation (DESIGN §7): a team group shares the data dir through a setgid
//! directory, and two staff accounts work on one database in turn. Real accounts, made here
//! with groupadd and useradd, and the binary run as each of them with setpriv: the test needs
//! root, and fails (it does not skip) without it.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;
use std::sync::Once;

use crate::support::install::{CORPUS_CONFIG, Install, Output, maildir};

const TEAM: &str = "tldops-test-team";
const ALICE: &str = "tldops-test-alice";
const BOB: &str = "tldops-test-bob";

/// The team group and its two accounts (made once, kept for later runs); returns the group id.
fn team() -> u32 {
    static ACCOUNTS: Once = Once::new();
    let uid = String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout).unwrap();
    assert_eq!(
        uid.trim(),
        "0",
        "this test makes a group and two accounts, and runs tldops as each: run it as root \
         (CI does; locally: sudo -E cargo test --test integration shared_install::)"
    );
    ACCOUNTS.call_once(|| {
        if !known("group", TEAM) {
            run("groupadd", &["--system", TEAM]);
        }
        for account in [ALICE, BOB] {
            if !known("passwd", account) {
                run(
                    "useradd",
                    &[
                        "--system",
                        "--no-create-home",
                        "--home-dir",
                        "/nonexistent",
                        "--shell",
                        "/usr/sbin/nologin",
                        "--gid",
                        TEAM,
                        account,
                    ],
                );
            }
        }
    });
    let line = Command::new("getent")
        .args(["group", TEAM])
        .output()
        .unwrap()
        .stdout;
    String::from_utf8(line)
        .unwrap()
        .split(':')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap()
}

fn known(database: &str, name: &str) -> bool {
    Command::new("getent")
        .args([database, name])
        .output()
        .unwrap()
        .status
        .success()
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An installation whose data dir is the team's (setgid, 2770, group `TEAM`), with the corpus
/// roster imported by alice and .be invited by her.
fn shared() -> Install {
    let gid = team();
    let i = Install::with_config(CORPUS_CONFIG);
    // Everyone may reach the installation and read its config, roster and mail; only the
    // team may enter the data dir.
    chmod(&i.path(""), 0o755);
    chmod(&i.path("config.toml"), 0o644);
    std::fs::copy("tests/corpus/roster.csv", i.path("roster.csv")).unwrap();
    chmod(&i.path("roster.csv"), 0o644);
    let data = i.path("data");
    std::fs::create_dir(&data).unwrap();
    std::os::unix::fs::chown(&data, None, Some(gid)).unwrap();
    chmod(&data, 0o2770);

    let roster = i.path("roster.csv");
    ok(i.run_as(ALICE, &["roster", "import", roster.to_str().unwrap()]));
    let out = ok(i.run_as(ALICE, &["invite", "--tld", "be"]));
    assert!(out.contains("sent 1 mail"), "{out}");
    i
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The command's stdout, after checking it went through without a complaint.
fn ok(out: Output) -> String {
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        !out.stderr.contains("Permission denied") && !out.stdout.contains("will retry"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    out.stdout
}

/// The admin of .be answers the invitation, naming one contact.
fn answer_be(i: &Install) {
    let invitation: String = i.scalar("SELECT invitation_message_id FROM cases WHERE tld = 'be'");
    let reply = format!(
        "From: Bea Voorbeeld <admin@dnsbelgium.example>\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: [TLD-OPS .be] Invitation\r\nMessage-ID: <reply.be@mail.example>\r\n\
         In-Reply-To: <{invitation}>\r\nReferences: <{invitation}>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n\
         Name: Jan Peeters\r\nEmail: jan.peeters@dnsbelgium.example\r\n"
    );
    maildir(&i.path("Maildir"), &[("be".into(), reply.into_bytes())]);
    for dir in ["Maildir", "Maildir/cur", "Maildir/new", "Maildir/tmp"] {
        chmod(&i.path(dir), 0o755);
    }
    chmod(&i.path("Maildir/new/000000.test.host"), 0o644);
}

/// Every file and directory under `dir`.
fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        }
        out.push(path);
    }
}

#[test]
fn a_second_account_works_on_the_teams_installation() {
    let gid = team();
    let i = shared();
    answer_be(&i);
    let maildir = i.path("Maildir");

    // Bob polls, approves and reads the log of what alice started.
    let out = ok(i.run_as(BOB, &["poll", "--maildir", maildir.to_str().unwrap()]));
    assert!(out.contains(".be: invited → answered"), "{out}");
    let out = ok(i.run_as(BOB, &["approve", "be"]));
    assert!(out.contains("members file"), "{out}");
    assert!(out.contains("sent 2 mails"), "{out}");
    let export = i.path("data/export.vcf");
    ok(i.run_as(
        BOB,
        &[
            "members",
            "export",
            "--format",
            "vcard",
            "--output",
            export.to_str().unwrap(),
        ],
    ));
    let log = ok(i.run_as(BOB, &["log"]));
    assert!(log.contains(ALICE) && log.contains(BOB), "{log}");
    assert!(ok(i.run_as(BOB, &["log", "--verify"])).starts_with("ok:"));
    // And alice goes on with what bob did.
    let out = ok(i.run_as(ALICE, &["outbox"]));
    assert!(out.contains("welcome"), "{out}");
    ok(i.run_as(ALICE, &["members", "sync"]));
    // One log file for both: alice's invitation and bob's approval.
    let log = std::fs::read_to_string(i.path("data/tldops.log")).unwrap();
    assert!(
        log.contains("wrote <invitation.be") && log.contains("wrote <approval.be"),
        "{log}"
    );

    // Everything the installation made is the team's and nobody else's.
    let mut made = Vec::new();
    walk(&i.path("data"), &mut made);
    let names: Vec<String> = made
        .iter()
        .map(|p| {
            p.strip_prefix(i.path("data"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "tldops.sqlite3",
        "tldops.log",
        "sent-mail",
        "members.csv",
        "export.vcf",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    assert!(names.iter().filter(|n| n.ends_with(".eml")).count() >= 3);
    for (path, name) in made.iter().zip(&names) {
        let meta = std::fs::metadata(path).unwrap();
        assert_eq!(meta.gid(), gid, "{name} is not the team's");
        let want = if meta.is_dir() { 0o2770 } else { 0o660 };
        assert_eq!(meta.mode() & 0o7777, want, "{name}: {:o}", meta.mode());
    }
}

#[test]
fn sent_mail_the_account_cannot_write_is_an_error_that_names_the_directory() {
    team();
    let i = shared();
    // Someone took the group's write permission away from sent-mail/.
    let sent_mail = i.path("data/sent-mail");
    chmod(&sent_mail, 0o2750);

    let out = i.run_as(BOB, &["invite", "--tld", "ch"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("will retry"), "{}", out.stdout);
    let line = out.stderr.lines().last().unwrap_or_default();
    assert!(
        line.starts_with("error: ")
            && line.contains(&sent_mail.display().to_string())
            && line.contains("Permission denied"),
        "{}",
        out.stderr
    );
    // The invitation is recorded and its mail waits, not counted as an attempt.
    let (state, attempts): (String, i64) = i
        .db()
        .query_row(
            "SELECT state, attempts FROM outbox WHERE tld = 'ch'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("queued", 0));

    // Once the directory is fixed, it goes.
    chmod(&sent_mail, 0o2770);
    let out = ok(i.run_as(BOB, &["outbox", "send"]));
    assert!(out.contains("sent 1 mail"), "{out}");
}

/// An account outside the team (here: one whose group was taken off the data dir) gets one line
/// that names the cause, not SQLite's "attempt to write a readonly database" twice.
#[test]
fn an_account_that_cannot_write_the_installation_is_told_why() {
    let i = shared();
    // The data dir stays the team's, but only readable for it: as after a careless chmod.
    for entry in std::fs::read_dir(i.path("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            chmod(&path, 0o440);
        }
    }
    chmod(&i.path("data"), 0o2550);
    let out = i.run_as(BOB, &["queue"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let error: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(error.len(), 1, "{}", out.stderr);
    assert!(
        error[0].contains("this account cannot write it or its directory")
            && error[0].contains("Shared installation")
            && !error[0].contains("Error code"),
        "{}",
        out.stderr
    );
    chmod(&i.path("data"), 0o2770);
}
