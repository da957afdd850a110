//! Outgoing mail transports: hand a rendered message to the world. The outbox (store) and the
//! sender (service) decide what to send and when; a transport only delivers one message and
//! says whether a failure is worth retrying.

pub mod compose;
pub mod file;
pub mod smtp;

use std::fmt;
use std::path::Path;

use crate::config::{self, OutgoingConfig, Secret};

/// Who the message is from and to, for the SMTP envelope (the headers are in the raw bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
}

/// Why a message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying later: a 4xx reply, a refused or dropped connection, a timeout.
    Transient(String),
    /// Retrying will not help: a 5xx reply, a bad recipient, a refused login.
    Permanent(String),
    /// Nothing can be sent until the operator fixes this machine (the file transport may not
    /// write its directory): the message itself is fine and waits, and retrying on a timer
    /// would only hide the problem.
    Blocked(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transient(m) => write!(f, "temporary failure: {m}"),
            SendError::Permanent(m) => write!(f, "permanent failure: {m}"),
            SendError::Blocked(m) => f.write_str(m),
        }
    }
}

pub trait Transport {
    /// Delivers one message. `message_id` (without brackets) names it for the file transport
    /// and for logs.
    fn send(&mut self, envelope: &Envelope, message_id: &str, raw: &[u8]) -> Result<(), SendError>;
}

/// Sends nothing: what a front end that keeps running holds when the password of its
/// transport could not be had. Every mail waits in the outbox, and the error says what to set.
pub struct Unavailable(pub String);

impl Transport for Unavailable {
    fn send(&mut self, _: &Envelope, _: &str, _: &[u8]) -> Result<(), SendError> {
        Err(SendError::Blocked(self.0.clone()))
    }
}

/// The transport `[outgoing]` asks for: SMTP with `transport = "smtp"`, else `.eml` files in
/// `dir` (default `<data_dir>/sent-mail`), also when the section is absent: nothing leaves the
/// machine until someone configures a server. `password` is the already-resolved secret.
pub fn transport_for(
    config: Option<&OutgoingConfig>,
    data_dir: &Path,
    password: Option<Secret>,
) -> anyhow::Result<Box<dyn Transport + Send>> {
    match config {
        Some(c) if c.transport == config::Transport::Smtp => {
            Ok(Box::new(smtp::SmtpTransport::new(c, password)?))
        }
        _ => {
            let dir = config
                .and_then(|c| c.dir.clone())
                .unwrap_or_else(|| data_dir.join("sent-mail"));
            Ok(Box::new(file::FileTransport::new(dir)))
        }
    }
}
