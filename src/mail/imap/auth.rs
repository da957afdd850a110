//! Logging in the way the server asks (RFC 3501 §6.2, RFC 4959, RFC 7628): which mechanism,
//! decided from its capabilities and from what the config gives (a password, a token command,
//! `imap.auth`), and the SASL responses of each. No credential is ever sent where the server
//! announced `LOGINDISABLED` on a connection without TLS.

use std::collections::BTreeSet;

use crate::config::{AuthMethod, ExposeSecret, Secret, TlsMode};

use super::Server;
use super::failure::Failure;
use super::session::Session;
use super::transport::Stream;

/// The server's capabilities, upper-cased: from the greeting's or a login's `[CAPABILITY …]`
/// response code, or from a `CAPABILITY` command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities(BTreeSet<String>);

impl Capabilities {
    /// From the words of a capability list (`IMAP4rev1 SASL-IR AUTH=PLAIN …`).
    pub fn parse(words: &str) -> Capabilities {
        Capabilities(
            words
                .split_ascii_whitespace()
                .map(|w| w.to_ascii_uppercase())
                .collect(),
        )
    }

    /// From a status text such as `[CAPABILITY IMAP4rev1 IDLE] Logged in`, when it has one.
    pub fn from_response_code(text: &str) -> Option<Capabilities> {
        let rest = text.trim_start();
        let inner = rest.strip_prefix('[')?;
        let (code, _) = inner.split_once(']')?;
        let (name, words) = code.split_once(' ').unwrap_or((code, ""));
        name.eq_ignore_ascii_case("CAPABILITY")
            .then(|| Capabilities::parse(words))
    }

    /// From the greeting line `* OK [CAPABILITY …] ready`.
    pub fn from_greeting(line: &[u8]) -> Option<Capabilities> {
        let text = String::from_utf8_lossy(line);
        let rest = text.get(2..)?.trim_start();
        let (_status, after) = rest.split_once(' ')?;
        Capabilities::from_response_code(after)
    }

    pub fn has(&self, word: &str) -> bool {
        self.0.contains(word)
    }

    /// `AUTH=<mechanism>` is announced.
    pub fn offers(&self, mechanism: &str) -> bool {
        self.0.contains(&format!("AUTH={mechanism}"))
    }

    /// The mechanisms, for error messages: `AUTH=PLAIN AUTH=LOGIN`, `only LOGIN`, or with
    /// `LOGINDISABLED` that the LOGIN command is refused (`AUTH=LOGIN` is another thing).
    fn mechanisms(&self) -> String {
        let auth: Vec<&str> = self
            .0
            .iter()
            .filter(|w| w.starts_with("AUTH="))
            .map(String::as_str)
            .collect();
        match (auth.is_empty(), self.has("LOGINDISABLED")) {
            (true, false) => "only LOGIN".into(),
            (true, true) => "no login at all: LOGINDISABLED".into(),
            (false, false) => auth.join(" "),
            (false, true) => format!(
                "{}, and refuses the LOGIN command: LOGINDISABLED",
                auth.join(" ")
            ),
        }
    }
}

/// The SASL mechanism name of an IMAP AUTHENTICATE; `None` for LOGIN (its own command).
pub fn mechanism(method: AuthMethod) -> Option<&'static str> {
    match method {
        AuthMethod::Login => None,
        AuthMethod::Plain => Some("PLAIN"),
        AuthMethod::Xoauth2 => Some("XOAUTH2"),
        AuthMethod::Oauthbearer => Some("OAUTHBEARER"),
    }
}

/// What the config gives to log in with.
#[derive(Clone, Copy, Debug)]
pub struct Configured {
    /// `imap.auth`, when set.
    pub auth: Option<AuthMethod>,
    pub password: bool,
    pub token: bool,
}

