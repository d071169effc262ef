//! The period a report covers, from what people type: a day at midnight in the station's time
//! zone, or an RFC 3339 moment.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// `YYYY-MM-DD` (midnight in `tz`) or an RFC 3339 moment; the error says what to give.
pub fn moment(text: &str, tz: Tz, flag: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return start_of(day, tz);
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "{flag} {text}: give a day (2026-11-01) or a moment (2026-11-01T08:00:00+08:00)"
            )
        })
}

/// Midnight of `day` in `tz`.
pub fn start_of(day: NaiveDate, tz: Tz) -> Result<DateTime<Utc>, String> {
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{day} has no midnight in {tz}"))
}

/// The period from `from` (default: the 1st of this month) to `to` (default: `now`); `to` must
/// come after `from`.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    tz: Tz,
    now: DateTime<Utc>,
    flags: (&str, &str),
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let from = match from {
        Some(text) => moment(text, tz, flags.0)?,
        None => {
            let today = now.with_timezone(&tz).date_naive();
            start_of(today.with_day(1).unwrap_or(today), tz)?
        }
    };
    let to = match to {
        Some(text) => moment(text, tz, flags.1)?,
        None => now,
    };
    if to <= from {
        return Err(format!("{} must be after {}", flags.1, flags.0));
    }
    Ok((from, to))
}
