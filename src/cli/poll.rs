//! `tldops poll` against the configured IMAP mailbox: one pass, or `--watch` to keep going
//! with exponential back-off after failures.

use std::time::Duration;

use anyhow::Result;

use super::messages::print_report;
use crate::config::TlsMode;
use crate::mail::backoff::Backoff;
use crate::mail::imap::ImapSource;
use crate::service::{Service, usage};

pub fn imap(service: &mut Service, watch: bool) -> Result<()> {
    let Some(config) = service.config().imap.clone() else {
        return usage(
            "`tldops poll` needs an [imap] section in the config (or give --maildir DIR / --mbox FILE)",
        );
    };
    if config.tls == TlsMode::None {
        eprintln!(
            "warning: imap.tls = \"none\": the password and the mail cross the network in clear text"
        );
    }
    let password = super::sources::imap_password(&config)?;
    let mut source = ImapSource::new(&config, password);
    if !watch {
        let report = service.ingest(&mut source)?;
        print_report(&report);
        source.disconnect();
        return Ok(());
    }
    let interval = config.poll_interval.0;
    let mut backoff = Backoff::new(
        Duration::from_secs(5),
        interval.max(Duration::from_secs(300)),
    );
    loop {
        match service.ingest(&mut source) {
            Ok(report) => {
                backoff.reset();
                if report.seen > 0 {
                    print_report(&report);
                }
                std::thread::sleep(interval);
            }
            Err(e) => {
                let delay = backoff.next_delay();
                tracing::warn!("poll failed: {e:#}");
                eprintln!("error: {e:#} (retrying in {}s)", delay.as_secs());
                std::thread::sleep(delay);
            }
        }
    }
}