/// Picks the login method: `imap.auth` if set (and possible), else the best the server offers
/// among what is configured — OAUTHBEARER, XOAUTH2, PLAIN, then LOGIN. `secure`: the
/// connection is TLS.
pub fn choose(
    caps: &Capabilities,
    configured: Configured,
    secure: bool,
) -> Result<AuthMethod, Failure> {
    if caps.has("LOGINDISABLED") && !secure {
        return Err(Failure::new(
            "the server refuses logins on this unencrypted connection (it announces \
             LOGINDISABLED), and tldops never sends a password or token in clear: set \
             imap.tls = \"starttls\" (or \"implicit\" with the server's TLS port, 993)",
        ));
    }
    let offered = |m: AuthMethod| match mechanism(m) {
        None => !caps.has("LOGINDISABLED"),
        Some(name) => caps.offers(name),
    };
    let mut candidates = Vec::new();
    if configured.token {
        candidates.extend([AuthMethod::Oauthbearer, AuthMethod::Xoauth2]);
    }
    if configured.password {
        candidates.extend([AuthMethod::Plain, AuthMethod::Login]);
    }
    let best = candidates.into_iter().find(|&m| offered(m));
    // Where nothing configured is offered, what to configure instead.
    let nothing_usable = || {
        if configured.token && !configured.password {
            format!(
                "the server offers no OAuth2 login (AUTH=OAUTHBEARER or AUTH=XOAUTH2; it offers \
                 {}): set imap.password_command to log in with a password",
                caps.mechanisms()
            )
        } else {
            format!(
                "the server offers no login method tldops speaks (it offers {}; tldops logs \
                 in with the LOGIN command, AUTH=PLAIN, AUTH=XOAUTH2 or AUTH=OAUTHBEARER): \
                 ask its administrator to enable PLAIN",
                caps.mechanisms()
            )
        }
    };
    match (configured.auth, best) {
        (Some(m), _) if offered(m) => Ok(m),
        (Some(m), Some(_)) => {
            let what = mechanism(m).map_or("LOGIN".to_string(), |n| format!("AUTH={n}"));
            Err(Failure::new(format!(
                "imap.auth = \"{}\", but the server does not offer {what} (it offers {}): \
                 change imap.auth, or leave it out to use the best the server offers",
                m.as_str(),
                caps.mechanisms()
            )))
        }
        // Leaving imap.auth out would not help: say what would.
        (Some(m), None) => Err(Failure::new(format!(
            "imap.auth = \"{}\", but {}",
            m.as_str(),
            nothing_usable()
        ))),
        (None, Some(m)) => Ok(m),
        (None, None) => Err(Failure::new(nothing_usable())),
    }
}

