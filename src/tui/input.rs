//! Text inputs: one editor for every place the operator types (search, the `:` line, the
//! rejection reason, the contact editor, prompts), on the kept `ratatui-textarea` widget, with
//! the keys people type without thinking — readline's. The widget's own shortcuts are not used
//! (its C-u is undo, its C-v scrolls): the table below is ours.
//!
//! | keys | do |
//! |---|---|
//! | Left Right, C-b C-f | a character back, forward |
//! | M-b M-f, C-Left C-Right | a word back, forward |
//! | Home End, C-a C-e | start, end of the line |
//! | Backspace C-h, Delete C-d | delete before, at the cursor |
//! | C-w | delete the word before the cursor (back to a space) |
//! | M-Backspace, M-d | delete a word back, forward |
//! | C-u, C-k | delete to the start, to the end of the line (not past it) |
//! | C-y | put back what C-w, C-u, C-k deleted |
//! | Up Down, C-p C-n | (several lines) the line above, below |
//! | C-j, M-Enter | (several lines) a new line |
//!
//! Pasted text (bracketed paste) is inserted as typed, control characters dropped.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// What a key did to an editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key: the caller decides (Enter, Esc, Tab…).
    Ignored,
}

#[derive(Clone, Debug)]
pub struct Editor {
    area: TextArea<'static>,
    multiline: bool,
    /// The text it opened with: what Esc would lose is what differs from it.
    opened_with: String,
}

impl Editor {
    /// A one-line input.
    pub fn line() -> Editor {
        Editor::new(vec![String::new()], false)
    }

    /// A one-line input holding `text`, the cursor at its end.
    #[cfg(test)]
    pub fn line_with(text: &str) -> Editor {
        let mut e = Editor::line();
        e.set_line(text);
        e
    }

    /// An input of several lines holding `text`, the cursor at its end (a draft taken up
    /// again), counted as what it opened with.
    pub fn lines_at_end(text: &str) -> Editor {
        let mut e = Editor::lines(text.split('\n').map(str::to_string).collect());
        e.area.move_cursor(CursorMove::Bottom);
        e.area.move_cursor(CursorMove::End);
        e
    }

    /// Replaces a one-line input's text (a completion), the cursor at its end.
    pub fn set_line(&mut self, text: &str) {
        self.area.move_cursor(CursorMove::Head);
        self.area.delete_line_by_end();
        self.area.insert_str(text);
    }

    /// An input of several lines (a reason mailed to someone, one contact per line).
    pub fn lines(lines: Vec<String>) -> Editor {
        Editor::new(
            if lines.is_empty() {
                vec![String::new()]
            } else {
                lines
            },
            true,
        )
    }

    fn new(lines: Vec<String>, multiline: bool) -> Editor {
        let mut area = TextArea::new(lines);
        area.set_cursor_line_style(Style::default());
        if multiline {
            area.set_wrap_mode(WrapMode::WordOrGlyph);
        }
        let opened_with = area.lines().join("\n");
        Editor {
            area,
            multiline,
            opened_with,
        }
    }

    /// Whether its text is other than what it opened with.
    pub fn edited(&self) -> bool {
        self.text() != self.opened_with
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn line_texts(&self) -> &[String] {
        self.area.lines()
    }

    /// (line, column in characters).
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// The widget, for drawing.
    pub fn widget(&self) -> &TextArea<'static> {
        &self.area
    }

    /// Starts a new line after the current one's end (the contact editor's Down on its last,
    /// filled line).
    pub fn open_line_below(&mut self) {
        self.area.move_cursor(CursorMove::End);
        self.area.insert_newline();
    }

