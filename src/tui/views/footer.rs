//! The bottom line: key hints from the registry, or the filter / command input, or a message.

use crate::tui::action::{Cmd, REGISTRY};
use crate::tui::app::{App, Modal};
use crate::tui::text::T;
use crate::tui::theme::Theme;
use crate::tui::update::completions;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(Modal::Command { input }) = app.modals.last() {
        let found = completions(app, input);
        let shown: Vec<&str> = found
            .iter()
            .map(String::as_str)
            .filter(|c| *c != input.trim())
            .collect();
        let line = Line::from(vec![
            Span::styled(": ", theme.key_hint),
            Span::raw(format!("{input}▏")),
            Span::styled(format!("  {}", shown.join("  ")), theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(msg) = &app.message {
        frame.render_widget(
            Paragraph::new(Line::styled(msg.clone(), theme.sla_warn)),
            area,
        );
        return;
    }
    let mut spans = Vec::new();
    let help_first = REGISTRY
        .iter()
        .filter(|s| s.hint && s.cmd == Cmd::Help)
        .chain(REGISTRY.iter().filter(|s| s.hint && s.cmd != Cmd::Help));
    for spec in help_first {
        let refused = app.refusal(spec.cmd).is_some();
        let (key_style, label_style) = if refused {
            let off = theme.muted.add_modifier(Modifier::CROSSED_OUT);
            (off, off)
        } else {
            (theme.key_hint, ratatui::style::Style::new())
        };
        spans.push(Span::styled(
            format!(" {}", app.settings.keymap.label(spec.cmd)),
            key_style,
        ));
        spans.push(Span::styled(
            format!(" {} ", spec.label(app.lang())),
            label_style,
        ));
    }
    if app.modals.iter().any(|m| matches!(m, Modal::Filter)) {
        spans = vec![Span::styled(
            format!(" Enter/Esc  {} ", app.t(T::Filter)),
            theme.key_hint,
        )];
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
