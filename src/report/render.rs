//! The report as people read it: a terminal table, CSV (one table per section) and a printable
//! Markdown monthly report. JSON is the report's own serialisation.

use super::{Figures, Report};
use std::fmt::Write;

/// A rate as a percentage, `—` when it has no value.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

fn rates(f: &Figures) -> [(&'static str, &'static str, Option<f64>); 8] {
    [
        ("diversion_rate", "分流率", f.diversion_rate),
        ("claim_on_time_rate", "签收及时率", f.claim_on_time_rate),
        ("arrival_rate", "到场率", f.arrival_rate),
        ("on_time_arrival_rate", "及时率", f.on_time_arrival_rate),
        ("handling_rate", "处置率", f.handling_rate),
        ("completion_rate", "办结率", f.completion_rate),
        ("satisfaction_rate", "满意率", f.satisfaction_rate),
        ("repeat_call_rate", "重复报警率", f.repeat_call_rate),
    ]
}

fn secs(s: Option<i64>) -> String {
    s.map_or_else(|| "—".into(), |s| format!("{}:{:02}", s / 60, s % 60))
}

/// The report for a terminal.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {}  received {}  (previous {})",
        r.from.to_rfc3339(),
        r.to.to_rfc3339(),
        r.figures.received,
        r.previous.received
    );
    let _ = writeln!(out, "{:<22} {:>8} {:>8}", "figure", "now", "before");
    for ((key, zh, now), (_, _, before)) in rates(&r.figures).iter().zip(rates(&r.previous)) {
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>8}  {zh}",
            key,
            percent(*now),
            percent(before)
        );
    }
    let _ = writeln!(
        out,
        "to_hotline {}  reopened {}",
        r.figures.to_hotline, r.figures.reopened
    );
    let _ = writeln!(
        out,
        "sampled {}  reviewed {}  problems {}  抽检",
        r.sampling.sampled, r.sampling.reviewed, r.sampling.problems
    );
    let _ = writeln!(out, "\nclock      count  met missed  on-time   p50    p90");
    for c in &r.figures.clocks {
        let _ = writeln!(
            out,
            "{:<10} {:>5} {:>4} {:>6} {:>8} {:>6} {:>6}",
            format!("{:?}", c.clock).to_lowercase(),
            c.count,
            c.met,
            c.missed,
            percent(c.on_time_rate),
            secs(c.p50_secs),
            secs(c.p90_secs)
        );
    }
    let _ = writeln!(out, "\ntargets");
    for t in &r.targets {
        let mark = match t.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "—",
        };
        let _ = writeln!(
            out,
            "  {:<22} {} {:>6}  {:>8}  {mark}",
            t.figure,
            if t.bound == "at_least" { "≥" } else { "≤" },
            percent(Some(t.target)),
            percent(t.value)
        );
    }
    let _ = writeln!(out, "\nresponders (流动红旗)");
    for (n, p) in r.figures.per_responder.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}. {:<10} dispatched {:>3}  到场率 {:>7}  及时率 {:>7}  处置率 {:>7}",
            n + 1,
            p.responder,
            p.dispatched,
            percent(p.arrival_rate),
            percent(p.on_time_rate),
            percent(p.handling_rate)
        );
    }
    out
}

