//! Every ingested message, newest first: the search on top, a page of the matches below (the
//! rows not loaded yet show as `…` until their page comes).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Row, Table};

use super::fit::{Column, Columns, fit_line};
use super::{highlight, tld_label};
use crate::tui::keymap::Action;
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let m = &s.messages;
    let [top, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    f.render_widget(
        Paragraph::new(fit_line(summary(s, theme), top.width as usize)),
        top,
    );

    let total = m.total();
    if total == Some(0) {
        let text = if m.query == Default::default() {
            "  No message has been ingested yet (p polls the mailbox)."
        } else {
            "  No message matches (v changes the verdict, Esc clears the search)."
        };
        f.render_widget(Paragraph::new(text), list);
        return;
    }
    let cols = Columns::fit(&COLUMNS, list.width);
    let height = list.height.saturating_sub(1) as usize;
    let end = (m.cursor.offset + height).min(total.unwrap_or(0));
    let rows: Vec<Row> = (m.cursor.offset..end)
        .enumerate()
        .map(|(i, n)| {
            let cells = match m.row(n) {
                Some(r) => vec![
                    Span::raw(format!("#{}", r.id)),
                    Span::raw(
                        r.date
                            .as_deref()
                            .unwrap_or("")
                            .get(..10)
                            .unwrap_or("")
                            .to_string(),
                    ),
                    Span::raw(r.verdict.to_string()),
                    Span::raw(r.tld.as_deref().map_or("-".into(), tld_label)),
                    Span::raw(r.from.clone().unwrap_or_default()),
                    Span::raw(r.subject.clone()),
                ],
                None => vec![Span::styled("…", theme.dim())],
            };
            highlight(cols.row(cells), m.cursor, i, theme)
        })
        .collect();
    let table = Table::new(rows, cols.widths()).header(cols.header(theme.header()));
    f.render_widget(table, list);
}

/// `3,012 messages · verdict unrelated · .fr · "marie"   v verdict  / search  s assign`.
fn summary(s: &State, theme: Theme) -> Vec<Span<'static>> {
    let m = &s.messages;
    let q = &m.query;
    let mut text = match m.total() {
        Some(n) => format!("{} message{}", thousands(n), if n == 1 { "" } else { "s" }),
        None => "loading…".to_string(),
    };
    if let Some(v) = q.verdict {
        text.push_str(&format!(" · verdict {v}"));
    }
    if let Some(t) = &q.tld {
        text.push_str(&format!(" · {}", tld_label(t)));
    }
    if let Some(t) = &q.text {
        text.push_str(&format!(" · \"{t}\""));
    }
    let scope = s.view.scope();
    let hints: Vec<String> = [
        (Action::FilterVerdict, "verdict"),
        (Action::Search, "text or .TLD"),
        (Action::Assign, "assign"),
    ]
    .iter()
    .filter_map(|(a, what)| Some(format!("{} {what}", s.keymap.key_of(scope, *a)?)))
    .collect();
    vec![
        Span::styled(text, theme.title()),
        Span::styled(format!("   {}", hints.join("   ")), theme.dim()),
    ]
}

/// `3012` → `3,012`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// # DATE VERDICT TLD FROM SUBJECT; a narrow terminal drops DATE, then TLD.
const COLUMNS: [Column; 6] = [
    Column::new("#", 6, 5, 0),
    Column::new("DATE", 10, 10, 4),
    Column::new("VERDICT", 11, 10, 1),
    Column::new("TLD", 7, 5, 3),
    Column::new("FROM", 26, 14, 2),
    Column::flex("SUBJECT", 12, 1),
];
