//! Sampling (每日警单抽检, 电话回访复检): closed items of a day picked at random for review. The same
//! seed over the same items picks the same ones; an item sampled before is not picked again.

use crate::domain::station::{StationKind, StationState};
use crate::domain::{Incident, Status};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::seq::IndexedRandom;

/// The `sampled` station events for up to `n` items closed on `date` (station time), drills left
/// out, picked with `seed` among those not sampled yet.
pub fn pick(
    items: &[Incident],
    state: &StationState,
    n: usize,
    seed: u64,
    date: NaiveDate,
    tz: Tz,
) -> Vec<StationKind> {
    let mut candidates: Vec<&Incident> = items
        .iter()
        .filter(|i| i.status == Status::Closed && !i.drill)
        .filter(|i| {
            i.closed_at
                .is_some_and(|t| t.with_timezone(&tz).date_naive() == date)
        })
        .filter(|i| !state.samples.contains_key(&i.reference))
        .collect();
    candidates.sort_by(|a, b| a.reference.cmp(&b.reference));
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut picked: Vec<&Incident> = candidates
        .choose_multiple(&mut rng, n.min(candidates.len()))
        .copied()
        .collect();
    picked.sort_by(|a, b| a.reference.cmp(&b.reference));
    picked
        .into_iter()
        .map(|i| StationKind::Sampled {
            reference: i.reference.clone(),
            date: date.format("%Y-%m-%d").to_string(),
        })
        .collect()
}
