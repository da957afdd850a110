//! The TUI without a terminal: key → action → state, and every view rendered on ratatui's
//! TestBackend at 60x16, 80x23, 80x24 and 120x40, compared with reviewed snapshots
//! (src/tui/snapshots/). Here the helpers; the tests by concern in the modules below, over
//! the world of `world.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::keymap::Keymap;
use super::state::MESSAGE_PAGE;
use super::state::{
    CaseDetail, Command, Dialog, MessageDetail, PollStatus, Purpose, Snapshot, State, View,
};
use super::update::{Effect, Msg, Refusal, update};
use crate::config::KeysConfig;
use crate::domain::audit::EventRecord;
use crate::domain::case::CaseState;
use crate::domain::email::Email;
use crate::domain::member::ContactState;
use crate::domain::message::parse;
use crate::domain::region::Region;
use crate::domain::roster::{IanaContact, Tld};
use crate::domain::template::Kind;
use crate::domain::tld::TldCode;
use crate::domain::triage::{Contact, Verdict};
use crate::service::MessageQuery;
use crate::service::{CaseSummary, ContactRow, MessageRow, RosterRow};
use crate::service::{Counts, QueueItem, RegionCounts, Stats};
use crate::service::{Effects, MessagePage, Plan, Planned};

const NOW: &str = "2026-03-10T12:00:00Z";

mod command_line;
mod dialogs;
mod editing;
mod help;
mod navigation;
/// The poll line and reloads after a pass.
mod poll;
/// The queue's actions on requests.
mod requests;
mod screens;
mod status;
mod world;

use world::*;

/// Compares `text` with the reviewed snapshot `name` in src/tui/snapshots/, whichever module
/// asks. A difference is written beside it as `.snap.new`: review it, then accept it with
/// `INSTA_UPDATE=always cargo test --lib tui` (or `cargo insta review`).
fn assert_reviewed(name: &str, text: &str) {
    insta::assert_snapshot!(name, text);
}

fn render(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    t.draw(|f| super::view::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            // A wide character covers the next cell too.
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(s: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(s, KeyCode::Char(c)));
    }
    effects
}

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// Runs `line` on the command line.
fn command(s: &mut State, line: &str) -> Vec<Effect> {
    key(s, KeyCode::Char(':'));
    keys(s, line);
    key(s, KeyCode::Enter)
}

/// The worker's answer to the check of the action asked last: it can be done.
fn check_passes(s: &mut State) {
    let command = Command::Reject {
        tld: "ch".into(),
        reason: "(checked)".into(),
    };
    update(
        s,
        Msg::Planned(Box::new(Ok(Plan {
            command,
            effects: Effects::default(),
        }))),
    );
}
