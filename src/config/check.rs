//! What the types cannot check: required combinations of keys, addresses, that a secret comes
//! from one place only (and in clear text only from a private file), that credentials fit the
//! chosen `auth`, and that no value carries a control or invisible character. Apart from the
//! section types so that each rule is read in one place, whatever section it concerns.

use std::path::Path;

use super::{AuthMethod, Config, MembersBackend, Secret, SecretSource, Transport};
use crate::domain::email::Email;

impl Config {
    /// Checks what the types cannot: required combinations, addresses, secrets.
    pub(super) fn check(&self, private: bool) -> Result<(), (String, String)> {
        let secret = |section: &str,
                      cmd: Option<&String>,
                      env: Option<&String>,
                      lit: Option<&Secret>|
         -> Result<Option<SecretSource>, (String, String)> {
            let source = SecretSource::from_keys(cmd, env, lit)
                .map_err(|m| (format!("{section}.password_command"), m))?;
            if matches!(source, Some(SecretSource::Literal(_))) && !private {
                return fail(
                    &format!("{section}.password"),
                    "a password in clear text is refused unless the config file is private \
                     (chmod 600 it), or use password_command / password_env",
                );
            }
            Ok(source)
        };
        let address = |key: &str, value: Option<&String>| match value.map(|v| Email::parse(v)) {
            Some(Err(e)) => fail(key, e),
            _ => Ok(()),
        };
        let non_empty = |key: &str, value: &str| {
            if value.trim().is_empty() {
                fail(key, "must not be empty")
            } else {
                Ok(())
            }
        };

        address("list.address", self.list.address.as_ref())?;
        address("list.secretariat", self.list.secretariat.as_ref())?;
        non_empty("list.name", &self.list.name)?;
        if self.list.max_contacts == 0 {
            return fail("list.max_contacts", "must be at least 1");
        }

        if let Some(imap) = &self.imap {
            non_empty("imap.host", &imap.host)?;
            non_empty("imap.username", &imap.username)?;
            non_empty("imap.mailbox", &imap.mailbox)?;
            let source = secret(
                "imap",
                imap.password_command.as_ref(),
                imap.password_env.as_ref(),
                imap.password.as_ref(),
            )?;
            check_auth(
                "imap",
                imap.auth,
                source.is_some(),
                imap.oauth2_token_command.as_deref(),
            )?;
            check_file("imap.ca_file", imap.ca_file.as_deref())?;
        }

        if let Some(out) = &self.outgoing {
            let source = secret(
                "outgoing",
                out.password_command.as_ref(),
                out.password_env.as_ref(),
                out.password.as_ref(),
            )?;
            if out.transport == Transport::Smtp {
                match &out.host {
                    None => return fail("outgoing", "transport = \"smtp\" needs host"),
                    Some(h) => non_empty("outgoing.host", h)?,
                }
                if out.auth == Some(AuthMethod::Oauthbearer) {
                    return fail(
                        "outgoing.auth",
                        "OAUTHBEARER is not available for SMTP: use auth = \"xoauth2\" \
                         (Microsoft 365 and Gmail accept it)",
                    );
                }
                if out.auth.is_some() && out.username.is_none() {
                    return fail("outgoing.auth", "needs outgoing.username");
                }
                if out.username.is_some() {
                    let token = out.oauth2_token_command.as_deref();
                    if out.auth.is_none() && source.is_none() && token.is_some() {
                        return fail(
                            "outgoing.oauth2_token_command",
                            "set auth = \"xoauth2\" to use it",
                        );
                    }
                    check_auth("outgoing", out.auth, source.is_some(), token)?;
                }
            }
            check_file("outgoing.ca_file", out.ca_file.as_deref())?;
        }

        if let Some(id) = &self.trust.authserv_id {
            non_empty("trust.authserv_id", id)?;
        }
        if self.trust.vouching_roles.is_empty() {
            return fail(
                "trust.vouching_roles",
                "must name at least one role (\"admin\")",
            );
        }

        match self.members.backend {
            MembersBackend::Export => {}
            MembersBackend::Mailman3 => {
                let Some(m) = &self.members.mailman3 else {
                    return fail(
                        "members.backend",
                        "backend \"mailman3\" needs a [members.mailman3] section",
                    );
                };
                if !(m.url.starts_with("http://") || m.url.starts_with("https://")) {
                    return fail(
                        "members.mailman3.url",
                        "must start with http:// or https://",
                    );
                }
                non_empty("members.mailman3.list_id", &m.list_id)?;
                if secret(
                    "members.mailman3",
                    m.password_command.as_ref(),
                    m.password_env.as_ref(),
                    m.password.as_ref(),
                )?
                .is_none()
                {
                    return fail(
                        "members.mailman3",
                        "no password: set password_command (or password_env)",
                    );
                }
            }
            MembersBackend::EmailCommand => {
                let Some(m) = &self.members.email_command else {
                    return fail(
                        "members.backend",
                        "backend \"email-command\" needs a [members.email-command] section",
                    );
                };
                address(
                    "members.email-command.request_address",
                    Some(&m.request_address),
                )?;
            }
        }
        Ok(())
    }
}

