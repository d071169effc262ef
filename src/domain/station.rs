//! Station events (指挥室事件): facts about the station rather than one item — the mode it runs in,
//! notes left for the next shift, sampling and its findings — and the station's state as their fold.

use super::event::{Event, EventKind};
use super::ids::IncidentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;
use uuid::Uuid;

/// The item id every station event carries: it belongs to no item.
pub const STATION_ITEM: IncidentId = IncidentId(Uuid::nil());

/// The mode a station runs in (运行模式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 常态
    #[default]
    Normal,
    /// 战时: the emergency plan is active and the war timer profile applies.
    War,
}

impl Mode {
    /// The code used on the command line and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::War => "war",
        }
    }

    /// The word on the screen.
    pub fn zh(self) -> &'static str {
        match self {
            Mode::Normal => "常态",
            Mode::War => "战时",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim() {
            "normal" => Some(Mode::Normal),
            "war" => Some(Mode::War),
            _ => None,
        }
    }
}

/// A reviewer's finding on a sampled item (抽检结论).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 无问题
    Ok,
    /// 发现问题
    Problem,
}

/// Every kind of station event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StationKind {
    /// The station switched mode (常态 ↔ 战时), with why.
    ModeSwitched { mode: Mode, note: Option<String> },
    /// A note for the next shift (交接班留言).
    ShiftNote { text: String },
    /// A closed item was picked for review (警单抽检 / 回访复检) in the batch of `date`.
    Sampled { reference: String, date: String },
    /// The reviewer's finding on a sampled item.
    SampleReviewed {
        reference: String,
        finding: Finding,
        note: Option<String>,
    },
}

impl StationKind {
    /// The snake_case name used in the journal.
    pub fn name(&self) -> &'static str {
        match self {
            StationKind::ModeSwitched { .. } => "mode_switched",
            StationKind::ShiftNote { .. } => "shift_note",
            StationKind::Sampled { .. } => "sampled",
            StationKind::SampleReviewed { .. } => "sample_reviewed",
        }
    }
}

/// Why a station event cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StationError {
    #[error("a station event must not name an item")]
    NamesAnItem,
    #[error("an item's event is not a station event")]
    NotStationKind,
    #[error("a shift note cannot be empty")]
    EmptyNote,
    #[error("a sampling event must name the item's reference")]
    NoReference,
}

/// Whether `event` is a well-formed station event (the hub checks every pushed one with this).
pub fn check(event: &Event) -> Result<(), StationError> {
    let EventKind::Station { station } = &event.kind else {
        return Err(StationError::NotStationKind);
    };
    if event.incident != STATION_ITEM {
        return Err(StationError::NamesAnItem);
    }
    match station {
        StationKind::ShiftNote { text } if text.trim().is_empty() => Err(StationError::EmptyNote),
        StationKind::Sampled { reference, .. } | StationKind::SampleReviewed { reference, .. }
            if reference.trim().is_empty() =>
        {
            Err(StationError::NoReference)
        }
        _ => Ok(()),
    }
}

/// A mode switch as recorded: who, when, why.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeChange {
    pub mode: Mode,
    pub at: DateTime<Utc>,
    pub operator: String,
    pub device: String,
    pub note: Option<String>,
}

/// A note left for the next shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftNote {
    pub at: DateTime<Utc>,
    pub operator: String,
    pub text: String,
}

/// One sampled item and its finding, once reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub reference: String,
    pub date: String,
    pub sampled_at: DateTime<Utc>,
    pub finding: Option<(Finding, Option<String>, String)>,
}

/// The station as its events made it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StationState {
    /// Every mode switch in order; the last one holds.
    pub modes: Vec<ModeChange>,
    pub notes: Vec<ShiftNote>,
    /// Sampled items by reference.
    pub samples: BTreeMap<String, Sample>,
}

impl StationState {
    /// Folds station events in order; other events are ignored.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> StationState {
        let mut state = StationState::default();
        for e in events {
            state.apply(e);
        }
        state
    }

    /// The mode holding now.
    pub fn mode(&self) -> Mode {
        self.modes.last().map_or(Mode::Normal, |m| m.mode)
    }

    /// The mode that held at `at`.
    pub fn mode_at(&self, at: DateTime<Utc>) -> Mode {
        self.modes
            .iter()
            .rev()
            .find(|m| m.at <= at)
            .map_or(Mode::Normal, |m| m.mode)
    }

    /// Folds one event.
    pub fn apply(&mut self, event: &Event) {
        let EventKind::Station { station } = &event.kind else {
            return;
        };
        let at = event.occurred_at;
        let operator = event.actor.operator.clone();
        match station {
            StationKind::ModeSwitched { mode, note } => self.modes.push(ModeChange {
                mode: *mode,
                at,
                operator,
                device: event.actor.device.clone(),
                note: note.clone(),
            }),
            StationKind::ShiftNote { text } => self.notes.push(ShiftNote {
                at,
                operator,
                text: text.clone(),
            }),
            StationKind::Sampled { reference, date } => {
                self.samples
                    .entry(reference.clone())
                    .or_insert_with(|| Sample {
                        reference: reference.clone(),
                        date: date.clone(),
                        sampled_at: at,
                        finding: None,
                    });
            }
            StationKind::SampleReviewed {
                reference,
                finding,
                note,
            } => {
                if let Some(s) = self.samples.get_mut(reference) {
                    s.finding = Some((*finding, note.clone(), operator));
                }
            }
        }
    }
}
