//! Which times the hub believes: nothing more than [`MAX_AHEAD`] ahead of its own clock, nothing
//! before [`earliest`], and no action before its item was received. Any earlier time after
//! receipt stays allowed: what was done on the radio is often entered late.

use crate::domain::Event;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// How far ahead of the hub's clock a time may be (workstation clocks drift a little).
pub const MAX_AHEAD: TimeDelta = TimeDelta::minutes(10);

/// No item of this system is older than 2000-01-01.
pub fn earliest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Checks one time against the hub's clock; the error says what is wrong with it.
pub fn check_time(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), String> {
    if at > now + MAX_AHEAD {
        return Err(format!(
            "{} is more than {} minutes ahead of the hub's clock ({}): check the sender's clock",
            at.to_rfc3339(),
            MAX_AHEAD.num_minutes(),
            now.to_rfc3339()
        ));
    }
    if at < earliest() {
        return Err(format!(
            "{} is before 2000-01-01: not a plausible time",
            at.to_rfc3339()
        ));
    }
    Ok(())
}

/// Checks an event's times; `received` is when its item was received, if it already exists.
pub fn check_event(
    event: &Event,
    received: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    check_time(event.occurred_at, now).map_err(|m| format!("occurred_at: {m}"))?;
    check_time(event.recorded_at, now).map_err(|m| format!("recorded_at: {m}"))?;
    if let Some(received) = received
        && event.occurred_at < received
    {
        return Err(format!(
            "occurred_at: {} is before the item was received ({})",
            event.occurred_at.to_rfc3339(),
            received.to_rfc3339()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn the_future_and_the_distant_past_are_refused_with_the_field_named() {
        let now = at(2026, 11, 22, 13, 0);
        assert!(check_time(at(2026, 11, 22, 13, 10), now).is_ok());
        let ahead = check_time(at(2026, 11, 22, 13, 11), now).unwrap_err();
        assert!(ahead.contains("ahead of the hub's clock"), "{ahead}");
        let far = check_time(at(9999, 12, 31, 0, 0), now).unwrap_err();
        assert!(far.starts_with("9999-12-31"), "{far}");
        let old = check_time(at(1970, 1, 1, 0, 0), now).unwrap_err();
        assert!(old.contains("before 2000-01-01"), "{old}");
        assert!(check_time(at(2000, 1, 1, 0, 0), now).is_ok());
        assert!(check_time(at(2026, 1, 1, 0, 0), now).is_ok(), "late entry");
    }
}
