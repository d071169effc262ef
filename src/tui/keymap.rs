//! Keys to commands: the registry's defaults, with overrides from config merged over them.

use super::action::{Binding, Cmd, REGISTRY};
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// Why a keymap override was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error("keymap: no action named `{0}` (see the `?` help for names)")]
    UnknownAction(String),
    #[error(
        "keymap: `{key}` for `{action}` is not a key (write e.g. \"c\", \"G\", \"ctrl-d\", \"enter\")"
    )]
    BadKey { action: String, key: String },
    #[error("keymap: `{key}` is bound to both `{first}` and `{second}`")]
    Conflict {
        key: String,
        first: String,
        second: String,
    },
}

/// The active bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Binding, Cmd>,
    labels: HashMap<Cmd, String>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&BTreeMap::new()).unwrap_or_else(|_| Keymap {
            by_key: HashMap::new(),
            labels: HashMap::new(),
        })
    }
}

impl Keymap {
    /// Defaults with `overrides` (action name → key string) merged over them.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !REGISTRY.iter().any(|s| s.name == name) {
                return Err(KeymapError::UnknownAction(name.clone()));
            }
        }
        let mut by_key: HashMap<Binding, Cmd> = HashMap::new();
        let mut names: HashMap<Binding, &str> = HashMap::new();
        let mut labels = HashMap::new();
        for spec in REGISTRY {
            let text = overrides
                .get(spec.name)
                .map(String::as_str)
                .unwrap_or(spec.key);
            let binding = Binding::parse(text).ok_or_else(|| KeymapError::BadKey {
                action: spec.name.into(),
                key: text.into(),
            })?;
            if let Some(first) = names.get(&binding) {
                return Err(KeymapError::Conflict {
                    key: text.into(),
                    first: (*first).into(),
                    second: spec.name.into(),
                });
            }
            names.insert(binding, spec.name);
            by_key.insert(binding, spec.cmd);
            labels.insert(spec.cmd, text.to_string());
        }
        for (code, cmd) in [(KeyCode::Up, Cmd::Up), (KeyCode::Down, Cmd::Down)] {
            by_key
                .entry(Binding {
                    code,
                    ctrl: false,
                    alt: false,
                })
                .or_insert(cmd);
        }
        Ok(Keymap { by_key, labels })
    }

    /// The command a key press asks for.
    pub fn lookup(&self, key: &KeyEvent) -> Option<Cmd> {
        self.by_key.get(&Binding::of(key)).copied()
    }

    /// How the key of `cmd` is written on screen.
    pub fn label(&self, cmd: Cmd) -> &str {
        self.labels.get(&cmd).map(String::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_and_conflict() {
        let mut o = BTreeMap::new();
        o.insert("claim".to_string(), "ctrl-k".to_string());
        let km = Keymap::new(&o).expect("valid override");
        assert_eq!(km.label(Cmd::Claim), "ctrl-k");
        o.insert("claim".to_string(), "d".to_string());
        let err = Keymap::new(&o).expect_err("conflict");
        assert_eq!(
            err.to_string(),
            "keymap: `d` is bound to both `claim` and `dispatch`"
        );
        let mut bad = BTreeMap::new();
        bad.insert("nope".to_string(), "c".to_string());
        assert!(matches!(
            Keymap::new(&bad),
            Err(KeymapError::UnknownAction(_))
        ));
    }
}
