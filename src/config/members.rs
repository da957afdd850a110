//! `[members]`: where the list's members are kept — written to a file (`export`), a Mailman 3
//! core (`mailman3`), or commands mailed to a list server (`email-command`). One section per
//! backend, so adding a backend adds a struct here and one match arm in `check`.

use std::path::PathBuf;

use serde::Deserialize;

use super::secret::{Secret, SecretSource};
use super::servers::secret_of;

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
