//! `fenliu sync`: exchange events with the hub once (`--once`), recover a lost store
//! (`--rebuild`), or keep syncing in the foreground until Ctrl-C.

use super::Ctx;
use super::args::SyncArgs;
use crate::sync::{self, Client, Engine};
use color_eyre::eyre::{Result, WrapErr, eyre};

pub fn run(ctx: &Ctx, args: SyncArgs) -> Result<()> {
    let settings = sync::settings(&ctx.config, ctx.config_path.as_deref())?.ok_or_else(|| {
        eyre!("no hub configured: set [hub] url in the config (or FENLIU_HUB_URL)")
    })?;
    let client = Client::new(&settings)?;
    // With several addresses, say which one answered.
    let several = client.addresses().len() > 1;
    let via = move |url: &Option<String>| match url {
        Some(u) if several => format!(" hub={u}"),
        _ => String::new(),
    };
    let store = ctx.store()?;
    let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the async runtime")?;
    runtime.block_on(async move {
        if args.once || args.rebuild {
            let (engine, _notices) = Engine::new(client, store);
            let counts = if args.rebuild {
                engine.rebuild().await?
            } else {
                engine.once().await?
            };
            for n in &counts.notices {
                outln!("rejected: {}: {}", n.reference, n.message);
            }
            let status = engine.subscribe().borrow().clone();
            if let Some(w) = &counts.hub_warning {
                outln!("warning: {w}");
            }
            if status.skew_warning {
                outln!(
                    "warning: the hub's clock differs from this workstation's by {} ms; timers may be off",
                    status.skew_ms.unwrap_or(0)
                );
            }
            outln!(
                "pushed={} duplicates={} rejected={} pulled={} outbox={}{}",
                counts.pushed,
                counts.duplicates,
                counts.rejected,
                counts.pulled,
                status.outbox,
                via(&status.hub_url)
            );
            return Ok(());
        }
        let mut handle = sync::spawn(client, store, 25);
        let mut status = handle.status.clone();
        loop {
            tokio::select! {
                _ = crate::hub::shutdown_signal() => break,
                changed = status.changed() => {
                    if changed.is_err() { break }
                    let s = status.borrow_and_update().clone();
                    let state = if s.online { "online" } else { "offline" };
                    outln!(
                        "{state} outbox={}{} {}",
                        s.outbox,
                        via(&s.hub_url),
                        s.last_error.unwrap_or_default()
                    );
                }
                Some(update) = handle.updates.recv() => {
                    if let sync::Update::Notice(n) = update {
                        outln!("rejected: {}: {}", n.reference, n.message);
                    }
                }
            }
        }
        handle.stop().await;
        Ok(())
    })
}
