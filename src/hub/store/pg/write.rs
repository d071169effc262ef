//! Intakes and pushes of the PostgreSQL backend, each inside a [`Batch`]: one transaction
//! holding the hub's advisory lock, shared by whatever arrived together. The decider says what
//! to record; this only gathers its state and persists its answer.

use super::super::chain::{Link, head_of};
use super::super::repeats::key_texts;
use super::super::{HubStoreError, IntakeOutcome, NewIntake, Push};
use super::batch::{Batch, insert_repeat_keys};
use super::read::{load_incident, parse};
use crate::domain::{Actor, Event, EventKind, Incident, IncidentId};
use crate::hub::decide::{
    self, IntakeInput, ItemState, REPEAT_WINDOW, Verdict, decide_push, is_station_event,
    needs_claimer, needs_reference_check,
};
use crate::protocol::{ChainHead, IntakeResponse, PushOutcome, ReportedHead};
use chrono::{DateTime, Utc};
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_postgres::{PgConnection, Postgres};

/// Records an intake once per (connector, source, source_ref) within `b`.
pub(super) async fn intake(
    b: &mut Batch,
    intake: &NewIntake,
) -> Result<IntakeOutcome, HubStoreError> {
    let req = &intake.request;
    let key = (
        intake.actor.operator.clone(),
        req.source.code().to_string(),
        req.source_ref.clone(),
    );
    if let Some(response) = b.taken_in(&key) {
        return Ok(IntakeOutcome {
            response: response.clone(),
            created: false,
        });
    }
    let station = &intake.station;
    let day_key = intake.day.format("%Y%m%d").to_string();
    let mut number = b.counter(&station.prefix, &day_key).await?;
    let reference = loop {
        number += 1;
        let n = u32::try_from(number)
            .map_err(|_| HubStoreError::Corrupt(format!("reference counter {number}")))?;
        let reference = decide::hub_reference(&station.prefix, intake.day, n);
        match known_or_taken(b, &key, &station.id, &reference).await? {
            Lookup::Known(response) => {
                return Ok(IntakeOutcome {
                    response,
                    created: false,
                });
            }
            Lookup::Taken => continue,
            Lookup::Free if b.made_uses(&station.id, &reference) => continue,
            Lookup::Free => break reference,
        }
    };
    b.set_counter(&station.prefix, &day_key, number);
    let recent = if names_a_caller(req) {
        let since = intake.now - REPEAT_WINDOW;
        let keys = key_texts(req.phone.as_deref(), req.address.as_deref());
        let mut recent = candidates(&mut b.tx, &station.id, &keys, since).await?;
        recent.extend(b.made_since(&station.id, since).cloned());
        recent.sort_by(|x, y| (x.received_at, &x.reference).cmp(&(y.received_at, &y.reference)));
        recent
    } else {
        Vec::new()
    };
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
    for event in &plan.events {
        b.event(event, &station.id)?;
    }
    let link = Link::Intake {
        connector: key.0.clone(),
        source: key.1.clone(),
        source_ref: key.2.clone(),
        incident: plan.id.to_string(),
    };
    let response = IntakeResponse {
        id: plan.id,
        reference: plan.reference,
        station: station.id.clone(),
    };
    b.made(&plan.incident, key, response.clone())?;
    b.link(&station.id, &link)?;
    Ok(IntakeOutcome {
        response,
        created: true,
    })
}

/// Whether an intake gives a phone or an address, the only things a repeat call is found by.
fn names_a_caller(req: &crate::protocol::IntakeRequest) -> bool {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    given(&req.phone) || given(&req.address)
}

/// What the database says of an intake's key and the reference it would get.
enum Lookup {
    Known(IntakeResponse),
    Taken,
    Free,
}

