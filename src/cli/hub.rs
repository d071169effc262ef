//! `fenliu hub …`: administration of the hub's database and the server.

use super::args::{ConnectorRole, HubArgs, HubCmd, HubConnectorCmd, HubRouteCmd, HubStationCmd};
use crate::hub::limit::RateLimit;
use crate::hub::store::{HubStore, Role, SqliteHubStore, StationRecord};
use crate::hub::{HubConfig, admin};
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::sync::Arc;

pub fn run(args: HubArgs) -> Result<()> {
    let dir = args.hub_dir.ok_or_else(|| {
        eyre!("pass --hub-dir DIR (or set FENLIU_HUB_DIR): where the hub keeps hub.db")
    })?;
    let store = SqliteHubStore::open_dir(&dir)
        .wrap_err_with(|| format!("cannot open the hub database in {}", dir.display()))?;
    match args.command {
        HubCmd::Station(HubStationCmd::Add { id, name, prefix }) => {
            check_id("--id", &id)?;
            if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(eyre!("--prefix {prefix}: use letters and digits, e.g. DN"));
            }
            let token = admin::add_station(
                &store,
                &StationRecord {
                    id: id.clone(),
                    name,
                    prefix,
                },
            )?;
            outln!(
                "station {id} added; its token (shown only once, keep it in the console's token_file):"
            );
            outln!("{token}");
        }
        HubCmd::Station(HubStationCmd::RotateToken { id }) => {
            let token = admin::rotate_station_token(&store, &id)?;
            outln!("station {id} has a new token; the old one no longer works:");
            outln!("{token}");
        }
        HubCmd::Station(HubStationCmd::List) => {
            for s in store.stations()? {
                outln!("{}\t{}\t{}", s.id, s.prefix, s.name);
            }
        }
        HubCmd::Connector(HubConnectorCmd::Add { id, role }) => {
            check_id("--id", &id)?;
            let role = match role {
                ConnectorRole::Intake => Role::Intake,
                ConnectorRole::Police => Role::Police,
                ConnectorRole::District => Role::District,
            };
            let token = admin::add_connector(&store, &id, role)?;
            outln!(
                "connector {id} ({}) added; its token (shown only once):",
                role.code()
            );
            outln!("{token}");
        }
        HubCmd::Route(HubRouteCmd::Add {
            grid,
            community,
            station,
        }) => {
            let n = admin::add_route(&store, &station, grid.as_deref(), community.as_deref())?;
            outln!("{n} route(s) to station {station}");
        }
        HubCmd::Route(HubRouteCmd::List) => {
            for r in store.routes()? {
                outln!("{}\t{}\t{}", r.kind.code(), r.key, r.station);
            }
        }
        HubCmd::Serve { listen, rate_limit } => {
            let lock_path = dir.join("hub.lock");
            let lock = std::fs::File::create(&lock_path)
                .wrap_err_with(|| format!("cannot create {}", lock_path.display()))?;
            if lock.try_lock().is_err() {
                return Err(eyre!(
                    "another hub is already serving {}; one hub process per directory",
                    dir.display()
                ));
            }
            serve(store, &listen, rate_limit)?;
            drop(lock);
        }
    }
    Ok(())
}

fn check_id(flag: &str, id: &str) -> Result<()> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(eyre!("{flag} {id}: use letters, digits, '-' and '_'"));
    }
    Ok(())
}

fn serve(store: SqliteHubStore, listen: &str, rate_limit: u32) -> Result<()> {
    if rate_limit == 0 {
        return Err(eyre!("--rate-limit must be at least 1"));
    }
    let shared = std::sync::Arc::new(crate::triage::Classifier::embedded()?);
    let config = HubConfig {
        rate_limit: RateLimit {
            per_sec: f64::from(rate_limit),
            burst: 2.0 * f64::from(rate_limit),
        },
        classifier: std::sync::Arc::new(move |text: &str| Some(shared.classify(text))),
        ..HubConfig::default()
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FENLIU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .wrap_err_with(|| {
                format!("cannot listen on {listen} (in use? try --listen 127.0.0.1:0)")
            })?;
        let addr = listener.local_addr()?;
        outln!("fenliu hub listening on http://{addr}");
        let store: Arc<dyn HubStore> = Arc::new(store);
        crate::hub::serve_until(listener, store, config, crate::hub::shutdown_signal())
            .await
            .wrap_err("the hub server failed")?;
        outln!("fenliu hub stopped");
        Ok(())
    })
}
