//! The reassign dialog (改派): whom to withdraw, whom to send as the picker ranks them, why.

use crate::tui::app::App;
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::update::{Reassign, ReassignFocus};
use crate::tui::width::fit;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Title, lines and height of the dialog, at most `max` rows of matches.
pub fn lines<'a>(
    app: &'a App,
    theme: &Theme,
    r: &Reassign,
    max: u16,
) -> (String, Vec<Line<'a>>, u16) {
    let lang = app.lang();
    let names = app.names();
    let item = app.incident(r.target.id);
    let label = |t: T, on: bool| {
        Span::styled(
            format!("{} ", fit(app.t(t), 8)),
            if on { theme.key_hint } else { theme.muted },
        )
    };
    let typed = |t: T, value: &str, on: ReassignFocus| {
        let caret = if r.focus == on { "▏" } else { "" };
        Line::from(vec![
            label(t, r.focus == on),
            Span::raw(format!("{value}{caret}")),
        ])
    };
    let from = r
        .on_item
        .get(r.from)
        .map(|id| names.label(id))
        .unwrap_or_default();
    let mut lines = vec![
        Line::from(vec![
            label(T::Withdraw, r.focus == ReassignFocus::From),
            Span::raw(format!("◀ {from} ▶")),
        ]),
        typed(T::SendInstead, &r.query, ReassignFocus::To),
    ];
    let found = app.reassign_candidates(r);
    let room = usize::from(max.clamp(3, 10));
    let offset = r.cursor.saturating_sub(room.saturating_sub(1));
    for (n, k) in found.iter().enumerate().skip(offset).take(room) {
        let Some(who) = app.roster.get(*k) else {
            continue;
        };
        let fits = app.fit(item, who);
        let mark = if n == r.cursor { "▶" } else { " " };
        let style = if n == r.cursor {
            theme.focus
        } else {
            Style::new()
        };
        lines.push(Line::styled(
            format!(
                "{mark}{}{} {} {} {} {} {}",
                if fits.serves { "★" } else { " " },
                if fits.grid { "◎" } else { " " },
                fit(&names.label(&who.id), 10),
                fit(&who.unit, 10),
                fit(who.grid.as_deref().unwrap_or(""), 4),
                fit(text::duty(who.status, lang), 4),
                who.incident.as_deref().unwrap_or("")
            ),
            style,
        ));
    }
    if found.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    lines.push(typed(T::Reason, &r.reason, ReassignFocus::Reason));
    lines.push(Line::styled(app.t(T::ReassignKeys), theme.muted));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let words = crate::command::Verb::Reassign.words();
    let verb = match lang {
        crate::config::Lang::Zh => words.zh,
        crate::config::Lang::En => words.en,
    };
    let title = format!("{verb} {}", r.target.reference);
    (title, lines, h)
}
