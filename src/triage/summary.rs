//! The one line a duty officer reads for a decision.

use crate::domain::taxonomy::{Class, DispatchMode, TriageDecision};

fn class_zh(class: Class) -> &'static str {
    match class {
        Class::Police => "警务类",
        Class::NonPolice => "非警务类",
        Class::Uncertain => "无法界定",
    }
}

fn mode_zh(mode: DispatchMode) -> &'static str {
    match mode {
        DispatchMode::Police => "回流110(P)",
        DispatchMode::ToHotline => "转12345工单(A)",
        DispatchMode::Immediate => "即时派单(B)",
        DispatchMode::Joint => "联动处置，公安先期处置(C)",
    }
}

/// `警务类 · 刑事案件 · 回流110(P) · 依据：被偷、撬门` and the like.
pub fn line(d: &TriageDecision) -> String {
    let mut parts = vec![class_zh(d.class).to_string()];
    parts.push(
        d.category_name
            .clone()
            .unwrap_or_else(|| "未匹配类别".to_string()),
    );
    if d.class != Class::Police {
        parts.push(d.departments.join("、"));
    }
    parts.push(mode_zh(d.mode).to_string());
    let mut flags: Vec<&str> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut learned: Vec<&str> = Vec::new();
    for e in &d.evidence {
        if e.rule == "model" {
            if e.effect.contains(':') && !e.phrase.is_empty() {
                learned.push(&e.phrase);
            }
            continue;
        }
        let list = if e.rule.starts_with("redflag:") {
            &mut flags
        } else {
            &mut words
        };
        let counts = if e.rule.starts_with("redflag:") {
            e.effect.starts_with("red flag")
        } else {
            e.effect != "negated" && e.effect != "hedged"
        };
        if counts && !list.contains(&e.phrase.as_str()) {
            list.push(&e.phrase);
        }
    }
    if !flags.is_empty() {
        parts.push(format!("升级情节：{}", flags.join("、")));
    }
    if !words.is_empty() {
        parts.push(format!("依据：{}", words.join("、")));
    }
    if !learned.is_empty() {
        parts.push(format!("模型参考：{}", learned.join("、")));
    }
    parts.join(" · ")
}
