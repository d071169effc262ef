//! Phrase matching shared by the classifier and the red-flag scanner: one Aho-Corasick pass over the
//! description, character offsets, gapped phrases (`甲*乙`), negation, hedges and near-miss blockers.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::sound::{SoundTable, find_all};

/// Largest number of characters a gap in a `甲*乙` phrase may span.
pub const GAP_MAX_CHARS: usize = 10;
/// Largest number of characters between a negator and the phrase it cancels.
const NEGATION_REACH: usize = 3;
/// Largest number of characters between a hedge ("觉得") and the phrase it weakens.
const HEDGE_REACH: usize = 4;

/// Words that cancel a phrase that follows closely in the same clause ("双方都没有动手").
pub const NEGATORS: &[&str] = &[
    "没有",
    "没",
    "未",
    "不是",
    "不像是",
    "并非",
    "无",
    "不曾",
    "从未",
    "没看到",
    "没看见",
    "没发现",
    "未发现",
    "毫无",
    "不存在",
];

/// Words that start like a negator but negate nothing ("没想到", "无缘无故").
const PSEUDO_NEGATORS: &[&str] = &[
    "这不是",
    "岂不是",
    "不就是",
    "可不是",
    "没准",
    "没想到",
    "没多久",
    "没过多久",
    "没一会",
    "没几",
    "没办法",
    "没法",
    "没完没了",
    "没日没夜",
    "无缘无故",
    "无故",
    "无端",
    "无奈",
    "未成年",
    "无人机",
    "无数",
    "没事找事",
    "不是第一次",
    "不是一次",
    "没钱",
    "无人应答",
    "没人应",
    "没人理",
    "没人管",
];

/// Words that make the caller's own reading doubtful ("觉得自己被骗了").
pub const HEDGES: &[&str] = &["觉得", "感觉", "以为", "怀疑自己"];

/// Near misses: words that contain a phrase's characters but mean something harmless. A phrase
/// that overlaps one of these without containing it is ignored ("被打扰" is not "被打").
pub const NEAR_MISSES: &[&str] = &[
    "打扰",
    "打电话",
    "打个电话",
    "打扫",
    "打工",
    "打零工",
    "打桩",
    "打车",
    "打的",
    "打卡",
    "打听",
    "打折",
    "打针",
    "打疫苗",
    "打开",
    "打印",
    "打包",
    "打算",
    "打理",
    "打招呼",
    "打牌",
    "打球",
    "打游戏",
    "打呼噜",
    "打喷嚏",
    "打字",
    "打水",
    "打饭",
    "打烊",
    "打孔",
    "打洞",
    "打官司",
    "打不通",
    "打不开",
    "打了电话",
    "打过电话",
    "打架子鼓",
    "打扮",
    "打交道",
    "打110",
    "打12345",
    "着急",
    "着凉",
    "火锅",
    "火车",
    "发火",
    "上火",
    "火腿",
    "火候",
    "火爆",
    "火化",
    "炸串",
    "炸鸡",
    "油炸",
    "炸酱",
    "气炸",
    "炸毛",
    "跳舞",
    "跳楼价",
    "跳楼大甩卖",
    "跳楼甩卖",
    "防诈骗",
    "反诈骗",
    "杀鸡",
    "杀鱼",
    "杀猪",
    "杀鸭",
    "杀了吃",
    "跳绳",
    "跳蚤",
    "跳闸",
    "偷懒",
    "偷排",
    "偷倒",
    "偷工",
    "抢修",
    "抢购",
    "抢红包",
    "抢着停",
    "抢车位",
    "冲水",
    "冲洗",
    "冲厕所",
    "砍价",
    "动手术",
    "手术刀",
    "拼命工作",
    "拼命干",
    "住了十几",
    "住着十几",
    "住了很多",
    "住着很多",
    "住了好几",
    "住了几十",
    "住了七八",
    "住了五六",
    "十几个小时",
    "几十个小时",
    "十几个月",
    "几十年",
    "报警器",
    "烟感报警",
    "跳下来的猫",
    "杀价",
    "杀虫",
    "杀毒",
    "骗局",
    "刷了没反应",
    "按了没反应",
    "点了没反应",
    "刷卡没反应",
    "上吊下来",
    "上吊一根",
    "抢钱一样",
    "跟抢钱",
    "像抢钱",
    "打不着火",
    "点不着火",
    "打不着",
    "点不着",
    "车堵在",
    "车堵住",
    "车堵着",
    "扣押金",
    "扣押押金",
    "扣我押金",
    "点多",
];

