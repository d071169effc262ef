//! The top line: station, mode, clock, hub, outbox, operator. On a narrow screen the labels
//! shorten and the station's name gives way; the operator and every warning stay.

use crate::tui::app::App;
use crate::tui::text::T;
use crate::tui::theme::Theme;
use crate::tui::width::{truncate, width};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `枢纽: 在线 (出站 0)`, `枢纽: ! 离线 重连 5s 上次同步 21:00:00 (出站 3)` or `枢纽: 本地
/// (出站0)`; offline and skew are marked with `!`, not only coloured. With several addresses
/// configured, the one in use (`在线 hub2:8787`) or being tried (`试连 hub2:8787`) is named.
/// `short` uses the short labels.
fn hub_text(app: &App, short: bool) -> (String, bool) {
    let pick = |long: T, brief: T| app.t(if short { brief } else { long });
    let gap = if short { "" } else { " " };
    let outbox = pick(T::Outbox, T::OutboxShort);
    let Some(h) = &app.hub else {
        return (
            format!("{}: {} ({outbox}0)", app.t(T::Hub), app.t(T::HubLocal)),
            false,
        );
    };
    let mut text = if short {
        String::new()
    } else {
        format!("{}: ", app.t(T::Hub))
    };
    if h.online {
        text.push_str(app.t(T::HubOnline));
        if let Some(a) = &h.address {
            text.push_str(&format!(" {a}"));
        }
    } else {
        text.push_str(&format!("!{gap}{}", app.t(T::HubOffline)));
        if let Some(since) = h.offline_since {
            let secs = (app.now - since).num_seconds().max(0);
            text.push_str(&format!(" {}{gap}{secs}s", app.t(T::Reconnecting)));
        }
        if let Some(a) = &h.address {
            text.push_str(&format!(" {}{gap}{a}", app.t(T::Trying)));
        }
        if let Some(t) = h.last_sync {
            let local = t.with_timezone(&app.settings.tz).format("%H:%M:%S");
            text.push_str(&format!(
                " {}{gap}{local}",
                pick(T::LastSync, T::LastSyncShort)
            ));
        }
    }
    if short {
        text.push_str(&format!(" {outbox}{}", h.outbox));
    } else {
        text.push_str(&format!(" ({outbox} {})", h.outbox));
    }
    if h.skew_warning {
        text.push_str(&format!(" !{gap}{}", pick(T::ClockSkew, T::ClockSkewShort)));
    }
    if h.hub_changed {
        text.push_str(&format!(
            " !{gap}{}",
            pick(T::HubChanged, T::HubChangedShort)
        ));
    }
    (text, !h.online || h.skew_warning || h.hub_changed)
}

/// The header's parts, in order, with their styles: station, mode, clock, speed, hub, operator.
fn parts(app: &App, theme: &Theme, short: bool, long_clock: bool) -> Vec<(String, Style)> {
    let mode = if app.war {
        T::ModeWar
    } else if app.is_night() {
        T::ModeNight
    } else {
        T::ModeNormal
    };
    let format = if long_clock {
        "%Y-%m-%d %H:%M:%S"
    } else {
        "%H:%M:%S"
    };
    let clock = app.now.with_timezone(&app.settings.tz).format(format);
    let speed = if app.settings.speed > 1.0 {
        if short {
            format!(" ×{}", app.settings.speed)
        } else {
            format!(" ({} ×{})", app.t(T::Speed), app.settings.speed)
        }
    } else {
        String::new()
    };
    let (hub, warn) = hub_text(app, short);
    vec![
        (format!(" {}", app.settings.station), theme.title),
        (
            app.t(mode).to_string(),
            if app.war {
                theme
                    .sla_breach
                    .add_modifier(ratatui::style::Modifier::REVERSED)
            } else {
                theme.key_hint
            },
        ),
        (format!("{clock}{speed}"), Style::new()),
        (hub, if warn { theme.sla_warn } else { Style::new() }),
        (
            format!(
                "{}:{}{}",
                app.t(T::OnDuty),
                if short { "" } else { " " },
                app.settings.operator
            ),
            Style::new(),
        ),
    ]
}

const SEP: &str = " │ ";
const SEP_SHORT: &str = "│";

fn total(parts: &[(String, Style)], sep: &str) -> usize {
    parts.iter().map(|(t, _)| width(t)).sum::<usize>() + width(sep) * (parts.len() - 1)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let cols = usize::from(area.width);
    let mut p = parts(app, theme, false, cols >= 100);
    let mut sep = SEP;
    if total(&p, sep) > cols {
        p = parts(app, theme, true, false);
        sep = SEP_SHORT;
    }
    let over = total(&p, sep).saturating_sub(cols);
    if over > 0 {
        let keep = width(&p[0].0).saturating_sub(over);
        p[0].0 = if keep >= 2 {
            truncate(&p[0].0, keep)
        } else {
            String::new()
        };
    }
    let mut spans = Vec::new();
    for (t, style) in p {
        if t.is_empty() {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::styled(sep, theme.muted));
        }
        spans.push(Span::styled(t, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.title), area);
}
