//! `fenliu audit …`: the evidence checks, the timeline of an item, and repair of the projection.

use super::Ctx;
use super::args::AuditCmd;
use super::render;
use crate::domain::Event;
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
    if let Some(d) = store.check_projection()? {
        eprintln!("broken: {d} (run `fenliu audit rebuild` to rebuild it from the journal)");
        return Ok(1);
    }
    match hub_copy(ctx)? {
        HubCopy::None => {}
        HubCopy::Unreachable(why) => {
            outln!("warning: the journal could not be checked against the hub: {why}");
        }
        HubCopy::Events(hub) => {
            if let Some(d) = store.check_receipts(&hub)? {
                eprintln!("broken: {d}");
                return Ok(1);
            }
            outln!("the hub's copy agrees: {} events", hub.len());
        }
    }
    outln!("ok: {events} events");
    Ok(0)
}

/// What the hub holds of this station, when one is configured.
enum HubCopy {
    None,
    Unreachable(String),
    Events(Vec<(i64, Event)>),
}

/// Every event the hub holds for this station, in hub order.
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
                return Ok::<_, sync::SyncError>(all);
            }
        }
    });
    Ok(match pulled {
        Ok(events) => HubCopy::Events(events),
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
