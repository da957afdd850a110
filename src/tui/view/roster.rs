//! The roster: every ccTLD with its state, region and contacts; fuzzy search with `/`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

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
    f.render_widget(Paragraph::new(Span::styled(title, theme.dim())), head);
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new("  No ccTLD matches (f region, t state, Esc clears the search)."),
            list,
        );
        return;
    }
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
            let row = Row::new(vec![
                Cell::from(Span::styled(format!("{} {st}", glyph(st)), theme.state(st))),
                Cell::from(code),
                Cell::from(r.tld.country.clone()),
                Cell::from(r.tld.region.map_or("-".to_string(), |g| g.to_string())),
                Cell::from(contacts),
            ]);
            highlight(row, s.roster, i, theme)
        })
        .collect();
    let table = Table::new(
        table_rows,
        [
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Length(18),
            Constraint::Length(6),
            Constraint::Min(20),
        ],
    )
    .header(Row::new(["STATE", "TLD", "COUNTRY", "REGION", "CONTACTS"]).style(theme.header()));
    f.render_widget(table, list);
}
