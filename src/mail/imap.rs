//! IMAP: the Secretariat's mailbox on the mail server, read-only (EXAMINE and `BODY.PEEK`, so
//! tldops never marks anyone's mail as seen).
//!
//! One connection is kept between passes and reopened lazily after any failure; one lost in
//! the middle of a scan or a body fetch is replaced at once (a short back-off, a few times)
//! and the work goes on where it stopped. A pass with
//! no new mail costs one EXAMINE on a live connection (login and EXAMINE on a new one): UIDNEXT
//! tells whether a FETCH is needed at all. Between passes the connection waits in IDLE where
//! the server offers it (RFC 2177, re-issued every 28 minutes), so new mail is fetched at once. The stream is ours (TCP with timeouts, rustls with
//! the system roots plus `imap.ca_file`), and so is the conversation ([`session`]: framing
//! ours, parsing imap-proto's).

mod auth;
mod failure;
mod mailbox;
mod session;
mod tls;
mod transport;
mod uid_set;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::backoff::Backoff;
use super::wake::{Wait, Wakeup};
use super::{BodyFetch, Checkpoint, Header, MailSource, Scan};
use crate::config::{AuthMethod, ImapConfig, Secret, TlsMode};
use auth::Capabilities;
use failure::Failure;
use mailbox::Selected;
use session::Session;
use transport::Stream;

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections lost in one call (a scan, a body fetch) that are replaced to go on.
const RESUMES: usize = 3;
/// The first wait before such a reconnection (then doubled, with jitter).
const RESUME_BACKOFF: Duration = Duration::from_millis(500);
/// RFC 2177: servers may log out a client idle for 30 minutes; re-issue IDLE before that.
pub const IDLE_REISSUE: Duration = Duration::from_secs(28 * 60);

/// The mailbox of `[imap]`, as a [`MailSource`].
pub struct ImapSource {
    server: Server,
    /// Built on first connect and kept: reading the system trust store is not free.
    tls_config: Option<Arc<rustls::ClientConfig>>,
    conn: Option<Connection>,
    /// UIDVALIDITY of the last header batch: bodies are fetched only under the same one.
    headers_uidvalidity: Option<u32>,
    /// The last OAuth2 access token `oauth2_token_command` printed: used until the server
    /// refuses it (token helpers renew tokens themselves; a refused one is asked for again).
    token: Option<Secret>,
    /// Connections lost in one call that are replaced to go on ([`RESUMES`]; none for the
    /// second connection of [`MailSource::alongside`]: what it cannot fetch, the first does).
    resumes: usize,
}

/// Where and how to connect; never changes after `new`.
#[derive(Clone)]
struct Server {
    host: String,
    port: u16,
    tls: TlsMode,
    username: String,
    /// `None` when only OAuth2 is configured.
    password: Option<Secret>,
    auth: Option<AuthMethod>,
    token_command: Option<String>,
    mailbox: String,
    ca_file: Option<PathBuf>,
    connect_timeout: Duration,
    io_timeout: Duration,
    /// The connection a long scan reads bodies on, beside the scan's own (its log says so).
    second: bool,
}

struct Connection {
    session: Session<Stream>,
    /// What the server offers after login (IDLE): from the login's answer, else asked when
    /// first needed.
    caps: Option<Capabilities>,
    selected: Selected,
    /// `selected` comes from the EXAMINE of this very call's login, so it is current.
    fresh: bool,
}

impl ImapSource {
    /// A source for `config`; nothing touches the network until the first call that needs it.
    /// The [`MailSource::name`] of the mailbox `config` describes, without connecting.
    pub fn name_for(config: &ImapConfig) -> String {
        source_name(
            &config.username,
            &config.host,
            config.port(),
            &config.mailbox,
        )
    }

    /// `password` is the resolved `password_command` / `password_env` (none for OAuth2 only);
    /// `oauth2_token_command` is run when a login needs a token.
    pub fn new(config: &ImapConfig, password: Option<Secret>) -> ImapSource {
        if config.tls == TlsMode::None {
            tracing::warn!("{}:{}: {}", config.host, config.port(), TlsMode::CLEARTEXT);
        }
        ImapSource {
            server: Server {
                host: config.host.clone(),
                port: config.port(),
                tls: config.tls,
                username: config.username.clone(),
                password,
                auth: config.auth,
                token_command: config.oauth2_token_command.clone(),
                mailbox: config.mailbox.clone(),
                ca_file: config.ca_file.clone(),
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                io_timeout: DEFAULT_IO_TIMEOUT,
                second: false,
            },
            tls_config: None,
            conn: None,
            headers_uidvalidity: None,
            token: None,
            resumes: RESUMES,
        }
    }

