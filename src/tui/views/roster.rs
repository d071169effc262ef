//! The roster: responders grouped by unit, with duty counts and current assignments. The
//! full-screen view scrolls with its cursor and filters with `/`; the strip beside the queue
//! shows each unit on as many lines as its members need.

use crate::domain::DutyStatus;
use crate::tui::app::{App, Modal};
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::{fit, wrap};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
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

/// Rows the strip beside the queue wants at `width` cells: its wrapped lines and borders.
pub fn strip_height(app: &App, theme: &Theme, width: u16) -> u16 {
    let lines = strip_lines(app, theme, usize::from(width.saturating_sub(2))).len();
    u16::try_from(lines + 2).unwrap_or(u16::MAX)
}

fn block<'a>(app: &App, theme: &Theme) -> Block<'a> {
    let lang = app.lang();
    let summary: Vec<String> = DutyStatus::ALL
        .iter()
        .zip(counts(app))
        .map(|(d, c)| format!("{} {c}", text::duty(*d, lang)))
        .collect();
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(
            format!(" {} ({}) ", app.t(T::Roster), summary.join(" / ")),
            theme.title,
        ))
}

fn duty_style(status: DutyStatus, theme: &Theme) -> Style {
    if status == DutyStatus::OffDuty {
        theme.muted
    } else {
        Style::new()
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, full: bool) {
    let block = block(app, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = if full {
        full_lines(app, theme, inner)
    } else {
        strip_lines(app, theme, usize::from(inner.width))
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One line per unit, wrapped to the strip's width.
fn strip_lines(app: &App, theme: &Theme, cols: usize) -> Vec<Line<'static>> {
    let lang = app.lang();
    let rows = app.roster_rows();
    let mut lines = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        let unit = app.roster[rows[k]].unit.clone();
        let mut spans = vec![Span::styled(format!("{} ", fit(&unit, 10)), theme.muted)];
        while k < rows.len() && app.roster[rows[k]].unit == unit {
            let r = &app.roster[rows[k]];
            spans.push(Span::styled(
                format!(
                    "{} {} {}  ",
                    r.name,
                    text::duty(r.status, lang),
                    r.incident.as_deref().unwrap_or("")
                ),
                duty_style(r.status, theme),
            ));
            k += 1;
        }
        lines.extend(wrap(Line::from(spans), cols));
    }
    if lines.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    lines
}

/// The full-screen roster: a heading per unit, a line per responder, scrolled so the cursor
/// stays in sight, and the filter line at the bottom while one is set.
fn full_lines(app: &App, theme: &Theme, inner: Rect) -> Vec<Line<'static>> {
    let lang = app.lang();
    let rows = app.roster_rows();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cursor_line = 0;
    let mut k = 0;
    while k < rows.len() {
        let unit = app.roster[rows[k]].unit.clone();
        let members = app.roster.iter().filter(|r| r.unit == unit);
        let (all, free) = members.fold((0, 0), |(a, f), r| {
            (a + 1, f + usize::from(r.status == DutyStatus::Available))
        });
        lines.push(Line::styled(
            format!("{unit}  {} {free}/{all}", app.t(T::Free)),
            theme.title,
        ));
        while k < rows.len() && app.roster[rows[k]].unit == unit {
            let r = &app.roster[rows[k]];
            let style = if k == app.roster_cursor {
                cursor_line = lines.len();
                theme.focus
            } else {
                duty_style(r.status, theme)
            };
            lines.push(Line::styled(
                format!(
                    "  {} {} {} {} {}",
                    fit(&r.name, 10),
                    fit(&r.id, 8),
                    fit(r.grid.as_deref().unwrap_or(""), 8),
                    fit(text::duty(r.status, lang), 6),
                    r.incident.as_deref().unwrap_or("")
                ),
                style,
            ));
            k += 1;
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    let editing = app.modals.iter().any(|m| matches!(m, Modal::Filter));
    let filter_line = editing || !app.roster_filter.is_empty();
    let room = usize::from(inner.height).saturating_sub(usize::from(filter_line));
    let offset = (cursor_line + 1).saturating_sub(room);
    let mut shown: Vec<Line<'static>> = lines.into_iter().skip(offset).take(room).collect();
    if filter_line {
        while shown.len() < room {
            shown.push(Line::raw(""));
        }
        let cursor = if editing { "▏" } else { "" };
        shown.push(Line::from(vec![
            Span::styled(format!("/ {}: ", app.t(T::Filter)), theme.key_hint),
            Span::raw(format!("{}{cursor}", app.roster_filter)),
        ]));
    }
    shown
}
