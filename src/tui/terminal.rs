//! The terminal: raw mode and the alternate screen on, and reliably off again — on quit, on a
//! panic (the hook restores before the message prints), on SIGTERM/SIGHUP, and around Ctrl-Z.

use std::io::{self, Stdout, Write};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal, through [`Anchored`](super::backend::Anchored) (every script lands where
/// ratatui put it).
pub type Term = Terminal<super::backend::Anchored<CrosstermBackend<Stdout>>>;

/// Raw mode, alternate screen, hidden cursor, bracketed paste (a paste arrives as one event,
/// so its line breaks never act as Enter). No terminal queries: nothing is asked of the
/// terminal that a slow link would have to answer before the first frame.
pub fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        Hide,
        EnableBracketedPaste
    )?;
    Terminal::new(super::backend::Anchored::new(CrosstermBackend::new(
        io::stdout(),
    )))
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
    let _ = io::stdout().flush();
}

/// Restores the terminal before a panic message is printed, so it is readable.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Ctrl-Z: give the terminal back, stop, and take it again when resumed (`fg`).
pub fn suspend(term: &mut Term) -> io::Result<()> {
    restore();
    // SAFETY: raising a signal on our own process; SIGTSTP stops it until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        Hide,
        EnableBracketedPaste
    )?;
    full_redraw(term)
}

/// Clears the screen and makes the next frame draw every cell. Not `Terminal::clear`: that
/// asks the terminal for the cursor position, and the answer would go to the input thread
/// (a two-second stall, then an error); resizing to the current size clears without asking.
pub fn full_redraw(term: &mut Term) -> io::Result<()> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}
