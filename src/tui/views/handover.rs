//! The shift handover (`H`, 交接班): the lines the next shift reads, for the shift holding now.

use crate::report::shift;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(" 交接班 ", theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let tz = app.settings.tz;
    let (from, _) = shift::window(&app.settings.shift_starts, tz, app.now);
    let h = shift::handover(
        &app.incidents,
        &app.station,
        &app.settings.policy,
        from,
        app.now,
    );
    let width = usize::from(inner.width);
    let lines: Vec<Line> = shift::lines(&h, tz)
        .into_iter()
        .take(usize::from(inner.height))
        .map(|l| Line::from(fit(&l, width)))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
