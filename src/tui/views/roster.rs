//! The roster: responders grouped by unit, with duty counts and current assignments.

use crate::domain::DutyStatus;
use crate::tui::app::App;
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Duty counts in `DutyStatus::ALL` order.
pub fn counts(app: &App) -> [usize; 5] {
    let mut n = [0; 5];
    for r in &app.roster {
        if let Some(k) = DutyStatus::ALL.iter().position(|d| *d == r.status) {
            n[k] += 1;
        }
    }
    n
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, full: bool) {
    let lang = app.lang();
    let n = counts(app);
    let summary: Vec<String> = DutyStatus::ALL
        .iter()
        .zip(n)
        .map(|(d, c)| format!("{} {c}", text::duty(*d, lang)))
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(
            format!(" {} ({}) ", app.t(T::Roster), summary.join(" / ")),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut units: Vec<&str> = app.roster.iter().map(|r| r.unit.as_str()).collect();
    units.sort_unstable();
    units.dedup();
    let mut lines = Vec::new();
    let mut row = 0usize;
    for unit in units {
        let members: Vec<_> = app
            .roster
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unit == unit)
            .collect();
        let free = members
            .iter()
            .filter(|(_, r)| r.status == DutyStatus::Available)
            .count();
        if full {
            lines.push(Line::styled(
                format!("{unit}  {} {free}/{}", app.t(T::Free), members.len()),
                theme.title,
            ));
        }
        let mut compact = vec![Span::styled(format!("{} ", fit(unit, 10)), theme.muted)];
        for (k, r) in members {
            let assignment = r.incident.as_deref().unwrap_or("");
            let style = if r.status == DutyStatus::OffDuty {
                theme.muted
            } else {
                ratatui::style::Style::new()
            };
            if full {
                let cursor = if k == app.roster_cursor {
                    theme.focus
                } else {
                    style
                };
                lines.push(Line::styled(
                    format!(
                        "  {} {} {} {} {}",
                        fit(&r.name, 10),
                        fit(&r.id, 8),
                        fit(r.grid.as_deref().unwrap_or(""), 8),
                        fit(text::duty(r.status, lang), 6),
                        assignment
                    ),
                    cursor,
                ));
            } else {
                compact.push(Span::styled(
                    format!("{} {} {}  ", r.name, text::duty(r.status, lang), assignment),
                    style,
                ));
            }
            row += 1;
        }
        if !full {
            lines.push(Line::from(compact));
        }
    }
    if row == 0 {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
