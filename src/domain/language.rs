//! The languages tldops writes mail in (DESIGN §9) — those of TLD-OPS's own leaflet — and
//! which one a ccTLD gets when the roster does not say: a default by country code, documented
//! in the README (*Templates*). Pure data.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::domain::tld::TldCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Fr,
    Es,
    Ar,
    Ru,
    Zh,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::En,
        Language::Fr,
        Language::Es,
        Language::Ar,
        Language::Ru,
        Language::Zh,
    ];

    /// The ISO 639-1 code, as the roster and the CLI write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
            Language::Ar => "ar",
            Language::Ru => "ru",
            Language::Zh => "zh",
        }
    }

    /// Its name in English, for listings.
    pub fn name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "French",
            Language::Es => "Spanish",
            Language::Ar => "Arabic",
            Language::Ru => "Russian",
            Language::Zh => "Chinese",
        }
    }

    /// Whom a mail greets when the IANA record gives no person's name ("POC ADM IANA"):
    /// `Dear {admin_name},` becomes "Dear colleague," in English, and each language's
    /// template greets in its own words, not in English.
    pub fn colleague(self) -> &'static str {
        match self {
            Language::En => "colleague",
            Language::Fr => "Madame, Monsieur",
            Language::Es => "colega",
            Language::Ar => "الزميل/الزميلة",
            Language::Ru => "коллега",
            Language::Zh => "同事",
        }
    }

    /// An optional language as a roster cell writes it: empty means "the default".
    pub fn parse_optional(input: &str) -> Result<Option<Language>, String> {
        let input = input.trim();
        if input.is_empty() {
            Ok(None)
        } else {
            input.parse().map(Some)
        }
    }

    /// The language of a ccTLD whose roster row names none: by its country code (an IDN
    /// ccTLD by the country it belongs to), else English.
    pub fn default_for(code: &TldCode) -> Language {
        let code = code.as_str();
        let country = IDN_COUNTRY
            .iter()
            .find(|(idn, _)| *idn == code)
            .map_or(code, |(_, cc)| cc);
        DEFAULTS
            .iter()
            .find(|(_, codes)| codes.contains(&country))
            .map_or(Language::En, |(language, _)| *language)
    }
}

/// The default languages by country code. Spanish: Spanish-speaking Latin America (and Spain,
/// Puerto Rico, Equatorial Guinea); French: France and its overseas ccTLDs, and the
/// francophone countries of Europe, Africa, the Indian Ocean and the Caribbean (Belgium,
/// Switzerland and Canada, multilingual, stay English); Arabic: the member states of the
/// Arab League (but Comoros and Djibouti, francophone, French); Russian: the CIS (but Moldova)
/// and `.su`; Chinese: China, Taiwan, Hong Kong and Macao. Everything else: English.
const DEFAULTS: &[(Language, &[&str])] = &[
    (
        Language::Es,
        &[
            "ar", "bo", "cl", "co", "cr", "cu", "do", "ec", "es", "gq", "gt", "hn", "mx", "ni",
            "pa", "pe", "pr", "py", "sv", "uy", "ve",
        ],
    ),
    (
        Language::Fr,
        &[
            "fr", "re", "yt", "pm", "gp", "mq", "gf", "nc", "pf", "wf", "tf", "bl", "mf", "mc",
            "lu", "ht", "sn", "ci", "ml", "bf", "ne", "tg", "bj", "gn", "cm", "ga", "cg", "cd",
            "cf", "td", "mg", "km", "dj", "bi",
        ],
    ),
    (
        Language::Ar,
        &[
            "ae", "bh", "dz", "eg", "iq", "jo", "kw", "lb", "ly", "ma", "mr", "om", "ps", "qa",
            "sa", "sd", "so", "sy", "tn", "ye",
        ],
    ),
    (
        Language::Ru,
        &["ru", "su", "by", "kz", "kg", "tj", "uz", "tm", "am", "az"],
    ),
    (Language::Zh, &["cn", "tw", "hk", "mo"]),
];

