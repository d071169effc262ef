//! The reclassify form's list: the categories matching the code field, each with the decision it
//! would give (class, dispatch mode, departments, priority); the item's red flags stay in view.

use crate::domain::DispatchMode;
use crate::tui::app::{App, Form};
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::update::has_red_flag;
use crate::tui::width::fit;
use ratatui::text::{Line, Span};

/// How many matches the form lists.
const SHOWN: usize = 8;

/// The dispatch mode in the officer's words.
fn mode(m: DispatchMode, app: &App) -> &'static str {
    let (zh, en) = match m {
        DispatchMode::Police => ("回流110", "to 110"),
        DispatchMode::ToHotline => ("转12345", "to hotline"),
        DispatchMode::Immediate => ("即时派单", "immediate"),
        DispatchMode::Joint => ("联动处置", "joint"),
    };
    match app.lang() {
        crate::config::Lang::Zh => zh,
        crate::config::Lang::En => en,
    }
}

/// The list's lines under the form's fields.
pub fn lines<'a>(app: &App, theme: &Theme, f: &Form) -> Vec<Line<'a>> {
    let lang = app.lang();
    let query = f.text(T::CategoryCode).unwrap_or_default();
    let found = app.category_matches(&query);
    let mut out = vec![Line::raw("")];
    for (n, c) in found.iter().take(SHOWN).enumerate() {
        let mark = if n == 0 { "▶" } else { " " };
        out.push(Line::styled(
            format!(
                "{mark} {} {} {} {} {}",
                fit(&c.code, 4),
                fit(&c.name, 22),
                fit(text::class(c.class, lang), 8),
                fit(mode(c.mode, app), 8),
                c.departments.join("、")
            ),
            if n == 0 { theme.focus } else { theme.muted },
        ));
    }
    if found.is_empty() {
        out.push(Line::styled(app.t(T::Empty), theme.muted));
    } else if found.len() > SHOWN {
        out.push(Line::styled(
            format!("  … +{}", found.len() - SHOWN),
            theme.muted,
        ));
    }
    let item = f.target.as_ref().and_then(|t| app.incident(t.id));
    if let Some(t) = item
        .and_then(|i| i.triage.as_ref())
        .filter(|t| has_red_flag(t))
    {
        let words: Vec<&str> = t
            .evidence
            .iter()
            .filter(|e| e.rule.starts_with("redflag:"))
            .map(|e| e.phrase.as_str())
            .collect();
        out.push(Line::from(vec![
            Span::styled(format!("⚑ {}: ", app.t(T::RedFlagsKept)), theme.sla_breach),
            Span::raw(words.join("、")),
        ]));
    }
    out
}
