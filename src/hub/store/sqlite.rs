//! The SQLite backend: one file, WAL, a single group-committing writer thread and a small pool of
//! read connections.

use super::recent::Recent;
use super::wake::Wake;
use super::writer::{self, Job};
use super::{
    Credential, EventPage, HubStore, HubStoreError, IntakeOutcome, NewIntake, PolicePage, Push,
    Role, Route, RouteKind, StationRecord, migrations,
};
use super::{chain, queries};
use crate::domain::{Incident, IncidentId};
use crate::protocol::{HubIdentity, PushOutcome, ReportedHead, SeqEvent, Stats};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::thread::JoinHandle;
use tokio::sync::watch;

/// The database file's name inside the hub directory.
pub const HUB_DB_FILE: &str = "hub.db";

const READERS: usize = 4;
/// Recent events kept in memory per station.
const RECENT_PER_STATION: usize = 2048;

/// The hub's SQLite store.
pub struct SqliteHubStore {
    path: PathBuf,
    jobs: Option<mpsc::Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    seq: watch::Receiver<i64>,
    recent: Arc<RwLock<Recent>>,
    wake: Arc<Wake>,
    identity: HubIdentity,
}

fn open_conn(path: &Path) -> Result<Connection, HubStoreError> {
    let open_err = |e: rusqlite::Error| HubStoreError::Open {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    crate::sqlite::open_durable(path).map_err(open_err)
}

impl SqliteHubStore {
    /// Opens (creating if needed) the hub database in `dir`.
    pub fn open_dir(dir: &Path) -> Result<SqliteHubStore, HubStoreError> {
        std::fs::create_dir_all(dir).map_err(|e| HubStoreError::Open {
            path: dir.display().to_string(),
            detail: e.to_string(),
        })?;
        SqliteHubStore::open(&dir.join(HUB_DB_FILE))
    }

    /// Opens (creating if needed) the hub database at `path`, running migrations.
    pub fn open(path: &Path) -> Result<SqliteHubStore, HubStoreError> {
        SqliteHubStore::open_capped(path, None)
    }

    /// Opens the hub database with its file held to at most `max_pages` pages (a quota): a write
    /// beyond it fails exactly as on a full disk.
    pub fn open_capped(
        path: &Path,
        max_pages: Option<u64>,
    ) -> Result<SqliteHubStore, HubStoreError> {
        let mut conn = open_conn(path)?;
        migrations::run(&mut conn)?;
        chain::start(&mut conn)?;
        if let Some(pages) = max_pages {
            conn.pragma_update(None, "max_page_count", pages as i64)?;
        }
        let identity = open_identity(&conn)?;
        let last: i64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        let (seq_tx, seq_rx) = watch::channel(last);
        let (jobs_tx, jobs_rx) = mpsc::channel();
        let recent = Arc::new(RwLock::new(Recent::new(last, RECENT_PER_STATION)));
        let wake = Arc::new(Wake::default());
        let (for_writer, wake_for_writer) = (recent.clone(), wake.clone());
        let writer = std::thread::Builder::new()
            .name("hub-writer".into())
            .spawn(move || writer::run(conn, jobs_rx, seq_tx, &for_writer, &wake_for_writer))
            .map_err(|e| HubStoreError::Open {
                path: path.display().to_string(),
                detail: format!("cannot start the writer thread: {e}"),
            })?;
        let readers = (0..READERS)
            .map(|_| open_conn(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteHubStore {
            path: path.to_path_buf(),
            jobs: Some(jobs_tx),
            writer: Some(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            seq: seq_rx,
            recent,
            wake,
            identity,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HubStoreError>,
    ) -> Result<T, HubStoreError> {
        for slot in &self.readers {
            if let Ok(conn) = slot.try_lock() {
                return f(&conn);
            }
        }
        let n = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[n]
            .lock()
            .map_err(|_| HubStoreError::Corrupt("a reader connection was poisoned".into()))?;
        f(&conn)
    }

    /// Admin writes go through the single writer, in its transaction, like every other write.
    fn admin(
        &self,
        f: impl FnOnce(&Connection) -> Result<(), HubStoreError> + Send + 'static,
    ) -> Result<(), HubStoreError> {
        self.submit(|tx| Job::Admin(std::cell::Cell::new(Some(Box::new(f))), tx))
    }

    fn submit<T>(
        &self,
        make: impl FnOnce(mpsc::SyncSender<Result<T, HubStoreError>>) -> Job,
    ) -> Result<T, HubStoreError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let jobs = self.jobs.as_ref().ok_or(HubStoreError::WriterGone)?;
        jobs.send(make(tx)).map_err(|_| HubStoreError::WriterGone)?;
        rx.recv().map_err(|_| HubStoreError::WriterGone)?
    }
}

impl Drop for SqliteHubStore {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

impl HubStore for SqliteHubStore {
    fn add_station(&self, station: &StationRecord, token_hash: &str) -> Result<(), HubStoreError> {
        let (station, token_hash) = (station.clone(), token_hash.to_string());
        self.admin(move |c| {
            c.execute(
                "INSERT INTO stations (id, name, prefix, token_hash) VALUES (?1, ?2, ?3, ?4)",
                params![station.id, station.name, station.prefix, token_hash],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    HubStoreError::Exists(format!(
                        "a station with id {} or prefix {}",
                        station.id, station.prefix
                    ))
                } else {
                    e.into()
                }
            })?;
            Ok(())
        })
    }

    fn set_station_token(&self, id: &str, token_hash: &str) -> Result<(), HubStoreError> {
        let (id, token_hash) = (id.to_string(), token_hash.to_string());
        self.admin(move |c| {
            let n = c.execute(
                "UPDATE stations SET token_hash = ?2 WHERE id = ?1",
                params![id, token_hash],
            )?;
            if n == 0 {
                return Err(HubStoreError::Missing(format!("station {id}")));
            }
            Ok(())
        })
    }

    fn add_connector(&self, id: &str, role: Role, token_hash: &str) -> Result<(), HubStoreError> {
        let (id, token_hash) = (id.to_string(), token_hash.to_string());
        self.admin(move |c| {
            c.execute(
                "INSERT INTO connectors (id, role, token_hash) VALUES (?1, ?2, ?3)",
                params![id, role.code(), token_hash],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    HubStoreError::Exists(format!("connector {id}"))
                } else {
                    e.into()
                }
            })?;
            Ok(())
        })
    }

    fn credential(&self, station: bool, id: &str) -> Result<Option<Credential>, HubStoreError> {
        self.read(|c| {
            if station {
                Ok(
                    c.prepare_cached("SELECT token_hash FROM stations WHERE id = ?1")?
                        .query_row([id], |r| r.get::<_, String>(0))
                        .optional()?
                        .map(|token_hash| Credential {
                            id: id.to_string(),
                            role: Role::Station,
                            token_hash,
                        }),
                )
            } else {
                let row: Option<(String, String)> = c
                    .prepare_cached("SELECT role, token_hash FROM connectors WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                row.map(|(role, token_hash)| {
                    let role = Role::parse(&role)
                        .ok_or_else(|| HubStoreError::Corrupt(format!("connector role {role}")))?;
                    Ok(Credential {
                        id: id.to_string(),
                        role,
                        token_hash,
                    })
                })
                .transpose()
            }
        })
    }

    fn station(&self, id: &str) -> Result<Option<StationRecord>, HubStoreError> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT id, name, prefix FROM stations WHERE id = ?1")?
                    .query_row([id], |r| {
                        Ok(StationRecord {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            prefix: r.get(2)?,
                        })
                    })
                    .optional()?,
            )
        })
    }

    fn stations(&self) -> Result<Vec<StationRecord>, HubStoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id, name, prefix FROM stations ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok(StationRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    prefix: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn put_route(&self, route: &Route) -> Result<(), HubStoreError> {
        let route = route.clone();
        self.admin(move |c| {
            let known: Option<String> = c
                .query_row(
                    "SELECT id FROM stations WHERE id = ?1",
                    [&route.station],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_none() {
                return Err(HubStoreError::Missing(format!("station {}", route.station)));
            }
            c.execute(
                "INSERT INTO routes (kind, key, station) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, key) DO UPDATE SET station = excluded.station",
                params![route.kind.code(), route.key, route.station],
            )?;
            Ok(())
        })
    }

    fn routes(&self) -> Result<Vec<Route>, HubStoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT kind, key, station FROM routes ORDER BY kind, key")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (kind, key, station) = row?;
                let kind = match kind.as_str() {
                    "grid" => RouteKind::Grid,
                    _ => RouteKind::Community,
                };
                out.push(Route { kind, key, station });
            }
            Ok(out)
        })
    }

    fn route(&self, kind: RouteKind, key: &str) -> Result<Option<String>, HubStoreError> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT station FROM routes WHERE kind = ?1 AND key = ?2")?
                    .query_row(params![kind.code(), key], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn intake(&self, intake: NewIntake) -> Result<IntakeOutcome, HubStoreError> {
        self.submit(|tx| Job::Intake(Box::new(intake), tx))
    }

    fn push(&self, push: Push) -> Result<Vec<PushOutcome>, HubStoreError> {
        self.submit(|tx| Job::Push(Box::new(push), tx))
    }

    fn events_after(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<EventPage, HubStoreError> {
        if let Some(page) = self.events_in_memory(station, after, limit) {
            return Ok(page);
        }
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, body FROM events WHERE station = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![station, after, (limit + 1) as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, body) = row?;
                events.push(SeqEvent {
                    seq,
                    event: queries::parse_event(&body)?,
                });
            }
            let more = events.len() > limit;
            events.truncate(limit);
            Ok(EventPage { events, more })
        })
    }

    fn incident(&self, id: IncidentId) -> Result<Option<(Incident, Vec<SeqEvent>)>, HubStoreError> {
        self.read(|c| {
            let Some(incident) = writer::load_incident(c, id)? else {
                return Ok(None);
            };
            Ok(Some((incident, queries::events_of(c, id)?)))
        })
    }

    fn police_feed(&self, after: i64, limit: usize) -> Result<PolicePage, HubStoreError> {
        self.read(|c| queries::police_feed(c, after, limit))
    }

    fn police_ack(
        &self,
        id: IncidentId,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HubStoreError> {
        self.submit(|tx| Job::PoliceAck(id, by.to_string(), at, tx))
    }

    fn stats(&self) -> Result<Stats, HubStoreError> {
        self.read(queries::stats)
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        let mut rx = self.seq.clone();
        rx.mark_unchanged();
        rx
    }

    fn subscribe_station(&self, station: &str) -> watch::Receiver<i64> {
        let mut rx = self.wake.subscribe(station);
        rx.mark_unchanged();
        rx
    }

    fn events_in_memory(&self, station: &str, after: i64, limit: usize) -> Option<EventPage> {
        self.recent.read().ok()?.read(station, after, limit)
    }

    fn identity(&self) -> HubIdentity {
        self.identity.clone()
    }

    fn reported_heads(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ReportedHead>, HubStoreError> {
        self.read(|c| chain::reported_heads(c, station, after, limit, false))
    }

    fn all_events(&self, after: i64, limit: usize) -> Result<Vec<SeqEvent>, HubStoreError> {
        self.read(|c| queries::all_events(c, after, limit))
    }
}

/// Opens the hub database in `dir` for reading only (no migration, no write, the epoch left as
/// it is): for verifying and reporting on a hub's database, even a copy on read-only media.
pub fn open_read_only(dir: &Path) -> Result<Connection, HubStoreError> {
    let path = dir.join(HUB_DB_FILE);
    if !path.exists() {
        return Err(HubStoreError::Open {
            path: path.display().to_string(),
            detail: "there is no hub database here (check --hub-dir)".into(),
        });
    }
    crate::sqlite::open_read_only(&path).map_err(|e| HubStoreError::Open {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// Makes the hub's identity on first opening and counts this opening's epoch.
fn open_identity(conn: &Connection) -> Result<HubIdentity, HubStoreError> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    conn.execute(
        "INSERT INTO hub_meta (key, value) VALUES ('id', ?1) ON CONFLICT (key) DO NOTHING",
        [hex::encode(bytes)],
    )?;
    let epoch: String = conn.query_row(
        "INSERT INTO hub_meta (key, value) VALUES ('epoch', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value",
        [],
        |r| r.get(0),
    )?;
    let id: String = conn.query_row("SELECT value FROM hub_meta WHERE key = 'id'", [], |r| {
        r.get(0)
    })?;
    let epoch = epoch
        .parse()
        .map_err(|_| HubStoreError::Corrupt(format!("hub epoch {epoch}")))?;
    Ok(HubIdentity { id, epoch })
}
