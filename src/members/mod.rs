//! Members backends: how approved contacts reach the list server. The service decides who is
//! subscribed or removed; a backend carries out one change and says how it went. `export`
//! renders the members as a file (the `export` backend's, or `tldops members export`).
//!
//! All three backends sit behind [`Backend`]: Mailman 3 makes each change on the server;
//! `export` and `email-command` take the changes in bulk and leave a [`Handoff`] (the file to
//! rewrite, the mail of commands) for the service to carry out with the store's help.

pub mod bulk;
pub mod export;
pub mod mailman3;

use std::fmt;
use std::path::PathBuf;

use crate::config::ExportFormat;

/// A person to subscribe or remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub email: String,
    pub name: Option<String>,
}

/// What a backend did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The change was made.
    Done,
    /// Nothing to do: already a member (subscribe) or not a member (remove).
    AlreadyThere,
    /// Taken in bulk (a members file, a mail of commands): done once the [`Handoff`] is.
    HandedOn,
}

/// What a batch of changes leaves the service to do once it has them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// Nothing: each change was made on the server.
    Nothing,
    /// Rewrite the members file at `path`, in `format`, after recording the changes.
    File { path: PathBuf, format: ExportFormat },
    /// Queue one mail of these command lines to `to`, with the changes it carries.
    Commands { to: String, lines: Vec<String> },
}

/// Why a change was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError {
    pub message: String,
    /// Worth retrying (the server was unreachable, 5xx) rather than a refusal (4xx).
    pub retry: bool,
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub trait Backend {
    /// How changes reach the list server, as the log and the result lines name it.
    fn via(&self) -> String;
    fn subscribe(&mut self, member: &Member) -> Result<Outcome, BackendError>;
    fn unsubscribe(&mut self, email: &str) -> Result<Outcome, BackendError>;
    /// Removes `member`: [`Backend::unsubscribe`], unless the backend names the person too.
    fn remove(&mut self, member: &Member) -> Result<Outcome, BackendError> {
        self.unsubscribe(&member.email)
    }
    /// After a batch: what is left to hand on.
    fn handoff(&mut self) -> Handoff {
        Handoff::Nothing
    }
}
