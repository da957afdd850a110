//! Mailman 3 core's REST API as a members backend (DESIGN §4).
//!
//! Subscriptions are pre-verified, pre-confirmed and pre-approved: the admin contact's reply
//! and the Secretariat's approval are the admission, so Mailman must not ask the contact to
//! confirm again nor hold the request for a moderator. Removals are pre-approved likewise.
//!
//! Both changes are idempotent (a member subscribed again, or removed again, is
//! `AlreadyThere`), so a caller may retry after a lost answer without doing anything twice.
//! `retry` is set only when Mailman was unreachable, too slow, or failed (5xx); a refusal
//! (4xx) does not go away by itself. Errors are one line naming the server and, where it
//! helps, the config key to change; they never contain the password.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use ureq::Agent;
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use super::{Backend, BackendError, Member, Outcome};
use crate::config::{ExposeSecret, Mailman3Config, Secret};
use crate::domain::message::bounded_line;

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// For a whole request, answer included: Mailman answers in milliseconds unless it is stuck.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The REST API version spoken: 3.1 gives member ids as hex strings (3.0 as integers).
const API: &str = "3.1";
/// Answers are small JSON documents; anything larger is not Mailman talking.
const MAX_BODY: u64 = 1 << 20;

/// The list of `[members.mailman3]`, as a [`Backend`].
pub struct Mailman3 {
    /// The configured URL: requests go to `3.1/...` below its path.
    base: url::Url,
    /// `base` without any `user:password@`, for messages.
    shown: String,
    list_id: String,
    /// `Basic …`: holds the password.
    authorization: Secret,
    agent: Agent,
    /// For messages: the agent has them too.
    connect_timeout: Duration,
    request_timeout: Duration,
}

/// What [`Mailman3::check`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListInfo {
    /// The list's posting address, e.g. `tld-ops@lists.example.org`.
    pub fqdn_listname: String,
    pub member_count: u64,
}

impl Mailman3 {
    /// A backend for `config`; nothing touches the network until the first call. A URL that
    /// does not parse is an error naming the config key.
    pub fn new(config: &Mailman3Config, password: Secret) -> Result<Mailman3, BackendError> {
        let base = url::Url::parse(&config.url).map_err(|e| BackendError {
            // Not the URL itself: it may hold credentials.
            message: format!("mailman3: members.mailman3.url is not a URL: {e}"),
            retry: false,
        })?;
        let https = base.scheme() == "https";
        Ok(Mailman3 {
            shown: without_userinfo(&base),
            base,
            list_id: config.list_id.clone(),
            authorization: Secret::from(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    config.username,
                    password.expose_secret()
                ))
            )),
            agent: agent(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, https),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Replaces the default timeouts: `connect` for the TCP (and TLS) connection, `request`
    /// for each request from start to the end of the answer.
    pub fn with_timeouts(mut self, connect: Duration, request: Duration) -> Mailman3 {
        self.agent = agent(connect, request, self.base.scheme() == "https");
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }

    /// Checks that the server is Mailman core, that the credentials work and that the list
    /// exists: for `config check`, or before a batch of changes.
    pub fn check(&mut self) -> Result<ListInfo, BackendError> {
        let reply = self.get(&["lists", &self.list_id])?;
        match reply.status {
            200 => {
                let json = reply.json();
                match json["fqdn_listname"].as_str() {
                    Some(name) => Ok(ListInfo {
                        fqdn_listname: name.into(),
                        member_count: json["member_count"].as_u64().unwrap_or(0),
                    }),
                    // Some web server answering every path, not Mailman.
                    None => Err(self.error(
                        format!(
                            "GET /{API}/lists/{} answered no list: this is not Mailman core's \
                             REST API, check members.mailman3.url",
                            self.list_id
                        ),
                        false,
                    )),
                }
            }
            404 => Err(self.no_list()),
            _ => Err(self.refused("checking the list", &reply)),
        }
    }

    fn get(&self, path: &[&str]) -> Result<Reply, BackendError> {
        let request = self
            .agent
            .get(self.url(path))
            .header("Authorization", self.authorization.expose_secret());
        self.finish(request.call())
    }

