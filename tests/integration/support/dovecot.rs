//! A private Dovecot for one test: started from a temporary directory on free 127.0.0.1 ports,
//! one user with a Maildir the test fills directly, stopped (and waited for) on drop.
//!
//! Ports: `plain_port` speaks plaintext IMAP (LOGIN allowed without TLS) and offers STARTTLS
//! when TLS is on; `tls_port` is implicit TLS. Works as root (Dovecot's own system users run
//! the login and mail processes) and unprivileged (everything runs as the caller).
//! A missing `dovecot` fails the test: tests never skip a real server.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use super::dovecot_files::Options;
use super::dovecot_files::{self, Accounts};

pub const USER: &str = "tldops";
pub const PASSWORD: &str = "Correct-Horse-7";

pub struct Dovecot {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub plain_port: u16,
    /// The implicit-TLS port; `None` for a server started without TLS.
    pub tls_port: Option<u16>,
    accounts: Accounts,
    options: Options,
    delivered: AtomicU32,
}

impl Dovecot {
    /// A server with TLS: STARTTLS on the plain port, and an implicit-TLS port.
    pub fn start() -> Dovecot {
        Dovecot::start_with(Options::default())
    }

    /// A server with `ssl = no`: only the plain port, which does not offer STARTTLS.
    pub fn start_without_tls() -> Dovecot {
        Dovecot::start_with(Options {
            tls: false,
            ..Options::default()
        })
    }

    /// A server set up as `options` say (OAuth2, LOGINDISABLED, …).
    pub fn start_with(options: Options) -> Dovecot {
        let tls = options.tls;
        let binary = binary();
        // Short on purpose: Dovecot's unix sockets live under it (limit ~108 bytes).
        let dir = tempfile::Builder::new()
            .prefix("dc")
            .tempdir_in("/tmp")
            .expect("temporary directory");
        let accounts = Accounts::current();
        let mut dovecot = Dovecot {
            dir,
            child: None,
            plain_port: 0,
            tls_port: None,
            accounts,
            options,
            delivered: AtomicU32::new(0),
        };
        dovecot_files::prepare(dovecot.dir(), &dovecot.accounts, tls);
        let mut attempt = 1;
        loop {
            dovecot.plain_port = free_port();
            dovecot.tls_port = tls.then(free_port);
            dovecot_files::write_config(
                dovecot.dir(),
                &dovecot.accounts,
                &dovecot.instance_name(),
                dovecot.plain_port,
                dovecot.tls_port,
                &dovecot.options,
            );
            match dovecot.spawn(&binary) {
                Ok(()) => return dovecot,
                // Another process took a port between our probe and Dovecot's bind.
                Err(log) if attempt < 3 && log.contains("Address already in use") => {
                    dovecot.stop();
                    attempt += 1;
                }
                Err(log) => panic!("Dovecot did not start:\n{log}"),
            }
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The test CA's certificate (PEM), for `imap.ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir().join("ca.pem")
    }

    /// Dovecot's own log and anything it printed before it had one.
    pub fn log(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.dir().join(f)).unwrap_or_default();
        read("stderr.log") + &read("dovecot.log")
    }

    /// Waits (up to 10 s, on a loaded machine) until Dovecot's log satisfies `ready`: it writes its log lines
    /// asynchronously, after the client already has its answer.
    pub fn wait_for_log(&self, ready: impl Fn(&str) -> bool) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if ready(&self.log()) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    fn maildir(&self) -> PathBuf {
        self.dir().join("home/Maildir")
    }

    /// Starts the master process and waits until the test user can log in; on failure returns
    /// the log.
    fn spawn(&mut self, binary: &Path) -> Result<(), String> {
        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(self.dir().join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir().join("stderr.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
        let mut child = Some(child);
        let ready = super::process::wait_until_ready(
            &mut child,
            Duration::from_secs(15),
            Duration::from_millis(10),
            || self.can_log_in(),
        );
        self.child = child;
        ready.map_err(|why| format!("dovecot: {why} (no login possible)\n{}", self.log()))
    }

    /// A plaintext LOGIN on the plain port succeeds.
    fn can_log_in(&self) -> bool {
        let attempt = || -> std::io::Result<bool> {
            let tcp = TcpStream::connect(("127.0.0.1", self.plain_port))?;
            tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
            let mut reader = BufReader::new(&tcp);
            let mut line = String::new();
            reader.read_line(&mut line)?;
            (&tcp).write_all(format!("a LOGIN {USER} {PASSWORD}\r\nb LOGOUT\r\n").as_bytes())?;
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(false);
                }
                if line.starts_with("a ") {
                    return Ok(line.starts_with("a OK"));
                }
            }
        };
        attempt().unwrap_or(false)
    }

