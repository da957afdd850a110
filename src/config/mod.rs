//! The config file: TOML, every section optional where a default makes sense, unknown keys
//! rejected. Errors name the file, the line and the key (see `error`).
//!
//! This module reads one file and checks it; it never opens the network or the database.

mod error;
mod paths;
mod secret;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

pub use error::ConfigError;
pub use paths::{Origin, Paths};
pub use secret::{ExposeSecret, Secret, SecretSource, oauth2_token};

use crate::domain::email::Email;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub list: ListConfig,
    pub imap: Option<ImapConfig>,
    pub outgoing: Option<OutgoingConfig>,
    pub trust: TrustConfig,
    pub chase: ChaseConfig,
    pub reconfirm: ReconfirmConfig,
    pub members: MembersConfig,
    pub keys: KeysConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListConfig {
    pub name: String,
    pub address: Option<String>,
    pub secretariat: Option<String>,
    pub max_contacts: u32,
    /// The signature under every mail (the `{signature}` of the templates).
    pub signature: String,
}

impl Default for ListConfig {
    fn default() -> Self {
        ListConfig {
            name: "TLD-OPS".into(),
            address: None,
            secretariat: None,
            max_contacts: 3,
            signature: "TLD-OPS Secretariat\nccNSO Secretariat".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
    None,
}

impl TlsMode {
    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
            TlsMode::None => "none",
        }
    }
}

/// How tldops proves who it is to a mail server (`[imap] auth`, `[outgoing] auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// IMAP `LOGIN` (SMTP `AUTH LOGIN`): user name and password.
    Login,
    /// SASL `PLAIN` (RFC 4616): user name and password.
    Plain,
    /// Google's and Microsoft's `XOAUTH2`: an OAuth2 access token.
    Xoauth2,
    /// RFC 7628 `OAUTHBEARER`: an OAuth2 access token.
    Oauthbearer,
}

impl AuthMethod {
    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Login => "login",
            AuthMethod::Plain => "plain",
            AuthMethod::Xoauth2 => "xoauth2",
            AuthMethod::Oauthbearer => "oauthbearer",
        }
    }

    /// Whether the method sends an OAuth2 token (else a password).
    pub fn uses_token(self) -> bool {
        matches!(self, AuthMethod::Xoauth2 | AuthMethod::Oauthbearer)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub username: String,
    pub password_command: Option<String>,
    pub password_env: Option<String>,
    pub password: Option<Secret>,
    /// How to log in; unset: the best the server offers among what is configured.
    pub auth: Option<AuthMethod>,
    /// Prints an OAuth2 access token (first line of stdout), for XOAUTH2 / OAUTHBEARER.
    pub oauth2_token_command: Option<String>,
    #[serde(default = "default_mailbox")]
    pub mailbox: String,
    #[serde(default = "default_poll_interval")]
    pub poll_interval: Interval,
    pub ca_file: Option<PathBuf>,
    /// Messages larger than this (bytes) are stored with their headers only.
    #[serde(default = "default_max_message_size")]
    pub max_message_size: u64,
}

/// 25 MB: larger than any reply naming contacts, smaller than a mailbox-filling attachment.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 25_000_000;

fn default_max_message_size() -> u64 {
    DEFAULT_MAX_MESSAGE_SIZE
}

impl ImapConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }

    pub fn secret(&self) -> Option<SecretSource> {
        secret_of(&self.password_command, &self.password_env, &self.password)
    }
}

/// The secret source of a section whose keys passed `Config::check` (so at most one is set).
fn secret_of(
    command: &Option<String>,
    env: &Option<String>,
    literal: &Option<Secret>,
) -> Option<SecretSource> {
    SecretSource::from_keys(command.as_ref(), env.as_ref(), literal.as_ref())
        .ok()
        .flatten()
}

fn default_mailbox() -> String {
    "INBOX".into()
}

