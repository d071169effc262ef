//! Drills (模拟报警临检): simulated alarms from a fixed set of templates. A drill runs every clock
//! like a real item but is marked as one and kept out of the figures.

use crate::domain::{Priority, Received, Source};

/// One simulated alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The name given to `fenliu drill --template`.
    pub name: &'static str,
    pub source: Source,
    pub text: &'static str,
    pub address: &'static str,
    pub priority: Priority,
}

/// Every drill template.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "noise",
        source: Source::Hotline12345,
        text: "【演练】楼上深夜装修噪音扰民，影响休息",
        address: "演练地址 1 号楼",
        priority: Priority::Normal,
    },
    Template {
        name: "dispute",
        source: Source::Police110,
        text: "【演练】邻里因停车位发生口角，暂无肢体冲突",
        address: "演练地址 2 号楼",
        priority: Priority::Normal,
    },
    Template {
        name: "hazard",
        source: Source::GridPatrol,
        text: "【演练】小区井盖缺失，行人有跌落危险",
        address: "演练地址 3 号门",
        priority: Priority::Urgent,
    },
    Template {
        name: "wage",
        source: Source::Hotline12345,
        text: "【演练】工地拖欠农民工工资，工人聚集讨薪",
        address: "演练地址 工地",
        priority: Priority::Urgent,
    },
];

/// The template with this name.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name.trim())
}

/// The new item a template makes for `station`: marked as a drill.
pub fn received(t: &Template, station: &str) -> Received {
    Received {
        reference: String::new(),
        station: station.into(),
        source: t.source,
        source_ref: None,
        text: t.text.into(),
        address: Some(t.address.into()),
        grid: None,
        community: None,
        phone: None,
        priority: t.priority,
        drill: true,
        repeat_of: None,
    }
}
