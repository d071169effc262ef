//! The roster (力量名册): responders and their duty status.

use super::{Store, StoreError, corrupt};
use crate::domain::responder::DutyMove;
use crate::domain::{DutyStatus, Responder};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

fn from_row(r: &Row<'_>) -> Result<Result<Responder, StoreError>, rusqlite::Error> {
    let id: String = r.get(0)?;
    let status: String = r.get(5)?;
    let Some(status) = DutyStatus::parse(&status) else {
        return Ok(Err(corrupt(
            format!("responder {id}"),
            format!("unknown duty status `{status}`"),
        )));
    };
    Ok(Ok(Responder {
        id,
        name: r.get(1)?,
        unit: r.get(2)?,
        grid: r.get(3)?,
        phone: r.get(4)?,
        status,
        incident: r.get(6)?,
    }))
}

const COLUMNS: &str = "id, name, unit, grid, phone, status, incident";

pub(super) fn load(tx: &Transaction<'_>, id: &str) -> Result<Option<Responder>, StoreError> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM responders WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .transpose()
}

pub(super) fn follow(tx: &Transaction<'_>, mv: &DutyMove) -> Result<(), StoreError> {
    if let Some(mut responder) = load(tx, &mv.responder)? {
        responder.follow(mv);
        tx.execute(
            "UPDATE responders SET status = ?2, incident = ?3 WHERE id = ?1",
            params![responder.id, responder.status.code(), responder.incident],
        )?;
    }
    Ok(())
}

fn insert(tx: &Transaction<'_>, r: &Responder) -> Result<(), StoreError> {
    let inserted = tx.execute(
        &format!(
            "INSERT INTO responders ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO NOTHING"
        ),
        params![
            r.id,
            r.name,
            r.unit,
            r.grid,
            r.phone,
            r.status.code(),
            r.incident
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::DuplicateResponder(r.id.clone()));
    }
    Ok(())
}

impl Store {
    /// Adds responders in one transaction: all or none.
    pub fn add_responders(&mut self, responders: &[Responder]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for r in responders {
            insert(&tx, r)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The whole roster, by unit then id.
    pub fn responders(&self) -> Result<Vec<Responder>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM responders ORDER BY unit, id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        rows.map(|r| r?).collect()
    }

    /// One responder.
    pub fn responder(&self, id: &str) -> Result<Option<Responder>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM responders WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .transpose()
    }

    /// Sets a responder on or off duty by hand (`available` or `off_duty`).
    pub fn set_duty(&mut self, id: &str, status: DutyStatus) -> Result<Responder, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut responder =
            load(&tx, id)?.ok_or_else(|| crate::domain::RosterError::Unknown(id.to_string()))?;
        responder.status = status;
        if status == DutyStatus::OffDuty || status == DutyStatus::Available {
            responder.incident = None;
        }
        tx.execute(
            "UPDATE responders SET status = ?2, incident = ?3 WHERE id = ?1",
            params![responder.id, responder.status.code(), responder.incident],
        )?;
        tx.commit()?;
        Ok(responder)
    }
}
