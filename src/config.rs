//! Configuration: TOML, with defaults for every key, found by `--config` / `FENLIU_CONFIG` or in
//! the user's config directory. A mistake is reported with its file, line and key.

use crate::domain::night::NightWindow;
use crate::domain::{SlaPolicy, Span};
use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Duty officer's name written on every event.
    pub operator: String,
    /// Station time zone (IANA name).
    pub timezone: TimeZone,
    /// Screen language.
    pub lang: Lang,
    pub station: StationConfig,
    pub sla: SlaConfig,
    pub night: NightConfig,
    pub escalation: EscalationConfig,
    pub triage: TriageConfig,
    pub console: ConsoleConfig,
    pub hub: HubSection,
    pub callback: CallbackConfig,
    pub shift: ShiftConfig,
    /// `[targets]`: the figures a station is judged by.
    pub targets: crate::report::Targets,
    /// `[units]`: roster unit → the departments it serves (the dispatch picker's order).
    pub units: crate::domain::Units,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            operator: "值班员".into(),
            timezone: TimeZone(chrono_tz::Asia::Shanghai),
            lang: Lang::Zh,
            station: StationConfig::default(),
            sla: SlaConfig::default(),
            night: NightConfig::default(),
            escalation: EscalationConfig::default(),
            triage: TriageConfig::default(),
            console: ConsoleConfig::default(),
            hub: HubSection::default(),
            callback: CallbackConfig::default(),
            shift: ShiftConfig::default(),
            targets: crate::report::Targets::default(),
            units: crate::domain::Units::default(),
        }
    }
}

/// `[triage]`: the responsibility list and repeat-call detection.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriageConfig {
    /// A responsibility list replacing the embedded default (relative to the config file).
    pub responsibilities: Option<PathBuf>,
    /// The same phone or address within this window links a new item to the earlier one.
    pub repeat_window: Span,
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            responsibilities: None,
            repeat_window: Span(chrono::TimeDelta::hours(24)),
        }
    }
}

/// `[hub]`: the district hub this console syncs with. No `url` means the console works alone.
/// `FENLIU_HUB_URL` and `FENLIU_HUB_TOKEN` override `url` and the token.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubSection {
    /// Base address, e.g. `https://hub.example:8780`, or several separated by commas (a city
    /// hub's processes), tried in turn while one is away.
    pub url: Option<String>,
    /// The station's token (prefer `token_file`: keep secrets out of config files).
    pub token: Option<String>,
    /// A file holding the token (relative to the config file).
    pub token_file: Option<PathBuf>,
    /// This workstation's number within the station, part of the references it makes offline.
    pub workstation: Option<String>,
    /// An extra CA certificate (PEM) to trust for the hub's TLS, for a district's own authority
    /// (relative to the config file).
    pub ca_file: Option<PathBuf>,
}

/// `[shift]`: when shifts hand over (交接班), local times of day.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShiftConfig {
    pub starts: Vec<ClockTime>,
}

impl Default for ShiftConfig {
    fn default() -> Self {
        let at = |h| ClockTime(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default());
        ShiftConfig {
            starts: vec![at(8), at(20)],
        }
    }
}

impl ShiftConfig {
    /// The starts as times of day.
    pub fn times(&self) -> Vec<NaiveTime> {
        self.starts.iter().map(|t| t.0).collect()
    }
}

/// `[callback]`: what a callback's answer does (回访).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallbackConfig {
    /// A dissatisfied caller reopens the closed item for another round (重办).
    pub reopen_on_dissatisfied: bool,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        CallbackConfig {
            reopen_on_dissatisfied: true,
        }
    }
}

/// `[station]`: who this command room is.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StationConfig {
    pub id: String,
    pub name: String,
    /// Prefix of references: `{prefix}-{YYYYMMDD}-{NNNN}`.
    pub prefix: String,
}

impl Default for StationConfig {
    fn default() -> Self {
        StationConfig {
            id: "station".into(),
            name: "街道综合信息指挥室".into(),
            prefix: "ST".into(),
        }
    }
}

/// `[sla]`: every clock's limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaConfig {
    pub claim: Span,
    pub contact: Span,
    pub video: Span,
    pub depart: Span,
    pub arrive: Span,
    pub feedback: Span,
    pub warn_share: Share,
    /// `[sla.war]`: the tighter limits while the station is in war mode (战时).
    pub war: WarSla,
}

