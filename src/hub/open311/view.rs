//! What Open311 shows: the responsibility list as services, an item as a service request
//! (public fields for anyone, the rest only for the connector that posted it), and the caller's
//! service code as a hint under the classifier. Pure.

use crate::domain::taxonomy::Evidence;
use crate::domain::{Class, Event, EventKind, Incident, Status, TriageDecision};
use crate::triage::{Category, ResponsibilityList};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// One service of `services.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// A service's definition (`services/{code}.json`): this hub asks no extra attributes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    pub service_code: String,
    pub attributes: Vec<serde_json::Value>,
}

/// One service request as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestView {
    pub service_request_id: String,
    pub status: &'static str,
    pub service_code: Option<String>,
    pub agency_responsible: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
}

/// 警务类 / 非警务类 / 无法界定.
fn class_name(class: Class) -> &'static str {
    match class {
        Class::Police => "警务类",
        Class::NonPolice => "非警务类",
        Class::Uncertain => "无法界定",
    }
}

/// Every category of the list as a service, in the list's order.
pub fn services(list: &ResponsibilityList) -> Vec<Service> {
    list.categories.iter().map(service).collect()
}

fn service(c: &Category) -> Service {
    let short = c.name.rsplit(" › ").next().unwrap_or(&c.name).to_string();
    Service {
        service_code: c.code.clone(),
        service_name: short,
        description: format!("{}；责任部门：{}", c.name, c.departments.join("、")),
        metadata: false,
        kind: "realtime",
        keywords: c
            .strong
            .iter()
            .chain(&c.keywords)
            .filter(|k| !k.contains('*'))
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(","),
        group: class_name(c.class).to_string(),
    }
}

/// The category a service code names, if the list has it.
pub fn category<'a>(list: &'a ResponsibilityList, code: &str) -> Option<&'a Category> {
    list.categories.iter().find(|c| c.code == code.trim())
}

/// The decision recorded for a posted request: the classifier's on the description, unless its
/// rules found no category and no red flag, in which case the caller's service code fills in. A
/// red flag, a police reading or an uncertain one with any evidence behind it always stands (an
/// uncertain item on which nothing at all was found takes the code); a category that only the
/// learned second opinion guessed, with no rule behind it, gives way to the caller's code.
pub fn with_hint(
    decided: Option<TriageDecision>,
    hint: &Category,
    list_version: &str,
) -> Option<TriageDecision> {
    if let Some(d) = &decided {
        let red_flag = d.evidence.iter().any(|e| e.rule.starts_with("redflag:"));
        let by_rule = d.evidence.iter().any(|e| e.rule != "model");
        let found_nothing = d.category.is_none() && d.evidence.is_empty();
        let guarded = d.class == Class::Police || (d.class == Class::Uncertain && !found_nothing);
        if red_flag || guarded || (d.category.is_some() && by_rule) {
            return decided;
        }
    }
    Some(TriageDecision {
        class: hint.class,
        category: Some(hint.code.clone()),
        category_name: Some(hint.name.clone()),
        departments: hint.departments.clone(),
        mode: hint.mode,
        priority: hint.priority,
        confidence: 0.5,
        completion_limit_secs: i64::try_from(hint.limit.as_secs()).ok(),
        evidence: vec![Evidence {
            rule: "open311:service_code".into(),
            phrase: hint.code.clone(),
            at: 0,
            effect: "来件类别".into(),
        }],
        summary: format!("描述未能判读，按来件类别 {} {}", hint.code, hint.name),
        list_version: list_version.to_string(),
        overridden_by: None,
    })
}

/// `open` or `closed`: closed once the item left the street's hands.
pub fn status(s: Status) -> &'static str {
    if s.is_terminal() { "closed" } else { "open" }
}

/// The status in the words of the console.
fn status_words(s: Status) -> &'static str {
    match s {
        Status::New => "待签收",
        Status::Deferred => "夜间留存",
        Status::Claimed => "已签收",
        Status::Dispatched => "已指派",
        Status::EnRoute => "途中",
        Status::OnScene => "到场",
        Status::AwaitingVerification => "待核查",
        Status::Closed => "结案",
        Status::Returned => "退回",
        Status::ToPolice => "转警务",
        Status::ToDistrict => "上报区级",
        Status::ToHotline => "转12345工单",
    }
}

