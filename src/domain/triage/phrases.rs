//! The phrase lists of [`super::words`], each searched for in one pass.
//!
//! Triage asks of every message whether its subject or opening holds any of a hundred
//! phrases in a dozen languages. A substring search per phrase was most of the cost of
//! judging a header block on a large mailbox; one Aho-Corasick automaton per list reads the
//! text once, and answers exactly what the search per phrase answered: the first phrase *in
//! the list's order* that the text contains (the one a `why` names).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::words;

/// One list of lowercase phrases, with its automaton (built on first use).
pub struct Phrases {
    list: &'static [&'static str],
    automaton: LazyLock<AhoCorasick>,
}

impl Phrases {
    /// The first phrase of the list (in the list's order) that any of `texts` contains.
    pub fn first_in(&self, texts: &[&str]) -> Option<&'static str> {
        texts
            .iter()
            .flat_map(|t| self.automaton.find_overlapping_iter(*t))
            .map(|m| m.pattern().as_usize())
            .min()
            .map(|i| self.list[i])
    }

    /// Whether `text` contains any phrase of the list.
    pub fn any_in(&self, text: &str) -> bool {
        self.automaton.is_match(text)
    }
}

/// A list of lowercase prefixes, asked for at the start of a few places of one text.
pub struct Prefixes {
    list: &'static [&'static str],
    automaton: LazyLock<AhoCorasick>,
}

impl Prefixes {
    /// The first prefix of the list (in the list's order) that any of `places` starts with.
    pub fn first_at_start_of(&self, places: &[&str]) -> Option<&'static str> {
        places
            .iter()
            .filter_map(|p| self.automaton.find(Input::new(*p).anchored(Anchored::Yes)))
            .map(|m| m.pattern().as_usize())
            .min()
            .map(|i| self.list[i])
    }
}

/// Subjects of automatic answers: each place of a subject was compared with every one of them.
pub static AUTO_SUBJECTS: Prefixes = Prefixes {
    list: words::AUTO_SUBJECTS,
    // Anchored and leftmost-first: of the prefixes a place starts with, the first listed.
    automaton: LazyLock::new(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .start_kind(StartKind::Anchored)
            .build(words::AUTO_SUBJECTS)
            .expect("the prefix list is small and valid")
    }),
};

fn automaton(list: &[&str]) -> AhoCorasick {
    AhoCorasick::new(list).expect("the phrase lists are small and valid")
}

macro_rules! phrases {
    ($($name:ident),* $(,)?) => {$(
        pub static $name: Phrases = Phrases {
            list: words::$name,
            automaton: LazyLock::new(|| automaton(words::$name)),
        };
    )*};
}

phrases!(
    BOUNCE_SUBJECTS,
    FAILURE_PHRASES,
    DELAY_PHRASES,
    FINAL_PHRASES,
    LIST_REJECTS,
    CHALLENGE_PHRASES,
    CHALLENGE_ACTIONS,
    AUTO_BODY,
    ACKNOWLEDGEMENTS,
    CONFIRMING,
    NOT_CONFIRMING,
    LEAVING,
    JOINING,
    CHANGING,
    ABOUT_THE_LIST,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list answers as the search per phrase does, on texts holding several phrases
    /// (in and against the list's order, overlapping) and none.
    #[test]
    fn the_automaton_answers_as_the_search_per_phrase() {
        let all: &[(&Phrases, &[&str])] = &[
            (&BOUNCE_SUBJECTS, words::BOUNCE_SUBJECTS),
            (&FAILURE_PHRASES, words::FAILURE_PHRASES),
            (&AUTO_BODY, words::AUTO_BODY),
            (&LEAVING, words::LEAVING),
            (&JOINING, words::JOINING),
        ];
        for (phrases, list) in all {
            let n = list.len();
            let mut texts = vec![String::new(), "nothing of the kind".to_string()];
            for i in 0..n {
                texts.push(format!("x {} y", list[i]));
                texts.push(format!("{} {}", list[n - 1 - i], list[i]));
                texts.push(format!("{}{}", list[i], list[(i * 7 + 3) % n]));
            }
            for t in &texts {
                let expected = list.iter().find(|p| t.contains(*p)).copied();
                assert_eq!(phrases.first_in(&[t]), expected, "{t:?}");
                assert_eq!(phrases.first_in(&["", t]), expected, "{t:?}");
                assert_eq!(phrases.any_in(t), expected.is_some(), "{t:?}");
            }
        }
    }

    /// The prefixes answer as comparing each place with every prefix did.
    #[test]
    fn the_prefixes_answer_as_the_comparison_per_prefix() {
        let list = words::AUTO_SUBJECTS;
        let n = list.len();
        let mut texts = vec![String::new(), "nothing of the kind".to_string()];
        for i in 0..n {
            texts.push(list[i].to_string());
            texts.push(format!("x {}", list[i]));
            texts.push(format!("{} {}", list[n - 1 - i], list[i]));
            texts.push(list[i].chars().take(list[i].chars().count() / 2).collect());
        }
        for a in &texts {
            for b in texts.iter().step_by(7) {
                let places = [a.as_str(), b.as_str()];
                let expected = list
                    .iter()
                    .find(|p| places.iter().any(|t| t.starts_with(*p)))
                    .copied();
                assert_eq!(
                    AUTO_SUBJECTS.first_at_start_of(&places),
                    expected,
                    "{places:?}"
                );
            }
        }
    }
}
