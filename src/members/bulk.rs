//! The backends that take changes in bulk: `export` (a file the list server imports) and
//! `email-command` (one mail of Mailman/Sympa commands to the list's request address). Each
//! call only notes the change; the [`Handoff`] says what the service must then write or queue.

use std::path::PathBuf;

use super::{Backend, BackendError, Handoff, Member, Outcome};
use crate::config::{EmailCommandConfig, ExportFormat};

/// `export`: the list server takes the whole members file, rewritten after every batch.
pub struct FileExport {
    pub path: PathBuf,
    pub format: ExportFormat,
}

impl Backend for FileExport {
    fn via(&self) -> String {
        "members export (file for the list server)".into()
    }

    fn subscribe(&mut self, _: &Member) -> Result<Outcome, BackendError> {
        Ok(Outcome::HandedOn)
    }

    fn unsubscribe(&mut self, _: &str) -> Result<Outcome, BackendError> {
        Ok(Outcome::HandedOn)
    }

    fn handoff(&mut self) -> Handoff {
        Handoff::File {
            path: self.path.clone(),
            format: self.format,
        }
    }
}

/// `email-command`: a command line per change, from the configured templates.
pub struct EmailCommands {
    config: EmailCommandConfig,
    /// The list as the commands name it (its address, else its name).
    list: String,
    lines: Vec<String>,
}

impl EmailCommands {
    pub fn new(config: EmailCommandConfig, list: String) -> EmailCommands {
        EmailCommands {
            config,
            list,
            lines: Vec::new(),
        }
    }

    fn note(&mut self, subscribe: bool, email: &str, name: Option<&str>) -> Outcome {
        let template = if subscribe {
            &self.config.subscribe
        } else {
            &self.config.unsubscribe
        };
        self.lines.push(
            template
                .replace("{list}", &self.list)
                .replace("{email}", email)
                .replace("{name}", name.unwrap_or(""))
                .trim_end()
                .to_string(),
        );
        Outcome::HandedOn
    }
}

impl Backend for EmailCommands {
    fn via(&self) -> String {
        format!("commands mailed to {}", self.config.request_address)
    }

    fn subscribe(&mut self, member: &Member) -> Result<Outcome, BackendError> {
        Ok(self.note(true, &member.email, member.name.as_deref()))
    }

    fn unsubscribe(&mut self, email: &str) -> Result<Outcome, BackendError> {
        Ok(self.note(false, email, None))
    }

    /// The template may name the person being removed too.
    fn remove(&mut self, member: &Member) -> Result<Outcome, BackendError> {
        Ok(self.note(false, &member.email, member.name.as_deref()))
    }

    fn handoff(&mut self) -> Handoff {
        Handoff::Commands {
            to: self.config.request_address.clone(),
            lines: std::mem::take(&mut self.lines),
        }
    }
}
