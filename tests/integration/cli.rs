//! The real binary, run the way an operator runs it: roster import, listing, the audit log,
//! config errors and exit codes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::install::Install;
use serde_json::Value;

const DEMO_ROSTER: &str = "assets/demo/roster.csv";

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.display().to_string()
}

#[test]
fn demo_roster_imports_and_lists_every_tld() {
    let i = Install::new();
    let out = i.ok(&["roster", "import", DEMO_ROSTER]);
    let rows = std::fs::read_to_string(DEMO_ROSTER)
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        out.starts_with(&format!("imported: {rows} TLDs read (csv format)")),
        "{out}"
    );
    assert!(rows > 300, "the demo roster holds every ccTLD, got {rows}");
    // The ~300 added TLDs go several to a line: the counts above them stay on an 80x23
    // screen (one per line, they scrolled away), and every TLD is still named.
    assert!(out.lines().count() < 23, "{out}");
    // (At least a column per character: tmux draws some Tamil wider than its Unicode width.)
    use unicode_width::UnicodeWidthStr;
    let cols = |l: &str| l.width().max(l.chars().count());
    assert!(out.lines().all(|l| cols(l) <= 80), "{out}");
    assert!(out.contains(" .nl ") && out.contains("рф"), "{out}");

    let list = i.json(&["roster", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), rows);
    let rf = list.iter().find(|t| t["tld"] == "xn--p1ai").unwrap();
    assert_eq!(rf["unicode"], "рф");
    assert_eq!(rf["state"], "uninvited");
    assert!(rf["admin"]["email"].as_str().unwrap().ends_with(".example"));
    for key in [
        "tld", "unicode", "country", "region", "state", "admin", "tech", "retired",
    ] {
        assert!(rf.get(key).is_some(), "missing {key}");
    }

    let centr = i.json(&["roster", "list", "--json", "--region", "centr"]);
    assert!(
        centr
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["region"] == "CENTR")
    );
    let text = i.ok(&["roster", "list", "--region", "LACTLD"]);
    assert!(text.lines().next().unwrap().starts_with("TLD"), "{text}");
    assert!(text.contains(".br  "), "{text}");

    let show = i.json(&["roster", "show", ".РФ", "--json"]);
    assert_eq!(show["tld"], "xn--p1ai");
    assert_eq!(show["events"][0]["action"], "tld_added");
    let show = i.ok(&["roster", "show", "NL"]);
    assert!(show.starts_with(".nl  Netherlands"), "{show}");

    // Importing the same file again changes nothing.
    let again = i.ok(&["roster", "import", DEMO_ROSTER]);
    assert!(again.contains("no changes"), "{again}");
}

#[test]
fn iana_whois_file_with_several_records_imports() {
    let i = Install::new();
    let out = i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    assert!(out.contains("3 TLDs read (iana format)"), "{out}");
    let list = i.json(&["roster", "list", "--json"]);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tld"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["br", "nl", "xn--p1ai"]);
    assert_eq!(list[1]["admin"]["email"], "director@registry.nl.example");
    assert_eq!(list[1]["country"], "Netherlands");
    assert_eq!(list[0]["tech"]["name"], "Engineering Team");
    // Whois has no region: it comes from the ccTLD table, so coverage by region works.
    let regions: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["region"])
        .collect();
    assert_eq!(regions, ["LACTLD", "CENTR", "CENTR"]);

    // A record without address lines: the country of its code, or none with a warning.
    let record = |domain: &str| {
        format!(
            "domain: {domain}\n\ncontact: administrative\nname: NIC (Malta) Administrative Contact\n\
             e-mail: admin@nic.{domain}.example\n\ncontact: technical\nname: POC ADM IANA\n\
             e-mail: tech@nic.{domain}.example\n\n"
        )
    };
    let file = write(
        &i.path("no-address.txt"),
        &format!("{}{}", record("mt"), record("zz")),
    );
    let out = i.ok(&["roster", "import", "--merge", &file]);
    assert!(
        out.contains("warning: line 11: .zz has no country: its record has no address: line"),
        "{out}"
    );
    let mt = i.json(&["roster", "show", "mt", "--json"]);
    assert_eq!(
        (&mt["country"], &mt["region"]),
        (&"Malta".into(), &"CENTR".into())
    );
    assert_eq!(i.json(&["roster", "show", "zz", "--json"])["country"], "");
}

