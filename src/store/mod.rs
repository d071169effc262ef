//! The console's local store: one SQLite file with an append-only, hash-chained journal of events,
//! a projection of incidents for fast loading, the roster and reference counters.
//! Every action is one transaction: its events and the projections together.

mod hub_identity;
mod journal;
pub mod migrations;
mod projection;
mod refs;
mod roster;
mod sync;

pub use hub_identity::KnownHub;
pub use journal::{AuditOutcome, StoredEvent, chain_hash};
pub use refs::format_reference;
pub use sync::{Notice, Pulled, reconcile};

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
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.to_path_buf(),
            source: rusqlite::Error::InvalidPath(PathBuf::from(e.to_string())),
        })?;
        Store::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the store at `path`: WAL, `synchronous=FULL`, migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = crate::sqlite::open_durable(path).map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrations::run(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
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
