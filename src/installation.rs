//! The composition root: the one place that turns an installation's config and paths into the
//! service and the adapters it drives — the mail source (IMAP, Maildir, mbox), the transport
//! (SMTP or `.eml` files) and the members backend (Mailman 3, export, email commands). The CLI
//! and the TUI ask it; neither builds an adapter, so both run on the same wiring.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::config::{Config, ImapConfig, MembersBackend, Paths, Secret};
use crate::mail::imap::ImapSource;
use crate::mail::local::LocalSource;
use crate::members::Backend;
use crate::members::bulk::{EmailCommands, FileExport};
use crate::members::mailman3::Mailman3;
use crate::outgoing::{Unavailable, transport_for};
use crate::service::{
    Clock, Mailbox, OpenMembers, Outgoing, Service, SystemClock, Templates, usage,
};
use crate::tui::{Missing, Secret as Needed};

/// An installation: where its files are, what its config says, who runs it.
#[derive(Clone)]
pub struct Installation {
    paths: Paths,
    config: Config,
    templates: Templates,
    /// The OS login: every event the services write names it.
    operator: String,
    /// The time every service reads: the system clock, unless the demo moves its own.
    clock: std::sync::Arc<dyn Clock>,
}

impl Installation {
    pub fn new(paths: Paths, config: Config, templates: Templates) -> Result<Installation> {
        Ok(Installation {
            paths,
            config,
            templates,
            operator: crate::operator::current_login()?,
            clock: SystemClock::shared(),
        })
    }

    /// Its services read the time from `clock` (the demo's seeding moves it back a week).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Installation {
        self.clock = clock;
        self
    }

    /// For tests: the events name `operator` instead of the OS login.
    pub fn as_operator(mut self, operator: &str) -> Installation {
        self.operator = operator.to_string();
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// A service on its own connection to the database (created and migrated if need be).
    pub fn service(&self) -> Result<Service> {
        let data_dir = self.paths.data_dir.clone();
        let members: OpenMembers = Box::new(move |config| members_backend(config, &data_dir));
        Ok(Service::open(
            &self.paths.database(),
            self.config.clone(),
            self.operator.clone(),
        )?
        .with_templates(self.templates.clone())
        .with_members(members)
        .with_clock(self.clock.clone()))
    }

    /// Opens a service per call: one database connection per thread.
    pub fn opener(&self) -> Box<dyn Fn() -> Result<Service> + Send + Sync> {
        let this = self.clone();
        Box::new(move || this.service())
    }

    /// The `[imap]` mailbox, its password asked now. Returned as itself, so that `poll` can
    /// log out politely when it ends.
    pub fn imap(&self) -> Result<ImapSource> {
        let Some(imap) = &self.config.imap else {
            return usage(
                "`tldops poll` needs an [imap] section in the config (or give --maildir DIR / --mbox FILE)",
            );
        };
        Ok(ImapSource::new(imap, imap_password(imap)?))
    }

    /// A Maildir, read in place.
    pub fn maildir(dir: &Path) -> Result<Mailbox> {
        Ok(Box::new(LocalSource::maildir(dir)?))
    }

    /// An mbox file, read in place.
    pub fn mbox(file: &Path) -> Result<Mailbox> {
        Ok(Box::new(LocalSource::mbox(file)?))
    }

    /// The mailbox a stored message came from, by its source's name, if this installation
    /// reads it ([`crate::service::Reopen`]); the `[imap]` password is asked only for IMAP.
    pub fn reopen(&self, name: &str) -> Result<Option<Mailbox>> {
        reopen(&self.config, name, &mut imap_password)
    }

    /// The configured transport, its password asked now.
    pub fn transport(&self) -> Result<Outgoing> {
        let password = self
            .outgoing_password()
            .map_err(|e| anyhow::anyhow!("outgoing: {e}"))?;
        transport_for(
            self.config.outgoing.as_ref(),
            &self.paths.data_dir,
            password,
        )
    }

    /// The `[outgoing]` password or token, resolved now (`None`: the config names none).
    fn outgoing_password(&self) -> Result<Option<Secret>, String> {
        let outgoing = self.config.outgoing.as_ref();
        outgoing
            .and_then(|o| o.secret())
            .map(|s| s.resolve())
            .transpose()
    }

    /// Writes each mail as an `.eml` file into `dir`, sending nothing.
    pub fn file_transport(dir: PathBuf) -> Outgoing {
        Box::new(crate::outgoing::file::FileTransport::new(dir))
    }

    /// What the terminal UI runs on. A password that cannot be had does not stop it: the TUI
    /// opens without what needs it (see [`Missing`]). `source` replaces the `[imap]` mailbox
    /// (the demo's Maildir).
    pub fn tui(&self, source: Option<Mailbox>, color: bool) -> Result<crate::tui::Setup> {
        let config = &self.config;
        let mut missing = Missing::default();
        // Asked once, before the terminal is taken over (a password command may prompt).
        let password = match &config.imap {
            Some(imap) if source.is_none() => match imap_password(imap) {
                Ok(p) => Ok(p),
                Err(e) => {
                    let text = format!("{e:#}");
                    missing.add(Needed::Imap, text.strip_prefix("imap: ").unwrap_or(&text));
                    Err(missing.fix(Needed::Imap).unwrap_or_default())
                }
            },
            _ => Ok(None),
        };
        let unpolled = match (&config.imap, &password) {
            (Some(imap), Err(_)) => Some(ImapSource::name_for(imap)),
            _ => None,
        };
        let source = source.or_else(|| {
            let imap = ImapSource::new(config.imap.as_ref()?, password.clone().ok()?);
            Some(Box::new(imap) as Mailbox)
        });
        let reopen = {
            let config = config.clone();
            move |name: &str| {
                reopen(&config, name, &mut |_| {
                    password.clone().map_err(|fix| anyhow::anyhow!("{fix}"))
                })
            }
        };
        let poll_interval = config
            .imap
            .as_ref()
            .map_or(std::time::Duration::from_secs(60), |i| i.poll_interval.0);
        let transport = self.tui_transport(&mut missing)?;
        if let Some(why) = mailman_missing(config) {
            missing.add(Needed::Mailman, why);
        }
        // Created (or migrated) before the terminal is taken over, so a failure reads plainly.
        self.service()?;
        Ok(crate::tui::Setup {
            open: self.opener(),
            source,
            reopen: Box::new(reopen),
            poll_interval,
            transport,
            color,
            missing,
            unpolled,
        })
    }

    /// The transport; without its password, one that sends nothing (the mail waits in the
    /// outbox) and the secret recorded as missing.
    fn tui_transport(&self, missing: &mut Missing) -> Result<Outgoing> {
        match self.outgoing_password() {
            Ok(password) => transport_for(
                self.config.outgoing.as_ref(),
                &self.paths.data_dir,
                password,
            ),
            Err(why) => {
                missing.add(Needed::Outgoing, why);
                let fix = missing.fix(Needed::Outgoing).unwrap_or_default();
                Ok(Box::new(Unavailable(format!("not sent: {fix}"))))
            }
        }
    }
}