/// Characters that end a sentence: gapped phrases never span them.
fn is_sentence_break(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | ';' | '；' | '\n' | '\r')
}

/// Characters that end a clause: negation and hedges never reach across them.
fn is_clause_break(c: char) -> bool {
    is_sentence_break(c) || matches!(c, ',' | '，' | '、' | ':' | '：' | ' ' | '！' | '？')
}

/// Folds one character so that width and ASCII case never matter: full-width forms become
/// half-width, the ideographic space a plain space, ASCII letters lower case. One char in, one out,
/// so character offsets are unchanged.
pub fn fold_char(c: char) -> char {
    let code = c as u32;
    let folded = if (0xFF01..=0xFF5E).contains(&code) {
        char::from_u32(code - 0xFEE0).unwrap_or(c)
    } else if c == '\u{3000}' {
        ' '
    } else {
        c
    };
    folded.to_ascii_lowercase()
}

/// Folds a whole phrase or description with [`fold_char`] and traditional characters to
/// simplified ones. One char in, one out, so character offsets are unchanged.
pub fn fold(text: &str) -> String {
    normalize(text).into_iter().collect()
}

/// The characters of `text` folded ([`fold_char`]) and simplified (繁→简), one per input char.
pub fn normalize(text: &str) -> Vec<char> {
    let mut folded = Vec::with_capacity(text.len());
    folded.extend(text.chars().map(fold_char));
    if !folded.iter().any(|&c| may_simplify(c)) {
        return folded;
    }
    let joined: String = folded.iter().collect();
    let simplified = fast2s::convert(&joined);
    if simplified.chars().count() == folded.len() {
        simplified.chars().collect()
    } else {
        folded
    }
}

/// Characters of the three-byte range that the 繁→简 conversion changes in some context.
static SIMPLIFIES: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    let chars: Vec<char> = (0x800u32..0x10000).filter_map(char::from_u32).collect();
    let spaced: String = chars.iter().flat_map(|&c| [c, ' ']).collect();
    let converted = fast2s::convert(&spaced);
    for (&c, d) in chars.iter().zip(converted.chars().step_by(2)) {
        if c != d || CONTEXT_ONLY.contains(c) {
            let u = c as usize;
            bits[u / 64] |= 1 << (u % 64);
        }
    }
    bits
});

/// Characters the conversion changes only next to certain others (藉口, 看著, 苧麻).
const CONTEXT_ONLY: &str = "藉著苧";

/// Whether [`normalize`] may have to simplify `c`: only three-byte characters are converted.
fn may_simplify(c: char) -> bool {
    let u = c as usize;
    (0x800..0x10000).contains(&u) && SIMPLIFIES[u / 64] & (1 << (u % 64)) != 0
}

const NEGATOR: u8 = 1;
const PSEUDO: u8 = 2;
const HEDGE: u8 = 4;
const BLOCKER: u8 = 8;

struct Compound<T> {
    parts: Vec<usize>,
    phrase: String,
    tag: T,
}

/// Collects phrases with their tags, then builds a [`Matcher`].
pub struct MatcherBuilder<T> {
    patterns: Vec<String>,
    index: HashMap<String, usize>,
    tags: Vec<Vec<(T, String)>>,
    kinds: Vec<u8>,
    compounds: Vec<Compound<T>>,
    exact: Vec<bool>,
    sound_min: usize,
}

impl<T> Default for MatcherBuilder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> MatcherBuilder<T> {
    /// A builder that already knows the negators, hedges and near misses.
    pub fn new() -> Self {
        let mut builder = MatcherBuilder {
            patterns: Vec::new(),
            index: HashMap::new(),
            tags: Vec::new(),
            kinds: Vec::new(),
            compounds: Vec::new(),
            exact: Vec::new(),
            sound_min: 2,
        };
        for (words, kind) in [
            (NEGATORS, NEGATOR),
            (PSEUDO_NEGATORS, PSEUDO),
            (HEDGES, HEDGE),
        ] {
            for word in words {
                let id = builder.intern(word);
                builder.kinds[id] |= kind;
            }
        }
        for word in NEAR_MISSES {
            builder.add_blocker(word);
        }
        builder
    }

