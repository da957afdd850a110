//! SMTP submission with lettre: one connection per message (sending is rare, and the outbox
//! retries), TLS verified against the system roots plus `outgoing.ca_file`, STARTTLS required
//! when configured (never a silent fallback to plain text), and every failure sorted into
//! "retry later" or "give up" with the server's reply in the text.

mod failure;
mod tls;

use std::borrow::Cow;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use lettre::Address;
use lettre::Transport as _;
use lettre::address::Envelope as LettreEnvelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::Tls;
use lettre::transport::smtp::{SmtpTransport as Lettre, SmtpTransportBuilder};
use rustls::pki_types::ServerName;

use super::{Envelope, SendError, Transport};
use crate::config::{AuthMethod, ExposeSecret, OutgoingConfig, Secret, TlsMode};

/// For the TCP connect and for every read and write after it (lettre has one timeout for
/// both): a server silent for longer counts as gone, and the message is retried later.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The server of `[outgoing]`, as a [`Transport`].
pub struct SmtpTransport {
    /// `host:port`, to prefix every error and log line.
    server: String,
    host: String,
    builder: SmtpTransportBuilder,
    lettre: Lettre,
    /// Kept only to mask it, should a server ever echo it in a reply.
    password: Option<Secret>,
    /// For `auth = "xoauth2"`: the user, the token command, and the token it last printed.
    oauth2: Option<OAuth2>,
    tls: TlsMode,
    timeout: Duration,
}

struct OAuth2 {
    user: String,
    command: String,
    token: Option<Secret>,
}

impl SmtpTransport {
    /// A transport for `config`; nothing touches the network until the first `send`. Fails
    /// when the config cannot work: no host, a username without a password, an unreadable
    /// `ca_file`.
    pub fn new(config: &OutgoingConfig, password: Option<Secret>) -> Result<SmtpTransport> {
        let host = config
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or_else(|| anyhow!("outgoing: transport = \"smtp\" needs host"))?
            .to_string();
        let port = config.port();
        let server = format!("{host}:{port}");

        let tls = match config.tls {
            TlsMode::None => {
                tracing::warn!(
                    "{server}: outgoing.tls = \"none\": mail and any password cross the \
                     network in clear"
                );
                Tls::None
            }
            mode => {
                ServerName::try_from(host.as_str()).map_err(|_| {
                    anyhow!("outgoing.host `{host}` is not a valid TLS server name")
                })?;
                let parameters = tls::parameters(&host, config.ca_file.as_deref())?;
                if mode == TlsMode::Implicit {
                    Tls::Wrapper(parameters)
                } else {
                    Tls::Required(parameters)
                }
            }
        };

        let mut builder = Lettre::builder_dangerous(host.as_str())
            .port(port)
            .tls(tls)
            .timeout(Some(DEFAULT_TIMEOUT));
        let mut oauth2 = None;
        match (&config.username, config.auth) {
            (Some(user), Some(AuthMethod::Xoauth2)) => {
                let command = config.oauth2_token_command.clone().ok_or_else(|| {
                    anyhow!("outgoing: auth = \"xoauth2\" needs oauth2_token_command")
                })?;
                builder = builder.authentication(vec![Mechanism::Xoauth2]);
                oauth2 = Some(OAuth2 {
                    user: user.clone(),
                    command,
                    token: None,
                });
            }
            (_, Some(AuthMethod::Oauthbearer)) => {
                bail!("outgoing: OAUTHBEARER is not available for SMTP: use auth = \"xoauth2\"")
            }
            (Some(user), auth) => {
                let Some(pass) = &password else {
                    bail!("outgoing.username is set but no password was given");
                };
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    pass.expose_secret().to_string(),
                ));
                match auth {
                    Some(AuthMethod::Login) => {
                        builder = builder.authentication(vec![Mechanism::Login]);
                    }
                    Some(AuthMethod::Plain) => {
                        builder = builder.authentication(vec![Mechanism::Plain]);
                    }
                    _ => {}
                }
            }
            (None, Some(_)) => bail!("outgoing.auth needs outgoing.username"),
            (None, None) => {}
        }
        Ok(SmtpTransport {
            server,
            host,
            lettre: builder.clone().build(),
            builder,
            password,
            oauth2,
            tls: config.tls,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// With XOAUTH2: makes sure lettre holds a token, running the command when there is none
    /// (first send, or after the server refused the last one).
    fn ensure_token(&mut self) -> Result<(), SendError> {
        let Some(o) = &mut self.oauth2 else {
            return Ok(());
        };
        if o.token.is_some() {
            return Ok(());
        }
        let token = crate::config::oauth2_token("outgoing.oauth2_token_command", &o.command)
            .map_err(|e| SendError::Blocked(format!("{}: {e}", self.server)))?;
        self.lettre = self
            .builder
            .clone()
            .credentials(Credentials::new(
                o.user.clone(),
                token.expose_secret().to_string(),
            ))
            .build();
        o.token = Some(token);
        Ok(())
    }

    /// Replaces [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> SmtpTransport {
        self.builder = self.builder.timeout(Some(timeout));
        self.lettre = self.builder.clone().build();
        self.timeout = timeout;
        self
    }

    fn fail(&self, error: SendError) -> SendError {
        let password = self
            .oauth2
            .as_ref()
            .and_then(|o| o.token.as_ref())
            .or(self.password.as_ref())
            .map(ExposeSecret::expose_secret);
        let text = |m: &str| failure::clean(&format!("{}: {m}", self.server), password);
        match error {
            SendError::Transient(m) => SendError::Transient(text(&m)),
            SendError::Permanent(m) => SendError::Permanent(text(&m)),
            SendError::Blocked(m) => SendError::Blocked(text(&m)),
        }
    }
}

