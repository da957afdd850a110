//! vCard attachments (RFC 6350 and the older 2.1/3.0 forms): FN, N, EMAIL, TEL.

use super::Contact;

/// The fields of one card as they are read.
#[derive(Default)]
struct Card {
    formatted_name: Option<String>,
    structured_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// Every card with an email address in `text`.
pub fn parse(text: &str) -> Vec<Contact> {
    let unfolded = text
        .replace("\r\n ", "")
        .replace("\n ", "")
        .replace("\r\n\t", "")
        .replace("\n\t", "");
    let mut out = Vec::new();
    let mut card: Option<Card> = None;
    for line in unfolded.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let name = key
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        // Apple's grouped properties: `item1.EMAIL`.
        let name = name.rsplit('.').next().unwrap_or(&name).to_string();
        let value = unescape(value.trim());
        if name == "BEGIN" && value.eq_ignore_ascii_case("VCARD") {
            card = Some(Card::default());
            continue;
        }
        if name == "END" {
            if let Some(c) = card.take()
                && let Some(email) = c.email
            {
                out.push(Contact {
                    email,
                    name: c
                        .formatted_name
                        .or(c.structured_name)
                        .filter(|s| !s.is_empty()),
                    phone: c.phone,
                });
            }
            continue;
        }
        let Some(c) = card.as_mut() else {
            continue;
        };
        match name.as_str() {
            "FN" => c.formatted_name = Some(value),
            "N" => {
                // Family;Given;Additional;Prefix;Suffix → "Given Family".
                let parts: Vec<&str> = value.split(';').collect();
                let full = [parts.get(1), parts.first()]
                    .into_iter()
                    .flatten()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                c.structured_name = Some(full);
            }
            "EMAIL" => {
                c.email
                    .get_or_insert_with(|| value.trim_start_matches("mailto:").to_string());
            }
            "TEL" => {
                c.phone
                    .get_or_insert_with(|| value.trim_start_matches("tel:").to_string());
            }
            _ => {}
        }
    }
    out
}

fn unescape(v: &str) -> String {
    v.replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\n", " ")
        .replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cards() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Jansen;Jan;;;\r\nFN:Jan Jansen\r\nEMAIL;TYPE=INTERNET,WORK:jan@sidn.example\r\nTEL;TYPE=WORK,VOICE:+31 26 352 5511\r\nEND:VCARD\r\nBEGIN:VCARD\nVERSION:4.0\nN:de Boer;Piet;;;\nitem1.EMAIL:piet@sidn.example\nEND:VCARD\n";
        let cards = parse(text);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].name.as_deref(), Some("Jan Jansen"));
        assert_eq!(cards[0].phone.as_deref(), Some("+31 26 352 5511"));
        assert_eq!(cards[1].name.as_deref(), Some("Piet de Boer"));
        assert_eq!(cards[1].email, "piet@sidn.example");
    }
}