impl Default for SlaConfig {
    fn default() -> Self {
        let p = SlaPolicy::default();
        SlaConfig {
            claim: p.claim,
            contact: p.contact,
            video: p.video,
            depart: p.depart,
            arrive: p.arrive,
            feedback: p.feedback,
            warn_share: Share(p.warn_share),
            war: WarSla::default(),
        }
    }
}

/// `[sla.war]`: the war timer profile; the warning share and the ladder stay those of `[sla]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarSla {
    pub claim: Span,
    pub contact: Span,
    pub video: Span,
    pub depart: Span,
    pub arrive: Span,
    pub feedback: Span,
}

impl Default for WarSla {
    fn default() -> Self {
        let s = |secs| Span(chrono::TimeDelta::seconds(secs));
        WarSla {
            claim: s(30),
            contact: s(120),
            video: s(180),
            depart: s(120),
            arrive: s(15 * 60),
            feedback: s(4 * 3600),
        }
    }
}

/// `[night]`: the window in which non-urgent items are held until morning.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NightConfig {
    pub start: ClockTime,
    pub end: ClockTime,
}

impl Default for NightConfig {
    fn default() -> Self {
        NightConfig {
            start: ClockTime(NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default()),
            end: ClockTime(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()),
        }
    }
}

/// `[escalation]`: the ladder (三周三级, then 市级挂牌督办).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationConfig {
    pub ladder: Vec<Span>,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        EscalationConfig {
            ladder: SlaPolicy::default().ladder,
        }
    }
}

/// `[console]`: the full-screen console.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Ring the terminal bell when a new item arrives and when a clock breaches.
    pub bell: bool,
    /// Key overrides merged over the defaults: action name → key (`"ctrl-d"`, `"G"`, `"enter"`).
    pub keys: std::collections::BTreeMap<String, String>,
    /// Colour overrides per slot (`sla_ok`, `sla_warn`, `sla_breach`, `muted`, `focus`,
    /// `key_hint`): a colour name (`"red"`, `"darkgray"`) or `"#rrggbb"`.
    pub theme: std::collections::BTreeMap<String, String>,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            bell: true,
            keys: Default::default(),
            theme: Default::default(),
        }
    }
}

