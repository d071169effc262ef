//! The officer's words for statuses and actions, in Chinese and English: one table that the
//! command layer's refusals and every screen use.

use crate::domain::Status;

/// A phrase in both screen languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub zh: &'static str,
    pub en: &'static str,
}

const fn w(zh: &'static str, en: &'static str) -> Words {
    Words { zh, en }
}

/// The name of a status (待签收, 已指派 …).
pub fn status(s: Status) -> Words {
    match s {
        Status::New => w("待签收", "new"),
        Status::Deferred => w("夜间留存", "deferred"),
        Status::Claimed => w("已签收", "claimed"),
        Status::Dispatched => w("已指派", "dispatched"),
        Status::EnRoute => w("途中", "en route"),
        Status::OnScene => w("到场", "on scene"),
        Status::AwaitingVerification => w("待核查", "to verify"),
        Status::Closed => w("结案", "closed"),
        Status::Returned => w("退回", "returned"),
        Status::ToPolice => w("转警务", "to police"),
        Status::ToDistrict => w("上报区级", "to district"),
        Status::ToHotline => w("转12345", "to hotline"),
    }
}

/// How people name a workstation from an event's device: `2 号工作站` for a number, else the
/// device as written.
pub fn workstation(device: &str) -> String {
    if !device.is_empty() && device.chars().all(|c| c.is_ascii_digit()) {
        format!("{device} 号工作站")
    } else {
        format!("{device} 工作站")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_workstation_is_named_by_its_number() {
        assert_eq!(workstation("2"), "2 号工作站");
        assert_eq!(workstation("console"), "console 工作站");
    }
}
