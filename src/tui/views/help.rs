//! The `?` overlay: every key of the registry with its label; dangerous ones marked.

use super::dialogs::centered;
use crate::tui::action::REGISTRY;
use crate::tui::app::App;
use crate::tui::text::T;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let cols = if area.width >= 100 { 3 } else { 2 };
    let per = REGISTRY.len().div_ceil(cols);
    let rect = centered(area, (cols * 30 + 4) as u16, (per + 3) as u16);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.key_hint)
        .title(Span::styled(format!(" {} ", app.t(T::Help)), theme.title))
        .title_bottom(format!(" {} ", app.t(T::HelpClose)));
    let mut lines = Vec::new();
    for r in 0..per {
        let mut spans = Vec::new();
        for c in 0..cols {
            if let Some(spec) = REGISTRY.get(c * per + r) {
                let refused = app.refusal(spec.cmd).is_some();
                let mark = match (refused, spec.dangerous) {
                    (true, _) => "✗",
                    (false, true) => "!",
                    (false, false) => " ",
                };
                let style = if refused {
                    theme.muted
                } else {
                    ratatui::style::Style::new()
                };
                spans.push(Span::styled(
                    fit(app.settings.keymap.label(spec.cmd), 7),
                    if refused { theme.muted } else { theme.key_hint },
                ));
                spans.push(Span::styled(
                    fit(&format!("{mark}{}", spec.label(app.lang())), 22),
                    style,
                ));
                spans.push(Span::raw(" "));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled(
        format!(
            "! = {}   ✗ = {}   ↑↓ = k j",
            app.t(T::Dangerous),
            app.t(T::RefusedHere)
        ),
        theme.muted,
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
