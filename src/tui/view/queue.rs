//! The queue: what waits for the operator, most urgent first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::fit::{Column, Columns};
use super::{age, highlight, tld_label, window};
use crate::service::QueueItem;
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
    let preview = s.preview_rows() as u16;
    let [area, below] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(preview)]).areas(area);
    if let Some(item) = s.selected_queue_item() {
        draw_preview(f, below, item, theme);
    }
    let cols = Columns::fit(&COLUMNS, area.width);
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
            let row = cols.row(vec![
                state,
                Span::raw(tld),
                Span::raw(item.country.clone().unwrap_or_default()),
                Span::raw(item.kind.as_str()),
                Span::raw(age(item.since, s.data.loaded_at)),
                Span::raw(why),
            ]);
            highlight(row, s.queue, i, theme)
        })
        .collect();
    let table = Table::new(rows, cols.widths()).header(cols.header(theme.header()));
    f.render_widget(table, area);
}

/// The selected item's reason whole, under a rule (Enter shows everything).
fn draw_preview(f: &mut Frame, area: Rect, item: &QueueItem, theme: Theme) {
    let what = match (&item.tld, item.message) {
        (Some(tld), Some(m)) => format!("{} #{m}: ", tld_label(tld)),
        (Some(tld), None) => format!("{}: ", tld_label(tld)),
        (None, Some(m)) => format!("#{m}: "),
        (None, None) => String::new(),
    };
    super::preview(f, area, &format!("{what}{}", item.why), theme);
}

/// STATE TLD COUNTRY TODO AGE WHY; a narrow terminal drops COUNTRY, then AGE, then STATE.
const COLUMNS: [Column; 6] = [
    Column::new("STATE", 11, 11, 3),
    Column::new("TLD", 8, 7, 0),
    Column::new("COUNTRY", 13, 10, 5),
    Column::new("TODO", 13, 7, 1),
    Column::new("AGE", 4, 4, 4),
    Column::flex("WHY", 20, 2),
];
