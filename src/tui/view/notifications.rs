//! Every status line of this session, newest first, each with its time and in full — what the
//! one-line bar had to cut is here whole (lazygit keeps its command log the same way).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    if s.notifications.is_empty() {
        f.render_widget(
            Paragraph::new("  No status line yet: results of actions and errors show here."),
            area,
        );
        return;
    }
    let lines: Vec<Line> = s
        .notifications
        .iter()
        .rev()
        .map(|l| {
            let (mark, style) = if l.notice.error {
                ("✗", theme.error())
            } else {
                ("✓", theme.ok())
            };
            Line::from(vec![
                Span::styled(format!("{} ", l.at), theme.dim()),
                Span::styled(format!("{mark} {}", l.notice.text), style),
            ])
        })
        .collect();
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = super::clamp_scroll(s, &p, area, s.notifications_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}
