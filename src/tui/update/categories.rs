//! The reclassify form's list (`l`): the categories of the responsibility list that match what is
//! typed, by code or name, each with the decision it would give.

use crate::triage::list::Category;
use crate::tui::app::App;

impl App {
    /// The categories whose code starts with, or whose name contains, `query` (all when empty);
    /// an exact code comes first.
    pub fn category_matches(&self, query: &str) -> Vec<&Category> {
        let q = query.trim().to_lowercase();
        let list = self.settings.classifier.list();
        let mut found: Vec<&Category> = list
            .categories
            .iter()
            .filter(|c| {
                q.is_empty()
                    || c.code.to_lowercase().starts_with(&q)
                    || c.name.to_lowercase().contains(&q)
            })
            .collect();
        found.sort_by_key(|c| c.code.to_lowercase() != q);
        found
    }

    /// The category code Enter takes for what is typed: the exact code, else the first match.
    pub fn category_pick(&self, query: &str) -> Option<String> {
        self.category_matches(query).first().map(|c| c.code.clone())
    }
}
