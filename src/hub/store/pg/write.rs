//! Writes of the PostgreSQL backend. Each runs in one transaction holding the hub's advisory
//! lock, so sequence numbers (events, chain links, the police feed) are taken in commit order and
//! a reader following the cursor never passes a number that commits later. The decider says
//! what to record; this only gathers its state and persists its answer.

use super::super::chain::{GENESIS, Link, digest, head_of, link_hash};
use super::super::{HubStoreError, IntakeOutcome, NewIntake, Push};
use super::CHANNEL;
use super::read::{load_incident, parse};
use crate::domain::{Actor, Event, EventKind, Incident, IncidentId};
use crate::hub::decide::{
    self, IntakeInput, ItemState, REPEAT_WINDOW, Verdict, decide_push, is_station_event,
    needs_claimer, needs_reference_check,
};
use crate::protocol::{ChainHead, IntakeResponse, PushOutcome, ReportedHead};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::{PgConnection, PgPool, Postgres};

/// The advisory lock every write holds (`fenliu` in ASCII).
const WRITE_LOCK: i64 = 0x66_65_6e_6c_69_75;

type Tx = sqlx_core::transaction::Transaction<'static, Postgres>;

/// Opens a write transaction and waits for the hub's write lock.
pub(super) async fn begin(pool: &PgPool) -> Result<Tx, HubStoreError> {
    let mut tx = pool.begin().await?;
    query::<Postgres>("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Announces the last sequence (delivered at commit) and commits.
async fn finish(mut tx: Tx, last: Option<i64>) -> Result<(), HubStoreError> {
    if let Some(last) = last {
        query::<Postgres>("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(last.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records an intake once per (connector, source, source_ref); returns the last sequence written.
pub(super) async fn intake(
    pool: &PgPool,
    intake: &NewIntake,
) -> Result<(IntakeOutcome, Option<i64>), HubStoreError> {
    let mut tx = begin(pool).await?;
    let req = &intake.request;
    let (connector, source) = (&intake.actor.operator, req.source.code());
    let known = query::<Postgres>(
        "SELECT k.incident, i.station, i.ref FROM intake_keys k JOIN incidents i ON i.id = k.incident
         WHERE k.connector = $1 AND k.source = $2 AND k.source_ref = $3",
    )
    .bind(connector)
    .bind(source)
    .bind(&req.source_ref)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(r) = known {
        let id: String = r.try_get(0)?;
        let id = IncidentId::parse(&id)
            .ok_or_else(|| HubStoreError::Corrupt(format!("intake key names item {id}")))?;
        let response = IntakeResponse {
            id,
            station: r.try_get(1)?,
            reference: r.try_get(2)?,
        };
        return Ok((
            IntakeOutcome {
                response,
                created: false,
            },
            None,
        ));
    }
    let station = &intake.station;
    let reference = fresh_reference(&mut tx, &station.id, &station.prefix, intake.day).await?;
    let recent = received_since(&mut tx, &station.id, intake.now - REPEAT_WINDOW).await?;
    let plan = decide::plan_intake(IntakeInput {
        request: req,
        station: &station.id,
        triage: intake.triage.as_ref(),
        actor: &intake.actor,
        now: intake.now,
        reference,
        recent: &recent,
        drill: intake.drill,
    })
    .map_err(|e| HubStoreError::Corrupt(format!("intake event refused: {e}")))?;
    let mut last = None;
    for event in &plan.events {
        last = Some(insert_event(&mut tx, event, &station.id).await?);
    }
    save_incident(&mut tx, &plan.incident, true).await?;
    let id = plan.id.to_string();
    query::<Postgres>(
        "INSERT INTO intake_keys (connector, source, source_ref, incident) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(connector)
    .bind(source)
    .bind(&req.source_ref)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let link = Link::Intake {
        connector: connector.clone(),
        source: source.to_string(),
        source_ref: req.source_ref.clone(),
        incident: id,
    };
    append(&mut tx, &station.id, &link).await?;
    finish(tx, last).await?;
    let response = IntakeResponse {
        id: plan.id,
        reference: plan.reference,
        station: station.id.clone(),
    };
    Ok((
        IntakeOutcome {
            response,
            created: true,
        },
        last,
    ))
}

/// The station's next free reference of the day, passing over numbers an item already uses.
async fn fresh_reference(
    c: &mut PgConnection,
    station: &str,
    prefix: &str,
    day: NaiveDate,
) -> Result<String, HubStoreError> {
    let day_key = day.format("%Y%m%d").to_string();
    loop {
        let number: i64 = query::<Postgres>(
            "INSERT INTO ref_counters (prefix, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (prefix, day) DO UPDATE SET last = ref_counters.last + 1 RETURNING last",
        )
        .bind(prefix)
        .bind(&day_key)
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
        let number = u32::try_from(number)
            .map_err(|_| HubStoreError::Corrupt(format!("reference counter {number}")))?;
        let reference = decide::hub_reference(prefix, day, number);
        if !reference_taken(c, station, &reference).await? {
            return Ok(reference);
        }
    }
}

async fn reference_taken(
    c: &mut PgConnection,
    station: &str,
    reference: &str,
) -> Result<bool, HubStoreError> {
    Ok(
        query::<Postgres>("SELECT 1 FROM incidents WHERE station = $1 AND ref = $2")
            .bind(station)
            .bind(reference)
            .fetch_optional(&mut *c)
            .await?
            .is_some(),
    )
}

/// The station's items received at or after `since`, oldest first.
async fn received_since(
    c: &mut PgConnection,
    station: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Incident>, HubStoreError> {
    let rows = query::<Postgres>(
        "SELECT body FROM incidents WHERE station = $1 AND received_at >= $2::TIMESTAMPTZ
         ORDER BY received_at, ref",
    )
    .bind(station)
    .bind(since.to_rfc3339())
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| parse("item", &r.try_get::<String, _>(0)?))
        .collect()
}

/// Validates and records a station's events; returns the last sequence written.
pub(super) async fn push(
    pool: &PgPool,
    push: &Push,
) -> Result<(Vec<PushOutcome>, Option<i64>), HubStoreError> {
    let mut tx = begin(pool).await?;
    let prefix: Option<String> = query::<Postgres>("SELECT prefix FROM stations WHERE id = $1")
        .bind(&push.station)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    let mut outcomes = Vec::with_capacity(push.events.len());
    let mut last = None;
    for event in &push.events {
        let state = gather(&mut tx, &push.station, prefix.as_deref(), event).await?;
        let id = event.id;
        outcomes.push(match decide_push(&push.station, state, event, push.now) {
            Verdict::Duplicate { seq } => PushOutcome::Duplicate { id, seq },
            Verdict::Reject { code, reason } => PushOutcome::Rejected { id, code, reason },
            Verdict::Accept {
                incident,
                new,
                police,
            } => {
                let seq = insert_event(&mut tx, event, &push.station).await?;
                last = Some(seq);
                if let Some(incident) = &incident {
                    save_incident(&mut tx, incident, new).await?;
                }
                if police {
                    to_police(&mut tx, event.incident).await?;
                }
                PushOutcome::Accepted { id, seq }
            }
        });
    }
    if let Some(head) = &push.head {
        link_head(&mut tx, &push.station, head).await?;
    }
    finish(tx, last).await?;
    Ok((outcomes, last))
}

/// What the decider needs to know about `event`'s item.
async fn gather(
    c: &mut PgConnection,
    station: &str,
    prefix: Option<&str>,
    event: &Event,
) -> Result<ItemState, HubStoreError> {
    let mut state = ItemState {
        prefix: prefix.map(str::to_string),
        ..ItemState::default()
    };
    let known = query::<Postgres>("SELECT seq, station FROM events WHERE id = $1")
        .bind(event.id.to_string())
        .fetch_optional(&mut *c)
        .await?;
    if let Some(r) = known {
        state.known = Some((r.try_get(0)?, r.try_get(1)?));
        return Ok(state);
    }
    if is_station_event(event) {
        return Ok(state);
    }
    state.incident = load_incident(c, event.incident).await?;
    if let EventKind::Received(r) = &event.kind
        && needs_reference_check(event, state.incident.as_ref())
    {
        state.reference_taken = reference_taken(c, station, &r.reference).await?;
    }
    if needs_claimer(event, state.incident.as_ref()) {
        state.claimed_by = claimer(c, event.incident).await?;
    }
    Ok(state)
}

/// The actor of the item's latest claim.
async fn claimer(
    c: &mut PgConnection,
    incident: IncidentId,
) -> Result<Option<Actor>, HubStoreError> {
    let row = query::<Postgres>(
        "SELECT body FROM events WHERE incident = $1 AND kind = 'claimed' ORDER BY seq DESC LIMIT 1",
    )
    .bind(incident.to_string())
    .fetch_optional(&mut *c)
    .await?;
    Ok(match row {
        Some(r) => serde_json::from_str::<Event>(&r.try_get::<String, _>(0)?)
            .ok()
            .map(|e| e.actor),
        None => None,
    })
}

async fn to_police(c: &mut PgConnection, incident: IncidentId) -> Result<(), HubStoreError> {
    query::<Postgres>(
        "INSERT INTO police_feed (seq, incident)
         SELECT COALESCE(MAX(seq), 0) + 1, $1 FROM police_feed
         ON CONFLICT (incident) DO NOTHING",
    )
    .bind(incident.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Stores an event at the next sequence number and links it into the chain.
async fn insert_event(
    c: &mut PgConnection,
    event: &Event,
    station: &str,
) -> Result<i64, HubStoreError> {
    let body = serde_json::to_string(event)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode an event: {e}")))?;
    let seq: i64 = query::<Postgres>(
        "INSERT INTO events (seq, id, incident, station, kind, body)
         SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5 FROM events RETURNING seq",
    )
    .bind(event.id.to_string())
    .bind(event.incident.to_string())
    .bind(station)
    .bind(event.kind.name())
    .bind(&body)
    .fetch_one(&mut *c)
    .await?
    .try_get(0)?;
    let link = Link::Event {
        seq,
        station: station.to_string(),
        digest: digest(&body),
    };
    append(c, station, &link).await?;
    Ok(seq)
}

async fn save_incident(
    c: &mut PgConnection,
    incident: &Incident,
    new: bool,
) -> Result<(), HubStoreError> {
    let body = serde_json::to_string(incident)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode an item: {e}")))?;
    let status = incident.status.code();
    if new {
        query::<Postgres>(
            "INSERT INTO incidents (id, station, ref, status, body, received_at)
             VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ)",
        )
        .bind(incident.id.to_string())
        .bind(&incident.station)
        .bind(&incident.reference)
        .bind(status)
        .bind(body)
        .bind(incident.received_at.to_rfc3339())
        .execute(&mut *c)
        .await?;
    } else {
        query::<Postgres>("UPDATE incidents SET status = $2, body = $3 WHERE id = $1")
            .bind(incident.id.to_string())
            .bind(status)
            .bind(body)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Appends one link to the hub's chain; returns its position.
async fn append(c: &mut PgConnection, station: &str, link: &Link) -> Result<i64, HubStoreError> {
    let prev = query::<Postgres>("SELECT pos, hash FROM chain ORDER BY pos DESC LIMIT 1")
        .fetch_optional(&mut *c)
        .await?;
    let (pos, prev_hash) = match prev {
        Some(r) => (r.try_get::<i64, _>(0)? + 1, r.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let body = serde_json::to_string(link)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode a chain link: {e}")))?;
    let hash = link_hash(&prev_hash, &body);
    query::<Postgres>(
        "INSERT INTO chain (pos, kind, station, seq, body, hash) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(pos)
    .bind(link.kind())
    .bind(station)
    .bind(link.seq())
    .bind(body)
    .bind(hash)
    .execute(&mut *c)
    .await?;
    Ok(pos)
}

/// Links the head a station reported, unless it is the one it reported last.
async fn link_head(
    c: &mut PgConnection,
    station: &str,
    head: &ChainHead,
) -> Result<(), HubStoreError> {
    let last = reported_heads(c, station, i64::MAX, 1, true).await?;
    if last.first().is_some_and(|h| &h.head == head) {
        return Ok(());
    }
    let link = Link::Head {
        station: station.to_string(),
        head: head.clone(),
    };
    append(c, station, &link).await.map(drop)
}

/// The heads `station` reported: after link `from` in chain order, or (`newest`) before it,
/// newest first.
pub(super) async fn reported_heads(
    c: &mut PgConnection,
    station: &str,
    from: i64,
    limit: usize,
    newest: bool,
) -> Result<Vec<ReportedHead>, HubStoreError> {
    let sql = if newest {
        "SELECT pos, body FROM chain WHERE kind = 'head' AND station = $1 AND pos < $2 ORDER BY pos DESC LIMIT $3"
    } else {
        "SELECT pos, body FROM chain WHERE kind = 'head' AND station = $1 AND pos > $2 ORDER BY pos LIMIT $3"
    };
    let rows = query::<Postgres>(sql)
        .bind(station)
        .bind(from)
        .bind(limit as i64)
        .fetch_all(&mut *c)
        .await?;
    rows.iter()
        .map(|r| head_of(r.try_get(0)?, &r.try_get::<String, _>(1)?))
        .collect()
}
