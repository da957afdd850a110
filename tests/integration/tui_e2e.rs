//! The real binary in a real terminal: `tldops demo` in a tmux pane of 80x23 (an 80x24
//! terminal running tmux with its status bar), driven with send-keys and read with capture-pane — open a case, approve it, quit — then
//! the database, the sent mail and the terminal (restored) are checked. And SIGTERM.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

// The re-confirmation recorded from the queue (`C`).
mod confirm;

struct Tmux {
    session: String,
}

impl Tmux {
    /// `command` in a tmux pane as the Secretariat has it: a terminal of 80x24 running tmux
    /// with its status bar on, so the pane is 80x23. The "terminal" is a second tmux session
    /// of 80x24 whose program is a tmux client attached to the first.
    fn start(command: &str) -> Tmux {
        let session = format!(
            "tldops-e2e-{}-{}-{}",
            std::process::id(),
            next_server(),
            rand_suffix()
        );
        let status = tmux(&session)
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "80",
                "-y",
                "23",
                command,
            ])
            .status()
            .expect("tmux must be installed (tests/run installs it)");
        assert!(status.success());
        let status = tmux(&format!("{session}-terminal"))
            .args([
                "new-session",
                "-d",
                "-s",
                "terminal",
                "-x",
                "80",
                "-y",
                "24",
                &format!("env -u TMUX tmux -L {session} attach-session -t {session}"),
            ])
            .status()
            .unwrap();
        assert!(status.success());
        let t = Tmux { session };
        let deadline = Instant::now() + Duration::from_secs(10);
        while t.display("#{session_attached} #{pane_width}x#{pane_height}") != "1 80x23" {
            assert!(
                Instant::now() < deadline,
                "the client never attached: {}",
                t.display("#{session_attached} #{pane_width}x#{pane_height}")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        t
    }

    fn capture(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", &self.session, format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux()
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types `text` as it is (no key names).
    fn text(&self, text: &str) {
        self.tmux()
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// tmux, talking to this test's own server.
    fn tmux(&self) -> Command {
        tmux(&self.session)
    }

    /// Pastes `text` as a terminal does (bracketed, when the program asked for it).
    fn paste(&self, text: &str) {
        let buffer = format!("{}-paste", self.session);
        self.tmux()
            .args(["set-buffer", "-b", &buffer, text])
            .status()
            .unwrap();
        self.tmux()
            .args([
                "paste-buffer",
                "-p",
                "-d",
                "-b",
                &buffer,
                "-t",
                &self.session,
            ])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// The whole "terminal": the pane and tmux's status bar below it.
    fn capture_terminal(&self) -> String {
        let out = tmux(&format!("{}-terminal", self.session))
            .args(["capture-pane", "-p", "-t", "terminal"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
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
        for server in [format!("{}-terminal", self.session), self.session.clone()] {
            let _ = tmux(&server).arg("kill-server").status();
        }
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

/// tmux on a server of its own (`-L name`): the tests run in parallel, and a developer's own
/// tmux sessions are left alone.
fn tmux(server: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", server]);
    c
}

/// A number no other tmux server of this test process has: with the process id, a server
/// name of its own for each test, even two started in the same nanosecond on two threads.
fn next_server() -> u32 {
    static SERVERS: AtomicU32 = AtomicU32::new(0);
    SERVERS.fetch_add(1, Ordering::Relaxed)
}

/// Apart from a server a crashed earlier run (with the same process id) may have left.
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
    let screen = t.wait_for("· outbox ");
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
fn another_processs_change_shows_without_a_key() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    let screen = t.wait_for("1 Queue (");
    let queued: usize = screen
        .split("1 Queue (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no queue count:\n{screen}"));
    assert!(screen.contains(" .jp "), "{screen}");

    // Another operator rejects .jp from the command line: the idle TUI, woken by the write to
    // the database (no timer), shows it without a key pressed.
    let out = assert_cmd::Command::cargo_bin("tldops")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["--config"])
        .arg(data.join("config.toml"))
        .arg("--data-dir")
        .arg(data.join("data"))
        .args(["reject", "jp", "--reason", "No security contact is named."])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let after = t.wait_for(&format!("1 Queue ({})", queued - 1));
    assert!(!after.contains(" .jp "), "{after}");
    t.keys(&["3"]);
    t.wait_for("rejected");
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

#[test]
fn a_reject_reason_is_edited_with_readline_keys_at_80x23() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    let screen = t.wait_for("· outbox ");
    assert_eq!(screen.lines().count(), 23, "{screen}");
    let terminal = t.capture_terminal();
    assert!(
        terminal
            .lines()
            .nth(23)
            .is_some_and(|l| l.starts_with("[tldops-")),
        "tmux's status bar is on:\n{terminal}"
    );
    assert!(screen.contains("· outbox "), "{screen}");

    let rows: Vec<&str> = screen.lines().skip(2).collect();
    let ch = rows
        .iter()
        .position(|l| l.contains(" .ch "))
        .unwrap_or_else(|| panic!("no .ch row:\n{screen}"));
    for _ in 0..ch {
        t.keys(&["j"]);
    }
    t.keys(&["r"]);
    t.wait_for("reason (mailed to the admin contact)");
    t.text("Teh");
    t.keys(&["C-w"]);
    t.text("The reply did not copy teh admn adress");
    t.keys(&["C-w", "C-w", "C-w"]);
    t.text("the admin address");
    t.keys(&["M-b", "M-b"]);
    t.text("IANA ");
    t.keys(&["C-e"]);
    t.text(".");
    t.keys(&["Home", "DC", "DC", "DC"]);
    t.text("Your");
    t.keys(&["M-b", "M-f", "Right", "C-f", "C-b", "Left"]);
    t.text(" first");
    t.keys(&["End", "C-j"]);
    t.text("oops");
    t.keys(&["C-u"]);
    t.paste("Please reply again\nwith the admin address in Cc.");
    t.keys(&["C-a", "C-k", "C-y"]);
    let dialog = t.wait_for("with the admin address in Cc.");
    assert!(
        dialog.contains("Your first reply did not copy the IANA admin address."),
        "{dialog}"
    );
    assert!(!dialog.contains("oops"), "{dialog}");
    t.keys(&["Enter"]);
    t.wait_for("Reject .ch?");
    t.keys(&["y"]);
    t.wait_for("rejected .ch");

    let raw: Vec<u8> = db(&data)
        .query_row(
            "SELECT raw FROM outbox WHERE tld = 'ch' AND kind = 'rejection'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mail = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let body = mail.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        body.contains(
            "Your first reply did not copy the IANA admin address.\nPlease reply again\nwith the admin address in Cc.\n"
        ),
        "{body}"
    );
    assert!(
        !body.contains("oops") && !body.contains("Teh") && !body.contains('\u{17}'),
        "{body}"
    );
    t.keys(&["q"]);
    t.wait_for("TLDOPS-EXITED 0");
}

/// Every script in tmux: the roster's IDN ccTLDs (Indic, Thai, Arabic, CJK…), scrolled, then
/// other views — each screen is the one a full redraw (C-l) gives, nothing left behind.
#[test]
fn idn_cctlds_leave_nothing_behind_in_other_views() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    t.wait_for("1 Queue (");
    let same_after_redraw = |what: &str| {
        std::thread::sleep(Duration::from_millis(400));
        let before = t.capture();
        t.keys(&["C-l"]);
        std::thread::sleep(Duration::from_millis(2500));
        let after = t.capture();
        assert_eq!(
            before, after,
            "{what}: the screen differs from its full redraw"
        );
    };
    t.keys(&["2", "G"]);
    t.wait_for(".تونس");
    same_after_redraw("the roster's IDN ccTLDs");
    for _ in 0..25 {
        t.keys(&["k"]);
    }
    same_after_redraw("the roster scrolled");
    t.keys(&["3"]);
    t.wait_for("AT (UTC)");
    same_after_redraw("the log after the roster");
    t.keys(&["2", "G", "Enter"]);
    t.wait_for("Messages (");
    same_after_redraw("a case after the roster");
    t.keys(&["q"]);
    t.wait_for("TLDOPS-EXITED 0");
}

#[test]
fn without_its_passwords_the_tui_opens_and_refuses_only_what_needs_them() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        r#"[list]
name = "TLD-OPS"
address = "tld-ops@lists.example.org"
secretariat = "secretariat@ccnso.example.org"

[imap]
host = "127.0.0.1"
port = 1
tls = "none"
username = "secretariat"
password_env = "TLDOPS_E2E_IMAP_PASSWORD"

[outgoing]
transport = "smtp"
host = "127.0.0.1"
port = 1
tls = "none"
username = "secretariat"
password_env = "TLDOPS_E2E_SMTP_PASSWORD"

[members]
backend = "mailman3"

[members.mailman3]
url = "http://127.0.0.1:1"
list_id = "tld-ops.lists.example.org"
username = "restadmin"
password_env = "TLDOPS_E2E_MAILMAN_PASSWORD"
"#,
    )
    .unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let data = home.path().join("data");
    let bin = assert_cmd::cargo::cargo_bin("tldops");
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/roster.csv");
    let import = Command::new(&bin)
        .env_clear()
        .env("HOME", home.path())
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["roster", "import"])
        .arg(&roster)
        .output()
        .unwrap();
    assert!(import.status.success(), "{import:?}");

    let t = Tmux::start(&format!(
        "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm-256color {} --config {} --data-dir {}; echo TLDOPS-EXITED $?; sleep 120",
        home.path().display(),
        bin.display(),
        config.display(),
        data.display()
    ));
    let screen = t.wait_for("1 Queue (");
    let bar = screen.lines().nth(22).unwrap_or_default();
    assert!(
        bar.contains("✗ not polled: [imap] password_env"),
        "{screen}"
    );
    assert!(bar.contains("no SMTP, Mailman passwords"), "{screen}");

    // The roster and the coverage work; inviting sends mail: refused, naming the variable.
    t.keys(&["2"]);
    t.wait_for("COUNTRY");
    t.keys(&["i"]);
    t.wait_for("SMTP password is missing");
    t.keys(&["@"]);
    let notes = t.wait_for("$TLDOPS_E2E_SMTP_PASSWORD is not set");
    assert!(notes.contains("no Mailman password"), "{notes}");
    t.keys(&["Escape", "4"]);
    t.wait_for("AFTLD");
    t.keys(&["p"]);
    t.wait_for("cannot poll");
    t.keys(&["q"]);
    t.wait_for("TLDOPS-EXITED 0");
}

