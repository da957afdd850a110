//! Fitting text into the TUI's cells, lines and tables, with the widths and cuts of
//! [`crate::domain::columns`]. Tables drop their least needed columns first when the terminal
//! is narrow.

use crate::domain::columns::take;
pub use crate::domain::columns::{ellipsize, ellipsize_words, width};
use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// `text` in lines of at most `columns`, broken at spaces (a longer word has a line of its own).
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    wrap_items(text.split(' ').filter(|w| !w.is_empty()), " ", columns)
}

/// [`wrap`], in at most `rows` lines: the last ends in ` …` when more was left.
pub fn wrap_rows(text: &str, columns: usize, rows: usize) -> Vec<String> {
    let mut lines = wrap(text, columns);
    if lines.len() > rows {
        lines.truncate(rows);
        let last = lines.pop().unwrap_or_default();
        lines.push(ellipsize(&format!("{last} …"), columns));
    }
    lines
}

/// `items` joined by `sep` in lines of at most `columns`, never splitting an item.
pub fn wrap_items<'a>(
    items: impl IntoIterator<Item = &'a str>,
    sep: &str,
    columns: usize,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && width(&line) + width(sep) + width(item) > columns {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// Spans cut to `max` columns as a whole, ending in `…` when anything was cut.
pub fn fit_line<'a>(spans: Vec<Span<'a>>, max: usize) -> Line<'a> {
    let total: usize = spans.iter().map(|s| width(&s.content)).sum();
    if total <= max || max == 0 {
        return Line::from(if max == 0 { Vec::new() } else { spans });
    }
    let mut out = Vec::new();
    let mut budget = max - 1;
    for s in spans {
        let w = width(&s.content);
        if w <= budget {
            budget -= w;
            out.push(s);
        } else {
            let (kept, _) = take(&s.content, budget);
            out.push(Span::styled(format!("{kept}…"), s.style));
            break;
        }
    }
    Line::from(out)
}

/// A table column: its heading, the width it wants and the least it can do with, whether it
/// takes the space left over, and how much it matters (0 most: dropped last).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub width: u16,
    pub min: u16,
    pub flex: bool,
    pub priority: u8,
}

impl Column {
    /// A column of `width`, cut down to `min` before anything is dropped.
    pub const fn new(header: &'static str, width: u16, min: u16, priority: u8) -> Column {
        Column {
            header,
            width,
            min,
            flex: false,
            priority,
        }
    }

    /// The column that takes what the others leave (at least `min`).
    pub const fn flex(header: &'static str, min: u16, priority: u8) -> Column {
        Column {
            header,
            width: min,
            min,
            flex: true,
            priority,
        }
    }
}

/// The columns that fit in a width, and the width of each.
#[derive(Clone, Debug)]
pub struct Columns {
    /// (index into the column list, width), left to right.
    kept: Vec<(usize, u16)>,
    headers: Vec<&'static str>,
}

/// Space between two columns (ratatui's default column spacing).
const GAP: u16 = 1;

impl Columns {
    /// Keeps the columns that fit in `total` columns: the least important go first, then the
    /// others get their minimum, then what they want in order of importance, and the flexible
    /// column the rest.
    pub fn fit(cols: &[Column], total: u16) -> Columns {
        let mut keep: Vec<usize> = (0..cols.len()).collect();
        let need = |keep: &[usize]| -> u16 {
            keep.iter().map(|&i| cols[i].min).sum::<u16>()
                + GAP * (keep.len().saturating_sub(1) as u16)
        };
        while keep.len() > 1 && need(&keep) > total {
            let drop = keep
                .iter()
                .enumerate()
                .max_by_key(|(pos, i)| (cols[**i].priority, *pos))
                .map(|(pos, _)| pos)
                .unwrap_or(0);
            keep.remove(drop);
        }
        let mut widths: Vec<u16> = keep.iter().map(|&i| cols[i].min).collect();
        let mut left = total.saturating_sub(need(&keep));
        let mut order: Vec<usize> = (0..keep.len()).collect();
        order.sort_by_key(|&p| cols[keep[p]].priority);
        for &p in &order {
            let c = &cols[keep[p]];
            if !c.flex {
                let more = (c.width.saturating_sub(widths[p])).min(left);
                widths[p] += more;
                left -= more;
            }
        }
        match keep.iter().position(|&i| cols[i].flex) {
            Some(p) => widths[p] += left,
            None => {
                if let Some(w) = widths.last_mut() {
                    *w += left;
                }
            }
        }
        Columns {
            kept: keep.iter().copied().zip(widths).collect(),
            headers: cols.iter().map(|c| c.header).collect(),
        }
    }

