//! `fenliu hub …`: administration of the hub's database and the server.

use super::args::{ConnectorRole, HubArgs, HubCmd, HubConnectorCmd, HubRouteCmd, HubStationCmd};
use crate::hub::limit::RateLimit;
use crate::hub::serve::ConnLimits;
use crate::hub::store::{
    HubStore, PgHubStore, Role, SqliteHubStore, StationRecord, is_postgres_url, open_read_only,
};
use crate::hub::{HubConfig, Listeners, admin};
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn run(args: HubArgs) -> Result<u8> {
    if let HubCmd::Migrate { from, to } = &args.command {
        return migrate(from, to).map(|()| 0);
    }
    if let Some(url) = args.store {
        return run_postgres(&url, args.command);
    }
    let dir = args.hub_dir.ok_or_else(|| {
        eyre!(
            "pass --hub-dir DIR (or set FENLIU_HUB_DIR): where the hub keeps hub.db, or --store postgres://…"
        )
    })?;
    match args.command {
        HubCmd::Audit(HubAuditCmd::Verify) => return super::hub_evidence::verify(&dir),
        HubCmd::Report(report) => return super::hub_evidence::report(&dir, report).map(|()| 0),
        HubCmd::Serve(serve_args) => {
            let store = open_sqlite(&dir)?;
            let lock_path = dir.join("hub.lock");
            let lock = std::fs::File::create(&lock_path)
                .wrap_err_with(|| format!("cannot create {}", lock_path.display()))?;
            if lock.try_lock().is_err() {
                return Err(eyre!(
                    "another hub is already serving {}; one hub process per directory",
                    dir.display()
                ));
            }
            serve(Arc::new(store), serve_args)?;
            drop(lock);
        }
        command => manage(&open_sqlite(&dir)?, command)?,
    }
    Ok(0)
}

/// `hub migrate --from DIR --to URL`.
fn migrate(from: &Path, to: &str) -> Result<()> {
    if !is_postgres_url(to) {
        return Err(eyre!(
            "--to {to}: give a PostgreSQL URL (postgres://user@host/db)"
        ));
    }
    let lock_path = from.join("hub.lock");
    if let Ok(lock) = std::fs::File::open(&lock_path)
        && lock.try_lock().is_err()
    {
        return Err(eyre!(
            "a hub is serving {}: stop it before moving the district",
            from.display()
        ));
    }
    // Opening it brings the district's schema up to date (and links a chain if it had none).
    drop(open_sqlite(from)?);
    let src = open_read_only(from)?;
    let dst = PgHubStore::open(to).wrap_err("cannot open the hub's PostgreSQL database")?;
    let c = dst
        .import_sqlite(&src)
        .wrap_err("the district was not moved (nothing was written)")?;
    outln!(
        "moved {} stations, {} items, {} events (last sequence {}), {} chain links; serve it with hub serve --store",
        c.stations,
        c.items,
        c.events,
        c.last_seq,
        c.chain_links
    );
    Ok(())
}

fn open_sqlite(dir: &Path) -> Result<SqliteHubStore> {
    SqliteHubStore::open_dir(dir)
        .wrap_err_with(|| format!("cannot open the hub database in {}", dir.display()))
}

/// The hub on PostgreSQL: several hub processes may serve one database. `audit verify` reads
/// the database as it is (no migration, no new epoch).
fn run_postgres(url: &str, command: HubCmd) -> Result<u8> {
    if !is_postgres_url(url) {
        return Err(eyre!(
            "--store {url}: give a PostgreSQL URL (postgres://user@host/db); a SQLite hub is --hub-dir DIR"
        ));
    }
    if let HubCmd::Audit(HubAuditCmd::Verify) = command {
        return super::hub_evidence::verify_pg(url)
            .wrap_err("cannot read the hub's PostgreSQL database");
    }
    let store =
        Arc::new(PgHubStore::open(url).wrap_err("cannot open the hub's PostgreSQL database")?);
    match command {
        HubCmd::Serve(serve_args) => serve(store, serve_args),
        HubCmd::Report(report) => super::hub_evidence::report_of(store.as_ref(), report),
        command => manage(store.as_ref(), command),
    }
    .map(|()| 0)
}

