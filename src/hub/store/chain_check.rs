//! `fenliu hub audit verify`: walks the hub's chain link by link and checks the events and
//! intake keys against it, naming the first link that does not hold.

use super::HubStoreError;
use super::chain::{GENESIS, Link, digest, link_hash};
use rusqlite::{Connection, OptionalExtension};

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every link holds and covers every event and intake key.
    Intact {
        links: u64,
        events: u64,
        intakes: u64,
        heads: u64,
    },
    /// The first link (or stored row) that does not hold, and why.
    Broken { link: Option<i64>, reason: String },
}

impl std::fmt::Display for ChainCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainCheck::Intact {
                links,
                events,
                intakes,
                heads,
            } => write!(
                f,
                "ok: {links} links ({events} events, {intakes} intakes, {heads} reported heads)"
            ),
            ChainCheck::Broken {
                link: Some(link),
                reason,
            } => write!(f, "broken: chain link {link}: {reason}"),
            ChainCheck::Broken { link: None, reason } => write!(f, "broken: {reason}"),
        }
    }
}

/// One stored link of the chain, as its table holds it.
#[derive(Debug, Clone)]
pub struct ChainRow {
    pub pos: i64,
    pub kind: String,
    pub station: String,
    pub seq: Option<i64>,
    pub body: String,
    pub hash: String,
}

/// What the check reads of a hub's database, whichever engine holds it.
pub trait ChainSource {
    /// Whether the database has a chain at all.
    fn has_chain(&mut self) -> Result<bool, HubStoreError>;
    /// Up to `limit` links after position `after`, in order.
    fn links_after(&mut self, after: i64, limit: usize) -> Result<Vec<ChainRow>, HubStoreError>;
    /// The station and body of the event with sequence `seq`.
    fn event(&mut self, seq: i64) -> Result<Option<(String, String)>, HubStoreError>;
    /// The item an intake key names.
    fn intake(
        &mut self,
        connector: &str,
        source: &str,
        source_ref: &str,
    ) -> Result<Option<String>, HubStoreError>;
    /// The lowest sequence of an event no link records.
    fn first_unlinked_event(&mut self) -> Result<Option<i64>, HubStoreError>;
    /// How many intake keys the hub holds, and how many intake links the chain holds.
    fn intake_counts(&mut self) -> Result<(i64, i64), HubStoreError>;
}

/// Links read at a time.
const PAGE: usize = 2000;

/// Checks the whole chain of the hub database behind `conn` (read only).
pub fn verify(conn: &Connection) -> Result<ChainCheck, HubStoreError> {
    check(&mut SqliteChain(conn))
}

