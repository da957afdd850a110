//! What a message asks for, in the writer's own words (quotes and signature left out): to
//! join the list or change a ccTLD's contacts (a request, DESIGN §8.1), to leave it (§8.2),
//! or — answering a re-confirmation — to confirm the contacts as they are (§8.4).

use serde::Serialize;

use super::contacts::budget::Work;
use super::contacts::quote;
use super::phrases;
use crate::domain::message::Inbound;

/// What a request asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Someone asks to be (or to have colleagues) admitted.
    Join,
    /// Someone asks to replace or remove a ccTLD's contacts.
    Change,
    /// A member asks to leave.
    Leave,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Join => "join",
            Intent::Change => "change",
            Intent::Leave => "leave",
        }
    }

    pub fn parse(s: &str) -> Option<Intent> {
        match s {
            "join" => Some(Intent::Join),
            "change" => Some(Intent::Change),
            "leave" => Some(Intent::Leave),
            _ => None,
        }
    }

    /// `asks to join`, for the reason shown to the operator and the admin's mail.
    pub fn words(self) -> &'static str {
        match self {
            Intent::Join => "asks to join",
            Intent::Change => "asks to change the contacts",
            Intent::Leave => "asks to leave",
        }
    }
}

/// The subject and the writer's own text, lowercase, apostrophes and spaces made plain.
pub fn own_words(msg: &Inbound) -> String {
    let text = if msg.text.trim().is_empty() {
        msg.html_text.as_deref().unwrap_or("")
    } else {
        msg.text.as_str()
    };
    // The opening of a long message says what it wants.
    let cut = text
        .char_indices()
        .nth(20_000)
        .map_or(text, |(i, _)| &text[..i]);
    let own = quote::own_text(cut, false, |_| true, &Work::default());
    // What a writer asks for comes first; footers (a newsletter's "unsubscribe") come last.
    let opening: String = own.body.chars().take(1500).collect();
    format!("{}\n{}", msg.subject, opening)
        .to_lowercase()
        .replace('’', "'")
        .replace('\u{a0}', " ")
}

/// Whether the writer says the contacts they were shown are right.
pub fn confirms(msg: &Inbound) -> bool {
    let text = own_words(msg);
    phrases::CONFIRMING.any_in(&text) && !phrases::NOT_CONFIRMING.any_in(&text)
}

/// Whether the writer asks to leave the list.
pub fn asks_to_leave(text: &str) -> bool {
    phrases::LEAVING.any_in(text)
}

/// What a writer who is not a member asks, if anything: leaving wording is checked first
/// ("unsubscribe" holds "subscribe").
pub fn request(text: &str) -> Option<Intent> {
    if phrases::CHANGING.any_in(text) || asks_to_leave(text) {
        return Some(Intent::Change);
    }
    phrases::JOINING.any_in(text).then_some(Intent::Join)
}

/// Whether the text is about the list at all.
pub fn about_the_list(text: &str, list_name: &str) -> bool {
    phrases::ABOUT_THE_LIST.any_in(text) || text.contains(&list_name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_is_not_joining() {
        assert_eq!(request("please unsubscribe me"), Some(Intent::Change));
        assert_eq!(request("please subscribe me"), Some(Intent::Join));
        assert_eq!(
            request("je souhaite m'inscrire à la liste"),
            Some(Intent::Join)
        );
        assert_eq!(
            request("jan has left the company, please replace him"),
            Some(Intent::Change)
        );
        assert_eq!(request("lunch on friday?"), None);
        assert!(asks_to_leave("пожалуйста, отпишите меня"));
        assert!(asks_to_leave("请帮我退订"));
    }

    #[test]
    fn joining_and_leaving_as_people_write_it() {
        for text in [
            "je souhaiterais être inscrit à la liste",
            "solicito que me den de alta en la lista",
            "прошу включить меня в список рассылки",
            "bitte mich in die liste aufzunehmen",
            "solicitar a minha inclusão na lista",
        ] {
            assert_eq!(request(text), Some(Intent::Join), "{text}");
        }
        for text in [
            "i would like to be removed from the list",
            "merci de me retirer de la liste",
            "bitte streichen sie mich aus dem verteiler",
            "por favor, denme de baja",
            "gostaria de ser removido da lista",
            "прошу исключить меня из рассылки",
            "请将我从邮件列表中删除",
        ] {
            assert!(asks_to_leave(text), "{text}");
        }
        assert_eq!(request("la prioridad es de alta importancia"), None);
    }

    #[test]
    fn confirming_words_in_several_languages() {
        for text in [
            "I confirm the contacts",
            "Les contacts sont toujours valables.",
            "Sin cambios, gracias",
            "Подтверждаю.",
            "确认无误",
        ] {
            let msg = Inbound {
                text: text.into(),
                ..Inbound::default()
            };
            assert!(confirms(&msg), "{text}");
        }
        let msg = Inbound {
            text: "Piet is no longer with us, I cannot confirm".into(),
            ..Inbound::default()
        };
        assert!(!confirms(&msg));
    }
}
