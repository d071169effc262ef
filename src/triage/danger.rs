//! The danger score behind the police-first rule.
//!
//! Cues come from two detectors over the same normalised text:
//! - phrases of the lexicon's cue groups (one Aho-Corasick pass, same-sound tolerant, with
//!   negation and near misses), and
//! - verb–object frames over the segmented words: a verb of the frame with one of its objects in
//!   the same clause, whether said plainly (打了他), with 把 (把他打得…) or with 被 (被人用棍子打了),
//!   however many words stand between.
//!
//! Overlapping cues count once; separate cues of a family add up to twice its heaviest; the
//! families add up. A negated cue ("没有动手") counts nothing, in its clause only.
//! A cue after a past marker ("上次…") or a fear of the future ("怕以后着火") in its clause counts
//! a fraction. A calm-down cue ("已经走了") halves the score but never takes a current danger
//! below [`RAISED`]: it lowers, it does not erase.

use rustc_hash::FxHashMap;

use super::frame::{
    ADVERBS, CharSet, CompiledFrame, SOUND_ALIKES, object_after, object_as_topic, object_before,
    sound_typed, sounds_like_verb, topic_before, verb_rest,
};
use super::lexicon::{CueGroup, Frame, LEXICON, Lexicon, Marker};
use super::matcher::{Matcher, MatcherBuilder, NEGATORS, normalize};
use super::redflag::Family;
use super::segment::{Segmenter, Word};

/// A danger score at or above this is not clearly low: the item stays with the police (P or C).
pub const RAISED: f32 = 1.0;
/// A danger score at or above this is grave: a department noun beside it is incidental unless
/// its matter is strong on its own.
pub const GRAVE: f32 = 2.0;
/// Share of its weight a cue keeps when told as past background or as a fear.
pub const LOWERED: f32 = 0.3;
/// Share of the score left by a calm-down cue (never below [`RAISED`] for a current danger).
const CALMED: f32 = 0.5;
/// Shortest cue phrase that may match by sound: two-character cues sound like too many everyday
/// words (寻思 and 寻死, 自然 and 自燃).
const SOUND_MIN_CHARS: usize = 3;

/// Most verb–object frames the lexicon may hold (one bit each).
const MAX_FRAMES: usize = 32;

/// Families whose cues a fear of the future lowers (a threat or a suicide talk stays current).
const FEAR_LOWERS: &[Family] = &[
    Family::Fire,
    Family::Explosion,
    Family::Violence,
    Family::Traffic,
    Family::Missing,
    Family::Crime,
    Family::Crowd,
];

/// How a cue counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Current,
    /// After a past marker in its clause.
    Past,
    /// After a fear, prevention or hedge in its clause.
    Feared,
    Negated,
}

/// One danger cue found in a description.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub family: Family,
    pub kind: &'static str,
    pub weight: f32,
    /// Category the cue points to.
    pub code: Option<&'static str>,
    /// Department categories that account for the danger on their own.
    pub explained_by: &'static [String],
    /// The phrase, or `verb+object` for a frame.
    pub phrase: String,
    pub at: usize,
    /// Character offset just past the cue.
    pub end: usize,
    pub state: State,
    /// Matched by sound, with a miswritten character.
    pub sounded: bool,
}

impl Cue {
    /// The weight this cue adds to the score.
    pub fn counted(&self) -> f32 {
        match self.state {
            State::Current => self.weight,
            State::Past | State::Feared => self.weight * LOWERED,
            State::Negated => 0.0,
        }
    }
}

/// The cues of one description and the calm-down cue, if any.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Danger {
    pub cues: Vec<Cue>,
    /// A calm-down phrase and its offset.
    pub calm: Option<(String, usize)>,
    /// A word for a vulnerable person and its offset.
    pub vulnerable: Option<(String, usize)>,
    /// For each character: told as past background or as a fear (after 上次, 怕… in its clause).
    pub lowered: Vec<bool>,
}

