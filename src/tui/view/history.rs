//! A case's history in words: the events of requests and re-confirmations (DESIGN §8) say
//! what happened — who asked what, which reminder went out, what was confirmed — instead of
//! their raw detail. Other events keep their detail; Enter shows any event in full. Pure.

use serde_json::Value;

use crate::domain::message::sanitize;

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

#[cfg(test)]
mod tests {
    use super::words;

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
}
