//! A private GNU Mailutils `imap4d` for one test (Debian `mailutils-imap4d`): a second real
//! IMAP server beside Dovecot, with its own quirks — no capabilities in its greeting, SASL
//! through GNU SASL, a Maildir whose messages left in `new/` get fresh UIDs in every
//! read-only session, `login-disabled`.
//!
//! One virtual-domain user (`tldops@test.example`) whose INBOX is a Maildir the test fills
//! directly; the server listens on a free 127.0.0.1 port and is stopped (and waited for) on
//! drop. A missing `imap4d` fails the test: tests never skip a real server.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::certs;

pub const USER: &str = "tldops@test.example";
pub const PASSWORD: &str = "Battery-Staple-9";

pub struct Imap4d {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
    owner: (u32, u32),
    delivered: AtomicU32,
}

impl Imap4d {
    /// LOGIN and SASL allowed on the plaintext port; no TLS.
    pub fn start() -> Imap4d {
        Imap4d::launch(false)
    }

    /// `login-disabled yes` and STARTTLS (`tls-mode stls`) with a test CA
    /// ([`Imap4d::ca_file`]): the server announces LOGINDISABLED before TLS.
    pub fn start_login_disabled() -> Imap4d {
        Imap4d::launch(true)
    }

    fn launch(login_disabled: bool) -> Imap4d {
        let binary = binary();
        let dir = tempfile::Builder::new()
            .prefix("m4")
            .tempdir_in("/tmp")
            .expect("temporary directory");
        // As root, the sessions run as `nobody`; otherwise as the caller.
        let owner = if unsafe { libc::getuid() } == 0 {
            (65534, 65534)
        } else {
            unsafe { (libc::getuid(), libc::getgid()) }
        };
        let mut server = Imap4d {
            dir,
            child: None,
            port: 0,
            owner,
            delivered: AtomicU32::new(0),
        };
        server.prepare(login_disabled);
        let mut attempt = 1;
        loop {
            server.port = free_port();
            server.write_config(login_disabled);
            match server.spawn(&binary) {
                Ok(()) => return server,
                Err(log) if attempt < 3 && log.contains("already in use") => {
                    server.stop();
                    attempt += 1;
                }
                Err(log) => panic!("imap4d did not start:\n{log}"),
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

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("imap4d.log")).unwrap_or_default()
    }

    fn inbox(&self) -> PathBuf {
        self.dir().join("home/INBOX")
    }

    fn give(&self, path: &Path) {
        std::os::unix::fs::chown(path, Some(self.owner.0), Some(self.owner.1))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }

    fn prepare(&self, tls: bool) {
        let d = self.dir();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["vd", "home/INBOX/cur", "home/INBOX/new", "home/INBOX/tmp"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        for sub in [
            "home",
            "home/INBOX",
            "home/INBOX/cur",
            "home/INBOX/new",
            "home/INBOX/tmp",
        ] {
            self.give(&d.join(sub));
        }
        if tls {
            let c = certs::generate();
            std::fs::write(d.join("ca.pem"), c.ca_pem).unwrap();
            std::fs::write(d.join("server.pem"), c.server_pem).unwrap();
            std::fs::write(d.join("server.key"), c.server_key_pem).unwrap();
            // GNU TLS file checks: the key readable by its owner only.
            std::fs::set_permissions(d.join("server.key"), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        // The virtual domain's password file: `user:crypt:uid:gid:gecos:home:shell`.
        let out = Command::new("openssl")
            .args(["passwd", "-6", PASSWORD])
            .output()
            .expect("run openssl passwd (apt-get install openssl; tests/run does this)");
        assert!(out.status.success(), "openssl passwd failed");
        let hash = String::from_utf8(out.stdout).unwrap();
        let (uid, gid) = self.owner;
        let local = USER.split('@').next().unwrap();
        std::fs::write(
            d.join("vd/test.example"),
            format!(
                "{local}:{}:{uid}:{gid}::{}:/bin/sh\n",
                hash.trim(),
                d.join("home").display()
            ),
        )
        .unwrap();
    }

    fn write_config(&self, login_disabled: bool) {
        let d = self.dir().display();
        let tls = if login_disabled {
            format!(
                "  tls-mode stls;\n  tls {{\n    ssl-certificate-file {d}/server.pem;\n    \
                 ssl-key-file {d}/server.key;\n  }};\n"
            )
        } else {
            "  tls-mode false;\n".to_string()
        };
        let config = format!(
            "# Written by tests/integration/support/imap4d.rs for one test.
logging {{ syslog no; }};
virtdomain {{ passwd-dir {d}/vd; }};
auth {{ authentication generic; authorization virtdomain; }};
mailbox {{ mailbox-type maildir; }};
login-disabled {login_disabled};
foreground yes;
mode daemon;
pidfile {d}/imap4d.pid;
server 127.0.0.1:{port} {{
{tls}}};
",
            port = self.port,
            login_disabled = if login_disabled { "yes" } else { "no" },
        );
        std::fs::write(self.dir().join("imap4d.conf"), config).unwrap();
    }

    fn spawn(&mut self, binary: &Path) -> Result<(), String> {
        let log = std::fs::File::create(self.dir().join("imap4d.log")).unwrap();
        let child = Command::new(binary)
            .arg(format!("--config-file={}", self.config_path().display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
        let mut child = Some(child);
        let ready = super::process::wait_until_ready(
            &mut child,
            Duration::from_secs(15),
            Duration::from_millis(10),
            || self.greets(),
        );
        self.child = child;
        ready.map_err(|why| format!("imap4d: {why}\n{}", self.log()))
    }

    fn config_path(&self) -> PathBuf {
        self.dir().join("imap4d.conf")
    }

    /// The server answers a connection with `* OK`.
    fn greets(&self) -> bool {
        let attempt = || -> std::io::Result<bool> {
            let tcp = TcpStream::connect(("127.0.0.1", self.port))?;
            tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
            let mut line = String::new();
            BufReader::new(&tcp).read_line(&mut line)?;
            Ok(line.starts_with("* OK"))
        };
        attempt().unwrap_or(false)
    }

    /// Kills the server and the session processes it forked.
    pub fn stop(&mut self) {
        let config = format!("--config-file={}", self.config_path().display());
        super::process::stop(&mut self.child, |cmdline| {
            cmdline
                .split(|&b| b == 0)
                .any(|arg| arg == config.as_bytes())
        });
    }

    /// Puts a message into the INBOX's `new/` as a delivery agent would. Mailutils keeps
    /// Maildir files with LF line ends (it serves CRLF), so CRLF is stored as LF.
    pub fn deliver(&self, message: &[u8]) {
        let n = self.delivered.fetch_add(1, Ordering::SeqCst);
        let name = format!(
            "{}.M{n}P{}.tldops-test",
            1_700_000_000 + n,
            std::process::id()
        );
        let text = String::from_utf8_lossy(message).replace("\r\n", "\n");
        let tmp = self.inbox().join("tmp").join(&name);
        std::fs::write(&tmp, text).unwrap();
        self.give(&tmp);
        std::fs::rename(&tmp, self.inbox().join("new").join(&name)).unwrap();
    }

    /// The INBOX's UIDVALIDITY as Mailutils keeps it (`.mu-prop`), once a session opened it.
    pub fn uidvalidity(&self) -> Option<u32> {
        let props = std::fs::read_to_string(self.inbox().join(".mu-prop")).ok()?;
        props
            .lines()
            .find_map(|l| l.strip_prefix("uid-validity: "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Gives the INBOX a new UIDVALIDITY, as a restore would: `.mu-prop` is rewritten.
    pub fn bump_uidvalidity(&self) {
        let path = self.inbox().join(".mu-prop");
        let props = std::fs::read_to_string(&path).expect("the INBOX was opened once");
        let old = self.uidvalidity().unwrap();
        std::fs::write(
            &path,
            props.replace(
                &format!("uid-validity: {old}"),
                &format!("uid-validity: {}", old + 1000),
            ),
        )
        .unwrap();
    }
}

impl Drop for Imap4d {
    fn drop(&mut self) {
        self.stop();
    }
}

fn binary() -> PathBuf {
    ["/usr/sbin/imap4d", "/usr/bin/imap4d"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "GNU Mailutils imap4d is not installed, and the tests need this second real \
                 IMAP server: apt-get install mailutils-imap4d (tests/run does this)"
            )
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