impl Transport for SmtpTransport {
    fn send(&mut self, envelope: &Envelope, message_id: &str, raw: &[u8]) -> Result<(), SendError> {
        let envelope = lettre_envelope(envelope).map_err(|e| self.fail(SendError::Permanent(e)))?;
        self.ensure_token()?;
        let mut result = self.lettre.send_raw(&envelope, &smtp_data(raw));
        if let Err(e) = &result
            && self.oauth2.is_some()
            && failure::token_refused(e)
        {
            // A token helper may have handed out one that just expired: ask once more.
            tracing::info!(
                "{}: the server refused the OAuth2 token; asking again",
                self.server
            );
            if let Some(o) = &mut self.oauth2 {
                o.token = None;
            }
            self.ensure_token()?;
            result = self.lettre.send_raw(&envelope, &smtp_data(raw));
        }
        match result {
            Ok(reply) => {
                let text: Vec<&str> = reply.message().collect();
                tracing::info!(
                    "{}: sent <{message_id}>: {} {}",
                    self.server,
                    reply.code(),
                    failure::clean(&text.join(" "), None)
                );
                Ok(())
            }
            Err(e) => {
                let mut error = failure::classify(&e, &self.host, self.timeout, self.tls);
                if self.oauth2.is_some() && failure::token_refused(&e) {
                    error = SendError::Permanent(format!(
                        "the server refused the OAuth2 token (XOAUTH2) twice, also a fresh one \
                         from outgoing.oauth2_token_command: check that it is for \
                         outgoing.username and grants SMTP sending, or authorize the helper \
                         again: its grant may have expired ({error})"
                    ));
                }
                let error = self.fail(error);
                tracing::warn!("sending <{message_id}> failed: {error}");
                Err(error)
            }
        }
    }
}