    pub fn widths(&self) -> Vec<Constraint> {
        self.kept
            .iter()
            .map(|&(_, w)| Constraint::Length(w))
            .collect()
    }

    /// Whether column `i` (of the list given to [`Columns::fit`]) is shown.
    #[cfg(test)]
    pub fn shows(&self, i: usize) -> bool {
        self.kept.iter().any(|&(k, _)| k == i)
    }

    pub fn header(&self, style: Style) -> Row<'static> {
        Row::new(
            self.kept
                .iter()
                .map(|&(i, w)| Cell::from(ellipsize(self.headers[i], w as usize)))
                .collect::<Vec<_>>(),
        )
        .style(style)
    }

    /// A row of the shown columns, each cell cut to its width (ending in `…` when cut).
    pub fn row(&self, cells: Vec<Span<'static>>) -> Row<'static> {
        Row::new(
            self.kept
                .iter()
                .map(|&(i, w)| {
                    let s = cells.get(i).cloned().unwrap_or_default();
                    Cell::from(Span::styled(ellipsize(&s.content, w as usize), s.style))
                })
                .collect::<Vec<_>>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_cell_ends_in_an_ellipsis() {
        assert_eq!(ellipsize("+33 1 55 50 12 34", 16), "+33 1 55 50 12 …");
        assert_eq!(ellipsize("+33 1 55 50 12 34", 17), "+33 1 55 50 12 34");
        assert_eq!(ellipsize("abc", 0), "");
        assert_eq!(ellipsize("abc", 1), "…");
        // Wide characters count two columns; a cluster is never split.
        assert_eq!(ellipsize("中国中国", 5), "中国…");
        assert_eq!(ellipsize("中国中国", 4), "中…");
        assert_eq!(width("భారత్"), width("భారత్"));
        let e = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(width(e), 3);
        assert_eq!(ellipsize(e, 2), "e\u{301}…");
        assert_eq!(ellipsize("👩‍👩‍👧 family", 4), "👩‍👩‍👧 …");
    }

    #[test]
    fn a_text_cut_between_words_ends_after_a_whole_word() {
        let e = "imap: oauth2_token_command `false` failed";
        assert_eq!(ellipsize_words(e, 42), e);
        assert_eq!(ellipsize_words(e, 30), "imap: oauth2_token_command …");
        assert_eq!(ellipsize_words(e, 28), "imap: oauth2_token_command …");
        // No word boundary in the better half: cut where it must be.
        assert_eq!(ellipsize_words(e, 27), "imap: oauth2_token_command…");
        assert_eq!(ellipsize_words(e, 22), "imap: oauth2_token_co…");
        assert_eq!(ellipsize_words("/var/mail/secretariat", 8), "/var/ma…");
        assert_eq!(ellipsize_words("中国 中国中国", 8), "中国 …");
    }

    #[test]
    fn a_cut_line_ends_in_an_ellipsis() {
        let line = fit_line(vec![Span::raw("abc"), Span::raw("def")], 5);
        assert_eq!(line.to_string(), "abcd…");
        let line = fit_line(vec![Span::raw("abc"), Span::raw("def")], 3);
        assert_eq!(line.to_string(), "ab…");
        let line = fit_line(vec![Span::raw("abc"), Span::raw("def")], 6);
        assert_eq!(line.to_string(), "abcdef");
    }

    #[test]
    fn narrow_tables_drop_the_least_needed_columns() {
        let cols = [
            Column::new("A", 10, 10, 0),
            Column::new("B", 10, 6, 2),
            Column::flex("C", 10, 1),
        ];
        let wide = Columns::fit(&cols, 60);
        assert_eq!(
            wide.widths(),
            [
                Constraint::Length(10),
                Constraint::Length(10),
                Constraint::Length(38)
            ]
        );
        let narrower = Columns::fit(&cols, 28);
        assert_eq!(
            narrower.widths(),
            [
                Constraint::Length(10),
                Constraint::Length(6),
                Constraint::Length(10)
            ]
        );
        let narrow = Columns::fit(&cols, 24);
        assert!(!narrow.shows(1));
        assert_eq!(
            narrow.widths(),
            [Constraint::Length(10), Constraint::Length(13)]
        );
    }
}
