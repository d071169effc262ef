//! Station commands: switching mode, leaving a note for the next shift, recording a sampling
//! finding. Like item commands they become events here or are refused with a reason.

use crate::domain::station::{Finding, Mode, StationKind, StationState};
use thiserror::Error;

/// Every action on the station itself.
#[derive(Debug, Clone, PartialEq)]
pub enum StationCommand {
    /// 切换运行模式 (常态 / 战时), with why.
    SwitchMode { mode: Mode, note: Option<String> },
    /// 交班留言.
    ShiftNote { text: String },
    /// 抽检结论 on an item sampled before.
    Review {
        reference: String,
        finding: Finding,
        note: Option<String>,
    },
}

/// Why a station command cannot be done, in the officer's words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StationRefusal {
    #[error("本指挥室已处于{}，无需切换", .0.zh())]
    AlreadyInMode(Mode),
    #[error("交班留言不能为空")]
    EmptyNote,
    #[error("{0} 未被抽检，不能记录抽检结论（先运行 fenliu sample --closed N）")]
    NotSampled(String),
}

/// The station event `command` records on the station as it stands, or why not.
pub fn decide_station(
    state: &StationState,
    command: &StationCommand,
) -> Result<StationKind, StationRefusal> {
    let clean = |n: &Option<String>| {
        n.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    match command {
        StationCommand::SwitchMode { mode, note } => {
            if state.mode() == *mode {
                return Err(StationRefusal::AlreadyInMode(*mode));
            }
            Ok(StationKind::ModeSwitched {
                mode: *mode,
                note: clean(note),
            })
        }
        StationCommand::ShiftNote { text } => {
            let text = text.trim();
            if text.is_empty() {
                return Err(StationRefusal::EmptyNote);
            }
            Ok(StationKind::ShiftNote { text: text.into() })
        }
        StationCommand::Review {
            reference,
            finding,
            note,
        } => {
            if !state.samples.contains_key(reference.trim()) {
                return Err(StationRefusal::NotSampled(reference.trim().into()));
            }
            Ok(StationKind::SampleReviewed {
                reference: reference.trim().into(),
                finding: *finding,
                note: clean(note),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::station::{STATION_ITEM, StationState};
    use crate::domain::{Actor, Event, EventId, EventKind};
    use chrono::{TimeZone, Utc};

    fn recorded(kind: StationKind) -> Event {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 22, 13, 0, 0)
            .single()
            .expect("fixture");
        Event {
            id: EventId::v7_at(at),
            incident: STATION_ITEM,
            actor: Actor {
                operator: "王磊".into(),
                station: "dn".into(),
                device: "1".into(),
            },
            occurred_at: at,
            recorded_at: at,
            kind: EventKind::Station { station: kind },
        }
    }

    #[test]
    fn switching_to_the_mode_that_holds_is_refused() {
        let normal = StationState::default();
        let off = StationCommand::SwitchMode {
            mode: Mode::Normal,
            note: None,
        };
        assert_eq!(
            decide_station(&normal, &off),
            Err(StationRefusal::AlreadyInMode(Mode::Normal))
        );
        let on = StationCommand::SwitchMode {
            mode: Mode::War,
            note: Some("  ".into()),
        };
        let kind = decide_station(&normal, &on).expect("war from normal");
        assert_eq!(
            kind,
            StationKind::ModeSwitched {
                mode: Mode::War,
                note: None
            },
            "a blank note is no note"
        );
        let war = StationState::fold([&recorded(kind)]);
        assert_eq!(war.mode(), Mode::War);
        assert!(decide_station(&war, &on).is_err());
        assert!(decide_station(&war, &off).is_ok());
    }

    #[test]
    fn notes_and_findings_need_content_and_a_sampled_item() {
        let state = StationState::default();
        let blank = StationCommand::ShiftNote { text: " ".into() };
        assert_eq!(
            decide_station(&state, &blank),
            Err(StationRefusal::EmptyNote)
        );
        let review = StationCommand::Review {
            reference: "DN-20261122-0001".into(),
            finding: Finding::Ok,
            note: None,
        };
        assert!(matches!(
            decide_station(&state, &review),
            Err(StationRefusal::NotSampled(_))
        ));
        let sampled = StationState::fold([&recorded(StationKind::Sampled {
            reference: "DN-20261122-0001".into(),
            date: "2026-11-22".into(),
        })]);
        assert!(decide_station(&sampled, &review).is_ok());
    }

    #[test]
    fn a_station_event_naming_an_item_is_malformed() {
        let mut e = recorded(StationKind::ShiftNote {
            text: "交接".into(),
        });
        assert_eq!(crate::domain::station::check(&e), Ok(()));
        e.incident = crate::domain::IncidentId(uuid::Uuid::from_u128(7));
        assert!(crate::domain::station::check(&e).is_err());
    }
}
