//! Drawing: `draw(frame, state)` paints the whole screen from the state; it never changes the
//! state (but for recording where a text view's wrapped text ends) and never does I/O.
//! ratatui diffs frames, so a cursor move rewrites a few cells only.

mod case;
mod coverage;
mod dialog;
mod event;
pub mod fit;
mod help;
mod log;
mod message;
mod messages;
mod notifications;
mod queue;
mod roster;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::state::{MIN_HEIGHT, MIN_WIDTH, Mode, State, View};
use super::theme::Theme;
use crate::domain::time::Timestamp;

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
        View::Messages => messages::draw(f, body, s, theme),
        View::Event => event::draw(f, body, s, theme),
        View::Help => help::draw(f, body, s, theme),
        View::Notifications => notifications::draw(f, body, s, theme),
    }
    draw_notice(f, notice, s, theme);
    draw_status(f, status, s, theme);
    if let Some(d) = s.dialog() {
        dialog::draw(f, area, d, theme);
    }
}

fn draw_tabs(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let waiting = s.data.queue.len();
    // Narrow terminals get the short names.
    let narrow = area.width < 72;
    let tabs = [
        (View::Queue, format!("1 Queue ({waiting})")),
        (View::Roster, "2 Roster".to_string()),
        (View::Log, "3 Log".to_string()),
        (
            View::Coverage,
            if narrow { "4 Cover" } else { "4 Coverage" }.to_string(),
        ),
        (
            View::Messages,
            if narrow { "5 Mail" } else { "5 Messages" }.to_string(),
        ),
    ];
    let current = match s.view {
        View::Case | View::Message | View::Help | View::Notifications | View::Event => {
            s.back.first().copied().unwrap_or(View::Queue)
        }
        v => v,
    };
    let mut spans = Vec::new();
    for (v, label) in tabs {
        spans.push(Span::styled(format!(" {label} "), theme.tab(v == current)));
        spans.push(Span::raw(if narrow { "" } else { " " }));
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
        View::Event => s
            .event
            .as_ref()
            .map(|e| format!("› event #{}", e.id))
            .unwrap_or_default(),
        View::Notifications => "› notifications".into(),
        _ => String::new(),
    };
    spans.push(Span::styled(where_, theme.title()));
    f.render_widget(
        Paragraph::new(fit::fit_line(spans, area.width as usize)),
        area,
    );
}

fn draw_notice(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let typing = match &s.mode {
        Mode::Search(q) => Some(("/", q)),
        Mode::Command(c) => Some((":", c)),
        _ => None,
    };
    if let Some((prompt, editor)) = typing {
        // The prompt, then the input: it scrolls sideways to keep the cursor in view. What
        // Tab found (or did not) shows after it, in what room is left.
        let typed = fit::width(&editor.text()) as u16 + 3;
        let said = match &s.notice {
            Some(n) if area.width > typed + 10 => Some(n),
            _ => None,
        };
        let input = said.map_or(area.width, |_| typed.max(area.width / 3));
        let [p, rest, aside] = Layout::horizontal([
            Constraint::Length(1),
            Constraint::Length(input.saturating_sub(1)),
            Constraint::Min(0),
        ])
        .areas(area);
        f.render_widget(Paragraph::new(prompt), p);
        f.render_widget(editor.widget(), rest);
        if let Some(n) = said {
            let style = if n.error { theme.error() } else { theme.dim() };
            let line = vec![Span::styled(
                fit::ellipsize_words(&n.text, aside.width as usize),
                style,
            )];
            f.render_widget(
                Paragraph::new(fit::fit_line(line, aside.width as usize)),
                aside,
            );
        }
        return;
    }
    let spans = if let Some(b) = &s.busy {
        vec![Span::styled(format!("… {b}"), theme.title())]
    } else if let Some(n) = &s.notice {
        let style = if n.error { theme.error() } else { theme.ok() };
        let mark = if n.error { "✗ " } else { "✓ " };
        // Cut between words, as the bar is: `@` and the notifications view have it whole.
        let text = fit::ellipsize_words(&format!("{mark}{}", n.text), area.width as usize);
        vec![Span::styled(text, style)]
    } else if s.poll_asked {
        // Under way, not done: no tick until the pass says how it went.
        vec![Span::styled("… polling the mailbox", theme.title())]
    } else if let Some(q) = &s.search {
        vec![Span::styled(
            format!("search: {q}   (n/N next/previous, Esc clears)"),
            theme.dim(),
        )]
    } else {
        vec![Span::styled(hints(s, area.width as usize), theme.dim())]
    };
    // A status line longer than the bar ends in `…`; the notifications view has it whole.
    f.render_widget(
        Paragraph::new(fit::fit_line(spans, area.width as usize)),
        area,
    );
}

/// The hint bar, from the effective keymap: as many hints as fit, whole.
fn hints(s: &State, width: usize) -> String {
    use super::keymap::Action;
    let scope = s.view.scope();
    let mut out = String::new();
    for (action, what) in [
        (Action::Help, "help"),
        (Action::Search, "search"),
        (Action::CommandLine, "command"),
        (Action::Open, "open"),
        (Action::Back, "back"),
        (Action::Quit, "quit"),
        (Action::ShowNotifications, "notifications"),
    ] {
        let Some(key) = s.keymap.key_of(scope, action) else {
            continue;
        };
        let hint = format!("{key} {what}");
        let sep = if out.is_empty() { "" } else { "   " };
        if fit::width(&out) + sep.len() + fit::width(&hint) > width {
            break;
        }
        out.push_str(sep);
        out.push_str(&hint);
    }
    out
}

