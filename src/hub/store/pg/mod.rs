//! The PostgreSQL backend, for a hub that outlives one machine and runs as several processes.
//! Writes take the hub's advisory lock for their transaction, so sequence numbers are handed out
//! in commit order; commits are announced with `NOTIFY` so every process wakes its long-polls.
//! The trait is blocking: each call runs on the store's own runtime.

mod admin_cache;
mod audit;
mod batch;
mod group;
mod import;
mod read;
mod tail;
mod write;

pub use audit::verify_chain_at;
pub use import::Copied;

use super::{
    Credential, EventPage, HubStore, HubStoreError, IntakeOutcome, NewIntake, PolicePage, Push,
    Role, Route, RouteKind, StationRecord,
};
use crate::domain::{Incident, IncidentId};
use crate::protocol::{HubIdentity, PushOutcome, ReportedHead, SeqEvent, Stats};
use chrono::{DateTime, Utc};
use sqlx_core::migrate::{Migration, MigrationType, Migrator};
use sqlx_core::query::query;
use sqlx_core::row::Row;
use sqlx_core::sql_str::SqlSafeStr;
use sqlx_postgres::{PgListener, PgPool, PgPoolOptions, Postgres};
use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, oneshot, watch};

/// The channel commits are announced on, with the last sequence as payload.
const CHANNEL: &str = "fenliu_hub_seq";
/// How often the last sequence and the epoch are read again, whatever the notifications said:
/// this covers a notification lost while the listener reconnected.
const RECHECK: Duration = Duration::from_secs(1);
/// Connections the pool keeps at most.
const POOL_SIZE: u32 = 16;

/// Whether `store` names a PostgreSQL database (`postgres://…` or `postgresql://…`).
pub fn is_postgres_url(store: &str) -> bool {
    store.starts_with("postgres://") || store.starts_with("postgresql://")
}

/// The hub's PostgreSQL store.
pub struct PgHubStore {
    runtime: Option<tokio::runtime::Runtime>,
    pool: PgPool,
    /// The last sequence whose events this process holds: what long-polls wake on.
    seq: watch::Sender<i64>,
    /// The last sequence committed, by this process or (as heard) another.
    announced: watch::Sender<i64>,
    tail: Arc<tail::Tail>,
    /// The hub's identity with the database's current epoch (every process opening counts one).
    identity: Arc<RwLock<HubIdentity>>,
    jobs: mpsc::UnboundedSender<group::Job>,
    /// Token hashes, stations and routes read lately, dropped on any announced change.
    admin: Arc<admin_cache::AdminCache>,
}

impl From<sqlx_core::Error> for HubStoreError {
    /// A database out of reach or out of space is not damage: told so, the caller retries.
    fn from(e: sqlx_core::Error) -> HubStoreError {
        use sqlx_core::Error as E;
        let sqlstate = e
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned()));
        match (&e, sqlstate.as_deref()) {
            (_, Some("53100")) => HubStoreError::DiskFull,
            // Insufficient resources, operator intervention, connection and system errors.
            (_, Some(c)) if ["53", "57", "08", "58"].iter().any(|p| c.starts_with(p)) => {
                HubStoreError::CannotWrite(e.to_string())
            }
            (E::Io(_) | E::PoolTimedOut | E::PoolClosed | E::Tls(_), _) => {
                HubStoreError::CannotWrite(e.to_string())
            }
            _ => HubStoreError::Postgres(e.to_string()),
        }
    }
}

fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            Cow::Borrowed("hub"),
            MigrationType::Simple,
            include_str!("migrations/0001_hub.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            Cow::Borrowed("repeat keys"),
            MigrationType::Simple,
            include_str!("migrations/0002_repeat_keys.sql").into_sql_str(),
            false,
        ),
    ])
}

