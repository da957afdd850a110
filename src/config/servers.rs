//! The two mail servers' sections, `[imap]` (where replies are read) and `[outgoing]` (how
//! mail is sent): host, TLS mode, how to log in and where the secret comes from. Kept apart
//! from the procedure's settings because both sections share the same connection vocabulary
//! (`TlsMode`, `AuthMethod`, the secret keys) and change together when a server does.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::interval::Interval;
use super::secret::{Secret, SecretSource};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
    None,
}

impl TlsMode {
    /// The config's spellings, in the order of the variants (the one place they are written).
    const NAMES: &[&str] = &["implicit", "starttls", "none"];

    /// What `tls = "none"` means, said wherever it is used (the log, `poll`'s warning).
    pub const CLEARTEXT: &str =
        "imap.tls = \"none\": the login and mail cross the network in clear";

    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// How tldops proves who it is to a mail server (`[imap] auth`, `[outgoing] auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The config's spellings, in the order of the variants (the one place they are written).
    const NAMES: &[&str] = &["login", "plain", "xoauth2", "oauthbearer"];

    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the method sends an OAuth2 token (else a password).
    pub fn uses_token(self) -> bool {
        matches!(self, AuthMethod::Xoauth2 | AuthMethod::Oauthbearer)
    }
}

/// A choice read whatever its case (`XOAUTH2` as the mechanism's documentation writes it,
/// `Implicit`): the value of the same place in `values` as its name in `names`, or serde's
/// error naming them all.
fn choice<'de, D, T>(d: D, names: &'static [&'static str], values: &[T]) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Copy,
{
    let value = String::deserialize(d)?;
    names
        .iter()
        .zip(values)
        .find(|(name, _)| name.eq_ignore_ascii_case(value.trim()))
        .map(|(_, v)| *v)
        .ok_or_else(|| serde::de::Error::unknown_variant(&value, names))
}

impl<'de> Deserialize<'de> for TlsMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use TlsMode::*;
        choice(d, TlsMode::NAMES, &[Implicit, Starttls, None])
    }
}

impl<'de> Deserialize<'de> for AuthMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use AuthMethod::*;
        choice(d, AuthMethod::NAMES, &[Login, Plain, Xoauth2, Oauthbearer])
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
pub(super) fn secret_of(
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
