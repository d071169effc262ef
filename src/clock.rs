//! Where "now" comes from in the shell: the wall clock, or a scaled clock for the demo's
//! `--speed`. The pure core never reads either; it is handed the time.

use chrono::{DateTime, TimeDelta, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// How many times faster than real time this clock runs (1.0 for the wall clock).
    fn speed(&self) -> f64 {
        1.0
    }
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at `origin` and runs `speed` times faster than the wall clock.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    real_start: DateTime<Utc>,
    origin: DateTime<Utc>,
    speed: f64,
}

impl ScaledClock {
    /// Starts now at `origin`, running `speed` times as fast as real time (at least 1).
    pub fn new(origin: DateTime<Utc>, speed: f64) -> ScaledClock {
        ScaledClock::started_at(Utc::now(), origin, speed)
    }

    /// As [`ScaledClock::new`], with the real starting moment given.
    pub fn started_at(real_start: DateTime<Utc>, origin: DateTime<Utc>, speed: f64) -> ScaledClock {
        ScaledClock {
            real_start,
            origin,
            speed: if speed.is_finite() {
                speed.max(1.0)
            } else {
                1.0
            },
        }
    }

    /// The simulated time at a given real time.
    pub fn at(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        let elapsed_ms = (real - self.real_start).num_milliseconds() as f64;
        self.origin + TimeDelta::milliseconds((elapsed_ms * self.speed) as i64)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }

    fn speed(&self) -> f64 {
        self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_scaled_clock_runs_faster_from_its_origin() {
        let real = Utc
            .with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
            .single()
            .expect("fixture");
        let origin = Utc
            .with_ymd_and_hms(2026, 11, 22, 14, 0, 0)
            .single()
            .expect("fixture");
        let c = ScaledClock::started_at(real, origin, 60.0);
        assert_eq!(c.at(real), origin);
        assert_eq!(
            c.at(real + TimeDelta::seconds(10)),
            origin + TimeDelta::minutes(10)
        );
        assert_eq!(ScaledClock::started_at(real, origin, 0.2).speed(), 1.0);
    }
}