    /// Stops the server the way a crash or a cgroup kill does: the master and every process
    /// of the instance are killed, so every session drops (SIGTERM would be no gentler for
    /// clients: Dovecot lets logged-in `imap` processes outlive the master, and it costs a
    /// second per stop).
    /// Leftovers are the processes still titled `dovecot-<instance>/…`.
    pub fn stop(&mut self) {
        let prefix = format!("dovecot-{}/", self.instance_name());
        super::process::stop(&mut self.child, |cmdline| {
            cmdline.starts_with(prefix.as_bytes())
        });
    }

    /// Unique per test server; Dovecot puts it in its processes' titles.
    fn instance_name(&self) -> String {
        let dir = self
            .dir()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        format!("tldops-{dir}")
    }

    /// Stops the server if it runs and starts it again on the same ports, with the same mail.
    pub fn restart(&mut self) {
        self.stop();
        if let Err(log) = self.spawn(&binary()) {
            panic!("Dovecot did not restart:\n{log}");
        }
    }

    /// Puts a message into the INBOX as a delivery agent would (write in `tmp/`, rename into
    /// `new/`). Dovecot gives it the next UID when a client next looks. Returns its file name.
    pub fn deliver(&self, message: &[u8]) -> String {
        let n = self.delivered.fetch_add(1, Ordering::SeqCst);
        // Dovecot numbers new files in name order; the leading "timestamp" keeps it ours.
        let name = format!(
            "{}.M{n}P{}.tldops-test",
            1_700_000_000 + n,
            std::process::id()
        );
        let tmp = self.maildir().join("tmp").join(&name);
        std::fs::write(&tmp, message).unwrap();
        self.accounts.give(&tmp);
        std::fs::rename(&tmp, self.maildir().join("new").join(&name)).unwrap();
        name
    }

    /// Deletes a delivered message behind Dovecot's back, as another client's expunge would.
    pub fn discard(&self, name: &str) {
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir().join(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(name)
                {
                    std::fs::remove_file(path).unwrap();
                    return;
                }
            }
        }
        panic!("no message {name} in the Maildir");
    }

    /// How many messages carry the \Seen flag (`S` in a Maildir file name's `:2,` info).
    pub fn seen_count(&self) -> usize {
        ["new", "cur"]
            .iter()
            .flat_map(|sub| std::fs::read_dir(self.maildir().join(sub)).unwrap())
            .filter(|e| {
                let name = e
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .into_owned();
                name.split_once(":2,")
                    .is_some_and(|(_, flags)| flags.contains('S'))
            })
            .count()
    }

    /// Makes Dovecot renumber the INBOX under a new UIDVALIDITY, as after a restore: with the
    /// server stopped, its UID list and indexes go (the `dovecot-uidvalidity` counter stays,
    /// so the new value differs from the old).
    pub fn bump_uidvalidity(&mut self) {
        self.stop();
        for entry in std::fs::read_dir(self.maildir()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "dovecot-uidlist"
                || name.starts_with("dovecot.index")
                || name.starts_with("dovecot.list.index")
            {
                std::fs::remove_file(&path).unwrap();
            }
        }
        self.restart();
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `dovecot` binary: on `PATH`, or in `/usr/sbin` (not on an unprivileged user's PATH).
fn binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("dovecot"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/dovecot")])
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "Dovecot is not installed, and the IMAP tests need a real server: \
                 apt-get install dovecot-imapd (tests/run does this)"
            )
        })
}

/// A port nobody listens on now (the kernel's pick; Dovecot binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