/// Screen language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// An IANA time zone name such as `Asia/Shanghai`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub Tz);

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse::<Tz>().map(TimeZone).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{name}` is not a time zone; use an IANA name such as \"Asia/Shanghai\""
            ))
        })
    }
}

/// A local time of day written "HH:MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub NaiveTime);

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map(ClockTime)
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "`{text}` is not a time of day; write it as \"HH:MM\", e.g. \"22:00\""
                ))
            })
    }
}

/// A share strictly between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share(pub f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v > 0.0 && v < 1.0 {
            Ok(Share(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is not a share; write a number between 0 and 1, e.g. 0.25"
            )))
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, key) = locate(text, offset);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                key,
                message: e.message().trim().to_string(),
            }
        })?;
        config.check(text, path)?;
        Ok(config)
    }

    fn check(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| {
            let (line, key) = find_key(text, key);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                key,
                message,
            }
        };
        if self.station.prefix.trim().is_empty()
            || !self
                .station
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        {
            return Err(invalid(
                "station.prefix",
                format!(
                    "`{}` cannot start a reference; use letters and digits, e.g. \"DN\"",
                    self.station.prefix
                ),
            ));
        }
        if self.hub.token.is_some() && self.hub.token_file.is_some() {
            return Err(invalid(
                "hub.token_file",
                "set either `token` or `token_file`, not both".into(),
            ));
        }
        if let Some(ws) = &self.hub.workstation
            && (ws.is_empty() || !ws.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(invalid(
                "hub.workstation",
                format!("`{ws}`: use letters and digits, e.g. \"2\""),
            ));
        }
        if self.escalation.ladder.is_empty() {
            return Err(invalid(
                "escalation.ladder",
                "the ladder needs at least one step, e.g. [\"7d\", \"14d\", \"21d\"]".into(),
            ));
        }
        if self.escalation.ladder.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid(
                "escalation.ladder",
                "each step must be longer than the one before it".into(),
            ));
        }
        if self.escalation.ladder.len() > usize::from(crate::domain::lifecycle::MAX_ESCALATION) {
            return Err(invalid(
                "escalation.ladder",
                "at most 4 steps (levels 1 to 4)".into(),
            ));
        }
        Ok(())
    }

    /// The SLA policy the clocks run on.
    pub fn sla_policy(&self) -> SlaPolicy {
        SlaPolicy {
            claim: self.sla.claim,
            contact: self.sla.contact,
            video: self.sla.video,
            depart: self.sla.depart,
            arrive: self.sla.arrive,
            feedback: self.sla.feedback,
            warn_share: self.sla.warn_share.0,
            ladder: self.escalation.ladder.clone(),
        }
    }

    /// The SLA policy while the station runs in `mode`: `[sla]`, or `[sla.war]` in war mode.
    pub fn sla_policy_for(&self, mode: crate::domain::station::Mode) -> SlaPolicy {
        let normal = self.sla_policy();
        match mode {
            crate::domain::station::Mode::Normal => normal,
            crate::domain::station::Mode::War => {
                let w = &self.sla.war;
                SlaPolicy {
                    claim: w.claim,
                    contact: w.contact,
                    video: w.video,
                    depart: w.depart,
                    arrive: w.arrive,
                    feedback: w.feedback,
                    ..normal
                }
            }
        }
    }

    /// The night window in the station's time zone.
    pub fn night_window(&self) -> NightWindow {
        NightWindow {
            start: self.night.start.0,
            end: self.night.end.0,
            tz: self.timezone.0,
        }
    }
}

/// Line number (1-based) and dotted key at a byte offset of the TOML text.
fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let key = line.split('=').next().unwrap_or("").trim();
    let section = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = if key.starts_with('[') {
        key.trim_matches(|c| c == '[' || c == ']').to_string()
    } else {
        match section {
            Some(s) if !key.is_empty() => format!("{s}.{key}"),
            _ => key.to_string(),
        }
    };
    (line_no, key)
}

/// Line of a dotted key (`section.key`), or line 1 when it is not written (a default).
fn find_key(text: &str, dotted: &str) -> (usize, String) {
    let (section, key) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') && l.ends_with(']') {
            current = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        } else if current == section && l.split('=').next().map(str::trim) == Some(key) {
            return (i + 1, dotted.to_string());
        }
    }
    (1, dotted.to_string())
}

/// Where fenliu looks by default, from the platform's conventions.
pub fn default_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "fenliu")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("fenliu.toml"))
    }

    fn error_of(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_config_is_all_defaults() {
        let c = parse("").expect("empty config parses");
        assert_eq!(c.timezone.0, chrono_tz::Asia::Shanghai);
        assert_eq!(c.sla_policy(), SlaPolicy::default());
        assert_eq!(c.lang, Lang::Zh);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let msg = error_of("operator = \"王磊\"\n[sla]\nclaim = \"2m\"\nclam = \"1m\"\n");
        assert!(msg.starts_with("fenliu.toml:4: `sla.clam`"), "{msg}");
    }

    #[test]
    fn bad_duration_names_its_line_and_key() {
        let msg = error_of("[station]\nid = \"dn\"\n\n[sla]\narrive = \"20 minutos\"\n");
        assert!(msg.starts_with("fenliu.toml:5: `sla.arrive`"), "{msg}");
        assert!(msg.contains("20m"), "{msg}");
    }

    #[test]
    fn bad_values_of_each_kind_are_refused() {
        for (text, key) in [
            ("timezone = \"Mars/Base\"\n", "`timezone`"),
            ("lang = \"fr\"\n", "`lang`"),
            ("[night]\nstart = \"25:00\"\n", "`night.start`"),
            ("[sla]\nwarn_share = 1.5\n", "`sla.warn_share`"),
            ("[station]\nprefix = \"D N\"\n", "`station.prefix`"),
            (
                "[hub]\ntoken = \"a\"\ntoken_file = \"t\"\n",
                "`hub.token_file`",
            ),
            ("[hub]\nworkstation = \"w 2\"\n", "`hub.workstation`"),
            ("[hub]\nurl = 5\n", "`hub.url`"),
            (
                "[escalation]\nladder = [\"14d\", \"7d\"]\n",
                "`escalation.ladder`",
            ),
            ("[escalation]\nladder = []\n", "`escalation.ladder`"),
            ("[sla]\nclaim = \"1ns\"\n", "`sla.claim`"),
            ("[sla]\nclaim = \"500ms\"\n", "`sla.claim`"),
            ("[sla]\narrive = \"0s\"\n", "`sla.arrive`"),
        ] {
            let msg = error_of(text);
            assert!(msg.contains(key), "{text:?} gave {msg}");
        }
    }

    #[test]
    fn the_example_config_is_valid_and_says_the_defaults() {
        let text = include_str!("../config.example.toml");
        let c = parse(text).expect("config.example.toml parses");
        assert_eq!(c.sla_policy(), SlaPolicy::default());
        assert_eq!(c.timezone.0, chrono_tz::Asia::Shanghai);
        assert_eq!(c.units, crate::domain::Units::default());
    }
}
