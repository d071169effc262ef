//! The single writer: one thread owns the write connection, takes jobs from a channel and
//! commits them in groups (one fsync for many requests). Each job runs inside its own savepoint,
//! so one failing job never undoes another; watchers are woken after each commit. Admin writes
//! (stations, connectors, routes) come through here too, so nothing writes beside the writer.

use super::push;
use super::recent::Recent;
use super::repeats::Repeats;
use super::wake::Wake;
use super::{HubStoreError, IntakeOutcome, NewIntake, StationRecord};
use crate::domain::{Event, Incident, IncidentId, Status};
use crate::hub::decide::{IntakeInput, REPEAT_WINDOW, hub_reference, plan_intake};
use crate::protocol::{IntakeResponse, PushOutcome, SeqEvent};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{RwLock, mpsc};
use tokio::sync::watch;

/// Most jobs committed together.
const GROUP_MAX: usize = 512;

/// Work for the writer, with where to send the answer.
pub(super) enum Job {
    Intake(
        Box<NewIntake>,
        mpsc::SyncSender<Result<IntakeOutcome, HubStoreError>>,
    ),
    Push(
        Box<push::Push>,
        mpsc::SyncSender<Result<Vec<PushOutcome>, HubStoreError>>,
    ),
    /// A change to stations, connectors or routes, run in the writer's transaction like any other.
    Admin(
        Cell<Option<AdminWrite>>,
        mpsc::SyncSender<Result<(), HubStoreError>>,
    ),
    /// The police took an item: incident, by whom, when.
    PoliceAck(
        IncidentId,
        String,
        DateTime<Utc>,
        mpsc::SyncSender<Result<bool, HubStoreError>>,
    ),
}

/// An admin write: run once, on the writer's connection.
pub(super) type AdminWrite = Box<dyn FnOnce(&Connection) -> Result<(), HubStoreError> + Send>;

/// Events written by a job: station and event with its sequence number.
pub(super) type Fresh = Vec<(String, SeqEvent)>;

/// Runs until every sender is gone.
pub(super) fn run(
    mut conn: Connection,
    jobs: mpsc::Receiver<Job>,
    seq: watch::Sender<i64>,
    recent: &RwLock<Recent>,
    wake: &Wake,
) {
    let mut repeats = Repeats::default();
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&mut conn, group, &seq, (recent, wake), &mut repeats);
    }
}

enum Answer {
    Intake(Result<IntakeOutcome, HubStoreError>),
    Push(Result<Vec<PushOutcome>, HubStoreError>),
    Admin(Result<(), HubStoreError>),
    PoliceAck(Result<bool, HubStoreError>),
}

fn commit_group(
    conn: &mut Connection,
    group: Vec<Job>,
    seq: &watch::Sender<i64>,
    (recent, wake): (&RwLock<Recent>, &Wake),
    repeats: &mut Repeats,
) {
    let began = conn.execute_batch("BEGIN IMMEDIATE");
    let mut answers = Vec::with_capacity(group.len());
    let mut fresh = Fresh::new();
    if began.is_ok() {
        for job in &group {
            // A full disk makes SQLite roll the whole transaction back: nothing more runs in it.
            if conn.is_autocommit() {
                break;
            }
            answers.push(run_job(conn, job, &mut fresh, repeats));
        }
    }
    let fault = answers.iter().find_map(Answer::write_fault);
    let committed = began.and_then(|()| conn.execute_batch("COMMIT"));
    if committed.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    if committed.is_ok() {
        // The stations this group wrote to, each with its last sequence: only their polls wake.
        let mut touched: HashMap<String, i64> = HashMap::new();
        for (station, event) in &fresh {
            let last = touched.entry(station.clone()).or_default();
            *last = (*last).max(event.seq);
        }
        if let Ok(mut r) = recent.write() {
            for (station, event) in fresh {
                r.add(&station, event);
            }
        }
        let last: Option<i64> = conn
            .prepare_cached("SELECT MAX(seq) FROM events")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .unwrap_or(None);
        seq.send_if_modified(|s| {
            let new = last.unwrap_or(0);
            let changed = new != *s;
            *s = new;
            changed
        });
        for (station, last) in &touched {
            wake.notify(station, *last);
        }
    }
    let mut answers = answers.into_iter();
    for job in group {
        let answer = if committed.is_ok() {
            answers.next()
        } else {
            None
        };
        // A requester that went away (timed out) no longer needs its answer.
        match (job, answer) {
            (Job::Intake(_, reply), Some(Answer::Intake(a))) => {
                let _ = reply.send(a);
            }
            (Job::Push(_, reply), Some(Answer::Push(a))) => {
                let _ = reply.send(a);
            }
            (Job::PoliceAck(.., reply), Some(Answer::PoliceAck(a))) => {
                let _ = reply.send(a);
            }
            (Job::Admin(_, reply), Some(Answer::Admin(a))) => {
                let _ = reply.send(a);
            }
            (Job::Admin(_, reply), _) => {
                let _ = reply.send(Err(commit_error(&committed, fault.as_ref())));
            }
            (Job::PoliceAck(.., reply), _) => {
                let _ = reply.send(Err(commit_error(&committed, fault.as_ref())));
            }
            (Job::Intake(_, reply), _) => {
                let _ = reply.send(Err(commit_error(&committed, fault.as_ref())));
            }
            (Job::Push(_, reply), _) => {
                let _ = reply.send(Err(commit_error(&committed, fault.as_ref())));
            }
        }
    }
}