fn manage(store: &dyn HubStore, command: HubCmd) -> Result<()> {
    match command {
        HubCmd::Station(HubStationCmd::Add { id, name, prefix }) => {
            check_id("--id", &id)?;
            if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(eyre!("--prefix {prefix}: use letters and digits, e.g. DN"));
            }
            let token = admin::add_station(
                store,
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
            let token = admin::rotate_station_token(store, &id)?;
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
            let token = admin::add_connector(store, &id, role)?;
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
            let n = admin::add_route(store, &station, grid.as_deref(), community.as_deref())?;
            outln!("{n} route(s) to station {station}");
        }
        HubCmd::Route(HubRouteCmd::List) => {
            for r in store.routes()? {
                outln!("{}\t{}\t{}", r.kind.code(), r.key, r.station);
            }
        }
        HubCmd::Drill { station, template } => {
            super::hub_drill::run(store, &station, template.as_deref())?
        }
        HubCmd::Serve(_) | HubCmd::Audit(_) | HubCmd::Report(_) | HubCmd::Migrate { .. } => {}
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

/// `fenliu hub audit …`.
#[derive(Debug, clap::Subcommand)]
pub enum HubAuditCmd {
    /// Walk the hub's hash chain and check every event and intake against it; names the first
    /// broken link (exit 1).
    Verify,
}

/// `fenliu hub report`'s options.
#[derive(Debug, clap::Args)]
pub struct HubReportArgs {
    /// First day (YYYY-MM-DD, Beijing time) or moment (RFC 3339); default: the 1st of this month.
    #[arg(long)]
    pub from: Option<String>,
    /// Day after the last (YYYY-MM-DD) or moment (RFC 3339); default: now.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::args::ReportFormat,
}

/// `fenliu hub serve`'s options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8780")]
    pub listen: String,
    /// Requests per second one caller may make before getting 429 (bursts of twice that).
    #[arg(long, default_value_t = 5000)]
    pub rate_limit: u32,
    /// Seconds a client has to send a request's headers (at most 30).
    #[arg(long, default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds an idle keep-alive connection stays open (at most 300).
    #[arg(long, default_value_t = 60)]
    pub idle_timeout: u64,
    /// Seconds a client has to send a request's body.
    #[arg(long, default_value_t = 30)]
    pub body_timeout: u64,
    /// Open connections in all.
    #[arg(long, default_value_t = 4096)]
    pub max_connections: usize,
    /// Open connections from one address.
    #[arg(long, default_value_t = 256)]
    pub max_per_address: usize,
    /// Serve `/metrics` without a token on this address (else it needs a district token).
    #[arg(long)]
    pub metrics_listen: Option<String>,
    /// Serve over TLS with this PEM certificate chain (with --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Append the log (one line per request at info) to this file instead of stderr.
    #[arg(long)]
    pub log_file: Option<PathBuf>,
    /// Longest a long-poll waits, in seconds (at most 30).
    #[arg(long, default_value_t = crate::protocol::MAX_WAIT_SECS)]
    pub max_wait: u64,
}

fn serve(store: Arc<dyn HubStore>, args: ServeArgs) -> Result<()> {
    if args.rate_limit == 0 {
        return Err(eyre!("--rate-limit must be at least 1"));
    }
    let limits = ConnLimits {
        header_timeout: Duration::from_secs(args.header_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
        max_per_address: args.max_per_address,
        ..ConnLimits::default()
    };
    limits.check().map_err(|e| eyre!("{e}"))?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(crate::hub::tls::acceptor(cert, key)?),
        _ => None,
    };
    let shared = std::sync::Arc::new(crate::triage::Classifier::embedded()?);
    let rate_limit = args.rate_limit;
    let config = HubConfig {
        rate_limit: RateLimit {
            per_sec: f64::from(rate_limit),
            burst: 2.0 * f64::from(rate_limit),
        },
        list: std::sync::Arc::new(shared.list().clone()),
        classifier: std::sync::Arc::new(move |text: &str| Some(shared.classify(text))),
        max_wait: Duration::from_secs(args.max_wait.min(crate::protocol::MAX_WAIT_SECS)),
        limits,
        ..HubConfig::default()
    };
    init_log(args.log_file.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the async runtime")?;
    runtime.block_on(async move {
        let bind = |addr: String| async move {
            tokio::net::TcpListener::bind(&addr)
                .await
                .wrap_err_with(|| format!("cannot listen on {addr} (in use? try 127.0.0.1:0)"))
        };
        let listener = bind(args.listen.clone()).await?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        outln!("fenliu hub listening on {scheme}://{addr}");
        let metrics = match args.metrics_listen {
            Some(m) => {
                let l = bind(m).await?;
                outln!("fenliu hub metrics on http://{}/metrics", l.local_addr()?);
                Some(l)
            }
            None => None,
        };
        let listeners = Listeners {
            main: listener,
            tls,
            metrics,
        };
        crate::hub::serve(listeners, store, config, crate::hub::shutdown_signal())
            .await
            .wrap_err("the hub server failed")?;
        outln!("fenliu hub stopped");
        Ok(())
    })
}

/// Warnings to stderr, and the request log at info unless `FENLIU_LOG` says otherwise; to `file`
/// when given.
fn init_log(file: Option<&Path>) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FENLIU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,fenliu::hub::request=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false);
    match file {
        Some(path) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .wrap_err_with(|| format!("cannot open the log file {}", path.display()))?;
            let _ = builder.with_writer(Mutex::new(f)).try_init();
        }
        None => {
            let _ = builder.with_writer(std::io::stderr).try_init();
        }
    }
    Ok(())
}
