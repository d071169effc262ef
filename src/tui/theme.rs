//! Semantic colour slots. With NO_COLOR only modifiers are used; meaning is never colour alone.

use ratatui::style::{Color, Modifier, Style};

/// The styles the screen draws with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub sla_ok: Style,
    pub sla_warn: Style,
    pub sla_breach: Style,
    pub muted: Style,
    pub focus: Style,
    pub key_hint: Style,
    pub title: Style,
}

impl Theme {
    /// Calm colours for a long night shift.
    pub fn colored() -> Theme {
        Theme {
            sla_ok: Style::new().fg(Color::Green),
            sla_warn: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            sla_breach: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::DarkGray),
            focus: Style::new().bg(Color::Blue).fg(Color::White),
            key_hint: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// No colour at all (NO_COLOR): bold, dim and reverse only.
    pub fn monochrome() -> Theme {
        Theme {
            sla_ok: Style::new(),
            sla_warn: Style::new().add_modifier(Modifier::BOLD),
            sla_breach: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            muted: Style::new().add_modifier(Modifier::DIM),
            focus: Style::new().add_modifier(Modifier::REVERSED),
            key_hint: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// The theme for the environment: monochrome when `no_color` is set.
    pub fn for_env(no_color: bool) -> Theme {
        if no_color {
            Theme::monochrome()
        } else {
            Theme::colored()
        }
    }
}