/// The connector that took the item in (the `Received` event's operator).
pub fn posted_by(events: &[Event]) -> Option<&str> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Received(_) => Some(e.actor.operator.as_str()),
        _ => None,
    })
}

/// `incident` as a service request; `private` adds the description, the address and the notes.
pub fn request(incident: &Incident, private: bool, tz: chrono_tz::Tz) -> RequestView {
    let time = |t: DateTime<Utc>| {
        t.with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let triage = incident.triage.as_ref();
    let notes = || {
        let mut notes = format!("{} {}", incident.reference, status_words(incident.status));
        if let Some(text) = incident.feedback.as_ref().and_then(|f| f.text.as_deref()) {
            notes.push_str("；反馈：");
            notes.push_str(text);
        }
        notes
    };
    RequestView {
        service_request_id: incident.id.to_string(),
        status: status(incident.status),
        service_code: incident.category().map(str::to_string),
        agency_responsible: triage.map(|t| t.departments.join("、")).unwrap_or_default(),
        requested_datetime: time(incident.received_at),
        updated_datetime: time(incident.updated_at),
        description: private.then(|| incident.text.clone()),
        address: private.then(|| incident.address.clone()).flatten(),
        status_notes: private.then(notes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::list::{EMBEDDED_LIST, parse};

    #[test]
    fn every_category_is_a_realtime_service_grouped_by_class() {
        let list = parse(EMBEDDED_LIST).expect("list");
        let s = services(&list);
        assert_eq!(s.len(), list.categories.len());
        assert!(s.iter().all(|s| s.kind == "realtime" && !s.metadata));
        let p1 = s.iter().find(|s| s.service_code == "P1").expect("P1");
        assert_eq!(p1.group, "警务类");
        assert_eq!(p1.service_name, "刑事案件");
    }

    #[test]
    fn the_hint_fills_in_only_where_the_classifier_found_nothing() {
        let list = parse(EMBEDDED_LIST).expect("list");
        let hint = category(&list, "P1").expect("P1");
        let filled = with_hint(None, hint, "v").expect("decision");
        assert_eq!(filled.category.as_deref(), Some("P1"));
        let mut red = filled.clone();
        red.category = None;
        red.class = Class::Uncertain;
        red.evidence = vec![Evidence {
            rule: "redflag:violence".into(),
            phrase: "持刀".into(),
            at: 0,
            effect: "red flag".into(),
        }];
        let kept = with_hint(Some(red.clone()), hint, "v");
        assert_eq!(kept, Some(red.clone()));
        let mut nothing = red.clone();
        nothing.evidence.clear();
        let taken = with_hint(Some(nothing), hint, "v").expect("decision");
        assert_eq!(taken.category.as_deref(), Some("P1"));
        let mut read_as_police = red;
        read_as_police.evidence[0].rule = "model".into();
        read_as_police.evidence[0].effect = "police reading 1.00: uncertain, police first".into();
        let stands = with_hint(Some(read_as_police.clone()), hint, "v");
        assert_eq!(stands, Some(read_as_police));
    }

    #[test]
    fn a_category_only_the_model_guessed_gives_way_to_the_callers_code() {
        let list = parse(EMBEDDED_LIST).expect("list");
        let n6 = category(&list, "N6").expect("N6");
        let n9 = category(&list, "N9").expect("N9");
        let mut guessed = with_hint(None, n9, "v").expect("decision");
        guessed.evidence = vec![Evidence {
            rule: "model".into(),
            phrase: "体、见、个".into(),
            at: 0,
            effect: "model reads N9 0.98: category taken".into(),
        }];
        let filled = with_hint(Some(guessed.clone()), n6, "v").expect("decision");
        assert_eq!(filled.category.as_deref(), Some("N6"));
        guessed.evidence[0].rule = "phrase".into();
        let kept = with_hint(Some(guessed.clone()), n6, "v");
        assert_eq!(kept, Some(guessed));
    }
}