impl Danger {
    /// The score of the cues for which `keep` holds. Overlapping cues of a family count as their
    /// heaviest; separate cues of a family add up to at most twice its heaviest; the families
    /// add up.
    pub fn score_where(&self, keep: impl Fn(&Cue) -> bool) -> f32 {
        // (family, sum, heaviest, end of the current overlap run, heaviest of that run)
        let mut fams: Vec<(Family, f32, f32, usize, f32)> = Vec::new();
        for c in self.cues.iter().filter(|c| keep(c)) {
            let w = c.counted();
            match fams.iter_mut().find(|f| f.0 == c.family) {
                Some(f) if c.at < f.3 => {
                    f.1 += (w - f.4).max(0.0);
                    f.4 = f.4.max(w);
                    f.3 = f.3.max(c.end);
                    f.2 = f.2.max(w);
                }
                Some(f) => {
                    f.1 += w;
                    f.2 = f.2.max(w);
                    f.3 = c.end;
                    f.4 = w;
                }
                None => fams.push((c.family, w, w, c.end, w)),
            }
        }
        let score: f32 = fams.iter().map(|f| f.1.min(2.0 * f.2)).sum();
        if self.calm.is_some() {
            (score * CALMED).max(score.min(RAISED))
        } else {
            score
        }
    }

    /// The whole score.
    pub fn score(&self) -> f32 {
        self.score_where(|_| true)
    }

    /// Whether the department category `code` accounts for `cue` on its own. A missing or
    /// unanswering person who is a child, elderly or otherwise vulnerable is never accounted for
    /// by a department ("孩子找不到了" is not a lost-property matter).
    pub fn explains(&self, code: Option<&str>, cue: &Cue) -> bool {
        let person = self.vulnerable.is_some() && cue.family == Family::Missing;
        !person && code.is_some_and(|k| cue.explained_by.iter().any(|e| e == k))
    }

    /// The score left when the department category `code` accounts for the cues it explains.
    pub fn unexplained(&self, code: Option<&str>) -> f32 {
        self.score_where(|c| !self.explains(code, c))
    }

    /// Cues that count, in text order.
    pub fn counting(&self) -> impl Iterator<Item = &Cue> {
        self.cues.iter().filter(|c| c.counted() > 0.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Cue(usize),
    Marker(Marker),
    Vulnerable,
}

/// Finds danger cues. Build once per classifier.
pub struct Detector {
    matcher: Matcher<Tag>,
    segmenter: Segmenter,
    frames: Vec<CompiledFrame>,
    /// For a first character of a verb: the frames (one bit each, of 32) with a verb starting so.
    by_first_char: FxHashMap<char, u64>,
    /// The frames whose one-character verbs may be typed by sound: every one-character word is
    /// tried.
    sound_mask: u64,
    /// The characters without which a clause holds no frame: a character of each verb (see
    /// [`trigger_char`]), and what may stand for a verb typed by sound.
    triggers: CharSet,
    /// The triggers of the frames whose object may be the topic: a clause holding one has the
    /// clause before it segmented too.
    topic_triggers: CharSet,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("frames", &self.frames.len())
            .finish_non_exhaustive()
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '。' | '!'
            | '?'
            | ';'
            | '；'
            | '\n'
            | '\r'
            | ','
            | '，'
            | '、'
            | ':'
            | '：'
            | '！'
            | '？'
            | ' '
    )
}

/// Characters that begin a frame's verb but stand in most clauses (不见, 走丢, 放火, 跑丢).
const COMMON_FIRST: &[char] = &['不', '走', '放', '跑'];

/// The character of a verb that a clause holding the verb must hold, chosen rare: the first,
/// unless it is one of [`COMMON_FIRST`] and another follows.
fn trigger_char(verb: &str) -> Option<char> {
    let mut chars = verb.chars();
    let first = chars.next()?;
    match chars.next() {
        Some(next) if COMMON_FIRST.contains(&first) => Some(next),
        _ => Some(first),
    }
}

/// The trigger characters of the verbs of the frames (of the first [`MAX_FRAMES`]) for which
/// `keep` holds.
fn verb_triggers<'l>(
    lex: &'l Lexicon,
    keep: impl Fn(&Frame) -> bool + 'l,
) -> impl Iterator<Item = char> + 'l {
    lex.frames
        .iter()
        .take(MAX_FRAMES)
        .filter(move |f| keep(f))
        .flat_map(|f| f.verbs.iter())
        .filter_map(|v| trigger_char(v))
}

