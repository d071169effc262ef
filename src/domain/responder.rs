//! Responders (处置力量) and how events move their duty status.

use super::event::EventKind;
use super::incident::Incident;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// 勤务状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    /// 在岗
    #[default]
    Available,
    /// 已派
    Assigned,
    /// 途中
    EnRoute,
    /// 现场
    OnScene,
    /// 离岗
    OffDuty,
}

impl DutyStatus {
    /// Every duty status.
    pub const ALL: [DutyStatus; 5] = [
        DutyStatus::Available,
        DutyStatus::Assigned,
        DutyStatus::EnRoute,
        DutyStatus::OnScene,
        DutyStatus::OffDuty,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            DutyStatus::Available => "available",
            DutyStatus::Assigned => "assigned",
            DutyStatus::EnRoute => "en_route",
            DutyStatus::OnScene => "on_scene",
            DutyStatus::OffDuty => "off_duty",
        }
    }

    /// Parses a code (`off-duty` is accepted too).
    pub fn parse(s: &str) -> Option<DutyStatus> {
        let s = s.trim().replace('-', "_");
        DutyStatus::ALL.into_iter().find(|d| d.code() == s)
    }
}

impl fmt::Display for DutyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One person or team in the station's roster (力量名册).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responder {
    pub id: String,
    pub name: String,
    /// e.g. 派出所, 网格中队, 城管中队, 物业.
    pub unit: String,
    pub grid: Option<String>,
    pub phone: Option<String>,
    pub status: DutyStatus,
    /// Reference of the item the responder is working on.
    pub incident: Option<String>,
}

/// Why a responder cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RosterError {
    #[error("no responder with id {0} in the roster (see `fenliu roster list`)")]
    Unknown(String),
    #[error("responder {id} ({name}) is off duty")]
    OffDuty { id: String, name: String },
}

/// Whether a responder may be dispatched.
pub fn check_dispatchable(responder: &Responder) -> Result<(), RosterError> {
    if responder.status == DutyStatus::OffDuty {
        return Err(RosterError::OffDuty {
            id: responder.id.clone(),
            name: responder.name.clone(),
        });
    }
    Ok(())
}

/// A change of one responder's duty status caused by an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyMove {
    pub responder: String,
    pub status: DutyStatus,
    /// The item now worked on; `None` frees the responder.
    pub incident: Option<String>,
    /// Only move the responder if it is still on this item (a release must not free a
    /// responder who has moved on to another item).
    pub only_if_on: Option<String>,
}

/// The duty moves an event causes. `before` is the incident as it was before the event.
pub fn duty_moves(before: &Incident, kind: &EventKind) -> Vec<DutyMove> {
    let on = |responder: &String, status| DutyMove {
        responder: responder.clone(),
        status,
        incident: Some(before.reference.clone()),
        only_if_on: None,
    };
    match kind {
        EventKind::Dispatched { responders, .. } => responders
            .iter()
            .map(|r| on(r, DutyStatus::Assigned))
            .collect(),
        EventKind::Departed { responder } => vec![on(responder, DutyStatus::EnRoute)],
        EventKind::Arrived { responder } => vec![on(responder, DutyStatus::OnScene)],
        EventKind::Reassigned { from, to, .. } => vec![
            DutyMove {
                responder: from.clone(),
                status: DutyStatus::Available,
                incident: None,
                only_if_on: Some(before.reference.clone()),
            },
            on(to, DutyStatus::Assigned),
        ],
        EventKind::FeedbackGiven { .. }
        | EventKind::SentBack { .. }
        | EventKind::Closed
        | EventKind::Returned { .. }
        | EventKind::TransferredToPolice { .. }
        | EventKind::UploadedToDistrict { .. }
        | EventKind::HandedToHotline { .. }
        | EventKind::MergedInto { .. } => before
            .responders
            .iter()
            .map(|r| DutyMove {
                responder: r.clone(),
                status: DutyStatus::Available,
                incident: None,
                only_if_on: Some(before.reference.clone()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Responder {
    /// Applies a duty move to this responder, respecting `only_if_on`; off-duty stays off duty
    /// when released.
    pub fn follow(&mut self, mv: &DutyMove) {
        if let Some(item) = &mv.only_if_on
            && self.incident.as_ref() != Some(item)
        {
            return;
        }
        if mv.incident.is_none() && self.status == DutyStatus::OffDuty {
            return;
        }
        self.status = mv.status;
        self.incident = mv.incident.clone();
    }
}