/// Why a group was not committed: the full or unwritable disk a job met, else the commit's error.
fn commit_error(r: &Result<(), rusqlite::Error>, fault: Option<&HubStoreError>) -> HubStoreError {
    match (fault.and_then(HubStoreError::write_fault), r) {
        (Some(told), _) => told,
        (None, Err(e)) => HubStoreError::failed_commit(e),
        (None, Ok(())) => HubStoreError::WriterGone,
    }
}

impl Answer {
    fn write_fault(&self) -> Option<HubStoreError> {
        match self {
            Answer::Intake(Err(e))
            | Answer::PoliceAck(Err(e))
            | Answer::Push(Err(e))
            | Answer::Admin(Err(e)) => e.write_fault(),
            _ => None,
        }
    }
}

fn run_job(conn: &Connection, job: &Job, fresh: &mut Fresh, repeats: &mut Repeats) -> Answer {
    let mut mine = Fresh::new();
    let answer = match job {
        Job::Intake(intake, _) => {
            let r = in_savepoint(conn, || intake_one(conn, intake, &mut mine, repeats));
            let ok = r.is_ok();
            (Answer::Intake(r), ok)
        }
        Job::Push(push, _) => {
            let r = in_savepoint(conn, || push::push_all(conn, push, &mut mine));
            let ok = r.is_ok();
            (Answer::Push(r), ok)
        }
        Job::Admin(write, _) => {
            let r = match write.take() {
                Some(write) => in_savepoint(conn, || write(conn)),
                None => Err(HubStoreError::WriterGone),
            };
            (Answer::Admin(r), false)
        }
        Job::PoliceAck(id, by, at, _) => (Answer::PoliceAck(police_ack(conn, *id, by, *at)), true),
    };
    if answer.1 {
        repeats.note(mine.iter().map(|(s, e)| (s.as_str(), &e.event)));
        fresh.extend(mine);
    }
    answer.0
}

/// Runs `f` inside a savepoint: kept when it succeeds, undone when it fails.
fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, HubStoreError>,
) -> Result<T, HubStoreError> {
    let run = |sql: &str| conn.prepare_cached(sql).and_then(|mut s| s.execute([]));
    run("SAVEPOINT job")?;
    match f() {
        Ok(v) => {
            run("RELEASE job")?;
            Ok(v)
        }
        // SQLite already rolled the whole transaction back (a full disk): tell the first error.
        Err(e) if conn.is_autocommit() => Err(e),
        Err(e) => {
            run("ROLLBACK TO job")?;
            run("RELEASE job")?;
            Err(e)
        }
    }
}

