//! The responsibility list (权责清单): loading, validation and the embedded default.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::domain::taxonomy::{Class, DispatchMode, Priority};

/// The default list, compiled into the binary.
pub const EMBEDDED_LIST: &str = include_str!("../../assets/responsibilities.toml");

/// One category of the list, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Stable code, e.g. `E1`.
    pub code: String,
    /// Two-level display name, `大类 › 小类`.
    pub name: String,
    pub class: Class,
    pub departments: Vec<String>,
    /// Mode when no conditional mode applies.
    pub mode: DispatchMode,
    /// Modes that apply when one of their phrases is present; the first that matches wins.
    pub conditional: Vec<ConditionalMode>,
    pub priority: Priority,
    /// Completion limit.
    pub limit: Duration,
    /// Phrases worth one point.
    pub keywords: Vec<String>,
    /// Distinctive phrases worth [`STRONG_WEIGHT`] points.
    pub strong: Vec<String>,
    /// Phrases that rule this category out.
    pub negative: Vec<String>,
}

/// A mode that replaces the category's mode when one of `when` is in the description.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalMode {
    pub when: Vec<String>,
    pub mode: DispatchMode,
}

/// Score of a phrase in `strong`; a phrase in `keywords` scores 1.
pub const STRONG_WEIGHT: f32 = 2.0;

/// The whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsibilityList {
    pub version: String,
    /// `YYYY-MM-DD`.
    pub effective_date: String,
    pub categories: Vec<Category>,
}

/// One thing wrong with a list, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the TOML text. Problems of the list as a whole (a missing code) point at the
    /// `version` line.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why a list could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("responsibility list has {} problem(s); first: {}", .0.len(), first(.0))]
    Invalid(Vec<Problem>),
}

fn first(problems: &[Problem]) -> String {
    problems.first().map(Problem::to_string).unwrap_or_default()
}

/// Every code the taxonomy defines, in order.
pub fn taxonomy_codes() -> Vec<String> {
    [
        ("P", 10),
        ("E", 10),
        ("H", 9),
        ("N", 11),
        ("X", 10),
        ("D", 12),
    ]
    .iter()
    .flat_map(|(prefix, n)| (1..=*n).map(move |i| format!("{prefix}{i}")))
    .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    version: Spanned<String>,
    effective_date: Spanned<String>,
    #[serde(default, rename = "category")]
    categories: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    code: Spanned<String>,
    name: Spanned<String>,
    class: Spanned<String>,
    #[serde(default)]
    departments: Option<Spanned<Vec<String>>>,
    mode: Spanned<String>,
    #[serde(default)]
    conditional: Vec<RawConditional>,
    priority: Spanned<String>,
    limit: Spanned<String>,
    #[serde(default)]
    keywords: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    strong: Vec<Spanned<String>>,
    #[serde(default)]
    negative: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConditional {
    when: Spanned<Vec<Spanned<String>>>,
    mode: Spanned<String>,
}

/// Line numbers of byte offsets, from the offsets where lines start.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { starts }
    }

    fn of<T>(&self, spanned: &Spanned<T>) -> usize {
        self.at(spanned.span().start)
    }

    fn at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s <= byte)
    }
}

/// Validates a list and returns every problem found; an empty vector means the list is usable.
pub fn check(text: &str) -> Vec<Problem> {
    load(text).1
}

/// Parses and validates a list; any problem is an error.
pub fn parse(text: &str) -> Result<ResponsibilityList, ListError> {
    match load(text) {
        (Some(list), problems) if problems.is_empty() => Ok(list),
        (_, problems) => Err(ListError::Invalid(problems)),
    }
}

