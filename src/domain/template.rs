//! Mail templates: a `Subject:` line, a blank line, and a body, with `{placeholder}`s (`{{` and
//! `}}` for literal braces). Each kind of mail has a fixed set of placeholders; a template
//! naming any other is refused when it is loaded, never sent with a blank.
//!
//! Rendering fills the placeholders in and wraps each paragraph of prose with a line longer
//! than [`WIDTH`] columns (display width: a CJK character counts two, and Chinese breaks
//! between characters), so a long country or address never makes a line too long for a mail
//! reader. A paragraph whose lines fit, one indented in the template, one made of a single
//! placeholder, or one holding a value of several lines (a list of contacts, a signature) is
//! kept as it is. A mail in another language than
//! English is that language's text with the English text below it ([`bilingual`]).

use std::collections::BTreeMap;
use std::fmt;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::language::Language;

/// The column paragraphs of prose are wrapped at (RFC 5322 asks for at most 78).
pub const WIDTH: usize = 72;

/// The line between a mail's own language and the English text below it.
pub const ENGLISH_BELOW: &str =
    "----------------------------- English -----------------------------";

/// The mails tldops writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Invitation,
    Reminder,
    Escalation,
    Approval,
    Welcome,
    Rejection,
    Digest,
    /// The yearly re-confirmation request, and its reminders (DESIGN §8.4).
    Reconfirm,
    /// A request put to the admin contact for authorisation (DESIGN §8.1).
    Request,
    /// The notice to a member who asked to leave, copied to the admin contact (§8.2).
    Removal,
}

/// Placeholders every template may use.
const COMMON: &[&str] = &[
    "tld",
    "country",
    "list_name",
    "list_address",
    "secretariat",
    "signature",
    "date",
];

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Invitation,
        Kind::Reminder,
        Kind::Escalation,
        Kind::Approval,
        Kind::Welcome,
        Kind::Rejection,
        Kind::Digest,
        Kind::Reconfirm,
        Kind::Request,
        Kind::Removal,
    ];

    /// The template's file name without `.txt`, and the outbox's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::Reminder => "reminder",
            Kind::Escalation => "escalation",
            Kind::Approval => "approval",
            Kind::Welcome => "welcome",
            Kind::Rejection => "rejection",
            Kind::Digest => "digest",
            Kind::Reconfirm => "reconfirm",
            Kind::Request => "request",
            Kind::Removal => "removal",
        }
    }

    /// The placeholders this kind of mail fills in, besides the common ones.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Kind::Invitation => &["admin_name", "admin_email", "max_contacts"],
            Kind::Reminder => &[
                "admin_name",
                "admin_email",
                "max_contacts",
                "invited_on",
                "reminders_sent",
            ],
            Kind::Escalation => &[
                "admin_name",
                "admin_email",
                "max_contacts",
                "invited_on",
                "reminders_sent",
                "tech_name",
            ],
            Kind::Approval => &["admin_name", "admin_email", "contacts"],
            Kind::Welcome => &["admin_name", "contact_name", "contact_email"],
            Kind::Rejection => &["admin_name", "admin_email", "reason"],
            Kind::Digest => &["members", "member_count", "month", "log_head"],
            Kind::Reconfirm => &[
                "admin_name",
                "admin_email",
                "max_contacts",
                "contacts",
                "confirmed_on",
            ],
            Kind::Request => &[
                "admin_name",
                "admin_email",
                "max_contacts",
                "requesters",
                "contacts",
            ],
            Kind::Removal => &["admin_name", "admin_email", "contact_name", "contact_email"],
        }
    }

    fn allows(self, name: &str) -> bool {
        COMMON.contains(&name) || self.placeholders().contains(&name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A checked template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub kind: Kind,
    subject: String,
    body: String,
}

/// A part of template text.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits text into literal runs and placeholders; `{{`/`}}` are literal braces.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push(Piece::Text(&rest[..i]));
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Piece::Text("{"));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(Piece::Text("}"));
            rest = after;
        } else if tail.starts_with('}') {
            return Err("a lone `}` (write `}}` for a brace)".into());
        } else {
            let end = tail.find('}').ok_or("a `{` that is never closed")?;
            let name = &tail[1..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(format!("`{{{name}}}` is not a placeholder name"));
            }
            out.push(Piece::Placeholder(name));
            rest = &tail[end + 1..];
        }
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

