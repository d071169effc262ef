//! The night window (夜间模式, default 22:00–08:00) in the station's time zone.

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A daily window of local time; it may cross midnight. Equal start and end means no night mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NightWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub tz: Tz,
}

impl NightWindow {
    /// Whether `now` falls inside the window (start inclusive, end exclusive).
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        if self.start == self.end {
            return false;
        }
        let local = now.with_timezone(&self.tz).time();
        if self.start < self.end {
            local >= self.start && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }

    /// The first moment at or after `now` when the window ends: how long a deferred item is held.
    pub fn end_after(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let local = now.with_timezone(&self.tz);
        let mut day = local.date_naive();
        for _ in 0..3 {
            if let Some(end) = self
                .tz
                .from_local_datetime(&day.and_time(self.end))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                && end > now
            {
                return end;
            }
            day = day.checked_add_days(Days::new(1)).unwrap_or(day);
        }
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> NightWindow {
        NightWindow {
            start: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
            end: NaiveTime::from_hms_opt(8, 0, 0).expect("valid time"),
            tz: chrono_tz::Asia::Shanghai,
        }
    }

    fn shanghai(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("fixture");
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&naive)
            .single()
            .expect("fixture")
            .with_timezone(&Utc)
    }

    #[test]
    fn edges_of_the_window() {
        let w = window();
        assert!(!w.contains(shanghai("2026-11-22 21:59:59")));
        assert!(w.contains(shanghai("2026-11-22 22:00:00")));
        assert!(w.contains(shanghai("2026-11-23 03:00:00")));
        assert!(w.contains(shanghai("2026-11-23 07:59:59")));
        assert!(!w.contains(shanghai("2026-11-23 08:00:00")));
        assert!(!w.contains(shanghai("2026-11-23 12:00:00")));
    }

    #[test]
    fn deferral_lasts_until_the_morning() {
        let w = window();
        let morning = shanghai("2026-11-23 08:00:00");
        assert_eq!(w.end_after(shanghai("2026-11-22 22:00:00")), morning);
        assert_eq!(w.end_after(shanghai("2026-11-22 23:59:59")), morning);
        assert_eq!(w.end_after(shanghai("2026-11-23 00:00:00")), morning);
        assert_eq!(w.end_after(shanghai("2026-11-23 07:59:59")), morning);
        assert_eq!(
            w.end_after(shanghai("2026-11-23 08:00:00")),
            shanghai("2026-11-24 08:00:00")
        );
    }

    #[test]
    fn utc_midnight_is_not_local_midnight() {
        let w = window();
        let utc_midnight = Utc
            .with_ymd_and_hms(2026, 11, 22, 16, 0, 0)
            .single()
            .expect("fixture");
        assert!(w.contains(utc_midnight));
        assert_eq!(w.end_after(utc_midnight), shanghai("2026-11-23 08:00:00"));
    }

    #[test]
    fn equal_start_and_end_means_no_night() {
        let mut w = window();
        w.end = w.start;
        assert!(!w.contains(shanghai("2026-11-22 23:00:00")));
    }
}
