//! Plain-text and JSON output of incidents, clocks and timelines.

use crate::domain::sla::{self, Clock, ClockState};
use crate::domain::{EventKind, Incident, Names, SlaPolicy};
use crate::store::StoredEvent;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::fmt::Write;

/// The incident as JSON with its clocks and escalation at `now`.
pub fn json_view(
    incident: &Incident,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Value, serde_json::Error> {
    let mut view = serde_json::to_value(incident)?;
    if let Value::Object(map) = &mut view {
        map.insert(
            "clocks".into(),
            serde_json::to_value(sla::clocks(incident, policy, now))?,
        );
        map.insert(
            "next_deadline".into(),
            serde_json::to_value(sla::next_deadline(incident, policy, now))?,
        );
        map.insert(
            "escalation".into(),
            serde_json::to_value(sla::escalation(incident, policy, now))?,
        );
        map.insert("as_of".into(), json!(now));
    }
    Ok(view)
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `mm:ss` (or `h:mm:ss`) of a span in seconds.
pub fn countdown(secs: i64) -> String {
    let s = secs.abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// One clock in words: `running 02:13 left`, `BREACHED +01:05` …
pub fn clock_text(clock: &Clock, tz: Tz) -> String {
    match clock.state {
        ClockState::Pending => "pending".into(),
        ClockState::Running { remaining_secs } => {
            format!("running {} left", countdown(remaining_secs))
        }
        ClockState::Warning { remaining_secs } => {
            format!("WARNING {} left", countdown(remaining_secs))
        }
        ClockState::Breached { over_secs } => format!("BREACHED +{}", countdown(over_secs)),
        ClockState::Met { at } => format!("met at {}", local(at, tz)),
        ClockState::Missed { at, over_secs } => {
            format!("missed (+{}) at {}", countdown(over_secs), local(at, tz))
        }
        ClockState::Stopped { at } => format!("stopped at {}", local(at, tz)),
    }
}

/// The list of `fenliu incident list`.
pub fn list(all: &[Incident], policy: &SlaPolicy, now: DateTime<Utc>, tz: Tz) -> String {
    let mut out = String::new();
    for i in all {
        let next = sla::next_deadline(i, policy, now)
            .map(|c| format!("{} {}", c.name.code(), clock_text(&c, tz)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}  {:<22} {:<6} {}  {}",
            i.reference,
            i.status.code(),
            i.source.code(),
            summary(&i.text, 24),
            next
        );
    }
    let _ = writeln!(out, "{} items", all.len());
    out
}

fn summary(text: &str, max_chars: usize) -> String {
    let mut s: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        s.push('…');
    }
    s
}

/// The human view of `fenliu incident show`.
pub fn detail(
    i: &Incident,
    events: &[StoredEvent],
    policy: &SlaPolicy,
    now: DateTime<Utc>,
    tz: Tz,
    names: &Names,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  [{}]", i.reference, i.status.code());
    let _ = writeln!(
        out,
        "source:    {}{}",
        i.source.code(),
        i.source_ref
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "received:  {}", local(i.received_at, tz));
    let _ = writeln!(out, "priority:  {}", i.priority.code());
    let _ = writeln!(out, "text:      {}", i.text);
    if let Some(a) = &i.address {
        let _ = writeln!(out, "address:   {a}");
    }
    if let Some(g) = &i.grid {
        let _ = writeln!(out, "grid:      {g}");
    }
    if let Some(p) = &i.phone {
        let _ = writeln!(out, "phone:     {p}");
    }
    if let Some(r) = &i.repeat_of {
        let _ = writeln!(out, "repeat of: {r}");
    }
    if let Some(t) = &i.triage {
        let _ = writeln!(
            out,
            "triage:    {} {} mode {} — {}",
            t.class.code(),
            t.category.as_deref().unwrap_or("-"),
            t.mode.code(),
            t.summary
        );
    }
    if !i.responders.is_empty() {
        let _ = writeln!(out, "responders: {}", names.join(&i.responders, ", "));
    }
    let _ = writeln!(out, "clocks:");
    for c in sla::clocks(i, policy, now) {
        let _ = writeln!(out, "  {:<9} {}", c.name.code(), clock_text(&c, tz));
    }
    let esc = sla::escalation(i, policy, now);
    if esc.level > 0 {
        let _ = writeln!(out, "escalation: level {}", esc.level);
    }
    let _ = writeln!(out, "timeline:");
    out.push_str(&timeline(events, tz, names));
    out
}

/// Each event on one line: time, operator, action, details. A late entry shows when it was
/// recorded too.
pub fn timeline(events: &[StoredEvent], tz: Tz, names: &Names) -> String {
    let mut out = String::new();
    for stored in events {
        let e = &stored.event;
        let late = if e.recorded_at - e.occurred_at > chrono::TimeDelta::seconds(5) {
            format!("  (recorded {})", local(e.recorded_at, tz))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {}  {:<8} {:<22} {}{late}",
            local(e.occurred_at, tz),
            e.actor.operator,
            e.kind.name(),
            details(&e.kind, names)
        );
    }
    out
}

/// The details of an event in a few words; results, answers, reasons and channels in the
/// officer's words (现场办结, 满意 …), codes as written.
pub fn details(kind: &EventKind, names: &Names) -> String {
    use crate::tui::text;
    let zh = crate::config::Lang::Zh;
    let note = |n: &Option<String>| n.clone().unwrap_or_default();
    let with_note =
        |word: &str, n: &Option<String>| format!("{word} {}", note(n)).trim_end().to_string();
    match kind {
        EventKind::Received(r) => format!("{} {} {}", r.reference, r.source.code(), r.text),
        EventKind::Triaged(t) => format!(
            "{} {} 模式 {}{}",
            crate::tui::text::class(t.class, zh),
            t.category.as_deref().unwrap_or("-"),
            t.mode.code(),
            t.overridden_by
                .as_deref()
                .map(|o| format!("（{o} 人工改判）"))
                .unwrap_or_default()
        ),
        EventKind::Dispatched {
            responders,
            channel,
        } => format!(
            "{} · {}",
            names.join(responders, ", "),
            text::channel(*channel, zh)
        ),
        EventKind::Departed { responder } | EventKind::Arrived { responder } => {
            names.label(responder)
        }
        EventKind::Reassigned {
            from,
            to,
            reason,
            overdue_secs,
        } => {
            let late = overdue_secs
                .map(|s| format!("（到场已超时 {}）", crate::tui::text::span(s, zh)))
                .unwrap_or_default();
            format!("{} → {} {reason}{late}", names.label(from), names.label(to))
        }
        EventKind::FeedbackGiven { result, text: t } => with_note(text::feedback(*result, zh), t),
        EventKind::CalledBack {
            satisfaction,
            note: n,
        } => with_note(text::satisfaction(*satisfaction, zh), n),
        EventKind::Returned { reason, note: n } => with_note(text::reason(*reason, zh), n),
        EventKind::Deferred { until } => format!("至 {}", until.to_rfc3339()),
        EventKind::Escalated { level } => format!("{level} 级"),
        EventKind::NoteAdded { text } => text.clone(),
        EventKind::MergedInto { reference } => format!("并入 {reference}"),
        EventKind::PartyContacted { note: n }
        | EventKind::VideoRetrieved { note: n }
        | EventKind::Verified { note: n }
        | EventKind::SentBack { note: n }
        | EventKind::TransferredToPolice { note: n }
        | EventKind::UploadedToDistrict { note: n }
        | EventKind::Reopened { note: n } => note(n),
        EventKind::HandedToHotline { order_no, note: n } => format!(
            "{} {}",
            order_no.as_deref().unwrap_or(""),
            n.as_deref().unwrap_or("")
        )
        .trim()
        .to_string(),
        EventKind::Claimed | EventKind::Closed | EventKind::PhoneRevealed => String::new(),
        EventKind::Station { station } => text::station(station, zh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FeedbackResult, Satisfaction};

    #[test]
    fn audit_details_name_results_and_answers_in_chinese() {
        let names = Names::default();
        let fed = details(
            &EventKind::FeedbackGiven {
                result: FeedbackResult::Resolved,
                text: Some("已劝离".into()),
            },
            &names,
        );
        assert_eq!(fed, "现场办结 已劝离");
        let called = details(
            &EventKind::CalledBack {
                satisfaction: Satisfaction::Satisfied,
                note: None,
            },
            &names,
        );
        assert_eq!(called, "满意");
        assert_eq!(details(&EventKind::Escalated { level: 2 }, &names), "2 级");
    }
}
