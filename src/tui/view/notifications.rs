//! Every status line of this session, newest first, each with its time and in full — what the
//! one-line bar had to cut is here whole (lazygit keeps its command log the same way), a long
//! one wrapped under its text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::fit::{width, wrap};
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
    // A long line wraps under its text, not back under the time (as the event view's values).
    let mut lines: Vec<Line> = Vec::new();
    for l in s.notifications.iter().rev() {
        let (mark, style) = if l.notice.error {
            ("✗", theme.error())
        } else {
            ("✓", theme.ok())
        };
        let prefix = format!("{} {mark} ", l.at);
        let indent = width(&prefix);
        let room = (area.width as usize).saturating_sub(indent).max(20);
        let mut text = l.notice.text.lines().flat_map(|t| wrap(t, room));
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", l.at), theme.dim()),
            Span::styled(format!("{mark} {}", text.next().unwrap_or_default()), style),
        ]));
        for more in text {
            lines.push(Line::from(Span::styled(
                format!("{:indent$}{more}", ""),
                style,
            )));
        }
    }
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = super::clamp_scroll(s, &p, area, s.notifications_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}
