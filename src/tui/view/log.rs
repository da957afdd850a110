//! The audit trail, newest first; each event's detail summed up in words (Enter shows it
//! whole).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Row, Table};

use super::fit::{Column, Columns};
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
    let preview = s.preview_rows() as u16;
    let [area, below] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(preview)]).areas(area);
    if let Some(e) = events.get(s.log.selected) {
        let tld = e
            .tld
            .as_deref()
            .map_or(String::new(), |t| format!("{} ", tld_label(t)));
        let text = format!(
            "{tld}{}: {}",
            e.action,
            crate::domain::audit::summary(&e.action, &e.detail)
        );
        super::preview(f, below, &text, theme);
    }
    let cols = Columns::fit(&COLUMNS, area.width);
    let height = area.height.saturating_sub(1) as usize;
    let rows: Vec<Row> = window(&events, s.log.offset, height)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let row = cols.row(vec![
                Span::raw(
                    e.at.replace('T', " ")
                        .trim_end_matches('Z')
                        .get(..16)
                        .unwrap_or(&e.at)
                        .to_string(),
                ),
                Span::raw(e.operator.clone()),
                Span::raw(e.tld.as_deref().map_or("-".into(), tld_label)),
                Span::raw(e.action.clone()),
                Span::raw(crate::domain::audit::summary(&e.action, &e.detail)),
            ]);
            highlight(row, s.log, i, theme)
        })
        .collect();
    let table = Table::new(rows, cols.widths()).header(cols.header(theme.header()));
    f.render_widget(table, area);
}

/// AT OPERATOR TLD ACTION DETAIL; a narrow terminal drops OPERATOR first.
const COLUMNS: [Column; 5] = [
    Column::new("AT (UTC)", 16, 16, 0),
    Column::new("OPERATOR", 10, 8, 3),
    Column::new("TLD", 8, 7, 2),
    Column::new("ACTION", 16, 12, 1),
    Column::flex("DETAIL", 12, 1),
];
