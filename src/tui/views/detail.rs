//! The detail pane: the whole text, the caller, the classification and why, clocks, timeline.

use super::clock_state;
use crate::domain::sla;
use crate::tui::app::{App, Pane};
use crate::tui::text::{self, T};
use crate::tui::theme::Theme;
use crate::tui::width::wrap;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let border = if app.pane == Pane::Detail {
        theme.key_hint
    } else {
        theme.muted
    };
    let Some(i) = app.current() else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(format!(" {} ", app.t(T::Detail)));
        frame.render_widget(
            Paragraph::new(Line::styled(app.t(T::NoSelection), theme.muted)).block(block),
            area,
        );
        return;
    };
    let lang = app.lang();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" {} {} ", app.t(T::Detail), i.reference),
            theme.title,
        ));
    let label = |t: T| Span::styled(format!("{}: ", app.t(t)), theme.muted);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(text::status(i.status, lang), theme.title),
            Span::raw(format!(
                "  {}  {}",
                text::source(i.source, lang),
                i.source_ref.as_deref().unwrap_or("")
            )),
        ]),
        Line::raw(i.text.clone()),
        Line::from(vec![
            label(T::Address),
            Span::raw(i.address.clone().unwrap_or_default()),
        ]),
    ];
    let phone = match &i.phone {
        Some(p) if app.revealed.contains(&i.id) => Span::raw(p.clone()),
        Some(_) => Span::raw(format!(
            "{} {}",
            i.masked_phone().unwrap_or_default(),
            app.t(T::RevealHint)
        )),
        None => Span::styled(app.t(T::Empty), theme.muted),
    };
    lines.push(Line::from(vec![label(T::Caller), phone]));
    match &i.triage {
        Some(t) => {
            lines.push(Line::from(vec![
                label(T::Classification),
                Span::raw({
                    let class = text::class(t.class, app.settings.lang);
                    // A police category's name begins with the class itself (警务类 › 危及生命).
                    let name = t.category_name.as_deref().unwrap_or("");
                    let name = name
                        .strip_prefix(class)
                        .and_then(|rest| rest.strip_prefix(" › "))
                        .unwrap_or(name);
                    format!("{class} {name} ({:.0}%)", t.confidence * 100.0)
                }),
            ]));
            lines.push(Line::from(vec![
                label(T::Basis),
                Span::raw(t.summary.clone()),
            ]));
            for e in &t.evidence {
                lines.push(Line::styled(
                    format!("  {}", text::evidence(e, lang)),
                    theme.muted,
                ));
            }
        }
        None => lines.push(Line::from(vec![
            label(T::Classification),
            Span::styled(app.t(T::NotTriaged), theme.muted),
        ])),
    }
    let names = app.names();
    if let (crate::domain::Status::Deferred, Some(until)) = (i.status, i.deferred_until) {
        lines.push(Line::from(vec![
            label(T::HeldUntil),
            Span::raw(format!(
                "{} {}",
                until.with_timezone(&app.settings.tz).format("%m-%d %H:%M"),
                app.t(T::BackThen)
            )),
        ]));
    }
    if !i.responders.is_empty() {
        lines.push(Line::from(vec![
            label(T::Responders),
            Span::raw(names.join(&i.responders, ", ")),
        ]));
    }
    let mut clock_spans = vec![label(T::Clocks)];
    for c in sla::clocks(i, &app.settings.policy, app.now) {
        let (s, style) = clock_state(&c, app, theme);
        clock_spans.push(Span::raw(format!("{} ", text::clock(c.name, lang))));
        clock_spans.push(Span::styled(s, style));
        clock_spans.push(Span::raw("  "));
    }
    lines.push(Line::from(clock_spans));
    lines.push(Line::from(label(T::Timeline)));
    if let Some((id, events)) = &app.timeline
        && *id == i.id
    {
        for e in events {
            let at = e
                .occurred_at
                .with_timezone(&app.settings.tz)
                .format("%H:%M:%S");
            lines.push(Line::from(vec![
                Span::styled(format!("  {at} "), theme.muted),
                Span::raw(text::event(&e.kind, lang, &names)),
                Span::styled(format!(" · {}", e.actor.operator), theme.muted),
            ]));
        }
    }
    let cols = usize::from(block.inner(area).width);
    let lines: Vec<Line> = lines.into_iter().flat_map(|l| wrap(l, cols)).collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