#[test]
fn a_message_triage_could_not_file_is_found_in_the_messages_view_and_assigned() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    t.wait_for("1 Queue (");
    let id: i64 = db(&data)
        .query_row(
            "SELECT id FROM messages WHERE subject LIKE 'Registry lock%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    t.keys(&["5"]);
    t.wait_for(" messages   v verdict");
    t.keys(&["v"]);
    t.wait_for("· verdict unrelated");
    t.keys(&["/"]);
    t.text("registry lock");
    t.keys(&["Enter"]);
    let found = t.wait_for("1 message · verdict unrelated · \"registry lock\"");
    assert!(found.contains(&format!("#{id}")), "{found}");
    t.keys(&["Enter"]);
    t.wait_for(&format!("› message #{id}"));
    t.keys(&["Escape", "s"]);
    t.wait_for(&format!("Assign message #{id}"));
    t.text("de");
    t.keys(&["Enter"]);
    t.wait_for(&format!("Assign #{id} to .de?"));
    t.keys(&["y"]);
    t.wait_for(&format!("assigned #{id} to .de"));
    // The list shows the new verdict: it no longer matches "unrelated".
    t.wait_for("0 messages · verdict unrelated");
}

/// DESIGN §8 from the queue: a .za member asked to leave (the demo's later mail); `x` on that
/// item plans the removal, `y` does it: the member is gone, and their notice is in the outbox.
#[test]
fn a_member_who_asked_to_leave_is_removed_from_the_queue() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    let screen = t.wait_for("· outbox ");
    let rows: Vec<&str> = screen.lines().skip(2).collect();
    let remove = rows
        .iter()
        .position(|l| l.contains(" .za ") && l.contains("remove"))
        .unwrap_or_else(|| panic!("no remove row for .za:\n{screen}"));
    for _ in 0..remove {
        t.keys(&["j"]);
    }
    t.keys(&["x"]);
    let dialog = t.wait_for("Remove from .za");
    assert!(dialog.contains("?"), "{dialog}");
    t.keys(&["y"]);
    t.wait_for("removed");
    let left: i64 = db(&data)
        .query_row(
            "SELECT count(*) FROM contacts WHERE tld = 'za' AND state = 'removed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 1);
}

