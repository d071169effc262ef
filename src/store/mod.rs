//! The console's local store: one SQLite file with an append-only, hash-chained journal of events,
//! a projection of incidents for fast loading, the roster and reference counters.
//! Every action is one transaction: its events and the projections together.

mod hub_identity;
mod journal;
pub mod migrations;
mod projection;
mod refs;
mod roster;
mod station;
mod sync;
mod verify;

pub use hub_identity::KnownHub;
pub use journal::{AuditOutcome, GENESIS, StoredEvent, chain_hash};
pub use refs::format_reference;
pub use sync::{Notice, Pulled, reconcile};
pub use verify::{HeadDifference, ProjectionDifference, ReceiptDifference};

use crate::domain::{Actor, RosterError, TransitionError};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "fenliu.db";

/// Why the store could not do what was asked. Nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("there is no fenliu store in {0} (no fenliu.db): check --data-dir")]
    NoStore(PathBuf),
    #[error(
        "{0} is not a readable fenliu database (damaged, or another kind of file): restore it from a copy, or move it away and run `fenliu sync --rebuild` to fetch the station's history from the hub"
    )]
    NotADatabase(PathBuf),
    #[error(
        "the disk holding {0} is full: nothing was recorded by this action and nothing recorded before is lost; free some space and try again"
    )]
    DiskFull(PathBuf),
    #[error(
        "{0} cannot be written (read-only file, directory or mount, or no permission): reading commands still work; for recording, use a writable data directory"
    )]
    ReadOnly(PathBuf),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error(
        "the database was written by a newer fenliu (schema {found}, this one knows {known}); upgrade fenliu"
    )]
    TooNew { found: i64, known: i64 },
    #[error("no item with reference {0} (see `fenliu incident list`)")]
    NotFound(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error("responder {0} is already in the roster")]
    DuplicateResponder(String),
    #[error("stored data is damaged at {place}: {detail} (run `fenliu audit verify`)")]
    Corrupt { place: String, detail: String },
    #[error("cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull(PathBuf::from(DB_FILE)),
            Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly(PathBuf::from(DB_FILE)),
            _ => StoreError::Sqlite(e),
        }
    }
}

/// The cause of an open failure, in words an officer can act on.
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::NotADatabase | C::DatabaseCorrupt) => StoreError::NotADatabase(path.to_path_buf()),
        Some(C::DiskFull) => StoreError::DiskFull(path.to_path_buf()),
        Some(C::ReadOnly | C::PermissionDenied | C::CannotOpen) => {
            StoreError::ReadOnly(path.to_path_buf())
        }
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Who records, when it happened, and when it was written down.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub actor: Actor,
    /// The stated time (`--at` for late entry); usually equal to `recorded_at`.
    pub occurred_at: DateTime<Utc>,
    /// The real time of recording.
    pub recorded_at: DateTime<Utc>,
}

/// An open connection to the local store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, running migrations.
    pub fn open_dir(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                StoreError::ReadOnly(dir.to_path_buf())
            }
            std::io::ErrorKind::StorageFull => StoreError::DiskFull(dir.to_path_buf()),
            _ => StoreError::Open {
                path: dir.to_path_buf(),
                source: rusqlite::Error::InvalidPath(PathBuf::from(e.to_string())),
            },
        })?;
        Store::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the store at `path`: WAL, `synchronous=FULL`, migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |e| open_error(path, e);
        let mut conn = crate::sqlite::open_durable(path).map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrations::run(&mut conn).map_err(|e| match e {
            StoreError::Sqlite(e) => open_error(path, e),
            other => other,
        })?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens the store in `dir` for reading only: nothing is migrated or written, so a copy on
    /// read-only media can be listed and verified. A store from a newer fenliu is refused.
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(StoreError::NoStore(dir.to_path_buf()));
        }
        let conn = crate::sqlite::open_read_only(&path).map_err(|e| open_error(&path, e))?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_error(&path, e))?;
        let known = migrations::MIGRATIONS.len() as i64;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        Ok(Store { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes whenever another connection commits to the file: poll it to notice outside writes.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// SQLite's own integrity check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                place: self.path.display().to_string(),
                detail: verdict,
            })
        }
    }
}

fn corrupt(place: impl Into<String>, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        place: place.into(),
        detail: detail.to_string(),
    }
}
