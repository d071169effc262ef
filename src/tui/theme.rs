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

    /// Colours from config over these: slot name → colour name or `#rrggbb`.
    pub fn with_overrides(
        mut self,
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Result<Theme, String> {
        for (slot, colour) in overrides {
            let c: Color = colour
                .parse()
                .map_err(|_| format!("theme: `{colour}` for `{slot}` is not a colour"))?;
            let target = match slot.as_str() {
                "sla_ok" => &mut self.sla_ok,
                "sla_warn" => &mut self.sla_warn,
                "sla_breach" => &mut self.sla_breach,
                "muted" => &mut self.muted,
                "key_hint" => &mut self.key_hint,
                "focus" => {
                    self.focus = self.focus.bg(c);
                    continue;
                }
                other => {
                    return Err(format!(
                        "theme: no slot `{other}` (sla_ok sla_warn sla_breach muted focus key_hint)"
                    ));
                }
            };
            *target = target.fg(c);
        }
        Ok(self)
    }
}
