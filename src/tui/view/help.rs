//! Help, generated from the keymap (so it is never out of date), searchable with `/`: every
//! action with its keys, its `:` command and what it does. Names are never cut: a description
//! wraps under itself, and one that has no room starts on the next line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{width, wrap, wrap_items};
use crate::tui::state::State;
use crate::tui::theme::Theme;

/// The keys column, and the most the command column takes before its description moves to
/// the next line (less in a narrow terminal, where descriptions need the room).
const KEYS: usize = 10;
const COMMAND: usize = 24;
const COMMAND_NARROW: usize = 16;
/// The least room a description wraps in beside the names; below it, it goes under them.
const DESC_MIN: usize = 20;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let w = area.width as usize;
    let query = s.search.as_deref().map(str::to_lowercase);
    let mut lines: Vec<Line> = wrap(
        "Keys and : commands (the action's name, as [keys.<view>] rebinds it)",
        w,
    )
    .into_iter()
    .map(|l| Line::from(Span::styled(l, theme.title())))
    .collect();
    // The keys of the view help was opened from come first.
    let from = s.back.last().map(|v| v.scope());
    let mut entries = s.keymap.help();
    entries.sort_by_key(|e| (Some(e.0) != from, e.0));
    let command_w = entries
        .iter()
        .map(|e| width(&e.2.command()))
        .max()
        .unwrap_or(0)
        .min(if w < 80 { COMMAND_NARROW } else { COMMAND });
    let mut scope = None;
    for (sc, keys, action, desc) in entries {
        let command = action.command();
        let desc = match action.aliases() {
            [] => desc.to_string(),
            short => {
                let short: Vec<String> = short.iter().map(|a| format!(":{a}")).collect();
                format!("{desc} (also {})", short.join(" "))
            }
        };
        if query.as_ref().is_some_and(|q| {
            ![keys.as_str(), &command, &desc, sc.name()]
                .iter()
                .any(|t| t.to_lowercase().contains(q.as_str()))
        }) {
            continue;
        }
        if scope != Some(sc) {
            lines.push(Line::from(Span::styled(
                format!("{}:", sc.name()),
                theme.header(),
            )));
            scope = Some(sc);
        }
        lines.extend(entry(&keys, &command, command_w, &desc, w));
    }
    // What each queue TODO word asks, searchable with the rest ("/join").
    let todo: Vec<(String, &str)> = crate::service::ItemKind::ALL
        .into_iter()
        .map(|k| (k.as_str().replace('_', " "), k.meaning()))
        .filter(|(word, meaning)| {
            query.as_ref().is_none_or(|q| {
                word.contains(q.as_str()) || meaning.to_lowercase().contains(q.as_str())
            })
        })
        .collect();
    if !todo.is_empty() {
        lines.push(Line::from(Span::styled("queue TODO:", theme.header())));
        for (word, meaning) in todo {
            lines.extend(entry("", &word, command_w, meaning, w));
        }
    }
    lines.push(Line::from(""));
    let states = [
        "States: - uninvited",
        "> invited",
        "~ reminded",
        "? answered",
        "+ approved",
        "x rejected",
        "! bounced",
    ];
    for l in wrap_items(states, "  ", w) {
        lines.push(Line::from(Span::styled(l, theme.dim())));
    }
    // Only a word wider than the screen is cut, and it ends in an ellipsis.
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| super::fit::fit_line(l.spans, w))
        .collect();
    let p = Paragraph::new(lines);
    let scroll = super::clamp_scroll(s, &p, area, s.help_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}

/// One action's lines: `  keys  :command  description`, the description wrapped in its
/// column, or under the names when they leave it too little room.
fn entry(keys: &str, command: &str, command_w: usize, desc: &str, w: usize) -> Vec<Line<'static>> {
    let names = format!(
        "  {keys}{} {command}{} ",
        pad(keys, KEYS),
        pad(command, command_w)
    );
    let column = 2 + KEYS + 1 + command_w + 1;
    let beside = width(&names) <= column && w >= column + DESC_MIN;
    let (first, indent) = if beside {
        (names, column)
    } else {
        (names.trim_end().to_string(), 2 + KEYS + 1)
    };
    let mut out = Vec::new();
    let desc_lines = wrap(desc, w.saturating_sub(indent).max(1));
    let mut desc_lines = desc_lines.into_iter();
    if beside {
        out.push(Line::from(format!(
            "{first}{}",
            desc_lines.next().unwrap_or_default()
        )));
    } else {
        out.push(Line::from(first));
    }
    for l in desc_lines {
        out.push(Line::from(format!("{}{l}", " ".repeat(indent))));
    }
    out
}

/// Spaces that fill `text` out to `columns`.
fn pad(text: &str, columns: usize) -> String {
    " ".repeat(columns.saturating_sub(width(text)))
}