impl Detector {
    /// A detector over the built-in lexicon; `words` (the list's phrases) join the segmenter's
    /// dictionary so that their words are not split.
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Detector {
        let lex = &*LEXICON;
        let words: Vec<&str> = words.into_iter().collect();
        let mut builder = MatcherBuilder::new();
        builder.sound_min_chars(SOUND_MIN_CHARS);
        for w in &words {
            builder.add_known(w);
        }
        for w in &lex.near_misses {
            builder.add_blocker(w);
        }
        for (i, group) in lex.cues.iter().enumerate() {
            for p in &group.phrases {
                builder.add(p, Tag::Cue(i));
            }
        }
        for (marker, words) in &lex.markers {
            for w in words {
                builder.add(w, Tag::Marker(*marker));
            }
        }
        for w in &lex.vulnerable {
            builder.add(w, Tag::Vulnerable);
        }
        let lexicon_words = lex
            .cues
            .iter()
            .flat_map(|c| c.phrases.iter())
            .chain(lex.frames.iter().flat_map(|f| f.verbs.iter()))
            .chain(lex.frames.iter().flat_map(|f| f.objects.iter()))
            .chain(lex.frames.iter().flat_map(|f| f.unless.iter()))
            .chain(lex.markers.iter().flat_map(|m| m.1.iter()))
            .chain(lex.near_misses.iter())
            .chain(lex.words.iter())
            .map(String::as_str);
        let segmenter = Segmenter::new(words.into_iter().chain(lexicon_words));
        let frames: Vec<CompiledFrame> = lex
            .frames
            .iter()
            .enumerate()
            .map(|(index, f)| CompiledFrame {
                index,
                verbs: f.verbs.iter().map(String::as_str).collect(),
                objects: f.objects.iter().map(String::as_str).collect(),
                unless: f.unless.iter().map(String::as_str).collect(),
                sound_verbs: sound_typed(f),
                person: f.objects.iter().any(|o| o == "人"),
                topic: f.family == Family::Missing,
            })
            .collect();
        let mut by_first_char: FxHashMap<char, u64> = FxHashMap::default();
        let mut sound_mask = 0u64;
        for (bit, f) in frames.iter().enumerate().take(MAX_FRAMES) {
            for v in &f.verbs {
                if let Some(c) = v.chars().next() {
                    *by_first_char.entry(c).or_default() |= 1 << bit;
                }
            }
            if f.sound_verbs {
                sound_mask |= 1 << bit;
            }
        }
        Detector {
            matcher: builder.build(),
            segmenter,
            frames: frames.into_iter().take(MAX_FRAMES).collect(),
            triggers: CharSet::new(
                verb_triggers(lex, |_| true)
                    .chain(SOUND_ALIKES.iter().copied().filter(|_| sound_mask != 0)),
            ),
            topic_triggers: CharSet::new(verb_triggers(lex, |f| {
                f.family == Family::Missing && f.kind == "person"
            })),
            by_first_char,
            sound_mask,
        }
    }

    /// The danger cues of `text`, with their states.
    pub fn assess(&self, text: &str) -> Danger {
        let chars = normalize(text);
        let folded: String = chars.iter().collect();
        self.assess_normalized(&chars, &folded)
    }

    /// Like [`Detector::assess`] over a text already normalised (`chars` from [`normalize`],
    /// `folded` the same as a string).
    pub fn assess_normalized(&self, chars: &[char], folded: &str) -> Danger {
        let hits = self.matcher.find_normalized(chars);
        let mut clause = Vec::with_capacity(chars.len());
        clause.extend(chars.iter().scan(0usize, |n, &c| {
            if is_clause_break(c) {
                *n += 1;
            }
            Some(*n)
        }));
        let clause_at = |at: usize| clause.get(at).copied().unwrap_or(usize::MAX);
        let markers: Vec<(Marker, usize)> = hits
            .iter()
            .filter(|h| h.affirmed())
            .filter_map(|h| match h.tag {
                Tag::Marker(m) => Some((*m, h.start)),
                _ => None,
            })
            .collect();
        let governed = |kind: Marker, at: usize| {
            markers
                .iter()
                .any(|(m, s)| *m == kind && *s <= at && clause_at(*s) == clause_at(at))
        };
        let state_of = |family: Family, at: usize, negated: bool, hedged: bool| {
            if negated {
                State::Negated
            } else if governed(Marker::Past, at) {
                State::Past
            } else if FEAR_LOWERS.contains(&family)
                && (hedged || governed(Marker::Hypothetical, at))
            {
                State::Feared
            } else {
                State::Current
            }
        };

        let mut lowered = vec![false; chars.len()];
        for &(m, s) in &markers {
            if matches!(m, Marker::Past | Marker::Hypothetical) {
                let c = clause_at(s);
                for (at, l) in lowered.iter_mut().enumerate().skip(s) {
                    if clause_at(at) != c {
                        break;
                    }
                    *l = true;
                }
            }
        }
        let mut danger = Danger {
            lowered,
            ..Danger::default()
        };
        for h in &hits {
            match h.tag {
                Tag::Cue(i) => {
                    let g: &'static CueGroup = &LEXICON.cues[*i];
                    danger.cues.push(Cue {
                        family: g.family,
                        kind: &g.kind,
                        weight: g.weight,
                        code: g.code.as_deref(),
                        explained_by: &g.explained_by,
                        phrase: h.phrase.to_string(),
                        at: h.start,
                        end: h.end,
                        state: state_of(g.family, h.start, h.negated, h.hedged),
                        sounded: h.sounded,
                    });
                }
                Tag::Marker(Marker::Calm) if h.affirmed() && danger.calm.is_none() => {
                    danger.calm = Some((h.phrase.to_string(), h.start));
                }
                Tag::Vulnerable if h.affirmed() && danger.vulnerable.is_none() => {
                    danger.vulnerable = Some((h.phrase.to_string(), h.start));
                }
                _ => {}
            }
        }
        let words = self.segmenter.cut_clauses_with(
            folded,
            is_clause_break,
            |c| self.triggers.contains(c),
            |c| self.topic_triggers.contains(c),
        );
        for (frame, verb, object, negated) in self.frame_hits(&words, &clause) {
            let f = &LEXICON.frames[frame];
            let at = verb.start.min(object.start);
            let end = verb.end.max(object.end);
            danger.cues.push(Cue {
                family: f.family,
                kind: &f.kind,
                weight: f.weight,
                code: f.code.as_deref(),
                explained_by: &f.explained_by,
                phrase: format!("{}+{}", verb.text, object.text),
                at,
                end,
                state: state_of(f.family, at, negated, false),
                sounded: false,
            });
        }
        if !danger.cues.is_sorted_by_key(|c| c.at) {
            danger.cues.sort_by_key(|c| c.at);
        }
        danger
    }

