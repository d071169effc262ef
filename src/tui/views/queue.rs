//! The queue: tabs with counts, then one line per item, most urgent first.

use super::countdown;
use crate::tui::app::{App, Modal, Tab};
use crate::tui::text::{self, T};
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
        .title(Span::styled(format!(" {} ", app.t(T::Queue)), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let mut lines = Vec::with_capacity(usize::from(inner.height));
    let mut tabs = Vec::new();
    for (n, tab) in Tab::ALL.iter().enumerate() {
        let style = if *tab == app.tab {
            theme.focus
        } else {
            theme.muted
        };
        tabs.push(Span::styled(
            format!("{} {} {} ", n + 1, app.t(tab.label()), app.counts[n]),
            style,
        ));
        tabs.push(Span::raw(" "));
    }
    lines.push(Line::from(tabs));
    let w = usize::from(inner.width);
    let widths = [2usize, 7, 9, 9, 13, 15];
    let fixed: usize = widths.iter().sum::<usize>() + 5;
    let summary_w = w.saturating_sub(fixed).max(4);
    let head = [
        "",
        app.t(T::ColCountdown),
        app.t(T::ColStatus),
        app.t(T::ColSource),
        app.t(T::ColCategory),
        app.t(T::ColPlace),
    ];
    let mut cols: Vec<Span> = head
        .iter()
        .zip(widths)
        .map(|(h, cw)| Span::styled(format!("{} ", fit(h, cw)), theme.muted))
        .collect();
    cols.push(Span::styled(
        fit(app.t(T::ColSummary), summary_w),
        theme.muted,
    ));
    lines.push(Line::from(cols));
    let filter_line =
        app.modals.iter().any(|m| matches!(m, Modal::Filter)) || !app.filter.is_empty();
    let room = usize::from(inner.height).saturating_sub(2 + usize::from(filter_line));
    if !app.loaded {
        lines.push(Line::styled(app.t(T::Loading), theme.muted));
    } else if app.rows.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    let sel = app.selected_row().unwrap_or(0);
    let offset = if sel >= room { sel + 1 - room } else { 0 };
    let lang = app.lang();
    for (n, row) in app.rows.iter().enumerate().skip(offset).take(room) {
        let i = &app.incidents[row.index];
        let selected = n == sel && app.selected.is_some();
        let (due, due_style) = countdown(row.next.as_ref(), theme);
        let base = if selected {
            theme.focus
        } else {
            ratatui::style::Style::new()
        };
        let category = i
            .triage
            .as_ref()
            .and_then(|t| t.category_name.as_deref().or(t.category.as_deref()))
            .map(|name| name.rsplit('›').next().unwrap_or(name).trim())
            .unwrap_or("");
        let summary: String = i.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let cells = [
            (
                match (selected, row.kept) {
                    (true, true) => "▷",
                    (true, false) => "▶",
                    (false, true) => "·",
                    (false, false) => " ",
                },
                widths[0],
            ),
            (text::status(i.status, lang), widths[2]),
            (text::source(i.source, lang), widths[3]),
            (category, widths[4]),
            (i.address.as_deref().unwrap_or(""), widths[5]),
        ];
        let mut spans = vec![Span::styled(
            format!("{} ", fit(cells[0].0, cells[0].1)),
            base,
        )];
        spans.push(Span::styled(
            format!("{} ", fit(&due, widths[1])),
            base.patch(due_style),
        ));
        for (t, cw) in &cells[1..] {
            spans.push(Span::styled(format!("{} ", fit(t, *cw)), base));
        }
        spans.push(Span::styled(fit(&summary, summary_w), base));
        lines.push(Line::from(spans));
    }
    if filter_line {
        let editing = app.modals.iter().any(|m| matches!(m, Modal::Filter));
        let cursor = if editing { "▏" } else { "" };
        while lines.len() < usize::from(inner.height) - 1 {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("/ {}: ", app.t(T::Filter)), theme.key_hint),
            Span::raw(format!("{}{cursor}", app.filter)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
