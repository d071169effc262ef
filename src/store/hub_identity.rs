//! The hub this store syncs with, as last seen (identity and epoch), the warning given when it
//! turned out to be another hub or a restored copy, and what recovering from that needs: this
//! station's own events to offer again and the pull cursor back at the start.

use super::{Store, StoreError};
use crate::domain::{Event, EventId};
use crate::protocol::HubIdentity;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// Subtracted from journal positions to number events of a hub that is gone: below every real
/// number, in journal order.
const STALE_OFFSET: i64 = 1 << 40;

/// The hub as this store last knew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHub {
    pub hub: HubIdentity,
    /// Why the hub was last found changed or behind, for `doctor` and the header.
    pub warning: Option<String>,
    pub warned_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The hub last seen, if any.
    pub fn known_hub(&self) -> Result<Option<KnownHub>, StoreError> {
        let row: Option<(String, i64, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, epoch, warning, warned_at FROM hub_identity WHERE one = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        Ok(row.map(|(id, epoch, warning, at)| KnownHub {
            hub: HubIdentity { id, epoch },
            warning,
            warned_at: at
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc)),
        }))
    }

    /// Remembers the hub as seen now (a new epoch of the same hub keeps the last warning).
    pub fn remember_hub(&mut self, hub: &HubIdentity) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO hub_identity (one, id, epoch) VALUES (1, ?1, ?2)
             ON CONFLICT (one) DO UPDATE SET id = excluded.id, epoch = excluded.epoch",
            params![hub.id, hub.epoch],
        )?;
        Ok(())
    }

    /// Records that `hub` is another hub or a restored copy: the warning, and the pull cursor
    /// back at 0 so that everything is pulled again (known events are recognised by id).
    pub fn start_over_with(
        &mut self,
        hub: &HubIdentity,
        warning: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO hub_identity (one, id, epoch, warning, warned_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (one) DO UPDATE SET id = excluded.id, epoch = excluded.epoch,
                 warning = excluded.warning, warned_at = excluded.warned_at",
            params![hub.id, hub.epoch, warning, at.to_rfc3339()],
        )?;
        tx.execute(
            "UPDATE sync_state SET value = 0 WHERE key = 'pull_cursor'",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks the numbers of a hub that is gone (or restored) as stale: each accepted event keeps
    /// its order but takes a negative number until the hub numbers it again, on re-offer or pull.
    pub fn mark_numbering_stale(&mut self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE journal SET hub_seq = pos - ?1 WHERE hub_seq >= 0",
            [STALE_OFFSET],
        )?;
        Ok(())
    }

    /// This station's own events (not the hub's), in journal order from position `after`, at
    /// most `limit`, with their positions: what a restored hub may lack.
    pub fn own_events(&self, after: i64, limit: usize) -> Result<Vec<(i64, Event)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pos, body FROM journal
             WHERE pos > ?1 AND rejected IS NULL AND json_extract(body, '$.actor.device') <> 'hub'
             ORDER BY pos LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (pos, body) = row?;
            let event: Event = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                place: format!("journal position {pos}"),
                detail: e.to_string(),
            })?;
            out.push((pos, event));
        }
        Ok(out)
    }

    /// Records the sequence numbers a hub gave events offered again (its numbering replaces the
    /// old hub's).
    pub fn renumber(&mut self, accepted: &[(EventId, i64)]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, seq) in accepted {
            tx.execute(
                "UPDATE journal SET hub_seq = ?2 WHERE id = ?1",
                params![id.to_string(), seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