    /// Replaces the default timeouts: `connect` for each TCP connect, `io` for every read and
    /// write after it (a server silent for longer counts as gone).
    pub fn with_timeouts(mut self, connect: Duration, io: Duration) -> ImapSource {
        self.server.connect_timeout = connect;
        self.server.io_timeout = io;
        self
    }

    /// Connects, logs in and opens the mailbox now, unless already connected: to check a
    /// config, or to show "connected" before the first pass.
    pub fn connect(&mut self) -> Result<()> {
        if self.conn.is_none() {
            let mut conn = self
                .server
                .open(&mut self.tls_config, &mut self.token)
                .map_err(|f| self.server.error(f))?;
            conn.fresh = false;
            self.conn = Some(conn);
        }
        Ok(())
    }

    /// Drops the connection (if any) and connects again.
    pub fn reconnect(&mut self) -> Result<()> {
        self.conn = None;
        self.connect()
    }

    /// Logs out politely and closes the connection; the next call reconnects.
    pub fn disconnect(&mut self) {
        if let Some(mut conn) = self.conn.take()
            && let Err(e) = conn.session.logout()
        {
            tracing::debug!("{}: {e}", self.server);
        }
    }

    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// Runs `op` on the connection, opening one if needed. Any failure drops the connection.
    /// A connection lost (closed, reset, BYE) is replaced and `op` run again — at once when
    /// it was a reused one found dead (the server restarted, or timed out our idle session),
    /// else after a short back-off — up to [`RESUMES`] times in one call: `op` keeps its own
    /// progress (the headers it handed on, the bodies it has), so a pass whose connection
    /// drops mid-fetch goes on where it was instead of starting over.
    fn run<T>(
        &mut self,
        mut op: impl FnMut(&mut Connection, &Server) -> Result<T, Failure>,
    ) -> Result<T> {
        let mut immediate = self.conn.is_some();
        let mut backoff = Backoff::new(RESUME_BACKOFF, RESUME_BACKOFF * 8);
        let mut result = self.attempt(&mut op);
        for _ in 0..self.resumes {
            match &result {
                Err(f) if f.lost => {
                    let delay = if immediate {
                        Duration::ZERO
                    } else {
                        backoff.next_delay()
                    };
                    immediate = false;
                    tracing::info!(
                        "{}: {f}; reconnecting in {:.1} s to go on",
                        self.server,
                        delay.as_secs_f64()
                    );
                    std::thread::sleep(delay);
                    result = self.attempt(&mut op);
                }
                _ => break,
            }
        }
        result.map_err(|f| self.server.error(f))
    }

    fn attempt<T>(
        &mut self,
        op: &mut impl FnMut(&mut Connection, &Server) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.server.open(&mut self.tls_config, &mut self.token)?,
        };
        let result = op(&mut conn, &self.server);
        if result.is_ok() {
            conn.fresh = false;
            self.conn = Some(conn);
        }
        result
    }
}

impl Server {
    /// TCP, TLS as configured, the capabilities, login, EXAMINE.
    fn open(
        &self,
        tls_config: &mut Option<Arc<rustls::ClientConfig>>,
        token: &mut Option<Secret>,
    ) -> Result<Connection, Failure> {
        let io = self.io_timeout;
        let tcp = transport::connect(&self.host, self.port, self.connect_timeout, io)?;
        let peer = tcp.peer_addr().ok();
        let (stream, greeted) = match self.tls {
            TlsMode::Implicit => {
                let tls =
                    tls::handshake(self.tls_config(tls_config)?, &self.host, tcp, io, self.tls)?;
                (Stream::Tls(Box::new(tls)), false)
            }
            TlsMode::Starttls => {
                transport::starttls(&tcp, io, || self.silent_port_hint(tls_config, peer))?;
                let tls =
                    tls::handshake(self.tls_config(tls_config)?, &self.host, tcp, io, self.tls)?;
                (Stream::Tls(Box::new(tls)), true)
            }
            TlsMode::None => (Stream::Plain(tcp), false),
        };

        let mut session = Session::new(stream, io);
        let mut caps = None;
        let mut preauth = false;
        if !greeted {
            // A plaintext greeting is waited for briefly (see transport::GREETING_WAIT).
            let wait = match self.tls {
                TlsMode::None => io.min(transport::GREETING_WAIT),
                _ => io,
            };
            let greeting = session.greeting(wait).map_err(|mut f| {
                if !f.lost {
                    f.message += match self.tls {
                        TlsMode::None => self.silent_port_hint(tls_config, peer),
                        // TLS came up, IMAP did not: another TLS service (HTTPS, SMTPS).
                        _ => transport::TLS_BUT_NO_IMAP_HINT,
                    };
                }
                f
            })?;
            transport::check_greeting(&greeting)?;
            preauth = greeting
                .get(..9)
                .is_some_and(|g| g.eq_ignore_ascii_case(b"* PREAUTH"));
            caps = Capabilities::from_greeting(&greeting);
        }
        // After STARTTLS what was said in clear no longer counts (RFC 3501 §6.2.1).
        let caps = match caps {
            Some(c) => c,
            None => Capabilities::parse(&session.capability()?),
        };
        let caps = if preauth {
            Some(caps)
        } else {
            auth::log_in(self, &mut session, &caps, token)?
        };
        let selected = mailbox::examine(&mut session, &self.mailbox)?;
        tracing::info!(
            "{self}: {}connected as {}, {} has {} messages{}",
            if self.second {
                "a second connection, for bodies: "
            } else {
                ""
            },
            self.username,
            self.mailbox,
            selected.exists,
            match caps.as_ref().map(|c| c.has("IDLE")) {
                Some(true) => ", IDLE offered",
                _ => "",
            }
        );
        Ok(Connection {
            session,
            caps,
            selected,
            fresh: true,
        })
    }