impl PgHubStore {
    /// Connects to the database at `url`, brings its schema up to date and counts this
    /// opening's epoch.
    pub fn open(url: &str) -> Result<PgHubStore, HubStoreError> {
        let open_err = |detail: String| HubStoreError::Open {
            path: redact(url),
            detail,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hub-pg")
            .enable_all()
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let (pool, identity, last) = runtime
            .block_on(async {
                let pool = PgPoolOptions::new()
                    .max_connections(POOL_SIZE)
                    .test_before_acquire(false)
                    .connect(url)
                    .await?;
                migrator()
                    .run(&pool)
                    .await
                    .map_err(|e| sqlx_core::Error::Migrate(Box::new(e)))?;
                let identity = open_identity(&pool).await?;
                let last: i64 = query("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .fetch_one(&pool)
                    .await?
                    .try_get(0)?;
                Ok::<_, sqlx_core::Error>((pool, identity, last))
            })
            .map_err(|e| open_err(e.to_string()))?;
        let (seq, _) = watch::channel(last);
        let (announced, _) = watch::channel(last);
        let tail = Arc::new(tail::Tail::new(last));
        let identity = Arc::new(RwLock::new(identity));
        let recheck = Arc::new(Notify::new());
        runtime.spawn(tail::follow(
            pool.clone(),
            tail.clone(),
            announced.subscribe(),
            seq.clone(),
        ));
        let admin = Arc::new(admin_cache::AdminCache::default());
        runtime.spawn(listen(
            pool.clone(),
            announced.clone(),
            recheck.clone(),
            admin.clone(),
        ));
        runtime.spawn(follow(
            pool.clone(),
            announced.clone(),
            identity.clone(),
            recheck,
        ));
        let (jobs, queue) = mpsc::unbounded_channel();
        runtime.spawn(group::run(
            pool.clone(),
            queue,
            announced.clone(),
            seq.subscribe(),
        ));
        Ok(PgHubStore {
            runtime: Some(runtime),
            pool,
            seq,
            announced,
            tail,
            identity,
            jobs,
            admin,
        })
    }

    fn run<T>(
        &self,
        f: impl Future<Output = Result<T, HubStoreError>>,
    ) -> Result<T, HubStoreError> {
        match &self.runtime {
            Some(rt) => rt.block_on(f),
            None => Err(HubStoreError::WriterGone),
        }
    }

    /// Copies a district's SQLite hub (read through `src`) into this empty database: stations,
    /// connectors, routes, items and events with their sequences, the chain, the hub's identity
    /// and epoch. Consoles of the district carry on against it without a rebuild.
    pub fn import_sqlite(&self, src: &rusqlite::Connection) -> Result<Copied, HubStoreError> {
        let copied = self.run(import::import(&self.pool, src))?;
        self.committed(Some(copied.last_seq));
        Ok(copied)
    }

    /// Hands `job` to the writer and waits for its answer.
    fn write<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, HubStoreError>>) -> group::Job,
    ) -> Result<T, HubStoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(job(tx))
            .map_err(|_| HubStoreError::WriterGone)?;
        self.run(async { rx.await.map_err(|_| HubStoreError::WriterGone)? })
    }

    /// Wakes this process's watchers with `last`, if it is news.
    fn committed(&self, last: Option<i64>) {
        if let Some(last) = last {
            bump(&self.announced, last);
        }
    }
}

impl Drop for PgHubStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn bump(seq: &watch::Sender<i64>, last: i64) {
    seq.send_if_modified(|s| {
        let news = last > *s;
        if news {
            *s = last;
        }
        news
    });
}

/// Follows other processes' commits as they are announced; a payload that is no sequence (a
/// process opening, with a new epoch) asks for a re-read at once. An announced change of tokens,
/// stations or routes drops what `admin` kept. Reconnects for ever.
async fn listen(
    pool: PgPool,
    seq: watch::Sender<i64>,
    recheck: Arc<Notify>,
    admin: Arc<admin_cache::AdminCache>,
) {
    loop {
        if let Ok(mut listener) = PgListener::connect_with(&pool).await
            && listener
                .listen_all([CHANNEL, admin_cache::ADMIN_CHANNEL])
                .await
                .is_ok()
        {
            admin.forget_all();
            recheck.notify_one();
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) if n.channel() == admin_cache::ADMIN_CHANNEL => admin.forget_all(),
                    Ok(Some(n)) => match n.payload().parse() {
                        Ok(last) => bump(&seq, last),
                        Err(_) => recheck.notify_one(),
                    },
                    // The connection dropped and is made again: what came meanwhile is lost.
                    Ok(None) => {
                        admin.forget_all();
                        recheck.notify_one();
                    }
                    Err(_) => break,
                }
            }
        }
        admin.forget_all();
        tracing::warn!("the hub lost its listener for other processes' commits; reconnecting");
        recheck.notify_one();
        tokio::time::sleep(RECHECK).await;
    }
}

/// Reads the last sequence and the epoch every [`RECHECK`], and whenever asked.
async fn follow(
    pool: PgPool,
    seq: watch::Sender<i64>,
    identity: Arc<RwLock<HubIdentity>>,
    recheck: Arc<Notify>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(RECHECK) => {},
            _ = recheck.notified() => {},
        }
        let read = query::<Pg>(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events),
                    (SELECT value FROM hub_meta WHERE key = 'epoch')",
        )
        .fetch_one(&pool)
        .await;
        let Ok(row) = read else { continue };
        if let Ok(last) = row.try_get::<i64, _>(0) {
            bump(&seq, last);
        }
        let epoch = row.try_get::<Option<String>, _>(1).ok().flatten();
        if let Some(epoch) = epoch.and_then(|e| e.parse::<i64>().ok())
            && let Ok(mut id) = identity.write()
            && epoch > id.epoch
        {
            id.epoch = epoch;
        }
    }
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