    fn finish(
        &self,
        sent: Result<Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply, BackendError> {
        let read = sent.and_then(|mut response| {
            let status = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_string()?;
            Ok(Reply { status, body })
        });
        read.map_err(|e| self.unreachable(e))
    }

    /// `{base}/3.1/{segments}`, each segment percent-encoded as [`SEGMENT`] says.
    fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base.clone();
        let mut path = url.path().trim_end_matches('/').to_string();
        for segment in std::iter::once(&API).chain(segments) {
            path.push('/');
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url.set_path(&path);
        url.into()
    }

    /// A list lookup said 404: either there is no such list, or the URL is not Mailman's
    /// REST API at all (a wrong path answers 404 too). One more request tells which.
    fn no_list(&self) -> BackendError {
        match self.get(&["system", "versions"]) {
            Ok(r) if r.status == 200 => self.error(
                format!(
                    "no list {} on this server: check members.mailman3.list_id",
                    self.list_id
                ),
                false,
            ),
            Ok(r) => self.error(
                format!(
                    "GET /{API}/system/versions answered {}: this is not Mailman core's REST \
                     API, check members.mailman3.url",
                    status_line(r.status)
                ),
                false,
            ),
            Err(e) => e,
        }
    }

    /// An answer that is not one of the expected ones. `doing` names the step.
    fn refused(&self, doing: &str, reply: &Reply) -> BackendError {
        let status = status_line(reply.status);
        if matches!(reply.status, 401 | 403) {
            return self.error(
                format!("{status}: check members.mailman3.username and password"),
                false,
            );
        }
        let why = match reply.description() {
            Some(d) => format!(": {d}"),
            None if (300..400).contains(&reply.status) => {
                ": Mailman does not redirect, check members.mailman3.url".into()
            }
            None => String::new(),
        };
        let retry = reply.status >= 500 || reply.status == 429;
        self.error(format!("{doing}: {status}{why}"), retry)
    }

    fn unreachable(&self, e: ureq::Error) -> BackendError {
        use std::io::ErrorKind;
        let (what, retry) = match &e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => (
                format!("no connection within {}", secs(self.connect_timeout)),
                true,
            ),
            ureq::Error::Timeout(_) => (
                format!("no answer within {}", secs(self.request_timeout)),
                true,
            ),
            ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => {
                ("connection refused (is Mailman core running?)".into(), true)
            }
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) =>
            {
                (
                    "connection reset (Mailman core stopped or restarted?)".into(),
                    true,
                )
            }
            ureq::Error::Io(io) if io.kind() == ErrorKind::TimedOut => (
                format!("no answer within {}", secs(self.request_timeout)),
                true,
            ),
            ureq::Error::Io(io) => (io.to_string(), true),
            ureq::Error::HostNotFound => ("host not found".into(), true),
            ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
                (e.to_string(), true)
            }
            ureq::Error::Rustls(tls) => (
                format!("TLS: {tls} (the certificate must verify against the system trust store)"),
                false,
            ),
            ureq::Error::Protocol(_) => (
                format!("{e}: not HTTP (an https server behind an http:// URL?)"),
                false,
            ),
            _ => (e.to_string(), false),
        };
        self.error(what, retry)
    }

    fn error(&self, what: String, retry: bool) -> BackendError {
        BackendError {
            message: bounded_line(&format!("mailman3 {}: {what}", self.shown)),
            retry,
        }
    }
}

impl Backend for Mailman3 {
    fn via(&self) -> String {
        "mailman3".into()
    }

    /// `POST /3.1/members`, form-encoded as Mailman expects.
    fn subscribe(&mut self, member: &Member) -> Result<Outcome, BackendError> {
        let mut form = vec![
            ("list_id", self.list_id.as_str()),
            ("subscriber", member.email.as_str()),
        ];
        if let Some(name) = member.name.as_deref().map(str::trim)
            && !name.is_empty()
        {
            form.push(("display_name", name));
        }
        form.extend([
            ("pre_verified", "true"),
            ("pre_confirmed", "true"),
            ("pre_approved", "true"),
        ]);
        let request = self
            .agent
            .post(self.url(&["members"]))
            .header("Authorization", self.authorization.expose_secret());
        let reply = self.finish(request.send_form(form))?;
        let doing = format!("subscribing {}", member.email);
        match (reply.status, reply.description().as_deref()) {
            (201, _) => {
                tracing::info!("mailman3: subscribed {} to {}", member.email, self.list_id);
                Ok(Outcome::Done)
            }
            (409, Some("Member already subscribed")) => Ok(Outcome::AlreadyThere),
            (400, Some("No such list")) => Err(self.no_list()),
            (202, _) => Err(self.held(&doing, &reply)),
            _ => Err(self.refused(&doing, &reply)),
        }
    }