fn default_poll_interval() -> Interval {
    Interval(Duration::from_secs(60))
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Smtp,
    #[default]
    File,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutgoingConfig {
    #[serde(default)]
    pub transport: Transport,
    /// For `file`: where the `.eml` files go (default: `sent-mail` in the data dir).
    pub dir: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password_command: Option<String>,
    pub password_env: Option<String>,
    pub password: Option<Secret>,
    /// `login`, `plain` or `xoauth2`; unset: PLAIN or LOGIN with the password.
    pub auth: Option<AuthMethod>,
    /// Prints an OAuth2 access token (first line of stdout), for `auth = "xoauth2"`.
    pub oauth2_token_command: Option<String>,
    pub ca_file: Option<PathBuf>,
    /// Send each mail with its own envelope sender, `local+token@domain` of the Secretariat's
    /// address (`crate::domain::verp`), so that a bounce names the mail it returns.
    #[serde(default)]
    pub verp: bool,
}

impl OutgoingConfig {
    pub fn secret(&self) -> Option<SecretSource> {
        secret_of(&self.password_command, &self.password_env, &self.password)
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VouchingRole {
    Admin,
    Tech,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustConfig {
    /// The authserv-id of the receiving server whose `Authentication-Results` are believed.
    pub authserv_id: Option<String>,
    pub vouching_roles: Vec<VouchingRole>,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            authserv_id: None,
            vouching_roles: vec![VouchingRole::Admin],
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChaseConfig {
    pub after: Interval,
    pub max_reminders: u32,
    pub escalate_to_tech: bool,
}

impl Default for ChaseConfig {
    fn default() -> Self {
        ChaseConfig {
            after: Interval(Duration::from_secs(14 * 86_400)),
            max_reminders: 3,
            escalate_to_tech: true,
        }
    }
}

impl ChaseConfig {
    pub fn rules(&self) -> crate::domain::chase::Rules {
        crate::domain::chase::Rules {
            after: self.after.0.as_secs(),
            max_reminders: self.max_reminders,
        }
    }
}

/// The yearly re-confirmation of each approved ccTLD's contacts (DESIGN §8.4).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconfirmConfig {
    /// How long a confirmation (or an approval) holds.
    pub every: Interval,
    /// Remind the admin contact this long after the request (or the last reminder).
    pub after: Interval,
    /// Reminders before the ccTLD shows as lapsed.
    pub max_reminders: u32,
}

impl Default for ReconfirmConfig {
    fn default() -> Self {
        ReconfirmConfig {
            every: Interval(Duration::from_secs(365 * 86_400)),
            after: Interval(Duration::from_secs(14 * 86_400)),
            max_reminders: 3,
        }
    }
}

impl ReconfirmConfig {
    pub fn rules(&self) -> crate::domain::reconfirm::Rules {
        crate::domain::reconfirm::Rules {
            every: self.every.0.as_secs(),
            after: self.after.0.as_secs(),
            max_reminders: self.max_reminders,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum MembersBackend {
    #[default]
    #[serde(rename = "export")]
    Export,
    #[serde(rename = "mailman3")]
    Mailman3,
    #[serde(rename = "email-command")]
    EmailCommand,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MembersConfig {
    pub backend: MembersBackend,
    pub export: ExportConfig,
    pub mailman3: Option<Mailman3Config>,
    #[serde(rename = "email-command")]
    pub email_command: Option<EmailCommandConfig>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Csv,
    Mailman,
    Vcard,
    /// The versioned JSON of `docs/members-export.md`, for regional organisations.
    Json,
}

impl ExportFormat {
    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Mailman => "mailman",
            ExportFormat::Vcard => "vcard",
            ExportFormat::Json => "json",
        }
    }

    /// The file name extension of a members file in this format.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Mailman => "txt",
            ExportFormat::Vcard => "vcf",
            ExportFormat::Json => "json",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExportConfig {
    /// Where the members file is written (default: `members.<ext>` in the data dir).
    pub path: Option<PathBuf>,
    pub format: ExportFormat,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailman3Config {
    /// Base URL of Mailman core's REST API, e.g. `http://localhost:8001`.
    pub url: String,
    /// The list's List-ID, e.g. `tld-ops.lists.example.org`.
    pub list_id: String,
    pub username: String,
    pub password_command: Option<String>,
    pub password_env: Option<String>,
    pub password: Option<Secret>,
}

impl Mailman3Config {
    pub fn secret(&self) -> Option<SecretSource> {
        secret_of(&self.password_command, &self.password_env, &self.password)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCommandConfig {
    /// The list server's command address, e.g. `sympa@lists.example.org`.
    pub request_address: String,
    /// Command line sent to subscribe one contact; `{email}`, `{name}` and `{list}` are filled in.
    #[serde(default = "default_subscribe")]
    pub subscribe: String,
    /// Command line sent to remove one contact.
    #[serde(default = "default_unsubscribe")]
    pub unsubscribe: String,
}

fn default_subscribe() -> String {
    "ADD {list} {email} {name}".into()
}

fn default_unsubscribe() -> String {
    "DEL {list} {email}".into()
}

/// Key bindings as written by the user: action name → one key or a list of keys.
pub type KeyOverrides = BTreeMap<String, KeySpec>;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

/// Per-view key overrides, merged onto the defaults by the TUI.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    pub global: KeyOverrides,
    pub queue: KeyOverrides,
    pub case: KeyOverrides,
    pub message: KeyOverrides,
    pub roster: KeyOverrides,
    pub log: KeyOverrides,
    pub coverage: KeyOverrides,
    pub messages: KeyOverrides,
}

/// A positive duration written for people: `"60s"`, `"14d"`, `"1h 30m"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl Interval {
    pub fn parse(text: &str) -> Result<Interval, String> {
        let span: jiff::Span = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (try \"60s\", \"15m\", \"14d\")"))?;
        let d = span
            .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .map_err(|e| format!("`{text}`: {e}"))?;
        if d.is_negative() || d.is_zero() {
            return Err(format!("`{text}` must be a positive duration"));
        }
        Duration::try_from(d)
            .map(Interval)
            .map_err(|e| format!("`{text}`: {e}"))
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Interval::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Config {
    /// Loads the config at `paths.config_file`. A missing file at the platform default means
    /// "all defaults"; a file named by flag or environment must exist.
    pub fn load(paths: &Paths) -> Result<Config, ConfigError> {
        let file = &paths.config_file;
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if paths.config_origin == Origin::Platform {
                    return Ok(Config::default());
                }
                return Err(ConfigError::in_file(file, "no such file"));
            }
            Err(e) => return Err(ConfigError::in_file(file, format!("cannot read: {e}"))),
        };
        let private = std::fs::metadata(file)
            .map(|m| m.permissions().mode() & 0o077 == 0)
            .unwrap_or(false);
        Config::parse(&text, file, private)
    }

    /// Parses and checks config text; `private` says whether the file is readable by its owner
    /// only (a literal `password` is refused otherwise).
    pub fn parse(text: &str, file: &Path, private: bool) -> Result<Config, ConfigError> {
        let syntax = |e: toml::de::Error| {
            let offset = e.span().map_or(0, |s| s.start);
            ConfigError::at_offset(file, text, offset, e.message().trim())
        };
        let table: toml::Table = toml::from_str(text).map_err(syntax)?;
        printable(&table, "")
            .map_err(|(key, message)| ConfigError::at_key(file, text, &key, message))?;
        let config: Config = toml::from_str(text).map_err(syntax)?;
        config
            .check(private)
            .map_err(|(key, message)| ConfigError::at_key(file, text, &key, message))?;
        Ok(config)
    }

    /// Checks what the types cannot: required combinations, addresses, secrets.
    fn check(&self, private: bool) -> Result<(), (String, String)> {
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
fn printable(table: &toml::Table, prefix: &str) -> Result<(), (String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/etc/t.toml"), false).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_gives_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.list.name, "TLD-OPS");
        assert_eq!(c.list.max_contacts, 3);
        assert_eq!(c.chase.after.0, Duration::from_secs(14 * 86_400));
        assert_eq!(c.trust.vouching_roles, [VouchingRole::Admin]);
        assert!(c.imap.is_none());
    }

    #[test]
    fn the_example_config_is_valid() {
        let text = include_str!("../../config.example.toml");
        let c = Config::parse(text, Path::new("config.example.toml"), false).unwrap();
        let imap = c.imap.unwrap();
        assert_eq!(imap.port(), 993);
        assert_eq!(imap.poll_interval.0, Duration::from_secs(60));
        assert!(matches!(imap.secret(), Some(SecretSource::Command(_))));
    }

    #[test]
    fn intervals() {
        assert_eq!(Interval::parse("90s").unwrap().0, Duration::from_secs(90));
        assert_eq!(
            Interval::parse("1h 30m").unwrap().0,
            Duration::from_secs(5400)
        );
        assert!(Interval::parse("0s").is_err());
        assert!(Interval::parse("-5s").is_err());
        assert!(Interval::parse("soon").is_err());
    }

    #[test]
    fn errors_name_line_and_key() {
        let cases = [
            (
                "[imap]\nhots = \"x\"\n",
                "line 2: imap.hots: unknown field `hots`",
            ),
            (
                "[imap]\nhost = \"h\"\nusername = \"u\"\npassword_env = \"P\"\nport = \"abc\"\n",
                "line 5: imap.port: invalid type: string \"abc\"",
            ),
            ("\n[imapp]\n", "line 2: imapp: unknown field `imapp`"),
            (
                "[imap]\nhost = \"h\"\n",
                "line 1: imap: missing field `username`",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\ntls = \"ssl\"\n",
                "line 5: imap.tls: unknown variant `ssl`",
            ),
            (
                "[chase]\nafter = \"fortnight\"\n",
                "line 2: chase.after: `fortnight` is not a duration",
            ),
            (
                "[list]\nsecretariat = \"Secretariat <s@x.org>\"\n",
                "line 2: list.secretariat: `Secretariat <s@x.org>` is not an email address",
            ),
            (
                "[list]\nmax_contacts = 0\n",
                "line 2: list.max_contacts: must be at least 1",
            ),
            ("[list\nname = 1\n", "line 1: list: unclosed table"),
            (
                "[keys.queeu]\napprove = \"a\"\n",
                "line 1: keys.queeu: unknown field `queeu`",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\n",
                "line 1: imap: no password: set password_command (or password_env), or \
                 oauth2_token_command for OAuth2",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\nauth = \"xoauth2\"\n",
                "line 5: imap.auth: auth = \"xoauth2\" needs oauth2_token_command",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\noauth2_token_command=\"oama access u\"\nauth = \"plain\"\n",
                "line 5: imap.auth: auth = \"plain\" needs a password",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\noauth2_token_command=\"x\"\nauth = \"kerberos\"\n",
                "line 5: imap.auth: unknown variant `kerberos`",
            ),
            (
                "[outgoing]\ntransport=\"smtp\"\nhost=\"h\"\nusername=\"u\"\noauth2_token_command=\"x\"\nauth=\"oauthbearer\"\n",
                "line 6: outgoing.auth: OAUTHBEARER is not available for SMTP",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\npassword_command=\"pass x\"\n",
                "imap.password_command: give only one of",
            ),
            (
                "[outgoing]\ntransport = \"smtp\"\n",
                "line 1: outgoing: transport = \"smtp\" needs host",
            ),
            (
                "[members]\nbackend = \"mailman3\"\n",
                "line 2: members.backend: backend \"mailman3\" needs a [members.mailman3] section",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with("config /etc/t.toml "), "{err}");
            assert!(
                err.contains(expected),
                "{text:?}\n got: {err}\nwant: {expected}"
            );
            assert!(!err.contains('\n'), "multi-line error: {err:?}");
        }
    }

    #[test]
    fn literal_password_only_in_private_file() {
        let text = "[imap]\nhost=\"h\"\nusername=\"u\"\npassword = \"hunter2\"\n";
        let err = parse(text).unwrap_err();
        assert!(
            err.contains("line 4: imap.password: a password in clear text is refused"),
            "{err}"
        );
        assert!(!err.contains("hunter2"));
        let ok = Config::parse(text, Path::new("/p.toml"), true).unwrap();
        // Never printed, not even by the config's Debug.
        assert!(!format!("{ok:?}").contains("hunter2"));
        match ok.imap.unwrap().secret() {
            Some(SecretSource::Literal(p)) => assert_eq!(p.expose_secret(), "hunter2"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn oauth2_needs_no_password() {
        let c = parse(
            "[imap]\nhost=\"h\"\nusername=\"u\"\noauth2_token_command=\"oama access u\"\n\
             [outgoing]\ntransport=\"smtp\"\nhost=\"h\"\nusername=\"u\"\nauth=\"xoauth2\"\n\
             oauth2_token_command=\"oama access u\"\n",
        )
        .unwrap();
        let imap = c.imap.unwrap();
        assert!(imap.secret().is_none());
        assert_eq!(imap.auth, None);
        assert_eq!(c.outgoing.unwrap().auth, Some(AuthMethod::Xoauth2));
    }

    #[test]
    fn key_overrides_take_one_or_many_keys() {
        let c = parse("[keys.queue]\napprove = \"A\"\nreject = [\"r\", \"x\"]\n").unwrap();
        assert_eq!(c.keys.queue["approve"], KeySpec::One("A".into()));
        assert_eq!(
            c.keys.queue["reject"],
            KeySpec::Many(vec!["r".into(), "x".into()])
        );
    }
}
