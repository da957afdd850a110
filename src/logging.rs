//! Diagnostics go to a log file, never to the terminal the TUI draws on. `-v` additionally
//! mirrors them to stderr for CLI commands. `TLDOPS_LOG` overrides the filter
//! (e.g. `TLDOPS_LOG=tldops=trace`).

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::private::{self, Create};

/// Installs the subscriber; `log_file` `None`: no file (a command that must create nothing).
/// A log file that cannot be opened is reported once on stderr and otherwise ignored: logging
/// must never stop the operator's work.
pub fn init(log_file: Option<&Path>, verbose: u8, to_stderr: bool) {
    let file_level = if verbose > 0 { "debug" } else { "info" };
    let filter =
        || EnvFilter::try_from_env("TLDOPS_LOG").unwrap_or_else(|_| EnvFilter::new(file_level));
    // Owner-only, or the team's in a setgid data dir: every account of a shared installation
    // appends to the same log.
    let file_layer = log_file.and_then(|log_file| {
        let file = log_file
            .parent()
            .map(private::create_dir_all)
            .transpose()
            .and_then(|_| private::open(log_file, Create::Append));
        match file {
            Ok(f) => Some(
                fmt::layer()
                    .with_writer(Mutex::new(f))
                    .with_ansi(false)
                    .with_filter(filter()),
            ),
            Err(e) => {
                eprintln!("warning: cannot open log file {}: {e}", log_file.display());
                None
            }
        }
    });
    let stderr_layer = (verbose > 0 && to_stderr).then(|| {
        let level = if verbose > 1 { "debug" } else { "info" };
        fmt::layer()
            .with_writer(std::io::stderr)
            .without_time()
            .with_target(false)
            .with_filter(EnvFilter::new(level))
    });
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
}
