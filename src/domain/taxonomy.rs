//! Triage vocabulary shared by the classifier, the journal and the screens: class, dispatch mode,
//! priority, and the decision recorded in a `triaged` event.

use serde::{Deserialize, Serialize};

/// 警情性质: who owns the matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// 警务类: stays with, or goes back to, 110.
    Police,
    /// 非警务类: diverted to the street.
    #[serde(rename = "nonpolice")]
    NonPolice,
    /// 无法界定: police act first, a department is dispatched in parallel.
    Uncertain,
}

impl Class {
    /// The code used in the responsibility list and the labelled corpus.
    pub fn code(self) -> &'static str {
        match self {
            Class::Police => "police",
            Class::NonPolice => "nonpolice",
            Class::Uncertain => "uncertain",
        }
    }

    /// Parses `police`, `nonpolice` or `uncertain`.
    pub fn parse(s: &str) -> Option<Class> {
        match s.trim() {
            "police" => Some(Class::Police),
            "nonpolice" => Some(Class::NonPolice),
            "uncertain" => Some(Class::Uncertain),
            _ => None,
        }
    }
}

/// 派单模式 (Wenling's three, plus P for items that stay with the police).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DispatchMode {
    /// P: stays with the police (回流110).
    #[serde(rename = "P")]
    Police,
    /// A: no immediate action needed, a 12345 work order.
    #[serde(rename = "A")]
    ToHotline,
    /// B: the street command room dispatches now.
    #[serde(rename = "B")]
    Immediate,
    /// C: police and department at once, handover once the scene is under control.
    #[serde(rename = "C")]
    Joint,
}

impl DispatchMode {
    /// The one-letter code (`P`, `A`, `B`, `C`).
    pub fn code(self) -> &'static str {
        match self {
            DispatchMode::Police => "P",
            DispatchMode::ToHotline => "A",
            DispatchMode::Immediate => "B",
            DispatchMode::Joint => "C",
        }
    }

    /// Parses a one-letter code.
    pub fn parse(s: &str) -> Option<DispatchMode> {
        match s.trim() {
            "P" | "p" => Some(DispatchMode::Police),
            "A" | "a" => Some(DispatchMode::ToHotline),
            "B" | "b" => Some(DispatchMode::Immediate),
            "C" | "c" => Some(DispatchMode::Joint),
            _ => None,
        }
    }
}

/// 紧急程度. Ordered from most to least urgent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent,
    #[default]
    Normal,
    #[serde(rename = "nonurgent")]
    NonUrgent,
}

impl Priority {
    /// Parses `urgent`, `normal` or `nonurgent`.
    pub fn parse(s: &str) -> Option<Priority> {
        match s.trim() {
            "urgent" => Some(Priority::Urgent),
            "normal" => Some(Priority::Normal),
            "nonurgent" => Some(Priority::NonUrgent),
            _ => None,
        }
    }

    /// The code used in JSON and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::Normal => "normal",
            Priority::NonUrgent => "nonurgent",
        }
    }
}

/// One piece of evidence behind a triage decision: which rule fired on which words, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Rule id, e.g. a category code (`E1`) or a red-flag family (`redflag:violence`).
    pub rule: String,
    /// The phrase that matched, as written in the list.
    pub phrase: String,
    /// Character offset (not bytes) of the match in the description.
    pub at: usize,
    /// What the match did, in a few words (e.g. "keyword", "red flag", "negated").
    pub effect: String,
}

/// The classifier's (or an officer's) decision, recorded in a `triaged` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageDecision {
    pub class: Class,
    /// Category code from the responsibility list (`E1`, `P2` …), if one fits.
    pub category: Option<String>,
    /// Display name, e.g. `环境违法 › 社会生活噪声`.
    pub category_name: Option<String>,
    pub departments: Vec<String>,
    pub mode: DispatchMode,
    pub priority: Priority,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    /// The category's completion limit in seconds, which replaces the default feedback limit.
    pub completion_limit_secs: Option<i64>,
    /// Why: every rule and word that decided it.
    pub evidence: Vec<Evidence>,
    /// One line a duty officer reads.
    pub summary: String,
    /// Version of the responsibility list that produced it.
    pub list_version: String,
    /// Set when an officer overrode the classifier.
    pub overridden_by: Option<String>,
}