/// The other DESIGN §8 actions from the demo's queue: `K` asks .ke's admin about the request
/// to join, `R` asks .se's new admin to re-confirm (its admin address changed); both mailed.
#[test]
fn a_request_is_asked_and_a_re_confirmation_sent_from_the_queue() {
    let home = tempfile::tempdir().unwrap();
    let data: PathBuf = home.path().join("demo");
    let t = Tmux::start(&demo_command(home.path(), &data));
    let on_row = |t: &Tmux, tld: &str, kind: &str| {
        let screen = t.wait_for("· outbox ");
        let rows: Vec<&str> = screen.lines().skip(2).collect();
        let at = rows
            .iter()
            .position(|l| l.contains(&format!(" .{tld} ")) && l.contains(kind))
            .unwrap_or_else(|| panic!("no {kind} row for .{tld}:\n{screen}"));
        t.keys(&["g"]);
        for _ in 0..at {
            t.keys(&["j"]);
        }
    };
    on_row(&t, "ke", "request");
    t.keys(&["K"]);
    t.wait_for("Ask the admin contact of .ke?");
    t.keys(&["y"]);
    t.wait_for("asked the admin contact of .ke");
    on_row(&t, "se", "reconfirm");
    t.keys(&["R"]);
    t.wait_for("re-confirm");
    t.keys(&["y"]);
    let sent: i64 = db(&data)
        .query_row(
            "SELECT count(*) FROM outbox WHERE kind IN ('request', 'reconfirm') AND state = 'sent'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut sent = sent;
    while sent < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        sent = db(&data)
            .query_row(
                "SELECT count(*) FROM outbox WHERE kind IN ('request', 'reconfirm') AND state = 'sent'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    }
    assert_eq!(sent, 2, "{}", t.capture());
}
