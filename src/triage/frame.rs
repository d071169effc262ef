//! The grammar of verb–object frames (把孩子锁在车里, 他被几个人打了, 老公又大我): which words
//! stand between a verb and its object, where the object of a 把 or 被 construction is, and
//! which one-character words may be a verb typed by sound.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::lexicon::{Frame, LEXICON};
use super::redflag::Family;
use super::segment::Word;

/// Most words between a frame's verb and its object, or between 把/被 and the verb.
pub(super) const FRAME_REACH: usize = 6;

/// Words that mark the object before the verb (把他打了) or the victim as subject (他被打了).
pub(super) const DISPOSAL: &[&str] = &["把", "将"];
pub(super) const PASSIVE: &[&str] = &["被", "遭", "挨", "让", "叫"];
/// Agents of a passive that are weather or water, never a person (树被风刮歪了, 被水冲走).
const NATURE: &[&str] = &[
    "风", "大风", "狂风", "台风", "雨", "大雨", "暴雨", "雪", "大雪", "冰雹", "水", "洪水", "雷",
];
/// Words that may stand between a passive subject and 被 (他又被打了).
pub(super) const ADVERBS: &[&str] = &[
    "也", "又", "都", "还", "就", "竟然", "居然", "直接", "差点", "已经", "刚", "刚才", "昨天",
    "今天", "晚上", "早上", "当场", "再次", "经常", "总是", "天天",
];
/// Words that may stand between a verb and its object (打了他一顿, 锁在屋里).
pub(super) const PARTICLES: &[&str] = &[
    "了",
    "着",
    "过",
    "得",
    "住",
    "在",
    "起来",
    "起",
    "倒",
    "伤",
    "死",
    "晕",
    "残",
    "破",
    "断",
    "上",
    "进",
    "到",
    "走",
    "一顿",
    "一下",
    "几下",
    "了一顿",
];
/// Words between two people that are never a verb typed by sound: prepositions and dialect
/// function words (同你讲 is "tell you", not 捅你; 勒 is 在 in Wu).
pub(super) const NEVER_SOUNDED: &str = "同跟和与给对向替帮叫让在勒看提通";

pub(super) struct CompiledFrame {
    pub(super) index: usize,
    pub(super) verbs: Vec<&'static str>,
    pub(super) objects: FxHashSet<&'static str>,
    pub(super) unless: Vec<&'static str>,
    /// One-character verbs may be typed by sound.
    pub(super) sound_verbs: bool,
    /// Its objects are people: a passive with no subject named is taken to be about a person
    /// (被几个人打了), unless the verb's result is damage to a thing (被踢坏).
    pub(super) person: bool,
    /// Its object may stand before the verb as the topic when nothing follows the verb
    /// (孩子在超市找不到了): the frames of missing and trapped people.
    pub(super) topic: bool,
}

/// A one-character word that reads like one of the frame's one-character verbs (大我 for 打我);
/// only taken in a hitting frame, between a person and a person (老公又大我).
pub(super) fn sounds_like_verb(frame: &CompiledFrame, word: &str) -> bool {
    use pinyin::ToPinyin;
    let mut chars = word.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    if NEVER_SOUNDED.contains(c) {
        return false;
    }
    let Some(sound) = c.to_pinyin().map(|p| p.plain()) else {
        return false;
    };
    frame.verbs.iter().any(|v| {
        let mut vc = v.chars();
        matches!((vc.next(), vc.next()), (Some(x), None) if x != c && x.to_pinyin().map(|p| p.plain()) == Some(sound))
    })
}

/// The rest of `word` after a frame verb it starts with, when that rest is empty, a particle or a
/// one-word object (打人, 锁在, 关起来).
pub(super) fn verb_rest<'a>(frame: &CompiledFrame, word: &'a str) -> Option<&'a str> {
    frame.verbs.iter().find_map(|v| {
        let rest = word.strip_prefix(v)?;
        (rest.is_empty() || PARTICLES.contains(&rest) || frame.objects.contains(&rest))
            .then_some(rest)
    })
}

