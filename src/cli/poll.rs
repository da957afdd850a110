//! `tldops poll` against the configured IMAP mailbox: one pass, or `--watch` to keep going
//! — in IMAP IDLE between passes where the server offers it, so new mail is fetched at once —
//! with exponential back-off after failures. SIGTERM or SIGINT stops either cleanly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use anyhow::{Context, Result};

use super::messages::print_report;
use super::output::{error_text, stderr_columns, stdout_columns};
use crate::config::{TlsMode, friendly};
use crate::installation::Installation;
use crate::service::{Service, Wakeup, Watch};

/// `logs_shown`: `-v` mirrors the log to stderr, which says what this would say again.
pub fn imap(
    service: &mut Service,
    install: &Installation,
    watch: bool,
    logs_shown: bool,
) -> Result<()> {
    let imap = install.config().imap.as_ref();
    if !logs_shown && imap.is_some_and(|c| c.tls == TlsMode::None) {
        eprintln!("warning: {}", TlsMode::CLEARTEXT);
    }
    // Before the password command runs: a stop while it runs ends it too.
    let stop = StopSignal::install()?;
    let mut source = match install.imap() {
        Err(_) if stop.requested() => {
            stop.say_stopped();
            return Ok(());
        }
        source => source?,
    };
    let interval = imap.map_or(Duration::from_secs(60), |c| c.poll_interval.0);
    if !watch {
        let report = service.ingest_until(&mut source, &stop.flag)?;
        print_report(&report);
        source.disconnect();
        stop.say_stopped();
        return Ok(());
    }
    // Quiet while nothing comes: say once what it waits for, then only what it finds (or
    // what fails), each under the time it happened.
    if let Some(c) = imap {
        let (user, host, mailbox) = (&c.username, &c.host, &c.mailbox);
        println!("watching {mailbox} of {user} on {host} (Ctrl-C stops)");
    }
    // How it waits, once known (after the first pass) and whenever it changes.
    let mut waits_in_idle = None;
    // The failure said last, while passes fail: the same again is one short line.
    let mut failing: Option<String> = None;
    service.watch(&mut source, interval, &stop.flag, &stop.wakeup, |event| {
        match event {
            // Stopped (a signal): the report says so; it did not get to a server.
            Watch::Polled { report, .. } if report.stopped => print_report(report),
            Watch::Polled { report, idle, .. } => {
                if failing.take().is_some() {
                    eprintln!("working again (at {})", clock());
                }
                if report.seen > 0 {
                    println!("{}", clock());
                    print_report(report);
                }
                if waits_in_idle != Some(idle) {
                    waits_in_idle = Some(idle);
                    println!("{}", waiting_line(idle, interval));
                }
            }
            Watch::Lost { reason, retry } => {
                println!("{}", lost_line(reason, retry, stdout_columns()));
            }
            Watch::Failed { error, retry } => {
                let retry = friendly(retry);
                let text = format!("{error:#}");
                if failing.as_deref() == Some(text.as_str()) {
                    eprintln!("still failing (at {}; trying again in {retry})", clock());
                } else {
                    let message = format!("{text}\n(at {}; trying again in {retry})", clock());
                    eprintln!("{}", error_text(&message, stderr_columns()));
                    failing = Some(text);
                }
            }
            Watch::Polling => {}
        }
        true
    });
    source.disconnect();
    stop.say_stopped();
    Ok(())
}

/// The UTC time of day, as the TUI's status line shows it.
fn clock() -> String {
    jiff::Timestamp::now().strftime("%H:%M:%S UTC").to_string()
}

/// How `--watch` waits between passes.
fn waiting_line(idle: bool, interval: Duration) -> String {
    let every = friendly(interval);
    if idle {
        format!("  waiting in IDLE: new mail is fetched as it arrives (and a pass every {every})")
    } else {
        format!("  the server offers no IDLE: polling every {every}")
    }
}

/// `poll: connection closed by the server; reconnecting`: one line, cut at a word to fit the
/// terminal's `columns` (the server's BYE text can be long); whole to a pipe or a file.
fn lost_line(reason: &str, retry: Duration, columns: Option<usize>) -> String {
    let when = match retry.as_secs() {
        0 => String::new(),
        s => format!(" in {s}s"),
    };
    let tail = format!("; reconnecting{when}");
    let reason = reason.trim_end().trim_end_matches(['.', ';', ':']);
    let Some(columns) = columns else {
        return format!("poll: {reason}{tail}");
    };
    let room = columns.max(40) - "poll: ".len() - tail.chars().count();
    let reason = match reason.char_indices().nth(room) {
        Some(_) => {
            let cut: String = reason.chars().take(room - 1).collect();
            let cut = cut
                .rsplit_once(' ')
                .map_or(cut.as_str(), |(words, _)| words);
            format!("{}…", cut.trim_end())
        }
        None => reason.to_string(),
    };
    format!("poll: {reason}{tail}")
}

/// SIGTERM and SIGINT ask a poll to stop: the pass stores what it has scanned (see
/// [`Service::ingest_until`]), and the command says so and exits 0. A second signal ends the
/// process at once.
pub struct StopSignal {
    pub flag: Arc<AtomicBool>,
    /// Woken by the first signal: ends a wait between passes (IDLE included) at once.
    pub wakeup: Wakeup,
    signals: Receiver<i32>,
}

impl StopSignal {
    pub fn install() -> Result<StopSignal> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let flag = Arc::new(AtomicBool::new(false));
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
            .context("cannot install signal handlers")?;
        let (tx, rx) = channel();
        let set = flag.clone();
        let wakeup = Wakeup::new().context("cannot set up the wake-up of a poll")?;
        let waker = wakeup.waker();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    if set.swap(true, Ordering::SeqCst) {
                        std::process::exit(128 + signal);
                    }
                    // A login waiting for a token helper would wait out its time limit.
                    crate::config::stop_running_commands();
                    let _ = tx.send(signal);
                    waker.wake();
                }
            })
            .context("cannot start the signal thread")?;
        Ok(StopSignal {
            flag,
            wakeup,
            signals: rx,
        })
    }

    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// After a stop on request: which signal it was, and that nothing is lost.
    pub fn say_stopped(&self) {
        if !self.requested() {
            return;
        }
        // The flag is set a moment before the signal's number is sent: wait for it.
        let signal = self.signals.recv_timeout(Duration::from_secs(1)).ok();
        let name = match signal {
            Some(signal_hook::consts::SIGINT) => "SIGINT",
            _ => "SIGTERM",
        };
        println!("poll: stopped by {name}; what was stored stays, the next poll goes on from it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lost_line_fits_80_columns() {
        let tty = Some(80);
        let line = lost_line("connection closed by the server", Duration::ZERO, tty);
        assert_eq!(line, "poll: connection closed by the server; reconnecting");
        // The server's own full stop does not run into the semicolon.
        let line = lost_line(
            "server closed the connection: Server shutting down.",
            Duration::ZERO,
            tty,
        );
        assert_eq!(
            line,
            "poll: server closed the connection: Server shutting down; reconnecting"
        );
        let bye = format!(
            "server closed the connection: {}",
            "Shutting down. ".repeat(9)
        );
        let line = lost_line(&bye, Duration::from_secs(40), tty);
        assert!(line.chars().count() <= 80, "{line}");
        assert!(line.ends_with(" down.…; reconnecting in 40s"), "{line}");
        // A log or journal gets it whole.
        let line = lost_line(&bye, Duration::from_secs(40), None);
        assert!(
            line.ends_with("Shutting down; reconnecting in 40s"),
            "{line}"
        );
    }
}
