//! One event of the audit log in full: who, when, which TLD, what, and every field of its
//! detail on a line of its own (nested fields as `a.b`, lists one item a line), wrapped — not
//! raw JSON cut at the edge. Scrolls like a message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

use super::fit::wrap;
use super::tld_label;
use crate::domain::message::sanitize;
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, theme: Theme) {
    let Some(e) = &s.event else {
        f.render_widget(Paragraph::new("  no event"), area);
        return;
    };
    let label = |name: &str| Span::styled(format!("{name:<10}"), theme.header());
    let mut lines = vec![
        Line::from(vec![
            label("event"),
            Span::styled(format!("#{} {}", e.id, e.action), theme.title()),
        ]),
        Line::from(vec![
            label("at"),
            Span::raw(e.at.replace('T', " ").replace('Z', " UTC")),
        ]),
        Line::from(vec![label("operator"), Span::raw(e.operator.clone())]),
        Line::from(vec![
            label("TLD"),
            Span::raw(e.tld.as_deref().map_or("-".into(), tld_label)),
        ]),
    ];
    let fields = fields(&e.detail);
    let width = fields
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    lines.push(Line::from(Span::styled(
        "── detail ──".to_string(),
        theme.dim(),
    )));
    // Values wrap under themselves, not back at the left edge where the names are.
    let room = (area.width as usize).saturating_sub(width + 2).max(20);
    for (key, value) in fields {
        let mut value_lines = value.lines().flat_map(|l| {
            let wrapped = wrap(l, room);
            if wrapped.is_empty() {
                vec![String::new()]
            } else {
                wrapped
            }
        });
        lines.push(Line::from(vec![
            Span::styled(format!("{key:<width$}  "), theme.header()),
            Span::raw(value_lines.next().unwrap_or_default()),
        ]));
        for more in value_lines {
            lines.push(Line::from(format!("{:width$}  {more}", "")));
        }
    }
    if !e.hash.is_empty() {
        lines.push(Line::from(Span::styled(
            "── hash ──".to_string(),
            theme.dim(),
        )));
        lines.push(Line::from(vec![label("this"), Span::raw(e.hash.clone())]));
        lines.push(Line::from(vec![
            label("after"),
            Span::raw(e.prev_hash.clone()),
        ]));
    }
    let p = Paragraph::new(lines).wrap(Wrap { trim: false });
    let scroll = super::clamp_scroll(s, &p, area, s.event_scroll);
    f.render_widget(p.scroll((scroll, 0)), area);
}

/// The fields of an event's detail, in order, each value sanitised (details quote mail):
/// `{"a": 1, "b": {"c": "x"}, "d": ["y", "z"]}` → `a 1`, `b.c x`, `d y\nz`. Detail that is
/// not a JSON object is one field, `detail`.
pub fn fields(detail: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(detail) {
        Ok(Value::Object(map)) => {
            for (k, v) in map {
                flatten(&k, &v, &mut out);
            }
        }
        Ok(other) => flatten("detail", &other, &mut out),
        Err(_) => out.push(("detail".into(), sanitize(detail, true))),
    }
    out
}

fn flatten(key: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) if map.is_empty() => out.push((key.into(), "{}".into())),
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{key}.{k}"), v, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let text: Vec<String> = items.iter().map(scalar).collect();
            let text = if text.is_empty() {
                "(none)".to_string()
            } else {
                text.join("\n")
            };
            out.push((key.into(), text));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{key}[{i}]"), item, out);
            }
        }
        other => out.push((key.into(), scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => sanitize(s, true),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_fields_flatten_nested_objects_and_lists() {
        let got = fields(
            r#"{"from":"invited","message":11,"contacts":[{"email":"a@x.example","name":"Ann"}],"authentication_results":["mx; dkim=pass","mx; spf=pass"],"reason":"no\u001b[31m colour","empty":[]}"#,
        );
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("authentication_results", "mx; dkim=pass\nmx; spf=pass"),
                ("contacts[0].email", "a@x.example"),
                ("contacts[0].name", "Ann"),
                ("empty", "(none)"),
                ("from", "invited"),
                ("message", "11"),
                ("reason", "no colour"),
            ]
        );
        assert_eq!(
            fields("not json"),
            [("detail".to_string(), "not json".to_string())]
        );
    }
}
