//! Actions and the one registry that binds them to keys, labels the footer and fills the help.

use crate::config::Lang;
use crate::domain::{Event, Incident, IncidentId, Responder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the officer can ask for by key or by `:` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Tab(u8),
    NextPane,
    Open,
    Back,
    New,
    Claim,
    Dispatch,
    Contact,
    Video,
    Depart,
    Arrive,
    Reassign,
    Feedback,
    Verify,
    Close,
    Callback,
    Return,
    ToPolice,
    ToDistrict,
    ToHotline,
    Defer,
    Escalate,
    Note,
    Classify,
    Reveal,
    RosterView,
    BoardView,
    /// The board by clock, officer or responder (Shift+letter).
    SortBoard(crate::tui::board::BoardSort),
    ReportView,
    HandoverView,
    Filter,
    Command,
    Help,
    War,
    Quit,
}

impl Cmd {
    /// The command layer's verb of a lifecycle key; `None` for keys that act on no item.
    pub fn verb(self) -> Option<crate::command::Verb> {
        use crate::command::Verb as V;
        Some(match self {
            Cmd::Claim => V::Claim,
            Cmd::Dispatch => V::Dispatch,
            Cmd::Contact => V::Contact,
            Cmd::Video => V::Video,
            Cmd::Depart => V::Depart,
            Cmd::Arrive => V::Arrive,
            Cmd::Reassign => V::Reassign,
            Cmd::Feedback => V::Feedback,
            Cmd::Verify => V::Verify,
            Cmd::Close => V::Close,
            Cmd::Callback => V::Callback,
            Cmd::Return => V::Return,
            Cmd::ToPolice => V::ToPolice,
            Cmd::ToDistrict => V::ToDistrict,
            Cmd::ToHotline => V::ToHotline,
            Cmd::Defer => V::Defer,
            Cmd::Escalate => V::Escalate,
            Cmd::Note => V::Note,
            Cmd::Classify => V::Classify,
            Cmd::Reveal => V::RevealPhone,
            _ => return None,
        })
    }
}

/// Everything `App::update` reacts to.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press (only `KeyEventKind::Press` reaches here).
    Key(KeyEvent),
    /// A command, by key, by `:` or from a test.
    Cmd(Cmd),
    /// The second hand moved.
    Tick,
    /// Items that changed, by this console's own write or by sync with the hub, and the roster
    /// when it may have moved.
    Remote {
        incidents: Vec<Incident>,
        roster: Option<Vec<Responder>>,
    },
    /// Every item and the roster, read from the store (at start, and after another process
    /// wrote to it).
    Snapshot {
        incidents: Vec<Incident>,
        roster: Vec<Responder>,
    },
    /// The journal of one item.
    Timeline(IncidentId, Vec<Event>),
    /// The figures of this month so far, computed over the journal.
    Report(Box<crate::report::Report>),
    /// A write failed; the message says why.
    StoreFailed(String),
    /// The hub's state as sync sees it.
    Hub(super::app::HubState),
    /// Sync has something to tell the officer (e.g. another workstation claimed the item first).
    Notice(String),
    /// The station as its events now make it (its mode, notes, samples).
    Station(Box<crate::domain::station::StationState>),
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub cmd: Cmd,
    /// Default key, as written in config (`"c"`, `"ctrl-d"`, `"enter"`).
    pub key: &'static str,
    /// `:` command name.
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Shown in the footer hint bar.
    pub hint: bool,
    /// Asks for confirmation before it is recorded.
    pub dangerous: bool,
}

