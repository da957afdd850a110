//! Styles: the terminal's 16-colour palette by default (it follows the user's theme), none at
//! all with `NO_COLOR` or `--no-color` — every meaning is also carried by a glyph or a word.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::case::CaseState;

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row: reverse video works on every terminal, with or without colour.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn tab(self, active: bool) -> Style {
        if active {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    pub fn state(self, s: CaseState) -> Style {
        match s {
            CaseState::Approved => self.fg(Color::Green),
            CaseState::Answered => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            CaseState::Rejected | CaseState::Bounced => self.fg(Color::Red),
            CaseState::Invited | CaseState::Reminded => self.fg(Color::Blue),
            CaseState::Uninvited => self.dim(),
        }
    }
}

/// A one-column glyph for each state, so the state reads without colour: ASCII, because
/// ambiguous-width symbols break alignment in some terminals over SSH.
pub fn glyph(s: CaseState) -> char {
    match s {
        CaseState::Uninvited => '-',
        CaseState::Invited => '>',
        CaseState::Reminded => '~',
        CaseState::Answered => '?',
        CaseState::Approved => '+',
        CaseState::Rejected => 'x',
        CaseState::Bounced => '!',
    }
}
