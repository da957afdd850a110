//! A private tldops installation for a test: its own config file, data dir and HOME, and the
//! real binary run against it.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// A private installation: its own config file, data dir and HOME.
pub struct Install {
    dir: tempfile::TempDir,
}

impl Install {
    pub fn new() -> Install {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[list]\nname = \"TLD-OPS\"\n",
        )
        .unwrap();
        Install { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with this installation's environment and nothing else.
    pub fn std_cmd(&self) -> std::process::Command {
        self.in_env(assert_cmd::cargo::cargo_bin("tldops"))
    }

    /// `program` with this installation's environment and nothing else.
    fn in_env(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut c = std::process::Command::new(program);
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("TLDOPS_CONFIG", self.path("config.toml"))
            .env("TLDOPS_DATA_DIR", self.path("data"));
        c
    }

    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(&[], args)
    }

    /// [`Install::run`] with these variables set too (the secret a config's `password_env`
    /// names).
    pub fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let out = self
            .cmd()
            .envs(env.iter().copied())
            .args(args)
            .output()
            .unwrap();
        Output::of(out)
    }

    /// [`Install::run`] as another account, in its primary group and its other groups
    /// (`setpriv`; the test must run as root): a second staff member of a shared installation.
    pub fn run_as(&self, account: &str, args: &[&str]) -> Output {
        let group = std::process::Command::new("id")
            .args(["-gn", account])
            .output()
            .unwrap();
        assert!(group.status.success(), "no account {account}");
        let group = String::from_utf8(group.stdout).unwrap();
        let out = self
            .in_env("setpriv")
            .arg(format!("--reuid={account}"))
            .arg(format!("--regid={}", group.trim()))
            .arg("--init-groups")
            .arg("--")
            .arg(assert_cmd::cargo::cargo_bin("tldops"))
            .args(args)
            .output()
            .unwrap();
        Output::of(out)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?} failed: {}", out.stderr);
        out.stdout
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// One value from the installation's database (`SELECT count(*) …`, `SELECT state …`).
    pub fn scalar<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// How many messages are stored, and how many distinct Message-IDs they have: equal
    /// when nothing is stored twice.
    pub fn messages_and_ids(&self) -> (i64, i64) {
        self.db()
            .query_row(
                "SELECT count(*), count(DISTINCT message_id) FROM messages",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.path("data/tldops.sqlite3")).unwrap()
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn of(out: std::process::Output) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

/// The config of the corpus world (tests/corpus/README.md).
pub const CORPUS_CONFIG: &str = "[list]\nname = \"TLD-OPS\"\naddress = \"tld-ops@lists.example.org\"\n\
    secretariat = \"secretariat@ccnso.example.org\"\n\n[trust]\nauthserv_id = \"mx.ccnso.example.org\"\n";

impl Install {
    pub fn with_config(text: &str) -> Install {
        let i = Install::new();
        std::fs::write(i.path("config.toml"), text).unwrap();
        i
    }

    /// An installation in the corpus world: its roster imported and its invitations recorded
    /// as sent (the workflow's outbox rows, case states and events, written directly).
    pub fn corpus_world() -> Install {
        let i = Install::with_config(CORPUS_CONFIG);
        i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
        let db = i.db();
        let mut reader = csv::Reader::from_path("tests/corpus/invitations.csv").unwrap();
        for row in reader.records() {
            let r = row.unwrap();
            let (kind, tld, token, id, at, to, subject) =
                (&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]);
            db.execute(
                "INSERT INTO outbox (message_id, kind, tld, recipients, subject, raw, state, created_at, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, x'', 'sent', ?6, ?6)",
                rusqlite::params![id, kind, tld, serde_json::json!([to]).to_string(), subject, at],
            )
            .unwrap();
            let state = if kind == "reminder" {
                "reminded"
            } else {
                "invited"
            };
            db.execute(
                "UPDATE cases SET state = ?2, token = ?3,
                    invitation_message_id = coalesce(invitation_message_id, ?4),
                    invited_at = coalesce(invited_at, ?5)
                 WHERE tld = ?1",
                rusqlite::params![tld, state, token, id, at],
            )
            .unwrap();
            let (action, detail) = if kind == "reminder" {
                (
                    "reminded",
                    serde_json::json!({ "reminder": 1, "escalated_to_tech": false, "message_id": id }),
                )
            } else {
                (
                    "invited",
                    serde_json::json!({ "to": to, "message_id": id, "again": false }),
                )
            };
            append_event(&db, at, Some(tld), action, &detail);
        }
        i
    }
}

/// Appends an event to the log of `db` as tldops does, for worlds written directly: the cases
/// they set must follow from the log, or `log --verify` fails.
pub fn append_event(
    db: &rusqlite::Connection,
    at: &str,
    tld: Option<&str>,
    action: &str,
    detail: &Value,
) {
    let (id, prev): (i64, String) = db
        .query_row(
            "SELECT coalesce(max(id), 0) + 1,
                    coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1), ?1)
             FROM events",
            [tldops::domain::audit::GENESIS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let detail = detail.to_string();
    let hash = tldops::domain::audit::event_hash(&prev, id, at, "corpus", tld, action, &detail);
    db.execute(
        "INSERT INTO events (id, at, operator, tld, action, detail, prev_hash, hash)
         VALUES (?1, ?2, 'corpus', ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![id, at, tld, action, detail, prev, hash],
    )
    .unwrap();
}

/// Writes `files` into a fresh Maildir under `dir` (in `new/`, named in order).
pub fn maildir(dir: &std::path::Path, files: &[(String, Vec<u8>)]) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for (i, (_, bytes)) in files.iter().enumerate() {
        std::fs::write(dir.join("new").join(format!("{:06}.test.host", i)), bytes).unwrap();
    }
}

impl Install {
    /// Starts `poll` again and again, killing it after growing delays, until one run is cut
    /// short. Every killed run must have stored no message twice, and must not have moved the
    /// mailbox checkpoint past a message it did not store. Returns how many of the `total`
    /// messages the interrupted run left stored (`None`: no run was interrupted).
    pub fn kill_mid_poll(
        &self,
        poll: impl Fn() -> std::process::Command,
        total: i64,
    ) -> Option<i64> {
        for delay_ms in [100u64, 200, 400, 800, 1600] {
            let mut child = poll()
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let finished = child.try_wait().unwrap().is_some();
            let _ = child.kill();
            let _ = child.wait();
            let (stored, distinct) = self.messages_and_ids();
            assert_eq!(stored, distinct, "a killed pass stored a message twice");
            assert!(stored <= total, "{stored} of {total}");
            // The checkpoint moves with each committed chunk, never past a message that is
            // not stored (the mailboxes here are fresh: UIDs 1, 2, 3 …).
            let (checkpoint, below): (i64, i64) = self
                .db()
                .query_row(
                    "SELECT coalesce(max(s.last_uid), 0),
                            (SELECT count(*) FROM messages m, mailbox_sync s2
                             WHERE m.source = s2.source AND m.uid <= s2.last_uid)
                     FROM mailbox_sync s",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(
                below, checkpoint,
                "a pass killed after {stored} of {total} messages moved the checkpoint to \
                 {checkpoint} with only {below} of those stored"
            );
            if !finished && stored < total {
                return Some(stored);
            }
        }
        None
    }
}
