//! The audit trail, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{highlight, tld_label, window};
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let events = s.log_rows();
    if events.is_empty() {
        let text = if s.data.log.is_empty() {
            "  The audit log is empty."
        } else {
            "  No event matches the search (Esc clears it)."
        };
        f.render_widget(Paragraph::new(text), area);
        return;
    }
    let height = area.height.saturating_sub(1) as usize;
    let rows: Vec<Row> = window(&events, s.log.offset, height)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let row = Row::new(vec![
                Cell::from(
                    e.at.replace('T', " ")
                        .trim_end_matches('Z')
                        .get(..16)
                        .unwrap_or(&e.at)
                        .to_string(),
                ),
                Cell::from(e.operator.clone()),
                Cell::from(e.tld.as_deref().map_or("-".into(), tld_label)),
                Cell::from(e.action.clone()),
                Cell::from(e.detail.clone()),
            ]);
            highlight(row, s.log, i, theme)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(16),
            Constraint::Min(20),
        ],
    )
    .header(Row::new(["AT (UTC)", "OPERATOR", "TLD", "ACTION", "DETAIL"]).style(theme.header()));
    f.render_widget(table, area);
}
