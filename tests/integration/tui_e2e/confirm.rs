//! DESIGN §8.4 from the queue in tmux: the admin contact of the demo's approved .za answers
//! its re-confirmation that the contacts are still correct; `C` on the `confirm` item plans
//! recording it, `y` records it.

use super::*;

/// `tldops` on the demo's data, as another operator at the same time.
fn cli(home: &Path, data: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("tldops")
        .unwrap()
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .arg("--config")
        .arg(data.join("config.toml"))
        .arg("--data-dir")
        .arg(data.join("data"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_re_confirmation_is_recorded_from_the_queue() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    t.wait_for("· outbox ");

    // .za is asked to re-confirm; its admin contact answers in the thread that nothing changed.
    cli(home.path(), &data, &["reconfirm", "--tld", "za"]);
    let (round, admin): (String, String) = db(&data)
        .query_row(
            "SELECT c.round_message_id, t.admin_email FROM cases c JOIN tlds t ON t.code = c.tld
             WHERE c.tld = 'za'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let answer = format!(
        "From: {admin}\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: [TLD-OPS .za] Please confirm\r\nMessage-ID: <confirm.za.e2e@mail.example>\r\n\
         In-Reply-To: <{round}>\r\nReferences: <{round}>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n\
         Hello, the contacts are still correct.\r\n"
    );
    let maildir = home.path().join("answer");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(maildir.join("new/1.eml"), answer).unwrap();
    cli(
        home.path(),
        &data,
        &["poll", "--maildir", maildir.to_str().unwrap()],
    );

    // The idle TUI shows the `confirm` item (woken by the write); C plans, y records. The
    // demo's own poller may reload the queue while the keys go in: the row is found again
    // and the keys sent again until the dialog is .za's.
    let mut dialog = None;
    for _ in 0..3 {
        let deadline = Instant::now() + Duration::from_secs(20);
        let at = loop {
            let screen = t.capture();
            let rows: Vec<&str> = screen.lines().skip(2).collect();
            if let Some(at) = rows
                .iter()
                .position(|l| l.contains(" .za ") && l.contains("confirm"))
            {
                break at;
            }
            assert!(
                Instant::now() < deadline,
                "no confirm row for .za:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        t.keys(&["g"]);
        for _ in 0..at {
            t.keys(&["j"]);
        }
        t.keys(&["C"]);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && dialog.is_none() {
            let screen = t.capture();
            if screen.contains("Record .za's contacts as confirmed?") {
                dialog = Some(screen);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if dialog.is_some() {
            break;
        }
        t.keys(&["Escape"]);
    }
    let dialog = dialog.unwrap_or_else(|| panic!("no .za dialog:\n{}", t.capture()));
    assert!(
        dialog.contains(".za: the admin contact confirmed"),
        "{dialog}"
    );
    t.keys(&["y"]);
    t.wait_for("confirmed .za");
    let (confirmed, round): (Option<String>, Option<String>) = db(&data)
        .query_row(
            "SELECT confirmed_at, round FROM cases WHERE tld = 'za'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(confirmed.is_some(), "{}", t.capture());
    assert_eq!(round, None, "the round is closed");
    let logged: i64 = db(&data)
        .query_row(
            "SELECT count(*) FROM events WHERE tld = 'za' AND action = 'confirmed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);
    let screen = t.capture();
    let rows: Vec<&str> = screen.lines().skip(2).collect();
    assert!(
        !rows
            .iter()
            .any(|l| l.contains(" .za ") && l.contains("confirm")),
        "{screen}"
    );
}
