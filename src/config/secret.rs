//! Passwords: from a command (`password_command`, run through `sh -c`, first line of stdout),
//! from an environment variable, or — only in a private config file — written out. OAuth2
//! access tokens come from `oauth2_token_command`, run the same way.
//!
//! A password or token, once read, is a [`Secret`] (secrecy's `SecretString`): its `Debug`
//! prints `[REDACTED]`, it is wiped from memory when dropped, and reading it takes an explicit
//! `expose_secret()` where it is sent.

use std::process::{Command, Stdio};

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

/// Runs `oauth2_token_command` for a fresh access token. Token helpers (oama, mutt_oauth2.py,
/// a provider's CLI) keep the refresh token and renew the access token themselves; tldops runs
/// the command when it logs in and once more when the server refuses the token.
pub fn oauth2_token(cmd: &str) -> Result<Secret, String> {
    run_command("oauth2_token_command", cmd)
}

fn run_command(key: &str, cmd: &str) -> Result<Secret, String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{key}: cannot run sh: {e}"))?;
    if !out.status.success() {
        let status = out.status.code().map_or_else(
            || "killed by a signal".to_string(),
            |c| format!("exit status {c}"),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr = stderr.trim();
        return Err(if stderr.is_empty() {
            format!("{key} `{cmd}` failed with {status}")
        } else {
            format!("{key} `{cmd}` failed with {status}: {stderr}")
        });
    }
    let stdout = Secret::from(
        String::from_utf8(out.stdout)
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
        assert_eq!(oauth2_token("echo tok-1").unwrap().expose_secret(), "tok-1");
        let err = oauth2_token("exit 2").unwrap_err();
        assert!(
            err.starts_with("oauth2_token_command `exit 2` failed"),
            "{err}"
        );
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
        let token = oauth2_token("echo tok-1");
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
