//! Whether a phrase is a person's (or a team's) name, and the name written just before an
//! address or in a table cell: capitalised words with their particles ("de", "van", "bin"),
//! any script without case, never a sentence or a role word. Shared by the field finder and
//! the signature reader (`quote`), which must agree on what a name is.

use super::labels::{EMAIL_LABELS, NAME_LABELS, PHONE_LABELS, strip_bullet};

/// Words that show a phrase is not a person's name.
const NOT_NAME: &[&str] = &[
    "contact",
    "contacts",
    "security",
    "stability",
    "email",
    "e-mail",
    "mail",
    "phone",
    "tel",
    "telephone",
    "mobile",
    "name",
    "our",
    "the",
    "is",
    "are",
    "and",
    "please",
    "dear",
    "regards",
    "for",
    "of",
    "to",
    "with",
    "at",
    "by",
    "from",
    "as",
    "be",
    "will",
    "would",
    "who",
    "which",
    "primary",
    "secondary",
    "backup",
    "us",
    "we",
    "i",
    "you",
    "hi",
    "hello",
    "thanks",
    "thank",
    "here",
    "below",
    "above",
    "following",
    "list",
    "address",
    "number",
    "reach",
    "can",
    "via",
    "or",
    "also",
    "both",
    "person",
    "people",
    "these",
    "those",
    "this",
    "that",
];

/// The name in a cell of a record: the cell up to its first comma or bracket ("Noah Gagnon,
/// Director" → "Noah Gagnon"). Lenient: a team ("CIRA Security Operations Centre") is a name
/// here, but a header cell ("Name", "Email") is not.
pub(super) fn cell_name(cell: &str) -> Option<String> {
    let c = strip_bullet(cell);
    let c = c.split([',', '(', '/']).next().unwrap_or("").trim();
    let lower = c.to_lowercase();
    let header = NAME_LABELS
        .iter()
        .chain(EMAIL_LABELS)
        .chain(PHONE_LABELS)
        .any(|l| *l == lower);
    let words = c.split_whitespace().count();
    let plausible = (1..=6).contains(&words)
        && c.chars().any(char::is_alphabetic)
        && !c
            .chars()
            .any(|ch| ch.is_ascii_digit() || "@:=|<>".contains(ch))
        && !c.chars().next().is_some_and(char::is_lowercase);
    (plausible && !header).then(|| c.to_string())
}

/// The name written at the end of `head`, the text right before an address: "Jan Jansen <",
/// "Jan Jansen (", "Jan Jansen - ", "Jan Jansen: ", "Jan Jansen, " — the trailing run of
/// capitalised words (with particles such as "de", "van", "bin"), so "…sécurité est Thomas
/// Payet (" gives "Thomas Payet".
pub(super) fn name_before(head: &str) -> Option<String> {
    let head = head.trim_end();
    let head = head
        .trim_end_matches(['<', '(', '[', '-', '–', '—', ',', ':', '/', '"', '\'', '“'])
        .trim_end();
    let head = head.trim_end_matches("mailto").trim_end();
    let head = head.trim_end_matches(['"', '\'', '”']);
    // The name is in the last clause before the address.
    let clause = head
        .rsplit(|c: char| {
            matches!(
                c,
                ',' | ';' | ':' | '(' | ')' | '.' | '、' | '，' | '：' | '•' | '\t'
            )
        })
        .next()
        .unwrap_or(head)
        .trim();
    let clause = strip_bullet(clause);
    let words: Vec<&str> = clause.split_whitespace().collect();
    let start = words
        .iter()
        .rposition(|w| !name_word(w))
        .map_or(0, |p| p + 1);
    let mut name: Vec<&str> = words[start..].to_vec();
    while name
        .first()
        .is_some_and(|w| PARTICLES.contains(&w.to_lowercase().as_str()))
    {
        name.remove(0);
    }
    clean_name(&name.join(" "))
}

/// Lowercase words that belong inside names.
const PARTICLES: &[&str] = &[
    "de", "da", "das", "do", "dos", "del", "della", "der", "den", "van", "von", "zu", "le", "la",
    "du", "di", "bin", "binti", "bint", "al", "el", "ben", "ibn", "y", "e", "ter", "ten", "st.",
];

/// A word that can be part of a name: capitalised, a name particle, or in a script without case.
fn name_word(w: &str) -> bool {
    let w = w.trim_matches(['"', '\'', '“', '”']);
    let Some(first) = w.chars().next() else {
        return false;
    };
    if !w.chars().all(|c| c.is_alphabetic() || "-'.’".contains(c)) {
        return false;
    }
    first.is_uppercase()
        || (first.is_alphabetic() && !first.is_lowercase())
        || PARTICLES.contains(&w.to_lowercase().as_str())
}

pub(super) fn clean_name(s: &str) -> Option<String> {
    let s = s.trim().trim_matches(['"', '\'', '“', '”', '*']).trim();
    name_like(s).then(|| s.to_string())
}

/// Whether `s` looks like a person's (or a team's) name: a few words of letters, no digits,
/// not a sentence.
pub fn name_like(s: &str) -> bool {
    let s = s.trim();
    let words: Vec<&str> = s.split_whitespace().collect();
    if s.chars().count() < 2 || s.chars().count() > 60 || words.is_empty() || words.len() > 6 {
        return false;
    }
    if s.chars()
        .any(|c| c.is_ascii_digit() || c == '@' || c == ':' || c == '/' || c == '=' || c == '|')
    {
        return false;
    }
    if !s.chars().any(char::is_alphabetic) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if first.is_lowercase()
        && !words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_uppercase))
    {
        return false;
    }
    !words.iter().any(|w| {
        let w = w.to_lowercase();
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        NOT_NAME.contains(&w)
    })
}
