//! One message, sanitised: who, what, the verdict and why, the authentication evidence, the
//! text; `h` shows every header.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let Some(m) = &s.message else {
        f.render_widget(Paragraph::new("  loading…"), area);
        return;
    };
    let r = &m.row;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("From:    ", theme.header()),
            Span::raw(m.from.clone()),
        ]),
        Line::from(vec![
            Span::styled("Subject: ", theme.header()),
            Span::raw(r.subject.clone()),
        ]),
        Line::from(vec![
            Span::styled("Date:    ", theme.header()),
            Span::raw(r.date.clone().unwrap_or_default()),
        ]),
        Line::from(vec![
            Span::styled("Verdict: ", theme.header()),
            Span::styled(
                format!(
                    "{} {}",
                    r.verdict,
                    r.tld.as_deref().map_or(String::new(), super::tld_label)
                ),
                theme.title(),
            ),
            Span::raw(format!(" — {}", r.why)),
        ]),
    ];
    for a in &m.authentication {
        lines.push(Line::from(vec![
            Span::styled("Auth:    ", theme.header()),
            Span::raw(a.clone()),
        ]));
    }
    if !r.contacts.is_empty() {
        let list: Vec<String> = r.contacts.iter().map(crate::service::describe).collect();
        lines.push(Line::from(vec![
            Span::styled("Names:   ", theme.header()),
            Span::raw(list.join("; ")),
        ]));
    }
    if let Some(e) = &r.parse_error {
        lines.push(Line::from(Span::styled(
            format!("Unreadable: {e}"),
            theme.error(),
        )));
    }
    if s.show_headers {
        lines.push(Line::from(Span::styled(
            "── headers (h hides) ──",
            theme.dim(),
        )));
        lines.extend(m.headers.lines().map(|l| Line::from(l.to_string())));
    } else {
        lines.push(Line::from(Span::styled(
            "── (h shows every header) ──",
            theme.dim(),
        )));
    }
    lines.extend(m.body.lines().map(|l| Line::from(l.to_string())));
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = super::clamp_scroll(s, &p, area, s.message_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}