impl Template {
    /// Checks template text for `kind`: the `Subject:` line, and that every placeholder is
    /// one this kind of mail fills in.
    pub fn parse(kind: Kind, text: &str) -> Result<Template, String> {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text
            .split_once("\n\n")
            .ok_or("no blank line between the Subject: line and the body")?;
        let subject = head
            .strip_prefix("Subject:")
            .ok_or("the first line must be `Subject: ...`")?
            .trim();
        if subject.contains('\n') {
            return Err("the subject must be one line".into());
        }
        for part in [subject, body] {
            for piece in pieces(part)? {
                if let Piece::Placeholder(name) = piece
                    && !kind.allows(name)
                {
                    let mut known: Vec<&str> = COMMON.to_vec();
                    known.extend(kind.placeholders());
                    return Err(format!(
                        "unknown placeholder {{{name}}} (a {kind} knows {})",
                        known
                            .iter()
                            .map(|k| format!("{{{k}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
        Ok(Template {
            kind,
            subject: subject.to_string(),
            body: body.trim_end().to_string() + "\n",
        })
    }

    /// Fills in the placeholders, and wraps the paragraphs of prose at [`WIDTH`]. Every
    /// value the kind promises must be given.
    pub fn render(&self, values: &BTreeMap<&str, String>) -> Result<(String, String), String> {
        let value = |name: &str| {
            values
                .get(name)
                .ok_or_else(|| format!("{}: no value for {{{name}}}", self.kind))
        };
        let fill = |text: &str| -> Result<String, String> {
            let mut out = String::with_capacity(text.len());
            for piece in pieces(text)? {
                match piece {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Placeholder(name) => out.push_str(value(name)?),
                }
            }
            Ok(out)
        };
        let subject = fill(&self.subject)?;
        let mut paragraphs = Vec::new();
        for paragraph in self.body.trim_end().split("\n\n") {
            let parts = pieces(paragraph)?;
            let lone = matches!(
                parts.as_slice(),
                [Piece::Text(""), Piece::Placeholder(_), Piece::Text("")]
            );
            let mut multi_line = false;
            for piece in &parts {
                if let Piece::Placeholder(name) = piece {
                    multi_line |= value(name)?.trim_end().contains('\n');
                }
            }
            let indented = paragraph.lines().any(|l| l.starts_with([' ', '\t']));
            let filled = fill(paragraph)?;
            let fits = filled.lines().all(|l| l.width() <= WIDTH);
            paragraphs.push(if fits || lone || multi_line || indented {
                filled
            } else {
                wrap(&filled, WIDTH)
            });
        }
        Ok((subject, paragraphs.join("\n\n") + "\n"))
    }
}

/// A mail in `local`'s language with the English text below it; the subject says both.
pub fn bilingual(local: (String, String), english: (String, String)) -> (String, String) {
    let subject = format!("{} / {}", local.0, english.0);
    let body = format!("{}\n{ENGLISH_BELOW}\n\n{}", local.1, english.1);
    (subject, body)
}

/// Whether a line may not start with `c` (closing punctuation, Latin and CJK).
fn no_break_before(c: char) -> bool {
    ",.;:!?)]}%，。、；：？！）》」』】〕”’".contains(c)
}

/// Whether a line may not end with `c` (opening punctuation).
fn no_break_after(c: char) -> bool {
    "([{（《「『【〔“‘".contains(c)
}

fn wide(c: char) -> bool {
    c.width() == Some(2)
}

/// `text` as lines of at most `width` columns, broken at spaces and between CJK characters;
/// the template's own line breaks are undone first (a break between two CJK characters
/// joins them without a space). A word longer than `width` (an address) has a line of its own.
pub fn wrap(text: &str, width: usize) -> String {
    let mut joined = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if i > 0 && !line.is_empty() {
            let cjk_join =
                joined.chars().last().is_some_and(wide) && line.chars().next().is_some_and(wide);
            if !cjk_join && !joined.is_empty() {
                joined.push(' ');
            }
        }
        joined.push_str(line);
    }
    // Units that may not be split, each with whether a space comes before it.
    let mut units: Vec<(bool, String)> = Vec::new();
    for word in joined.split(' ').filter(|w| !w.is_empty()) {
        let mut unit = String::new();
        let mut prev: Option<char> = None;
        let mut first = true;
        for c in word.chars() {
            if let Some(p) = prev
                && (wide(p) || wide(c))
                && !no_break_before(c)
                && !no_break_after(p)
            {
                units.push((first, std::mem::take(&mut unit)));
                first = false;
            }
            unit.push(c);
            prev = Some(c);
        }
        units.push((first, unit));
    }
    let mut out = String::with_capacity(joined.len() + joined.len() / width);
    let mut line_width = 0;
    for (space, unit) in units {
        let w = unit.width();
        let gap = usize::from(space && line_width > 0);
        if line_width > 0 && line_width + gap + w > width {
            out.push('\n');
            line_width = 0;
        } else if gap == 1 {
            out.push(' ');
            line_width += 1;
        }
        out.push_str(&unit);
        line_width += w;
    }
    out
}

/// The translations shipped in `assets/templates/<language>/`, compiled in; `None` for
/// English (that is [`bundled`]) and for the digest, which goes to the whole list in English.
pub fn bundled_in(kind: Kind, language: Language) -> Option<&'static str> {
    macro_rules! language {
        ($dir:literal) => {
            match kind {
                Kind::Invitation => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/invitation.txt"
                ))),
                Kind::Reminder => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/reminder.txt"
                ))),
                Kind::Escalation => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/escalation.txt"
                ))),
                Kind::Approval => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/approval.txt"
                ))),
                Kind::Welcome => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/welcome.txt"
                ))),
                Kind::Rejection => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/rejection.txt"
                ))),
                Kind::Reconfirm => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/reconfirm.txt"
                ))),
                Kind::Request => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/request.txt"
                ))),
                Kind::Removal => Some(include_str!(concat!(
                    "../../assets/templates/",
                    $dir,
                    "/removal.txt"
                ))),
                Kind::Digest => None,
            }
        };
    }
    match language {
        Language::En => None,
        Language::Fr => language!("fr"),
        Language::Es => language!("es"),
        Language::Ar => language!("ar"),
        Language::Ru => language!("ru"),
        Language::Zh => language!("zh"),
    }
}