/// Logs in with the method [`choose`] picks; a refused OAuth2 token is asked for
/// once more and tried again. Returns the capabilities the login's OK announced, if any.
pub fn log_in(
    server: &Server,
    session: &mut Session<Stream>,
    caps: &Capabilities,
    token: &mut Option<Secret>,
) -> Result<Option<Capabilities>, Failure> {
    let configured = Configured {
        auth: server.auth,
        password: server.password.is_some(),
        token: server.token_command.is_some(),
    };
    let method = choose(caps, configured, server.tls != TlsMode::None)?;
    let user = &server.username;
    let ok = if method.uses_token() {
        let command = server.token_command.as_deref().unwrap_or_default();
        let mechanism = mechanism(method).unwrap_or_default();
        let doing = format!("login as {user} with an OAuth2 token failed ({mechanism})");
        let mut retried = false;
        loop {
            let current = match token.take() {
                Some(t) => t,
                None => {
                    // (`-v` shows it: a helper may take a while, up to its time limit.)
                    tracing::info!("{server}: asking imap.oauth2_token_command for a token");
                    crate::config::oauth2_token("imap.oauth2_token_command", command)
                        .map_err(Failure::new)?
                }
            };
            let response = initial_response(
                method,
                user,
                current.expose_secret(),
                &server.host,
                server.port,
            );
            match session.authenticate(
                mechanism,
                &response,
                caps.has("SASL-IR"),
                after_error(method),
                &doing,
            ) {
                Ok(ok) => {
                    *token = Some(current);
                    break ok;
                }
                Err(f) if f.refused && !retried => {
                    tracing::info!("{server}: {f}; asking oauth2_token_command again");
                    retried = true;
                }
                Err(mut f) => {
                    if f.refused {
                        f.message += " (refused twice, also a fresh token from \
                                      imap.oauth2_token_command: check that it is for this \
                                      account and grants IMAP access, or authorize the \
                                      helper again: its grant may have expired)";
                    }
                    return Err(f);
                }
            }
        }
    } else {
        let password = server
            .password
            .as_ref()
            .map_or("", ExposeSecret::expose_secret);
        let hint = |mut f: Failure| {
            if f.refused {
                f.message += " (check imap.username and the password from \
                              imap.password_command / password_env)";
            }
            f
        };
        match mechanism(method) {
            None => session
                .login(user, password, &format!("login as {user} failed"))
                .map_err(hint)?,
            Some(mechanism) => session
                .authenticate(
                    mechanism,
                    &initial_response(method, user, password, &server.host, server.port),
                    caps.has("SASL-IR"),
                    b"",
                    &format!("login as {user} failed ({mechanism})"),
                )
                .map_err(hint)?,
        }
    };
    tracing::debug!("{server}: logged in as {user} with {}", method.as_str());
    Ok(Capabilities::from_response_code(&ok))
}

/// The client response of `method` (RFC 4616, Google's XOAUTH2, RFC 7628 §3.1).
pub fn initial_response(
    method: AuthMethod,
    user: &str,
    secret: &str,
    host: &str,
    port: u16,
) -> Vec<u8> {
    match method {
        AuthMethod::Login | AuthMethod::Plain => format!("\0{user}\0{secret}"),
        AuthMethod::Xoauth2 => format!("user={user}\x01auth=Bearer {secret}\x01\x01"),
        AuthMethod::Oauthbearer => {
            let user = user.replace('=', "=3D").replace(',', "=2C");
            format!("n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {secret}\x01\x01")
        }
    }
    .into_bytes()
}

