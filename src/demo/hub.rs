//! The demo's district hub: a real hub on loopback, in this process, on the demo's clock, with the
//! demo station, a 110/12345 intake connector and routes for every grid.

use crate::clock::Clock;
use crate::hub::store::{Role, SqliteHubStore, StationRecord};
use crate::hub::{HubConfig, RunningHub, admin};
use crate::protocol::IntakeRequest;
use crate::triage::Classifier;
use chrono_tz::Tz;
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

/// Why the demo hub could not start or take an item.
#[derive(Debug, Error)]
pub enum DemoHubError {
    #[error("demo hub store: {0}")]
    Store(#[from] crate::hub::store::HubStoreError),
    #[error("demo hub: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo hub intake: {0}")]
    Intake(String),
}

/// A running demo hub.
pub struct DemoHub {
    runtime: tokio::runtime::Runtime,
    hub: Option<RunningHub>,
    http: reqwest::Client,
    /// Where it listens (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The demo station's token, for the console's sync.
    pub station_token: String,
    intake_token: String,
}

impl DemoHub {
    /// Starts a hub in `dir` serving `stations`, routing grids `1..=grids` among them in turn
    /// (grid 1 to the first). The token returned is the first station's.
    pub fn start(
        dir: &Path,
        stations: &[StationRecord],
        grids: u32,
        clock: Arc<dyn Clock>,
        classifier: Arc<Classifier>,
        tz: Tz,
    ) -> Result<DemoHub, DemoHubError> {
        let store = SqliteHubStore::open_dir(dir)?;
        let mut tokens = Vec::new();
        for station in stations {
            tokens.push(admin::add_station(&store, station)?);
        }
        let station_token = tokens
            .into_iter()
            .next()
            .ok_or_else(|| DemoHubError::Intake("the demo needs at least one station".into()))?;
        let intake_token = admin::add_connector(&store, "demo-110-12345", Role::Intake)?;
        for (grid, station) in (1..=grids).zip(stations.iter().cycle()) {
            admin::add_route(&store, &station.id, Some(&grid.to_string()), None)?;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let config = HubConfig {
            classifier: Arc::new(move |text: &str| Some(classifier.classify(text))),
            clock,
            timezone: tz,
            ..HubConfig::default()
        };
        let hub = {
            let _entered = runtime.enter();
            RunningHub::start(listener, Arc::new(store), config)?
        };
        Ok(DemoHub {
            url: hub.url(),
            hub: Some(hub),
            runtime,
            http: reqwest::Client::new(),
            station_token,
            intake_token,
        })
    }

    /// Posts one report as the 110/12345 connector would.
    pub fn intake(&self, request: &IntakeRequest) -> Result<(), DemoHubError> {
        let call = self
            .http
            .post(format!("{}/v1/intake", self.url))
            .bearer_auth(&self.intake_token)
            .json(request)
            .send();
        let response = self
            .runtime
            .block_on(call)
            .map_err(|e| DemoHubError::Intake(e.to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(DemoHubError::Intake(format!(
                "the hub answered {}",
                response.status()
            )))
        }
    }

    /// Stops the hub, letting in-flight requests finish.
    pub fn stop(mut self) {
        if let Some(hub) = self.hub.take() {
            let _ = self.runtime.block_on(hub.stop());
        }
    }
}