/// The bottom bar: the mailbox, the outbox backlog, the secrets missing, the operator. The
/// retry time, the outbox count and what is missing always show; the mailbox's name or error
/// is what gets cut, between words (ending in ` …`; `@` has a failure whole).
fn draw_status(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let p = &s.poll;
    let width = area.width as usize;
    // (text, style) of the part that may be cut, then the parts that must show.
    let (head, head_style, mut tail) = match (&p.source, &p.error) {
        (None, _) => ("○ no mailbox configured".to_string(), theme.dim(), vec![]),
        (Some(_), _) if p.off.is_some() => (
            format!("✗ not polled: {}", p.off.as_deref().unwrap_or_default()),
            theme.error(),
            vec![],
        ),
        (Some(_), Some((err, retry))) => {
            // The retry has come (or `p` came first): its time is past, the pass under way.
            let when = if p.polling {
                "; retrying now".to_string()
            } else {
                format!("; retry {retry}")
            };
            (
                format!("✗ mailbox: {}", without_server(err)),
                theme.error(),
                vec![Span::styled(when, theme.error())],
            )
        }
        (Some(src), None) => {
            let state = if p.polling {
                "polling…".to_string()
            } else {
                p.last_poll
                    .as_ref()
                    .map_or("not polled yet".into(), |t| format!("polled {t}"))
            };
            // In IDLE new mail comes at once: the interval's pass is only the fallback.
            let tail = match &p.next_poll {
                _ if p.idle => vec![Span::raw(" · live (IDLE)")],
                Some(n) => vec![Span::raw(format!(" · next {n}"))],
                None => vec![],
            };
            (format!("● {} {state}", short_source(src)), theme.ok(), tail)
        }
    };
    tail.push(Span::raw(format!(" · outbox {}", s.data.outbox_backlog)));
    // The mailbox's own password shows in the head (not polled); the others here.
    let unset: Vec<&str> = s
        .missing
        .secrets
        .iter()
        .filter(|(secret, _)| p.off.is_none() || *secret != super::missing::Secret::Imap)
        .map(|(secret, _)| secret.short())
        .collect();
    if !unset.is_empty() {
        let plural = if unset.len() > 1 { "s" } else { "" };
        tail.push(Span::styled(
            format!(" · ✗ no {} password{plural}", unset.join(", ")),
            theme.error(),
        ));
    }
    let tail_width: usize = tail.iter().map(|t| fit::width(&t.content)).sum();
    let right = format!("{} ", s.operator);
    // The operator's login shows when there is room for it beside the rest.
    let show_right = width > fit::width(&head) + tail_width + fit::width(&right);
    let room = width.saturating_sub(tail_width);
    let mut spans = vec![Span::styled(fit::ellipsize_words(&head, room), head_style)];
    spans.extend(tail);
    if show_right {
        let used: usize = spans.iter().map(|s| fit::width(&s.content)).sum();
        let pad = width.saturating_sub(used + fit::width(&right));
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(right, theme.dim()));
    }
    f.render_widget(
        Paragraph::new(fit::fit_line(spans, width)).style(theme.dim()),
        area,
    );
}

/// `host:993: cannot connect: …` → `cannot connect: …`: on one line, the server (the only one
/// there is) takes the room of what went wrong; `@` keeps the error whole.
fn without_server(error: &str) -> &str {
    match error.split_once(": ") {
        Some((server, rest))
            if server.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty() && !host.contains(' ') && port.parse::<u16>().is_ok()
            }) =>
        {
            rest
        }
        _ => error,
    }
}

/// `imap:user@host:993/INBOX` → `host:993/INBOX`, `maildir:/long/path/Maildir` →
/// `maildir Maildir`: the status bar is one line.
fn short_source(src: &str) -> String {
    match src
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
            .map_or(src.to_string(), |(_, rest)| rest.to_string()),
    }
}

/// "3d", "5h", "12m": how long something has waited, from `since` to `now`; nothing when
/// either is unknown.
pub fn age(since: Option<Timestamp>, now: Option<Timestamp>) -> String {
    let (Some(since), Some(now)) = (since, now) else {
        return String::new();
    };
    match now.seconds_since(since) {
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
/// Under a list, the selected row's text whole (its column is cut at 80 columns): a rule,
/// then as many lines as the area holds, the last ending in `…` when more is left.
pub fn preview(f: &mut Frame, area: Rect, text: &str, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let width = area.width.saturating_sub(1) as usize;
    let lines = fit::wrap_rows(text, width, area.height.saturating_sub(1) as usize);
    let mut out = vec![ratatui::text::Line::from(Span::styled(
        "─".repeat(area.width as usize),
        theme.dim(),
    ))];
    out.extend(
        lines
            .into_iter()
            .map(|l| ratatui::text::Line::from(format!(" {l}"))),
    );
    f.render_widget(Paragraph::new(out), area);
}

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
