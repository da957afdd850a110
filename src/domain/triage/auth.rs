//! `Authentication-Results` (RFC 8601), believed only from our own receiving server: anyone can
//! write the header, so only those stamped with the configured authserv-id count.

use crate::domain::message::Inbound;

/// The reason a message from an admin address fails authentication, if it does: `dmarc=fail`,
/// or both `dkim` and `spf` failing, in a header from the trusted authserv-id.
pub fn failure(msg: &Inbound, trusted: Option<&str>) -> Option<String> {
    let trusted = trusted?;
    msg.header_values("authentication-results")
        .find_map(|value| {
            let value = strip_comments(value);
            let mut parts = value.split(';');
            let authserv_id = parts.next()?.split_whitespace().next()?;
            if !authserv_id.eq_ignore_ascii_case(trusted) {
                return None;
            }
            let result = |method: &str| {
                value.split(';').skip(1).find_map(|r| {
                    let (m, res) = r.split_whitespace().next()?.split_once('=')?;
                    m.eq_ignore_ascii_case(method)
                        .then(|| res.to_ascii_lowercase())
                })
            };
            let dmarc = result("dmarc");
            let dkim = result("dkim");
            let spf = result("spf");
            if dmarc.as_deref() == Some("fail") {
                Some(format!("{trusted} reports dmarc=fail"))
            } else if dkim.as_deref() == Some("fail") && spf.as_deref() == Some("fail") {
                Some(format!("{trusted} reports dkim=fail and spf=fail"))
            } else {
                None
            }
        })
}

/// Removes `(comments)`, which may hold `;` and `=`.
fn strip_comments(value: &str) -> String {
    let mut depth = 0usize;
    value
        .chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' if depth > 0 => {
                    depth -= 1;
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(headers: &[&str]) -> Inbound {
        Inbound {
            headers: headers
                .iter()
                .map(|v| ("authentication-results".to_string(), v.to_string()))
                .collect(),
            ..Inbound::default()
        }
    }

    const MX: Option<&str> = Some("mx.ccnso.example.org");

    #[test]
    fn only_the_trusted_server_counts() {
        let forged = msg(&["mx.ccnso.example.org.evil.example; dmarc=fail"]);
        assert_eq!(failure(&forged, MX), None);
        let real = msg(&[
            "mx.ccnso.example.org.evil.example; dmarc=pass",
            "MX.ccnso.example.org; dkim=pass header.d=sidn.example; dmarc=fail (p=reject dis=none) header.from=sidn.example",
        ]);
        assert!(failure(&real, MX).unwrap().contains("dmarc=fail"));
        assert_eq!(
            failure(&real, None),
            None,
            "no trusted id configured: nothing is believed"
        );
    }

    #[test]
    fn dkim_and_spf_must_both_fail() {
        let both = msg(&[
            "mx.ccnso.example.org 1; dkim=fail (bad signature; x=y) header.i=@sidn.example; spf=fail smtp.mailfrom=sidn.example",
        ]);
        assert!(
            failure(&both, MX)
                .unwrap()
                .contains("dkim=fail and spf=fail")
        );
        let one = msg(&["mx.ccnso.example.org; dkim=fail; spf=softfail; dmarc=none"]);
        assert_eq!(failure(&one, MX), None);
        let pass = msg(&["mx.ccnso.example.org; dkim=pass; spf=pass; dmarc=pass"]);
        assert_eq!(failure(&pass, MX), None);
    }
}
