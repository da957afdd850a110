//! One case: the TLD and its IANA contacts, the state, the contacts, every message with its
//! verdict and why it matched, and the history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use super::{highlight, window};
use crate::tui::state::State;
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
    if let Some(at) = &case.invited_at {
        history.push(format!("invited {}", &at[..10.min(at.len())]));
    }
    if case.reminders > 0 {
        history.push(format!("{} reminder(s)", case.reminders));
    }
    if let (Some(by), Some(at)) = (&case.decided_by, &case.decided_at) {
        history.push(format!(
            "{} by {by} {}",
            case.state,
            &at[..10.min(at.len())]
        ));
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
    let contacts_height = (contacts.len() as u16 + 1).min(6);
    let [info_area, contacts_area, messages_area, events_area] = Layout::vertical([
        Constraint::Length(info.len() as u16),
        Constraint::Length(contacts_height),
        Constraint::Min(5),
        Constraint::Length(5),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(info), info_area);
    f.render_widget(
        Paragraph::new(contacts).block(
            Block::new().title(Span::styled("Contacts (e edit, a approve)", theme.header())),
        ),
        contacts_area,
    );

    let height = messages_area.height.saturating_sub(2) as usize;
    let rows: Vec<Row> = window(&c.messages, s.case_cursor.offset, height)
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let row = Row::new(vec![
                Cell::from(format!("#{}", m.id)),
                Cell::from(m.verdict.to_string()),
                Cell::from(
                    m.date
                        .as_deref()
                        .unwrap_or("")
                        .get(..10)
                        .unwrap_or("")
                        .to_string(),
                ),
                Cell::from(m.from.clone().unwrap_or_default()),
                Cell::from(m.why.clone()),
            ]);
            highlight(row, s.case_cursor, i, theme)
        })
        .collect();
    let title = format!(
        "Messages ({}) — Enter reads one; why each matched",
        c.messages.len()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Length(24),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(["#", "VERDICT", "DATE", "FROM", "WHY"]).style(theme.header()))
    .block(Block::new().title(Span::styled(title, theme.header())));
    f.render_widget(table, messages_area);

    let events: Vec<Line> = c
        .events
        .iter()
        .take(events_area.height.saturating_sub(1) as usize)
        .map(|e| {
            Line::from(format!(
                " {} {:<10} {:<16} {}",
                e.at.get(..10).unwrap_or(&e.at),
                e.operator,
                e.action,
                e.detail
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(events).block(Block::new().title(Span::styled("History", theme.header()))),
        events_area,
    );
}