    /// The hint for a port that sent no plaintext greeting: whether it answers a TLS
    /// handshake instead (or answers it with something else), asked briefly on a connection
    /// of its own; a guess when that tells nothing.
    fn silent_port_hint(
        &self,
        tls_config: &mut Option<Arc<rustls::ClientConfig>>,
        peer: Option<std::net::SocketAddr>,
    ) -> &'static str {
        let wait = self.io_timeout.min(tls::PROBE_WAIT);
        let speaks = match (self.tls_config(tls_config), peer) {
            (Ok(config), Some(addr)) => tls::speaks_tls(config, &self.host, addr, wait),
            _ => None,
        };
        match speaks {
            Some(true) => transport::SPEAKS_TLS_HINT,
            Some(false) => transport::NEITHER_HINT,
            None => transport::IMPLICIT_TLS_HINT,
        }
    }

    fn tls_config(
        &self,
        cached: &mut Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Arc<rustls::ClientConfig>, Failure> {
        if let Some(config) = cached {
            return Ok(config.clone());
        }
        let config = tls::client_config(self.ca_file.as_deref())?;
        *cached = Some(config.clone());
        Ok(config)
    }

    /// The one-line error the poller shows: `host:port: what failed: why`.
    fn error(&self, f: Failure) -> anyhow::Error {
        anyhow::anyhow!("{self}: {f}")
    }
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl Connection {
    /// Whether the server offers IDLE: as the login announced it, else asked now.
    fn offers_idle(&mut self) -> Result<bool, Failure> {
        if self.caps.is_none() {
            self.caps = Some(Capabilities::parse(&self.session.capability()?));
        }
        Ok(self.caps.as_ref().is_some_and(|c| c.has("IDLE")))
    }

    /// The mailbox's state now: from the login's EXAMINE on a new connection, else a new
    /// EXAMINE (which also refreshes UIDNEXT; a NOOP would not).
    fn current(&mut self, server: &Server) -> Result<Selected, Failure> {
        if !self.fresh {
            self.selected = mailbox::examine(&mut self.session, &server.mailbox)?;
        }
        self.fresh = false;
        Ok(self.selected)
    }
}

impl ImapSource {
    /// The wait for mail broke: the connection is dropped either way. Lost, the wait ends now
    /// so the caller reconnects; refused or garbled (the server's IDLE is broken, not gone),
    /// the interval is waited out as without IDLE, and the next pass reconnects.
    fn idle_failed(&mut self, f: Failure, until: Instant, wake: &Wakeup) -> Wait {
        self.conn = None;
        if f.lost {
            tracing::info!("{}: {f}; reconnecting", self.server);
            return Wait::Lost(f.cause().to_string());
        }
        tracing::info!("{}: {f}; waiting without IDLE", self.server);
        wake.wait_until(until)
    }
}

impl BodyFetch for ImapSource {
    fn fetch(&mut self, uidvalidity: u32, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        self.headers_uidvalidity = Some(uidvalidity);
        self.fetch_bodies(uids)
    }

    fn close(&mut self) {
        self.disconnect();
    }
}

/// `imap:user@host:port/mailbox`: the key of the mailbox's sync state.
fn source_name(username: &str, host: &str, port: u16, mailbox: &str) -> String {
    format!("imap:{username}@{host}:{port}/{mailbox}")
}

impl MailSource for ImapSource {
    fn name(&self) -> String {
        let s = &self.server;
        source_name(&s.username, &s.host, s.port, &s.mailbox)
    }

    fn alongside(&self) -> Option<Box<dyn BodyFetch>> {
        Some(Box::new(ImapSource {
            server: Server {
                second: true,
                ..self.server.clone()
            },
            tls_config: self.tls_config.clone(),
            conn: None,
            headers_uidvalidity: None,
            token: self.token.clone(),
            resumes: 0,
        }))
    }

    fn scan_headers(
        &mut self,
        since: Option<Checkpoint>,
        each: &mut dyn FnMut(Header) -> Result<()>,
    ) -> Result<Scan> {
        // A reused connection found dead is retried once (`run`): the headers already handed
        // on are not handed on again.
        let mut handed: Option<(u32, u32)> = None; // (UIDVALIDITY, last UID)
        let scan = self.run(|conn, server| {
            let selected = conn.current(server)?;
            if handed.is_some_and(|(validity, _)| validity != selected.uidvalidity) {
                return Err(Failure::new(
                    "UIDVALIDITY changed during the scan; the next pass rescans",
                ));
            }
            let rescan = since.is_some_and(|c| c.uidvalidity != selected.uidvalidity);
            let first = match since {
                Some(c) if !rescan => c.last_uid.checked_add(1),
                _ => Some(1),
            };
            let first = first.map(|f| handed.map_or(f, |(_, h)| f.max(h.saturating_add(1))));
            if let Some(first) = first
                && selected.may_have_from(first)
            {
                mailbox::headers_from(
                    &mut conn.session,
                    selected.uidvalidity,
                    first,
                    &mut |h: Header| {
                        let uid = h.uid;
                        each(h)?;
                        handed = Some((selected.uidvalidity, uid));
                        Ok(())
                    },
                )?;
            }
            Ok(Scan {
                uidvalidity: selected.uidvalidity,
                rescan,
            })
        })?;
        self.headers_uidvalidity = Some(scan.uidvalidity);
        Ok(scan)
    }

    /// IDLE where the server offers it, re-issued every [`IDLE_REISSUE`]; else (or when the
    /// server refuses it, or with no connection after a failed pass) a plain wait. A
    /// connection lost while waiting (EOF, BYE, reset) ends the wait at once ([`Wait::Lost`]):
    /// the caller reconnects, instead of sleeping out the interval blind to new mail.
    fn wait_for_mail(&mut self, until: Instant, wake: &Wakeup) -> Wait {
        let Some(conn) = self.conn.as_mut() else {
            return wake.wait_until(until);
        };
        match conn.offers_idle() {
            Ok(true) => {}
            Ok(false) => return wake.wait_until(until),
            Err(f) => return self.idle_failed(f, until, wake),
        }
        loop {
            let stint = until.min(Instant::now() + IDLE_REISSUE);
            match conn.session.idle(wake, stint) {
                Ok(Wait::Timeout) if Instant::now() < until => continue,
                Ok(end) => {
                    tracing::debug!("{}: IDLE ended: {end:?}", self.server);
                    return end;
                }
                Err(f) => return self.idle_failed(f, until, wake),
            }
        }
    }

    fn hears_new_mail(&mut self) -> bool {
        // (A failed CAPABILITY fails again in the wait, which then reconnects.)
        self.conn
            .as_mut()
            .is_some_and(|c| c.offers_idle().unwrap_or(false))
    }

    fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let expected = self.headers_uidvalidity;
        // Bodies already received survive a lost connection: the next attempt asks for the rest.
        let mut got = std::collections::BTreeMap::new();
        let mut left: Vec<u32> = uids.to_vec();
        self.run(|conn, server| {
            let now = conn.selected.uidvalidity;
            if let Some(then) = expected
                && then != now
            {
                return Err(Failure::new(format!(
                    "UIDVALIDITY of {} changed from {then} to {now} since its headers were \
                     fetched; the next pass rescans it",
                    server.mailbox
                )));
            }
            left.retain(|uid| !got.contains_key(uid));
            mailbox::bodies_into(&mut conn.session, &left, &mut got)
        })?;
        Ok(got.into_iter().collect())
    }

    /// Only under the same UIDVALIDITY: a UID is the message's for as long as that lasts.
    fn refetch(
        &mut self,
        uidvalidity: u32,
        uid: u32,
        is_it: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Option<Vec<u8>>> {
        let found = self.run(|conn, server| {
            if conn.current(server)?.uidvalidity != uidvalidity {
                return Ok(None);
            }
            let mut found = mailbox::bodies(&mut conn.session, &[uid])?;
            Ok(found.pop().map(|(_, raw)| raw))
        })?;
        Ok(found.filter(|raw| is_it(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_can_move_to_the_poller_thread() {
        fn send<T: Send>() {}
        send::<ImapSource>();
    }

    #[test]
    fn name_and_default_port_come_from_the_config() {
        let config: crate::config::Config = toml::from_str(
            "[imap]\nhost = \"imap.example.org\"\nusername = \"ccnso\"\npassword_env = \"P\"\n",
        )
        .unwrap();
        let src = ImapSource::new(&config.imap.unwrap(), Some(String::new().into()));
        assert_eq!(src.name(), "imap:ccnso@imap.example.org:993/INBOX");
        assert!(!src.is_connected());
    }
}
