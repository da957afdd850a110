//! Members backends: how approved contacts reach the list server. The service decides who is
//! subscribed or removed; a backend carries out one change and says how it went. `export`
//! renders the members as a file (the `export` backend's, or `tldops members export`).

pub mod export;
pub mod mailman3;

use std::fmt;

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
    fn subscribe(&mut self, member: &Member) -> Result<Outcome, BackendError>;
    fn unsubscribe(&mut self, email: &str) -> Result<Outcome, BackendError>;
}
