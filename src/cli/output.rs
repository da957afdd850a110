//! Plain-text tables and JSON on stdout.

use std::io::{self, Write};

use crate::domain::columns::{ellipsize, width};
use crate::domain::message::sanitize;
use anyhow::Result;
use serde::Serialize;

/// Prints rows under a header, columns padded to their widest cell (by display width, so
/// CJK and Arabic TLDs line up); the last column is never padded.
/// Every cell is [`clean`]ed: what a table shows comes from rosters, mail and config.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    table_within(header, rows, None)
}

/// [`table`] cut to a terminal `columns` wide, so that no row wraps (`None`, a pipe or a
/// file: every cell whole): the last column gives way first, down to a dozen columns, then
/// the widest of the others; a cut cell ends in `…`.
pub fn table_within(header: &[&str], rows: &[Vec<String>], columns: Option<usize>) -> Result<()> {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()))
        .collect();
    let mut widths: Vec<usize> = vec![0; rows[0].len()];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    if let Some(columns) = columns {
        fit_widths(&mut widths, columns);
    }
    let mut out = io::stdout().lock();
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            let cell = ellipsize(cell, w);
            line.push_str(&cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(w - width(&cell) + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Narrows `widths` (two spaces between columns) to fit `columns`, if it can.
fn fit_widths(widths: &mut [usize], columns: usize) {
    const FEWEST: usize = 12;
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    let Some(last) = widths.len().checked_sub(1) else {
        return;
    };
    let over = total(widths).saturating_sub(columns);
    widths[last] -= over.min(widths[last].saturating_sub(FEWEST));
    while total(widths) > columns {
        let Some((widest, &w)) = widths[..last].iter().enumerate().max_by_key(|(_, w)| **w) else {
            return;
        };
        if w <= FEWEST {
            return;
        }
        widths[widest] = w.saturating_sub(total(widths) - columns).max(FEWEST);
    }
}

/// Text made one safe terminal line: no control characters or escape sequences, no bidi
/// controls or invisible characters (the same rule as for mail, [`sanitize`]).
pub fn clean(text: &str) -> String {
    sanitize(text, false)
}

/// A failed command's message as stderr shows it: `error: ` first, and, on a terminal
/// `columns` wide, each line broken at spaces so that no word is cut at the edge (a pipe or a
/// log gets the lines as they are).
pub fn error_text(message: &str, columns: Option<usize>) -> String {
    let text = format!("error: {message}");
    match columns {
        Some(columns) if columns >= 20 => text
            .lines()
            .map(|line| crate::domain::template::wrap(line, columns))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => text,
    }
}

/// A `label` and its value on one line, the value starting at column 10; on a terminal
/// `columns` wide, a long value goes on under itself, broken at spaces.
pub fn labelled(label: &str, value: &str, columns: Option<usize>) -> String {
    const AT: usize = 10;
    let lines = match columns {
        Some(columns) if columns >= AT + 20 => crate::domain::template::wrap(value, columns - AT),
        _ => value.to_string(),
    };
    let mut out = format!("{label:<AT$}");
    for (i, line) in lines.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(AT));
        }
        out.push_str(line);
    }
    out
}

/// The width of the terminal stderr writes to, if it writes to one.
pub fn stderr_columns() -> Option<usize> {
    columns_of(libc::STDERR_FILENO)
}

/// The width of the terminal stdout writes to, if it writes to one.
pub fn stdout_columns() -> Option<usize> {
    columns_of(libc::STDOUT_FILENO)
}

/// TIOCGWINSZ fails on anything but a terminal (a pipe, a file): `None` then.
fn columns_of(fd: libc::c_int) -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the zeroed winsize, or fails and leaves it.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// `1 TLD`, `2 TLDs`: a count with its noun.
pub fn count(n: usize, noun: &str) -> String {
    crate::domain::plural(n, noun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_on_a_terminal_breaks_at_spaces_not_mid_word() {
        let message = "localhost:11993: the token command `/usr/local/bin/oauth2-token \
                       --authorize microsoft tld-ops@example.org` failed with exit status 1\n\
                       run it by hand to see why";
        let text = error_text(message, Some(80));
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{line:?}");
        }
        assert!(text.starts_with("error: localhost:11993:"), "{text}");
        assert!(
            text.contains("\nrun it by hand to see why"),
            "its own lines are kept"
        );
        let words = |t: &str| t.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(
            words(&text),
            words(&format!("error: {message}")),
            "no word cut"
        );
        // A pipe or a log gets the message as it is.
        assert_eq!(error_text(message, None), format!("error: {message}"));
    }

    #[test]
    fn a_long_value_goes_on_under_itself() {
        let value = "no [list] secretariat or address: invite, chase, approve, reject and \
                     digest need it to send mail";
        let text = labelled("warning", value, Some(80));
        assert_eq!(
            text,
            "warning   no [list] secretariat or address: invite, chase, approve, reject and\n          \
             digest need it to send mail"
        );
        assert_eq!(labelled("imap", "x", None), "imap      x");
    }

    fn total(w: &[usize]) -> usize {
        w.iter().sum::<usize>() + 2 * (w.len() - 1)
    }

    /// `tldops messages` ran to 114 columns, every row wrapping at 80.
    #[test]
    fn the_last_column_gives_way_first_then_the_widest() {
        let mut w = [6, 10, 4, 8, 24, 60];
        fit_widths(&mut w, 80);
        assert_eq!(w, [6, 10, 4, 8, 24, 18]);
        assert_eq!(total(&w), 80);
        let mut w = [6, 10, 4, 8, 50, 60];
        fit_widths(&mut w, 80);
        assert_eq!(w, [6, 10, 4, 8, 30, 12]);
        assert_eq!(total(&w), 80);
        // What fits stays; what cannot fit keeps a dozen columns a cell.
        let mut w = [6, 10, 4];
        fit_widths(&mut w, 80);
        assert_eq!(w, [6, 10, 4]);
        let mut w = [40, 40, 40];
        fit_widths(&mut w, 20);
        assert_eq!(w, [12, 12, 12]);
    }
}