fn fail<T>(key: &str, message: impl Into<String>) -> Result<T, (String, String)> {
    Err((key.to_string(), message.into()))
}

/// The credentials a section's `auth` needs are there: a token command for OAuth2, a password
/// for LOGIN and PLAIN, at least one of the two when `auth` is unset.
fn check_auth(
    section: &str,
    auth: Option<AuthMethod>,
    password: bool,
    token_command: Option<&str>,
) -> Result<(), (String, String)> {
    if let Some(cmd) = token_command
        && cmd.trim().is_empty()
    {
        return fail(
            &format!("{section}.oauth2_token_command"),
            "must not be empty",
        );
    }
    let token = token_command.is_some();
    match auth {
        Some(m) if m.uses_token() && !token => fail(
            &format!("{section}.auth"),
            format!(
                "auth = \"{}\" needs oauth2_token_command (a command printing an access token)",
                m.as_str()
            ),
        ),
        Some(m) if !m.uses_token() && !password => fail(
            &format!("{section}.auth"),
            format!(
                "auth = \"{}\" needs a password: set password_command (or password_env)",
                m.as_str()
            ),
        ),
        None if !password && !token => fail(
            section,
            "no password: set password_command (or password_env), or oauth2_token_command \
             for OAuth2",
        ),
        _ => Ok(()),
    }
}

fn check_file(key: &str, path: Option<&Path>) -> Result<(), (String, String)> {
    match path {
        Some(p) if !p.is_file() => Err((key.into(), format!("{}: no such file", p.display()))),
        _ => Ok(()),
    }
}

/// Refuses a config string that holds a control character, an escape sequence, a bidi control
/// or an invisible character: config values reach subjects, mail and the terminal (a
/// `list.name` carrying an OSC 52 sequence would write the operator's clipboard). Only the
/// signature may span lines; passwords are the server's business.
pub(super) fn printable(table: &toml::Table, prefix: &str) -> Result<(), (String, String)> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let strings: Vec<&str> = match value {
            toml::Value::String(s) => vec![s],
            toml::Value::Array(a) => a.iter().filter_map(toml::Value::as_str).collect(),
            toml::Value::Table(t) => {
                printable(t, &key)?;
                continue;
            }
            _ => continue,
        };
        if name == "password" {
            continue;
        }
        for s in strings {
            if let Some(c) = crate::domain::message::unsafe_char(s, name == "signature") {
                return fail(
                    &key,
                    format!(
                        "holds the invisible or control character U+{:04X}: remove it",
                        c as u32
                    ),
                );
            }
        }
    }
    Ok(())
}
