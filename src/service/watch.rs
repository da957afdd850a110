//! The one poller: a pass over the mailbox, then a wait — in IMAP IDLE where the server offers
//! it, so new mail is fetched at once — bounded by the poll interval, or after a failure by an
//! exponential back-off. A connection lost while waiting (the server restarted) is replaced at
//! once by the next pass; lost again before any wait ends normally, it backs off too, never
//! longer than the interval. `poll --watch` and the TUI both run it; they differ only in how
//! they report (stdout, or the status bar) and in what stops it (a signal, or the UI closing).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{IngestReport, Service};
use crate::mail::MailSource;
use crate::mail::backoff::Backoff;
use crate::mail::wake::{Wait, Wakeup};

/// A connection that waited this long before it broke had held: its loss is replaced at once
/// (a server restart), whatever failed before.
const HELD: Duration = Duration::from_secs(60);

/// What the poller tells its front end.
pub enum Watch<'a> {
    /// A pass begins.
    Polling,
    /// A pass ended; the next one comes within `next`, sooner when `idle`: the server tells
    /// of new mail as it comes (IMAP IDLE).
    Polled {
        report: &'a IngestReport,
        next: Duration,
        idle: bool,
    },
    /// The connection broke while waiting for mail (`reason`: EOF, BYE, …); the next pass,
    /// which reconnects, comes in `retry` (at once, unless it keeps breaking).
    Lost { reason: &'a str, retry: Duration },
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
        // Failures are retried no further apart than the interval: an operator expects mail
        // within it once the server is back, and a pass that fails costs the server no more
        // than one that works.
        let first = Duration::from_secs(5);
        let mut backoff = Backoff::new(first.min(interval), interval);
        // Whether the connection has held since the last failure: a loss then is a server
        // restart, replaced at once; a loss after a failure or a loss is a server that keeps
        // dropping us, retried with back-off so it is not hammered.
        let mut steady = true;
        loop {
            if !tell(Watch::Polling) {
                return;
            }
            match self.ingest_until(source, stop) {
                Ok(report) => {
                    let next = interval;
                    if !tell(Watch::Polled {
                        report: &report,
                        next,
                        idle: source.hears_new_mail(),
                    }) || stop.load(Ordering::SeqCst)
                    {
                        return;
                    }
                    let started = Instant::now();
                    match source.wait_for_mail(started + next, wakeup) {
                        Wait::Lost(reason) => {
                            if started.elapsed() >= HELD {
                                steady = true;
                                backoff.reset();
                            }
                            let retry = if steady {
                                Duration::ZERO
                            } else {
                                backoff.next_delay()
                            };
                            steady = false;
                            tracing::info!("poller: {reason}; retry in {retry:?}");
                            if !tell(Watch::Lost {
                                reason: &reason,
                                retry,
                            }) {
                                return;
                            }
                            if !retry.is_zero() {
                                wakeup.wait_until(Instant::now() + retry);
                            }
                        }
                        waited => {
                            steady = true;
                            backoff.reset();
                            tracing::debug!("poller: {waited:?}");
                        }
                    }
                }
                // Stopping: whatever the pass said, it is over.
                Err(e) if stop.load(Ordering::SeqCst) => {
                    tracing::warn!("poll failed while stopping: {e:#}");
                    return;
                }
                Err(error) => {
                    steady = false;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::mail::{Checkpoint, Header, Scan};

    /// An empty mailbox whose every wait for mail ends with the connection lost; or, when
    /// `down`, a server that cannot be reached at all.
    struct Dropping {
        down: bool,
    }

    impl MailSource for Dropping {
        fn name(&self) -> String {
            "imap:test".into()
        }
        fn scan_headers(
            &mut self,
            _: Option<Checkpoint>,
            _: &mut dyn FnMut(Header) -> anyhow::Result<()>,
        ) -> anyhow::Result<Scan> {
            if self.down {
                anyhow::bail!("127.0.0.1:1: cannot connect: Connection refused");
            }
            Ok(Scan {
                uidvalidity: 1,
                rescan: false,
            })
        }
        fn fetch_bodies(&mut self, _: &[u32]) -> anyhow::Result<Vec<(u32, Vec<u8>)>> {
            Ok(Vec::new())
        }
        fn refetch(
            &mut self,
            _: u32,
            _: u32,
            _: &dyn Fn(&[u8]) -> bool,
        ) -> anyhow::Result<Option<Vec<u8>>> {
            Ok(None)
        }
        fn wait_for_mail(&mut self, _: Instant, _: &Wakeup) -> Wait {
            Wait::Lost("connection closed by the server".into())
        }
    }

    /// The retries the poller announces for the first `n` losses in a row, or with `down`
    /// the first `n` failed passes (each wait cut short by a wake-up, so the test does not
    /// sleep them).
    fn retries_of(down: bool, interval: Duration, n: usize) -> Vec<Duration> {
        let service = Service::in_memory_polling(Config::default(), "test".into()).unwrap();
        let (stop, wakeup) = (AtomicBool::new(false), Wakeup::new().unwrap());
        let waker = wakeup.waker();
        let mut retries = Vec::new();
        service.watch(&mut Dropping { down }, interval, &stop, &wakeup, |event| {
            match event {
                Watch::Lost { reason, retry } => {
                    assert_eq!(reason, "connection closed by the server");
                    retries.push(retry);
                }
                Watch::Failed { retry, .. } => retries.push(retry),
                _ => return true,
            }
            waker.wake();
            retries.len() < n
        });
        retries
    }

    #[test]
    fn a_lost_connection_is_replaced_at_once_then_with_back_off_within_the_interval() {
        let retries = retries_of(false, Duration::from_secs(3600), 4);
        assert_eq!(retries[0], Duration::ZERO, "a server restart: at once");
        let steps = [5, 10, 20].map(Duration::from_secs);
        for (retry, step) in retries[1..].iter().zip(steps) {
            assert!(*retry >= step / 2 && *retry <= step, "{retries:?}");
        }

        let interval = Duration::from_secs(6);
        let retries = retries_of(false, interval, 5);
        assert_eq!(retries[0], Duration::ZERO);
        assert!(
            retries[1..]
                .iter()
                .all(|r| *r >= Duration::from_millis(2500))
        );
        assert!(retries.iter().all(|r| *r <= interval), "{retries:?}");
    }

    /// The TUI's bar said "retry" 4 minutes ahead with a poll interval of one: failures backed
    /// off up to five minutes, while the README promises mail within the interval.
    #[test]
    fn failed_passes_are_retried_within_the_interval() {
        let interval = Duration::from_secs(60);
        let retries = retries_of(true, interval, 10);
        assert!(retries[0] <= Duration::from_secs(5), "{retries:?}");
        assert!(retries.iter().all(|r| *r <= interval), "{retries:?}");
        assert!(retries[9] >= interval / 2, "{retries:?}");
    }
}
