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
    let mut out = String::with_capacity(160);
    out.push_str(class_zh(d.class));
    out.push_str(" · ");
    out.push_str(d.category_name.as_deref().unwrap_or("未匹配类别"));
    if d.class != Class::Police {
        out.push_str(" · ");
        join_into(&mut out, d.departments.iter().map(String::as_str));
    }
    out.push_str(" · ");
    out.push_str(mode_zh(d.mode));
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
        let flag = e.rule.starts_with("redflag:");
        let list = if flag { &mut flags } else { &mut words };
        let counts = if flag {
            e.effect.starts_with("red flag")
        } else {
            e.effect != "negated" && e.effect != "hedged"
        };
        if counts && !list.contains(&e.phrase.as_str()) {
            list.push(&e.phrase);
        }
    }
    for (label, list) in [
        ("升级情节：", flags),
        ("依据：", words),
        ("模型参考：", learned),
    ] {
        if !list.is_empty() {
            out.push_str(" · ");
            out.push_str(label);
            join_into(&mut out, list.into_iter());
        }
    }
    out
}

/// Appends `parts` to `out`, separated by 、.
fn join_into<'a>(out: &mut String, parts: impl Iterator<Item = &'a str>) {
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push('、');
        }
        out.push_str(p);
    }
}
