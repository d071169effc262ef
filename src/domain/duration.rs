//! Durations written the way people write them in config: "1m", "20m", "8h", "7d", "1h 30m".

use chrono::TimeDelta;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A positive span of time that reads and writes as "20m", "8h", "7d".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub TimeDelta);

impl Span {
    /// Parses "90s", "1m", "20m", "8h", "7d", "1h 30m".
    pub fn parse(text: &str) -> Result<Span, String> {
        let std = humantime::parse_duration(text.trim()).map_err(|e| {
            format!(
                "`{text}` is not a duration ({e}); write it like \"1m\", \"20m\", \"8h\" or \"7d\""
            )
        })?;
        if std < std::time::Duration::from_secs(1) {
            return Err(format!(
                "`{text}` is under a second; a limit must be at least \"1s\""
            ));
        }
        TimeDelta::from_std(std)
            .map(Span)
            .map_err(|_| format!("`{text}` is too long"))
    }

    /// Minutes, seconds etc. from whole seconds.
    pub fn seconds(secs: i64) -> Span {
        Span(TimeDelta::seconds(secs))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.num_seconds();
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
            if secs % size == 0 && secs >= size {
                return write!(f, "{}{unit}", secs / size);
            }
        }
        write!(f, "{secs}s")
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_config_uses() {
        assert_eq!(Span::parse("1m").map(|s| s.0), Ok(TimeDelta::minutes(1)));
        assert_eq!(Span::parse("8h").map(|s| s.0), Ok(TimeDelta::hours(8)));
        assert_eq!(Span::parse("7d").map(|s| s.0), Ok(TimeDelta::days(7)));
        assert_eq!(
            Span::parse("1h 30m").map(|s| s.0),
            Ok(TimeDelta::minutes(90))
        );
    }

    #[test]
    fn refuses_nonsense_and_zero() {
        assert!(Span::parse("5x").is_err());
        assert!(Span::parse("").is_err());
        assert!(Span::parse("0s").is_err());
    }

    #[test]
    fn writes_back_in_the_largest_whole_unit() {
        for text in ["1m", "20m", "8h", "7d", "90s"] {
            assert_eq!(
                Span::parse(text).map(|s| s.to_string()),
                Ok(text.to_string())
            );
        }
    }
}
