//! The full-screen terminal UI: a thin front end over the same service as the CLI.
//!
//! Elm-style: `update(state, msg) -> effects` is the only place state changes (`update.rs`),
//! `view` only draws it, and effects run off the UI thread (`worker.rs`) and come back as
//! messages. The loop blocks on one channel — no timer, no CPU while idle — and draws once
//! per burst of messages. Nothing outside this module uses ratatui or crossterm.

mod backend;
mod changes;
mod input;
mod keymap;
mod missing;
mod search;
mod state;
mod terminal;
mod theme;
mod update;
mod view;
mod worker;

#[cfg(test)]
mod tests;

use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{self, Event, KeyCode, KeyModifiers};

pub use keymap::Keymap;
pub use missing::{Missing, Secret};
use state::State;
use update::{Effect, Msg, update};
use worker::Job;

use crate::service::{Mailbox, Outgoing, Service};

/// What the TUI runs on (built by [`crate::installation`]): services for its threads, the
/// mailbox to poll, the mail transport.
/// [`crate::service::Reopen`], movable to the data worker's thread.
pub type OpenSource = dyn FnMut(&str) -> Result<Option<Mailbox>> + Send;

pub struct Setup {
    /// Opens a new service (its own database connection) for each thread.
    pub open: Box<dyn Fn() -> Result<Service> + Send + Sync>,
    pub source: Option<Mailbox>,
    /// Opens a stored message's mailbox again, to fetch a body for an assignment.
    pub reopen: Box<OpenSource>,
    pub poll_interval: Duration,
    pub transport: Outgoing,
    pub color: bool,
    /// Secrets that could not be had: the TUI opens without them and refuses what needs them.
    pub missing: Missing,
    /// The configured mailbox that is not polled because its password is missing.
    pub unpolled: Option<String>,
}

/// Checks `[keys]` as the TUI will read it: `(dotted key, what is wrong)`. Every command
/// runs it with the rest of the config checks, so `config check` finds a bad binding too.
pub fn check_keys(keys: &crate::config::KeysConfig) -> Result<(), (String, String)> {
    Keymap::new(keys).map(|_| ())
}

pub fn run(setup: Setup) -> Result<()> {
    let service = (setup.open)()?;
    let keymap = Keymap::new(&service.config().keys)
        .map_err(|(key, e)| crate::config::ConfigError::plain(format!("{key}: {e}")))?;
    let mut state = State::new(keymap, service.operator().to_string(), setup.color);
    if let (Some(name), Some(fix)) = (&setup.unpolled, setup.missing.fix(Secret::Imap)) {
        state.poll = state::PollStatus {
            source: Some(name.clone()),
            off: Some(fix),
            ..Default::default()
        };
    }
    for text in setup.missing.announcements() {
        state.notice = Some(state::Notice { text, error: true });
        state.log_notice();
    }
    state.missing = setup.missing.clone();
    // The first frame shows data: load it before taking over the terminal.
    let first = worker::snapshot(&service)?;
    update(&mut state, Msg::Data(Box::new(first)));

    let (ui_tx, ui_rx) = mpsc::channel::<Msg>();
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let (poll_tx, poll_rx) = mpsc::channel::<()>();
    // Told of every write to the database: the watcher holds the job channel weakly, so the
    // UI dropping its end still ends the data worker.
    let job_tx = Arc::new(job_tx);
    let changes = {
        let jobs = Arc::downgrade(&job_tx);
        changes::watch(service.database_path().as_deref(), move || {
            if let Some(jobs) = jobs.upgrade() {
                let _ = jobs.send(Job::Changed);
            }
        })
    };
    {
        let ui = ui_tx.clone();
        let transport = setup.transport;
        let reopen = setup.reopen;
        let missing = setup.missing;
        thread::Builder::new().name("data".into()).spawn(move || {
            worker::data_worker(service, transport, reopen, missing, changes, job_rx, ui)
        })?;
    }
    if let Some(source) = setup.source {
        let poll_service = (setup.open)()?;
        let ui = ui_tx.clone();
        let interval = setup.poll_interval;
        thread::Builder::new()
            .name("poller".into())
            .spawn(move || worker::poller(poll_service, source, interval, poll_rx, ui))?;
    }
    {
        let ui = ui_tx.clone();
        let mut signals = signal_hook::iterator::Signals::new([
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ])
        .context("cannot install signal handlers")?;
        thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if signals.forever().next().is_some() {
                    let _ = ui.send(Msg::Terminate);
                }
            })?;
    }

    terminal::install_panic_hook();
    let mut term = terminal::enter().context("cannot set up the terminal")?;
    let size = term.size()?;
    update(&mut state, Msg::Resize(size.width, size.height));
    {
        let ui = ui_tx.clone();
        thread::Builder::new().name("input".into()).spawn(move || {
            loop {
                let msg = match event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
                    Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Ok(Event::Paste(text)) => Msg::Paste(text),
                    Ok(_) => continue,
                    Err(_) => Msg::Terminate,
                };
                if ui.send(msg).is_err() {
                    return;
                }
            }
        })?;
    }
    drop(ui_tx);

    let result = (|| -> Result<()> {
        loop {
            draw(&mut term, &state)?;
            let Ok(first) = ui_rx.recv() else {
                return Ok(());
            };
            let mut effects = handle(&mut state, first);
            // Coalesce a burst (a paste, a reload while scrolling) into one frame.
            while let Ok(more) = ui_rx.try_recv() {
                effects.extend(handle(&mut state, more));
            }
            for effect in effects {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::Suspend => terminal::suspend(&mut term)?,
                    Effect::Redraw => terminal::full_redraw(&mut term)?,
                    Effect::PollNow => {
                        let _ = poll_tx.send(());
                    }
                    Effect::Reload => job_tx.send(Job::Reload)?,
                    Effect::LoadCase(t) => job_tx.send(Job::LoadCase(t))?,
                    Effect::LoadMessage(id) => job_tx.send(Job::LoadMessage(id))?,
                    Effect::LoadMessages { query, offset } => {
                        job_tx.send(Job::LoadMessages(query, offset))?
                    }
                    Effect::Plan(c) => job_tx.send(Job::Plan(c))?,
                    Effect::Run(c) => job_tx.send(Job::Run(c))?,
                }
            }
        }
    })();
    terminal::restore();
    result
}

/// Ctrl-C always quits, whatever the keymap says — but with text typed into a dialog, only
/// when pressed twice in a row; everything else goes through `update`.
fn handle(state: &mut State, msg: Msg) -> Vec<Effect> {
    if let Msg::Key(k) = &msg {
        let armed = std::mem::take(&mut state.ctrl_c_quits);
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            if armed || !state.typed_into_dialog() {
                return vec![Effect::Quit];
            }
            state.ctrl_c_quits = true;
            state.notice = Some(state::Notice {
                text: "C-c again quits, losing what you typed (Esc closes the dialog)".into(),
                error: true,
            });
            return vec![];
        }
    }
    update(state, msg)
}

/// One frame, inside a synchronized update so a slow link never shows half of it.
fn draw(term: &mut terminal::Term, state: &State) -> Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(std::io::stdout(), BeginSynchronizedUpdate)?;
    term.draw(|f| view::draw(f, state))?;
    crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate)?;
    Ok(())
}
