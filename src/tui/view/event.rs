//! One event of the audit log in full: who, when, which TLD, what, and every field of its
//! detail on a line of its own (nested fields as `a.b`, lists one item a line), wrapped — not
//! raw JSON cut at the edge. Scrolls like a message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::fit::wrap;
use super::tld_label;
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let Some(e) = &s.event else {
        f.render_widget(Paragraph::new("  no event"), area);
        return;
    };
    let label = |name: &str| Span::styled(format!("{name:<10}"), theme.header());
    let mut lines = vec![
        Line::from(vec![
            label("event"),
            Span::styled(format!("#{} {}", e.id, e.action), theme.title()),
        ]),
        Line::from(vec![
            label("at"),
            Span::raw(e.at.replace('T', " ").replace('Z', " UTC")),
        ]),
        Line::from(vec![label("operator"), Span::raw(e.operator.clone())]),
        Line::from(vec![
            label("TLD"),
            Span::raw(e.tld.as_deref().map_or("-".into(), tld_label)),
        ]),
    ];
    let fields = crate::domain::audit::event_fields(&e.detail);
    let width = fields
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    lines.push(Line::from(Span::styled(
        "── detail ──".to_string(),
        theme.dim(),
    )));
    // Values wrap under themselves, not back at the left edge where the names are.
    let room = (area.width as usize).saturating_sub(width + 2).max(20);
    for (key, value) in fields {
        let mut value_lines = value.lines().flat_map(|l| {
            let wrapped = wrap(l, room);
            if wrapped.is_empty() {
                vec![String::new()]
            } else {
                wrapped
            }
        });
        lines.push(Line::from(vec![
            Span::styled(format!("{key:<width$}  "), theme.header()),
            Span::raw(value_lines.next().unwrap_or_default()),
        ]));
        for more in value_lines {
            lines.push(Line::from(format!("{:width$}  {more}", "")));
        }
    }
    if !e.hash.is_empty() {
        lines.push(Line::from(Span::styled(
            "── hash ──".to_string(),
            theme.dim(),
        )));
        lines.push(Line::from(vec![label("this"), Span::raw(e.hash.clone())]));
        lines.push(Line::from(vec![
            label("after"),
            Span::raw(e.prev_hash.clone()),
        ]));
    }
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = super::clamp_scroll(s, &p, area, s.event_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}
