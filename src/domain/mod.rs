//! The domain of TLD-OPS admission, as plain data and pure functions.
//!
//! Nothing in here touches the disk, the network, the clock or the terminal: every function takes
//! its inputs as values and returns values, so it is tested directly. I/O lives in `store`,
//! `config` and the front ends.

pub mod approval;
pub mod audit;
pub mod case;
pub mod chase;
pub mod columns;
pub mod email;
pub mod language;
pub mod member;
pub mod message;
pub mod outbox;
pub mod queue;
pub mod reconfirm;
pub mod region;
pub mod roster;
pub mod template;
pub mod time;
pub mod tld;
pub mod triage;
pub mod verp;

/// `1 contact`, `2 contacts`: a count with its noun, in the words of every message.
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
