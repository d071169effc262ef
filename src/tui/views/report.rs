//! The figures in pictures (`F`): rates against their targets, intake by hour, items by
//! category, one gauge per clock, and the responders' ranking (流动红旗).

use crate::report::Report;
use crate::report::render::percent;
use crate::tui::app::App;
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, LineGauge, Paragraph, Sparkline};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Span::styled(
            format!(" {} ", app.t(T::ReportTitle)),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(report) = &app.report else {
        frame.render_widget(Paragraph::new(app.t(T::Loading)), inner);
        return;
    };
    let wide = inner.width >= 100;
    let [left, right] = if wide {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner)
    } else {
        [inner, Rect::default()]
    };
    let [rates, hours, rest] = Layout::vertical([
        Constraint::Length(11),
        Constraint::Length(4),
        Constraint::Min(0),
    ])
    .areas(left);
    draw_rates(frame, rates, app, report, theme);
    draw_hours(frame, hours, app, report, theme);
    if wide {
        let [gauges, bars, ranking] = Layout::vertical([
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Min(0),
        ])
        .areas(right);
        draw_clocks(frame, gauges, app, report, theme);
        draw_categories(frame, bars, app, report, theme);
        draw_ranking(frame, ranking, app, report, theme);
    } else {
        draw_clocks(frame, rest, app, report, theme);
    }
}

fn titled<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::TOP)
        .border_style(theme.muted)
        .title(Span::styled(format!(" {title} "), theme.title))
}

fn draw_rates(frame: &mut Frame, area: Rect, app: &App, r: &Report, theme: &Theme) {
    let f = &r.figures;
    let verdict = |figure: &str| r.targets.iter().find(|t| t.figure == figure);
    let rows = [
        (T::RateDiversion, "diversion_rate", f.diversion_rate),
        (T::RateClaim, "claim_on_time_rate", f.claim_on_time_rate),
        (T::RateArrival, "arrival_rate", f.arrival_rate),
        (
            T::RateOnTime,
            "on_time_arrival_rate",
            f.on_time_arrival_rate,
        ),
        (T::RateHandling, "handling_rate", f.handling_rate),
        (T::RateCompletion, "completion_rate", f.completion_rate),
        (
            T::RateSatisfaction,
            "satisfaction_rate",
            f.satisfaction_rate,
        ),
        (T::RateRepeat, "repeat_call_rate", f.repeat_call_rate),
    ];
    let mut lines = vec![Line::styled(
        format!(
            "{} {}  {} {}  {} {}",
            app.t(T::Received),
            f.received,
            app.t(T::ToHotlineCount),
            f.to_hotline,
            app.t(T::ReopenedCount),
            f.reopened
        ),
        theme.muted,
    )];
    for (label, key, value) in rows {
        let (mark, style) = match verdict(key).and_then(|t| t.met) {
            Some(true) => ("✓", theme.sla_ok),
            Some(false) => ("✗", theme.sla_breach),
            None => (" ", ratatui::style::Style::new()),
        };
        let target = verdict(key)
            .map(|t| {
                let bound = if t.bound == "at_least" { "≥" } else { "≤" };
                format!("{bound}{}", percent(Some(t.target)))
            })
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(fit(app.t(label), 12)),
            Span::styled(format!(" {:>7} {mark} ", percent(value)), style),
            Span::styled(target, theme.muted),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(titled(app.t(T::Figures), theme)),
        area,
    );
}

fn draw_hours(frame: &mut Frame, area: Rect, app: &App, r: &Report, theme: &Theme) {
    let data: Vec<u64> = r.figures.per_hour.iter().map(|n| *n as u64).collect();
    frame.render_widget(
        Sparkline::default()
            .block(titled(app.t(T::ByHour), theme))
            .data(&data)
            .style(theme.key_hint),
        area,
    );
}

fn draw_clocks(frame: &mut Frame, area: Rect, app: &App, r: &Report, theme: &Theme) {
    let block = titled(app.t(T::ClocksOnTime), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    for (n, c) in r.figures.clocks.iter().enumerate() {
        let Ok(row) = u16::try_from(n) else { break };
        if row >= inner.height {
            break;
        }
        let line = Rect {
            y: inner.y + row,
            height: 1,
            ..inner
        };
        let ratio = c.on_time_rate.unwrap_or(0.0).clamp(0.0, 1.0);
        frame.render_widget(
            LineGauge::default()
                .ratio(ratio)
                .label(format!(
                    "{} {:>6}",
                    fit(text::clock(c.clock, app.lang()), 4),
                    percent(c.on_time_rate)
                ))
                .filled_style(if ratio >= 0.9 {
                    theme.sla_ok
                } else {
                    theme.sla_warn
                }),
            line,
        );
    }
}

fn draw_categories(frame: &mut Frame, area: Rect, app: &App, r: &Report, theme: &Theme) {
    let bars: Vec<Bar> = r
        .figures
        .per_category
        .iter()
        .take(usize::from(area.height.saturating_sub(1)))
        .map(|g| {
            Bar::default()
                .value(g.received as u64)
                .label(Line::raw(g.key.clone()))
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .block(titled(app.t(T::ByCategory), theme))
            .direction(ratatui::layout::Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(theme.key_hint)
            .data(BarGroup::default().bars(&bars)),
        area,
    );
}

fn draw_ranking(frame: &mut Frame, area: Rect, app: &App, r: &Report, theme: &Theme) {
    let mut lines = vec![Line::styled(app.t(T::RankingHead), theme.muted)];
    for (n, p) in r.figures.per_responder.iter().enumerate() {
        let name = app
            .roster
            .iter()
            .find(|x| x.id == p.responder)
            .map_or(p.responder.as_str(), |x| x.name.as_str());
        lines.push(Line::raw(format!(
            "{:>2} {} {:>7} {:>7} {:>7}",
            n + 1,
            fit(name, 8),
            percent(p.arrival_rate),
            percent(p.on_time_rate),
            percent(p.handling_rate)
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(titled(app.t(T::Ranking), theme)),
        area,
    );
}
