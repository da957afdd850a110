//! Every script on every terminal: ratatui lays text out by grapheme cluster (unicode-width),
//! and a terminal (tmux, xterm, a console over SSH) may give a cluster of Indic, Thai or Arabic
//! combining marks, or an emoji sequence, another width. Written in one run, the rest of the
//! line would then land off by a column, and cells ratatui believes unchanged would keep
//! those stray characters into other views (until C-l).
//!
//! [`Anchored`] wraps the real backend: every cell whose width a terminal could see otherwise
//! (more than one code point, or not one column wide) is written at its own cursor position,
//! over blanks for the columns ratatui gives it, and the cell after it is written again — so
//! whatever the terminal makes of the cluster, every other cell is where ratatui put it.
//! Plain cells (ASCII, Latin letters, box drawing) go through as they are, in one run.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use unicode_width::UnicodeWidthStr;

pub struct Anchored<B: Backend> {
    inner: B,
    /// What the screen shows, as ratatui drew it.
    screen: Vec<Cell>,
    size: Size,
    /// Rows holding an uncertain cluster: whatever the terminal made of it, such a row is
    /// written whole whenever it changes, so nothing a cluster left behind survives.
    uncertain_rows: Vec<bool>,
}

impl<B: Backend> Anchored<B> {
    pub fn new(inner: B) -> Anchored<B> {
        Anchored {
            inner,
            screen: Vec::new(),
            size: Size::default(),
            uncertain_rows: Vec::new(),
        }
    }

    fn blank(&mut self, size: Size) {
        self.size = size;
        self.screen = vec![Cell::default(); size.width as usize * size.height as usize];
        self.uncertain_rows = vec![false; size.height as usize];
    }

    fn row(&self, y: u16) -> &[Cell] {
        let w = self.size.width as usize;
        &self.screen[y as usize * w..(y as usize + 1) * w]
    }

    /// Writes `cells` (left to right): plain ones in runs, each uncertain one anchored —
    /// over blanks for its columns, and with the cell after it written again.
    fn write(&mut self, cells: &[(u16, u16, Cell)]) -> Result<(), B::Error> {
        let mut start = 0;
        for (i, (x, y, cell)) in cells.iter().enumerate() {
            if !uncertain(cell.symbol()) {
                continue;
            }
            // Each draw call starts by moving the cursor: that is the anchoring.
            self.inner
                .draw(cells[start..i].iter().map(|(x, y, c)| (*x, *y, c)))?;
            start = i + 1;
            let w = UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
            let mut blank = cell.clone();
            blank.set_symbol(" ");
            let end = x.saturating_add(w).min(self.size.width);
            self.inner.draw((*x..end).map(|bx| (bx, *y, &blank)))?;
            self.inner.draw(std::iter::once((*x, *y, cell)))?;
            let next = x.saturating_add(w);
            if next < self.size.width {
                let after = self.row(*y)[next as usize].clone();
                if !uncertain(after.symbol()) {
                    self.inner.draw(std::iter::once((next, *y, &after)))?;
                }
            }
        }
        self.inner
            .draw(cells[start..].iter().map(|(x, y, c)| (*x, *y, c)))
    }
}

/// Whether a terminal could give `symbol` a width other than ratatui's.
fn uncertain(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => !c.is_ascii() && UnicodeWidthStr::width(symbol) != 1,
        (None, _) => false,
        _ => true,
    }
}

impl<B: Backend> Backend for Anchored<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.inner.size()?;
        if size != self.size {
            self.blank(size);
        }
        let (w, h) = (size.width, size.height);
        let mut changes: Vec<(u16, u16, Cell)> = Vec::new();
        let mut touched = vec![false; h as usize];
        for (x, y, cell) in content {
            if x < w && y < h {
                let i = y as usize * w as usize + x as usize;
                self.screen[i] = cell.clone();
                // The columns a wide cluster covers are blank in ratatui's buffer, and never
                // sent: blank them here too.
                let cw = UnicodeWidthStr::width(cell.symbol()).max(1);
                let end = (i + cw).min((y as usize + 1) * w as usize);
                for covered in &mut self.screen[i + 1..end] {
                    covered.reset();
                }
                touched[y as usize] = true;
            }
            changes.push((x, y, cell.clone()));
        }
        // A changed row that held or holds an uncertain cluster is written whole.
        let mut whole = vec![false; h as usize];
        for y in 0..h {
            if touched[y as usize] {
                let now = self.row(y).iter().any(|c| uncertain(c.symbol()));
                whole[y as usize] = now || self.uncertain_rows[y as usize];
                self.uncertain_rows[y as usize] = now;
            }
        }
        let mut out: Vec<(u16, u16, Cell)> = Vec::new();
        let mut done = vec![false; h as usize];
        for (x, y, cell) in changes {
            let row = y as usize;
            if row < whole.len() && whole[row] {
                if !done[row] {
                    done[row] = true;
                    // Every cell of the row, but those a wide cluster covers.
                    let mut skip = 0;
                    for (cx, c) in self.row(y).iter().enumerate() {
                        if skip > 0 {
                            skip -= 1;
                            continue;
                        }
                        skip = UnicodeWidthStr::width(c.symbol()).saturating_sub(1);
                        out.push((cx as u16, y, c.clone()));
                    }
                }
            } else {
                out.push((x, y, cell));
            }
        }
        self.write(&out)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        let size = self.inner.size()?;
        self.blank(size);
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        // Only ever used whole by ratatui's full redraw; forget the screen either way.
        let size = self.inner.size()?;
        self.blank(size);
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}
