//! Durations written for people (`"60s"`, `"14d"`, `"1h 30m"`), the one type every interval key
//! of the config (poll, chase, re-confirmation) is read as, so each is parsed and refused the
//! same way.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A positive duration written for people: `"60s"`, `"14d"`, `"1h 30m"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl Interval {
    pub fn parse(text: &str) -> Result<Interval, String> {
        let span: jiff::Span = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (try \"60s\", \"15m\", \"14d\")"))?;
        let d = span
            .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .map_err(|e| format!("`{text}`: {e}"))?;
        if d.is_negative() || d.is_zero() {
            return Err(format!("`{text}` must be a positive duration"));
        }
        Duration::try_from(d)
            .map(Interval)
            .map_err(|e| format!("`{text}`: {e}"))
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Interval::parse(&s).map_err(serde::de::Error::custom)
    }
}
