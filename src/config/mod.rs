//! The config file: TOML, every section optional where a default makes sense, unknown keys
//! rejected. Errors name the file, the line and the key (see `error`).
//!
//! This module reads one file and checks it; it never opens the network or the database.

mod check;
mod error;
mod interval;
mod keys;
mod members;
mod paths;
mod procedure;
mod secret;
mod servers;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde::Deserialize;

pub use error::ConfigError;
pub use interval::{Interval, friendly};
pub use keys::{KeyOverrides, KeySpec, KeysConfig};
pub use members::{
    EmailCommandConfig, ExportConfig, ExportFormat, Mailman3Config, MembersBackend, MembersConfig,
};
pub use paths::{DATABASE_FILE, Origin, Paths};
pub use procedure::{ChaseConfig, ListConfig, ReconfirmConfig, TrustConfig, VouchingRole};
pub use secret::{
    ExposeSecret, Secret, SecretSource, commands_without_terminal, oauth2_token,
    stop_running_commands,
};
pub use servers::{
    AuthMethod, DEFAULT_MAX_MESSAGE_SIZE, ImapConfig, OutgoingConfig, TlsMode, Transport,
};

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
        check::printable(&table, "")
            .map_err(|(key, message)| ConfigError::at_key(file, text, &key, message))?;
        let config: Config = toml::from_str(text).map_err(syntax)?;
        config
            .check(private)
            .map_err(|(key, message)| ConfigError::at_key(file, text, &key, message))?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
                "line 2: imap.hots: unknown key `hots`: did you mean `host`?",
            ),
            (
                "[imap]\nhost = \"h\"\nusername = \"u\"\npassword_env = \"P\"\nport = \"abc\"\n",
                "line 5: imap.port: invalid type: string \"abc\"",
            ),
            (
                "\n[imapp]\n",
                "line 2: imapp: unknown key `imapp`: did you mean `imap`?",
            ),
            (
                "[imap]\nhost = \"h\"\n",
                "line 1: imap: missing field `username`",
            ),
            (
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\ntls = \"ssl\"\n",
                "line 5: imap.tls: `ssl` is not a choice here: write one of \"implicit\", \"starttls\", \"none\"",
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
                "line 1: keys.queeu: unknown key `queeu`: did you mean `queue`?",
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
                "line 5: imap.auth: `kerberos` is not a choice here: write one of \"login\", \"plain\", \"xoauth2\", \"oauthbearer\"",
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
    fn choices_are_read_whatever_their_case() {
        let c = parse(
            "[imap]\nhost=\"h\"\nusername=\"u\"\noauth2_token_command=\"x\"\n\
             tls = \"STARTTLS\"\nauth = \"XOAUTH2\"\n",
        )
        .unwrap();
        let imap = c.imap.unwrap();
        assert_eq!(imap.tls, TlsMode::Starttls);
        assert_eq!(imap.auth, Some(AuthMethod::Xoauth2));
        for m in [TlsMode::Implicit, TlsMode::Starttls, TlsMode::None] {
            let text = format!(
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\ntls=\"{}\"\n",
                m.as_str()
            );
            assert_eq!(parse(&text).unwrap().imap.unwrap().tls, m);
        }
        for m in [AuthMethod::Login, AuthMethod::Plain] {
            let text = format!(
                "[imap]\nhost=\"h\"\nusername=\"u\"\npassword_env=\"P\"\nauth=\"{}\"\n",
                m.as_str()
            );
            assert_eq!(parse(&text).unwrap().imap.unwrap().auth, Some(m));
        }
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