#[test]
fn bad_rows_are_all_named_and_nothing_is_imported() {
    let i = Install::new();
    i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    let before = i.ok(&["roster", "list", "--json"]);
    let out = i.run(&["roster", "import", "tests/fixtures/roster/bad-rows.csv"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let err = out.stderr;
    assert!(
        err.starts_with("error: tests/fixtures/roster/bad-rows.csv: nothing imported: 6 bad rows:"),
        "{err}"
    );
    for expected in [
        "line 3: admin_email: `dora.at.denic.example` is not an email address",
        "line 4: unknown region `EUROPE`",
        "line 5: duplicate TLD .nl (first on line 2)",
        "line 7: `com` is not a ccTLD",
        "line 8: 4 fields where the header has 7",
        "line 9: tech_email: email address is empty",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(
        !err.contains("line 2:") && !err.contains("line 6:"),
        "{err}"
    );
    assert_eq!(i.ok(&["roster", "list", "--json"]), before);
    assert_eq!(i.json(&["log", "--json"]).as_array().unwrap().len(), 4);
}

#[test]
fn reimport_reports_differences_logs_them_and_flags_pending_invitations() {
    let i = Install::new();
    let header = "tld,country,admin_name,admin_email,tech_name,tech_email,region\n";
    let v1 = write(
        &i.path("v1.csv"),
        &format!(
            "{header}nl,Netherlands,Ann,admin@nic.nl.example,Tom,tech@nic.nl.example,CENTR\n\
             be,Belgium,Bea,admin@dns.be.example,Tim,tech@dns.be.example,CENTR\n\
             br,Brazil,Bia,admin@registro.br.example,Teo,tech@registro.br.example,LACTLD\n"
        ),
    );
    i.ok(&["roster", "import", &v1]);
    // .nl has been invited (the workflow does this; here we set it directly).
    i.db()
        .execute("UPDATE cases SET state = 'invited', invited_at = '2026-03-02T09:00:00Z' WHERE tld = 'nl'", [])
        .unwrap();

    let v2 = write(
        &i.path("v2.csv"),
        &format!(
            "{header}.NL,Netherlands,Ann,new-admin@nic.nl.example,Tom,tech@nic.nl.example,CENTR\n\
             br,Brazil,Bia,admin@registro.br.example,Teo,noc@registro.br.example,LACTLD\n\
             de,Germany,Dora,admin@denic.example,Dirk,tech@denic.example,CENTR\n"
        ),
    );
    let dry = i.ok(&["roster", "import", "--dry-run", &v2]);
    assert!(
        dry.contains("dry run:") && dry.contains("1 added (would be)"),
        "{dry}"
    );
    assert!(
        dry.contains("1 TLD not in the file: retired only with --prune") && dry.contains("  - .be"),
        "{dry}"
    );
    // What it says of the TLDs missing from the file reads in an 80-column terminal.
    let said = dry.lines().skip_while(|l| !l.contains("not in the file"));
    assert!(said.take(2).all(|l| l.chars().count() <= 80), "{dry}");
    assert!(dry.contains("the import is refused"), "{dry}");
    assert_eq!(
        i.json(&["roster", "show", "nl", "--json"])["admin"]["email"],
        "admin@nic.nl.example"
    );
    // .be is not in v2: retiring it needs --prune, and without it nothing is imported.
    let refused = i.run(&["roster", "import", &v2]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(
            "the file lacks 1 ccTLD of the roster (.be): --prune retires it, --merge keeps it"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(
        i.json(&["roster", "show", "nl", "--json"])["admin"]["email"],
        "admin@nic.nl.example"
    );

    let out = i.ok(&["roster", "import", "--prune", &v2]);
    for expected in [
        "1 added",
        "  + .de",
        "1 retired",
        "  - .be",
        "  ~ .nl admin admin@nic.nl.example → new-admin@nic.nl.example  ! invitation pending",
        "  ~ .br tech tech@registro.br.example → noc@registro.br.example",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    let nl = i.json(&["roster", "show", "nl", "--json"]);
    assert!(nl["admin_changed_at"].is_string(), "{nl}");
    let shown = i.ok(&["roster", "show", "nl"]);
    assert!(shown.contains("invited (admin changed)"), "{shown}");
    assert!(shown.contains("the admin address changed on"), "{shown}");
    let events = i.json(&["log", "--json", "--tld", ".nl"]);
    assert_eq!(events[0]["action"], "admin_changed");
    assert_eq!(events[0]["detail"]["invitation_pending"], true);
    assert_eq!(events[0]["detail"]["old"], "admin@nic.nl.example");
    let listed = i.json(&["roster", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 3, "retired .be is hidden");
    let all = i.json(&["roster", "list", "--json", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 4);
}

#[test]
fn log_verify_detects_an_edited_event() {
    let i = Install::new();
    i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    let ok = i.ok(&["log", "--verify"]);
    assert!(ok.starts_with("ok: 4 events, hash chain intact"), "{ok}");

    let db = i.db();
    // The log refuses edits ...
    let refused = db.execute("UPDATE events SET operator = 'mallory' WHERE id = 2", []);
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    // ... so a tamperer must go around the trigger; the chain still gives them away.
    db.execute_batch(
        "DROP TRIGGER events_no_update;
         UPDATE events SET detail = replace(detail, 'registro.br', 'mallory.example') WHERE id = 2;",
    )
    .unwrap();
    let out = i.run(&["log", "--verify"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: audit log: event 2 was changed (its hash does not match its content)\n\
         error: audit log: trigger events_no_update missing (the events table is no longer \
         append-only)\n"
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(json, Value::Null, "text mode prints no JSON");
    let out = i.run(&["log", "--verify", "--json"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["broken_at"], 2);
}

#[test]
fn bad_config_files_give_one_line_and_exit_2() {
    let mut checked = 0;
    for entry in std::fs::read_dir("tests/fixtures/config").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("# expect: ")
            .unwrap();
        let i = Install::new();
        let out = i.run(&["--config", path.to_str().unwrap(), "config", "check"]);
        assert_eq!(out.code, 2, "{}: {}", path.display(), out.stderr);
        let want = format!("error: config {} {expected}", path.display());
        assert!(
            out.stderr.starts_with(&want),
            "\n got: {}\nwant: {want}",
            out.stderr
        );
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.stdout.is_empty());
        checked += 1;
    }
    assert!(checked >= 10);
}

#[test]
fn config_check_resolves_paths_flag_over_env() {
    let i = Install::new();
    let out = i.ok(&["config", "check"]);
    assert!(
        out.contains(&format!(
            "config    {} (environment)",
            i.path("config.toml").display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "data dir  {} (environment)",
            i.path("data").display()
        )),
        "{out}"
    );
    assert!(
        out.contains("database  ") && out.contains("(not created yet)"),
        "{out}"
    );
    // And it is not: a check creates nothing, not even the data dir for its log.
    assert!(
        !i.path("data").exists(),
        "config check created the data dir"
    );

    let other = write(&i.path("other.toml"), "[list]\nmax_contacts = 5\n");
    let out = i.ok(&[
        "--config",
        &other,
        "--data-dir",
        "/tmp/elsewhere",
        "config",
        "check",
    ]);
    assert!(
        out.contains(&format!("config    {other} (command line)")),
        "{out}"
    );
    assert!(
        out.contains("data dir  /tmp/elsewhere (command line)"),
        "{out}"
    );
    assert!(out.contains("at most 5 contacts"), "{out}");
    assert!(
        out.contains(
            "warning   no [list] secretariat or address: invite, chase, approve, reject and \
             digest need it to send mail"
        ),
        "{out}"
    );
    assert!(out.ends_with("ok\n"), "{out}");

    let missing = i.run(&["--config", "/nonexistent/tldops.toml", "config", "check"]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr,
        "error: config /nonexistent/tldops.toml: no such file\n"
    );
}

#[test]
fn secrets_literal_needs_a_private_file_and_commands_report_failure() {
    let i = Install::new();
    let cfg = i.path("secret.toml");
    let text = "[imap]\nhost = \"imap.example.org\"\nusername = \"s\"\npassword = \"hunter2\"\n";
    write(&cfg, text);
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = i.run(&["--config", cfg.to_str().unwrap(), "config", "check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("line 4: imap.password: a password in clear text is refused"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2"));
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    i.ok(&[
        "--config",
        cfg.to_str().unwrap(),
        "config",
        "check",
        "--secrets",
    ]);

    let failing = write(
        &i.path("cmd.toml"),
        "[imap]\nhost = \"imap.example.org\"\nusername = \"s\"\n\
         password_command = \"echo 'pass: tldops/imap is not in the password store.' >&2; exit 1\"\n",
    );
    let out = i.run(&["--config", &failing, "config", "check", "--secrets"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("imap: FAILED: password_command"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("exit status 1: pass: tldops/imap is not in the password store."),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("error: cannot get the imap password"),
        "{}",
        out.stderr
    );
}

#[test]
fn database_and_log_file_are_private() {
    let i = Install::new();
    i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    for file in ["data/tldops.sqlite3", "data/tldops.log"] {
        let mode = std::fs::metadata(i.path(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    let journal: String = i.scalar("PRAGMA journal_mode");
    assert_eq!(journal, "wal");
    let log = std::fs::read_to_string(i.path("data/tldops.log")).unwrap();
    assert!(log.contains("roster imported"), "{log}");
}

#[test]
fn usage_errors_exit_2_and_runtime_errors_exit_1() {
    let i = Install::new();
    i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    let out = i.run(&["roster", "show", "zz"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (2, "error: .zz is not in the roster\n")
    );
    let out = i.run(&["roster", "list", "--region", "EMEA"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown region `EMEA`"),
        "{}",
        out.stderr
    );
    let out = i.run(&["roster", "import", "/nonexistent.csv"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("error: cannot read /nonexistent.csv: No such file"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked") && !out.stderr.contains("backtrace"));
}

#[test]
fn completions_and_help() {
    let i = Install::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = i.ok(&["completions", shell]);
        assert!(out.contains("roster"), "{shell}");
    }
    let help = i.ok(&["roster", "import", "--help"]);
    assert!(
        help.contains("--dry-run") && help.contains("--format"),
        "{help}"
    );
    let man = i.ok(&["man"]);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH tldops 1"),
        "{man}"
    );
    assert!(
        man.contains(".SH SUBCOMMANDS") && man.contains("roster"),
        "{man}"
    );
    assert!(
        !i.path("data").exists(),
        "the man page needs no installation"
    );
}

#[test]
fn verbose_mirrors_diagnostics_to_stderr() {
    let i = Install::new();
    let out = i.run(&[
        "-v",
        "roster",
        "import",
        "tests/fixtures/roster/iana-three.txt",
    ]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("roster imported"), "{}", out.stderr);
    let quiet = i.run(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn small_conveniences_of_the_command_line() {
    let i = Install::new();
    // The TUI without a terminal: a clear error, and nothing created.
    let out = i.run(&[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("the terminal UI needs a terminal"),
        "{}",
        out.stderr
    );
    assert!(!i.path("data").exists());
    // A data dir with no installation (a typo) is not made one by a command that only reads.
    for args in [
        &["queue"][..],
        &["roster", "list"],
        &["log"],
        &["stats", "--json"],
        &["messages"],
    ] {
        let out = i.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!(
                "no installation at {} (run `tldops roster import` or `tldops demo`)",
                i.path("data").display()
            )),
            "{}",
            out.stderr
        );
    }
    assert!(!i.path("data").exists());
    // The directory given to `tldops demo` instead of its data/: the error says where.
    let demo = tempfile::tempdir().unwrap();
    std::fs::create_dir(demo.path().join("data")).unwrap();
    std::fs::write(demo.path().join("data/tldops.sqlite3"), b"").unwrap();
    let out = i.run(&["--data-dir", demo.path().to_str().unwrap(), "queue"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "a demo keeps its data in {}: use --config {} --data-dir {}",
            demo.path().join("data").display(),
            demo.path().join("config.toml").display(),
            demo.path().join("data").display()
        )),
        "{}",
        out.stderr
    );
    // Case states in any case; a wrong one lists the right ones.
    i.ok(&["roster", "import", "tests/fixtures/roster/iana-three.txt"]);
    assert!(!i.ok(&["roster", "list", "--state", "UNINVITED"]).is_empty());
    let bad = i.run(&["roster", "list", "--state", "pending"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("expected one of uninvited, invited"),
        "{}",
        bad.stderr
    );
    // A message by its number, with or without `#`.
    let none = i.run(&["assign", "9", "nl"]);
    assert!(none.stderr.contains("no message 9"), "{}", none.stderr);
}

/// Bidi overrides, isolates and zero-width characters in a roster never reach the terminal or
/// another program: dropped at import, and tables are cleaned on the way out.
#[test]
fn roster_text_is_clean_at_every_boundary() {
    let i = Install::new();
    std::fs::write(
        i.path("roster.csv"),
        "tld,country,admin_name,admin_email,tech_name,tech_email,region\n\
         ae,United\u{200b} Arab Emirates,Fatima\u{202e}ecnetsiS\u{202c},admin@tdra.example,\
         Omar\u{2066}X\u{2069},tech@tdra.example,APTLD\n",
    )
    .unwrap();
    i.ok(&["roster", "import", i.path("roster.csv").to_str().unwrap()]);
    let hostile = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '\u{200b}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{1b}'))
    };
    for args in [
        &["roster", "list", "--all"][..],
        &["roster", "show", "ae"],
        &["roster", "show", "ae", "--json"],
        &["log"],
        &["log", "--json"],
    ] {
        let out = i.ok(args);
        assert!(!hostile(&out), "{args:?}: {out:?}");
    }
    assert!(i.ok(&["roster", "show", "ae"]).contains("FatimaecnetsiS"));
}
