//! Confirmations and prompts, drawn over the view: they say exactly what will happen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::state::Dialog;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, d: &Dialog, theme: Theme) {
    let (title, mut lines, hint) = match d {
        Dialog::Confirm { title, lines, .. } => (
            title.clone(),
            lines
                .iter()
                .map(|l| Line::from(l.clone()))
                .collect::<Vec<_>>(),
            "y / Enter: do it    n / Esc: cancel",
        ),
        Dialog::Prompt {
            title,
            label,
            input,
            ..
        } => (
            title.clone(),
            vec![Line::from(vec![
                Span::raw(label.clone()),
                Span::styled(format!("{input}▏"), theme.title()),
            ])],
            "Enter: continue    Esc: cancel",
        ),
        Dialog::Contacts {
            tld,
            lines,
            row,
            error,
        } => {
            let mut out = vec![Line::from("One contact per line: email, name, phone")];
            for (i, l) in lines.iter().enumerate() {
                let mark = if i == *row { "› " } else { "  " };
                let text = if i == *row {
                    format!("{l}▏")
                } else {
                    l.clone()
                };
                out.push(Line::from(format!("{mark}{text}")));
            }
            if let Some(e) = error {
                out.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
            (
                format!("Contacts of .{tld}"),
                out,
                "Up/Down: line    Enter: save    Esc: cancel",
            )
        }
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(hint, theme.dim())));
    let width = area.width.saturating_sub(8).min(76);
    // Long lines wrap: count the rows they take, so the hint at the bottom always shows.
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(format!(" {title} "), theme.title()))),
        rect,
    );
}
