//! Separating the writer's own words from what they quote and from their signature.
//!
//! Quotes: `>` lines, attribution lines ("On … wrote:" and its translations), Outlook header
//! blocks ("From: … Sent: … To: … Subject: …") and "Original Message" separators. In a
//! forwarded message the first header block introduces the forwarded text, which counts.

use super::budget::Work;

/// The writer's own text, and their signature (kept apart: it counts only when they name
/// themself).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OwnText {
    pub body: String,
    pub signature: String,
}

/// Subject prefixes of forwarded mail.
pub fn is_forward(subject: &str) -> bool {
    let s = subject.trim_start().to_lowercase();
    [
        "fwd:",
        "fw:",
        "wg:",
        "tr:",
        "rv:",
        "enc:",
        "i:",
        "doorst:",
        "vs:",
        "pd:",
        "转发:",
        "пересл:",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

const ORIGINAL_MESSAGE: &[&str] = &[
    "original message",
    "message d'origine",
    "ursprüngliche nachricht",
    "mensaje original",
    "mensagem original",
    "messaggio originale",
    "oorspronkelijk bericht",
    "ursprungligt meddelande",
    "исходное сообщение",
    "原始邮件",
    "元のメッセージ",
];

const FORWARD_MARKERS: &[&str] = &[
    "forwarded message",
    "begin forwarded message",
    "weitergeleitete nachricht",
    "message transféré",
    "mensaje reenviado",
    "mensagem encaminhada",
    "messaggio inoltrato",
    "doorgestuurd bericht",
    "пересылаемое сообщение",
    "转发的邮件",
];

/// Header names that open an Outlook-style quoted header block, in several languages.
const FROM_HEADERS: &[&str] = &[
    "from",
    "von",
    "de",
    "da",
    "van",
    "från",
    "fra",
    "od",
    "от",
    "від",
    "发件人",
    "差出人",
    "보낸 사람",
];
const OTHER_HEADERS: &[&str] = &[
    "sent",
    "date",
    "to",
    "subject",
    "cc",
    "gesendet",
    "datum",
    "an",
    "betreff",
    "envoyé",
    "date ",
    "à",
    "objet",
    "enviado",
    "fecha",
    "para",
    "asunto",
    "assunto",
    "inviato",
    "oggetto",
    "a",
    "verzonden",
    "aan",
    "onderwerp",
    "skickat",
    "till",
    "ämne",
    "отправлено",
    "кому",
    "тема",
    "дата",
    "发送时间",
    "收件人",
    "主题",
    "送信日時",
    "宛先",
    "件名",
    "날짜",
    "받는 사람",
    "제목",
    "wysłano",
    "do",
    "temat",
    "odesláno",
    "komu",
    "předmět",
];

const CLOSINGS: &[&str] = &[
    "best regards",
    "kind regards",
    "warm regards",
    "regards",
    "best",
    "br",
    "cheers",
    "thanks",
    "thank you",
    "many thanks",
    "thanks and regards",
    "sincerely",
    "yours sincerely",
    "yours faithfully",
    "best wishes",
    "all the best",
    "mit freundlichen grüßen",
    "mit freundlichen grüssen",
    "freundliche grüße",
    "viele grüße",
    "beste grüße",
    "gruß",
    "grüße",
    "cordialement",
    "bien cordialement",
    "bien à vous",
    "salutations",
    "sincères salutations",
    "saludos",
    "saludos cordiales",
    "un saludo",
    "atentamente",
    "atenciosamente",
    "abraços",
    "cumprimentos",
    "cordiali saluti",
    "distinti saluti",
    "saluti",
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "groeten",
    "vriendelijke groet",
    "med vänlig hälsning",
    "vänliga hälsningar",
    "hälsningar",
    "med venlig hilsen",
    "venlig hilsen",
    "mvh",
    "pozdrawiam",
    "z poważaniem",
    "s pozdravem",
    "s přáním hezkého dne",
    "с уважением",
    "всего доброго",
    "з повагою",
    "敬具",
    "よろしくお願いします",
    "よろしくお願いいたします",
    "以上",
    "此致",
    "此致敬礼",
    "谢谢",
    "감사합니다",
    "με εκτίμηση",
    "χαιρετισμούς",
];

/// A line that ends the writer's text wholesale ("Sent from my iPhone").
fn is_device_footer(lower: &str) -> bool {
    [
        "sent from my ",
        "get outlook for ",
        "sent from mail for windows",
        "envoyé de mon ",
        "von meinem ",
        "enviado desde mi ",
        "enviado do meu ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// "On Mon, 2 Mar 2026 at 10:00, X <x@y> wrote:" in its many forms: a line ending in a colon
/// that names a sender and a verb of writing (possibly wrapped over two lines).
fn is_attribution(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    if !(lower.ends_with(':') || lower.ends_with('：')) {
        return false;
    }
    [
        "wrote",
        "writes",
        "schrieb",
        "a écrit",
        "escribió",
        "escreveu",
        "ha scritto",
        "schreef",
        "skrev",
        "napisał",
        "napsal",
        "пишет",
        "написал",
        "написала",
        "написав",
        "写道",
        "より:",
        "のメッセージ",
        "작성",
        "έγραψε",
    ]
    .iter()
    .any(|v| lower.contains(v))
        || (lower.contains('@') && (lower.ends_with(">:") || lower.ends_with("> :")))
}

fn header_name(line: &str) -> Option<String> {
    let t = line.trim().trim_start_matches('*').trim();
    let (name, _) = t.split_once([':', '：'])?;
    let name = name.trim().trim_end_matches('*').trim().to_lowercase();
    (!name.is_empty() && name.chars().count() <= 20).then_some(name)
}

/// An Outlook header block starts here: a From-like header line followed within a few lines
/// by other header lines.
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let Some(name) = header_name(lines[i]) else {
        return false;
    };
    if !FROM_HEADERS.contains(&name.as_str()) {
        return false;
    }
    lines[i + 1..]
        .iter()
        .take(4)
        .filter_map(|l| header_name(l))
        .filter(|n| OTHER_HEADERS.contains(&n.as_str()))
        .count()
        >= 2
}

fn is_separator(lower: &str, markers: &[&str]) -> bool {
    let t = lower
        .trim_matches(|c: char| c == '-' || c == '_' || c == '=' || c == '*' || c.is_whitespace());
    markers
        .iter()
        .any(|m| t == *m || (t.contains(m) && lower.contains("--")))
        || (markers == FORWARD_MARKERS && t.starts_with("begin forwarded message"))
}

/// A closing line ("Best regards," / "Cordialement" / "Met vriendelijke groet / Kind regards")
/// that starts the signature.
fn is_closing(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let parts: Vec<&str> = lower
        .split(['/', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty()
        && parts.iter().all(|part| {
            let t = part.trim_end_matches([',', '.', '!', '、', '。']).trim();
            CLOSINGS
                .iter()
                .any(|c| t == *c || (t.starts_with(c) && t.len() <= c.len() + 2))
        })
}

/// Splits `text` into the writer's own lines and their signature. `ours` tells whether a
/// quoted header line names us (our address or the list name): a quoted message of ours ends
/// the writer's text; a quoted message of someone else's (a colleague's nomination passed on)
/// is content the writer endorses, and counts. One pass, looking a few lines ahead.
pub fn own_text(text: &str, forwarded: bool, ours: impl Fn(&str) -> bool, work: &Work) -> OwnText {
    let lines: Vec<&str> = text.lines().collect();
    let mut body = Vec::new();
    let mut signature = Vec::new();
    let mut in_signature = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // This line, and the few after it that the checks below look at.
        work.add(lines[i..].iter().take(5).map(|l| l.len() + 1).sum());
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        if trimmed.starts_with('>') {
            i += 1;
            continue;
        }
        let forward_marker = is_separator(&lower, FORWARD_MARKERS);
        let original = is_separator(&lower, ORIGINAL_MESSAGE);
        if forward_marker || original || is_header_block(&lines, i) {
            // Whose message is quoted: the From line of the block.
            let from_line = lines[i..]
                .iter()
                .take(4)
                .find(|l| header_name(l).is_some_and(|n| FROM_HEADERS.contains(&n.as_str())));
            let theirs = from_line.is_some_and(|l| !ours(l));
            if !(theirs
                || (forward_marker && from_line.is_none())
                || forwarded && from_line.is_some_and(|l| !ours(l)))
            {
                break;
            }
            // Skip the block's header lines; what follows is the quoted author's text.
            i += usize::from(forward_marker || original);
            while i < lines.len() && header_name(lines[i]).is_some_and(is_header_word) {
                work.add(lines[i].len() + 1);
                i += 1;
            }
            in_signature = false;
            continue;
        }
        if is_attribution(trimmed) {
            i += 1;
            continue;
        }
        let wrapped = lines
            .get(i + 1)
            .map(|next| format!("{trimmed} {}", next.trim()));
        if wrapped.as_deref().is_some_and(is_attribution)
            && lines
                .get(i + 2)
                .is_none_or(|l| l.trim().starts_with('>') || l.trim().is_empty())
        {
            i += 2;
            continue;
        }
        if is_device_footer(&lower)
            || trimmed == "--"
            || line.trim_end_matches('\r') == "-- "
            || is_closing(trimmed)
        {
            in_signature = true;
        }
        if in_signature {
            signature.push(line);
        } else {
            body.push(line);
        }
        i += 1;
    }
    OwnText {
        body: body.join("\n"),
        signature: signature.join("\n"),
    }
}

fn is_header_word(name: String) -> bool {
    FROM_HEADERS.contains(&name.as_str()) || OTHER_HEADERS.contains(&name.as_str())
}

/// Whether the writer puts themself forward as a contact ("I will be one of the contacts
/// myself", "me and ...").
pub fn names_self(body: &str) -> bool {
    let lower = body.to_lowercase();
    [
        "myself",
        "including me",
        "me as a contact",
        "me as the",
        "me as one",
        "and me ",
        "and me,",
        "and me.",
        "i will be one",
        "i'll be one",
        "i am one of",
        "i will also be",
        "add me",
        "moi-même",
        "moi même",
        "ich selbst",
        "mich selbst",
        "yo mismo",
        "yo misma",
        "eu mesmo",
        "eu mesma",
        "я сам",
        "я сама",
        "меня",
        "私自身",
        "我本人",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// The writer's sign-off when no signature marker was found: the last paragraph of the text if
/// it starts with their name ("Chioma Okafor\nAg. Chief Executive\n+234 …").
pub fn trailing_block(body: &str, writer_name: Option<&str>) -> String {
    let Some(name) = writer_name.map(str::to_lowercase).filter(|n| !n.is_empty()) else {
        return String::new();
    };
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .collect();
    paragraphs
        .last()
        .filter(|p| p.trim().to_lowercase().starts_with(&name))
        .map_or_else(String::new, |p| p.to_string())
}

/// The writer's name from their signature: its first line that looks like a full name
/// ("Petr Příklad" rather than the "Petr" under "Best regards,"), else a single name.
pub fn signature_name(signature: &str) -> Option<String> {
    let names: Vec<&str> = signature
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_closing(l) && *l != "--")
        .filter(|l| super::names::name_like(l))
        .collect();
    names
        .iter()
        .find(|n| n.split_whitespace().count() >= 2)
        .or(names.first())
        .map(|n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_style_quote_is_dropped() {
        let text = "Our contact is Jan.\n\nOn Mon, 2 Mar 2026 at 10:00, TLD-OPS Secretariat <\nsecretariat@ccnso.example.org> wrote:\n\n> Please reply from directie@sidn.example\n";
        assert_eq!(
            own_text(text, false, |l| l.contains("ccnso"), &Work::default())
                .body
                .trim(),
            "Our contact is Jan."
        );
    }

    #[test]
    fn outlook_header_block_ends_the_text() {
        let text = "Contacts below.\nJan\n\n________________________________\nFrom: TLD-OPS Secretariat <secretariat@ccnso.example.org>\nSent: Monday, March 2, 2026 10:00 AM\nTo: directie@sidn.example\nSubject: [TLD-OPS .nl #k3x9] Invitation\n\nPlease reply from directie@sidn.example\n";
        let own = own_text(text, false, |l| l.contains("ccnso"), &Work::default());
        assert!(!own.body.contains("directie"), "{own:?}");
        assert!(own.body.contains("Jan"));
    }

    #[test]
    fn a_colleagues_quoted_message_counts() {
        let text = "Contacts proposed below; I confirm them.\n\nRegards,\nPriya\n\n-----Original Message-----\nFrom: Arjun Rao <arjun@nixi.example>\nSent: Tuesday\nTo: Priya\nSubject: contacts\n\nRohit Verma - rohit@nixi.example\n";
        let own = own_text(text, false, |l| l.contains("ccnso"), &Work::default());
        assert!(own.body.contains("rohit@nixi.example"), "{own:?}");
        assert!(!own.body.contains("arjun@"), "{own:?}");
    }

    #[test]
    fn bottom_posting_keeps_text_after_quotes() {
        let text = "On 02/03/2026 10:00, Secretariat wrote:\n> Please name your contacts.\n\nJan Jansen, jan@sidn.example\n\nRegards,\nAnn\n+31 26 000 0000\n";
        let own = own_text(text, false, |l| l.contains("ccnso"), &Work::default());
        assert_eq!(own.body.trim(), "Jan Jansen, jan@sidn.example");
        assert_eq!(own.signature, "Regards,\nAnn\n+31 26 000 0000");
    }

    #[test]
    fn forwarded_text_counts_but_its_quote_does_not() {
        let text = "See below.\n\n---------- Forwarded message ---------\nFrom: Colleague <c@sidn.example>\nDate: Tue, 3 Mar 2026\nSubject: Re: contacts\nTo: directie@sidn.example\n\nOur contacts: Jan <jan@sidn.example>\n\nOn Mon, 2 Mar 2026 at 10:00, Secretariat <secretariat@ccnso.example.org> wrote:\n> invitation text\n";
        let own = own_text(text, true, |l| l.contains("ccnso"), &Work::default());
        assert!(own.body.contains("jan@sidn.example"), "{own:?}");
        assert!(!own.body.contains("c@sidn.example"), "{own:?}");
        assert!(!own.body.contains("invitation text"));
    }

    #[test]
    fn self_nomination() {
        assert!(names_self("I will be one of the contacts myself."));
        assert!(!names_self("Our contacts are Jan and Piet."));
    }
}
