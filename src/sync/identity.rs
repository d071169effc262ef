//! Noticing that the hub is another one, or a copy restored from earlier, and recovering: the
//! console offers its station's events again (the hub keeps what it has, takes what it lacks)
//! and pulls everything from the start (known events are recognised by id).

use super::engine::PUSH_BATCH;
use super::{Client, SyncError};
use crate::protocol::{HubIdentity, PushOutcome, SyncPage};
use crate::store::{Store, StoreError};
use std::sync::{Arc, Mutex};

/// What a page says about the hub, against what the store knew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same hub as before (perhaps restarted).
    Same,
    /// The first hub this store sees.
    First,
    /// Another hub, or one behind this store: why, in words for the officer.
    Changed(String),
}

/// Compares the hub in a page with the one last seen; `cursor` is where this store pulled to.
pub fn judge(
    known: Option<&HubIdentity>,
    seen: &HubIdentity,
    hub_seq: i64,
    cursor: i64,
) -> Verdict {
    match known {
        Some(k) if k.id != seen.id => Verdict::Changed(format!(
            "枢纽已换（标识 {} → {}）：已重新推送本站记录并重新拉取",
            short(&k.id),
            short(&seen.id)
        )),
        _ if hub_seq < cursor => Verdict::Changed(format!(
            "枢纽落后于本工作站（枢纽序号 {hub_seq}，本机已同步到 {cursor}），可能从旧备份恢复：已重新推送本站记录并重新拉取"
        )),
        Some(k) if seen.epoch < k.epoch => Verdict::Changed(format!(
            "枢纽纪元倒退（{} → {}），可能从旧备份恢复：已重新推送本站记录并重新拉取",
            k.epoch, seen.epoch
        )),
        Some(_) => Verdict::Same,
        None => Verdict::First,
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// What recovering did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovery {
    /// Events offered again.
    pub offered: usize,
    /// Of those, the hub lacked and took.
    pub restored: usize,
    /// Of those, the hub refused (kept here; e.g. on items the hub no longer has).
    pub refused: usize,
}

/// Runs store work off the async threads, on the store behind `store`.
pub(super) async fn with_store<T: Send + 'static>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, SyncError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().map_err(|_| StoreError::Corrupt {
            place: "sync".into(),
            detail: "the store lock was poisoned".into(),
        })?;
        f(&mut guard)
    })
    .await
    .map_err(|e| SyncError::Settings(format!("the store task failed: {e}")))?
    .map_err(SyncError::from)
}

/// Checks the hub of `page`; when it changed, recovers and returns the warning and what was done.
pub async fn check(
    client: &Client,
    store: &Arc<Mutex<Store>>,
    page: &SyncPage,
    cursor: i64,
) -> Result<Option<(String, Recovery)>, SyncError> {
    let known = with_store(store, |s| s.known_hub()).await?;
    let seen = page.hub.clone();
    match judge(known.as_ref().map(|k| &k.hub), &seen, page.hub_seq, cursor) {
        Verdict::Same | Verdict::First => {
            if known.is_none_or(|k| k.hub != seen) {
                with_store(store, move |s| s.remember_hub(&seen)).await?;
            }
            Ok(None)
        }
        Verdict::Changed(warning) => {
            with_store(store, |s| s.mark_numbering_stale()).await?;
            let recovery = offer_again(client, store).await?;
            let (w, now) = (warning.clone(), client.now());
            with_store(store, move |s| s.start_over_with(&seen, &w, now)).await?;
            tracing::warn!("{warning}");
            Ok(Some((warning, recovery)))
        }
    }
}

/// Pushes every event of this station again, taking the hub's new numbers for them.
async fn offer_again(client: &Client, store: &Arc<Mutex<Store>>) -> Result<Recovery, SyncError> {
    let mut recovery = Recovery::default();
    let mut after = 0;
    loop {
        let batch = with_store(store, move |s| s.own_events(after, PUSH_BATCH)).await?;
        let Some((last, _)) = batch.last() else {
            return Ok(recovery);
        };
        after = *last;
        let events: Vec<_> = batch.into_iter().map(|(_, e)| e).collect();
        let last_id = events.last().map(|e| e.id);
        let head = match last_id {
            Some(id) => with_store(store, move |s| s.head_after(id)).await?,
            None => None,
        };
        let head = head.map(|h| client.head(h));
        let answer = client.push_with_head(&events, head).await?;
        let mut numbered = Vec::new();
        for outcome in &answer.results {
            match outcome {
                PushOutcome::Accepted { id, seq } => {
                    recovery.restored += 1;
                    numbered.push((*id, *seq));
                }
                PushOutcome::Duplicate { id, seq } => numbered.push((*id, *seq)),
                PushOutcome::Rejected { .. } => recovery.refused += 1,
            }
        }
        recovery.offered += events.len();
        with_store(store, move |s| s.renumber(&numbered)).await?;
    }
}

/// What `doctor` says of the hub in `page` against `store`: whether all is well, and why.
pub fn doctor_says(store: &Store, page: &SyncPage) -> Result<(bool, String), StoreError> {
    let known = store.known_hub()?;
    let cursor = store.pull_cursor()?;
    let verdict = judge(
        known.as_ref().map(|k| &k.hub),
        &page.hub,
        page.hub_seq,
        cursor,
    );
    let hub = short(&page.hub.id).to_string();
    Ok(
        match (
            verdict,
            known.and_then(|k| Some((k.warning?, k.warned_at?))),
        ) {
            (Verdict::Changed(why), _) => (
                false,
                format!("{why}; run `fenliu sync --once` (or open the console) to recover"),
            ),
            (_, Some((warning, at))) => (
                true,
                format!(
                    "hub {hub} epoch {}; earlier, at {}: {warning}",
                    page.hub.epoch,
                    at.to_rfc3339()
                ),
            ),
            (_, None) => (
                true,
                format!(
                    "hub {hub} epoch {}, at sequence {} (this store: {cursor})",
                    page.hub.epoch, page.hub_seq
                ),
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(id: &str, epoch: i64) -> HubIdentity {
        HubIdentity {
            id: id.into(),
            epoch,
        }
    }

    #[test]
    fn another_hub_a_hub_behind_and_an_older_epoch_are_told_apart_from_a_restart() {
        let a = hub("aaaaaaaaaaaa", 3);
        assert_eq!(judge(None, &a, 0, 0), Verdict::First);
        assert_eq!(
            judge(Some(&a), &hub("aaaaaaaaaaaa", 4), 10, 10),
            Verdict::Same
        );
        let other = judge(Some(&a), &hub("bbbbbbbbbbbb", 1), 50, 10);
        assert!(
            matches!(&other, Verdict::Changed(w) if w.contains("aaaaaaaa → bbbbbbbb")),
            "{other:?}"
        );
        let behind = judge(Some(&a), &hub("aaaaaaaaaaaa", 4), 7, 10);
        assert!(
            matches!(&behind, Verdict::Changed(w) if w.contains("枢纽序号 7")),
            "{behind:?}"
        );
        let older = judge(Some(&a), &hub("aaaaaaaaaaaa", 2), 10, 10);
        assert!(
            matches!(&older, Verdict::Changed(w) if w.contains("3 → 2")),
            "{older:?}"
        );
    }
}
