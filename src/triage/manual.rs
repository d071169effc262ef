//! An officer's reclassification (人工改判): the decision built from a category of the list,
//! carrying the officer's name.

use super::list::ResponsibilityList;
use crate::domain::taxonomy::Evidence;
use crate::domain::{DispatchMode, TriageDecision};
use thiserror::Error;

/// The code is not in the responsibility list.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("no category {code} in the responsibility list (version {version})")]
pub struct UnknownCategory {
    pub code: String,
    pub version: String,
}

/// The decision for category `code` (and `mode`, else the category's own), made by `operator`.
pub fn manual_decision(
    list: &ResponsibilityList,
    code: &str,
    mode: Option<DispatchMode>,
    operator: &str,
) -> Result<TriageDecision, UnknownCategory> {
    let code = code.trim().to_uppercase();
    let cat = list
        .categories
        .iter()
        .find(|c| c.code == code)
        .ok_or_else(|| UnknownCategory {
            code: code.clone(),
            version: list.version.clone(),
        })?;
    let mode = mode.unwrap_or(cat.mode);
    Ok(TriageDecision {
        class: cat.class,
        category: Some(cat.code.clone()),
        category_name: Some(cat.name.clone()),
        departments: cat.departments.clone(),
        mode,
        priority: cat.priority,
        confidence: 1.0,
        completion_limit_secs: i64::try_from(cat.limit.as_secs()).ok(),
        evidence: vec![Evidence {
            rule: "override".into(),
            phrase: String::new(),
            at: 0,
            effect: format!("reclassified by {operator}"),
        }],
        summary: format!(
            "人工改判 {} {} (模式 {}) — {operator}",
            cat.code,
            cat.name,
            mode.code()
        ),
        list_version: list.version.clone(),
        overridden_by: Some(operator.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Class;
    use crate::triage::Classifier;

    #[test]
    fn builds_the_category_with_the_officers_name_and_refuses_unknown_codes() {
        let c = Classifier::embedded().expect("embedded list");
        let d = manual_decision(c.list(), "d1", Some(DispatchMode::Joint), "李值班").expect("D1");
        assert_eq!(d.category.as_deref(), Some("D1"));
        assert_eq!(d.class, Class::NonPolice);
        assert_eq!(d.mode, DispatchMode::Joint);
        assert_eq!(d.overridden_by.as_deref(), Some("李值班"));
        let own = manual_decision(c.list(), "P2", None, "李值班").expect("P2");
        assert_eq!(own.mode, DispatchMode::Police);
        assert!(manual_decision(c.list(), "Z9", None, "李值班").is_err());
    }
}
