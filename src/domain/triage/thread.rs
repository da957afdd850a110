//! What ties a message to one of our TLD cases besides addresses: thread headers pointing at
//! mail we sent, the subject tag `[TLD-OPS .nl #k3x9]`, and the TLD named in the text.

use super::Context;
use crate::domain::message::Inbound;
use crate::domain::tld::TldCode;

/// The TLD a message's thread and subject point at, with the reason in words.
pub struct Evidence<'a> {
    thread: Option<(TldCode, String)>,
    tag: Option<(TldCode, String)>,
    msg: &'a Inbound,
}

impl<'a> Evidence<'a> {
    pub fn of(msg: &'a Inbound, ctx: &Context) -> Evidence<'a> {
        Evidence {
            thread: thread_match(msg, ctx),
            tag: tag_match(&msg.subject, ctx),
            msg,
        }
    }

    /// The TLD the thread headers, or failing them the subject tag, point at.
    pub fn tld(&self) -> Option<(TldCode, String)> {
        self.thread.clone().or_else(|| self.tag.clone())
    }

    /// Chooses among the TLDs sharing an address: by thread, by tag, or by the one TLD the
    /// message names. `None` when nothing decides.
    pub fn decide_among(&self, candidates: &[TldCode]) -> Option<(TldCode, String)> {
        for evidence in [&self.thread, &self.tag].into_iter().flatten() {
            if candidates.contains(&evidence.0) {
                return Some(evidence.clone());
            }
        }
        let named: Vec<&TldCode> = candidates
            .iter()
            .filter(|c| names_tld(&self.msg.subject, c) || names_tld(&self.msg.text, c))
            .collect();
        match named.as_slice() {
            [one] => Some(((*one).clone(), format!("the message names .{one}"))),
            _ => None,
        }
    }
}

fn thread_match(msg: &Inbound, ctx: &Context) -> Option<(TldCode, String)> {
    let in_reply_to = msg.in_reply_to.iter().map(|id| ("In-Reply-To", id));
    let references = msg.references.iter().rev().map(|id| ("References", id));
    in_reply_to.chain(references).find_map(|(header, id)| {
        let sent = ctx.sent.get(id)?;
        Some((
            sent.tld.clone(),
            format!(
                "{header} matches the {} sent {}",
                sent.kind.word(),
                sent.sent_on
            ),
        ))
    })
}

/// `[TLD-OPS .nl #k3x9]`: the token decides; without a known token, the TLD in a tag with our
/// list name does.
pub(super) fn tag_match(subject: &str, ctx: &Context) -> Option<(TldCode, String)> {
    let lower = subject.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(hash) = rest.find('#') {
        let token: String = rest[hash + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if let Some(tld) = ctx.tokens.get(&token) {
            return Some((
                tld.clone(),
                format!("the subject carries the tag of .{tld} (#{token})"),
            ));
        }
        rest = &rest[hash + 1..];
    }
    let prefix = format!("[{} .", ctx.list_name.to_lowercase());
    let start = lower.find(&prefix)? + prefix.len();
    let code: String = lower[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    let tld = TldCode::parse(&code).ok()?;
    ctx.known(&tld).then(|| {
        let why = format!("the subject carries the {} tag of .{tld}", ctx.list_name);
        (tld, why)
    })
}

/// Whether `text` names `.tld` as a word (not inside `afnic.fr`), in A-label or Unicode form.
pub fn names_tld(text: &str, tld: &TldCode) -> bool {
    let lower = text.to_lowercase();
    let forms = std::iter::once(tld.as_str().to_string()).chain(tld.unicode());
    forms.into_iter().any(|form| {
        let needle = format!(".{form}");
        // Scripts written without spaces (Chinese, Japanese, Thai …) put `.CN` right against
        // their words: there only a Latin letter or digit next to an ASCII form joins it.
        let ascii = form.is_ascii();
        let word = |c: char| c.is_alphanumeric() && !(ascii && unspaced_script(c));
        lower.match_indices(&needle).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + needle.len()..].chars().next();
            !before.is_some_and(word) && !after.is_some_and(|c| word(c) || c == '-')
        })
    })
}

/// A letter of a script written without spaces between words.
fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF          // Thai, Lao
        | 0x1000..=0x109F        // Myanmar
        | 0x1780..=0x17FF        // Khmer
        | 0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF        // CJK Extension A
        | 0x4E00..=0x9FFF        // CJK Unified Ideographs
        | 0xF900..=0xFAFF        // CJK Compatibility Ideographs
        | 0x20000..=0x3FFFF      // CJK Extensions B on
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tld_as_a_word_only() {
        let fr = TldCode::parse("fr").unwrap();
        assert!(names_tld("contacts for .fr below", &fr));
        assert!(names_tld("(.FR)", &fr));
        assert!(!names_tld("mail hostmaster@afnic.fr", &fr));
        assert!(!names_tld("see .fro", &fr));
        let rf = TldCode::parse("xn--p1ai").unwrap();
        assert!(names_tld("для .РФ", &rf));
        // Chinese and Japanese write a Latin TLD against their own words.
        let cn = TldCode::parse("cn").unwrap();
        assert!(names_tld("负责.CN域名的安全", &cn));
        assert!(names_tld(
            "私は.jpドメインの",
            &TldCode::parse("jp").unwrap()
        ));
        assert!(!names_tld("see .cnx", &cn));
        assert!(!names_tld("стройка.cn", &cn));
    }
}
