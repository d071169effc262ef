//! The bottom line: key hints from the registry, or the filter / command input, or a message.

use crate::tui::action::{Cmd, REGISTRY};
use crate::tui::app::{App, Modal};
use crate::tui::text::T;
use crate::tui::theme::Theme;
use crate::tui::update::complete;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(Modal::Command { input }) = app.modals.last() {
        let hint = complete(input).filter(|c| *c != input.trim()).unwrap_or("");
        let line = Line::from(vec![
            Span::styled(": ", theme.key_hint),
            Span::raw(format!("{input}▏")),
            Span::styled(format!("  {hint}"), theme.muted),
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
        spans.push(Span::styled(
            format!(" {}", app.settings.keymap.label(spec.cmd)),
            theme.key_hint,
        ));
        spans.push(Span::raw(format!(" {} ", spec.label(app.lang()))));
    }
    if app.modals.iter().any(|m| matches!(m, Modal::Filter)) {
        spans = vec![Span::styled(
            format!(" Enter/Esc  {} ", app.t(T::Filter)),
            theme.key_hint,
        )];
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
