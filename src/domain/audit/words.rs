//! Events told in words. In a case's history the events of requests and re-confirmations
//! (DESIGN §8) say what happened — who asked what, which reminder went out, what was
//! confirmed — in place of their action; every other event's detail is summed up in words,
//! its most telling fields first, in the TUI's log and history and `tldops log` alike (never
//! raw JSON cut at the edge); its fields one by one for an event shown in full. Pure; every
//! value from a detail is sanitised (details quote mail).

use serde_json::Value;

use crate::domain::message::sanitize;
use crate::domain::plural;

/// The words for an event's `detail` (JSON), or `None` to show the detail as it is.
pub fn words(action: &str, detail: &str) -> Option<String> {
    let d: Value = serde_json::from_str(detail).ok()?;
    let text = |v: &Value| v.as_str().map(|s| sanitize(s, false));
    let list = |v: &Value| {
        v.as_array()
            .map(|a| a.iter().filter_map(text).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let message = |v: &Value| v.as_i64().map_or(String::new(), |n| format!(" (#{n})"));
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    Some(match action {
        "asked" => {
            let mut what = Vec::new();
            if !list(&d["added"]).is_empty() {
                what.push(format!("add {}", list(&d["added"])));
            }
            if !list(&d["removed"]).is_empty() {
                what.push(format!("remove {}", list(&d["removed"])));
            }
            let requests: Vec<String> = d["messages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_i64)
                .map(|n| format!("#{n}"))
                .collect();
            format!(
                "admin asked to authorise {}: {}",
                requests.join(", "),
                what.join("; ")
            )
        }
        "request_reminded" => format!(
            "request reminder {}{}",
            n(&d["reminder"]),
            if d["escalated_to_tech"].as_bool() == Some(true) {
                " (cc tech)"
            } else {
                ""
            }
        ),
        "request_answered" => format!(
            "the admin answered the request{}: proposed {}",
            message(&d["message"]),
            list(&d["proposed"])
        ),
        "request_dismissed" => format!(
            "request{} from {} dismissed{}",
            d["message"]
                .as_i64()
                .map_or(String::new(), |n| format!(" #{n}")),
            text(&d["from"]).unwrap_or_else(|| "?".into()),
            text(&d["reason"]).map_or(String::new(), |r| format!(": {r}"))
        ),
        "reconfirm_requested" => format!(
            "re-confirmation asked ({}): {}",
            crate::domain::plural(d["contacts"].as_array().map_or(0, Vec::len), "contact"),
            text(&d["why"]).unwrap_or_default()
        ),
        "reconfirm_reminded" => format!("re-confirmation reminder {}", n(&d["reminder"])),
        "confirmed" => format!(
            "contacts confirmed{}: {}",
            message(&d["evidence"]["message"]),
            list(&d["contacts"])
        ),
        "contact_removed" if d["requested_by_member"].as_bool() == Some(true) => format!(
            "{} left on request{}",
            text(&d["email"]).unwrap_or_default(),
            message(&d["message"])
        ),
        "admin_changed" => format!(
            "IANA admin {} → {}{}",
            text(&d["old"]).unwrap_or_default(),
            text(&d["new"]).unwrap_or_default(),
            if d["reconfirm_due"].as_bool() == Some(true) {
                ": re-confirmation due"
            } else {
                ""
            }
        ),
        _ => return None,
    })
}

/// An event's detail in one short line of words, the most telling fields first: `invited →
/// answered, message #4`, `2 contacts: a@x, b@y`, `#12 admin_from from a@x`; an action
/// without words of its own shows its fields as `key value · key value`. Every value from
/// the detail is sanitised (it quotes mail); no braces or quotes are left.
pub fn summary(action: &str, detail: &str) -> String {
    if let Some(words) = words(action, detail) {
        return words;
    }
    let told = serde_json::from_str::<Value>(detail)
        .ok()
        .filter(Value::is_object)
        .map(|d| told(action, &d))
        .unwrap_or_default();
    if !told.chars().any(char::is_alphanumeric) {
        fields(detail)
    } else {
        told
    }
}

/// The words for an action's detail `d`; empty when the action has none (or its fields are
/// missing, as in an older event).
fn told(action: &str, d: &Value) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => sanitize(s, false),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(text)
            .filter(|t| !t.is_empty())
            .collect()
    };
    // ` (label value)`-style pieces that show only when their field has something to say.
    let some = |before: &str, v: &Value, after: &str| {
        let t = text(v);
        if t.is_empty() {
            String::new()
        } else {
            format!("{before}{t}{after}")
        }
    };
    let number = |v: &Value| some("#", v, "");
    let yes = |v: &Value| v.as_bool() == Some(true);
    match action {
        // case_answered, case_bounced: the move the message made.
        a if a.starts_with("case_") => format!(
            "{} → {}{}",
            text(&d["from"]),
            text(&d["to"]),
            some(", message #", &d["message"], "")
        ),
        "message_received" => format!(
            "{} {}{}",
            number(&d["message"]),
            text(&d["verdict"]),
            some(" from ", &d["from"], "")
        ),
        "message_assigned" => format!(
            "{} {} → {}",
            number(&d["message"]),
            text(&d["was"]),
            text(&d["verdict"])
        ),
        "invited" => format!(
            "{}{}",
            some("to ", &d["to"], ""),
            if yes(&d["again"]) { " (again)" } else { "" }
        ),
        "reminded" => format!(
            "reminder {}{}",
            text(&d["reminder"]),
            if yes(&d["escalated_to_tech"]) {
                " (cc tech)"
            } else {
                ""
            }
        ),
        "approved" => {
            let contacts = texts(&d["contacts"]);
            let replaced = texts(&d["replaced"]);
            format!(
                "{}: {}{}{}{}",
                plural(contacts.len(), "contact"),
                contacts.join(", "),
                if replaced.is_empty() {
                    String::new()
                } else {
                    format!("; replaced {}", replaced.join(", "))
                },
                some(" (evidence #", &d["evidence"]["message"], ")"),
                some("; override: ", &d["override_reason"], "")
            )
        }
        "rejected" => some("reason: ", &d["reason"], ""),
        "contacts_set" => {
            let contacts = texts(&d["contacts"]);
            format!(
                "{}: {}",
                plural(contacts.len(), "contact"),
                contacts.join("; ")
            )
        }
        "subscribed" | "unsubscribed" => format!(
            "{}{}{}",
            text(&d["email"]),
            some(" via ", &d["via"], ""),
            if yes(&d["already"]) {
                " (already there)"
            } else {
                ""
            }
        ),
        "members_backend_failed" => format!(
            "{} {}{}",
            if yes(&d["subscribe"]) {
                "subscribing"
            } else {
                "removing"
            },
            text(&d["email"]),
            some(": ", &d["error"], "")
        ),
        "member_updated" => format!(
            "{}{}{}",
            text(&d["email"]),
            some(": ", &d["name"], ""),
            some(", ", &d["phone"], "")
        ),
        "contact_removed" => format!("{}{}", text(&d["email"]), some(": ", &d["reason"], "")),
        "tld_added" => format!(
            "{}{}{}",
            text(&d["country"]),
            some(", ", &d["region"], ""),
            some("; admin ", &d["admin"], "")
        ),
        "tld_retired" => format!("retired{}", some(" (", &d["source"], ")")),
        "tld_updated" => texts(&d["changes"]).join("; "),
        "tech_changed" => format!("IANA tech {} → {}", text(&d["old"]), text(&d["new"])),
        "roster_import" => {
            let counts: Vec<String> = [
                ("added", "added"),
                ("retired", "retired"),
                ("admin_changed", "admin changed"),
                ("tech_changed", "tech changed"),
                ("updated", "updated"),
                ("unchanged", "unchanged"),
            ]
            .iter()
            .filter_map(|(key, words)| {
                d[*key]
                    .as_u64()
                    .filter(|&n| n > 0)
                    .map(|n| format!("{n} {words}"))
            })
            .collect();
            format!("{}: {}", text(&d["source"]), counts.join(", "))
        }
        "digest_queued" => plural(
            d["member_tlds"].as_u64().unwrap_or(0) as usize,
            "member ccTLD",
        ),
        "mail_failed" => format!("{}{}", text(&d["kind"]), some(": ", &d["error"], "")),
        _ => String::new(),
    }
}

/// Any detail as `key value · key value` (the event view's fields, lists joined by commas),
/// the Message-ID, rarely the telling part, last.
fn fields(detail: &str) -> String {
    let mut fields = event_fields(detail);
    fields.sort_by_key(|(key, _)| key.ends_with("message_id"));
    fields
        .iter()
        .map(|(key, value)| format!("{key} {}", value.replace('\n', ", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The fields of an event's detail, in order, each value sanitised (details quote mail):
/// `{"a": 1, "b": {"c": "x"}, "d": ["y", "z"]}` → `a 1`, `b.c x`, `d y\nz`. Detail that is
/// not a JSON object is one field, `detail`.
pub fn event_fields(detail: &str) -> Vec<(String, String)> {
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
    use super::{event_fields, summary, words};

    #[test]
    fn request_and_confirmation_events_read_as_words() {
        assert_eq!(
            words(
                "asked",
                r#"{"from":"approved","to":"approved","messages":[16],"added":["ann@x"],"removed":[],"admin":"admin@x"}"#
            )
            .unwrap(),
            "admin asked to authorise #16: add ann@x"
        );
        assert_eq!(
            words(
                "request_reminded",
                r#"{"reminder":3,"escalated_to_tech":true,"to":"admin@x"}"#
            )
            .unwrap(),
            "request reminder 3 (cc tech)"
        );
        assert_eq!(
            words(
                "request_dismissed",
                r#"{"message":16,"from":"spam@x","reason":"spam\u001b[2J"}"#
            )
            .unwrap(),
            "request #16 from spam@x dismissed: spam"
        );
        assert_eq!(
            words(
                "confirmed",
                r#"{"contacts":["jan@x"],"evidence":{"message":21}}"#
            )
            .unwrap(),
            "contacts confirmed (#21): jan@x"
        );
        assert_eq!(
            words("reconfirm_reminded", r#"{"reminder":1,"to":"admin@x"}"#).unwrap(),
            "re-confirmation reminder 1"
        );
        assert_eq!(words("invited", r#"{"to":"admin@x"}"#), None);
        assert_eq!(words("asked", "not json"), None);
    }

    #[test]
    fn every_event_is_summed_up_in_words_without_json() {
        assert_eq!(
            summary(
                "case_answered",
                r#"{"from":"invited","to":"answered","message":4,"message_id":"a@b","why":"From is the admin"}"#
            ),
            "invited → answered, message #4"
        );
        assert_eq!(
            summary(
                "approved",
                r#"{"contacts":["a@x","b@y"],"replaced":[],"evidence":{"message":4},"override_reason":null,"mails":["m@x"]}"#
            ),
            "2 contacts: a@x, b@y (evidence #4)"
        );
        assert_eq!(
            summary(
                "message_received",
                r#"{"authentication_results":["mx; dkim=pass"],"message":12,"verdict":"admin_from","from":"admin@x","contacts":2}"#
            ),
            "#12 admin_from from admin@x"
        );
        assert_eq!(
            summary(
                "invited",
                r#"{"to":"admin@x","again":true,"message_id":"i@x"}"#
            ),
            "to admin@x (again)"
        );
        assert_eq!(
            summary(
                "roster_import",
                r#"{"source":"iana","added":0,"retired":1,"admin_changed":1,"unchanged":250}"#
            ),
            "iana: 1 retired, 1 admin changed, 250 unchanged"
        );
        // Words of its own come first (the history's request events).
        assert_eq!(
            summary("reconfirm_reminded", r#"{"reminder":1}"#),
            "re-confirmation reminder 1"
        );
        // Mail's hostile text is sanitised: no escape, no line break, no bidi override.
        let hostile = summary(
            "rejected",
            r#"{"reason":"no\u001b[2J\nthanks \u202egnp.exe","message_id":"r@x"}"#,
        );
        assert!(
            !hostile.contains(['\u{1b}', '\n', '\u{202e}']),
            "{hostile:?}"
        );
        assert!(hostile.starts_with("reason: no"), "{hostile}");
        // An action without words of its own: its fields, no braces or quotes, Message-ID last.
        assert_eq!(
            summary(
                "frobnicated",
                r#"{"message_id":"x@y","who":"ann\u0007","items":["a","b"],"n":{"deep":1}}"#
            ),
            "items a, b · n.deep 1 · who ann · message_id x@y"
        );
        assert_eq!(summary("frobnicated", "not json"), "detail not json");
        // Fields missing (an older event): its fields, not empty words.
        assert_eq!(summary("invited", r#"{"note":"old"}"#), "note old");
    }

    #[test]
    fn detail_fields_flatten_nested_objects_and_lists() {
        let got = event_fields(
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
            event_fields("not json"),
            [("detail".to_string(), "not json".to_string())]
        );
    }
}
