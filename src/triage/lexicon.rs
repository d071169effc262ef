//! The built-in lexicon of the danger rule (`lexicon.txt`): cue groups, verb–object frames, word
//! classes, calm/past/hypothetical markers, near misses and words for vulnerable people.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::redflag::Family;

const TEXT: &str = include_str!("lexicon.txt");

/// A group of danger cue phrases sharing family, kind, weight and target category.
#[derive(Debug, Clone, PartialEq)]
pub struct CueGroup {
    pub family: Family,
    /// Finer kind within the family, e.g. `smoke` or `gas`.
    pub kind: String,
    pub weight: f32,
    /// Category the cue points to, police or not (`None` for escalation alone).
    pub code: Option<String>,
    /// Department categories that account for this danger on their own.
    pub explained_by: Vec<String>,
    pub phrases: Vec<String>,
}

/// A verb–object frame: one of `verbs` with one of `objects` in a clause, in any construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub family: Family,
    pub kind: String,
    pub weight: f32,
    pub code: Option<String>,
    pub explained_by: Vec<String>,
    pub verbs: Vec<String>,
    pub objects: Vec<String>,
    /// Words that void the frame in the clause (a trade or game, not a person hurt).
    pub unless: Vec<String>,
}

/// How a marker changes the danger cues it governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// The danger is over: lowers the whole score, never below the raised level.
    Calm,
    /// Background told in the past: lowers the cues after it in its clause.
    Past,
    /// Prevention or a fear of what might happen: lowers the cues after it in its clause.
    Hypothetical,
}

/// The parsed lexicon.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub cues: Vec<CueGroup>,
    pub frames: Vec<Frame>,
    pub markers: Vec<(Marker, Vec<String>)>,
    pub near_misses: Vec<String>,
    pub vulnerable: Vec<String>,
    /// Extra words for the segmenter.
    pub words: Vec<String>,
}

/// The built-in lexicon, parsed once.
pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| parse(TEXT));

fn family(name: &str) -> Option<Family> {
    super::redflag::FAMILIES
        .into_iter()
        .find(|f| f.rule().strip_prefix("redflag:") == Some(name))
}

fn code(field: Option<&str>) -> Option<String> {
    field.filter(|c| *c != "-").map(str::to_string)
}

enum Section {
    None,
    Cue(usize),
    Frame(usize, Part),
    Class(String),
    Marker(usize),
    NearMiss,
    Vulnerable,
    Word,
}

#[derive(Clone, Copy)]
enum Part {
    Verbs,
    Objects,
    Unless,
}

/// Parses lexicon text. Unknown headers start a section that is skipped.
pub fn parse(text: &str) -> Lexicon {
    let mut lex = Lexicon::default();
    let mut classes: HashMap<String, Vec<String>> = HashMap::new();
    let mut section = Section::None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = header_section(header, &mut lex);
            continue;
        }
        let mut words = line.split_whitespace().peekable();
        if let Section::Frame(i, _) = section {
            let part = match words.peek().copied() {
                Some("verbs:") => Some(Part::Verbs),
                Some("objects:") => Some(Part::Objects),
                Some("unless:") => Some(Part::Unless),
                _ => None,
            };
            if let Some(p) = part {
                words.next();
                section = Section::Frame(i, p);
            }
        }
        for w in words {
            let w = w.to_string();
            match &section {
                Section::None => {}
                Section::Cue(i) => lex.cues[*i].phrases.push(w),
                Section::Frame(i, Part::Verbs) => lex.frames[*i].verbs.push(w),
                Section::Frame(i, Part::Objects) => lex.frames[*i].objects.push(w),
                Section::Frame(i, Part::Unless) => lex.frames[*i].unless.push(w),
                Section::Class(name) => classes.entry(name.clone()).or_default().push(w),
                Section::Marker(i) => lex.markers[*i].1.push(w),
                Section::NearMiss => lex.near_misses.push(w),
                Section::Vulnerable => lex.vulnerable.push(w),
                Section::Word => lex.words.push(w),
            }
        }
    }
    for frame in &mut lex.frames {
        let objects = std::mem::take(&mut frame.objects);
        for o in objects {
            match o.strip_prefix('$') {
                Some(class) => frame
                    .objects
                    .extend(classes.get(class).into_iter().flatten().cloned()),
                None => frame.objects.push(o),
            }
        }
    }
    lex
}

fn header_section(header: &str, lex: &mut Lexicon) -> Section {
    let fields: Vec<&str> = header.split_whitespace().collect();
    match fields.as_slice() {
        ["cue", fam, kind, weight, rest @ ..] => {
            let Some(family) = family(fam) else {
                return Section::None;
            };
            lex.cues.push(CueGroup {
                family,
                kind: (*kind).to_string(),
                weight: weight.parse().unwrap_or(1.0),
                code: code(rest.first().copied()),
                explained_by: rest.iter().skip(1).map(|s| (*s).to_string()).collect(),
                phrases: Vec::new(),
            });
            Section::Cue(lex.cues.len() - 1)
        }
        ["frame", fam, kind, weight, rest @ ..] => {
            let Some(family) = family(fam) else {
                return Section::None;
            };
            lex.frames.push(Frame {
                family,
                kind: (*kind).to_string(),
                weight: weight.parse().unwrap_or(1.0),
                code: code(rest.first().copied()),
                explained_by: rest.iter().skip(1).map(|s| (*s).to_string()).collect(),
                verbs: Vec::new(),
                objects: Vec::new(),
                unless: Vec::new(),
            });
            Section::Frame(lex.frames.len() - 1, Part::Verbs)
        }
        ["class", name] => Section::Class((*name).to_string()),
        ["marker", kind] => {
            let marker = match *kind {
                "calm" => Marker::Calm,
                "past" => Marker::Past,
                "hypothetical" => Marker::Hypothetical,
                _ => return Section::None,
            };
            lex.markers.push((marker, Vec::new()));
            Section::Marker(lex.markers.len() - 1)
        }
        ["near_miss"] => Section::NearMiss,
        ["vulnerable"] => Section::Vulnerable,
        ["word"] => Section::Word,
        _ => Section::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_lexicon_has_every_family_and_resolved_frames() {
        let lex = &*LEXICON;
        for f in super::super::redflag::FAMILIES {
            assert!(lex.cues.iter().any(|c| c.family == f), "{f:?} has no cues");
        }
        assert!(lex.frames.iter().all(|f| !f.verbs.is_empty()));
        assert!(
            lex.frames
                .iter()
                .all(|f| f.objects.iter().all(|o| !o.starts_with('$')) && !f.objects.is_empty())
        );
        assert_eq!(lex.markers.len(), 3);
        assert!(lex.near_misses.iter().any(|w| w == "打扰"));
    }

    #[test]
    fn headers_carry_code_and_explanations() {
        let lex = parse("[cue fire smoke 2 P5 E7]\n冒烟 浓烟\n[cue escalation heat 1 -]\n喝醉\n");
        assert_eq!(lex.cues[0].code.as_deref(), Some("P5"));
        assert_eq!(lex.cues[0].explained_by, vec!["E7".to_string()]);
        assert_eq!(lex.cues[0].phrases.len(), 2);
        assert_eq!(lex.cues[1].code, None);
    }
}
