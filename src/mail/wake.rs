//! Waiting between passes that can be cut short: by "poll now" (the TUI's `p`), by a stop
//! signal, or — for a source that can tell, IMAP in IDLE — by new mail on its socket.
//!
//! A [`Wakeup`] is a socket pair: [`Waker::wake`] writes a byte, the waiting thread polls the
//! other end (with the IMAP socket, during IDLE). A wake that comes while nobody waits is kept
//! and ends the next wait at once, so a "poll now" during a pass is not lost.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Instant;

/// How a wait between passes ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The server said new mail arrived (IMAP IDLE's EXISTS): fetch it now.
    NewMail,
    /// Someone asked: poll now, or stop.
    Woken,
    /// The deadline passed (`poll_interval`, the upper bound between passes).
    Timeout,
    /// The connection waiting for mail broke (EOF, BYE, an I/O error), with why in a few
    /// words: reconnect now rather than sleep out the interval blind to new mail.
    Lost(String),
}

/// The waiting end; lives with the poller.
pub struct Wakeup {
    rx: UnixStream,
    tx: Arc<UnixStream>,
}

/// The waking end; cheap to clone, for other threads (key handlers, signal handlers).
#[derive(Clone)]
pub struct Waker(Arc<UnixStream>);

impl Waker {
    /// Ends the current (or the next) wait. Never blocks: when the pipe is full a wake is
    /// already pending.
    pub fn wake(&self) {
        let _ = (&*self.0).write(&[1]);
    }
}

/// What [`Wakeup::wait_with`] saw first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ready {
    /// The other descriptor has data to read.
    Readable,
    Woken,
    Timeout,
}

impl Wakeup {
    pub fn new() -> io::Result<Wakeup> {
        let (rx, tx) = UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        Ok(Wakeup {
            rx,
            tx: Arc::new(tx),
        })
    }

    pub fn waker(&self) -> Waker {
        Waker(self.tx.clone())
    }

    /// Sleeps until `until`, or less when woken.
    pub fn wait_until(&self, until: Instant) -> Wait {
        match self.wait_with(None, until) {
            Ready::Woken => Wait::Woken,
            _ => Wait::Timeout,
        }
    }

    /// Waits until `fd` (if any) is readable, a wake comes, or `until` passes. A wake is
    /// consumed when it is reported.
    pub(crate) fn wait_with(&self, fd: Option<RawFd>, until: Instant) -> Ready {
        loop {
            let left = until.saturating_duration_since(Instant::now());
            // Rounded up, so a wait never ends a moment early and spins.
            let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
            let mut fds = [
                libc::pollfd {
                    fd: self.rx.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: fd.unwrap_or(-1), // poll(2) ignores negative descriptors
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
            if n < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Ready::Timeout;
            }
            if fds[0].revents != 0 {
                self.drain();
                return Ready::Woken;
            }
            if fds[1].revents != 0 {
                return Ready::Readable;
            }
            if Instant::now() >= until {
                return Ready::Timeout;
            }
        }
    }

    fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.rx).read(&mut buf), Ok(n) if n > 0) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_wake_ends_the_wait_even_when_it_came_first() {
        let w = Wakeup::new().unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        w.waker().wake();
        w.waker().wake();
        assert_eq!(w.wait_until(far), Wait::Woken);
        let soon = Instant::now() + Duration::from_millis(30);
        assert_eq!(
            w.wait_until(soon),
            Wait::Timeout,
            "both wakes were consumed"
        );
        assert!(Instant::now() >= soon);

        let waker = w.waker();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            waker.wake();
        });
        let started = Instant::now();
        assert_eq!(w.wait_until(far), Wait::Woken);
        assert!(started.elapsed() < Duration::from_secs(10));
        t.join().unwrap();
    }

    #[test]
    fn a_readable_descriptor_is_reported() {
        let w = Wakeup::new().unwrap();
        let (a, mut b) = UnixStream::pair().unwrap();
        b.write_all(b"x").unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(w.wait_with(Some(a.as_raw_fd()), far), Ready::Readable);
    }
}
