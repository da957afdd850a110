//! Fuzzy matching for the roster and help search (nucleo, as in helix): "br", "brasil",
//! "nic.br" and "soc@" all find .br.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A query made once and scored against every row: a matcher holds a scratch matrix of its
/// own, so making one per row (each frame, 316 rows) allocated far more than it matched.
pub struct Fuzzy {
    matcher: Matcher,
    pattern: Pattern,
    buf: Vec<char>,
}

impl Fuzzy {
    pub fn new(query: &str) -> Fuzzy {
        Fuzzy {
            matcher: Matcher::new(Config::DEFAULT),
            pattern: Pattern::new(
                query,
                CaseMatching::Ignore,
                Normalization::Smart,
                AtomKind::Fuzzy,
            ),
            buf: Vec::new(),
        }
    }

    /// The match score of the query in `haystack`, or `None` when it does not match.
    pub fn score(&mut self, haystack: &str) -> Option<u32> {
        self.pattern
            .score(Utf32Str::new(haystack, &mut self.buf), &mut self.matcher)
    }
}

/// Whether `typed` is a word of `name` spelt nearly right ("brasil", "Brazil"; "germny",
/// "Germany"): a letter changed, missing or swapped, which a fuzzy match in order misses.
pub fn spelt_nearly(typed: &str, name: &str) -> bool {
    typed.chars().count() >= 4
        && name
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| strsim::normalized_damerau_levenshtein(typed, word) >= 0.8)
}

#[cfg(test)]
mod tests {
    use super::Fuzzy;

    fn score(query: &str, haystack: &str) -> Option<u32> {
        Fuzzy::new(query).score(haystack)
    }

    #[test]
    fn fuzzy_and_case_insensitive() {
        assert!(score("br", "br Brazil Yara Vermeulen domain-admin@nic.br.example").is_some());
        assert!(score("BRAZ", "br Brazil").is_some());
        assert!(score("xyz", "br Brazil").is_none());
        let exact = score("nl", "nl Netherlands").unwrap();
        let loose = score("nl", "ng Nigeria Lucas").unwrap_or(0);
        assert!(exact > loose);
        // One query, many rows: each scored as if alone.
        let mut fuzzy = Fuzzy::new("nl");
        assert_eq!(fuzzy.score("ng Nigeria Lucas").unwrap_or(0), loose);
        assert_eq!(fuzzy.score("nl Netherlands"), Some(exact));
    }

    #[test]
    fn a_country_spelt_nearly() {
        use super::spelt_nearly;
        assert!(spelt_nearly("brasil", "brazil"));
        assert!(spelt_nearly("germny", "germany"));
        assert!(spelt_nearly("swtizerland", "switzerland"));
        assert!(spelt_nearly("korea", "south korea"));
        assert!(!spelt_nearly("austria", "australia"));
        assert!(!spelt_nearly("bra", "brazil"), "too short to guess at");
    }
}