/// What a client answers to the error challenge of a refused token, so the server can end the
/// exchange with NO: RFC 7628 §3.2.3 asks for %x01; Google documents an empty answer.
pub fn after_error(method: AuthMethod) -> &'static [u8] {
    match method {
        AuthMethod::Oauthbearer => b"\x01",
        _ => b"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(words: &str) -> Capabilities {
        Capabilities::parse(words)
    }

    const PASSWORD: Configured = Configured {
        auth: None,
        password: true,
        token: false,
    };
    const TOKEN: Configured = Configured {
        auth: None,
        password: false,
        token: true,
    };

    #[test]
    fn capabilities_come_from_greeting_and_response_codes() {
        let c = Capabilities::from_greeting(
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE AUTH=PLAIN] Dovecot ready.\r\n",
        )
        .unwrap();
        assert!(c.has("IDLE") && c.has("SASL-IR") && c.offers("PLAIN"));
        assert_eq!(Capabilities::from_greeting(b"* OK ready\r\n"), None);
        let c = Capabilities::from_response_code("[capability imap4rev1 auth=xoauth2] Logged in")
            .unwrap();
        assert!(c.offers("XOAUTH2"));
        assert_eq!(Capabilities::from_response_code("[ALERT] Logged in"), None);
    }

    #[test]
    fn the_best_configured_method_the_server_offers() {
        let dovecot = caps("IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER");
        assert_eq!(
            choose(&dovecot, PASSWORD, false).unwrap(),
            AuthMethod::Plain
        );
        assert_eq!(
            choose(&dovecot, TOKEN, true).unwrap(),
            AuthMethod::Oauthbearer
        );
        let microsoft = caps("IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR");
        assert_eq!(
            choose(&microsoft, TOKEN, true).unwrap(),
            AuthMethod::Xoauth2
        );
        let old = caps("IMAP4rev1");
        assert_eq!(choose(&old, PASSWORD, true).unwrap(), AuthMethod::Login);
        let err = choose(&old, TOKEN, true).unwrap_err().message;
        assert!(err.contains("offers no OAuth2 login"), "{err}");
        assert!(err.contains("it offers only LOGIN"), "{err}");
    }

    /// A server with only SASL LOGIN, its LOGIN command disabled even over TLS: "it offers
    /// AUTH=LOGIN" read as if imap.auth = "login" should have worked.
    #[test]
    fn sasl_login_alone_is_told_from_the_login_command() {
        let c = caps("IMAP4rev1 LOGINDISABLED AUTH=LOGIN");
        let login = Configured {
            auth: Some(AuthMethod::Login),
            ..PASSWORD
        };
        let err = choose(&c, login, true).unwrap_err().message;
        assert_eq!(
            err,
            "imap.auth = \"login\", but the server offers no login method tldops speaks (it \
             offers AUTH=LOGIN, and refuses the LOGIN command: LOGINDISABLED; tldops logs in \
             with the LOGIN command, AUTH=PLAIN, AUTH=XOAUTH2 or AUTH=OAUTHBEARER): ask its \
             administrator to enable PLAIN"
        );
    }

    #[test]
    fn imap_auth_is_obeyed_or_explained() {
        let c = caps("IMAP4rev1 AUTH=PLAIN");
        let login = Configured {
            auth: Some(AuthMethod::Login),
            ..PASSWORD
        };
        assert_eq!(choose(&c, login, true).unwrap(), AuthMethod::Login);
        let xoauth2 = Configured {
            auth: Some(AuthMethod::Xoauth2),
            ..TOKEN
        };
        let err = choose(&c, xoauth2, true).unwrap_err().message;
        assert_eq!(
            err,
            "imap.auth = \"xoauth2\", but the server offers no OAuth2 login (AUTH=OAUTHBEARER \
             or AUTH=XOAUTH2; it offers AUTH=PLAIN): set imap.password_command to log in with a \
             password"
        );
        // With a password too, leaving imap.auth out would log in.
        let both = Configured {
            auth: Some(AuthMethod::Xoauth2),
            password: true,
            token: true,
        };
        let err = choose(&c, both, true).unwrap_err().message;
        assert_eq!(
            err,
            "imap.auth = \"xoauth2\", but the server does not offer AUTH=XOAUTH2 (it offers \
             AUTH=PLAIN): change imap.auth, or leave it out to use the best the server offers"
        );
    }

    #[test]
    fn nothing_is_sent_in_clear_under_logindisabled() {
        let c = caps("IMAP4rev1 STARTTLS LOGINDISABLED AUTH=XOAUTH2");
        for configured in [PASSWORD, TOKEN] {
            let err = choose(&c, configured, false).unwrap_err().message;
            assert!(err.contains("imap.tls = \"starttls\""), "{err}");
        }
        // Over TLS LOGIN stays disabled, but SASL is fine.
        assert_eq!(choose(&c, TOKEN, true).unwrap(), AuthMethod::Xoauth2);
        assert!(choose(&c, PASSWORD, true).is_err());
    }

    #[test]
    fn sasl_responses() {
        assert_eq!(
            initial_response(AuthMethod::Plain, "u", "p", "h", 1),
            b"\0u\0p"
        );
        assert_eq!(
            initial_response(AuthMethod::Xoauth2, "u@x", "T", "h", 1),
            b"user=u@x\x01auth=Bearer T\x01\x01"
        );
        assert_eq!(
            initial_response(AuthMethod::Oauthbearer, "a,b=c", "T", "imap.x", 993),
            b"n,a=a=2Cb=3Dc,\x01host=imap.x\x01port=993\x01auth=Bearer T\x01\x01"
        );
    }
}