/// The configured members backend; the `export` file defaults to `members.<ext>` in
/// `data_dir`.
pub fn members_backend(config: &Config, data_dir: &Path) -> Result<Box<dyn Backend>> {
    let members = &config.members;
    match members.backend {
        MembersBackend::Export => Ok(Box::new(FileExport {
            path: members.export.path.clone().unwrap_or_else(|| {
                data_dir.join(format!("members.{}", members.export.format.extension()))
            }),
            format: members.export.format,
        })),
        MembersBackend::EmailCommand => {
            let Some(cfg) = &members.email_command else {
                return usage("members backend \"email-command\" needs [members.email-command]");
            };
            let list = config
                .list
                .address
                .clone()
                .unwrap_or_else(|| config.list.name.clone());
            Ok(Box::new(EmailCommands::new(cfg.clone(), list)))
        }
        MembersBackend::Mailman3 => {
            let Some(cfg) = &members.mailman3 else {
                return usage("members backend \"mailman3\" needs [members.mailman3]");
            };
            let password = cfg
                .secret()
                .ok_or_else(|| anyhow::anyhow!("members.mailman3: no password configured"))?
                .resolve()
                .map_err(|e| anyhow::anyhow!("members.mailman3: {e}"))?;
            let backend = Mailman3::new(cfg, password).map_err(|e| anyhow::anyhow!(e.message))?;
            Ok(Box::new(backend))
        }
    }
}

/// The `[imap]` password, from its command, variable or config entry; `None` when only
/// `oauth2_token_command` is configured (the source runs that itself, when it logs in).
fn imap_password(imap: &ImapConfig) -> Result<Option<Secret>> {
    match imap.secret() {
        Some(source) => source
            .resolve()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("imap: {e}")),
        None if imap.oauth2_token_command.is_some() => Ok(None),
        None => Err(anyhow::anyhow!("imap: no password configured")),
    }
}

/// The mailbox called `name` (`imap:…`, `maildir:PATH`, `mbox:PATH`), if this installation
/// reads it. The `[imap]` password comes from `password`, asked only when that mailbox is
/// the one wanted.
fn reopen(
    config: &Config,
    name: &str,
    password: &mut dyn FnMut(&ImapConfig) -> Result<Option<Secret>>,
) -> Result<Option<Mailbox>> {
    if let Some(imap) = &config.imap
        && ImapSource::name_for(imap) == name
    {
        return Ok(Some(Box::new(ImapSource::new(imap, password(imap)?))));
    }
    if let Some(dir) = name.strip_prefix("maildir:") {
        return Ok(Some(Installation::maildir(Path::new(dir))?));
    }
    if let Some(file) = name.strip_prefix("mbox:") {
        return Ok(Some(Installation::mbox(Path::new(file))?));
    }
    Ok(None)
}

/// Why the Mailman 3 password cannot be had, when the members backend is Mailman 3.
fn mailman_missing(config: &Config) -> Option<String> {
    if config.members.backend != MembersBackend::Mailman3 {
        return None;
    }
    let cfg = config.members.mailman3.as_ref()?;
    match cfg.secret() {
        Some(s) => s.resolve().err(),
        None => Some("no password configured".into()),
    }
}
