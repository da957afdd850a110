//! The one poller: a pass over the mailbox, then a wait — in IMAP IDLE where the server offers
//! it, so new mail is fetched at once — bounded by the poll interval, or after a failure by an
//! exponential back-off. `poll --watch` and the TUI both run it; they differ only in how they
//! report (stdout, or the status bar) and in what stops it (a signal, or the UI closing).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{IngestReport, Service};
use crate::mail::MailSource;
use crate::mail::backoff::Backoff;
use crate::mail::wake::Wakeup;

/// What the poller tells its front end.
pub enum Watch<'a> {
    /// A pass begins.
    Polling,
    /// A pass ended; the next one comes within `next` (sooner when IDLE reports mail).
    Polled {
        report: &'a IngestReport,
        next: Duration,
    },
    /// A pass failed; the next try is in `retry`.
    Failed {
        error: &'a anyhow::Error,
        retry: Duration,
    },
}

impl Service {
    /// Polls `source` again and again until `stop` is set or `tell` returns false. `wakeup`
    /// ends any wait at once (poll now, a signal); setting `stop` first makes it the end.
    pub fn watch(
        &self,
        source: &mut (dyn MailSource + Send),
        interval: Duration,
        stop: &AtomicBool,
        wakeup: &Wakeup,
        mut tell: impl FnMut(Watch) -> bool,
    ) {
        let mut backoff = Backoff::new(
            Duration::from_secs(5),
            interval.max(Duration::from_secs(300)),
        );
        loop {
            if !tell(Watch::Polling) {
                return;
            }
            match self.ingest_until(source, stop) {
                Ok(report) => {
                    backoff.reset();
                    let next = interval;
                    if !tell(Watch::Polled {
                        report: &report,
                        next,
                    }) || stop.load(Ordering::SeqCst)
                    {
                        return;
                    }
                    let waited = source.wait_for_mail(Instant::now() + next, wakeup);
                    tracing::debug!("poller: {waited:?}");
                }
                // Stopping: whatever the pass said, it is over.
                Err(e) if stop.load(Ordering::SeqCst) => {
                    tracing::warn!("poll failed while stopping: {e:#}");
                    return;
                }
                Err(error) => {
                    let retry = backoff.next_delay();
                    tracing::warn!("poll failed: {error:#}");
                    if !tell(Watch::Failed {
                        error: &error,
                        retry,
                    }) {
                        return;
                    }
                    wakeup.wait_until(Instant::now() + retry);
                }
            }
            if stop.load(Ordering::SeqCst) {
                return;
            }
        }
    }
}