/// An empty `from` is the null reverse-path `<>` (for notifications that must not bounce).
fn lettre_envelope(envelope: &Envelope) -> Result<LettreEnvelope, String> {
    let address = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| format!("invalid envelope address `{a}`: {e}"))
    };
    let from = match envelope.from.trim() {
        "" => None,
        a => Some(address(a)?),
    };
    let to = envelope
        .to
        .iter()
        .map(|a| address(a.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    LettreEnvelope::new(from, to).map_err(|e| format!("invalid envelope: {e}"))
}

/// The bytes to hand to lettre for `raw`. SMTP carries lines ending in CRLF: a bare LF or CR
/// becomes CRLF, because hardened servers refuse bare line ends (they are how SMTP smuggling
/// works) and lettre sends bytes as given. And lettre always writes CRLF before the final dot,
/// so the message's own last CRLF is left for it to add, or the server would receive an extra
/// empty line.
fn smtp_data(raw: &[u8]) -> Cow<'_, [u8]> {
    let bare = |i: usize| match raw[i] {
        b'\n' => i == 0 || raw[i - 1] != b'\r',
        b'\r' => raw.get(i + 1) != Some(&b'\n'),
        _ => false,
    };
    let mut data = if (0..raw.len()).any(bare) {
        let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
        for (i, &b) in raw.iter().enumerate() {
            match b {
                b'\n' | b'\r' if bare(i) => out.extend_from_slice(b"\r\n"),
                _ => out.push(b),
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    if data.ends_with(b"\r\n") {
        match &mut data {
            Cow::Borrowed(b) => *b = &b[..b.len() - 2],
            Cow::Owned(v) => v.truncate(v.len() - 2),
        }
    }
    data
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpTransport({})", self.server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> OutgoingConfig {
        let c: crate::config::Config = toml::from_str(text).unwrap();
        c.outgoing.unwrap()
    }

    #[test]
    fn line_ends_become_crlf_and_lettre_adds_the_last() {
        assert!(matches!(smtp_data(b"a\r\nb\r\n"), Cow::Borrowed(b"a\r\nb")));
        assert_eq!(&*smtp_data(b"a\nb\r\nc\rd\n"), b"a\r\nb\r\nc\r\nd");
        assert_eq!(&*smtp_data(b"\n\r"), b"\r\n");
        assert_eq!(&*smtp_data(b"no end"), b"no end");
    }

    #[test]
    fn envelopes() {
        let e = lettre_envelope(&Envelope {
            from: String::new(),
            to: vec!["a@nic.example".into()],
        })
        .unwrap();
        assert!(e.from().is_none());
        let bad = lettre_envelope(&Envelope {
            from: "s@example.org".into(),
            to: vec!["not an address".into()],
        });
        assert!(bad.unwrap_err().contains("`not an address`"));
        let none = lettre_envelope(&Envelope {
            from: "s@example.org".into(),
            to: vec![],
        });
        assert!(none.is_err());
    }

    #[test]
    fn config_problems_are_refused_up_front() {
        let no_host = config("[outgoing]\ntransport = \"smtp\"\n");
        assert!(SmtpTransport::new(&no_host, None).is_err());
        let user = config("[outgoing]\ntransport = \"smtp\"\nhost = \"h\"\nusername = \"u\"\n");
        let err = SmtpTransport::new(&user, None).unwrap_err().to_string();
        assert!(err.contains("no password"), "{err}");
        let ok = SmtpTransport::new(&user, Some("pw".into())).unwrap();
        assert_eq!(format!("{ok:?}"), "SmtpTransport(h:465)");
    }

    #[test]
    fn xoauth2_needs_no_password() {
        let c = config(
            "[outgoing]\ntransport = \"smtp\"\nhost = \"h\"\nusername = \"u\"\n\
             auth = \"xoauth2\"\noauth2_token_command = \"echo tok\"\n",
        );
        let mut t = SmtpTransport::new(&c, None).unwrap();
        t.ensure_token().unwrap();
        assert_eq!(
            t.oauth2
                .as_ref()
                .unwrap()
                .token
                .as_ref()
                .map(|t| t.expose_secret()),
            Some("tok")
        );
        let masked = t.fail(SendError::Permanent("535 bad token tok".into()));
        assert!(!masked.to_string().contains(" tok"), "{masked}");
    }

    #[test]
    fn the_transport_can_move_to_the_sender_thread() {
        fn send<T: Send>() {}
        send::<SmtpTransport>();
    }
}