async fn open_identity(pool: &PgPool) -> Result<HubIdentity, sqlx_core::Error> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    query("INSERT INTO hub_meta (key, value) VALUES ('id', $1) ON CONFLICT (key) DO NOTHING")
        .bind(hex::encode(bytes))
        .execute(pool)
        .await?;
    let epoch: String = query(
        "INSERT INTO hub_meta (key, value) VALUES ('epoch', '1')
         ON CONFLICT (key) DO UPDATE SET value = (hub_meta.value::BIGINT + 1)::TEXT RETURNING value",
    )
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    query("SELECT pg_notify($1, 'epoch')")
        .bind(CHANNEL)
        .execute(pool)
        .await?;
    let id: String = query("SELECT value FROM hub_meta WHERE key = 'id'")
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let epoch = epoch
        .parse()
        .map_err(|_| sqlx_core::Error::Protocol(format!("hub epoch {epoch}")))?;
    Ok(HubIdentity { id, epoch })
}

fn is_unique_violation(e: &sqlx_core::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.code().as_deref() == Some("23505"))
}

pub(super) fn station_of(r: &sqlx_postgres::PgRow) -> Result<StationRecord, sqlx_core::Error> {
    Ok(StationRecord {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        prefix: r.try_get(2)?,
    })
}

type Pg = Postgres;

