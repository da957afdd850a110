//! The one layer both front ends call: every operator action and every query lives here, so
//! the CLI and the TUI do exactly the same thing. It ties the pure domain to the store and,
//! later, to mail; it never prints and never draws.

mod chase;
mod clock;
mod command;
mod ingest;
mod log;
mod mailer;
mod members;
mod messages;
mod outcome;
mod queue;
mod reconfirm;
mod requests;
mod roster;
mod rounds;
mod stats;
mod templates;
mod views;
mod watch;
mod workflow;

use anyhow::Result;

pub use clock::{Clock, ShiftedClock, SystemClock};
pub use command::Command;
pub use ingest::IngestReport;
pub use log::LogReport;
pub use mailer::{Planned, SendReport};
pub use members::Synced;
pub use messages::{Assignment, MessagePage, Reopen};
pub use outcome::{Delivery, Effects, Outcome, Plan};
pub use queue::{ItemKind, QueueItem};
pub use reconfirm::{Confirmation, Reconfirmation};
pub use requests::{Asking, Dismissal, Leaving};
pub use roster::{ImportOptions, ImportReport, RosterFilter};
pub use rounds::RoundLine;
pub use stats::{ANSWER_BUCKETS, AnswerTime, Counts, RegionCounts, Stats};
pub use templates::Templates;
pub use views::{CaseDetail, MessageDetail};
pub use watch::Watch;
pub use workflow::{Approval, Batch, Rejection, Selection, describe};

use crate::config::Config;
use crate::domain::time::Timestamp;
use crate::store::Store;

/// The rows and filters of the service's queries: plain data, defined beside the SQL that
/// reads them; the front ends name them through the service only.
pub use crate::store::{
    CaseSummary, ContactRow, EventFilter, MessageFilter, MessageQuery, MessageRow, RosterRow,
};

/// The adapters the service drives, as a front end holds them: built by the composition root
/// ([`crate::installation`]) and handed to the service's calls, never built by a front end.
pub type Mailbox = Box<dyn crate::mail::MailSource + Send>;
/// See [`Mailbox`].
pub type Outgoing = Box<dyn crate::outgoing::Transport + Send>;
/// Ends a poller's wait between passes at once (see [`Service::watch`]).
pub use crate::mail::wake::Wakeup;

/// Builds the configured members backend when a batch needs one, so that a Mailman 3
/// password is asked for only then.
pub type OpenMembers =
    Box<dyn Fn(&Config) -> Result<Box<dyn crate::members::Backend>> + Send + Sync>;

pub struct Service {
    store: Store,
    config: Config,
    templates: Templates,
    /// The OS login recorded in every event this service writes.
    operator: String,
    members: OpenMembers,
    /// Where every time this service stamps or compares comes from.
    clock: std::sync::Arc<dyn Clock>,
}

impl Service {
    /// A service on `store` without a members backend (see [`Service::with_members`]): the
    /// composition root gives it one.
    pub fn new(store: Store, config: Config, operator: String) -> Service {
        Service {
            store,
            config,
            templates: Templates::bundled(),
            operator,
            members: Box::new(|_| {
                anyhow::bail!("no members backend: this service was opened without one")
            }),
            clock: SystemClock::shared(),
        }
    }

    /// A service on the database at `path` (created and migrated if need be).
    pub fn open(path: &std::path::Path, config: Config, operator: String) -> Result<Service> {
        Ok(Service::new(Store::open(path)?, config, operator))
    }

    /// A service on a database in memory, for tests.
    #[cfg(test)]
    pub fn in_memory(config: Config, operator: String) -> Result<Service> {
        Ok(Service::new(Store::open_in_memory()?, config, operator))
    }

    /// [`Service::in_memory`] with a roster of one ccTLD (.nl): what a poll needs to run.
    #[cfg(test)]
    pub fn in_memory_polling(config: Config, operator: String) -> Result<Service> {
        let s = Service::in_memory(config, operator)?;
        let roster = "tld,country,admin_name,admin_email,tech_name,tech_email,region\n\
                      nl,Netherlands,Ann,admin@nic.nl,Tom,tech@nic.nl,CENTR\n";
        s.import_roster("test.csv", roster.as_bytes(), Default::default())?;
        Ok(s)
    }

    /// Hands member changes to the backend `open` builds.
    pub fn with_members(mut self, open: OpenMembers) -> Service {
        self.members = open;
        self
    }

    /// Reads the time from `clock` (the system clock unless given another).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Service {
        self.clock = clock;
        self
    }

    /// Now, by this service's clock: the time of everything it stamps and compares.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Uses `templates` (the bundled ones overridden from the config's folder).
    pub fn with_templates(mut self, templates: Templates) -> Service {
        self.templates = templates;
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Messages larger than this are stored without their body (`imap.max_message_size`).
    pub fn max_message_size(&self) -> u64 {
        self.config
            .imap
            .as_ref()
            .map_or(crate::config::DEFAULT_MAX_MESSAGE_SIZE, |i| {
                i.max_message_size
            })
    }

    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// Changes when another connection (the poller, another operator) commits.
    pub fn data_version(&self) -> Result<i64> {
        self.store.data_version()
    }

    /// The database file (its `-wal` file beside it changes on every commit), unless the
    /// database lives in memory.
    pub fn database_path(&self) -> Option<std::path::PathBuf> {
        self.store.path()
    }

    /// Mails waiting to be sent.
    pub fn outbox_backlog(&self) -> Result<i64> {
        use crate::store::OutboxQueries;
        self.store.outbox_backlog()
    }

    /// Every contact proposed and not yet decided, by TLD.
    pub fn proposed_contacts(&self) -> Result<Vec<crate::store::ContactRow>> {
        use crate::store::ContactQueries;
        self.store
            .contacts_in(crate::domain::member::ContactState::Proposed)
    }

    /// The Message-ID and subject token of the TLD's invitation, if it was invited.
    pub fn invitation_of(&self, tld: &str) -> Result<Option<(String, String)>> {
        use crate::store::CaseRows;
        Ok(self
            .store
            .case(tld)?
            .and_then(|c| Some((c.invitation_message_id?, c.token?))))
    }

    /// One message with its raw bytes, by `#ID` or Message-ID.
    pub fn message(&self, reference: &str) -> Result<Option<(crate::store::MessageRow, Vec<u8>)>> {
        use crate::store::MessageQueries;
        self.store.message_by_ref(reference)
    }
}

/// The schema version of the database at `path` (opened, so migrated, as every command does).
pub fn schema_version(path: &std::path::Path) -> Result<i64> {
    Store::open(path)?.schema_version()
}

/// Errors from the operator's input (an unknown TLD, a bad argument), as opposed to failures
/// of the machinery: the CLI exits 2 for these.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// An approval the evidence does not carry: the reply is unverified or suspicious, so an
/// operator must give a reason, which is logged. A usage error too (exit 2), which the TUI
/// answers by asking for the reason (its text is `.0`; the message names the CLI's option).
#[derive(Debug, thiserror::Error)]
#[error("{0} (--override-reason REASON)")]
pub struct NeedsOverride(pub String);

pub fn usage<T>(message: impl Into<String>) -> Result<T> {
    Err(UsageError(message.into()).into())
}
