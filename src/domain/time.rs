//! The one type of every stored time: an instant in UTC to the second. Its text is RFC 3339
//! with a `Z`, `2026-12-07T16:05:00Z`, the same in SQLite, in JSON and in the audit log, so
//! stored times read back exactly as they were written. Times are compared, added to and cut
//! to a day or a month as values, never as text. Pure: it does not read the clock (the
//! service's clock hands out `Timestamp`s).

use std::fmt;
use std::str::FromStr;

use jiff::SignedDuration;

/// An instant in UTC, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

/// Text that is not a timestamp.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a timestamp (YYYY-MM-DDTHH:MM:SSZ): {why}")]
pub struct ParseError {
    text: String,
    why: String,
}

impl Timestamp {
    /// `t`, its fraction of a second dropped.
    pub fn from_jiff(t: jiff::Timestamp) -> Timestamp {
        let mut second = t.as_second();
        if t.subsec_nanosecond() < 0 {
            second -= 1;
        }
        // Whole seconds of a valid timestamp are valid (the range ends on whole seconds).
        Timestamp(jiff::Timestamp::from_second(second).unwrap_or(t))
    }

    /// Seconds since 1970-01-01T00:00:00Z, if in jiff's range (years -9999 to 9999).
    pub fn from_second(second: i64) -> Option<Timestamp> {
        jiff::Timestamp::from_second(second).ok().map(Timestamp)
    }

    pub fn as_jiff(self) -> jiff::Timestamp {
        self.0
    }

    pub fn as_second(self) -> i64 {
        self.0.as_second()
    }

    /// Its day, `YYYY-MM-DD` (UTC).
    pub fn date(self) -> String {
        self.0.strftime("%Y-%m-%d").to_string()
    }

    /// Its month, `YYYY-MM` (UTC).
    pub fn month(self) -> String {
        self.0.strftime("%Y-%m").to_string()
    }

    /// `d` later (earlier if negative); `None` past the end of time.
    pub fn checked_add(self, d: SignedDuration) -> Option<Timestamp> {
        self.0.checked_add(d).ok().map(Timestamp::from_jiff)
    }

    /// `d` later, or the last (first) representable second.
    pub fn saturating_add(self, d: SignedDuration) -> Timestamp {
        Timestamp::from_jiff(self.0.saturating_add(d).unwrap_or(self.0))
    }

    /// `d` earlier, or the first representable second.
    pub fn saturating_sub(self, d: SignedDuration) -> Timestamp {
        Timestamp::from_jiff(self.0.saturating_sub(d).unwrap_or(self.0))
    }

    /// How long after `earlier` this is (negative if before it).
    pub fn duration_since(self, earlier: Timestamp) -> SignedDuration {
        self.0.duration_since(earlier.0)
    }

    /// Whole seconds after `earlier`, none if before it.
    pub fn seconds_since(self, earlier: Timestamp) -> u64 {
        self.duration_since(earlier).as_secs().max(0) as u64
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(t: jiff::Timestamp) -> Timestamp {
        Timestamp::from_jiff(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// RFC 3339: `2026-12-07T16:05:00Z` as written, and for leniency an offset
/// (`…T17:05:00+01:00`, the same instant) or a fraction of a second (dropped).
impl FromStr for Timestamp {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Timestamp, ParseError> {
        text.parse::<jiff::Timestamp>()
            .map(Timestamp::from_jiff)
            .map_err(|e| ParseError {
                text: text.to_string(),
                why: e.to_string(),
            })
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn its_text_is_the_stored_format_both_ways() {
        for s in [
            "2026-12-07T16:05:00Z",
            "1999-01-01T00:00:00Z",
            "2026-03-02T09:00:59Z",
        ] {
            assert_eq!(at(s).to_string(), s);
        }
        let t = Timestamp::from_jiff("2026-12-07T16:05:00.999999999Z".parse().unwrap());
        assert_eq!(t.to_string(), "2026-12-07T16:05:00Z");
    }

    #[test]
    fn an_offset_or_a_fraction_is_read_as_the_same_instant_in_utc() {
        assert_eq!(
            at("2026-12-07T17:05:00+01:00").to_string(),
            "2026-12-07T16:05:00Z"
        );
        assert_eq!(at("2026-12-07T16:05:00.75Z"), at("2026-12-07T16:05:00Z"));
    }

    #[test]
    fn text_that_is_no_timestamp_is_an_error_naming_it() {
        for s in [
            "",
            "2026-12-07",
            "2026-12-07T16:05:00",
            "yesterday",
            "2026-13-01T00:00:00Z",
        ] {
            let e = s.parse::<Timestamp>().unwrap_err();
            assert!(e.to_string().contains(&format!("`{s}`")), "{e}");
        }
    }

    #[test]
    fn order_is_the_instants_where_text_order_was_right_and_where_it_was_wrong() {
        // As the stored text, text order was right.
        assert!(at("2026-01-10T10:00:00Z") < at("2026-01-10T10:00:01Z"));
        assert!(at("2025-12-31T23:59:59Z") < at("2026-01-01T00:00:00Z"));
        // An offset: as text, 09:00+01:00 sorts after 08:30Z, but it is 08:00Z.
        let (offset, utc) = ("2026-03-02T09:00:00+01:00", "2026-03-02T08:30:00Z");
        assert!(offset > utc);
        assert!(at(offset) < at(utc));
        // A fraction: as text, `.5Z` sorts before `Z` (`.` < `Z`), a moment before the second.
        let (fraction, whole) = ("2026-03-02T09:00:00.5Z", "2026-03-02T09:00:00Z");
        assert!(fraction < whole);
        assert_eq!(at(fraction), at(whole));
    }

    #[test]
    fn its_day_and_month_and_arithmetic() {
        let t = at("2026-12-07T16:05:00Z");
        assert_eq!(t.date(), "2026-12-07");
        assert_eq!(t.month(), "2026-12");
        let later = t.checked_add(SignedDuration::from_hours(8 * 24)).unwrap();
        assert_eq!(later.to_string(), "2026-12-15T16:05:00Z");
        assert_eq!(later.seconds_since(t), 8 * 86_400);
        assert_eq!(t.seconds_since(later), 0);
        assert_eq!(
            t.saturating_sub(SignedDuration::from_secs(300)).to_string(),
            "2026-12-07T16:00:00Z"
        );
    }

    #[test]
    fn serde_writes_and_reads_the_same_text() {
        let t = at("2026-12-07T16:05:00Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#""2026-12-07T16:05:00Z""#);
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>(r#""soon""#).is_err());
    }
}