/// The report as CSV: one table per section, each after a `# section` line.
pub fn csv(r: &Report) -> String {
    let mut out = String::from("# rates\nfigure,now,previous\n");
    for ((key, _, now), (_, _, before)) in rates(&r.figures).iter().zip(rates(&r.previous)) {
        let _ = writeln!(out, "{key},{},{}", opt(*now), opt(before));
    }
    out.push_str("\n# clocks\nclock,count,met,missed,on_time_rate,p50_secs,p90_secs\n");
    for c in &r.figures.clocks {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            format!("{:?}", c.clock).to_lowercase(),
            c.count,
            c.met,
            c.missed,
            opt(c.on_time_rate),
            c.p50_secs.map_or(String::new(), |s| s.to_string()),
            c.p90_secs.map_or(String::new(), |s| s.to_string())
        );
    }
    out.push_str("\n# per_responder\nresponder,dispatched,arrivals,on_time_arrivals,feedbacks,arrival_rate,on_time_rate,handling_rate\n");
    for p in &r.figures.per_responder {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            quote(&p.responder),
            p.dispatched,
            p.arrivals,
            p.on_time_arrivals,
            p.feedbacks,
            opt(p.arrival_rate),
            opt(p.on_time_rate),
            opt(p.handling_rate)
        );
    }
    for (name, groups) in [
        ("per_department", &r.figures.per_department),
        ("per_category", &r.figures.per_category),
        ("per_source", &r.figures.per_source),
    ] {
        let _ = writeln!(out, "\n# {name}\nkey,received,closed,completion_rate");
        for g in groups {
            let _ = writeln!(
                out,
                "{},{},{},{}",
                quote(&g.key),
                g.received,
                g.closed,
                opt(g.completion_rate)
            );
        }
    }
    out.push_str("\n# per_hour\nhour,received\n");
    for (h, n) in r.figures.per_hour.iter().enumerate() {
        let _ = writeln!(out, "{h},{n}");
    }
    out.push_str("\n# targets\nfigure,bound,target,value,met\n");
    for t in &r.targets {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            t.figure,
            t.bound,
            t.target,
            opt(t.value),
            t.met.map_or(String::new(), |m| m.to_string())
        );
    }
    if let Some(drills) = &r.drills {
        out.push_str("\n# drills\nreference,received_at,claimed_at,claimed_by,dispatched_at,dispatched_by,arrived_at,arrived_by\n");
        for d in drills {
            let t = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or(String::new(), |t| t.to_rfc3339())
            };
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                d.reference,
                d.received_at.to_rfc3339(),
                t(d.claimed_at),
                quote(d.claimed_by.as_deref().unwrap_or("")),
                t(d.dispatched_at),
                quote(d.dispatched_by.as_deref().unwrap_or("")),
                t(d.arrived_at),
                quote(d.arrived_by.as_deref().unwrap_or(""))
            );
        }
    }
    out
}

/// The report as a printable Markdown monthly report.
pub fn markdown(r: &Report) -> String {
    let mut out = format!(
        "# 分流工作月报\n\n{} 至 {}{}\n\n接报 {} 件（上期 {} 件），转12345工单 {} 件，回访不满意重办 {} 件。\n\n| 指标 | 本期 | 上期 |\n|---|---|---|\n",
        r.from.format("%Y-%m-%d"),
        r.to.format("%Y-%m-%d"),
        r.station
            .as_deref()
            .map(|s| format!("，{s}"))
            .unwrap_or_default(),
        r.figures.received,
        r.previous.received,
        r.figures.to_hotline,
        r.figures.reopened
    );
    for ((_, zh, now), (_, _, before)) in rates(&r.figures).iter().zip(rates(&r.previous)) {
        let _ = writeln!(out, "| {zh} | {} | {} |", percent(*now), percent(before));
    }
    out.push_str("\n## 目标\n\n| 指标 | 目标 | 实际 | 结果 |\n|---|---|---|---|\n");
    for t in &r.targets {
        let verdict = match t.met {
            Some(true) => "达标",
            Some(false) => "未达标",
            None => "—",
        };
        let bound = if t.bound == "at_least" { "≥" } else { "≤" };
        let _ = writeln!(
            out,
            "| {} | {bound}{} | {} | {verdict} |",
            t.figure,
            percent(Some(t.target)),
            percent(t.value)
        );
    }
    out.push_str("\n## 时限\n\n| 时钟 | 计 | 按时 | 超时 | 按时率 | P50 | P90 |\n|---|---|---|---|---|---|---|\n");
    for c in &r.figures.clocks {
        let _ = writeln!(
            out,
            "| {:?} | {} | {} | {} | {} | {} | {} |",
            c.clock,
            c.count,
            c.met,
            c.missed,
            percent(c.on_time_rate),
            secs(c.p50_secs),
            secs(c.p90_secs)
        );
    }
    out.push_str("\n## 处置力量排名（流动红旗）\n\n| 名次 | 力量 | 派出 | 到场率 | 及时率 | 处置率 |\n|---|---|---|---|---|---|\n");
    for (n, p) in r.figures.per_responder.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            n + 1,
            p.responder,
            p.dispatched,
            percent(p.arrival_rate),
            percent(p.on_time_rate),
            percent(p.handling_rate)
        );
    }
    out
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.6}"))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