impl Spec {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

const fn spec(
    cmd: Cmd,
    key: &'static str,
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    hint: bool,
    dangerous: bool,
) -> Spec {
    Spec {
        cmd,
        key,
        name,
        zh,
        en,
        hint,
        dangerous,
    }
}

/// The registry: every action with its key, labels, hint and danger.
pub const REGISTRY: &[Spec] = &[
    spec(Cmd::Claim, "c", "claim", "签收", "claim", true, false),
    spec(
        Cmd::Dispatch,
        "d",
        "dispatch",
        "指派",
        "dispatch",
        true,
        false,
    ),
    spec(
        Cmd::Contact,
        "t",
        "contact",
        "联系当事人",
        "contacted",
        false,
        false,
    ),
    spec(Cmd::Video, "v", "video", "调取监控", "video", false, false),
    spec(Cmd::Depart, "o", "depart", "出发", "departed", false, false),
    spec(Cmd::Arrive, "a", "arrive", "到场", "arrived", true, false),
    spec(
        Cmd::Reassign,
        "b",
        "reassign",
        "改派",
        "reassign",
        false,
        false,
    ),
    spec(
        Cmd::Feedback,
        "f",
        "feedback",
        "反馈",
        "feedback",
        true,
        false,
    ),
    spec(Cmd::Verify, "y", "verify", "核查", "verify", false, false),
    spec(Cmd::Close, "x", "close", "结案", "close", true, true),
    spec(
        Cmd::Callback,
        "h",
        "callback",
        "回访",
        "callback",
        false,
        false,
    ),
    spec(Cmd::Return, "r", "return", "退回", "return", false, true),
    spec(
        Cmd::ToPolice,
        "p",
        "police",
        "转警务",
        "to police",
        true,
        true,
    ),
    spec(
        Cmd::ToDistrict,
        "u",
        "district",
        "上报区级",
        "to district",
        false,
        false,
    ),
    spec(
        Cmd::ToHotline,
        "i",
        "hotline",
        "转12345",
        "to hotline",
        false,
        false,
    ),
    spec(Cmd::Defer, "z", "defer", "夜间留存", "defer", false, false),
    spec(
        Cmd::Escalate,
        "e",
        "escalate",
        "督办",
        "escalate",
        false,
        false,
    ),
    spec(Cmd::Note, "m", "note", "备注", "note", false, false),
    spec(
        Cmd::Classify,
        "l",
        "classify",
        "改判",
        "reclassify",
        false,
        false,
    ),
    spec(
        Cmd::Reveal,
        "s",
        "reveal",
        "显示号码",
        "reveal phone",
        false,
        false,
    ),
    spec(Cmd::New, "n", "new", "新建", "new", true, false),
    spec(Cmd::Up, "k", "up", "上移", "up", false, false),
    spec(Cmd::Down, "j", "down", "下移", "down", false, false),
    spec(Cmd::Top, "g", "top", "首项", "top", false, false),
    spec(Cmd::Bottom, "G", "bottom", "末项", "bottom", false, false),
    spec(
        Cmd::PageUp,
        "pageup",
        "pageup",
        "上一页",
        "page up",
        false,
        false,
    ),
    spec(
        Cmd::PageDown,
        "pagedown",
        "pagedown",
        "下一页",
        "page down",
        false,
        false,
    ),
    spec(Cmd::Tab(0), "1", "tab1", "待签收", "to claim", false, false),
    spec(Cmd::Tab(1), "2", "tab2", "处置中", "handling", false, false),
    spec(
        Cmd::Tab(2),
        "3",
        "tab3",
        "待反馈",
        "await feedback",
        false,
        false,
    ),
    spec(
        Cmd::Tab(3),
        "4",
        "tab4",
        "待核查",
        "to verify",
        false,
        false,
    ),
    spec(Cmd::Tab(4), "5", "tab5", "超时", "overdue", false, false),
    spec(Cmd::Tab(5), "6", "tab6", "全部", "all", false, false),
    spec(
        Cmd::NextPane,
        "tab",
        "pane",
        "切换窗格",
        "next pane",
        false,
        false,
    ),
    spec(Cmd::Open, "enter", "open", "详情", "open", false, false),
    spec(Cmd::Back, "esc", "back", "返回", "back", false, false),
    spec(
        Cmd::RosterView,
        "R",
        "roster",
        "力量",
        "roster",
        false,
        false,
    ),
    spec(
        Cmd::BoardView,
        "B",
        "board",
        "督导看板",
        "board",
        true,
        false,
    ),
    spec(
        Cmd::ReportView,
        "F",
        "report",
        "统计报表",
        "figures",
        false,
        false,
    ),
    spec(
        Cmd::HandoverView,
        "H",
        "handover",
        "交接班",
        "handover",
        false,
        false,
    ),
    spec(
        Cmd::SortBoard(crate::tui::board::BoardSort::Clock),
        "C",
        "sort-clock",
        "按时限排序",
        "sort by clock",
        false,
        false,
    ),
    spec(
        Cmd::SortBoard(crate::tui::board::BoardSort::Officer),
        "O",
        "sort-officer",
        "按值班员排序",
        "sort by officer",
        false,
        false,
    ),
    spec(
        Cmd::SortBoard(crate::tui::board::BoardSort::Responder),
        "P",
        "sort-responder",
        "按力量排序",
        "sort by responder",
        false,
        false,
    ),
    spec(Cmd::Filter, "/", "filter", "筛选", "filter", true, false),
    spec(Cmd::Command, ":", "command", "命令", "command", true, false),
    spec(Cmd::Help, "?", "help", "帮助", "help", true, false),
    spec(Cmd::War, "W", "war", "战时模式", "war mode", false, false),
    spec(Cmd::Quit, "q", "quit", "退出", "quit", true, true),
];

/// The registry entry of `cmd`.
pub fn spec_of(cmd: Cmd) -> Option<&'static Spec> {
    REGISTRY.iter().find(|s| s.cmd == cmd)
}

/// A key with its modifiers, normalised so that `G` and `shift-g` are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Binding {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Binding {
    /// The binding a key press matches.
    pub fn of(key: &KeyEvent) -> Binding {
        let code = match key.code {
            KeyCode::BackTab => KeyCode::Tab,
            c => c,
        };
        Binding {
            code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
            alt: key.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `"c"`, `"G"`, `"ctrl-d"`, `"alt-x"`, `"enter"`, `"esc"`, `"tab"`, `"f2"`, `"space"`.
    pub fn parse(text: &str) -> Option<Binding> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                let upper = r.to_uppercase();
                if r.chars().count() != 1 {
                    return None;
                }
                let c = upper.chars().next()?;
                return Some(Binding {
                    code: KeyCode::Char(c),
                    ctrl,
                    alt,
                });
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Binding { code, ctrl, alt })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse() {
        let b = Binding::parse("ctrl-d").expect("parses");
        assert_eq!(b.code, KeyCode::Char('d'));
        assert!(b.ctrl);
        assert_eq!(
            Binding::parse("G").map(|b| b.code),
            Some(KeyCode::Char('G'))
        );
        assert_eq!(
            Binding::parse("shift-g").map(|b| b.code),
            Some(KeyCode::Char('G'))
        );
        assert_eq!(
            Binding::parse("enter").map(|b| b.code),
            Some(KeyCode::Enter)
        );
        assert!(Binding::parse("xy").is_none());
    }

    #[test]
    fn every_default_key_parses_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for s in REGISTRY {
            let b = Binding::parse(s.key).expect("default key parses");
            assert!(seen.insert(b), "duplicate key {}", s.key);
        }
    }
}