/// The templates shipped in `assets/templates/`, compiled in so the binary works anywhere.
pub fn bundled(kind: Kind) -> &'static str {
    match kind {
        Kind::Invitation => include_str!("../../assets/templates/invitation.txt"),
        Kind::Reminder => include_str!("../../assets/templates/reminder.txt"),
        Kind::Escalation => include_str!("../../assets/templates/escalation.txt"),
        Kind::Approval => include_str!("../../assets/templates/approval.txt"),
        Kind::Welcome => include_str!("../../assets/templates/welcome.txt"),
        Kind::Rejection => include_str!("../../assets/templates/rejection.txt"),
        Kind::Digest => include_str!("../../assets/templates/digest.txt"),
        Kind::Removal => include_str!("../../assets/templates/removal.txt"),
        Kind::Request => include_str!("../../assets/templates/request.txt"),
        Kind::Reconfirm => include_str!("../../assets/templates/reconfirm.txt"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_templates_are_valid() {
        for kind in Kind::ALL {
            let text = crate::domain::template::bundled(kind);
            Template::parse(kind, text).unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
    }

    #[test]
    fn unknown_placeholders_are_refused_at_load() {
        let err =
            Template::parse(Kind::Rejection, "Subject: x\n\nDear {admin_nmae},\n").unwrap_err();
        assert!(
            err.starts_with("unknown placeholder {admin_nmae} (a rejection knows"),
            "{err}"
        );
        assert!(Template::parse(Kind::Invitation, "Subject: {reason}\n\nx").is_err());
        assert!(Template::parse(Kind::Invitation, "no subject\n\nx").is_err());
        assert!(Template::parse(Kind::Invitation, "Subject: x\n\n{unclosed").is_err());
    }

    #[test]
    fn renders_with_literal_braces() {
        let t = Template::parse(
            Kind::Rejection,
            "Subject: About {tld}\n\n{{not a placeholder}} {reason}\n",
        )
        .unwrap();
        let values = BTreeMap::from([
            ("tld", ".nl".to_string()),
            ("reason", "no admin copy".to_string()),
        ]);
        let (subject, body) = t.render(&values).unwrap();
        assert_eq!(subject, "About .nl");
        assert_eq!(body, "{not a placeholder} no admin copy\n");
        assert!(
            t.render(&BTreeMap::new())
                .unwrap_err()
                .contains("no value for {tld}")
        );
    }
}
