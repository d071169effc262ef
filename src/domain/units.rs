//! Which departments each roster unit serves (`[units]` in config): the dispatch picker puts
//! first the responders whose unit serves the item's responsible department.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Roster unit → the departments of the responsibility list it answers for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Units(pub BTreeMap<String, Vec<String>>);

impl Default for Units {
    /// The demo's units and the departments of the embedded responsibility list they serve.
    fn default() -> Self {
        let map = [
            ("派出所", &["派出所", "交警", "督察", "犬类管理"][..]),
            (
                "网格中队",
                &["街镇", "居委会", "人民调解", "民政", "妇联"][..],
            ),
            ("网格长", &["街镇", "居委会", "人民调解"][..]),
            ("治保主任", &["居委会", "人民调解", "街镇"][..]),
            (
                "城管中队",
                &["城管执法", "绿化市容", "市政", "生态环境"][..],
            ),
            ("物业", &["物业", "维保单位", "供水", "燃气", "供电"][..]),
            ("市场监管所", &["市场监管"][..]),
            ("房管办", &["房管办", "住建"][..]),
        ]
        .into_iter()
        .map(|(unit, deps)| {
            (
                unit.to_string(),
                deps.iter().map(|d| d.to_string()).collect(),
            )
        })
        .collect();
        Units(map)
    }
}

impl Units {
    /// Whether `unit` serves any of `departments`; a unit named like a department serves it.
    pub fn serves(&self, unit: &str, departments: &[String]) -> bool {
        departments.iter().any(|d| {
            d == unit
                || self
                    .0
                    .get(unit)
                    .is_some_and(|served| served.iter().any(|s| s == d))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_serves_the_departments_it_is_mapped_to() {
        let units = Units::default();
        assert!(units.serves("城管中队", &["城管执法".into()]));
        assert!(units.serves("派出所", &["消防".into(), "派出所".into()]));
        assert!(!units.serves("物业", &["城管执法".into()]));
        assert!(units.serves("劳动监察", &["劳动监察".into()]), "same name");
        assert!(!units.serves("城管中队", &[]));
    }
}
