//! Shared test harness: a private installation of the real binary, the corpus world, and real
//! servers (DESIGN §6: no mocked IMAP). The `support` module of the one test binary
//! (`main.rs`); every topic reaches it as `crate::support`.

pub mod certs;
pub mod corpus;
pub mod dovecot;
mod dovecot_files;
pub mod imap4d;
pub mod install;
pub mod mailman;
pub mod oauth2;
pub mod process;
pub mod relay;
pub mod smtp;
