//! The queue: tabs with counts, then one line per item, most urgent first. Each row shows what
//! decides urgency — class, priority, red flag, the due clock by name, repeat and escalation
//! marks — and, as room allows, grid, source, summary and address.

use super::named_countdown;
use crate::domain::sla;
use crate::domain::{Class, Incident};
use crate::tui::app::{App, Modal, Tab};
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// A column of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Cursor,
    Class,
    Priority,
    Flag,
    Due,
    Status,
    Category,
    Marks,
    Grid,
    Source,
    Summary,
    Address,
}

/// Columns always shown, with their widths.
const REQUIRED: [(Col, usize); 8] = [
    (Col::Cursor, 1),
    (Col::Class, 3),
    (Col::Priority, 2),
    (Col::Flag, 1),
    (Col::Due, 13),
    (Col::Status, 8),
    (Col::Category, 12),
    (Col::Marks, 5),
];
const GRID_W: usize = 8;
const SOURCE_W: usize = 8;
const ADDRESS_W: usize = 14;
const SUMMARY_MIN: usize = 8;

/// The columns that fit in `width` cells, in screen order, each with its width. Address and
/// summary give way first, then source, then grid; the urgency columns always stay.
pub fn layout(width: usize) -> Vec<(Col, usize)> {
    let mut cols = REQUIRED.to_vec();
    let mut left = width.saturating_sub(REQUIRED.iter().map(|(_, w)| w + 1).sum());
    for (col, w) in [(Col::Grid, GRID_W), (Col::Source, SOURCE_W)] {
        if left > w {
            cols.push((col, w));
            left -= w + 1;
        }
    }
    let address = left >= ADDRESS_W + 1 + 2 * SUMMARY_MIN;
    if address {
        left -= ADDRESS_W + 1;
    }
    if left > SUMMARY_MIN {
        cols.push((Col::Summary, left - 1));
    }
    if address {
        cols.push((Col::Address, ADDRESS_W));
    }
    cols
}

/// The item has a red flag (升级情节) that was neither negated nor hedged.
pub fn red_flag(i: &Incident) -> bool {
    i.triage.as_ref().is_some_and(|t| {
        t.evidence.iter().any(|e| {
            e.rule.starts_with("redflag:") && e.effect != "negated" && e.effect != "hedged"
        })
    })
}

/// How a class mark is drawn: police stands out, uncertain asks for a look.
pub fn class_style(c: Option<Class>, theme: &Theme) -> Style {
    match c {
        Some(Class::Police) => theme.sla_breach,
        Some(Class::Uncertain) => theme.sla_warn,
        _ => Style::new(),
    }
}

fn heading(col: Col, app: &App) -> &'static str {
    match col {
        Col::Due => app.t(T::ColCountdown),
        Col::Status => app.t(T::ColStatus),
        Col::Category => app.t(T::ColCategory),
        Col::Marks => app.t(T::ColMarks),
        Col::Grid => app.t(T::ColGrid),
        Col::Source => app.t(T::ColSource),
        Col::Summary => app.t(T::ColSummary),
        Col::Address => app.t(T::ColPlace),
        Col::Class => app.t(T::ColClass),
        Col::Priority => app.t(T::ColPriority),
        Col::Cursor | Col::Flag => "",
    }
}

fn cells(
    app: &App,
    theme: &Theme,
    row: &crate::tui::app::Row,
    selected: bool,
) -> Vec<(String, Style)> {
    let i = &app.incidents[row.index];
    let lang = app.lang();
    let class = i.triage.as_ref().map(|t| t.class);
    let category = i
        .triage
        .as_ref()
        .and_then(|t| t.category_name.as_deref().or(t.category.as_deref()))
        .map(|name| name.rsplit('›').next().unwrap_or(name).trim())
        .unwrap_or("");
    let (due, due_style) = named_countdown(row.next.as_ref(), app, theme);
    let level = sla::escalation(i, &app.settings.policy, app.now).level;
    let plain = Style::new();
    let mut out = Vec::new();
    for (col, _) in REQUIRED {
        out.push(match col {
            Col::Cursor => (
                match (selected, row.kept) {
                    (true, true) => "▷",
                    (true, false) => "▶",
                    (false, true) => "·",
                    (false, false) => " ",
                }
                .to_string(),
                plain,
            ),
            Col::Class => (
                text::class_mark(class, lang).to_string(),
                class_style(class, theme),
            ),
            Col::Priority => (
                text::priority_mark(i.priority, lang).to_string(),
                if i.priority == crate::domain::Priority::Urgent {
                    theme.sla_warn
                } else {
                    plain
                },
            ),
            Col::Flag => (
                if red_flag(i) { "⚑" } else { "" }.to_string(),
                theme.sla_breach,
            ),
            Col::Due => (due.clone(), due_style),
            Col::Status => (text::status(i.status, lang).to_string(), plain),
            Col::Category => (category.to_string(), plain),
            _ => (
                text::marks(i.repeat_of.is_some(), level, lang),
                theme.sla_warn,
            ),
        });
    }
    out
}

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
    let cols = layout(usize::from(inner.width));
    lines.push(Line::from(
        cols.iter()
            .map(|(c, w)| Span::styled(format!("{} ", fit(heading(*c, app), *w)), theme.muted))
            .collect::<Vec<_>>(),
    ));
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
        let base = if selected { theme.focus } else { Style::new() };
        let fixed = cells(app, theme, row, selected);
        let mut spans = Vec::with_capacity(cols.len());
        for (k, (col, w)) in cols.iter().enumerate() {
            let (t, style) = match col {
                Col::Grid => (i.grid.clone().unwrap_or_default(), Style::new()),
                Col::Source => (text::source(i.source, lang).to_string(), Style::new()),
                Col::Summary => (
                    i.text.split_whitespace().collect::<Vec<_>>().join(" "),
                    Style::new(),
                ),
                Col::Address => (i.address.clone().unwrap_or_default(), Style::new()),
                _ => fixed[k].clone(),
            };
            spans.push(Span::styled(format!("{} ", fit(&t, *w)), base.patch(style)));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn has(cols: &[(Col, usize)], c: Col) -> bool {
        cols.iter().any(|(k, _)| *k == c)
    }

    #[test]
    fn at_80_columns_urgency_stays_and_address_and_summary_give_way() {
        let narrow = layout(78);
        for (c, _) in REQUIRED {
            assert!(has(&narrow, c), "{c:?}");
        }
        assert!(has(&narrow, Col::Grid));
        assert!(!has(&narrow, Col::Address));
        assert!(narrow.iter().map(|(_, w)| w + 1).sum::<usize>() <= 78);
        let wide = layout(200);
        assert!(has(&wide, Col::Address) && has(&wide, Col::Summary));
        assert!(wide.iter().map(|(_, w)| w + 1).sum::<usize>() <= 200);
    }
}