fn load(text: &str) -> (Option<ResponsibilityList>, Vec<Problem>) {
    let lines = Lines::new(text);
    let raw: RawList = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| lines.at(s.start)).unwrap_or(1);
            let message = e.message().to_string();
            return (None, vec![Problem { line, message }]);
        }
    };
    let mut problems = Vec::new();
    let mut push = |line: usize, message: String| problems.push(Problem { line, message });

    let version_line = lines.of(&raw.version);
    if raw.version.get_ref().trim().is_empty() {
        push(version_line, "version is empty".into());
    }
    let date = raw.effective_date.get_ref();
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        push(
            lines.of(&raw.effective_date),
            format!("effective_date `{date}` is not a date (YYYY-MM-DD)"),
        );
    }

    let known = taxonomy_codes();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut owner: HashMap<String, (String, usize)> = HashMap::new();
    let mut categories = Vec::new();
    for rc in &raw.categories {
        let code = rc.code.get_ref().trim().to_string();
        let code_line = lines.of(&rc.code);
        if !known.contains(&code) {
            push(
                code_line,
                format!("unknown code `{code}` (not in the taxonomy)"),
            );
        }
        if let Some(earlier) = seen.insert(code.clone(), code_line) {
            push(code_line, format!("code `{code}` repeats line {earlier}"));
        }
        if rc.name.get_ref().trim().is_empty() {
            push(lines.of(&rc.name), format!("{code}: name is empty"));
        }
        let class = Class::parse(rc.class.get_ref());
        if class.is_none() {
            push(
                lines.of(&rc.class),
                format!("{code}: unknown class `{}`", rc.class.get_ref()),
            );
        }
        if code.starts_with('P') && class.is_some_and(|c| c != Class::Police) {
            push(
                lines.of(&rc.class),
                format!("{code}: a P-code must be class police"),
            );
        }
        let mode = parse_mode(&mut push, &code, class, &rc.mode, &lines);
        let mut conditional = Vec::new();
        for cond in &rc.conditional {
            let cmode = parse_mode(&mut push, &code, class, &cond.mode, &lines);
            let when = phrases(&mut push, &code, cond.when.get_ref(), &lines);
            if when.is_empty() {
                push(
                    lines.of(&cond.when),
                    format!("{code}: conditional mode without phrases"),
                );
            }
            if let Some(m) = cmode {
                conditional.push(ConditionalMode { when, mode: m });
            }
        }
        let priority = Priority::parse(rc.priority.get_ref());
        if priority.is_none() {
            push(
                lines.of(&rc.priority),
                format!("{code}: unknown priority `{}`", rc.priority.get_ref()),
            );
        }
        let limit = match humantime::parse_duration(rc.limit.get_ref()) {
            Ok(d) if !d.is_zero() => Some(d),
            Ok(_) => {
                push(lines.of(&rc.limit), format!("{code}: limit is zero"));
                None
            }
            Err(e) => {
                let bad = rc.limit.get_ref();
                push(
                    lines.of(&rc.limit),
                    format!("{code}: bad limit `{bad}`: {e}"),
                );
                None
            }
        };
        let departments = rc
            .departments
            .as_ref()
            .map(|d| d.get_ref().clone())
            .unwrap_or_default();
        if departments.iter().all(|d| d.trim().is_empty()) {
            let line = rc.departments.as_ref().map_or(code_line, |d| lines.of(d));
            push(line, format!("{code}: no department"));
        }
        let empty = Vec::new();
        let raw_keywords = rc.keywords.as_ref().map_or(&empty, |k| k.get_ref());
        if raw_keywords.is_empty() && rc.strong.is_empty() {
            let line = rc.keywords.as_ref().map_or(code_line, |k| lines.of(k));
            push(line, format!("{code}: empty keyword set"));
        }
        for phrase in raw_keywords.iter().chain(&rc.strong) {
            let key = phrase.get_ref().trim().to_string();
            let line = lines.of(phrase);
            match owner.get(&key) {
                Some((other, first_line)) if other == &code => push(
                    line,
                    format!("{code}: keyword `{key}` repeats line {first_line}"),
                ),
                Some((other, first_line)) => push(
                    line,
                    format!("{code}: keyword `{key}` also belongs to {other} (line {first_line})"),
                ),
                None => {
                    owner.insert(key, (code.clone(), line));
                }
            }
        }
        let keywords = phrases(&mut push, &code, raw_keywords, &lines);
        let strong = phrases(&mut push, &code, &rc.strong, &lines);
        let negative = phrases(&mut push, &code, &rc.negative, &lines);
        if let (Some(class), Some(mode), Some(priority), Some(limit)) =
            (class, mode, priority, limit)
        {
            categories.push(Category {
                code,
                name: rc.name.get_ref().trim().to_string(),
                class,
                departments,
                mode,
                conditional,
                priority,
                limit,
                keywords,
                strong,
                negative,
            });
        }
    }
    for code in &known {
        if !seen.contains_key(code) {
            push(
                version_line,
                format!("code `{code}` is missing from the list"),
            );
        }
    }
    let list = ResponsibilityList {
        version: raw.version.get_ref().trim().to_string(),
        effective_date: date.trim().to_string(),
        categories,
    };
    (Some(list), problems)
}

fn parse_mode(
    push: &mut impl FnMut(usize, String),
    code: &str,
    class: Option<Class>,
    raw: &Spanned<String>,
    lines: &Lines,
) -> Option<DispatchMode> {
    let line = lines.of(raw);
    let Some(mode) = DispatchMode::parse(raw.get_ref()) else {
        push(line, format!("{code}: unknown mode `{}`", raw.get_ref()));
        return None;
    };
    let fits = match class {
        Some(Class::Police) => mode == DispatchMode::Police,
        Some(Class::Uncertain) => mode == DispatchMode::Joint,
        Some(Class::NonPolice) => mode != DispatchMode::Police,
        None => true,
    };
    if !fits {
        let class = class.map_or("?", Class::code);
        push(
            line,
            format!(
                "{code}: mode {} does not fit class {class} (police ⇒ P, uncertain ⇒ C, nonpolice ⇒ A/B/C)",
                mode.code()
            ),
        );
    }
    Some(mode)
}

fn phrases(
    push: &mut impl FnMut(usize, String),
    code: &str,
    raw: &[Spanned<String>],
    lines: &Lines,
) -> Vec<String> {
    let mut out = Vec::new();
    for phrase in raw {
        let text = phrase.get_ref();
        if text.split('*').any(|p| p.trim().is_empty()) {
            push(
                lines.of(phrase),
                format!("{code}: empty phrase or empty part in `{text}`"),
            );
        } else if text.trim() != text {
            push(
                lines.of(phrase),
                format!("{code}: phrase `{text}` has surrounding spaces"),
            );
        } else {
            out.push(text.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_has_62_codes() {
        let codes = taxonomy_codes();
        assert_eq!(codes.len(), 62);
        assert_eq!(codes.first().map(String::as_str), Some("P1"));
        assert_eq!(codes.last().map(String::as_str), Some("D12"));
    }

    #[test]
    fn embedded_list_is_clean() {
        let problems = check(EMBEDDED_LIST);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn syntax_error_names_its_line() {
        let problems = check("version = \"1\"\neffective_date = \"2024-01-01\"\n[[category]\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
    }
}
