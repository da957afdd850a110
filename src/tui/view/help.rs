//! Help, generated from the keymap (so it is never out of date), searchable with `/`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let query = s.search.as_deref().map(str::to_lowercase);
    let mut lines = vec![Line::from(Span::styled(
        "Keys (override them in the config's [keys.<view>] by action name)",
        theme.title(),
    ))];
    // The keys of the view help was opened from come first.
    let from = s.back.last().map(|v| v.scope());
    let mut entries = s.keymap.help();
    entries.sort_by_key(|e| (Some(e.0) != from, e.0));
    let mut scope = None;
    for (sc, keys, action, desc) in entries {
        let text = format!("  {keys:<14} {desc}  [{}]", action.name());
        if query
            .as_ref()
            .is_some_and(|q| !text.to_lowercase().contains(q) && !sc.name().contains(q.as_str()))
        {
            continue;
        }
        if scope != Some(sc) {
            lines.push(Line::from(Span::styled(
                format!("{}:", sc.name()),
                theme.header(),
            )));
            scope = Some(sc);
        }
        lines.push(Line::from(text));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "States: - uninvited  > invited  ~ reminded  ? answered  + approved  x rejected  ! bounced",
        theme.dim(),
    )));
    let w = area.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| super::fit::fit_line(l.spans, w))
        .collect();
    let p = Paragraph::new(lines);
    let scroll = super::clamp_scroll(s, &p, area, s.help_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}