/// Walks the chain `db` holds, link by link, and checks what each link records.
pub fn check(db: &mut dyn ChainSource) -> Result<ChainCheck, HubStoreError> {
    if !db.has_chain()? {
        return Ok(ChainCheck::Broken {
            link: None,
            reason: "this hub database has no chain yet: start the hub once with this version (it links what it holds), then verify".into(),
        });
    }
    let (mut prev, mut expected_pos) = (GENESIS.to_string(), 1);
    let (mut links, mut events, mut intakes, mut heads) = (0u64, 0u64, 0u64, 0u64);
    let mut after = i64::MIN;
    loop {
        let page = db.links_after(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.pos;
        for row in page {
            let ChainRow {
                pos,
                kind,
                station,
                seq,
                body,
                hash,
            } = row;
            let broken = |reason: String| {
                Ok(ChainCheck::Broken {
                    link: Some(pos),
                    reason,
                })
            };
            if pos != expected_pos {
                return Ok(ChainCheck::Broken {
                    link: Some(expected_pos),
                    reason: "it is missing: the link was removed from the chain".into(),
                });
            }
            if link_hash(&prev, &body) != hash {
                return broken(
                    "its hash does not follow from its content and the link before it: this link or the one before it was altered".into(),
                );
            }
            let link: Link = match serde_json::from_str(&body) {
                Ok(l) => l,
                Err(e) => return broken(format!("its content is not a readable link: {e}")),
            };
            match &link {
                Link::Event {
                    seq: link_seq,
                    station: link_station,
                    digest: want,
                } => {
                    if kind != "event" || seq != Some(*link_seq) || &station != link_station {
                        return broken(
                            "its kind, station or sequence columns disagree with its content"
                                .into(),
                        );
                    }
                    let stored = db.event(*link_seq)?;
                    match stored {
                        None => {
                            return broken(format!(
                                "event {link_seq} it records is missing from the hub's events (removed)"
                            ));
                        }
                        Some((s, b)) if &s != link_station || &digest(&b) != want => {
                            return broken(format!(
                                "event {link_seq} differs from what the chain recorded (altered after it was accepted)"
                            ));
                        }
                        Some(_) => events += 1,
                    }
                }
                Link::Intake {
                    connector,
                    source,
                    source_ref,
                    incident,
                } => {
                    if kind != "intake" || seq.is_some() {
                        return broken(
                            "its kind or sequence columns disagree with its content".into(),
                        );
                    }
                    let stored = db.intake(connector, source, source_ref)?;
                    if stored.as_ref() != Some(incident) {
                        return broken(format!(
                            "the intake of {source} {source_ref} by {connector} it records is missing or changed"
                        ));
                    }
                    intakes += 1;
                }
                Link::Head {
                    station: link_station,
                    ..
                } => {
                    if kind != "head" || seq.is_some() || &station != link_station {
                        return broken(
                            "its kind, station or sequence columns disagree with its content"
                                .into(),
                        );
                    }
                    heads += 1;
                }
            }
            prev = hash;
            expected_pos += 1;
            links += 1;
        }
    }
    if let Some(extra) = unlinked(db)? {
        return Ok(ChainCheck::Broken {
            link: None,
            reason: extra,
        });
    }
    Ok(ChainCheck::Intact {
        links,
        events,
        intakes,
        heads,
    })
}

/// The first event or intake key the chain does not cover (added outside the hub's writer).
fn unlinked(db: &mut dyn ChainSource) -> Result<Option<String>, HubStoreError> {
    if let Some(seq) = db.first_unlinked_event()? {
        return Ok(Some(format!(
            "event {seq} is not in the chain: it was added outside the hub"
        )));
    }
    let (keys, linked) = db.intake_counts()?;
    Ok((keys != linked).then(|| {
        format!(
            "the hub holds {keys} intake keys but the chain records {linked}: intakes were added or removed outside the hub"
        )
    }))
}

/// The chain of a SQLite hub database.
struct SqliteChain<'c>(&'c Connection);

impl ChainSource for SqliteChain<'_> {
    fn has_chain(&mut self) -> Result<bool, HubStoreError> {
        let name: Option<String> = self
            .0
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'chain'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(name.is_some())
    }

    fn links_after(&mut self, after: i64, limit: usize) -> Result<Vec<ChainRow>, HubStoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT pos, kind, station, seq, body, hash FROM chain WHERE pos > ?1 ORDER BY pos LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![after, limit as i64], |r| {
            Ok(ChainRow {
                pos: r.get(0)?,
                kind: r.get(1)?,
                station: r.get(2)?,
                seq: r.get(3)?,
                body: r.get(4)?,
                hash: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn event(&mut self, seq: i64) -> Result<Option<(String, String)>, HubStoreError> {
        Ok(self
            .0
            .prepare_cached("SELECT station, body FROM events WHERE seq = ?1")?
            .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn intake(
        &mut self,
        connector: &str,
        source: &str,
        source_ref: &str,
    ) -> Result<Option<String>, HubStoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT incident FROM intake_keys WHERE connector = ?1 AND source = ?2 AND source_ref = ?3",
            )?
            .query_row([connector, source, source_ref], |r| r.get(0))
            .optional()?)
    }

    fn first_unlinked_event(&mut self) -> Result<Option<i64>, HubStoreError> {
        Ok(self
            .0
            .query_row(
                "SELECT e.seq FROM events e LEFT JOIN chain c ON c.seq = e.seq
                 WHERE c.pos IS NULL ORDER BY e.seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn intake_counts(&mut self) -> Result<(i64, i64), HubStoreError> {
        let keys = self
            .0
            .query_row("SELECT COUNT(*) FROM intake_keys", [], |r| r.get(0))?;
        let linked = self.0.query_row(
            "SELECT COUNT(*) FROM chain WHERE kind = 'intake'",
            [],
            |r| r.get(0),
        )?;
        Ok((keys, linked))
    }
}
