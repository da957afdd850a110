//! A private Mailman 3 core for one test (DESIGN §6: real servers, never mocks): its REST API
//! on a free 127.0.0.1 port, an SQLite database in a temporary directory, the domain
//! `lists.example.org` and the list `tld-ops@lists.example.org`; stopped on drop.
//!
//! Mailman comes from PyPI into a virtualenv under the target directory
//! (`target/mailman-venv`), built once (about 30 s) and reused while
//! `mailman-requirements.txt` is unchanged. Only the REST runner is started (about 1 s): it
//! alone carries out subscriptions, and with no outgoing runner nothing is ever mailed (the
//! welcome message just waits in a queue directory that is thrown away).
//! A Mailman that cannot be installed or started fails the test: tests never skip a real
//! server.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tldops::config::Mailman3Config;

pub const ADMIN: &str = "restadmin";
pub const PASSWORD: &str = "Rest-Secret-42";
pub const DOMAIN: &str = "lists.example.org";
pub const LIST: &str = "tld-ops@lists.example.org";
pub const LIST_ID: &str = "tld-ops.lists.example.org";

const REQUIREMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/integration/support/mailman-requirements.txt"
);

pub struct Mailman {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
    http: ureq::Agent,
}

impl Mailman {
    /// Installs Mailman if needed, starts it, and creates the domain and the list.
    pub fn start() -> Mailman {
        let venv = venv();
        let dir = tempfile::Builder::new()
            .prefix("mailman")
            .tempdir_in("/tmp")
            .expect("temporary directory");
        let http = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut mailman = Mailman {
            dir,
            child: None,
            port: 0,
            http,
        };
        let mut attempt = 1;
        loop {
            mailman.port = free_port();
            mailman.write_config();
            match mailman.spawn(&venv) {
                Ok(()) => {
                    // Another test's Mailman may have taken the port between our probe and
                    // gunicorn's bind and answered our readiness check: it has the domain.
                    let (status, body) = mailman.post("domains", &[("mail_host", DOMAIN)]);
                    if status == 400
                        && body.to_string().contains("Duplicate email host")
                        && attempt < 3
                    {
                        mailman.stop();
                        attempt += 1;
                        continue;
                    }
                    assert_eq!(status, 201, "POST /3.1/domains: {body}\n{}", mailman.log());
                    break;
                }
                // Another process took the port between our probe and gunicorn's bind.
                Err(log) if attempt < 3 && log.contains("in use") => {
                    mailman.stop();
                    attempt += 1;
                }
                Err(log) => panic!("Mailman core did not start:\n{log}"),
            }
        }
        mailman.expect_created("lists", &[("fqdn_listname", LIST)]);
        mailman
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `[members.mailman3]` for this server and its list.
    pub fn config(&self) -> Mailman3Config {
        Mailman3Config {
            url: self.url(),
            list_id: LIST_ID.into(),
            username: ADMIN.into(),
            password_command: None,
            password_env: None,
            password: None,
        }
    }

    /// What the runner printed and Mailman's own log (gunicorn's errors included).
    pub fn log(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.dir().join(f)).unwrap_or_default();
        read("stderr.log") + &read("var/logs/mailman.log")
    }

    /// `GET /3.1/{path}` as the REST admin: status and JSON body (`null` when empty).
    pub fn get(&self, path: &str) -> (u16, Value) {
        let sent = self
            .http
            .get(format!("{}/3.1/{path}", self.url()))
            .header("Authorization", basic_auth())
            .call();
        reply(sent)
    }