    /// Inserts pasted text: line breaks kept in an input of several lines (spaces in one
    /// line), tabs as spaces, every other control character (and bidi control) dropped.
    pub fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let clean: String = text
            .chars()
            .filter_map(|c| match c {
                '\n' if self.multiline => Some('\n'),
                '\n' | '\t' => Some(' '),
                c if c.is_control() || is_bidi_control(c) => None,
                c => Some(c),
            })
            .collect();
        self.area.insert_str(clean);
    }

    /// Applies an editing key.
    pub fn key(&mut self, k: KeyEvent) -> Edit {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let a = &mut self.area;
        let moved = |a: &mut TextArea, m: CursorMove| {
            a.move_cursor(m);
            Edit::Moved
        };
        let changed = |done: bool| if done { Edit::Changed } else { Edit::Moved };
        match (k.code, ctrl, alt) {
            (KeyCode::Char(c), false, false) => {
                a.insert_char(c);
                Edit::Changed
            }
            (KeyCode::Left, false, false) | (KeyCode::Char('b'), true, false) => {
                moved(a, CursorMove::Back)
            }
            (KeyCode::Right, false, false) | (KeyCode::Char('f'), true, false) => {
                moved(a, CursorMove::Forward)
            }
            (KeyCode::Char('b'), false, true) | (KeyCode::Left, true, _) => {
                word_move(a, false);
                Edit::Moved
            }
            (KeyCode::Char('f'), false, true) | (KeyCode::Right, true, _) => {
                word_move(a, true);
                Edit::Moved
            }
            (KeyCode::Home, _, _) | (KeyCode::Char('a'), true, false) => moved(a, CursorMove::Head),
            (KeyCode::End, _, _) | (KeyCode::Char('e'), true, false) => moved(a, CursorMove::End),
            (KeyCode::Backspace, false, false) | (KeyCode::Char('h'), true, false) => {
                changed(a.delete_char())
            }
            (KeyCode::Delete, false, false) | (KeyCode::Char('d'), true, false) => {
                changed(a.delete_next_char())
            }
            (KeyCode::Char('w'), true, false) => changed(unix_word_rubout(a)),
            (KeyCode::Backspace, _, true) | (KeyCode::Backspace, true, _) => {
                changed(a.delete_word())
            }
            (KeyCode::Char('d'), false, true) | (KeyCode::Delete, _, true) => {
                changed(a.delete_next_word())
            }
            // As readline: to the start or end of this line, never joining it to the next
            // or the one before (in the contact editor that ran two contacts together).
            (KeyCode::Char('u'), true, false) if a.cursor().1 == 0 => Edit::Moved,
            (KeyCode::Char('k'), true, false)
                if a.cursor().1 >= a.lines()[a.cursor().0].chars().count() =>
            {
                Edit::Moved
            }
            (KeyCode::Char('u'), true, false) => changed(a.delete_line_by_head()),
            (KeyCode::Char('k'), true, false) => changed(a.delete_line_by_end()),
            (KeyCode::Char('y'), true, false) => changed(a.paste()),
            (KeyCode::Up, false, false) | (KeyCode::Char('p'), true, false) if self.multiline => {
                moved(a, CursorMove::Up)
            }
            (KeyCode::Down, false, false) | (KeyCode::Char('n'), true, false) if self.multiline => {
                moved(a, CursorMove::Down)
            }
            (KeyCode::Char('j'), true, false) | (KeyCode::Enter, _, true) if self.multiline => {
                a.insert_newline();
                Edit::Changed
            }
            _ => Edit::Ignored,
        }
    }
}

/// readline's M-f (to the end of this or the next word) and M-b (to the start of this or the
/// previous word), words being letters and digits; across a line break at either end.
fn word_move(a: &mut TextArea, forward: bool) {
    let (row, col) = {
        let c = a.cursor();
        (c.0, c.1)
    };
    let line: Vec<char> = a.lines()[row].chars().collect();
    let word = |c: char| c.is_alphanumeric();
    let mut i = col;
    if forward {
        if i >= line.len() {
            a.move_cursor(CursorMove::Forward);
            return;
        }
        while i < line.len() && !word(line[i]) {
            i += 1;
        }
        while i < line.len() && word(line[i]) {
            i += 1;
        }
    } else {
        if i == 0 {
            a.move_cursor(CursorMove::Back);
            return;
        }
        while i > 0 && !word(line[i - 1]) {
            i -= 1;
        }
        while i > 0 && word(line[i - 1]) {
            i -= 1;
        }
    }
    let to = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    a.move_cursor(CursorMove::Jump(to(row), to(i)));
}

