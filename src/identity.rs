//! Who is acting: station, workstation number, operator and device, built once from the config
//! and the environment and used by every shell for references, event actors and messages.

use crate::config::Config;
use crate::domain::Actor;

/// The environment variable that names the hub instead of `[hub] url`.
pub const HUB_URL_ENV: &str = "FENLIU_HUB_URL";

/// One workstation's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Station id (街镇指挥室).
    pub station: String,
    /// The station's reference prefix (`DN`).
    pub station_prefix: String,
    /// This workstation's number within the station, when set.
    pub workstation: Option<String>,
    /// The duty officer's name.
    pub operator: String,
    /// Whether a hub is configured, by `[hub] url` or by `FENLIU_HUB_URL`.
    pub syncs: bool,
    /// What recorded the events when no workstation number is set (`console`, `cli`).
    pub shell: &'static str,
}

impl Identity {
    /// The identity from `config` and `operator`; `hub_url_env` is `FENLIU_HUB_URL` as read.
    pub fn new(
        config: &Config,
        operator: &str,
        hub_url_env: Option<&str>,
        shell: &'static str,
    ) -> Identity {
        let env_url = hub_url_env.is_some_and(|u| !u.trim().is_empty());
        Identity {
            station: config.station.id.clone(),
            station_prefix: config.station.prefix.clone(),
            workstation: config
                .hub
                .workstation
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(String::from),
            operator: operator.to_string(),
            syncs: env_url || config.hub.url.is_some(),
            shell,
        }
    }

    /// The identity from `config`, reading `FENLIU_HUB_URL` from the environment.
    pub fn from_env(config: &Config, operator: &str, shell: &'static str) -> Identity {
        let env = std::env::var(HUB_URL_ENV).ok();
        Identity::new(config, operator, env.as_deref(), shell)
    }

    /// The prefix of references this workstation makes: the station's, plus the workstation
    /// number when it syncs (so two workstations never make the same reference offline).
    pub fn reference_prefix(&self) -> String {
        match (&self.workstation, self.syncs) {
            (Some(ws), true) => format!("{}{ws}", self.station_prefix),
            _ => self.station_prefix.clone(),
        }
    }

    /// The device written on events: the workstation number, else the shell's name.
    pub fn device(&self) -> String {
        self.workstation
            .clone()
            .unwrap_or_else(|| self.shell.to_string())
    }

    /// The actor of events recorded here.
    pub fn actor(&self) -> Actor {
        Actor {
            operator: self.operator.clone(),
            station: self.station.clone(),
            device: self.device(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: Option<&str>, ws: Option<&str>) -> Config {
        let mut c = Config::default();
        c.station.prefix = "DN".into();
        c.hub.url = url.map(String::from);
        c.hub.workstation = ws.map(String::from);
        c
    }

    #[test]
    fn the_hub_named_by_the_environment_or_the_file_gives_the_same_prefix() {
        let from_file = Identity::new(&config(Some("http://h"), Some("3")), "王磊", None, "cli");
        let from_env = Identity::new(&config(None, Some("3")), "王磊", Some("http://h"), "cli");
        assert_eq!(from_file.reference_prefix(), "DN3");
        assert_eq!(from_env.reference_prefix(), "DN3");
        let alone = Identity::new(&config(None, Some("3")), "王磊", Some("  "), "cli");
        assert_eq!(alone.reference_prefix(), "DN");
    }

    #[test]
    fn the_device_is_the_workstation_number_whatever_the_shell() {
        let console = Identity::new(&config(None, Some("2")), "王磊", None, "console");
        let cli = Identity::new(&config(None, Some("2")), "王磊", None, "cli");
        assert_eq!(console.actor(), cli.actor());
        assert_eq!(console.actor().device, "2");
        let alone = Identity::new(&config(None, None), "王磊", None, "console");
        assert_eq!(alone.device(), "console");
    }
}
