//! `fenliu audit …`

use super::Ctx;
use super::args::AuditCmd;
use super::render;
use crate::store::AuditOutcome;
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, cmd: AuditCmd) -> Result<u8> {
    let store = ctx.store()?;
    match cmd {
        AuditCmd::Verify => match store.audit()? {
            AuditOutcome::Intact { events } => {
                outln!("ok: {events} events");
                Ok(0)
            }
            AuditOutcome::Broken {
                pos,
                event_id,
                reason,
            } => {
                eprintln!("broken: event {event_id} (journal row {pos}): {reason}");
                Ok(1)
            }
        },
        AuditCmd::Log { reference } => {
            let incident = store
                .incident(&reference)?
                .ok_or_else(|| eyre!("no item with reference {reference}"))?;
            let events = store.events_of(incident.id)?;
            out!("{}", render::timeline(&events, ctx.config.timezone.0));
            Ok(0)
        }
    }
}