/// readline's C-w: deletes back over spaces, then back to the previous space (or the start of
/// the line); at the start of a line, joins it to the one above.
fn unix_word_rubout(a: &mut TextArea) -> bool {
    let (row, col) = {
        let c = a.cursor();
        (c.0, c.1)
    };
    if col == 0 {
        return a.delete_char();
    }
    let before: Vec<char> = a.lines()[row].chars().take(col).collect();
    let mut start = before.len();
    while start > 0 && before[start - 1].is_whitespace() {
        start -= 1;
    }
    while start > 0 && !before[start - 1].is_whitespace() {
        start -= 1;
    }
    let n = col - start;
    for _ in 0..n {
        a.move_cursor(CursorMove::Back);
    }
    a.delete_str(n)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Editors compare by what they hold (text and cursor), so states with one compare too.
impl PartialEq for Editor {
    fn eq(&self, other: &Editor) -> bool {
        self.multiline == other.multiline
            && self.area.lines() == other.area.lines()
            && self.cursor() == other.cursor()
    }
}

impl Eq for Editor {}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut Editor, code: KeyCode, mods: KeyModifiers) {
        e.key(KeyEvent::new(code, mods));
    }

    fn ctrl(e: &mut Editor, c: char) {
        press(e, KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn alt(e: &mut Editor, c: char) {
        press(e, KeyCode::Char(c), KeyModifiers::ALT);
    }

    fn typed(e: &mut Editor, text: &str) {
        for c in text.chars() {
            press(e, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    #[test]
    fn readline_keys_edit_instead_of_typing_letters() {
        let mut e = Editor::line();
        typed(&mut e, "The reply did not copy teh");
        ctrl(&mut e, 'w');
        assert_eq!(e.text(), "The reply did not copy ");
        typed(&mut e, "the admin address");
        ctrl(&mut e, 'a');
        ctrl(&mut e, 'k');
        assert_eq!(e.text(), "");
        ctrl(&mut e, 'y');
        assert_eq!(e.text(), "The reply did not copy the admin address");
        ctrl(&mut e, 'u');
        assert_eq!(e.text(), "");

        let mut e = Editor::line_with("one two three");
        alt(&mut e, 'b');
        alt(&mut e, 'b');
        assert_eq!(e.cursor(), (0, 4));
        alt(&mut e, 'f');
        assert_eq!(e.cursor(), (0, 7));
        ctrl(&mut e, 'b');
        press(&mut e, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(e.text(), "one tw three");
        press(&mut e, KeyCode::Home, KeyModifiers::NONE);
        ctrl(&mut e, 'f');
        press(&mut e, KeyCode::Right, KeyModifiers::NONE);
        press(&mut e, KeyCode::Left, KeyModifiers::NONE);
        ctrl(&mut e, 'd');
        assert_eq!(e.text(), "oe tw three");
        ctrl(&mut e, 'e');
        press(&mut e, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(e.text(), "oe tw thre");
        ctrl(&mut e, 'u');
        assert_eq!(e.text(), "");
        press(&mut e, KeyCode::End, KeyModifiers::NONE);
        assert_eq!(
            e.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            Edit::Ignored
        );
    }

    #[test]
    fn several_lines_and_paste() {
        let mut e = Editor::lines(vec![]);
        typed(&mut e, "Dear admin,");
        ctrl(&mut e, 'j');
        typed(&mut e, "the reply came from a personal address.");
        assert_eq!(
            e.text(),
            "Dear admin,\nthe reply came from a personal address."
        );
        press(&mut e, KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(e.cursor().0, 0);
        let mut one = Editor::line();
        one.paste("a\tb\r\nc\u{1b}[31m\u{202e}d");
        assert_eq!(one.text(), "a b c[31md");
        e.paste("\r\nPlease copy it.\n");
        assert_eq!(e.line_texts().len(), 4);
    }

    /// C-u at the start of a line and C-k at its end delete nothing, as in readline: in the
    /// contact editor, joining lines ran two contacts together.
    #[test]
    fn line_kills_stop_at_the_line() {
        let mut e = Editor::lines(vec!["a@x.example, A".into(), "b@x.example, B".into()]);
        press(&mut e, KeyCode::Down, KeyModifiers::NONE);
        ctrl(&mut e, 'a');
        ctrl(&mut e, 'u');
        assert_eq!(e.line_texts(), ["a@x.example, A", "b@x.example, B"]);
        press(&mut e, KeyCode::Up, KeyModifiers::NONE);
        ctrl(&mut e, 'e');
        ctrl(&mut e, 'k');
        assert_eq!(e.line_texts(), ["a@x.example, A", "b@x.example, B"]);
        ctrl(&mut e, 'a');
        ctrl(&mut e, 'k');
        assert_eq!(e.line_texts(), ["", "b@x.example, B"]);
    }
}
