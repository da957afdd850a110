//! Fuzzy matching for the roster and help search (nucleo, as in helix): "br", "brasil",
//! "nic.br" and "soc@" all find .br.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// The match score of `query` in `haystack`, or `None` when it does not match.
pub fn score(query: &str, haystack: &str) -> Option<u32> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut buf = Vec::new();
    pattern.score(Utf32Str::new(haystack, &mut buf), &mut matcher)
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn fuzzy_and_case_insensitive() {
        assert!(score("br", "br Brazil Yara Vermeulen domain-admin@nic.br.example").is_some());
        assert!(score("BRAZ", "br Brazil").is_some());
        assert!(score("xyz", "br Brazil").is_none());
        let exact = score("nl", "nl Netherlands").unwrap();
        let loose = score("nl", "ng Nigeria Lucas").unwrap_or(0);
        assert!(exact > loose);
    }
}
