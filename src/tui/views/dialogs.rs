//! Dialogs: confirmation, dispatch (roster search, several responders, channel), forms.

use crate::tui::app::{App, Dispatch, Field, Form, FormKind, Modal};
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The width of every dialog.
const FORM_W: u16 = 72;

/// A rectangle of at most `w`×`h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, modal: &Modal) {
    let (title, lines, h) = match modal {
        Modal::Confirm { question, .. } => (
            app.t(T::ConfirmTitle).to_string(),
            vec![
                Line::styled(question.clone(), theme.sla_warn),
                Line::raw(""),
                Line::styled(app.t(T::ConfirmYesNo), theme.key_hint),
            ],
            5,
        ),
        Modal::Dispatch(d) => dispatch(app, theme, d, area.height.saturating_sub(8)),
        Modal::Form(f) => form(app, theme, f),
        Modal::Reassign(r) => super::reassign::lines(app, theme, r, area.height.saturating_sub(8)),
        _ => return,
    };
    let rect = centered(area, FORM_W, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.key_hint)
        .title(Span::styled(format!(" {title} "), theme.title));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn dispatch<'a>(
    app: &'a App,
    theme: &Theme,
    d: &Dispatch,
    max: u16,
) -> (String, Vec<Line<'a>>, u16) {
    let lang = app.lang();
    let found = app.candidates(d);
    let item = app.incident(d.target.id);
    let names = app.names();
    let room = usize::from(max.clamp(3, 14));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}: ", app.t(T::Search)), theme.muted),
            Span::raw(format!("{}▏", d.query)),
        ]),
        Line::from(vec![
            Span::styled(format!("{}: ", app.t(T::Channel)), theme.muted),
            Span::styled(
                format!("◀ {} ▶", text::channel(d.channel, lang)),
                theme.key_hint,
            ),
            Span::styled(format!("   {}: ", app.t(T::Chosen)), theme.muted),
            Span::raw(names.join(&d.chosen, ", ")),
        ]),
    ];
    let offset = d.cursor.saturating_sub(room.saturating_sub(1));
    for (n, k) in found.iter().enumerate().skip(offset).take(room) {
        let Some(r) = app.roster.get(*k) else {
            continue;
        };
        let mark = if d.chosen.contains(&r.id) {
            "[x]"
        } else {
            "[ ]"
        };
        let style = if n == d.cursor {
            theme.focus
        } else {
            ratatui::style::Style::new()
        };
        let fits = app.fit(item, r);
        let hint = format!(
            "{}{}",
            if fits.serves { "★" } else { " " },
            if fits.grid { "◎" } else { " " }
        );
        lines.push(Line::styled(
            format!(
                "{mark}{hint} {} {} {} {} {}",
                fit(&names.label(&r.id), 10),
                fit(&r.unit, 10),
                fit(r.grid.as_deref().unwrap_or(""), 8),
                fit(text::duty(r.status, lang), 6),
                r.incident.as_deref().unwrap_or("")
            ),
            style,
        ));
    }
    if found.is_empty() {
        lines.push(Line::styled(app.t(T::Empty), theme.muted));
    }
    lines.push(Line::styled(app.t(T::DispatchLegend), theme.muted));
    lines.push(Line::styled(app.t(T::DispatchKeys), theme.muted));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    (
        format!(
            "{} {}",
            app.t(if d.claims_too {
                T::ClaimAndDispatch
            } else {
                T::DispatchTitle
            }),
            d.target.reference
        ),
        lines,
        h,
    )
}

/// The classifier's reading of the description typed so far in the new-item form.
fn suggestion(app: &App, f: &Form) -> Option<String> {
    if f.kind != FormKind::New {
        return None;
    }
    let text = f.fields.iter().find_map(|field| match field {
        Field::Text {
            label: T::Text,
            value,
            ..
        } if !value.trim().is_empty() => Some(value.as_str()),
        _ => None,
    })?;
    Some(app.settings.classifier.classify(text).summary)
}

fn form<'a>(app: &'a App, theme: &Theme, f: &Form) -> (String, Vec<Line<'a>>, u16) {
    let mut lines = Vec::new();
    for (n, field) in f.fields.iter().enumerate() {
        let focus = n == f.focus;
        let label_style = if focus { theme.key_hint } else { theme.muted };
        let (label, value) = match field {
            Field::Text { label, value, .. } => {
                (*label, format!("{value}{}", if focus { "▏" } else { "" }))
            }
            Field::Choice {
                label,
                options,
                selected,
            } => (
                *label,
                format!(
                    "◀ {} ▶",
                    options.get(*selected).map(String::as_str).unwrap_or("")
                ),
            ),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", fit(app.t(label), 10)), label_style),
            Span::raw(value),
        ]));
    }
    if f.kind == FormKind::Classify {
        lines.extend(super::categories::lines(app, theme, f));
    }
    if let Some(summary) = suggestion(app, f) {
        lines.push(Line::raw(""));
        let line = Line::from(vec![
            Span::styled(
                format!("{} ", fit(app.t(T::Suggestion), 10)),
                theme.key_hint,
            ),
            Span::raw(summary),
        ]);
        lines.extend(crate::tui::width::wrap(line, usize::from(FORM_W - 2)));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(app.t(T::FormKeys), theme.muted));
    let title = match &f.target {
        Some(t) => format!("{} {}", f.title, t.reference),
        None => f.title.to_string(),
    };
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    (title, lines, h)
}
