//! Responders by name: the label an officer reads for a responder id, with the id added only
//! where two responders of the roster share a name.

use super::responder::Responder;
use std::collections::HashMap;

/// Labels of the roster's responders, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    by_id: HashMap<String, String>,
}

impl Names {
    /// The labels of `roster`: the name, or `name(id)` where another responder has the same name.
    pub fn of(roster: &[Responder]) -> Names {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for r in roster {
            *count.entry(r.name.as_str()).or_default() += 1;
        }
        let by_id = roster
            .iter()
            .map(|r| {
                let label = if r.name.trim().is_empty() {
                    r.id.clone()
                } else if count.get(r.name.as_str()).copied().unwrap_or(0) > 1 {
                    format!("{}({})", r.name, r.id)
                } else {
                    r.name.clone()
                };
                (r.id.clone(), label)
            })
            .collect();
        Names { by_id }
    }

    /// The label of `id`; the id itself when the roster does not know it.
    pub fn label(&self, id: &str) -> String {
        self.by_id
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// The labels of several ids, joined with `sep`.
    pub fn join(&self, ids: &[String], sep: &str) -> String {
        ids.iter()
            .map(|id| self.label(id))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::DutyStatus;

    /// An available responder of 网格中队, for tests.
    pub(crate) fn r(id: &str, name: &str) -> Responder {
        Responder {
            id: id.into(),
            name: name.into(),
            unit: "网格中队".into(),
            grid: None,
            phone: None,
            status: DutyStatus::Available,
            incident: None,
        }
    }

    #[test]
    fn names_with_the_id_only_where_two_share_a_name() {
        let names = Names::of(&[r("wg01", "刘磊"), r("wg02", "王芳"), r("pc01", "王芳")]);
        assert_eq!(names.label("wg01"), "刘磊");
        assert_eq!(names.label("wg02"), "王芳(wg02)");
        assert_eq!(names.label("pc01"), "王芳(pc01)");
        assert_eq!(names.label("zz99"), "zz99");
        assert_eq!(
            names.join(&["wg01".into(), "zz99".into()], ", "),
            "刘磊, zz99"
        );
    }
}
