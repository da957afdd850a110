//! The roster: every ccTLD with its state, region and contacts; fuzzy search with `/`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Row, Table};

use super::fit::{Column, Columns, fit_line};
use super::{highlight, tld_label, window};
use crate::tui::state::State;
use crate::tui::theme::{Theme, glyph};

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let rows = s.roster_rows();
    let filters = {
        let mut parts = Vec::new();
        if let Some(r) = s.region_filter {
            parts.push(format!(
                "region {}",
                r.map_or("none".to_string(), |r| r.to_string())
            ));
        }
        if let Some(st) = s.state_filter {
            parts.push(format!("state {st}"));
        }
        if let Some(q) = &s.search {
            parts.push(format!("search \"{q}\""));
        }
        parts
    };
    let title = format!(
        "{} of {} ccTLDs{}",
        rows.len(),
        s.data.roster.len(),
        if filters.is_empty() {
            String::new()
        } else {
            format!(" · {}", filters.join(" · "))
        }
    );
    let [head, list] =
        ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    f.render_widget(
        Paragraph::new(fit_line(
            vec![Span::styled(title, theme.dim())],
            head.width as usize,
        )),
        head,
    );
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new("  No ccTLD matches (f region, t state, Esc clears the search)."),
            list,
        );
        return;
    }
    let cols = Columns::fit(&COLUMNS, list.width);
    let height = list.height.saturating_sub(1) as usize;
    let table_rows: Vec<Row> = window(&rows, s.roster.offset, height)
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let members: Vec<String> = s
                .members_of(r.tld.code.as_str())
                .map(|m| match &m.name {
                    Some(n) => format!("{n} <{}>", m.email),
                    None => m.email.clone(),
                })
                .collect();
            let contacts = if members.is_empty() {
                format!("admin {}", r.tld.admin.email)
            } else {
                members.join("; ")
            };
            let code = tld_label(r.tld.code.as_str());
            let st = r.case.state;
            let row = cols.row(vec![
                Span::styled(format!("{} {st}", glyph(st)), theme.state(st)),
                Span::raw(code),
                Span::raw(r.tld.country.clone()),
                Span::raw(r.tld.region.map_or("-".to_string(), |g| g.to_string())),
                Span::raw(contacts),
            ]);
            highlight(row, s.roster, i, theme)
        })
        .collect();
    let table = Table::new(table_rows, cols.widths()).header(cols.header(theme.header()));
    f.render_widget(table, list);
}

/// STATE TLD COUNTRY REGION CONTACTS; a narrow terminal drops REGION, then STATE.
const COLUMNS: [Column; 5] = [
    Column::new("STATE", 11, 11, 3),
    Column::new("TLD", 9, 7, 0),
    Column::new("COUNTRY", 18, 12, 1),
    Column::new("REGION", 6, 6, 4),
    Column::flex("CONTACTS", 20, 2),
];
