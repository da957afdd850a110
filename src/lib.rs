//! tldops: the admission desk of TLD-OPS.
//!
//! Layout: `domain` is pure logic (no I/O); `config`, `store`, `mail`, `outgoing` and `members`
//! are the edges;
//! `service` is the one layer the front ends call; `cli` and `tui` are the front ends, and
//! `installation` (the composition root) builds the service and the adapters for both.
//! `private` creates every file and directory an installation writes, with its mode.
//! The binary (`main.rs`) only parses flags and hands over to `cli`.

pub mod cli;
pub mod config;
pub mod domain;
pub mod installation;
pub mod logging;
pub mod mail;
pub mod members;
pub mod operator;
pub mod outgoing;
pub mod private;
pub mod report;
pub mod service;
pub mod store;
pub mod trust;
pub mod tui;