/// One round trip: the answer already given for this key, or whether `reference` is in use.
async fn known_or_taken(
    b: &mut Batch,
    key: &(String, String, String),
    station: &str,
    reference: &str,
) -> Result<Lookup, HubStoreError> {
    let rows = query::<Postgres>(
        "SELECT k.incident, i.station, i.ref, FALSE FROM intake_keys k
           JOIN incidents i ON i.id = k.incident
          WHERE k.connector = $1 AND k.source = $2 AND k.source_ref = $3
         UNION ALL
         SELECT NULL, NULL, NULL, EXISTS (SELECT 1 FROM incidents WHERE station = $4 AND ref = $5)",
    )
    .bind(&key.0)
    .bind(&key.1)
    .bind(&key.2)
    .bind(station)
    .bind(reference)
    .fetch_all(&mut *b.tx)
    .await?;
    let mut taken = false;
    for r in &rows {
        if let Some(id) = r.try_get::<Option<String>, _>(0)? {
            let id = IncidentId::parse(&id)
                .ok_or_else(|| HubStoreError::Corrupt(format!("intake key names item {id}")))?;
            return Ok(Lookup::Known(IntakeResponse {
                id,
                station: r.try_get(1)?,
                reference: r.try_get(2)?,
            }));
        }
        taken |= r.try_get::<bool, _>(3)?;
    }
    Ok(if taken { Lookup::Taken } else { Lookup::Free })
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

/// The station's items received at or after `since` that may share one of `keys` (its phone or
/// address), oldest first: found by the repeat keys, or every item of the window when it
/// reaches back before the keys were kept. The shared planner decides which are repeats.
async fn candidates(
    c: &mut PgConnection,
    station: &str,
    keys: &[String],
    since: DateTime<Utc>,
) -> Result<Vec<Incident>, HubStoreError> {
    let rows = query::<Postgres>(
        "SELECT body FROM incidents i
          WHERE i.station = $1 AND i.received_at >= $2::TIMESTAMPTZ
            AND ($2::TIMESTAMPTZ < (SELECT MAX(since) FROM repeat_keys_since)
                 OR i.id IN (SELECT incident FROM repeat_keys
                              WHERE station = $1 AND key = ANY($3)
                                AND received_at >= $2::TIMESTAMPTZ))
          ORDER BY i.received_at, i.ref",
    )
    .bind(station)
    .bind(since.to_rfc3339())
    .bind(keys)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| parse("item", &r.try_get::<String, _>(0)?))
        .collect()
}

/// Validates and records a station's events within `b`. Rows that wait are written before each
/// event is judged, so the decider sees every earlier event of the transaction.
pub(super) async fn push(b: &mut Batch, push: &Push) -> Result<Vec<PushOutcome>, HubStoreError> {
    let prefix: Option<String> = query::<Postgres>("SELECT prefix FROM stations WHERE id = $1")
        .bind(&push.station)
        .fetch_optional(&mut *b.tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    let mut outcomes = Vec::with_capacity(push.events.len());
    for event in &push.events {
        b.flush().await?;
        let state = gather(&mut b.tx, &push.station, prefix.as_deref(), event).await?;
        let id = event.id;
        outcomes.push(match decide_push(&push.station, state, event, push.now) {
            Verdict::Duplicate { seq } => PushOutcome::Duplicate { id, seq },
            Verdict::Reject { code, reason } => PushOutcome::Rejected { id, code, reason },
            Verdict::Accept {
                incident,
                new,
                police,
            } => {
                let seq = b.event(event, &push.station)?;
                if let Some(incident) = &incident {
                    save_incident(&mut b.tx, incident, new).await?;
                }
                if police {
                    to_police(&mut b.tx, event.incident).await?;
                }
                PushOutcome::Accepted { id, seq }
            }
        });
    }
    if let Some(head) = &push.head {
        b.flush().await?;
        link_head(b, &push.station, head).await?;
    }
    Ok(outcomes)
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
        let keys = key_texts(incident.phone.as_deref(), incident.address.as_deref());
        if !keys.is_empty() {
            let n = keys.len();
            let columns = [
                vec![incident.station.clone(); n],
                keys,
                vec![incident.received_at.to_rfc3339(); n],
                vec![incident.id.to_string(); n],
            ];
            insert_repeat_keys(c, columns).await?;
        }
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

/// Links the head a station reported, unless it is the one it reported last.
async fn link_head(b: &mut Batch, station: &str, head: &ChainHead) -> Result<(), HubStoreError> {
    let last = reported_heads(&mut b.tx, station, i64::MAX, 1, true).await?;
    if last.first().is_some_and(|h| &h.head == head) {
        return Ok(());
    }
    let link = Link::Head {
        station: station.to_string(),
        head: head.clone(),
    };
    b.link(station, &link)
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
