//! The mail templates in use: the bundled ones (`assets/templates/` in English,
//! `assets/templates/<language>/` translated), each replaceable by a file of the same name in
//! the `templates/` folder next to the config file (`templates/fr/invitation.txt` …).

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::ConfigError;
use crate::domain::language::Language;
use crate::domain::template::{Kind, Template, bilingual, bundled, bundled_in};

/// The IANA record's own name for its admin contact (a role such as "NIC (Malta)
/// Administrative Contact", or the address when it has none), passed when it names no person.
pub const ADMIN_RECORD: &str = "admin_record";

#[derive(Clone, Debug)]
pub struct Templates {
    by_kind: BTreeMap<(Kind, Language), Template>,
}

impl Templates {
    /// The bundled templates only.
    pub fn bundled() -> Templates {
        let mut by_kind = BTreeMap::new();
        for kind in Kind::ALL {
            let english =
                Template::parse(kind, bundled(kind)).expect("bundled templates are tested");
            by_kind.insert((kind, Language::En), english);
            for language in Language::ALL {
                if let Some(text) = bundled_in(kind, language) {
                    let t = Template::parse(kind, text).expect("bundled templates are tested");
                    by_kind.insert((kind, language), t);
                }
            }
        }
        Templates { by_kind }
    }

    /// The bundled templates, overridden by `dir/<kind>.txt` (English) and
    /// `dir/<language>/<kind>.txt` where such a file exists. A bad override is an error naming
    /// the file, so no mail is ever sent from it.
    pub fn load(dir: &Path) -> Result<Templates, ConfigError> {
        let mut t = Templates::bundled();
        for (kind, language) in Kind::ALL
            .into_iter()
            .flat_map(|k| Language::ALL.into_iter().map(move |l| (k, l)))
        {
            let file = match language {
                Language::En => dir.join(format!("{}.txt", kind.name())),
                l => dir.join(l.as_str()).join(format!("{}.txt", kind.name())),
            };
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(ConfigError::plain(format!(
                        "template {}: {e}",
                        file.display()
                    )));
                }
            };
            let template = Template::parse(kind, &text)
                .map_err(|e| ConfigError::plain(format!("template {}: {e}", file.display())))?;
            t.by_kind.insert((kind, language), template);
        }
        Ok(t)
    }

    /// The English template.
    pub fn get(&self, kind: Kind) -> &Template {
        &self.by_kind[&(kind, Language::En)]
    }

    /// The template in `language`, if there is one (the digest is English only).
    pub fn get_in(&self, kind: Kind, language: Language) -> Option<&Template> {
        self.by_kind.get(&(kind, language))
    }

    /// The mail of `kind` in `language`: (subject, body), with the English text below any
    /// other language's (see [`bilingual`]); English alone where there is no translation.
    /// Without an `admin_name` (the IANA record names no person) a mail that greets the
    /// admin contact greets a colleague in each text's own language ([`Language::colleague`]);
    /// one that names them to someone else (the welcome, the removal notice) names them as the
    /// IANA record does ([`ADMIN_RECORD`]).
    pub fn render(
        &self,
        kind: Kind,
        language: Language,
        values: &BTreeMap<&str, String>,
    ) -> Result<(String, String), String> {
        let in_language = |l: Language| {
            let mut v = values.clone();
            if !v.contains_key("admin_name") {
                let named = match kind {
                    Kind::Welcome | Kind::Removal => values.get(ADMIN_RECORD).cloned(),
                    _ => None,
                };
                v.insert(
                    "admin_name",
                    named.unwrap_or_else(|| l.colleague().to_string()),
                );
            }
            v
        };
        let english = self.get(kind).render(&in_language(Language::En))?;
        match self.get_in(kind, language) {
            Some(local) if language != Language::En => {
                Ok(bilingual(local.render(&in_language(language))?, english))
            }
            _ => Ok(english),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rejection.txt"),
            "Subject: No\n\n{reason}\n",
        )
        .unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let values = BTreeMap::from([("reason", "because".to_string())]);
        assert_eq!(t.get(Kind::Rejection).render(&values).unwrap().0, "No");
        std::fs::write(dir.path().join("welcome.txt"), "Subject: Hi {nmae}\n\nx\n").unwrap();
        let err = Templates::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("welcome.txt: unknown placeholder {nmae}"),
            "{err}"
        );
    }

    /// An IANA record with no person's name: each language greets a colleague in its own
    /// words, the English text below in English.
    #[test]
    fn a_mail_without_a_personal_name_greets_a_colleague_in_its_language() {
        let t = Templates::bundled();
        let mut values = values();
        values.remove("admin_name");
        values.insert(ADMIN_RECORD, "NIC (Malta) Administrative Contact".into());
        let greeting = |language: Language| {
            let (_, body) = t.render(Kind::Invitation, language, &values).unwrap();
            body.lines().next().unwrap_or_default().to_string()
        };
        assert_eq!(greeting(Language::En), "Dear colleague,");
        assert_eq!(greeting(Language::Fr), "Bonjour Madame, Monsieur,");
        assert_eq!(greeting(Language::Es), "Estimado/a colega:");
        assert_eq!(greeting(Language::Ru), "Уважаемый(-ая) коллега!");
        assert_eq!(greeting(Language::Zh), "尊敬的 同事：");
        for language in Language::ALL {
            for kind in Kind::ALL {
                let (_, body) = t.render(kind, language, &values).unwrap();
                let (local, english) = body.split_once(ENGLISH_BELOW).unwrap_or((&body, ""));
                assert!(
                    language == Language::En || !local.contains("colleague"),
                    "{kind} in {language}: {local}"
                );
                assert!(
                    !english.contains(language.colleague()) || language == Language::En,
                    "{kind} in {language}: the English text greets in English"
                );
            }
        }
        // Named to someone else, the admin contact is who the IANA record says, not a
        // "colleague" (no "Madame, Monsieur, contact administratif IANA de .fr, vous a désigné").
        let (_, welcome) = t.render(Kind::Welcome, Language::Fr, &values).unwrap();
        assert!(
            welcome.contains("NIC (Malta) Administrative Contact, contact administratif IANA"),
            "{welcome}"
        );
        assert!(!welcome.contains("Madame, Monsieur"), "{welcome}");
        let (_, removal) = t.render(Kind::Removal, Language::En, &values).unwrap();
        assert!(
            removal.contains("(NIC (Malta) Administrative Contact,"),
            "{removal}"
        );
    }

    use crate::domain::template::{ENGLISH_BELOW, WIDTH};
    use crate::outgoing::compose::{Draft, build};
    use unicode_width::UnicodeWidthStr;

    /// Values as long as real ones get: an IDN ccTLD, a long country, long addresses.
    fn values() -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("tld", ".امارات (xn--mgbaam7a8h)".to_string()),
            ("country", "Saint Vincent and the Grenadines".to_string()),
            ("list_name", "TLD-OPS".to_string()),
            ("list_address", "tld-ops@lists.ccnso.example.org".to_string()),
            ("secretariat", "secretariat@ccnso.example.org".to_string()),
            ("signature", "TLD-OPS Secretariat\nccNSO Secretariat".to_string()),
            ("date", "2026-03-04".to_string()),
            ("admin_name", "Fatima Al Mansoori-Al Hashimi".to_string()),
            ("admin_email", "iana-administrative-contact@registry.example".to_string()),
            ("max_contacts", "3".to_string()),
            ("invited_on", "2026-02-18".to_string()),
            ("reminders_sent", "2".to_string()),
            ("tech_name", "Omar Abdulrahman Al Hashimi".to_string()),
            ("contacts", "  Jan Jansen <jan@sidn.example>, +31 26 352 5511\n  Piet Pieters <piet@sidn.example>".to_string()),
            ("contact_name", "Jan Jansen".to_string()),
            ("contact_email", "jan@sidn.example".to_string()),
            ("reason", "The reply neither came from nor copied the IANA administrative address.".to_string()),
            ("members", ".nl  Netherlands\n  Jan Jansen <jan@sidn.example>".to_string()),
            ("member_count", "1".to_string()),
            ("month", "2026-03".to_string()),
            ("log_head", "9f2c".repeat(16)),
            ("confirmed_on", "2025-03-04".to_string()),
            ("requesters", "  Jan Jansen <jan@sidn.example> asks to join (message of 2026-03-01)".to_string()),
        ])
    }

    /// `{name}`s of a template text, sorted.
    fn placeholders(text: &str) -> Vec<String> {
        let mut out: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether a line longer than the limit has nowhere to break: one word, no CJK.
    fn unbreakable(line: &str) -> bool {
        !line.trim().contains(' ')
            && line.chars().all(|c| {
                c.len_utf8() < 3 || c.is_alphabetic() && !('\u{3000}'..'\u{9fff}').contains(&c)
            })
    }

    #[test]
    fn every_template_renders_in_every_language_and_travels_intact() {
        let t = Templates::bundled();
        let values = values();
        for kind in Kind::ALL {
            let english_source = bundled(kind);
            for language in Language::ALL {
                let what = format!("{kind} in {language}");
                // Complete: each translation names what the English names, nothing less.
                if let Some(source) = bundled_in(kind, language) {
                    assert_eq!(placeholders(source), placeholders(english_source), "{what}");
                } else {
                    assert!(
                        language == Language::En || kind == Kind::Digest,
                        "{what} is missing"
                    );
                }
                let (subject, body) = t.render(kind, language, &values).unwrap();
                assert!(
                    !subject.contains('{') && !body.contains("{"),
                    "{what}: {body}"
                );
                let english = t.get(kind).render(&values).unwrap();
                if language == Language::En || kind == Kind::Digest {
                    assert_eq!((&subject, &body), (&english.0, &english.1), "{what}");
                } else {
                    // The English text below the language's own, the subject in both.
                    let (local, below) = body.split_once(ENGLISH_BELOW).unwrap();
                    assert_eq!(below.trim_start_matches('\n'), english.1, "{what}");
                    assert!(subject.ends_with(&format!(" / {}", english.0)), "{what}");
                    assert!(
                        local.contains(&values["admin_email"]) || kind == Kind::Welcome,
                        "{what}"
                    );
                    assert!(
                        local.contains("ccTLD") || local.contains("IANA") || kind == Kind::Approval,
                        "{what}"
                    );
                }
                // Reply instructions: every mail asking for an answer names the admin address.
                if matches!(
                    kind,
                    Kind::Invitation
                        | Kind::Reminder
                        | Kind::Escalation
                        | Kind::Reconfirm
                        | Kind::Request
                ) {
                    assert!(
                        body.matches(values["admin_email"].as_str()).count()
                            >= 2 - usize::from(language == Language::En),
                        "{what}"
                    );
                }
                for line in body.lines() {
                    assert!(
                        line.width() <= 78 || unbreakable(line),
                        "{what}: {} columns: {line:?}",
                        line.width()
                    );
                }
                // As a mail: the tag at the head of the subject, UTF-8 encoded for transport,
                // every line of the message within 78 octets, and the text back unchanged.
                let tagged = format!("[TLD-OPS .ae #k3x9] {subject}");
                let raw = build(&Draft {
                    from: "secretariat@ccnso.example.org".into(),
                    from_name: "TLD-OPS Secretariat".into(),
                    to: vec!["admin@registry.example".into()],
                    cc: vec![],
                    subject: tagged.clone(),
                    body: body.clone(),
                    message_id: "invitation.ae.1@ccnso.example.org".into(),
                    in_reply_to: None,
                    auto_submitted: true,
                })
                .unwrap();
                let text = String::from_utf8(raw.clone()).unwrap();
                let (head, encoded) = text.split_once("\r\n\r\n").unwrap();
                assert!(raw.is_ascii(), "{what}: 8-bit bytes on the wire");
                assert!(
                    head.contains("Content-Type: text/plain; charset=utf-8"),
                    "{what}: {head}"
                );
                if !body.is_ascii() {
                    assert!(
                        head.contains("Content-Transfer-Encoding: base64")
                            || head.contains("Content-Transfer-Encoding: quoted-printable"),
                        "{what}: {head}"
                    );
                }
                for line in text.split("\r\n") {
                    assert!(line.len() <= 78, "{what}: {line:?}");
                }
                assert!(!encoded.is_empty());
                let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
                assert_eq!(parsed.subject(), Some(tagged.as_str()), "{what}");
                assert!(
                    parsed
                        .subject()
                        .unwrap()
                        .starts_with("[TLD-OPS .ae #k3x9] ")
                );
                assert_eq!(
                    parsed.body_text(0).unwrap().replace("\r\n", "\n"),
                    body,
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn prose_wraps_at_the_width_and_keeps_lists_and_signatures() {
        let t = Templates::bundled();
        let (_, body) = t.render(Kind::Invitation, Language::Zh, &values()).unwrap();
        let chinese = body.split(ENGLISH_BELOW).next().unwrap();
        assert!(chinese.lines().any(|l| l.width() > WIDTH - 6), "{chinese}");
        assert!(chinese.lines().all(|l| l.width() <= WIDTH), "{chinese}");
        // Never a line starting with closing punctuation.
        assert!(
            chinese
                .lines()
                .all(|l| !l.starts_with(['，', '。', '）', '：'])),
            "{chinese}"
        );
        assert!(
            chinese.ends_with("此致\n敬礼\nTLD-OPS Secretariat\nccNSO Secretariat\n\n"),
            "{chinese:?}"
        );
        let (_, body) = t.render(Kind::Approval, Language::Ar, &values()).unwrap();
        assert!(body.contains("\n\n  Jan Jansen <jan@sidn.example>, +31 26 352 5511\n  Piet Pieters <piet@sidn.example>\n\n"), "{body}");
    }

    #[test]
    fn a_translation_can_be_overridden_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("fr")).unwrap();
        std::fs::write(
            dir.path().join("fr/rejection.txt"),
            "Subject: Non\n\n{reason}\n",
        )
        .unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let values = BTreeMap::from([
            ("reason", "parce que".to_string()),
            ("tld", ".fr".to_string()),
            ("admin_name", "A".to_string()),
            ("admin_email", "a@b.example".to_string()),
            ("list_name", "TLD-OPS".to_string()),
            ("signature", "S".to_string()),
        ]);
        let (subject, body) = t.render(Kind::Rejection, Language::Fr, &values).unwrap();
        assert!(subject.starts_with("Non / "), "{subject}");
        assert!(body.starts_with("parce que\n"), "{body}");
        std::fs::write(dir.path().join("fr/welcome.txt"), "Subject: {nom}\n\nx\n").unwrap();
        let err = Templates::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("fr/welcome.txt: unknown placeholder {nom}"),
            "{err}"
        );
    }
}
