//! `fenliu audit …`: the evidence checks, the timeline of an item, and repair of the projection.

use super::Ctx;
use super::args::AuditCmd;
use super::render;
use crate::domain::Event;
use crate::protocol::ChainHead;
use crate::store::{AuditOutcome, Store};
use crate::sync::{self, Client};
use color_eyre::eyre::{Result, WrapErr, eyre};

pub fn run(ctx: &Ctx, cmd: AuditCmd) -> Result<u8> {
    match cmd {
        AuditCmd::Verify => verify(ctx),
        AuditCmd::Log { reference } => {
            let store = ctx.store_read_only()?;
            let incident = store
                .incident(&reference)?
                .ok_or_else(|| eyre!("no item with reference {reference}"))?;
            let events = store.events_of(incident.id)?;
            let names = crate::domain::Names::of(&store.responders()?);
            out!(
                "{}",
                render::timeline(&events, ctx.config.timezone.0, &names)
            );
            Ok(0)
        }
        AuditCmd::Rebuild => {
            let mut store = ctx.store()?;
            let items = store.rebuild_projection()?;
            outln!("rebuilt {items} items from the journal");
            Ok(0)
        }
    }
}

fn verify(ctx: &Ctx) -> Result<u8> {
    let store = ctx.store_read_only()?;
    let events = match store.audit()? {
        AuditOutcome::Intact { events } => events,
        AuditOutcome::Broken {
            pos,
            event_id,
            reason,
        } => {
            eprintln!("broken: event {event_id} (journal row {pos}): {reason}");
            return Ok(1);
        }
    };
    match hub_copy(ctx)? {
        HubCopy::None => {}
        HubCopy::Unreachable(why) => {
            outln!("warning: the journal could not be checked against the hub: {why}");
        }
        HubCopy::Receipts {
            events,
            heads,
            workstation,
        } => {
            let key = store.journal_key()?;
            let (mine, earlier) = heads
                .as_ref()
                .map(|h| split_heads(h, key.as_deref(), &workstation))
                .unwrap_or_default();
            let head = store.check_heads(&mine)?;
            let event = store.check_receipts(&events)?;
            if head.is_some() || event.is_some() {
                for d in head.iter().map(ToString::to_string) {
                    eprintln!("broken: {d}");
                }
                for d in event.iter().map(ToString::to_string) {
                    eprintln!("broken: {d}");
                }
                return Ok(1);
            }
            outln!("the hub's copy agrees: {} events", events.len());
            match heads {
                Some(_) => outln!(
                    "the journal holds every head it reported to the hub: {}",
                    mine.len()
                ),
                None => outln!(
                    "warning: this hub keeps no receipts of journal heads (an older hub): truncation of rows it never received cannot be seen"
                ),
            }
            if earlier > 0 {
                outln!(
                    "warning: the hub holds {earlier} heads of another journal of workstation {workstation} (one rebuilt with `sync --rebuild`, or rewritten from its first row): they were not checked"
                );
            }
        }
    }
    if let Some(d) = store.check_projection()? {
        eprintln!("broken: {d} (run `fenliu audit rebuild` to rebuild it from the journal)");
        return Ok(1);
    }
    outln!("ok: {events} events");
    Ok(0)
}

/// What the hub holds of this station, when one is configured.
enum HubCopy {
    None,
    Unreachable(String),
    /// Its events, and the heads reported to it (`None` from a hub that keeps none).
    Receipts {
        events: Vec<(i64, Event)>,
        heads: Option<Vec<ChainHead>>,
        workstation: String,
    },
}

/// The heads this journal (`key`) reported, as `(pos, hash)`, and how many heads another journal
/// of the same workstation reported. Other workstations' heads are theirs to check.
fn split_heads(
    heads: &[ChainHead],
    key: Option<&str>,
    workstation: &str,
) -> (Vec<(i64, String)>, usize) {
    let mine = heads
        .iter()
        .filter(|h| Some(h.journal.as_str()) == key)
        .map(|h| (h.pos, h.hash.clone()))
        .collect();
    let earlier = heads
        .iter()
        .filter(|h| Some(h.journal.as_str()) != key && h.workstation == workstation)
        .count();
    (mine, earlier)
}

/// Every event the hub holds for this station, in hub order, and the heads it reported.
fn hub_copy(ctx: &Ctx) -> Result<HubCopy> {
    let Some(settings) = sync::settings(&ctx.config, ctx.config_path.as_deref())? else {
        return Ok(HubCopy::None);
    };
    let client = Client::new(&settings)?;
    let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the async runtime")?;
    let pulled = runtime.block_on(async {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = client
                .pull(after, 0, crate::sync::engine::PULL_PAGE)
                .await?;
            let more = page.more;
            after = page.last_seq;
            all.extend(page.events.into_iter().map(|e| (e.seq, e.event)));
            if !more {
                break;
            }
        }
        let mut heads = Vec::new();
        let mut after = 0;
        loop {
            let page = match client.heads(after).await {
                Ok(p) => p,
                Err(sync::SyncError::Refused { status: 404, .. }) => {
                    return Ok::<_, sync::SyncError>((all, None));
                }
                Err(e) => return Err(e),
            };
            after = page.heads.last().map_or(after, |h| h.link);
            heads.extend(page.heads.into_iter().map(|h| h.head));
            if !page.more {
                return Ok((all, Some(heads)));
            }
        }
    });
    Ok(match pulled {
        Ok((events, heads)) => HubCopy::Receipts {
            events,
            heads,
            workstation: settings.workstation,
        },
        Err(e) => HubCopy::Unreachable(e.to_string()),
    })
}

impl Ctx {
    /// Opens the local store for reading only: no migration and no write, so an evidence copy on
    /// read-only media can be listed and verified.
    pub fn store_read_only(&self) -> Result<Store> {
        Ok(Store::open_read_only(&self.data_dir)?)
    }
}