    fn intern(&mut self, phrase: &str) -> usize {
        let folded = fold(phrase);
        if let Some(&id) = self.index.get(&folded) {
            return id;
        }
        let id = self.patterns.len();
        self.index.insert(folded.clone(), id);
        self.patterns.push(folded);
        self.tags.push(Vec::new());
        self.kinds.push(0);
        self.exact.push(false);
        id
    }

    /// Adds a near miss: a phrase that overlaps it without containing it is ignored.
    pub fn add_blocker(&mut self, word: &str) {
        let id = self.intern(word);
        self.kinds[id] |= BLOCKER;
    }

    /// Sets the shortest phrase (in characters) that may match by sound; 2 unless set.
    pub fn sound_min_chars(&mut self, n: usize) {
        self.sound_min = n;
    }

    /// Adds a phrase that never matches by sound.
    pub fn add_exact(&mut self, phrase: &str, tag: T) {
        let before = self.patterns.len();
        self.add(phrase, tag);
        for id in before..self.patterns.len() {
            self.exact[id] = true;
        }
        if let Some(id) = self.index.get(&fold(phrase)).copied() {
            self.exact[id] = true;
        }
    }

    /// Adds a word that is only known: it tags nothing, but a same-sound match may not overlap it
    /// (吵起来 in the text is not a miswritten 抄起).
    pub fn add_known(&mut self, phrase: &str) {
        for part in phrase
            .split('*')
            .map(str::trim)
            .filter(|p| p.chars().count() > 1)
        {
            self.intern(part);
        }
    }

    /// Adds a phrase. `甲*乙` matches 甲 followed within [`GAP_MAX_CHARS`] characters by 乙 in the
    /// same sentence. Empty phrases and empty parts are skipped (the list checker reports them).
    pub fn add(&mut self, phrase: &str, tag: T) {
        let parts: Vec<&str> = phrase.split('*').map(str::trim).collect();
        if parts.iter().any(|p| p.is_empty()) {
            return;
        }
        if parts.len() == 1 {
            let id = self.intern(parts[0]);
            self.tags[id].push((tag, phrase.to_string()));
        } else {
            let ids = parts.iter().map(|p| self.intern(p)).collect();
            self.compounds.push(Compound {
                parts: ids,
                phrase: phrase.to_string(),
                tag,
            });
        }
    }

    /// Builds the automaton.
    pub fn build(self) -> Matcher<T> {
        let mut starts = vec![Vec::new(); self.patterns.len()];
        let mut used: Vec<bool> = self.tags.iter().map(|t| !t.is_empty()).collect();
        for (i, compound) in self.compounds.iter().enumerate() {
            if let Some(&first) = compound.parts.first() {
                starts[first].push(i);
            }
            for &p in &compound.parts {
                used[p] = true;
            }
        }
        for (id, u) in used.iter_mut().enumerate() {
            *u = *u && !self.exact[id] && self.patterns[id].chars().count() >= self.sound_min;
        }
        let sound = SoundTable::build(&self.patterns, &used);
        Matcher {
            sound,
            tags: self.tags,
            kinds: self.kinds,
            compounds: self.compounds,
            starts,
        }
    }
}

/// One phrase found in a description. Offsets count characters, not bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a, T> {
    pub tag: &'a T,
    /// The phrase as it was added.
    pub phrase: &'a str,
    pub start: usize,
    pub end: usize,
    /// A negator comes just before it in the same clause.
    pub negated: bool,
    /// A hedge ("觉得") comes just before it in the same clause.
    pub hedged: bool,
    /// Matched as a gapped phrase (`甲*乙`).
    pub gapped: bool,
    /// Matched by sound: a character differs but reads the same (燥音 for 噪音).
    pub sounded: bool,
}

impl<T> Hit<'_, T> {
    /// Neither negated nor hedged.
    pub fn affirmed(&self) -> bool {
        !self.negated && !self.hedged
    }
}

/// Finds tagged phrases in descriptions in one pass.
pub struct Matcher<T> {
    /// Every phrase, found by spelling and by sound in one pass.
    sound: SoundTable,
    tags: Vec<Vec<(T, String)>>,
    kinds: Vec<u8>,
    compounds: Vec<Compound<T>>,
    starts: Vec<Vec<usize>>,
}

#[derive(Clone, Copy)]
struct Raw {
    id: usize,
    start: usize,
    end: usize,
    sound: bool,
}