impl HubStore for PgHubStore {
    fn add_station(&self, station: &StationRecord, token_hash: &str) -> Result<(), HubStoreError> {
        self.run(async {
            query::<Pg>(
                "INSERT INTO stations (id, name, prefix, token_hash) VALUES ($1, $2, $3, $4)",
            )
            .bind(&station.id)
            .bind(&station.name)
            .bind(&station.prefix)
            .bind(token_hash)
            .execute(&self.pool)
            .await
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
        let changed = self.run(async {
            let mut tx = self.pool.begin().await?;
            let n = query::<Pg>("UPDATE stations SET token_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(HubStoreError::Missing(format!("station {id}")));
            }
            admin_cache::announce(&mut tx).await?;
            tx.commit().await?;
            Ok(())
        });
        self.admin.forget_all();
        changed
    }

    fn add_connector(&self, id: &str, role: Role, token_hash: &str) -> Result<(), HubStoreError> {
        self.run(async {
            query::<Pg>("INSERT INTO connectors (id, role, token_hash) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(role.code())
                .bind(token_hash)
                .execute(&self.pool)
                .await
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
        if let Some(kept) = self.admin.credential(station, id) {
            return Ok(Some(kept));
        }
        let read_at = self.admin.generation();
        let read = self.run(read::credential(&self.pool, station, id))?;
        if let Some(c) = &read {
            self.admin.keep_credential(read_at, station, c);
        }
        Ok(read)
    }

    fn station(&self, id: &str) -> Result<Option<StationRecord>, HubStoreError> {
        if let Some(kept) = self.admin.station(id) {
            return Ok(Some(kept));
        }
        let read_at = self.admin.generation();
        let read = self.run(read::station(&self.pool, id))?;
        if let Some(s) = &read {
            self.admin.keep_station(read_at, s);
        }
        Ok(read)
    }

    fn route(&self, kind: RouteKind, key: &str) -> Result<Option<String>, HubStoreError> {
        if let Some(kept) = self.admin.route(kind.code(), key) {
            return Ok(kept);
        }
        let read_at = self.admin.generation();
        let read = self.run(read::route(&self.pool, kind, key))?;
        self.admin
            .keep_route(read_at, kind.code(), key, read.clone());
        Ok(read)
    }
    fn stations(&self) -> Result<Vec<StationRecord>, HubStoreError> {
        self.run(async {
            let rows = query::<Pg>("SELECT id, name, prefix FROM stations ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.iter().map(station_of).collect::<Result<_, _>>()?)
        })
    }

    fn put_route(&self, route: &Route) -> Result<(), HubStoreError> {
        let changed = self.run(async {
            let mut tx = self.pool.begin().await?;
            let known = query::<Pg>("SELECT id FROM stations WHERE id = $1")
                .bind(&route.station)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(HubStoreError::Missing(format!("station {}", route.station)));
            }
            query::<Pg>(
                "INSERT INTO routes (kind, key, station) VALUES ($1, $2, $3)
                 ON CONFLICT (kind, key) DO UPDATE SET station = excluded.station",
            )
            .bind(route.kind.code())
            .bind(&route.key)
            .bind(&route.station)
            .execute(&mut *tx)
            .await?;
            admin_cache::announce(&mut tx).await?;
            tx.commit().await?;
            Ok(())
        });
        self.admin.forget_all();
        changed
    }

    fn routes(&self) -> Result<Vec<Route>, HubStoreError> {
        self.run(async {
            let rows = query::<Pg>("SELECT kind, key, station FROM routes ORDER BY kind, key")
                .fetch_all(&self.pool)
                .await?;
            let mut out = Vec::new();
            for r in rows {
                let kind: String = r.try_get(0)?;
                let kind = match kind.as_str() {
                    "grid" => RouteKind::Grid,
                    _ => RouteKind::Community,
                };
                out.push(Route {
                    kind,
                    key: r.try_get(1)?,
                    station: r.try_get(2)?,
                });
            }
            Ok(out)
        })
    }

    fn intake(&self, intake: NewIntake) -> Result<IntakeOutcome, HubStoreError> {
        self.write(|tx| group::Job::Intake(Box::new(intake), tx))
    }

    fn push(&self, push: Push) -> Result<Vec<PushOutcome>, HubStoreError> {
        self.write(|tx| group::Job::Push(Box::new(push), tx))
    }

    fn events_after(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<EventPage, HubStoreError> {
        // A console that comes from another process may be ahead of what this one has heard:
        // read the last sequence now, so the page never tells it the hub is behind it.
        if after > *self.seq.borrow() {
            let last: i64 = self.run(async {
                Ok(query::<Pg>("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?)
            })?;
            bump(&self.announced, last);
            bump(&self.seq, last);
        }
        if let Some(page) = self.tail.read(station, after, limit) {
            return Ok(page);
        }
        self.run(read::events_after(&self.pool, station, after, limit))
    }

    fn incident(&self, id: IncidentId) -> Result<Option<(Incident, Vec<SeqEvent>)>, HubStoreError> {
        self.run(async {
            let mut c = self.pool.acquire().await?;
            let Some(incident) = read::load_incident(&mut c, id).await? else {
                return Ok(None);
            };
            Ok(Some((incident, read::events_of(&mut c, id).await?)))
        })
    }

    fn police_feed(&self, after: i64, limit: usize) -> Result<PolicePage, HubStoreError> {
        self.run(read::police_feed(&self.pool, after, limit))
    }

    fn police_ack(
        &self,
        id: IncidentId,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, HubStoreError> {
        self.run(async {
            let n = query::<Pg>(
                "UPDATE police_feed SET acked_at = COALESCE(acked_at, $2), acked_by = COALESCE(acked_by, $3)
                 WHERE incident = $1",
            )
            .bind(id.to_string())
            .bind(at.to_rfc3339())
            .bind(by)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(n > 0)
        })
    }

    fn stats(&self) -> Result<Stats, HubStoreError> {
        self.run(read::stats(&self.pool))
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        let mut rx = self.seq.subscribe();
        rx.mark_unchanged();
        rx
    }

    fn identity(&self) -> HubIdentity {
        match self.identity.read() {
            Ok(id) => id.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn reported_heads(
        &self,
        station: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ReportedHead>, HubStoreError> {
        self.run(async {
            let mut conn = self.pool.acquire().await?;
            write::reported_heads(&mut conn, station, after, limit, false).await
        })
    }

    fn all_events(&self, after: i64, limit: usize) -> Result<Vec<SeqEvent>, HubStoreError> {
        self.run(read::all_events(&self.pool, after, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::{HubStoreError, is_postgres_url, redact};

    #[test]
    fn a_database_out_of_reach_is_told_as_unwritable_not_as_damage() {
        let told = HubStoreError::from(sqlx_core::Error::PoolTimedOut);
        assert!(matches!(told, HubStoreError::CannotWrite(_)), "{told:?}");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let told = HubStoreError::from(sqlx_core::Error::Io(refused));
        assert!(told.write_fault().is_some(), "{told:?}");
        let other = HubStoreError::from(sqlx_core::Error::RowNotFound);
        assert!(matches!(other, HubStoreError::Postgres(_)), "{other:?}");
    }

    #[test]
    fn a_url_is_told_without_its_password() {
        assert_eq!(
            redact("postgres://hub:s3cret@10.0.0.5:5432/hub"),
            "postgres://hub@10.0.0.5:5432/hub"
        );
        assert_eq!(
            redact("postgres://127.0.0.1/hub"),
            "postgres://127.0.0.1/hub"
        );
        assert!(is_postgres_url("postgresql://h/db"));
        assert!(!is_postgres_url("/var/lib/fenliu-hub"));
    }
}
