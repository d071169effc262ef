//! The supervisor board: who, where and what next for every running clock, breached on top; the
//! clocks missed this shift; the late responders below.

use super::countdown;
use crate::domain::sla::{Clock, ClockState};
use crate::domain::{ClockName, Incident};
use crate::tui::app::App;
use crate::tui::board::{self, BoardSort};
use crate::tui::text::{self, T, span};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The board's rows in its order: every live clock of every open item and the clocks missed this
/// shift.
pub fn live_clocks(app: &App) -> Vec<(&Incident, Clock)> {
    board::rows(app)
}

/// Column widths for an inner width of `w`.
struct Cols {
    reference: usize,
    officer: usize,
    responders: usize,
    place: usize,
    text: usize,
}

impl Cols {
    fn of(w: usize) -> Cols {
        // cursor 2, state 8, clock 4, class 4, status 6 and the spaces between the columns.
        let fixed = 2 + 8 + 1 + 4 + 1 + 4 + 1 + 6 + 1;
        if w >= 120 {
            let rest = w.saturating_sub(fixed + 17 + 13 + 17);
            Cols {
                reference: 16,
                officer: 12,
                responders: 16,
                place: (rest / 2).max(8),
                text: rest.saturating_sub(rest / 2 + 1),
            }
        } else {
            Cols {
                reference: 4,
                officer: 8,
                responders: 10,
                place: w.saturating_sub(fixed + 5 + 9 + 11),
                text: 0,
            }
        }
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let names = app.names();
    let rows = live_clocks(app);
    let late = board::late(app, &names);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(format!(" {} ", app.t(T::Board)), theme.title))
        .title(Span::styled(
            format!(" {} ", app.t(T::BoardSortHint)),
            theme.muted,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let late_h = if late.is_empty() {
        0
    } else {
        u16::try_from(late.len() + 1)
            .unwrap_or(u16::MAX)
            .min(inner.height / 3)
            .max(2)
    };
    let [list, below] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(late_h)]).areas(inner);
    let w = usize::from(inner.width);
    let cols = Cols::of(w);
    let mut lines = vec![counts(app, theme, &rows), header(app, theme, &cols)];
    let room = usize::from(list.height).saturating_sub(2);
    let cursor = app.board_row();
    let offset = cursor.unwrap_or(0).saturating_sub(room.saturating_sub(1));
    for (n, (i, c)) in rows.iter().enumerate().skip(offset).take(room) {
        lines.push(row(app, theme, &names, &cols, (i, c), Some(n) == cursor));
    }
    if rows.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    frame.render_widget(Paragraph::new(lines), list);
    if late_h > 0 {
        frame.render_widget(Paragraph::new(late_lines(app, theme, &late, w)), below);
    }
}

/// The first line: how many clocks of each name run, are breached and warn.
fn counts<'a>(app: &App, theme: &Theme, rows: &[(&Incident, Clock)]) -> Line<'a> {
    let lang = app.lang();
    let mut spans = vec![Span::styled(
        format!("{} ", app.t(T::ColClock)),
        theme.muted,
    )];
    for name in ClockName::ALL {
        let of: Vec<_> = rows
            .iter()
            .filter(|(_, c)| c.name == name && c.state.is_live())
            .collect();
        let breached = of
            .iter()
            .filter(|(_, c)| matches!(c.state, ClockState::Breached { .. }))
            .count();
        let warn = of
            .iter()
            .filter(|(_, c)| matches!(c.state, ClockState::Warning { .. }))
            .count();
        spans.push(Span::raw(format!(
            "{} {} ",
            text::clock(name, lang),
            of.len()
        )));
        spans.push(Span::styled(
            format!("{}{breached} ", app.t(T::BreachedCount)),
            if breached > 0 {
                theme.sla_breach
            } else {
                theme.muted
            },
        ));
        spans.push(Span::styled(
            format!("{}{warn}", app.t(T::WarningCount)),
            if warn > 0 {
                theme.sla_warn
            } else {
                theme.muted
            },
        ));
        spans.push(Span::styled(" │ ", theme.muted));
    }
    Line::from(spans)
}