impl<T> Matcher<T> {
    /// Every tagged phrase in `text`, near misses removed, with negation and hedges marked.
    pub fn find<'a>(&'a self, text: &str) -> Vec<Hit<'a, T>> {
        self.find_normalized(&normalize(text))
    }

    /// Like [`Matcher::find`] over a text already normalised by [`normalize`].
    pub fn find_normalized<'a>(&'a self, chars: &[char]) -> Vec<Hit<'a, T>> {
        let mut raws: Vec<Raw> = Vec::with_capacity(chars.len());
        let sounded = find_all(&self.sound, chars, |id, start, end| {
            raws.push(Raw {
                id,
                start,
                end,
                sound: false,
            })
        });
        let exact = raws.len();
        for (id, start, end) in sounded {
            let known_word_there = raws[..exact]
                .iter()
                .any(|r| r.id != id && r.start <= start && end <= r.end);
            if !known_word_there {
                raws.push(Raw {
                    id,
                    start,
                    end,
                    sound: true,
                });
            }
        }
        let kind = |r: &Raw, k: u8| self.kinds[r.id] & k != 0;
        let blockers: Vec<Raw> = raws.iter().copied().filter(|r| kind(r, BLOCKER)).collect();
        let pseudos: Vec<Raw> = raws.iter().copied().filter(|r| kind(r, PSEUDO)).collect();
        let negators: Vec<Raw> = raws
            .iter()
            .copied()
            .filter(|r| kind(r, NEGATOR))
            .filter(|n| {
                !pseudos
                    .iter()
                    .any(|p| p.start <= n.start && n.start < p.end)
            })
            .collect();
        let hedges: Vec<Raw> = raws.iter().copied().filter(|r| kind(r, HEDGE)).collect();

        let blocked = |start: usize, end: usize| {
            blockers
                .iter()
                .any(|b| b.start < end && start < b.end && !(start <= b.start && b.end <= end))
        };
        let preceded = |list: &[Raw], start: usize, reach: usize| {
            list.iter().any(|n| {
                n.end <= start
                    && start - n.end <= reach
                    && !chars[n.end..start].iter().any(|&c| is_clause_break(c))
            })
        };

        let mut hits = Vec::with_capacity(raws.len() + 4);
        for raw in &raws {
            if !self.tags[raw.id].is_empty() && !blocked(raw.start, raw.end) {
                for (tag, phrase) in &self.tags[raw.id] {
                    hits.push(Hit {
                        tag,
                        phrase,
                        start: raw.start,
                        end: raw.end,
                        negated: false,
                        hedged: false,
                        gapped: false,
                        sounded: raw.sound,
                    });
                }
            }
            for &c in &self.starts[raw.id] {
                let compound = &self.compounds[c];
                if let Some((end, negated)) = self.chain(
                    compound,
                    raw,
                    raws.split_at(exact),
                    chars,
                    &blocked,
                    &negators,
                ) {
                    hits.push(Hit {
                        tag: &compound.tag,
                        phrase: &compound.phrase,
                        start: raw.start,
                        end,
                        negated,
                        hedged: false,
                        gapped: true,
                        sounded: raw.sound,
                    });
                }
            }
        }
        let tight: Vec<bool> = hits
            .iter()
            .map(|h| {
                !h.gapped
                    || !hits.iter().any(|o| {
                        std::ptr::eq(o.tag, h.tag)
                            && std::ptr::eq(o.phrase, h.phrase)
                            && h.start <= o.start
                            && o.end <= h.end
                            && (o.start, o.end) != (h.start, h.end)
                    })
            })
            .collect();
        let mut keep = tight.into_iter();
        hits.retain(|_| keep.next().unwrap_or(true));
        for hit in &mut hits {
            hit.negated |= preceded(&negators, hit.start, NEGATION_REACH);
            hit.hedged = preceded(&hedges, hit.start, HEDGE_REACH);
        }
        if !hits.is_sorted_by_key(|h| (h.start, h.end)) {
            hits.sort_by_key(|h| (h.start, h.end));
        }
        hits
    }

    /// Follows a gapped phrase from its first part; returns the end of the last part and
    /// whether a negation stands in a gap between its parts (插座没有冒烟). The raws come as the
    /// spelt ones, in order of start, and those found by sound.
    fn chain(
        &self,
        compound: &Compound<T>,
        first: &Raw,
        (spelt, sounded): (&[Raw], &[Raw]),
        chars: &[char],
        blocked: &dyn Fn(usize, usize) -> bool,
        negators: &[Raw],
    ) -> Option<(usize, bool)> {
        if blocked(first.start, first.end) {
            return None;
        }
        let mut end = first.end;
        let mut negated = false;
        for &part in compound.parts.iter().skip(1) {
            let from = spelt.partition_point(|r| r.start < end);
            let next = spelt[from..]
                .iter()
                .take_while(|r| r.start - end <= GAP_MAX_CHARS)
                .chain(sounded)
                .filter(|r| r.id == part && r.start >= end && r.start - end <= GAP_MAX_CHARS)
                .filter(|r| !chars[end..r.start].iter().any(|&c| is_sentence_break(c)))
                .filter(|r| !blocked(r.start, r.end))
                .min_by_key(|r| r.start)?;
            negated |= negators
                .iter()
                .any(|n| n.start >= end && n.end <= next.start);
            end = next.end;
        }
        Some((end, negated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(phrases: &[&str]) -> Matcher<usize> {
        let mut builder = MatcherBuilder::new();
        for (i, p) in phrases.iter().enumerate() {
            builder.add(p, i);
        }
        builder.build()
    }

    #[test]
    fn simplifying_only_where_needed_gives_what_the_conversion_gives() {
        for text in [
            "看著孩子，藉口說沒事",
            "憑藉苧麻回覆乾隆計畫",
            "噪音擾民ＡＢＣ",
            "简体字没有变化",
            "",
            "ascii only",
        ] {
            let folded: String = text.chars().map(fold_char).collect();
            let whole: Vec<char> = fast2s::convert(&folded).chars().collect();
            assert_eq!(normalize(text), whole, "{text}");
        }
        assert!(may_simplify('擾') && may_simplify('著') && !may_simplify('扰'));
    }

    #[test]
    fn offsets_are_characters() {
        let m = matcher(&["动手"]);
        let hits = m.find("两人吵架后动手了");
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].start, hits[0].end), (5, 7));
    }

    #[test]
    fn full_width_and_case_fold() {
        let m = matcher(&["KTV"]);
        assert_eq!(m.find("楼下ＫＴＶ太吵").len(), 1);
        assert_eq!(m.find("楼下ktv太吵").len(), 1);
    }

    #[test]
    fn gapped_phrase_within_sentence_only() {
        let m = matcher(&["钥匙*屋里"]);
        assert_eq!(m.find("钥匙和手机都在屋里").len(), 1);
        assert!(m.find("钥匙丢了。后来在屋里").is_empty());
        assert!(m.find("钥匙放在了离这里很远很远很远的那间屋里").is_empty());
    }

    #[test]
    fn negation_and_pseudo_negation() {
        let m = matcher(&["动手", "被打"]);
        assert!(m.find("双方都没有动手")[0].negated);
        assert!(!m.find("眼看就要动手了")[0].negated);
        assert!(!m.find("没想到被打了")[0].negated);
        assert!(!m.find("没有人劝，最后动手了")[0].negated);
    }

    #[test]
    fn a_negation_between_the_parts_of_a_gapped_phrase_negates_it() {
        let m = matcher(&["插座*冒烟"]);
        let hits = m.find("墙上的插座没有冒烟，就是松了");
        assert!(hits.iter().all(|h| h.negated), "{hits:?}");
        let hits = m.find("墙上的插座在冒烟");
        assert!(hits.iter().any(|h| !h.negated));
    }

    #[test]
    fn near_miss_is_dropped() {
        let m = matcher(&["被打", "动手"]);
        assert!(m.find("深夜被打扰").is_empty());
        assert!(m.find("他刚动手术").is_empty());
        assert_eq!(m.find("他被打了").len(), 1);
    }

    #[test]
    fn same_sound_and_traditional_match() {
        let m = matcher(&["噪音", "电梯坏了"]);
        let hits = m.find("楼下燥音太大");
        assert_eq!(hits.len(), 1);
        assert!(hits[0].sounded);
        assert_eq!((hits[0].start, hits[0].end), (2, 4));
        let trad = m.find("電梯壞了三天");
        assert_eq!(trad.len(), 1);
        assert!(!trad[0].sounded);
        assert!(m.find("噪音").iter().all(|h| !h.sounded));
        assert!(m.find("造影检查").is_empty());
    }

    #[test]
    fn hedge_is_marked() {
        let m = matcher(&["被骗"]);
        let hits = m.find("觉得自己“被骗了”");
        assert!(hits[0].hedged && !hits[0].negated);
    }
}
