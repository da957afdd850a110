//! Drawing: `draw(frame, state)` paints the whole screen from the state; it never changes the
//! state (but for recording where a text view's wrapped text ends) and never does I/O.
//! ratatui diffs frames, so a cursor move rewrites a few cells only.

mod case;
mod coverage;
mod dialog;
mod help;
mod log;
mod message;
mod queue;
mod roster;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state::{MIN_HEIGHT, MIN_WIDTH, State, View};
use super::theme::Theme;

pub fn draw(f: &mut Frame, s: &State) {
    let area = f.area();
    let theme = Theme { color: s.color };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "tldops needs a terminal of at least {MIN_WIDTH}x{MIN_HEIGHT};\nthis one is {}x{}.\nEnlarge it, or press q to quit.",
            area.width, area.height
        );
        let y = area.height / 2;
        let rect = Rect {
            x: area.x,
            y: area.y + y.saturating_sub(1),
            width: area.width,
            height: 3.min(area.height),
        };
        f.render_widget(Paragraph::new(text).alignment(Alignment::Center), rect);
        return;
    }
    let [tabs, body, notice, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, tabs, s, theme);
    match s.view {
        View::Queue => queue::draw(f, body, s, theme),
        View::Case => case::draw(f, body, s, theme),
        View::Message => message::draw(f, body, s, theme),
        View::Roster => roster::draw(f, body, s, theme),
        View::Log => log::draw(f, body, s, theme),
        View::Coverage => coverage::draw(f, body, s, theme),
        View::Help => help::draw(f, body, s, theme),
    }
    draw_notice(f, notice, s, theme);
    draw_status(f, status, s, theme);
    if let Some(d) = &s.dialog {
        dialog::draw(f, area, d, theme);
    }
}

fn draw_tabs(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let waiting = s.data.queue.len();
    let tabs = [
        (View::Queue, format!("1 Queue ({waiting})")),
        (View::Roster, "2 Roster".to_string()),
        (View::Log, "3 Log".to_string()),
        (View::Coverage, "4 Coverage".to_string()),
    ];
    let current = match s.view {
        View::Case | View::Message | View::Help => s.back.first().copied().unwrap_or(View::Queue),
        v => v,
    };
    let mut spans = Vec::new();
    for (v, label) in tabs {
        spans.push(Span::styled(format!(" {label} "), theme.tab(v == current)));
        spans.push(Span::raw(" "));
    }
    let where_ = match s.view {
        View::Case => s
            .case
            .as_ref()
            .map(|c| format!("› {}", c.row.tld.code.display()))
            .unwrap_or_default(),
        View::Message => s
            .message
            .as_ref()
            .map(|m| format!("› message #{}", m.row.id))
            .unwrap_or_default(),
        View::Help => "› help".into(),
        _ => String::new(),
    };
    spans.push(Span::styled(where_, theme.title()));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_notice(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let line = if let Some(q) = &s.search_input {
        Line::from(format!("/{q}"))
    } else if let Some(c) = &s.command_input {
        Line::from(format!(":{c}"))
    } else if let Some(b) = &s.busy {
        Line::from(Span::styled(format!("… {b}"), theme.title()))
    } else if let Some(n) = &s.notice {
        let style = if n.error { theme.error() } else { theme.ok() };
        let mark = if n.error { "✗ " } else { "✓ " };
        Line::from(Span::styled(format!("{mark}{}", n.text), style))
    } else if let Some(q) = &s.search {
        Line::from(Span::styled(
            format!("search: {q}   (n/N next/previous, Esc clears)"),
            theme.dim(),
        ))
    } else {
        Line::from(Span::styled(
            "? help   / search   : command   Enter open   Esc back   q quit",
            theme.dim(),
        ))
    };
    f.render_widget(Paragraph::new(line), area);
}

fn draw_status(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let p = &s.poll;
    let mut spans = Vec::new();
    match (&p.source, &p.error) {
        (None, _) => spans.push(Span::styled("○ no mailbox configured", theme.dim())),
        (Some(_), Some((err, retry))) => {
            spans.push(Span::styled(
                format!("✗ mailbox: {err}; retry {retry}"),
                theme.error(),
            ));
        }
        (Some(src), None) => {
            // `imap:user@host:993/INBOX` → `host:993/INBOX`, `maildir:/long/path/Maildir` →
            // `maildir Maildir`: the status bar is one line.
            let short = match src
                .strip_prefix("maildir:")
                .or_else(|| src.strip_prefix("mbox:"))
            {
                Some(path) => format!(
                    "{} {}",
                    &src[..src.find(':').unwrap_or(0)],
                    std::path::Path::new(path)
                        .file_name()
                        .map_or(path.into(), |n| n.to_string_lossy())
                ),
                None => src
                    .rsplit_once('@')
                    .map_or(src.clone(), |(_, rest)| rest.to_string()),
            };
            let src = short.as_str();
            let state = if p.polling {
                "polling…".to_string()
            } else {
                p.last_poll
                    .as_ref()
                    .map_or("not polled yet".into(), |t| format!("polled {t}"))
            };
            spans.push(Span::styled(format!("● {src} {state}"), theme.ok()));
            if let Some(n) = &p.next_poll {
                spans.push(Span::raw(format!(" · next {n}")));
            }
        }
    }
    spans.push(Span::raw(format!(" · outbox {}", s.data.outbox_backlog)));
    let right = format!("{} ", s.operator);
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + right.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme.dim()));
    f.render_widget(Paragraph::new(Line::from(spans)).style(theme.dim()), area);
}

/// "3d", "5h", "12m": how long something has waited, from `since` to `now` (both RFC 3339).
pub fn age(since: &str, now: &str) -> String {
    let (Ok(a), Ok(b)) = (
        since.parse::<jiff::Timestamp>(),
        now.parse::<jiff::Timestamp>(),
    ) else {
        return String::new();
    };
    let secs = b.duration_since(a).as_secs().max(0);
    match secs {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}

/// `.nl`, or the Unicode form of an IDN ccTLD (`.مصر`): what people recognise.
pub fn tld_label(code: &str) -> String {
    let code = crate::domain::tld::TldCode::from_stored(code.to_string());
    format!(".{}", code.unicode().unwrap_or_else(|| code.to_string()))
}

/// Row `i` of the visible window, in reverse video when it is the cursor's row.
pub fn highlight<'a>(
    row: ratatui::widgets::Row<'a>,
    cursor: crate::tui::state::Cursor,
    i: usize,
    theme: Theme,
) -> ratatui::widgets::Row<'a> {
    if cursor.offset + i == cursor.selected {
        row.style(theme.selected())
    } else {
        row
    }
}

/// The rows `[offset, offset + height)` of a list, for drawing.
pub fn window<T>(items: &[T], offset: usize, height: usize) -> &[T] {
    let start = offset.min(items.len());
    &items[start..(start + height).min(items.len())]
}

/// The scroll offset to draw `p` at in `area`: `wanted`, but never past the offset that shows
/// the text's last line at the bottom (recorded for the next key press, see
/// [`State::scroll_limit`]).
fn clamp_scroll(s: &State, p: &Paragraph, area: Rect, wanted: usize) -> u16 {
    let limit = p
        .line_count(area.width)
        .saturating_sub(area.height as usize);
    s.scroll_limit.set(limit);
    wanted.min(limit).min(u16::MAX as usize) as u16
}
