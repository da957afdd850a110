//! The integration tests, as one test binary: each topic is a module here, so the crate and
//! its dependencies are linked once for all of them instead of once per file (as ripgrep's
//! `tests/tests.rs` does). Run one topic with `cargo test --test integration workflow::`; one
//! test by its full name with `-- --exact`.
//!
//! The tests run in one process, on the harness's parallel threads: nothing here may change
//! what a process shares (environment, current directory, signal dispositions, rlimits).
//! Each test starts its own servers on ports the kernel picks, in its own temporary
//! directories; what several tests share (the Python virtualenvs) is made once, behind a
//! `OnceLock` and a lock file.

mod support;

mod after_invitation;
mod architecture;
mod audit_log;
mod cli;
mod corpus;
mod demo;
mod fuzz;
mod imap;
mod imap4d;
mod imap_auth;
mod ingest;
mod mailman3;
mod outbox_smtp;
mod poll_imap;
mod report;
mod shared_install;
mod smtp;
mod tui_e2e;
mod workflow;
