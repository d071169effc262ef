//! The top line: station, mode, clock, hub, outbox, operator.

use crate::tui::app::App;
use crate::tui::text::T;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `枢纽: 在线 (出站 0)`, `枢纽: 离线 (出站 3)` or `枢纽: 本地 (出站0)`; offline and skew are
/// marked with `!`, not only coloured.
fn hub_span(app: &App, theme: &Theme) -> Span<'static> {
    match &app.hub {
        None => Span::raw(format!(
            "{}: {} ({}0)",
            app.t(T::Hub),
            app.t(T::HubLocal),
            app.t(T::Outbox)
        )),
        Some(h) => {
            let last = h
                .last_sync
                .map(|t| {
                    let local = t.with_timezone(&app.settings.tz).format("%H:%M:%S");
                    format!(" {} {local}", app.t(T::LastSync))
                })
                .unwrap_or_default();
            let state = if h.online {
                app.t(T::HubOnline).to_string()
            } else {
                format!("! {}{last}", app.t(T::HubOffline))
            };
            let mut skew = if h.skew_warning {
                format!(" ! {}", app.t(T::ClockSkew))
            } else {
                String::new()
            };
            if h.hub_changed {
                skew.push_str(&format!(" ! {}", app.t(T::HubChanged)));
            }
            let style = if h.online && !h.skew_warning && !h.hub_changed {
                ratatui::style::Style::new()
            } else {
                theme.sla_warn
            };
            Span::styled(
                format!(
                    "{}: {state} ({} {}){skew}",
                    app.t(T::Hub),
                    app.t(T::Outbox),
                    h.outbox
                ),
                style,
            )
        }
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mode = if app.war {
        T::ModeWar
    } else if app.is_night() {
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
        hub_span(app, theme),
        sep,
        Span::raw(format!("{}: {}", app.t(T::OnDuty), app.settings.operator)),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.title), area);
}