    /// Finds the member of the list (any case of the address), then
    /// `DELETE /3.1/members/{member_id}`.
    fn unsubscribe(&mut self, email: &str) -> Result<Outcome, BackendError> {
        let doing = format!("removing {email}");
        let found = self.get(&["lists", &self.list_id, "member", email])?;
        let member_id = match found.status {
            200 => match &found.json()["member_id"] {
                Value::String(id) => id.clone(),
                Value::Number(id) => id.to_string(),
                _ => {
                    return Err(
                        self.error(format!("{doing}: no member_id in Mailman's answer"), false)
                    );
                }
            },
            // The same 404 means "no such member" and "no such list".
            404 => {
                self.check()?;
                return Ok(Outcome::AlreadyThere);
            }
            _ => return Err(self.refused(&doing, &found)),
        };
        let request = self
            .agent
            .delete(self.url(&["members", &member_id]))
            .header("Authorization", self.authorization.expose_secret())
            .query("pre_confirmed", "true")
            .query("pre_approved", "true");
        let reply = self.finish(request.call())?;
        match reply.status {
            204 => {
                tracing::info!("mailman3: removed {email} from {}", self.list_id);
                Ok(Outcome::Done)
            }
            // Removed by someone else between the lookup and now.
            404 => Ok(Outcome::AlreadyThere),
            202 => Err(self.held(&doing, &reply)),
            _ => Err(self.refused(&doing, &reply)),
        }
    }
}

impl Mailman3 {
    /// 202: Mailman started a workflow that waits for someone instead of making the change.
    fn held(&self, doing: &str, reply: &Reply) -> BackendError {
        let who = reply.json()["token_owner"]
            .as_str()
            .unwrap_or("someone")
            .to_string();
        self.error(
            format!("{doing}: Mailman holds the request for {who} instead of carrying it out"),
            false,
        )
    }
}

impl fmt::Debug for Mailman3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailman3")
            .field("url", &self.shown)
            .field("list_id", &self.list_id)
            .finish_non_exhaustive()
    }
}

/// Status and body of an answer, whatever the status.
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Mailman's words for an error: `description` of its JSON error body, else `title`
    /// when it adds something to the status line.
    fn description(&self) -> Option<String> {
        let json = self.json();
        let pick = |key: &str| {
            json[key]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != status_line(self.status))
                .map(String::from)
        };
        pick("description").or_else(|| pick("title"))
    }
}

/// HTTP settings shared by every request. Redirects are not followed: Mailman core never
/// redirects, and a redirected POST would silently turn into a GET. Certificates verify
/// against the system trust store, as for IMAP (an internal CA goes there). No connection
/// is kept for reuse: changes come a few at a time, minutes apart, and a kept connection
/// that Mailman (or its proxy) has since closed would fail the next change with a reset.
fn agent(connect: Duration, request: Duration, https: bool) -> Agent {
    let mut tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()));
    if https {
        let roots: Vec<Certificate<'static>> = crate::trust::system_roots()
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        tls = tls.root_certs(RootCerts::Specific(Arc::new(roots)));
    } else {
        // Never consulted over http; ureq's default (WebPki roots) is not compiled in.
        tls = tls.root_certs(RootCerts::Specific(Arc::new(Vec::new())));
    }
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections(0)
        .timeout_connect(Some(connect))
        .timeout_global(Some(request))
        .user_agent(concat!("tldops/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls.build())
        .build()
        .into()
}

/// "30 s", "0.5 s".
fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// "401 Unauthorized".
fn status_line(status: u16) -> String {
    match ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// What a path segment keeps as it is: unreserved characters and `@`; everything else is
/// percent-encoded, so an address with `+`, `/` or `%` reaches Mailman as written (`+` too:
/// older Falcon, Mailman's web framework, reads a `+` in a path as a space).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// `http://user:pw@host:8001/x/` → `http://host:8001/x`: credentials in the URL stay out of
/// messages.
fn without_userinfo(url: &url::Url) -> String {
    let mut shown = url.clone();
    // Only URLs that cannot have a host refuse these, and those have no credentials.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.as_str().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests;
