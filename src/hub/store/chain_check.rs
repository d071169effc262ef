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

/// Checks the whole chain of the hub database behind `conn` (read only).
pub fn verify(conn: &Connection) -> Result<ChainCheck, HubStoreError> {
    let has_chain: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'chain'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if has_chain.is_none() {
        return Ok(ChainCheck::Broken {
            link: None,
            reason: "this hub database has no chain yet: start the hub once with this version (it links what it holds), then verify".into(),
        });
    }
    let mut stmt =
        conn.prepare("SELECT pos, kind, station, seq, body, hash FROM chain ORDER BY pos")?;
    let mut rows = stmt.query([])?;
    let mut event_of = conn.prepare("SELECT station, body FROM events WHERE seq = ?1")?;
    let mut key_of = conn.prepare(
        "SELECT incident FROM intake_keys WHERE connector = ?1 AND source = ?2 AND source_ref = ?3",
    )?;
    let (mut prev, mut expected_pos) = (GENESIS.to_string(), 1);
    let (mut links, mut events, mut intakes, mut heads) = (0u64, 0u64, 0u64, 0u64);
    while let Some(r) = rows.next()? {
        let pos: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let station: String = r.get(2)?;
        let seq: Option<i64> = r.get(3)?;
        let body: String = r.get(4)?;
        let hash: String = r.get(5)?;
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
                        "its kind, station or sequence columns disagree with its content".into(),
                    );
                }
                let stored: Option<(String, String)> = event_of
                    .query_row([link_seq], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
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
                    return broken("its kind or sequence columns disagree with its content".into());
                }
                let stored: Option<String> = key_of
                    .query_row([connector, source, source_ref], |r| r.get(0))
                    .optional()?;
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
                        "its kind, station or sequence columns disagree with its content".into(),
                    );
                }
                heads += 1;
            }
        }
        prev = hash;
        expected_pos += 1;
        links += 1;
    }
    if let Some(extra) = unlinked(conn)? {
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
fn unlinked(conn: &Connection) -> Result<Option<String>, HubStoreError> {
    let event: Option<i64> = conn
        .query_row(
            "SELECT e.seq FROM events e LEFT JOIN chain c ON c.seq = e.seq
             WHERE c.pos IS NULL ORDER BY e.seq LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(seq) = event {
        return Ok(Some(format!(
            "event {seq} is not in the chain: it was added outside the hub"
        )));
    }
    let keys: i64 = conn.query_row("SELECT COUNT(*) FROM intake_keys", [], |r| r.get(0))?;
    let linked: i64 = conn.query_row(
        "SELECT COUNT(*) FROM chain WHERE kind = 'intake'",
        [],
        |r| r.get(0),
    )?;
    Ok((keys != linked).then(|| {
        format!(
            "the hub holds {keys} intake keys but the chain records {linked}: intakes were added or removed outside the hub"
        )
    }))
}