    /// Frames found over the words: (frame, verb word, object word, negated).
    fn frame_hits<'w, 'a>(
        &self,
        words: &'w [Word<'a>],
        clause: &[usize],
    ) -> Vec<(usize, &'w Word<'a>, &'w Word<'a>, bool)> {
        let clause_of = |w: &Word<'_>| clause.get(w.start).copied().unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let masks: Vec<u64> = words
            .iter()
            .map(|w| {
                let mut chars = w.text.chars();
                let first = chars.next().unwrap_or_default();
                let one = chars.next().is_none();
                let verbs = self.by_first_char.get(&first).copied().unwrap_or(0);
                verbs | if one { self.sound_mask << 32 } else { 0 }
            })
            .collect();
        for (bit, frame) in self.frames.iter().enumerate() {
            for (i, w) in words.iter().enumerate() {
                let (exact, sound) = (
                    masks[i] & (1 << bit) != 0,
                    masks[i] & (1 << (bit + 32)) != 0,
                );
                if !exact && !sound {
                    continue;
                }
                let Some(rest) = exact
                    .then(|| verb_rest(frame, w.text))
                    .flatten()
                    .or_else(|| {
                        if !sound {
                            return None;
                        }
                        let next = words.get(i + 1)?;
                        let subject = words[..i]
                            .iter()
                            .rev()
                            .find(|p| !ADVERBS.contains(&p.text))?;
                        (frame.sound_verbs
                            && frame.objects.contains(&next.text)
                            && frame.objects.contains(&subject.text)
                            && sounds_like_verb(frame, w.text))
                        .then_some("")
                    })
                else {
                    continue;
                };
                let c = clause_of(w);
                let is_object = |o: &Word<'_>| frame.objects.contains(&o.text);
                let negated = words[..i]
                    .iter()
                    .rev()
                    .take(3)
                    .take_while(|o| clause_of(o) == c)
                    .any(|o| NEGATORS.contains(&o.text));
                let found = if frame.objects.contains(&rest) {
                    Some(w)
                } else {
                    object_after(words, i, c, clause, &is_object)
                        .or_else(|| object_before(words, i, c, clause, &is_object, frame.person))
                        .or_else(|| {
                            frame
                                .topic
                                .then(|| {
                                    object_as_topic(words, i, c, clause, &is_object)
                                        .or_else(|| topic_before(words, i, c, clause, &is_object))
                                })
                                .flatten()
                        })
                };
                let voided = |object: &Word<'_>| {
                    let oc = clause_of(object);
                    words
                        .iter()
                        .filter(|o| clause_of(o) == c || clause_of(o) == oc)
                        .any(|o| frame.unless.iter().any(|u| o.text.contains(u)))
                };
                if let Some(o) = found
                    && !voided(o)
                {
                    out.push((frame.index, w, o, negated));
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "danger_tests.rs"]
mod tests;
