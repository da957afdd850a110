//! Passwords: from a command (`password_command`, run through `sh -c`, first line of stdout),
//! from an environment variable, or — only in a private config file — written out. OAuth2
//! access tokens come from `oauth2_token_command`, run the same way.
//!
//! A password or token, once read, is a [`Secret`] (secrecy's `SecretString`): its `Debug`
//! prints `[REDACTED]`, it is wiped from memory when dropped, and reading it takes an explicit
//! `expose_secret()` where it is sent.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use secrecy::{ExposeSecret, SecretString as Secret};

/// Where a password comes from. `Debug` never shows a literal password.
#[derive(Clone, Debug)]
pub enum SecretSource {
    Command(String),
    Env(String),
    Literal(Secret),
}

impl SecretSource {
    /// Picks the one source a config section gives; more than one is an error.
    pub fn from_keys(
        command: Option<&String>,
        env: Option<&String>,
        literal: Option<&Secret>,
    ) -> Result<Option<SecretSource>, String> {
        match (command, env, literal) {
            (None, None, None) => Ok(None),
            (Some(c), None, None) => Ok(Some(SecretSource::Command(c.clone()))),
            (None, Some(e), None) => Ok(Some(SecretSource::Env(e.clone()))),
            (None, None, Some(p)) => Ok(Some(SecretSource::Literal(p.clone()))),
            _ => Err("give only one of password_command, password_env and password".into()),
        }
    }

    /// Produces the password. Errors say which source failed and why, never the secret.
    pub fn resolve(&self) -> Result<Secret, String> {
        match self {
            SecretSource::Literal(p) => Ok(p.clone()),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(v.into()),
                Ok(_) => Err(format!("password_env: ${var} is empty")),
                Err(_) => Err(format!("password_env: ${var} is not set")),
            },
            SecretSource::Command(cmd) => run_command("password_command", cmd),
        }
    }
}

/// Runs `oauth2_token_command` (`key`: where it is set, as errors name it) for a fresh access
/// token. Token helpers (oama, mutt_oauth2.py, a provider's CLI) keep the refresh token and
/// renew the access token themselves; tldops runs the command when it logs in and once more
/// when the server refuses the token.
pub fn oauth2_token(key: &str, cmd: &str) -> Result<Secret, String> {
    run_command(key, cmd)
}

/// How long a password or token command may take. A token helper renews over the network in
/// a second or two; one that hangs (a dead network, a sign-in page nobody sees) must not hold
/// up every poll for ever, nor sit on a connection the server drops meanwhile.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The commands running now (their `sh`'s PIDs, not yet reaped): stopped by
/// [`stop_running_commands`] when tldops exits while one still runs (the TUI quit while its
/// poller waited for a token).
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Set while a full-screen UI owns the terminal: commands then run without one (a new
/// session), so a helper that would prompt on /dev/tty fails at once, and says so, instead of
/// drawing over the screen and taking the keys.
static NO_TERMINAL: AtomicBool = AtomicBool::new(false);

/// From now on, password and token commands run without the terminal (the TUI's).
pub fn commands_without_terminal() {
    NO_TERMINAL.store(true, Ordering::SeqCst);
}

/// Stops the password and token commands still running (at exit, or on a stop signal: else
/// they outlive tldops, or hold up its stop).
pub fn stop_running_commands() {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    for &pid in running.iter() {
        // Not yet reaped (the lock is held around the reaping), so the PID is still this one.
        kill_tree(pid, libc::SIGTERM);
    }
}

/// Sends `signal` to `pid` and to what it started: `sh -c 'sleep 9; echo x'` runs `sleep` as
/// a child, which would otherwise live on (found through /proc; elsewhere only `pid`).
fn kill_tree(pid: u32, signal: libc::c_int) {
    let mut tree = vec![pid];
    let mut at = 0;
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
            let parent = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((child, parent))
        })
        .collect();
    while at < tree.len() {
        let parent = tree[at];
        tree.extend(parents.iter().filter(|p| p.1 == parent).map(|p| p.0));
        at += 1;
    }
    for pid in tree {
        unsafe { libc::kill(pid as libc::pid_t, signal) };
    }
}

