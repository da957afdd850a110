//! The real binary in a real terminal: `tldops demo` in a detached tmux session at 80x24,
//! driven with send-keys and read with capture-pane — open a case, approve it, quit — then
//! the database, the sent mail and the terminal (restored) are checked. And SIGTERM.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let session = format!("tldops-e2e-{}-{}", std::process::id(), rand_suffix());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "80",
                "-y",
                "24",
                command,
            ])
            .status()
            .expect("tmux must be installed (tests/run installs it)");
        assert!(status.success());
        Tmux { session }
    }

    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types `text` as it is (no key names).
    fn text(&self, text: &str) {
        Command::new("tmux")
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits until the screen contains `text`; fails with the screen after 20 s.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pane_pid(&self) -> i32 {
        self.display("#{pane_pid}").parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Closing a session does not always end the program in it: end the pane's processes.
        let pid = self.pane_pid_opt();
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
        if let Some(pid) = pid {
            let _ = Command::new("pkill")
                .args(["-KILL", "-P", &pid.to_string()])
                .status();
        }
    }
}

impl Tmux {
    fn pane_pid_opt(&self) -> Option<i32> {
        self.display("#{pane_pid}").parse().ok()
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000
}

fn demo_command(home: &Path, data: &Path) -> String {
    let bin = assert_cmd::cargo::cargo_bin("tldops");
    format!(
        "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm-256color {} --data-dir {} demo; echo TLDOPS-EXITED $?; sleep 120",
        home.display(),
        bin.display(),
        data.display()
    )
}

fn db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("data/tldops.sqlite3")).unwrap()
}

#[test]
fn triage_the_demo_with_the_keyboard() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    let screen = t.wait_for("1 Queue (");
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the TUI uses the alternate screen"
    );
    assert!(
        screen.contains("STATE") && screen.contains("decide"),
        "{screen}"
    );

    // Find .nl's row and walk to it with j.
    let rows: Vec<&str> = screen.lines().skip(2).collect();
    let nl = rows
        .iter()
        .position(|l| l.contains(" .nl "))
        .unwrap_or_else(|| panic!("no .nl row:\n{screen}"));
    for _ in 0..nl {
        t.keys(&["j"]);
    }
    t.keys(&["Enter"]);
    let case = t.wait_for(".nl  Netherlands");
    assert!(case.contains("answered"), "{case}");
    t.wait_for("sanne.verhoeven@nic.nl.example");

    t.keys(&["a"]);
    let dialog = t.wait_for("Approve .nl?");
    assert!(
        dialog.contains("the approval notice to ccadmin@nic.nl.example"),
        "{dialog}"
    );
    t.keys(&["y"]);
    t.wait_for("approved .nl; 2 subscribed; 3 mails sent");
    t.wait_for("+ approved");

    // C-l redraws everything, and the UI stays (no terminal query that could stall it).
    t.keys(&["C-l"]);
    std::thread::sleep(Duration::from_millis(2500));
    t.wait_for("+ approved");

    // Mail judged unrelated on its headers (only their digest kept) is filed from the command
    // line: its body is fetched from the demo's Maildir first.
    let (id, digest): (i64, i64) = db(&data)
        .query_row(
            "SELECT id, length(raw) FROM messages WHERE subject LIKE 'Registry lock%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    t.text(&format!(":assign #{id} de"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("Assign #{id} to .de?"));
    t.keys(&["y"]);
    t.wait_for(&format!(
        "assigned #{id} to .de; #{id} becomes unverified for .de; 0 contacts proposed"
    ));
    let (tld, whole): (String, i64) = db(&data)
        .query_row(
            "SELECT tld, length(raw) FROM messages WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(tld, "de");
    assert!(
        whole > digest + 1000,
        "fetched whole: {digest} -> {whole} bytes"
    );

    // The help screen is one key away, and generated from the keymap.
    t.keys(&["?"]);
    t.wait_for("approve the proposed contacts");
    t.keys(&["Escape", "Escape", "q"]);
    let after = t.wait_for("TLDOPS-EXITED 0");
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "the terminal is restored:\n{after}"
    );
    assert_eq!(
        t.display("#{cursor_flag}"),
        "1",
        "the cursor is visible again"
    );

    let db = db(&data);
    let state: String = db
        .query_row("SELECT state FROM cases WHERE tld = 'nl'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "approved");
    let subscribed: i64 = db
        .query_row(
            "SELECT count(*) FROM contacts WHERE tld = 'nl' AND state = 'subscribed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(subscribed, 2);
    let sent: i64 = db
        .query_row("SELECT count(*) FROM outbox WHERE tld = 'nl' AND kind IN ('approval', 'welcome') AND state = 'sent'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sent, 3);
    let by: String = db
        .query_row(
            "SELECT operator FROM events WHERE action = 'approved'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!by.is_empty());
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    t.wait_for("1 Queue (");
    let shell = t.pane_pid();
    let out = Command::new("pgrep")
        .args(["-P", &shell.to_string(), "tldops"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "tldops is running under the pane's shell");
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    t.wait_for("TLDOPS-EXITED");
    assert_eq!(t.display("#{alternate_on}"), "0");
}

#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("demo");
    // An interactive shell, so that job control (Ctrl-Z, fg) works as it does for an operator.
    let t = Tmux::start(&format!(
        "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm-256color PS1='ready$ ' bash --norc --noprofile -i",
        home.path().display()
    ));
    t.wait_for("ready$");
    let bin = assert_cmd::cargo::cargo_bin("tldops");
    t.keys(&[
        &format!("{} --data-dir {} demo", bin.display(), data.display()),
        "Enter",
    ]);
    t.wait_for("1 Queue (");
    t.keys(&["C-z"]);
    let stopped = t.wait_for("Stopped");
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "suspended, the terminal is the shell's:\n{stopped}"
    );
    t.keys(&["fg", "Enter"]);
    t.wait_for("1 Queue (");
    assert_eq!(t.display("#{alternate_on}"), "1");
    t.keys(&["j", "q"]);
    t.wait_for("the demo's data is kept in");
    assert_eq!(t.display("#{alternate_on}"), "0");
}
