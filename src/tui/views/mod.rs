//! Drawing: a pure function of the state into a frame.

pub mod board;
mod categories;
mod detail;
mod dialogs;
mod footer;
mod handover;
mod header;
mod help;
mod queue;
mod reassign;
pub mod report;
mod roster;

use super::app::{App, Modal, Pane, View};
use super::text::{self, T, span};
use super::theme::Theme;
use crate::domain::sla::{Clock, ClockState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Screens at least this wide show queue and detail side by side.
pub const WIDE: u16 = 120;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    header::draw(frame, top, app, theme);
    footer::draw(frame, bottom, app, theme);
    match app.view {
        View::Queue => draw_queue_view(frame, body, app, theme),
        View::Roster => roster::draw(frame, body, app, theme, true),
        View::Board => board::draw(frame, body, app, theme),
        View::Report => report::draw(frame, body, app, theme),
        View::Handover => handover::draw(frame, body, app, theme),
    }
    for modal in &app.modals {
        match modal {
            Modal::Help => help::draw(frame, body, app, theme),
            Modal::Filter | Modal::Command { .. } => {}
            other => dialogs::draw(frame, body, app, theme, other),
        }
    }
}

fn draw_queue_view(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.width >= WIDE && area.height >= 24 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(area);
        let strip_max = (left.height * 2 / 5).max(4);
        let strip_h = roster::strip_height(app, theme, left.width).clamp(4, strip_max);
        let [list, strip] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(strip_h)]).areas(left);
        queue::draw(frame, list, app, theme);
        roster::draw(frame, strip, app, theme, false);
        detail::draw(frame, right, app, theme);
        return;
    }
    let [tabs, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let pane = |t: T, on: bool| {
        let style = if on { theme.focus } else { theme.muted };
        Span::styled(format!(" {} ", app.t(t)), style)
    };
    let line = Line::from(vec![
        pane(T::Queue, app.pane == Pane::List),
        Span::raw(" "),
        pane(T::Detail, app.pane == Pane::Detail),
        Span::styled("  (Tab)", theme.muted),
    ]);
    frame.render_widget(Paragraph::new(line), tabs);
    match app.pane {
        Pane::List => queue::draw(frame, rest, app, theme),
        Pane::Detail => detail::draw(frame, rest, app, theme),
    }
}

/// A clock as a countdown, with a sign when overdue (`+02:13`) and `!` when short.
pub fn countdown(clock: Option<&Clock>, app: &App, theme: &Theme) -> (String, Style) {
    let lang = app.lang();
    match clock.map(|c| c.state) {
        Some(ClockState::Running { remaining_secs }) => {
            (format!(" {}", span(remaining_secs, lang)), theme.sla_ok)
        }
        Some(ClockState::Warning { remaining_secs }) => {
            (format!("!{}", span(remaining_secs, lang)), theme.sla_warn)
        }
        Some(ClockState::Breached { over_secs }) => {
            (format!("+{}", span(over_secs, lang)), theme.sla_breach)
        }
        _ => ("  --  ".to_string(), theme.muted),
    }
}

/// A clock's countdown with the clock's name before it: `到场 +02:13`.
pub fn named_countdown(clock: Option<&Clock>, app: &App, theme: &Theme) -> (String, Style) {
    let (due, style) = countdown(clock, app, theme);
    match clock {
        Some(c) => (format!("{} {due}", text::clock(c.name, app.lang())), style),
        None => (due, style),
    }
}

/// A clock's state in words, for the detail and the board.
pub fn clock_state(clock: &Clock, app: &App, theme: &Theme) -> (String, Style) {
    let tz = app.settings.tz;
    let hm = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%H:%M:%S").to_string();
    match clock.state {
        ClockState::Pending => ("…".into(), theme.muted),
        ClockState::Met { at } => (format!("✓ {}", hm(at)), theme.sla_ok),
        ClockState::Missed { at, over_secs } => (
            format!("✗ {} (+{})", hm(at), span(over_secs, app.lang())),
            theme.sla_warn,
        ),
        ClockState::Stopped { .. } => ("—".into(), theme.muted),
        _ => countdown(Some(clock), app, theme),
    }
}
