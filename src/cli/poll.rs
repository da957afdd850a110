//! `tldops poll` against the configured IMAP mailbox: one pass, or `--watch` to keep going
//! with exponential back-off after failures. SIGTERM or SIGINT stops either cleanly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result};

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
    let stop = StopSignal::install()?;
    if !watch {
        let report = service.ingest_until(&mut source, &stop.flag)?;
        print_report(&report);
        source.disconnect();
        stop.say_stopped();
        return Ok(());
    }
    let interval = config.poll_interval.0;
    let mut backoff = Backoff::new(
        Duration::from_secs(5),
        interval.max(Duration::from_secs(300)),
    );
    loop {
        let delay = match service.ingest_until(&mut source, &stop.flag) {
            Ok(report) => {
                backoff.reset();
                if report.seen > 0 {
                    print_report(&report);
                }
                interval
            }
            Err(e) if stop.requested() => {
                tracing::warn!("poll failed while stopping: {e:#}");
                Duration::ZERO
            }
            Err(e) => {
                let delay = backoff.next_delay();
                tracing::warn!("poll failed: {e:#}");
                eprintln!("error: {e:#} (retrying in {}s)", delay.as_secs());
                delay
            }
        };
        if stop.sleep(delay) {
            source.disconnect();
            stop.say_stopped();
            return Ok(());
        }
    }
}

/// SIGTERM and SIGINT ask a poll to stop: the pass stores what it has scanned (see
/// [`Service::ingest_until`]), and the command says so and exits 0. A second signal ends the
/// process at once.
pub struct StopSignal {
    pub flag: Arc<AtomicBool>,
    signals: Receiver<i32>,
    received: std::cell::Cell<Option<i32>>,
}

impl StopSignal {
    pub fn install() -> Result<StopSignal> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let flag = Arc::new(AtomicBool::new(false));
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
            .context("cannot install signal handlers")?;
        let (tx, rx) = channel();
        let set = flag.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    if set.swap(true, Ordering::SeqCst) {
                        std::process::exit(128 + signal);
                    }
                    let _ = tx.send(signal);
                }
            })
            .context("cannot start the signal thread")?;
        Ok(StopSignal {
            flag,
            signals: rx,
            received: std::cell::Cell::new(None),
        })
    }

    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Waits `delay`, or less when a signal comes; true when the poll should stop.
    pub fn sleep(&self, delay: Duration) -> bool {
        if self.requested() {
            return true;
        }
        match self.signals.recv_timeout(delay) {
            Ok(signal) => {
                self.received.set(Some(signal));
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => self.requested(),
        }
    }

    /// After a stop on request: which signal it was, and that nothing is lost.
    pub fn say_stopped(&self) {
        if !self.requested() {
            return;
        }
        let signal = self.received.get().or_else(|| self.signals.try_recv().ok());
        let name = match signal {
            Some(signal_hook::consts::SIGINT) => "SIGINT",
            _ => "SIGTERM",
        };
        println!(
            "poll: stopped by {name}; what was stored stays, and the next poll goes on from there"
        );
    }
}
