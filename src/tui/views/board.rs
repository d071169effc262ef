//! The supervisor board: every running clock of every item, soonest first, breached on top.

use super::clock_state;
use crate::domain::sla::Clock;
use crate::domain::sla::{self, ClockState};
use crate::domain::{ClockName, Incident};
use crate::tui::app::App;
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Every live clock of every open item, soonest deadline first.
pub fn live_clocks(app: &App) -> Vec<(&Incident, Clock)> {
    let mut all: Vec<(&Incident, Clock)> = app
        .incidents
        .iter()
        .filter(|i| !i.status.is_terminal())
        .flat_map(|i| {
            sla::clocks(i, &app.settings.policy, app.now)
                .into_iter()
                .filter(|c| c.state.is_live())
                .map(move |c| (i, c))
        })
        .collect();
    all.sort_by_key(|(_, c)| c.deadline);
    all
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lang = app.lang();
    let clocks = live_clocks(app);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(format!(" {} ", app.t(T::Board)), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut counts = vec![Span::styled(
        format!("{} ", app.t(T::ColClock)),
        theme.muted,
    )];
    for name in ClockName::ALL {
        let of: Vec<_> = clocks.iter().filter(|(_, c)| c.name == name).collect();
        let breached = of
            .iter()
            .filter(|(_, c)| matches!(c.state, ClockState::Breached { .. }))
            .count();
        let warn = of
            .iter()
            .filter(|(_, c)| matches!(c.state, ClockState::Warning { .. }))
            .count();
        counts.push(Span::raw(format!(
            "{} {} ",
            text::clock(name, lang),
            of.len()
        )));
        counts.push(Span::styled(
            format!("{}{breached} ", app.t(T::BreachedCount)),
            if breached > 0 {
                theme.sla_breach
            } else {
                theme.muted
            },
        ));
        counts.push(Span::styled(
            format!("{}{warn}", app.t(T::WarningCount)),
            if warn > 0 {
                theme.sla_warn
            } else {
                theme.muted
            },
        ));
        counts.push(Span::styled(" │ ", theme.muted));
    }
    let mut lines = vec![Line::from(counts)];
    let room = usize::from(inner.height).saturating_sub(1);
    let cursor = app.board_row();
    let offset = cursor.unwrap_or(0).saturating_sub(room.saturating_sub(1));
    for (n, (i, c)) in clocks.iter().enumerate().skip(offset).take(room) {
        let (state, style) = clock_state(c, app, theme);
        let base = if Some(n) == cursor {
            theme.focus
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", fit(&state, 8)), base.patch(style)),
            Span::styled(
                format!(
                    "{} {} {} ",
                    fit(text::clock(c.name, lang), 6),
                    fit(&i.reference, 18),
                    fit(text::status(i.status, lang), 8)
                ),
                base,
            ),
            Span::styled(
                fit(&i.text, usize::from(inner.width).saturating_sub(45)),
                base,
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
