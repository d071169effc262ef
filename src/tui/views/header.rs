//! The top line: station, mode, clock, hub, outbox, operator.

use crate::tui::app::App;
use crate::tui::text::T;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mode = if app.is_night() {
        T::ModeNight
    } else {
        T::ModeNormal
    };
    let format = if area.width >= 100 {
        "%Y-%m-%d %H:%M:%S"
    } else {
        "%H:%M:%S"
    };
    let clock = app.now.with_timezone(&app.settings.tz).format(format);
    let sep = Span::styled(" │ ", theme.muted);
    let line = Line::from(vec![
        Span::styled(format!(" {}", app.settings.station), theme.title),
        sep.clone(),
        Span::styled(app.t(mode), theme.key_hint),
        sep.clone(),
        Span::raw(clock.to_string()),
        Span::styled(
            if app.settings.speed > 1.0 {
                format!(" ({} ×{})", app.t(T::Speed), app.settings.speed)
            } else {
                String::new()
            },
            theme.key_hint,
        ),
        sep.clone(),
        Span::raw(format!("{}: {}", app.t(T::Hub), app.t(T::HubLocal))),
        Span::raw(format!(" ({}0)", app.t(T::Outbox))),
        sep,
        Span::raw(format!("{}: {}", app.t(T::OnDuty), app.settings.operator)),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.title), area);
}
