//! Starting the terminal UI on an installation: the services for its threads, the mailbox it
//! polls, the transport it sends with. A password that cannot be had does not stop it: the
//! TUI opens without what needs it (see `tui::Missing`).

use std::path::Path;

use anyhow::Result;

use crate::config::{Config, MembersBackend, Paths};
use crate::mail::MailSource;
use crate::mail::imap::ImapSource;
use crate::outgoing::{Unavailable, transport_for};
use crate::service::{Service, Templates};
use crate::store::Store;
use crate::tui::{Missing, Secret};

pub fn run(
    paths: &Paths,
    config: Config,
    templates: Templates,
    color: bool,
    source: Option<Box<dyn MailSource + Send>>,
) -> Result<()> {
    let operator = crate::operator::current_login()?;
    let mut missing = Missing::default();
    // Asked once, before the terminal is taken over (a password command may prompt).
    let password = match &config.imap {
        Some(imap) if source.is_none() => match imap_password(imap) {
            Ok(p) => Ok(p),
            Err(why) => {
                missing.add(Secret::Imap, why);
                Err(missing.fix(Secret::Imap).unwrap_or_default())
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
        Some(Box::new(imap) as Box<dyn MailSource + Send>)
    });
    let reopen = {
        let config = config.clone();
        move |name: &str| {
            super::sources::reopen(&config, name, &mut |_| {
                password.clone().map_err(|fix| anyhow::anyhow!("{fix}"))
            })
        }
    };
    let poll_interval = config
        .imap
        .as_ref()
        .map_or(std::time::Duration::from_secs(60), |i| i.poll_interval.0);
    let transport = transport(&config, &paths.data_dir, &mut missing)?;
    if let Some(why) = mailman_missing(&config) {
        missing.add(Secret::Mailman, why);
    }
    let db = paths.database();
    Store::open(&db)?;
    let open = move || -> Result<Service> {
        Ok(
            Service::new(Store::open(&db)?, config.clone(), operator.clone())
                .with_templates(templates.clone()),
        )
    };
    crate::tui::run(crate::tui::Setup {
        open: Box::new(open),
        source,
        reopen: Box::new(reopen),
        poll_interval,
        transport,
        color,
        missing,
        unpolled,
    })
}

/// Why the `[imap]` password cannot be had, as `password_env: $X is not set`.
fn imap_password(
    imap: &crate::config::ImapConfig,
) -> Result<Option<crate::config::Secret>, String> {
    super::sources::imap_password(imap).map_err(|e| {
        let text = format!("{e:#}");
        text.strip_prefix("imap: ").unwrap_or(&text).to_string()
    })
}

/// The transport; without its password, one that sends nothing (the mail waits in the
/// outbox) and the secret recorded as missing.
fn transport(
    config: &Config,
    data_dir: &Path,
    missing: &mut Missing,
) -> Result<Box<dyn crate::outgoing::Transport + Send>> {
    let outgoing = config.outgoing.as_ref();
    let password = match outgoing.and_then(|o| o.secret()) {
        Some(s) => match s.resolve() {
            Ok(p) => Some(p),
            Err(why) => {
                missing.add(Secret::Outgoing, why);
                let fix = missing.fix(Secret::Outgoing).unwrap_or_default();
                return Ok(Box::new(Unavailable(format!("not sent: {fix}"))));
            }
        },
        None => None,
    };
    transport_for(outgoing, data_dir, password)
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
