//! The new-item form (`n`) and the hold (`z`): a red flag in the description raises the priority
//! to urgent as it is typed, the item recorded from the form is selected when the store gives it
//! back, and a hold says when the item comes back.

use crate::domain::{Incident, IncidentId, Priority, TriageDecision};
use crate::tui::app::{App, Field, Form};
use crate::tui::text::T;

/// Whether the decision found a red flag (升级情节).
pub fn has_red_flag(decision: &TriageDecision) -> bool {
    decision
        .evidence
        .iter()
        .any(|e| e.rule.starts_with("redflag:"))
}

impl App {
    /// Sets the form's priority to urgent when the description typed so far has a red flag.
    pub(super) fn raise_on_red_flag(&self, form: &mut Form) {
        let Some(text) = form.text(T::Text) else {
            return;
        };
        if !has_red_flag(&self.settings.classifier.classify(&text)) {
            return;
        }
        let urgent = super::forms::PRIORITIES
            .iter()
            .position(|p| *p == Priority::Urgent)
            .unwrap_or(0);
        for field in &mut form.fields {
            if let Field::Choice {
                label: T::Priority,
                selected,
                ..
            } = field
            {
                *selected = urgent;
            }
        }
    }

    /// The item among `incidents` that the `n` form sent: new here, with the description typed.
    pub(super) fn created_here(&mut self, incidents: &[Incident]) -> Option<IncidentId> {
        let text = self.awaiting_new.as_deref()?;
        let found = incidents
            .iter()
            .find(|i| i.text == text && self.incident(i.id).is_none())
            .map(|i| i.id);
        if found.is_some() {
            self.awaiting_new = None;
        }
        found
    }
}

impl App {
    /// After `z`: tells when the held item comes back (`夜间留存至 12-03 08:00 届时回到待签收`).
    pub(super) fn tell_return(&mut self, effects: &[super::Effect]) {
        let until = effects.iter().find_map(|e| match e {
            super::Effect::Record { kinds, .. } => kinds.iter().find_map(|k| match k {
                crate::domain::EventKind::Deferred { until } => Some(*until),
                _ => None,
            }),
            _ => None,
        });
        if let Some(until) = until {
            self.message = Some(format!(
                "{} {} {}",
                self.t(T::HeldUntil),
                until.with_timezone(&self.settings.tz).format("%m-%d %H:%M"),
                self.t(T::BackThen)
            ));
        }
    }
}
