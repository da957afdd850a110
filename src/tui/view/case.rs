//! One case: the TLD and its IANA contacts, the state, the contacts, every message with its
//! verdict and why it matched, and the history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::fit::{Column, Columns, fit_line, wrap_rows};
use super::{highlight, window};
use crate::tui::state::{Cursor, State};
use crate::tui::theme::{Theme, glyph};

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let Some(c) = &s.case else {
        f.render_widget(Paragraph::new("  loading…"), area);
        return;
    };
    let t = &c.row.tld;
    let case = &c.row.case;
    let person = |name: &str, email: &str| {
        if name.is_empty() {
            email.to_string()
        } else {
            format!("{name} <{email}>")
        }
    };
    let mut info = vec![
        Line::from(vec![
            Span::styled(
                format!("{}  {}", t.code.display(), t.country),
                theme.title(),
            ),
            Span::raw(format!(
                "   {}   ",
                t.region.map_or("no region".to_string(), |r| r.to_string())
            )),
            Span::styled(
                format!("{} {}", glyph(case.state), case.state),
                theme.state(case.state),
            ),
        ]),
        Line::from(format!(
            " admin  {}",
            person(&t.admin.name, t.admin.email.as_str())
        )),
        Line::from(format!(
            " tech   {}",
            person(&t.tech.name, t.tech.email.as_str())
        )),
    ];
    let mut history = Vec::new();
    if let Some(at) = case.invited_at {
        history.push(format!("invited {}", at.date()));
    }
    if case.reminders > 0 {
        history.push(format!("{} reminder(s)", case.reminders));
    }
    if let (Some(by), Some(at)) = (&case.decided_by, case.decided_at) {
        history.push(format!("{} by {by} {}", case.state, at.date()));
    }
    if case.admin_changed_at.is_some() {
        history.push("! admin address changed since the invitation: invite again".into());
    }
    info.push(Line::from(format!(
        " case   {}",
        if history.is_empty() {
            "—".into()
        } else {
            history.join(" · ")
        }
    )));
    // Requests and the re-confirmation (DESIGN §8), under the case's own line, wrapped
    // under themselves (cut, a request lost the requester's phone at 80 columns): at most
    // three rows each, the case view has more to show.
    let room = (area.width as usize).saturating_sub(10).max(20);
    for r in &c.rounds {
        let rows = wrap_rows(&format!("{}: {}", r.label, r.text), room, 3);
        for (i, row) in rows.into_iter().enumerate() {
            let indent = if i == 0 { 8 } else { 10 };
            info.push(Line::from(format!("{:indent$}{row}", "")));
        }
    }

    let contacts: Vec<Line> = if c.contacts.is_empty() {
        vec![Line::from(Span::styled(" no contacts yet", theme.dim()))]
    } else {
        c.contacts
            .iter()
            .filter(|k| k.state != crate::domain::member::ContactState::Removed)
            .map(|k| {
                let state = k.state.to_string();
                let err = k
                    .problem()
                    .as_ref()
                    .map(|e| format!("  ! {e}"))
                    .unwrap_or_default();
                Line::from(format!(
                    " {state:<10} {}{err}",
                    crate::service::describe(&k.contact())
                ))
            })
            .collect()
    };
    // Rows: the TLD (4), its contacts, its messages, its history — the history takes what
    // the terminal has to spare; on a short one, every part gets its share.
    let h = area.height;
    let info_h = (info.len() as u16).min(h);
    let rest = h - info_h;
    let contacts_h = (contacts.len() as u16 + 1).min(6).min((rest / 3).max(2));
    let rest = rest.saturating_sub(contacts_h);
    let messages_want = c.messages.len() as u16 + 2;
    let history_want = c.events.len() as u16 + 1;
    let messages_h = messages_want.min((rest / 2).max(3)).min(rest);
    let history_h = (rest - messages_h).min(history_want);
    let messages_h = messages_want.min(rest - history_h).max(messages_h);
    let [info_area, contacts_area, messages_area, events_area, _] = Layout::vertical([
        Constraint::Length(info_h),
        Constraint::Length(contacts_h),
        Constraint::Length(messages_h),
        Constraint::Length(history_h),
        Constraint::Min(0),
    ])
    .areas(area);
    let w = area.width as usize;
    let fit = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines.into_iter().map(|l| fit_line(l.spans, w)).collect()
    };
    // Contacts past the rows they get are counted, never silently left out.
    let mut contacts = contacts;
    let room = contacts_h.saturating_sub(1) as usize;
    if contacts.len() > room && room > 0 {
        let more = contacts.len() - (room - 1);
        contacts.truncate(room - 1);
        contacts.push(Line::from(Span::styled(
            format!(" … {more} more (e shows them all)"),
            theme.dim(),
        )));
    }
    f.render_widget(Paragraph::new(fit(info)), info_area);
    f.render_widget(
        Paragraph::new(fit(contacts)).block(
            Block::new().title(Span::styled("Contacts (e edit, a approve)", theme.header())),
        ),
        contacts_area,
    );

    // One cursor over the messages, then the history: each part scrolls to keep it in view.
    let selected = s.case_cursor.selected;
    let in_view = |height: usize, i: Option<usize>| Cursor {
        selected: i.unwrap_or(usize::MAX),
        offset: i.map_or(0, |i| (i + 1).saturating_sub(height.max(1))),
    };
    let cols = Columns::fit(&MESSAGE_COLUMNS, messages_area.width);
    let height = messages_area.height.saturating_sub(2) as usize;
    let cursor = in_view(height, (selected < c.messages.len()).then_some(selected));
    let rows: Vec<Row> = window(&c.messages, cursor.offset, height)
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let row = cols.row(vec![
                Span::raw(format!("#{}", m.id)),
                Span::raw(m.verdict.to_string()),
                Span::raw(
                    m.date
                        .as_deref()
                        .unwrap_or("")
                        .get(..10)
                        .unwrap_or("")
                        .to_string(),
                ),
                Span::raw(m.from.clone().unwrap_or_default()),
                Span::raw(m.why.clone()),
            ]);
            highlight(row, cursor, i, theme)
        })
        .collect();
    let title = fit_line(
        vec![Span::styled(
            format!(
                "Messages ({}) — Enter reads one; why each matched",
                c.messages.len()
            ),
            theme.header(),
        )],
        w,
    );
    let table = Table::new(rows, cols.widths())
        .header(cols.header(theme.header()))
        .block(Block::new().title(title));
    f.render_widget(table, messages_area);

    let height = events_area.height.saturating_sub(1) as usize;
    let cursor = in_view(height, selected.checked_sub(c.messages.len()));
    let events: Vec<Line> = window(&c.events, cursor.offset, height)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let line = fit_line(
                // An event told in words needs no action column; others sum up their detail.
                vec![Span::raw(
                    match crate::domain::audit::words(&e.action, &e.detail) {
                        Some(words) => format!(
                            " {} {:<10} {words}",
                            e.at.get(..10).unwrap_or(&e.at),
                            e.operator
                        ),
                        None => format!(
                            " {} {:<10} {:<16} {}",
                            e.at.get(..10).unwrap_or(&e.at),
                            e.operator,
                            e.action,
                            crate::domain::audit::summary(&e.action, &e.detail)
                        ),
                    },
                )],
                w,
            );
            if cursor.offset + i == cursor.selected {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    let title = "History — Enter shows an event in full";
    f.render_widget(
        Paragraph::new(events)
            .block(Block::new().title(fit_line(vec![Span::styled(title, theme.header())], w))),
        events_area,
    );
}

/// # VERDICT DATE FROM WHY; a narrow terminal drops DATE, then FROM.
const MESSAGE_COLUMNS: [Column; 5] = [
    Column::new("#", 5, 5, 0),
    Column::new("VERDICT", 11, 10, 1),
    Column::new("DATE", 10, 10, 4),
    Column::new("FROM", 24, 14, 3),
    Column::flex("WHY", 12, 2),
];
