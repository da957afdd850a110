//! Starting the terminal UI on an installation: the services for its threads, the mailbox it
//! polls, the transport it sends with.

use std::path::Path;

use anyhow::Result;

use crate::config::{Config, Paths};
use crate::mail::MailSource;
use crate::mail::imap::ImapSource;
use crate::outgoing::transport_for;
use crate::service::{Service, Templates};
use crate::store::Store;

pub fn run(
    paths: &Paths,
    config: Config,
    templates: Templates,
    color: bool,
    source: Option<Box<dyn MailSource + Send>>,
) -> Result<()> {
    let operator = crate::operator::current_login()?;
    // Asked once, before the terminal is taken over (a password command may prompt).
    let password = match &config.imap {
        Some(imap) => super::sources::imap_password(imap)?,
        None => None,
    };
    let source = source.or_else(|| {
        let imap = ImapSource::new(config.imap.as_ref()?, password.clone());
        Some(Box::new(imap) as Box<dyn MailSource + Send>)
    });
    let reopen = {
        let config = config.clone();
        move |name: &str| super::sources::reopen(&config, name, &mut |_| Ok(password.clone()))
    };
    let poll_interval = config
        .imap
        .as_ref()
        .map_or(std::time::Duration::from_secs(60), |i| i.poll_interval.0);
    let transport = transport(&config, &paths.data_dir)?;
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
    })
}

fn transport(
    config: &Config,
    data_dir: &Path,
) -> Result<Box<dyn crate::outgoing::Transport + Send>> {
    let outgoing = config.outgoing.as_ref();
    let password = match outgoing.and_then(|o| o.secret()) {
        Some(s) => Some(s.resolve().map_err(|e| anyhow::anyhow!("outgoing: {e}"))?),
        None => None,
    };
    transport_for(outgoing, data_dir, password)
}
