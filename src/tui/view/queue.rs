//! The queue: what waits for the operator, most urgent first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{age, highlight, tld_label, window};
use crate::tui::state::State;
use crate::tui::theme::{Theme, glyph};

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let items = &s.data.queue;
    if items.is_empty() {
        let hint = if s.data.roster.is_empty() {
            vec![
                Line::from("  There is no roster yet: import one with `tldops roster import FILE`"),
                Line::from("  (CSV or IANA whois text), or look around with `tldops demo`."),
            ]
        } else {
            vec![
                Line::from(
                    "  Replies appear here as they arrive (p polls now); 2 shows the roster,",
                ),
                Line::from("  where i invites a ccTLD."),
            ]
        };
        let mut text = vec![
            Line::from(""),
            Line::from(Span::styled("  Nothing waits for you.", theme.title())),
            Line::from(""),
        ];
        text.extend(hint);
        f.render_widget(Paragraph::new(text), area);
        return;
    }
    let height = area.height.saturating_sub(1) as usize;
    let rows: Vec<Row> = window(items, s.queue.offset, height)
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let state = item
                .state
                .map(|st| Span::styled(format!("{} {st}", glyph(st)), theme.state(st)))
                .unwrap_or_else(|| Span::raw("  -"));
            let tld = item.tld.as_deref().map_or("-".into(), tld_label);
            let why = match item.message {
                Some(m) => format!("#{m} {}", item.why),
                None => item.why.clone(),
            };
            let row = Row::new(vec![
                Cell::from(state),
                Cell::from(tld),
                Cell::from(item.country.clone().unwrap_or_default()),
                Cell::from(item.kind),
                Cell::from(age(&item.since, &s.data.loaded_at)),
                Cell::from(why),
            ]);
            highlight(row, s.queue, i, theme)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(11),
            Constraint::Length(7),
            Constraint::Length(13),
            Constraint::Length(13),
            Constraint::Length(4),
            Constraint::Min(20),
        ],
    )
    .header(Row::new(["STATE", "TLD", "COUNTRY", "TODO", "AGE", "WHY"]).style(theme.header()));
    f.render_widget(table, area);
}