/// The IDN ccTLDs of the countries above, with their country code.
const IDN_COUNTRY: &[(&str, &str)] = &[
    ("xn--fiqs8s", "cn"),        // 中国
    ("xn--fiqz9s", "cn"),        // 中國
    ("xn--kprw13d", "tw"),       // 台湾
    ("xn--kpry57d", "tw"),       // 台灣
    ("xn--j6w193g", "hk"),       // 香港
    ("xn--mix891f", "mo"),       // 澳門
    ("xn--p1ai", "ru"),          // рф
    ("xn--90ais", "by"),         // бел
    ("xn--80ao21a", "kz"),       // қаз
    ("xn--y9a3aq", "am"),        // հայ
    ("xn--mgbaam7a8h", "ae"),    // امارات
    ("xn--mgbcpq6gpa1a", "bh"),  // البحرين
    ("xn--lgbbat1ad8j", "dz"),   // الجزائر
    ("xn--wgbh1c", "eg"),        // مصر
    ("xn--mgbtx2b", "iq"),       // عراق
    ("xn--mgbayh7gpa", "jo"),    // الاردن
    ("xn--mgbc0a9azcg", "ma"),   // المغرب
    ("xn--mgbah1a3hjkrd", "mr"), // موريتانيا
    ("xn--mgb9awbf", "om"),      // عمان
    ("xn--ygbi2ammx", "ps"),     // فلسطين
    ("xn--wgbl6a", "qa"),        // قطر
    ("xn--mgberp4a5d4ar", "sa"), // السعودية
    ("xn--mgbpl2fh", "sd"),      // سودان
    ("xn--ogbpf8fl", "sy"),      // سورية
    ("xn--pgbs0dh", "tn"),       // تونس
];

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Language::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown language `{s}` (expected en, fr, es, ar, ru or zh)"))
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default(code: &str) -> Language {
        Language::default_for(&TldCode::parse(code).unwrap())
    }

    #[test]
    fn defaults_follow_the_country() {
        for (code, want) in [
            ("mx", Language::Es),
            ("ar", Language::Es),
            ("br", Language::En),
            ("fr", Language::Fr),
            ("re", Language::Fr),
            ("sn", Language::Fr),
            ("be", Language::En),
            ("ch", Language::En),
            ("eg", Language::Ar),
            ("ae", Language::Ar),
            ("km", Language::Fr),
            ("ru", Language::Ru),
            ("kz", Language::Ru),
            ("md", Language::En),
            ("ua", Language::En),
            ("cn", Language::Zh),
            ("tw", Language::Zh),
            ("sg", Language::En),
            ("nl", Language::En),
            ("xn--p1ai", Language::Ru),
            ("рф", Language::Ru),
            ("中国", Language::Zh),
            ("xn--mgbaam7a8h", Language::Ar),
            ("xn--mgba3a4f16a", Language::En), // ایران: Persian, not Arabic
            ("xn--yfro4i67o", Language::En),   // 新加坡: Singapore
        ] {
            assert_eq!(default(code), want, "{code}");
        }
    }

    #[test]
    fn every_idn_names_a_country_with_a_default() {
        for (idn, cc) in IDN_COUNTRY {
            assert!(TldCode::parse(idn).is_ok(), "{idn}");
            assert_ne!(default(cc), Language::En, "{idn} → {cc}");
        }
        let all: Vec<&str> = DEFAULTS
            .iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "a country in two lists");
    }

    #[test]
    fn parses_codes_and_refuses_others() {
        assert_eq!("FR".parse::<Language>(), Ok(Language::Fr));
        assert_eq!(Language::parse_optional(" "), Ok(None));
        assert!(
            "de".parse::<Language>()
                .unwrap_err()
                .contains("expected en, fr")
        );
    }
}