/// The object within three words after the verb (打了他一顿, 锁住了孩子, 拎着啤酒瓶子).
pub(super) fn object_after<'w, 'a>(
    words: &'w [Word<'a>],
    i: usize,
    c: usize,
    clause: &[usize],
    is_object: &dyn Fn(&Word<'_>) -> bool,
) -> Option<&'w Word<'a>> {
    words
        .iter()
        .skip(i + 1)
        .take(3)
        .take_while(|o| clause.get(o.start).copied() == Some(c))
        .find(|o| is_object(o))
}

/// The object before the verb in a 把 or 被 construction (把孩子锁在车里, 他被几个人打了): with
/// 把 the word right before the verb, with 被 a subject before 被 (or none: the caller).
pub(super) fn object_before<'w, 'a>(
    words: &'w [Word<'a>],
    i: usize,
    c: usize,
    clause: &[usize],
    is_object: &dyn Fn(&Word<'_>) -> bool,
    person_frame: bool,
) -> Option<&'w Word<'a>> {
    let start = i.saturating_sub(FRAME_REACH + 2);
    let before: Vec<(usize, &Word<'_>)> = words[start..i]
        .iter()
        .enumerate()
        .map(|(k, w)| (start + k, w))
        .filter(|(_, w)| clause.get(w.start).copied() == Some(c))
        .collect();
    if before.iter().any(|(_, w)| DISPOSAL.contains(&w.text)) {
        return words[start..i]
            .iter()
            .rev()
            .find(|w| !ADVERBS.contains(&w.text) && !["给", "狠狠", "一下"].contains(&w.text))
            .filter(|o| is_object(o) || person_frame && o.text == "的");
    }
    let (k, marker) = *before
        .iter()
        .rev()
        .find(|(_, w)| PASSIVE.contains(&w.text))?;
    if i - k > FRAME_REACH {
        return None;
    }
    let mut subject = words[..k]
        .iter()
        .rev()
        .take_while(|w| clause.get(w.start).copied() == Some(c));
    let damage = words
        .get(i + 1)
        .is_some_and(|w| ["坏", "碎", "翻", "烂", "开", "断", "破", "歪"].contains(&w.text));
    if words[k + 1..i].iter().any(|w| NATURE.contains(&w.text)) {
        return None;
    }
    match subject
        .clone()
        .find(|o| is_object(o) || person_frame && o.text == "的")
    {
        Some(o) => Some(o),
        None if subject.all(|w| ADVERBS.contains(&w.text)) => Some(marker),
        None if person_frame && !damage => Some(marker),
        None => None,
    }
}

/// Words that may end a clause after a verb whose object is its topic (孩子找不到了).
const CLAUSE_ENDS: &[&str] = &["了", "啦", "呢", "啊", "呀", "的", "咯", "喽"];

/// The topic before the verb that is its object (孩子在超市找不到了, 儿子走丢了), when nothing but
/// a clause-final particle follows the verb: with a word after it the person is the one looking
/// (我找不到物业).
pub(super) fn object_as_topic<'w, 'a>(
    words: &'w [Word<'a>],
    i: usize,
    c: usize,
    clause: &[usize],
    is_object: &dyn Fn(&Word<'_>) -> bool,
) -> Option<&'w Word<'a>> {
    let in_clause = |w: &&Word<'_>| clause.get(w.start).copied() == Some(c);
    if !ends_its_clause(words, i, c, clause) {
        return None;
    }
    words[i.saturating_sub(FRAME_REACH)..i]
        .iter()
        .rev()
        .take_while(in_clause)
        .find(|o| is_object(o))
}

/// Whether nothing but a clause-final particle follows word `i` in its clause `c`.
fn ends_its_clause(words: &[Word<'_>], i: usize, c: usize, clause: &[usize]) -> bool {
    words
        .iter()
        .skip(i + 1)
        .take_while(|w| clause.get(w.start).copied() == Some(c))
        .all(|w| CLAUSE_ENDS.contains(&w.text))
}

/// Words that may open a clause before a verb whose topic was named in the clause before
/// (孩子在玩，转身工夫就不见了): time and sudden-turn words, besides [`ADVERBS`].
const TOPIC_GAP: &[&str] = &[
    "转身",
    "一转身",
    "工夫",
    "功夫",
    "一会儿",
    "一会",
    "突然",
    "忽然",
    "眨眼",
    "一眨眼",
    "转眼",
    "一转眼",
    "后来",
    "然后",
    "结果",
    "人",
    "就",
    "一下子",
    "一下",
    "一",
];

/// The topic named in the clause before, when the verb's clause opens with nothing but time and
/// sudden-turn words and nothing but a particle follows the verb (孩子在游乐场玩，转身就找不到了),
/// and a comma (folded to `,`), not a full stop, stands between the clauses: the person nearest
/// the comma.
pub(super) fn topic_before<'w, 'a>(
    words: &'w [Word<'a>],
    i: usize,
    c: usize,
    clause: &[usize],
    is_object: &dyn Fn(&Word<'_>) -> bool,
) -> Option<&'w Word<'a>> {
    if !ends_its_clause(words, i, c, clause) {
        return None;
    }
    let in_clause = |w: &Word<'_>, k: usize| clause.get(w.start).copied() == Some(k);
    let mut comma = false;
    for w in words[..i].iter().rev().take_while(|w| in_clause(w, c)) {
        match w.text {
            "," => comma = true,
            t if ADVERBS.contains(&t) || TOPIC_GAP.contains(&t) => {}
            _ => return None,
        }
    }
    let before = c.checked_sub(1).filter(|_| comma)?;
    words[..i]
        .iter()
        .rev()
        .skip_while(|w| in_clause(w, c))
        .take_while(|w| in_clause(w, before))
        .find(|o| is_object(o))
}

/// Whether a frame's one-character verbs may be typed by sound: the hitting frame's only.
pub(super) fn sound_typed(frame: &Frame) -> bool {
    frame.family == Family::Violence && frame.kind == "hit"
}

/// First code point with a reading, and one past the last (the reading table's span).
const READINGS: std::ops::Range<u32> = 0x3000..0x40000;

/// Every character that reads like a one-character verb of a frame whose verbs may be typed by
/// sound (大 for 打): with the verbs' first characters, the characters without which a clause
/// holds no frame.
pub(super) static SOUND_ALIKES: LazyLock<FxHashSet<char>> = LazyLock::new(|| {
    use pinyin::ToPinyin;
    let syllables: FxHashSet<&'static str> = LEXICON
        .frames
        .iter()
        .filter(|f| sound_typed(f))
        .flat_map(|f| f.verbs.iter())
        .filter(|v| v.chars().count() == 1)
        .filter_map(|v| v.chars().next()?.to_pinyin().map(|p| p.plain()))
        .collect();
    READINGS
        .filter_map(char::from_u32)
        .filter(|c| c.to_pinyin().is_some_and(|p| syllables.contains(p.plain())))
        .filter(|c| !NEVER_SOUNDED.contains(*c))
        .collect()
});

/// A set of characters, looked up at every character of a text: a bit for each character of the
/// Basic Multilingual Plane, the others hashed.
pub(super) struct CharSet {
    bmp: Vec<u64>,
    rest: FxHashSet<char>,
}

impl CharSet {
    /// The set of `chars`.
    pub(super) fn new(chars: impl IntoIterator<Item = char>) -> CharSet {
        let mut set = CharSet {
            bmp: vec![0; 0x10000 / 64],
            rest: FxHashSet::default(),
        };
        for c in chars {
            let u = c as usize;
            match set.bmp.get_mut(u / 64) {
                Some(bits) => *bits |= 1 << (u % 64),
                None => {
                    set.rest.insert(c);
                }
            }
        }
        set
    }

    /// Whether `c` is in the set.
    #[inline]
    pub(super) fn contains(&self, c: char) -> bool {
        let u = c as usize;
        match self.bmp.get(u / 64) {
            Some(bits) => bits & (1 << (u % 64)) != 0,
            None => self.rest.contains(&c),
        }
    }
}
