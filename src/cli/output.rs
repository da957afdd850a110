//! Plain-text tables and JSON on stdout.

use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::domain::message::sanitize;

/// Prints rows under a header, columns padded to their widest cell (by display width, so
/// CJK and Arabic TLDs line up); the last column is never padded.
/// Every cell is [`clean`]ed: what a table shows comes from rosters, mail and config.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c)).collect())
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = io::stdout().lock();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - cell.width() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Text made one safe terminal line: no control characters or escape sequences, no bidi
/// controls or invisible characters (the same rule as for mail, [`sanitize`]).
pub fn clean(text: &str) -> String {
    sanitize(text, false)
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