fn run_command(key: &str, cmd: &str) -> Result<Secret, String> {
    run_command_within(key, cmd, COMMAND_TIMEOUT)
}

fn run_command_within(key: &str, cmd: &str, limit: Duration) -> Result<Secret, String> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if NO_TERMINAL.load(Ordering::SeqCst) {
        // SAFETY: setsid is async-signal-safe, as a pre_exec hook must be.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("{key}: cannot run sh: {e}"))?;
    let pid = child.id();
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
    // Read while it runs: a command that prints more than a pipe holds would wait for ever.
    // Of stdout only the first line counts: a helper that leaves a child of its own behind
    // holding the pipe (`sleep 600 &`) has answered once that line is there. The rest is
    // read and dropped: a pipe closed early would fail the helper's later writes.
    let read = |pipe: Option<Box<dyn Read + Send>>, first_line: bool| {
        let (bytes_out, bytes) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut answered = false;
            if let Some(mut pipe) = pipe {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    if answered {
                        continue;
                    }
                    bytes.extend_from_slice(&chunk[..n]);
                    if first_line && bytes.contains(&b'\n') {
                        answered = true;
                        let _ = bytes_out.send(std::mem::take(&mut bytes));
                    }
                }
            }
            if !answered {
                let _ = bytes_out.send(bytes);
            }
        });
        bytes
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as _), true);
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as _), false);
    let timed_out = || {
        format!(
            "{key} `{cmd}` did not finish in {} s, and was stopped: run it by hand to see \
             what it waits for (a network, a sign-in, a passphrase)",
            limit.as_secs()
        )
    };
    let deadline = Instant::now() + limit;
    let status = loop {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        let exited = child.try_wait();
        let over = Instant::now() >= deadline;
        if !matches!(exited, Ok(None)) || over {
            running.retain(|&p| p != pid);
        }
        drop(running);
        match exited {
            Ok(Some(status)) => break status,
            Ok(None) if over => {
                kill_tree(pid, libc::SIGKILL);
                let _ = child.wait();
                return Err(timed_out());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{key} `{cmd}`: {e}")),
        }
    };
    // What it printed: its first line (or all, to its end), up to the same limit; of stderr,
    // what came by a moment after it ended (a child left behind may hold it open).
    let left = || deadline.saturating_duration_since(Instant::now());
    let stdout = stdout.recv_timeout(left()).map_err(|_| timed_out())?;
    let stderr = stderr
        .recv_timeout(left().min(Duration::from_millis(200)))
        .unwrap_or_default();
    if !status.success() {
        let status = status.code().map_or_else(
            || "killed by a signal".to_string(),
            |c| format!("exit status {c}"),
        );
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr = stderr.trim();
        return Err(if stderr.is_empty() {
            format!("{key} `{cmd}` failed with {status}")
        } else {
            format!("{key} `{cmd}` failed with {status}: {stderr}")
        });
    }
    let stdout = Secret::from(
        String::from_utf8(stdout)
            .map_err(|_| format!("{key} `{cmd}` printed something that is not UTF-8"))?,
    );
    let first = stdout
        .expose_secret()
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r');
    if first.is_empty() {
        return Err(format!(
            "{key} `{cmd}` printed an empty first line (it must print the secret on its first \
             line: run it by hand to see what it prints)"
        ));
    }
    Ok(first.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_gives_first_line() {
        let s = SecretSource::Command("printf 's3cret\\nsecond line\\n'".into());
        assert_eq!(s.resolve().unwrap().expose_secret(), "s3cret");
    }

    #[test]
    fn failing_command_reports_status_and_stderr() {
        let s = SecretSource::Command("echo 'gpg: decryption failed' >&2; exit 3".into());
        let err = s.resolve().unwrap_err();
        assert!(err.contains("exit status 3"), "{err}");
        assert!(err.contains("gpg: decryption failed"), "{err}");
        let empty = SecretSource::Command("true".into()).resolve().unwrap_err();
        assert!(empty.contains("empty first line"), "{empty}");
    }

    #[test]
    fn token_command_errors_name_its_key() {
        assert_eq!(
            oauth2_token("imap.oauth2_token_command", "echo tok-1")
                .unwrap()
                .expose_secret(),
            "tok-1"
        );
        let err = oauth2_token("imap.oauth2_token_command", "exit 2").unwrap_err();
        assert!(
            err.starts_with("imap.oauth2_token_command `exit 2` failed"),
            "{err}"
        );
    }

    /// Whether a process whose command line holds `mark` runs (not a zombie).
    fn running(mark: &str) -> bool {
        std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(mark)
                && !stat
                    .rsplit_once(')')
                    .is_some_and(|(_, s)| s.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn a_command_that_hangs_is_stopped_with_what_it_started() {
        // Unique to this run, as the other marks below: not a leftover of an earlier one.
        let mark = format!("41.{:06}", std::process::id());
        let cmd = format!("sleep {mark}; echo late");
        let started = Instant::now();
        let err = run_command_within("k", &cmd, Duration::from_secs(1)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(
            err.starts_with(&format!("k `{cmd}` did not finish in 1 s, and was stopped")),
            "{err}"
        );
        assert!(!running(&mark), "the shell's child lives on");
    }

    /// `sleep 600 & echo tok` answered at once, yet was waited for until its time limit:
    /// the background child held the pipe. Its first line is its answer.
    #[test]
    fn a_helper_that_leaves_a_child_behind_has_answered_with_its_first_line() {
        let started = Instant::now();
        let mark = format!("45.{:06}", std::process::id());
        let cmd = format!("sleep {mark} & echo tok");
        let token = run_command_within("k", &cmd, Duration::from_secs(20));
        assert_eq!(token.unwrap().expose_secret(), "tok");
        assert!(started.elapsed() < Duration::from_secs(5));
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains(&mark) {
                let pid: i32 = e.file_name().to_str().unwrap().parse().unwrap();
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }

    /// Once the first line had come, the pipe was closed: a helper that went on printing
    /// (`pass show` prints more lines after the password) failed writing them.
    #[test]
    fn a_helper_may_print_more_after_its_first_line() {
        let cmd = "echo pw; sleep 0.2; i=0; while [ $i -lt 2000 ]; do \
                   echo 'more output after the password, line by line'; i=$((i+1)); done";
        let token = run_command_within("k", cmd, Duration::from_secs(20));
        assert_eq!(token.unwrap().expose_secret(), "pw");
    }

    #[test]
    fn stopping_a_command_stops_its_children() {
        let mark = format!("sleep 42.{:06}", std::process::id());
        let mut child = Command::new("sh")
            .args(["-c", &format!("{mark}; echo x")])
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(5);
        while !running(&mark) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(running(&mark));
        kill_tree(child.id(), libc::SIGTERM);
        assert!(!child.wait().unwrap().success());
        let until = Instant::now() + Duration::from_secs(5);
        while running(&mark) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!running(&mark), "sleep outlived its shell");
    }

    #[test]
    fn env_must_be_set() {
        let err = SecretSource::Env("TLDOPS_TEST_SURELY_UNSET".into())
            .resolve()
            .unwrap_err();
        assert!(
            err.contains("$TLDOPS_TEST_SURELY_UNSET is not set"),
            "{err}"
        );
    }

    #[test]
    fn debug_hides_literal_and_resolved_secrets() {
        let s = SecretSource::Literal("hunter2".into());
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", s.resolve()).contains("hunter2"));
        let token = oauth2_token("imap.oauth2_token_command", "echo tok-1");
        assert!(!format!("{token:?}").contains("tok-1"), "{token:?}");
    }

    #[test]
    fn only_one_source() {
        let (a, b) = ("x".to_string(), "y".to_string());
        assert!(SecretSource::from_keys(Some(&a), Some(&b), None).is_err());
        assert!(matches!(
            SecretSource::from_keys(None, None, None),
            Ok(None)
        ));
    }
}
