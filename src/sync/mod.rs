//! The console side of the hub protocol: the outbox is pushed in batches, the station's events
//! are pulled with a persisted integer cursor, rejections rebuild the item and tell the officer,
//! and a status (online, last sync, outbox, clock skew) is published for the console header.

pub mod client;
pub mod engine;
pub mod identity;
pub mod plan;

pub use client::Client;
pub use engine::{Counts, Engine, SyncHandle, SyncStatus, Update, spawn, spawn_shared};

use crate::config::Config;
use crate::store::StoreError;
use std::path::Path;
use thiserror::Error;

/// Where the hub is and how to prove who we are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The hub's address, or several (a city hub's processes) separated by commas.
    pub url: String,
    pub token: String,
    pub workstation: String,
    /// An extra CA certificate (PEM) to trust for an `https://` hub.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Settings {
    /// The hub's addresses in the order they are tried, without trailing slashes.
    pub fn addresses(&self) -> Vec<String> {
        addresses(&self.url)
    }
}

/// The addresses in `url`: one, or several separated by commas or spaces.
pub fn addresses(url: &str) -> Vec<String> {
    url.split(|c: char| c == ',' || c.is_whitespace())
        .map(|a| a.trim().trim_end_matches('/'))
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// The host and port of an address, for a narrow header (`https://hub2:8787/x` → `hub2:8787`).
pub fn host_and_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// Why a sync step failed.
#[derive(Debug, Error)]
pub enum SyncError {
    #[error("the hub at {url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    #[error(
        "the hub speaks protocol version {hub}, this console speaks {ours}: upgrade whichever is older"
    )]
    Version { hub: String, ours: &'static str },
    #[error("the hub refused ({status} {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the hub's answer is not understood: {0}")]
    Decode(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("hub settings: {0}")]
    Settings(String),
}

impl SyncError {
    /// Worth retrying later by itself (the hub is away or busy), as opposed to needing a person.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable { .. } => true,
            SyncError::Refused { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Reads `[hub]` with the `FENLIU_HUB_URL` / `FENLIU_HUB_TOKEN` overrides. `Ok(None)`: no hub,
/// the console works alone. `config_path` anchors a relative `token_file`.
pub fn settings(
    config: &Config,
    config_path: Option<&Path>,
) -> Result<Option<Settings>, SyncError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let Some(url) = env("FENLIU_HUB_URL").or_else(|| config.hub.url.clone()) else {
        return Ok(None);
    };
    let beside_config = |file: &std::path::PathBuf| match config_path.and_then(Path::parent) {
        Some(dir) if file.is_relative() => dir.join(file),
        _ => file.clone(),
    };
    let token = match (
        env("FENLIU_HUB_TOKEN"),
        &config.hub.token,
        &config.hub.token_file,
    ) {
        (Some(t), _, _) => t,
        (None, Some(t), _) => t.clone(),
        (None, None, Some(file)) => {
            let path = beside_config(file);
            std::fs::read_to_string(&path)
                .map_err(|e| {
                    SyncError::Settings(format!("cannot read token_file {}: {e}", path.display()))
                })?
                .trim()
                .to_string()
        }
        (None, None, None) => {
            return Err(SyncError::Settings(
                "[hub] url is set but no token: set token_file (or FENLIU_HUB_TOKEN)".into(),
            ));
        }
    };
    if addresses(&url).is_empty() {
        return Err(SyncError::Settings("[hub] url names no address".into()));
    }
    let workstation = config.hub.workstation.clone().ok_or_else(|| {
        SyncError::Settings(
            "[hub] workstation is not set: give each workstation of the station its own number"
                .into(),
        )
    })?;
    Ok(Some(Settings {
        url: addresses(&url).join(", "),
        token,
        workstation,
        ca_file: config.hub.ca_file.as_ref().map(beside_config),
    }))
}

#[cfg(test)]
mod tests {
    use super::{addresses, host_and_port};

    #[test]
    fn an_address_is_shortened_to_host_and_port() {
        assert_eq!(
            host_and_port("https://hub2.example:8787/"),
            "hub2.example:8787"
        );
        assert_eq!(host_and_port("http://127.0.0.1:9/base"), "127.0.0.1:9");
        assert_eq!(host_and_port("hub3:80"), "hub3:80");
    }

    #[test]
    fn several_addresses_are_read_in_order() {
        assert_eq!(
            addresses("http://a:8780/, http://b:8780  http://c:8780,"),
            vec!["http://a:8780", "http://b:8780", "http://c:8780"]
        );
        assert_eq!(
            addresses("https://hub.example/"),
            vec!["https://hub.example"]
        );
        assert!(addresses(" , ").is_empty());
    }
}
