//! Requests (DESIGN §8.1, §8.2): mail outside any thread of ours and from no admin address
//! that asks to join, to change a ccTLD's contacts, or — from a member — to leave. The last
//! rule of the precedence, with its own way of finding the ccTLD (the text, the country, the
//! sender's registry domain) and the requester's own contact details.

use super::{
    Contact, Context, Decision, Verdict, contacts, decision, intent, thread, with_contacts,
};
use crate::domain::message::Inbound;
use crate::domain::tld::TldCode;

/// Mail from a list or a bulk sender: it asks nothing of us, whatever its footer says (and
/// most of a mailbox is such mail: its bodies are never worth fetching for a request).
pub(super) fn from_a_list(msg: &Inbound) -> bool {
    msg.header("list-id").is_some()
        || msg.header("list-unsubscribe").is_some()
        || msg.header("precedence").is_some_and(|p| {
            matches!(
                p.trim().to_ascii_lowercase().as_str(),
                "bulk" | "list" | "junk"
            )
        })
}

/// A request (DESIGN §8.1, §8.2), outside any thread of ours and from no admin address: a
/// member asking to leave, or someone asking to join or to change a ccTLD's contacts, about
/// a ccTLD we can name or about the list.
pub(super) fn request(msg: &Inbound, ctx: &Context) -> Option<Decision> {
    let from = msg.from.first()?;
    if from.key().is_some_and(|k| ctx.is_internal_key(&k)) || from_a_list(msg) {
        return None;
    }
    let text = intent::own_words(msg);
    let member_of = from
        .key()
        .and_then(|k| ctx.members.get(&k))
        .map_or(&[][..], Vec::as_slice);
    if !member_of.is_empty() && intent::asks_to_leave(&text) {
        let (tld, which) = match member_of {
            [one] => (Some(one.clone()), format!(".{one}")),
            many => {
                let named: Vec<&TldCode> = many
                    .iter()
                    .filter(|t| thread::names_tld(&text, t))
                    .collect();
                match named.as_slice() {
                    [one] => (Some((*one).clone()), format!(".{one}")),
                    _ => (None, format!("{} ccTLDs", many.len())),
                }
            }
        };
        return Some(Decision {
            intent: Some(intent::Intent::Leave),
            ..decision(
                Verdict::Request,
                tld,
                format!(
                    "{} is a member for {which} and asks to leave the list",
                    from.address
                ),
            )
        });
    }
    let asks = intent::request(&text)?;
    let (tld, how) = match request_tld(msg, &text, ctx) {
        Some((t, how)) => (Some(t), how),
        None if intent::about_the_list(&text, &ctx.list_name) => {
            (None, "names no ccTLD tldops can tell".into())
        }
        None => return None,
    };
    let why = format!(
        "{} (not an admin contact, outside our threads) {} for {how}",
        from.address,
        asks.words()
    );
    let mut d = Decision {
        intent: Some(asks),
        ..decision(Verdict::Request, tld.clone(), why)
    };
    if let Some(tld) = &tld {
        d = with_contacts(d, msg, ctx, tld);
    }
    // A person asking to join names themself even without a signature block.
    if asks == intent::Intent::Join && d.contacts.is_empty() && !ctx.is_voucher(&from.address) {
        d.contacts.push(Contact {
            email: from.address.clone(),
            name: from.name.clone().filter(|n| !n.trim().is_empty()),
            phone: writer_phone(msg),
        });
    }
    Some(d)
}

/// The one phone number the writer gives in their own text (signature included: it is
/// theirs), for a requester who names themself; none when there are several.
fn writer_phone(msg: &Inbound) -> Option<String> {
    let text = if msg.text.trim().is_empty() {
        msg.html_text.as_deref().unwrap_or("")
    } else {
        msg.text.as_str()
    };
    let cut = text
        .char_indices()
        .nth(20_000)
        .map_or(text, |(i, _)| &text[..i]);
    let own = contacts::quote::own_text(cut, false, |_| true, &contacts::budget::Work::default());
    let mut found: Vec<(String, String)> = Vec::new();
    for line in own.body.lines().chain(own.signature.lines()) {
        if let Some(phone) = contacts::find_phone(line) {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if !found.iter().any(|(d, _)| *d == digits) {
                found.push((digits, phone));
            }
        }
    }
    match found.as_slice() {
        [(_, phone)] => Some(phone.clone()),
        _ => None,
    }
}

/// The ccTLD a request is about: the one ccTLD (or country) its subject or text names, else
/// the registry whose mail domain the sender writes from.
fn request_tld(msg: &Inbound, text: &str, ctx: &Context) -> Option<(TldCode, String)> {
    let mut named: Vec<TldCode> = ctx
        .tlds
        .iter()
        .filter(|t| thread::names_tld(text, t))
        .cloned()
        .collect();
    if named.is_empty() {
        for (country, tlds) in &ctx.countries {
            if let [one] = tlds.as_slice()
                && names_word(text, country)
            {
                named.push(one.clone());
            }
        }
    }
    named.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    named.dedup();
    if let [one] = named.as_slice() {
        return Some((one.clone(), format!(".{one}, which the message names")));
    }
    if !named.is_empty() {
        return None;
    }
    let domain = msg
        .from
        .first()?
        .key()?
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())?;
    // The registry's domain, or a subdomain of it (cert.nic.example).
    let mut candidates: Vec<&TldCode> = Vec::new();
    for (d, tlds) in &ctx.domains {
        if (domain == *d || domain.ends_with(&format!(".{d}"))) && tlds.len() == 1 {
            candidates.push(&tlds[0]);
        }
    }
    candidates.dedup();
    match candidates.as_slice() {
        [one] => Some((
            (*one).clone(),
            format!(".{one}, whose registry writes from {domain}"),
        )),
        _ => None,
    }
}

/// Whether `text` holds `word` with no letter either side.
fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
