//! A simulated 110 / 12345 / grid / sensor feed: deterministic for a seed, arrivals following
//! the hour of day, descriptions assembled from varied parts, some repeat callers and some
//! matters that have turned dangerous.

use super::scenarios::{ESCALATIONS, SCENARIOS, SENSED};
use crate::domain::{Priority, Source};
use chrono::TimeDelta;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// One generated report, ready for intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub source: Source,
    pub source_ref: String,
    pub text: String,
    pub address: String,
    pub grid: String,
    pub phone: Option<String>,
    pub priority: Priority,
    /// The category the scenario was written for.
    pub intended: &'static str,
    /// An escalation was added: the item must not be diverted away from the police.
    pub red_flag: bool,
}

/// Items per hour arriving at one busy street (about 150,000 residents), by local hour: a quieter
/// night, busy mornings and evenings.
const HOURLY_RATE: [f64; 24] = [
    10.0, 8.0, 6.0, 5.0, 5.0, 6.0, 10.0, 18.0, 26.0, 30.0, 30.0, 28.0, 26.0, 26.0, 28.0, 28.0,
    30.0, 32.0, 36.0, 36.0, 32.0, 26.0, 18.0, 14.0,
];

const STREETS: &[&str] = &[
    "广中路",
    "共和新路",
    "大宁路",
    "平型关路",
    "延长路",
    "万荣路",
    "广延路",
    "灵石路",
    "运城路",
    "西藏北路",
    "沪太路",
    "阳曲路",
];
const ESTATES: &[&str] = &[
    "大宁绿地小区",
    "宁和小区",
    "延峰小区",
    "上工新村",
    "三泉公寓",
    "广中新村",
    "和源名城",
    "中环花园",
];
const OPENERS_110: &[&str] = &["报警人称：", "110转来警情，来电人称", "110推送：报警人反映"];
const OPENERS_12345: &[&str] = &["12345工单：市民来电反映，", "市民来电反映：", "来电人表示"];
const OPENERS_GRID: &[&str] = &["网格员巡查发现：", "网格员报告：", "巡查中发现"];
const OPENERS_SENSOR: &[&str] = &["【物联感知】", "【视频巡查】"];
const WHEN: &[&str] = &["", "", "刚才", "今天晚上", "这几天", "从昨晚开始"];
const IMPACT: &[&str] = &[
    "",
    "，已经影响到周边居民",
    "，附近老人孩子比较多",
    "，已经持续一段时间了",
    "，来电人很着急",
];
const ASK: &[&str] = &[
    "，要求尽快处理。",
    "，希望有人来看一下。",
    "，请相关部门处置。",
    "。",
];

/// The feed. Same seed, same items in the same order.
pub struct Feed {
    rng: StdRng,
    count: u32,
    recent: Vec<(String, String, usize)>,
}

impl Feed {
    /// A feed that yields the same sequence for the same seed.
    pub fn new(seed: u64) -> Feed {
        Feed {
            rng: StdRng::seed_from_u64(seed),
            count: 0,
            recent: Vec::new(),
        }
    }

    /// Mean arrivals per hour at a local hour (0–23).
    pub fn hourly_rate(hour: u32) -> f64 {
        HOURLY_RATE[(hour % 24) as usize]
    }

    /// Time until the next arrival at a local hour: exponential with that hour's rate.
    pub fn next_gap(&mut self, hour: u32) -> TimeDelta {
        let rate_per_sec = Self::hourly_rate(hour) / 3600.0;
        let u: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let secs = -u.ln() / rate_per_sec;
        TimeDelta::milliseconds((secs * 1000.0) as i64)
    }

    /// The next report.
    pub fn next_item(&mut self) -> FeedItem {
        self.count += 1;
        let repeat = !self.recent.is_empty() && self.rng.random_bool(0.08);
        let (phone, address, index) = if repeat {
            let pick = self.rng.random_range(0..self.recent.len());
            self.recent[pick].clone()
        } else {
            let index = self.rng.random_range(0..SCENARIOS.len());
            (self.phone(), self.address(), index)
        };
        let (code, lines) = SCENARIOS[index];
        let core = lines.choose(&mut self.rng).copied().unwrap_or("");
        let sensed = SENSED.contains(&code) && self.rng.random_bool(0.4);
        let source = if sensed {
            Source::Iot
        } else {
            self.source_for(code)
        };
        let red_flag = code.starts_with('D') && self.rng.random_bool(0.15);
        let text = self.describe(source, &address, core, red_flag);
        if !repeat {
            self.recent.push((phone.clone(), address.clone(), index));
            if self.recent.len() > 30 {
                self.recent.remove(0);
            }
        }
        let priority = if code.starts_with('P') || code.starts_with('X') || red_flag {
            Priority::Urgent
        } else if code.starts_with('N') && self.rng.random_bool(0.5) {
            Priority::NonUrgent
        } else {
            Priority::Normal
        };
        FeedItem {
            source_ref: format!("{}-{:06}", source.code(), self.count),
            phone: (source != Source::Iot && source != Source::GridPatrol).then_some(phone),
            grid: format!("{}", self.rng.random_range(1..=12)),
            source,
            text,
            address,
            priority,
            intended: code,
            red_flag,
        }
    }

    fn source_for(&mut self, code: &str) -> Source {
        let roll: f64 = self.rng.random();
        match code.chars().next() {
            Some('P') => Source::Police110,
            _ if roll < 0.40 => Source::Police110,
            _ if roll < 0.85 => Source::Hotline12345,
            _ => Source::GridPatrol,
        }
    }

    fn describe(&mut self, source: Source, address: &str, core: &str, red_flag: bool) -> String {
        let opener = match source {
            Source::Police110 => OPENERS_110,
            Source::Hotline12345 => OPENERS_12345,
            Source::GridPatrol => OPENERS_GRID,
            _ => OPENERS_SENSOR,
        }
        .choose(&mut self.rng)
        .copied()
        .unwrap_or("");
        let when = WHEN.choose(&mut self.rng).copied().unwrap_or("");
        let caller = matches!(source, Source::Police110 | Source::Hotline12345);
        let impact = IMPACT
            .iter()
            .filter(|i| caller || !i.contains("来电人"))
            .copied()
            .collect::<Vec<_>>()
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("");
        let ask = ASK.choose(&mut self.rng).copied().unwrap_or("。");
        let escalation = if red_flag {
            format!(
                "，{}",
                ESCALATIONS.choose(&mut self.rng).copied().unwrap_or("")
            )
        } else {
            String::new()
        };
        format!("{opener}{address}{when}{core}{escalation}{impact}{ask}")
    }

    fn address(&mut self) -> String {
        if self.rng.random_bool(0.5) {
            let street = STREETS.choose(&mut self.rng).copied().unwrap_or("广中路");
            format!(
                "{street}{}弄{}号",
                self.rng.random_range(1..=800),
                self.rng.random_range(1..=40)
            )
        } else {
            let estate = ESTATES.choose(&mut self.rng).copied().unwrap_or("宁和小区");
            format!("{estate}{}号楼", self.rng.random_range(1..=30))
        }
    }

    fn phone(&mut self) -> String {
        let prefixes = [
            "138", "139", "137", "136", "150", "151", "186", "189", "177",
        ];
        let head = prefixes.choose(&mut self.rng).copied().unwrap_or("138");
        format!("{head}{:08}", self.rng.random_range(0..100_000_000u32))
    }
}
