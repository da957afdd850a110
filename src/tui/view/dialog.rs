//! Confirmations and prompts, drawn over the view: they say exactly what will happen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::fit::{width, wrap_items};
use crate::tui::input::Editor;
use crate::tui::state::Dialog;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, d: &Dialog, theme: Theme) {
    let width = area.width.saturating_sub(8).min(76);
    // Long lines wrap: count the rows they take, so the hint at the bottom always shows.
    let inner = width.saturating_sub(2).max(1) as usize;
    // Text above the input, the input (if any) with its height, text below it, the keys.
    let (title, mut lines, editor, mut below, hint): (_, Vec<Line>, Option<(&Editor, u16)>, _, _) =
        match d {
            Dialog::Confirm { title, lines, .. } => (
                title.clone(),
                // A line of several (a reason with line breaks) shows as several; a long one
                // wraps between list items first, so `Name <email>` and a phone number stay
                // whole, indented under its start. What does not fit is cut from the longest
                // (a long reason), so every mail and the keys always show.
                fit_blocks(
                    lines
                        .iter()
                        .map(|l| {
                            l.split('\n')
                                .flat_map(|l| plan_line(l, inner.saturating_sub(2).max(20)))
                                .collect()
                        })
                        .collect(),
                    // Borders, the blank line and the keys.
                    area.height.saturating_sub(2 + 2 + 2) as usize,
                )
                .into_iter()
                .map(Line::from)
                .collect(),
                None,
                vec![],
                "y / Enter: do it    n / Esc: cancel",
            ),
            Dialog::Prompt {
                title,
                label,
                input,
                ..
            } => (
                title.clone(),
                vec![Line::from(label.clone())],
                Some((input, if input.is_multiline() { 4 } else { 1 })),
                vec![],
                if input.is_multiline() {
                    "Enter: continue    C-j: new line    Esc: cancel"
                } else {
                    "Enter: continue    Esc: cancel"
                },
            ),
            Dialog::Contacts { tld, editor, error } => (
                format!("Contacts of .{tld}"),
                vec![Line::from("One contact per line: email, name, phone")],
                Some((editor, (editor.line_texts().len() as u16 + 1).clamp(3, 8))),
                error
                    .iter()
                    .map(|e| Line::from(Span::styled(format!("✗ {e}"), theme.error())))
                    .collect(),
                "Up/Down: line    Enter: save    Esc: cancel",
            ),
        };
    below.push(Line::from(""));
    below.push(Line::from(Span::styled(hint, theme.dim())));
    let rows = |ls: &[Line]| -> u16 {
        ls.iter()
            .map(|l| l.width().max(1).div_ceil(inner))
            .sum::<usize>() as u16
    };
    let editor_h = editor.map_or(0, |(_, h)| h);
    let max = area.height.saturating_sub(2);
    let height = (rows(&lines) + editor_h + rows(&below) + 2).min(max);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    f.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title()));
    let inside = block.inner(rect);
    f.render_widget(block, rect);
    let Some((editor, editor_h)) = editor else {
        lines.extend(below);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inside);
        return;
    };
    // The keys and the input always show; the text above gets what is left.
    let below_h = rows(&below).min(inside.height);
    let editor_h = editor_h.min(inside.height - below_h);
    let above_h = inside.height - below_h - editor_h;
    let part = |y: u16, h: u16| Rect {
        x: inside.x,
        y: inside.y + y,
        width: inside.width,
        height: h,
    };
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        part(0, above_h),
    );
    f.render_widget(editor.widget(), part(above_h, editor_h));
    f.render_widget(
        Paragraph::new(below).wrap(Wrap { trim: false }),
        part(above_h + editor_h, below_h),
    );
}

/// The rows of `blocks` (a plan's lines, each in rows), at most `room` of them: the longest
/// block gives up its last rows first, ending in `  …` so the cut shows.
fn fit_blocks(mut blocks: Vec<Vec<String>>, room: usize) -> Vec<String> {
    let total = |b: &[Vec<String>]| b.iter().map(Vec::len).sum::<usize>();
    while total(&blocks) > room.max(blocks.len()) {
        let Some(longest) = blocks.iter_mut().max_by_key(|b| b.len()) else {
            break;
        };
        if longest.len() < 2 {
            break;
        }
        let keep = longest.len() - 2;
        longest.truncate(keep);
        longest.push("  …".into());
    }
    blocks.into_iter().flatten().collect()
}

/// One line of a plan in rows of at most `room` columns (then indented by 2): broken after the
/// commas of a list before anywhere else.
fn plan_line(line: &str, room: usize) -> Vec<String> {
    let items: Vec<&str> = line
        .split_inclusive(", ")
        .map(str::trim_end)
        .flat_map(|item| {
            if width(item) > room {
                item.split(' ').collect::<Vec<_>>()
            } else {
                vec![item]
            }
        })
        .filter(|i| !i.is_empty())
        .collect();
    let mut rows = wrap_items(items, " ", room);
    for row in rows.iter_mut().skip(1) {
        row.insert_str(0, "  ");
    }
    if rows.is_empty() {
        rows.push(String::new());
    }
    rows
}