    /// `POST /3.1/{path}`, form-encoded, as the REST admin.
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let sent = self
            .http
            .post(format!("{}/3.1/{path}", self.url()))
            .header("Authorization", basic_auth())
            .send_form(form.iter().copied());
        reply(sent)
    }

    fn expect_created(&self, path: &str, form: &[(&str, &str)]) {
        let (status, body) = self.post(path, form);
        assert_eq!(
            status,
            201,
            "POST /3.1/{path} {form:?}: {body}\n{}",
            self.log()
        );
    }

    /// The smallest config that runs: SQLite, its own var dir, the REST API on our port,
    /// and the null MTA, which writes no alias maps and runs no `postmap`.
    fn write_config(&self) {
        let var = self.dir().join("var");
        let config = format!(
            "[mailman]\n\
             layout: tldops\n\
             site_owner: postmaster@{DOMAIN}\n\
             \n\
             [paths.tldops]\n\
             var_dir: {var}\n\
             \n\
             [database]\n\
             class: mailman.database.sqlite.SQLiteDatabase\n\
             url: sqlite:///$DATA_DIR/mailman.db\n\
             \n\
             [webservice]\n\
             hostname: 127.0.0.1\n\
             port: {port}\n\
             admin_user: {ADMIN}\n\
             admin_pass: {PASSWORD}\n\
             workers: 1\n\
             show_tracebacks: no\n\
             \n\
             [mta]\n\
             incoming: mailman.mta.null.NullMTA\n\
             smtp_host: 127.0.0.1\n\
             smtp_port: 9\n",
            var = var.display(),
            port = self.port,
        );
        std::fs::write(self.config_file(), config).unwrap();
    }

    fn config_file(&self) -> PathBuf {
        self.dir().join("mailman.cfg")
    }

    /// Starts the REST runner and waits until the API answers; on failure returns the log.
    fn spawn(&mut self, venv: &Path) -> Result<(), String> {
        let runner = venv.join("bin/runner");
        let output = File::create(self.dir().join("stderr.log")).unwrap();
        let child = Command::new(&runner)
            .arg("-C")
            .arg(self.config_file())
            .arg("--runner=rest:0:1")
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", runner.display()));
        let mut child = Some(child);
        let ready = super::process::wait_until_ready(
            &mut child,
            Duration::from_secs(60),
            Duration::from_millis(50),
            || self.get("system/versions").0 == 200,
        );
        self.child = child;
        ready.map_err(|why| format!("the REST runner: {why} (no REST API)\n{}", self.log()))
    }

    /// Starts a stopped server again, on the same port and with the same database.
    pub fn start_again(&mut self) {
        if let Err(log) = self.spawn(&venv()) {
            panic!("Mailman core did not start again:\n{log}");
        }
    }

    /// Stops the server the way a crash does: the runner and its gunicorn worker are killed,
    /// so the port refuses connections at once (the database is thrown away anyway).
    /// Leftovers are the processes started with our config file (the worker gunicorn forked).
    pub fn stop(&mut self) {
        let config = self.config_file();
        let needle = config.as_os_str().as_encoded_bytes();
        super::process::stop(&mut self.child, |cmdline| {
            cmdline.split(|&b| b == 0).any(|arg| arg == needle)
        });
    }
}

impl Drop for Mailman {
    fn drop(&mut self) {
        self.stop();
    }
}

fn basic_auth() -> String {
    // The REST admin's credentials, base64 without a crate: "restadmin:Rest-Secret-42".
    const ENCODED: &str = "cmVzdGFkbWluOlJlc3QtU2VjcmV0LTQy";
    format!("Basic {ENCODED}")
}

fn reply(sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    match sent {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string().unwrap_or_default();
            (status, serde_json::from_str(&body).unwrap_or(Value::Null))
        }
        // Not up yet, or stopped: no HTTP status at all.
        Err(_) => (0, Value::Null),
    }
}

/// A port nobody listens on now (the kernel's pick; gunicorn binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The virtualenv with Mailman core, installed once per target directory. Test threads
/// share one answer; test processes take turns through a lock file.
fn venv() -> PathBuf {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(install)
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn install() -> Result<PathBuf, String> {
    let target = target_dir();
    let venv = target.join("mailman-venv");
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    let lock = File::create(target.join("mailman-venv.lock"))
        .map_err(|e| format!("mailman-venv.lock: {e}"))?;
    // SAFETY: flock(2) on a file we hold open; released when `lock` is closed.
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) } != 0 {
        return Err(format!(
            "cannot lock mailman-venv.lock: {}",
            std::io::Error::last_os_error()
        ));
    }
    let wanted =
        std::fs::read_to_string(REQUIREMENTS).map_err(|e| format!("{REQUIREMENTS}: {e}"))?;
    // Written last: a venv without it (an install cut short) is rebuilt.
    let stamp = venv.join("tldops-requirements.txt");
    let usable = || {
        venv.join("bin/runner").is_file()
            && Command::new(venv.join("bin/python"))
                .args(["-c", "import mailman"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    };
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && usable() {
        return Ok(venv);
    }

    let started = Instant::now();
    match std::fs::remove_dir_all(&venv) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot remove {}: {e}", venv.display()));
        }
        _ => {}
    }
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "creating a virtualenv for Mailman core failed \
         (needs python3 with venv: apt-get install python3-venv; tests/run does this)",
    )?;
    run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
            ])
            .args(["--quiet", "--no-deps", "--requirement", REQUIREMENTS]),
        "installing Mailman core from PyPI failed (is PyPI reachable?)",
    )?;
    run(
        Command::new(venv.join("bin/python")).args(["-m", "pip", "check"]),
        "mailman-requirements.txt misses a dependency",
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    eprintln!(
        "tests/integration/support/mailman.rs: installed Mailman core into {} in {:.0} s",
        venv.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(venv)
}

/// Runs a setup command; on failure, `what` and everything it printed.
fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what}: {:?} {}\n{}{}",
        command.get_program(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Cargo's target directory (it holds `CACHEDIR.TAG`), found from the test binary so that
/// `CARGO_TARGET_DIR` is honoured.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|d| d.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}
