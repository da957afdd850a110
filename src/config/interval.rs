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

/// `d` as the config writes durations (`60s`, `1m 30s`), whole seconds.
pub fn friendly(d: Duration) -> String {
    let seconds = jiff::SignedDuration::from_secs(d.as_secs().try_into().unwrap_or(i64::MAX));
    format!("{seconds:#}")
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Interval::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_back_as_the_config_writes_them() {
        assert_eq!(friendly(Duration::from_secs(60)), "1m");
        assert_eq!(friendly(Duration::from_secs(90)), "1m 30s");
        assert_eq!(friendly(Duration::from_millis(2500)), "2s");
        let parsed = Interval::parse(&friendly(Duration::from_secs(3_723))).unwrap();
        assert_eq!(parsed.0, Duration::from_secs(3_723));
    }
}