fn intake_one(
    conn: &Connection,
    intake: &NewIntake,
    fresh: &mut Fresh,
    repeats: &mut Repeats,
) -> Result<IntakeOutcome, HubStoreError> {
    let req = &intake.request;
    let source = req.source.code();
    let connector = &intake.actor.operator;
    let known: Option<String> = conn
        .prepare_cached(
            "SELECT incident FROM intake_keys WHERE connector = ?1 AND source = ?2 AND source_ref = ?3",
        )?
        .query_row(params![connector, source, req.source_ref], |r| r.get(0))
        .optional()?;
    if let Some(id) = known {
        let (station, reference): (String, String) = conn
            .prepare_cached("SELECT station, ref FROM incidents WHERE id = ?1")?
            .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let id = IncidentId::parse(&id)
            .ok_or_else(|| HubStoreError::Corrupt(format!("intake key names item {id}")))?;
        return Ok(IntakeOutcome {
            response: IntakeResponse {
                id,
                reference,
                station,
            },
            created: false,
        });
    }
    let reference = fresh_reference(conn, &intake.station, intake.day)?;
    let recent = repeats.candidates(
        conn,
        &intake.station.id,
        req.phone.as_deref(),
        req.address.as_deref(),
        intake.now - REPEAT_WINDOW,
    )?;
    let plan = plan_intake(IntakeInput {
        request: req,
        station: &intake.station.id,
        triage: intake.triage.as_ref(),
        actor: &intake.actor,
        now: intake.now,
        reference,
        recent: &recent,
        drill: intake.drill,
    })
    .map_err(|e| HubStoreError::Corrupt(format!("intake event refused: {e}")))?;
    for event in &plan.events {
        insert_event(conn, event, &intake.station.id, fresh)?;
    }
    let (id, reference, incident) = (plan.id, plan.reference, plan.incident);
    save_incident(conn, &incident, true)?;
    conn.prepare_cached(
        "INSERT INTO intake_keys (connector, source, source_ref, incident) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![connector, source, req.source_ref, id.to_string()])?;
    let (station, incident) = (&intake.station.id, id.to_string());
    super::chain::link_intake(conn, station, connector, source, &req.source_ref, &incident)?;
    Ok(IntakeOutcome {
        response: IntakeResponse {
            id,
            reference,
            station: intake.station.id.clone(),
        },
        created: true,
    })
}

/// The station's next free reference of the day: numbers already used by an item (one a station
/// recorded before the hub refused such numbers) are passed over, never reused.
fn fresh_reference(
    conn: &Connection,
    station: &StationRecord,
    day: NaiveDate,
) -> Result<String, HubStoreError> {
    let day_key = day.format("%Y%m%d").to_string();
    loop {
        let number: u32 = conn
            .prepare_cached(
                "INSERT INTO ref_counters (prefix, day, last) VALUES (?1, ?2, 1)
                 ON CONFLICT (prefix, day) DO UPDATE SET last = last + 1 RETURNING last",
            )?
            .query_row(params![station.prefix, day_key], |r| r.get(0))?;
        let reference = hub_reference(&station.prefix, day, number);
        if !reference_taken(conn, &station.id, &reference)? {
            return Ok(reference);
        }
    }
}

fn reference_taken(
    conn: &Connection,
    station: &str,
    reference: &str,
) -> Result<bool, HubStoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM incidents WHERE station = ?1 AND ref = ?2")?
        .query_row(params![station, reference], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn insert_event(
    conn: &Connection,
    event: &Event,
    station: &str,
    fresh: &mut Fresh,
) -> Result<i64, HubStoreError> {
    let body = serde_json::to_string(event)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode an event: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO events (id, incident, station, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        event.id.to_string(),
        event.incident.to_string(),
        station,
        event.kind.name(),
        body
    ])?;
    let seq = conn.last_insert_rowid();
    super::chain::link_event(conn, seq, station, &body)?;
    fresh.push((
        station.to_string(),
        SeqEvent {
            seq,
            event: event.clone(),
        },
    ));
    Ok(seq)
}

pub(super) fn load_incident(
    conn: &Connection,
    id: IncidentId,
) -> Result<Option<Incident>, HubStoreError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM incidents WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    body.map(|b| {
        serde_json::from_str(&b).map_err(|e| HubStoreError::Corrupt(format!("item {id}: {e}")))
    })
    .transpose()
}

/// The station's items received at or after `since`, oldest first.
pub(super) fn received_since(
    conn: &Connection,
    station: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Incident>, HubStoreError> {
    // Stored times are RFC 3339 with a varying fraction: a second's slack keeps the text order
    // from dropping one; the planner applies the window exactly.
    let from = stored_time(since - chrono::TimeDelta::seconds(1))?;
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM incidents WHERE station = ?1 AND received_at >= ?2 ORDER BY received_at",
    )?;
    let rows = stmt.query_map(params![station, from], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        let body = body?;
        out.push(
            serde_json::from_str(&body)
                .map_err(|e| HubStoreError::Corrupt(format!("a stored item: {e}")))?,
        );
    }
    Ok(out)
}

/// A time as items store it (their JSON form).
pub(super) fn stored_time(at: DateTime<Utc>) -> Result<String, HubStoreError> {
    match serde_json::to_value(at) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(HubStoreError::Corrupt("cannot encode a time".into())),
    }
}

pub(super) fn save_incident(
    conn: &Connection,
    incident: &Incident,
    new: bool,
) -> Result<(), HubStoreError> {
    let body = serde_json::to_string(incident)
        .map_err(|e| HubStoreError::Corrupt(format!("cannot encode an item: {e}")))?;
    let status = incident.status.code();
    if new {
        conn.prepare_cached(
            "INSERT INTO incidents (id, station, ref, status, body, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            incident.id.to_string(),
            incident.station,
            incident.reference,
            status,
            body,
            stored_time(incident.received_at)?
        ])?;
    } else {
        conn.prepare_cached("UPDATE incidents SET status = ?2, body = ?3 WHERE id = ?1")?
            .execute(params![incident.id.to_string(), status, body])?;
    }
    Ok(())
}

/// Whether an item has left the station's hands.
pub(super) fn is_open(status: &str) -> bool {
    Status::parse(status).is_some_and(|s| !s.is_terminal())
}

fn police_ack(
    conn: &Connection,
    id: IncidentId,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, HubStoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE police_feed SET acked_at = COALESCE(acked_at, ?2), acked_by = COALESCE(acked_by, ?3)
             WHERE incident = ?1",
        )?
        .execute(params![id.to_string(), at.to_rfc3339(), by])?;
    Ok(n > 0)
}