/// The column titles; the sorted column carries `▼`.
fn header<'a>(app: &App, theme: &Theme, cols: &Cols) -> Line<'a> {
    let mark = |sort: BoardSort, t: T| {
        let label = app.t(t);
        if app.board_sort == sort {
            format!("{label}▼")
        } else {
            label.to_string()
        }
    };
    let mut text = format!(
        "  {} {} {} {} {} {} {} {}",
        fit(&mark(BoardSort::Clock, T::ColClock), 8),
        fit("", 4),
        fit(app.t(T::ColClass), 4),
        fit(app.t(T::ColRef), cols.reference),
        fit(app.t(T::ColStatus), 6),
        fit(&mark(BoardSort::Officer, T::ColOfficer), cols.officer),
        fit(&mark(BoardSort::Responder, T::Responders), cols.responders),
        fit(app.t(T::ColWhere), cols.place),
    );
    if cols.text > 0 {
        text.push(' ');
        text.push_str(&fit(app.t(T::ColSummary), cols.text));
    }
    Line::styled(text, theme.muted)
}

/// One clock of one item.
fn row<'a>(
    app: &App,
    theme: &Theme,
    names: &crate::domain::Names,
    cols: &Cols,
    (i, c): (&Incident, &Clock),
    selected: bool,
) -> Line<'a> {
    let lang = app.lang();
    let (mark, base) = if selected {
        ("▶ ", theme.focus)
    } else {
        ("  ", Style::new())
    };
    let (state, style) = match c.state {
        ClockState::Missed { over_secs, .. } => {
            (format!("✗+{}", span(over_secs, lang)), theme.sla_warn)
        }
        _ => countdown(Some(c), app, theme),
    };
    let reference = if cols.reference < 16 {
        i.reference
            .rsplit('-')
            .next()
            .unwrap_or(&i.reference)
            .to_string()
    } else {
        i.reference.clone()
    };
    let place = i
        .address
        .clone()
        .or_else(|| {
            i.grid
                .as_ref()
                .map(|g| format!("{} {g}", app.t(T::ColGrid)))
        })
        .unwrap_or_default();
    let mut spans = vec![
        Span::styled(mark, base),
        Span::styled(format!("{} ", fit(&state, 8)), base.patch(style)),
        Span::styled(format!("{} ", fit(text::clock(c.name, lang), 4)), base),
        Span::styled(
            format!(
                "{} ",
                fit(
                    text::class_mark(i.triage.as_ref().map(|t| t.class), lang),
                    4
                )
            ),
            base,
        ),
        Span::styled(
            format!(
                "{} {} {} {} {}",
                fit(&reference, cols.reference),
                fit(text::status(i.status, lang), 6),
                fit(&board::officer(i).unwrap_or_default(), cols.officer),
                fit(&names.join(&i.responders, ","), cols.responders),
                fit(&place, cols.place),
            ),
            base,
        ),
    ];
    if cols.text > 0 {
        spans.push(Span::styled(format!(" {}", fit(&i.text, cols.text)), base));
    }
    Line::from(spans)
}

/// The late responders' section: a title line, then one line each.
fn late_lines<'a>(app: &App, theme: &Theme, late: &[board::Late], w: usize) -> Vec<Line<'a>> {
    let lang = app.lang();
    let title = format!("─ {} ({}) ", app.t(T::LateResponders), late.len());
    let fill = w.saturating_sub(crate::tui::width::width(&title));
    let mut lines = vec![Line::styled(
        format!("{title}{}", "─".repeat(fill)),
        theme.sla_breach,
    )];
    for l in late {
        let what = if l.clock == ClockName::Depart {
            T::NotDeparted
        } else {
            T::NotArrived
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", fit(&format!("+{}", span(l.over_secs, lang)), 8)),
                theme.sla_breach,
            ),
            Span::raw(format!(
                "{} {} {}",
                fit(app.t(what), 6),
                fit(&l.responder, 10),
                l.reference
            )),
        ]));
    }
    lines
}
