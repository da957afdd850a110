//! A private SMTP server for one test: Python's aiosmtpd (smtp_server.py, beside this file) on a
//! 127.0.0.1 port the kernel picks, in plain, STARTTLS or implicit-TLS mode, with optional
//! AUTH, scripted 451s and 550s. Every accepted message is kept with its envelope, so a test
//! checks exactly what arrived. Stopped (and waited for) on drop.
//!
//! aiosmtpd comes from PyPI into a virtualenv under `target/tmp`, made once and reused while
//! it works (later runs need no network). No Python, venv or pip fails the test: tests never
//! skip a real server.

use std::fs::File;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const USER: &str = "secretariat";
pub const PASSWORD: &str = "Smtp-Horse-9";

/// The aiosmtpd release the server script is written against.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    Plain,
    /// Plain connection that offers (and requires) STARTTLS.
    Starttls,
    /// TLS from the first byte.
    Implicit,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub security: Security,
    /// Require AUTH as [`USER`] / [`PASSWORD`].
    pub auth: bool,
    /// With `auth`: also offer XOAUTH2, accepting this token for [`USER`].
    pub token: Option<&'static str>,
    /// Answer `451 4.3.0 try again later` to this many DATA commands first.
    pub flaky: u32,
    /// Answer `550 5.1.1 user unknown` to every RCPT.
    pub reject: bool,
    /// Keep the first DATA answer back this many seconds (the message is recorded first).
    pub hold: u32,
}

impl Options {
    pub fn new(security: Security) -> Options {
        Options {
            security,
            auth: false,
            token: None,
            flaky: 0,
            reject: false,
            hold: 0,
        }
    }
}

/// One message as the server received it.
#[derive(Debug)]
pub struct Received {
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// MAIL FROM parameters, e.g. `BODY=8BITMIME`.
    pub mail_options: Vec<String>,
    /// The session was encrypted when the message was sent.
    pub tls: bool,
    /// The user the client logged in as, if it did.
    pub login: Option<String>,
}

pub struct SmtpServer {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
}

impl SmtpServer {
    pub fn start(options: Options) -> SmtpServer {
        let python = venv_python();
        let dir = tempfile::Builder::new()
            .prefix("smtp")
            .tempdir()
            .expect("temporary directory");
        let certs = super::certs::generate();
        for (name, pem) in [
            ("ca.pem", &certs.ca_pem),
            ("server.pem", &certs.server_pem),
            ("server.key", &certs.server_key_pem),
        ] {
            std::fs::write(dir.path().join(name), pem).unwrap();
        }

        let mut command = Command::new(python);
        command
            .arg("-u")
            .arg(script())
            .arg("--dir")
            .arg(dir.path())
            .arg("--mode")
            .arg(match options.security {
                Security::Plain => "plain",
                Security::Starttls => "starttls",
                Security::Implicit => "implicit",
            })
            .arg("--cert")
            .arg(dir.path().join("server.pem"))
            .arg("--key")
            .arg(dir.path().join("server.key"))
            .arg("--flaky")
            .arg(options.flaky.to_string())
            .arg("--hold")
            .arg(options.hold.to_string());
        if options.auth {
            command.args(["--user", USER, "--password", PASSWORD]);
        }
        if let Some(token) = options.token {
            command.args(["--token", token]);
        }
        if options.reject {
            command.arg("--reject");
        }
        let log = File::create(dir.path().join("server.log")).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run the SMTP test server: {e}"));
        let mut server = SmtpServer {
            dir,
            child: Some(child),
            port: 0,
        };
        server.wait_until_listening();
        server
    }

    /// Waits for the port file the script writes once it listens, then for a connection to
    /// be accepted there.
    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let port_file = self.dir().join("port");
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                panic!("the SMTP test server exited ({status}):\n{}", self.log());
            }
            if let Some(port) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|p| p.trim().parse().ok())
                && TcpStream::connect(("127.0.0.1", port)).is_ok()
            {
                self.port = port;
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "the SMTP test server did not listen within 20 s:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The XOAUTH2 tokens clients offered, in order.
    pub fn tokens(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir().join("tokens"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The test CA's certificate (PEM), for `outgoing.ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir().join("ca.pem")
    }

    /// What the server logged (aiosmtpd logs every command).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("server.log")).unwrap_or_default()
    }

    /// Every message accepted so far, in the order received.
    pub fn received(&self) -> Vec<Received> {
        let mail = self.dir().join("mail");
        let mut names: Vec<String> = std::fs::read_dir(&mail)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                let meta: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(mail.join(format!("{n}.json"))).unwrap())
                        .unwrap();
                let strings = |key: &str| -> Vec<String> {
                    meta[key]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect()
                };
                Received {
                    raw: std::fs::read(mail.join(format!("{n}.eml"))).unwrap(),
                    mail_from: meta["mail_from"].as_str().unwrap().to_string(),
                    rcpt_tos: strings("rcpt_tos"),
                    mail_options: strings("mail_options"),
                    tls: meta["tls"].as_bool().unwrap(),
                    login: meta["login"].as_str().map(str::to_string),
                }
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/support/smtp_server.py")
}

/// The venv's Python, with aiosmtpd importable; made on first use. Tests in one binary share
/// it through the `OnceLock`, test binaries running at once through a file lock.
fn venv_python() -> PathBuf {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(prepare_venv)
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn prepare_venv() -> Result<PathBuf, String> {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let venv = cache.join("test-venv");
    let python = venv.join("bin/python");
    let lock = File::create(cache.join("test-venv.lock"))
        .map_err(|e| format!("cannot create the venv lock: {e}"))?;
    // SAFETY: flock(2) on a descriptor we own; released when `lock` is dropped.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(format!(
            "cannot lock the venv: {}",
            std::io::Error::last_os_error()
        ));
    }
    if has_aiosmtpd(&python) {
        return Ok(python);
    }

    let created = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .output()
        .map_err(|e| {
            format!(
                "the SMTP tests need Python 3 to run aiosmtpd, and `python3` cannot run ({e}): \
                 apt-get install python3-venv (tests/run does this)"
            )
        })?;
    check(
        &created,
        "`python3 -m venv` failed (on Debian: apt-get install python3-venv; tests/run does this)",
    )?;
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--timeout",
            "30",
            AIOSMTPD,
        ])
        .output()
        .map_err(|e| format!("cannot run pip in {}: {e}", venv.display()))?;
    check(
        &installed,
        &format!(
            "pip could not install {AIOSMTPD} into {} (it needs PyPI once; later runs reuse \
             the venv)",
            venv.display()
        ),
    )?;
    if !has_aiosmtpd(&python) {
        return Err(format!(
            "{AIOSMTPD} installed into {} but does not import",
            venv.display()
        ));
    }
    Ok(python)
}

fn has_aiosmtpd(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import aiosmtpd.smtp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn check(output: &Output, what: &str) -> Result<(), String> {
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
