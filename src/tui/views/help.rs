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
    let (cols, per, width) = layout(area, REGISTRY.len());
    let rect = centered(area, (cols * width + 4) as u16, (per + 3) as u16);
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
                    fit(&format!("{mark}{}", spec.label(app.lang())), width - 8),
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

/// Columns, rows per column and column width for `keys` entries: as few columns as let every key
/// show within the height (two at least, three from 100 columns wide), each at most 30 wide.
fn layout(area: Rect, keys: usize) -> (usize, usize, usize) {
    let rows_free = usize::from(area.height).saturating_sub(5).max(1);
    let least = if area.width >= 100 { 3 } else { 2 };
    let cols = (least..=4)
        .find(|c| keys.div_ceil(*c) <= rows_free)
        .unwrap_or(4);
    let width = (usize::from(area.width).saturating_sub(6) / cols).clamp(16, 30);
    (cols, keys.div_ceil(cols), width)
}

#[cfg(test)]
mod tests {
    use super::layout;
    use crate::tui::action::REGISTRY;
    use ratatui::layout::Rect;

    #[test]
    fn every_key_fits_at_80_by_24() {
        let (cols, per, width) = layout(Rect::new(0, 0, 80, 24), REGISTRY.len());
        assert!(per + 5 <= 24, "{per} rows");
        assert!(cols * width + 4 <= 80, "{cols} × {width}");
    }

    #[test]
    fn wide_screens_keep_three_columns_of_thirty() {
        let (cols, _, width) = layout(Rect::new(0, 0, 160, 48), REGISTRY.len());
        assert_eq!((cols, width), (3, 30));
    }
}
