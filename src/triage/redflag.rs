//! Red flags (升级情节): danger cues that keep an item with the police whatever else matches.
//!
//! Eleven families. The phrases and verb–object frames live in the lexicon (`lexicon.txt`);
//! negation ("双方没有动手"), near misses ("打扰", "着急", "火锅") and same-sound typing are handled
//! by the shared matcher, the score and its calm or past markers by `danger`.

use serde::{Deserialize, Serialize};

use super::danger::{Detector, State};
use super::lexicon::LEXICON;

/// A red-flag family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 暴力伤害: hitting, injury described by its effect.
    Violence,
    /// 凶器: a weapon named or implied ("拿着家伙").
    Weapon,
    /// 威胁胁迫: threats, coercion, confinement, planned blockades.
    Threat,
    /// 自伤轻生: suicide threats and acts.
    SelfHarm,
    /// 失踪被困: missing, trapped, not seen for days, unconscious.
    Missing,
    /// 火情: flames, smoke, burning smells.
    Fire,
    /// 爆炸燃气: explosions and gas.
    Explosion,
    /// 违法犯罪: theft, fraud, burglary, drugs, gambling.
    Crime,
    /// 人员聚集: crowds.
    Crowd,
    /// 交通伤人: traffic with injury.
    Traffic,
    /// 冲突升级: drink, agitation, about to fight, repeated calls.
    Escalation,
}

/// Every family.
pub const FAMILIES: [Family; 11] = [
    Family::Violence,
    Family::Weapon,
    Family::Threat,
    Family::SelfHarm,
    Family::Missing,
    Family::Fire,
    Family::Explosion,
    Family::Crime,
    Family::Crowd,
    Family::Traffic,
    Family::Escalation,
];

impl Family {
    /// Rule id used in evidence, e.g. `redflag:violence`.
    pub fn rule(self) -> &'static str {
        match self {
            Family::Violence => "redflag:violence",
            Family::Weapon => "redflag:weapon",
            Family::Threat => "redflag:threat",
            Family::SelfHarm => "redflag:selfharm",
            Family::Missing => "redflag:missing",
            Family::Fire => "redflag:fire",
            Family::Explosion => "redflag:explosion",
            Family::Crime => "redflag:crime",
            Family::Crowd => "redflag:crowd",
            Family::Traffic => "redflag:traffic",
            Family::Escalation => "redflag:escalation",
        }
    }

    /// Chinese name shown to the duty officer.
    pub fn name_zh(self) -> &'static str {
        match self {
            Family::Violence => "暴力伤害",
            Family::Weapon => "凶器",
            Family::Threat => "威胁胁迫",
            Family::SelfHarm => "自伤轻生",
            Family::Missing => "失踪被困",
            Family::Fire => "火情",
            Family::Explosion => "爆炸燃气",
            Family::Crime => "违法犯罪",
            Family::Crowd => "人员聚集",
            Family::Traffic => "交通伤人",
            Family::Escalation => "冲突升级",
        }
    }

    /// The police category a flag of this family points to when nothing else fits; escalation
    /// alone points to none (the item is `uncertain`).
    pub fn police_code(self) -> Option<&'static str> {
        match self {
            Family::Violence | Family::Weapon => Some("P2"),
            Family::Threat => Some("P9"),
            Family::SelfHarm => Some("P6"),
            Family::Missing => Some("P7"),
            Family::Fire | Family::Explosion => Some("P5"),
            Family::Crime => Some("P1"),
            Family::Crowd => Some("P4"),
            Family::Traffic => Some("P3"),
            Family::Escalation => None,
        }
    }

    /// The lexicon phrases of this family. `甲*乙` allows a short gap.
    pub fn phrases(self) -> Vec<&'static str> {
        LEXICON
            .cues
            .iter()
            .filter(|c| c.family == self)
            .flat_map(|c| c.phrases.iter().map(String::as_str))
            .collect()
    }
}

/// One red flag found in a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedFlag {
    pub family: Family,
    /// The phrase as written in the family's list.
    pub phrase: String,
    /// Character offset in the description.
    pub at: usize,
    /// Negated, hedged, past or feared: reported, but it does not count in full.
    pub negated: bool,
}

/// Finds red flags on their own, without the responsibility list.
#[derive(Debug)]
pub struct RedFlagScanner {
    detector: Detector,
}

impl Default for RedFlagScanner {
    fn default() -> Self {
        Self::new()
    }
}

impl RedFlagScanner {
    /// Builds the scanner over the built-in lexicon.
    pub fn new() -> Self {
        RedFlagScanner {
            detector: Detector::new([]),
        }
    }

    /// Every red flag in `text` (phrases and verb–object frames), the ones that do not count
    /// (negated, hedged, past or feared) included and marked, in text order.
    pub fn scan(&self, text: &str) -> Vec<RedFlag> {
        self.detector
            .assess(text)
            .cues
            .into_iter()
            .map(|cue| RedFlag {
                family: cue.family,
                negated: cue.state != State::Current,
                phrase: cue.phrase,
                at: cue.at,
            })
            .collect()
    }

    /// The families that count (not negated) in `text`.
    pub fn families(&self, text: &str) -> Vec<Family> {
        let mut out: Vec<Family> = Vec::new();
        for flag in self.scan(text) {
            if !flag.negated && !out.contains(&flag.family) {
                out.push(flag.family);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(text: &str, family: Family) -> bool {
        RedFlagScanner::new().families(text).contains(&family)
    }

    #[test]
    fn scanner_reports_phrases_and_frames_by_family() {
        assert!(fires("两个人在楼道里打起来了", Family::Violence));
        assert!(fires("他把老婆关在屋里不让出来", Family::Threat));
        assert!(!fires("双方吵得很厉害，但没有动手", Family::Violence));
        assert!(!fires("保洁在打扫楼道", Family::Violence));
    }

    #[test]
    fn offsets_are_characters() {
        let flags = RedFlagScanner::new().scan("邻居吵架后动手了");
        let first = flags.iter().find(|f| f.family == Family::Violence);
        assert_eq!(first.map(|f| f.at), Some(5));
    }
}
