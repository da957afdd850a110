//! The `tldops` binary: parse flags, run, map errors to exit codes. See `lib.rs` for the layout.

use std::process::ExitCode;

use clap::Parser;
use tldops::{cli, config, service};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Behave like other Unix tools when stdout is a closed pipe (`tldops log | head`): end
    // quietly instead of failing on the write. Sockets are unaffected (Rust sends with
    // MSG_NOSIGNAL).
    // SAFETY: setting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = cli::Cli::parse();
    let result = cli::run(cli);
    // A thread may still wait for a password or token command (the TUI quit meanwhile).
    config::stop_running_commands();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            cli::print_error(&e);
            ExitCode::from(exit_code(&e))
        }
    }
}

/// 2 for what the operator can fix in the command line or the config, 1 for everything else.
fn exit_code(e: &anyhow::Error) -> u8 {
    let usage = e.chain().any(|c| {
        c.is::<config::ConfigError>()
            || c.is::<service::UsageError>()
            || c.is::<service::NeedsOverride>()
    });
    if usage { 2 } else { 1 }
}
