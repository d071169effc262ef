//! Exact and same-sound matching in one pass. Phrases and descriptions are read as codes: a
//! character whose toneless pinyin syllable (the `pinyin` crate) is that of a character of a
//! sound-matched phrase is coded by the syllable, any other by itself. A phrase found in the codes
//! is an exact match when every character agrees, and a same-sound match when one differs but reads
//! the same (燥音 for 噪音, 起伙 for 起火). One character must stay right in a two-character phrase,
//! and at most one may differ in a phrase of up to four (two in a longer one), so that unrelated
//! words that merely sound alike (大家 for 打架) do not match.

use std::collections::HashMap;

use pinyin::ToPinyin;

use super::trie::CharTrie;

/// Code of a private-use character of a text, which no phrase holds.
const NO_SOUND: char = '\u{F8FF}';
/// First code of the syllables (a private-use range).
const FIRST: u32 = 0xE000;
/// The private-use range the syllable codes are taken from.
const PRIVATE: std::ops::RangeInclusive<u32> = 0xE000..=0xF8FF;

/// Characters below this (Latin, punctuation, kana) are their own codes.
const BELOW_READINGS: u32 = 0x3400;
/// First and last character of the common CJK block, whose codes are worked out once.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;

/// Every phrase read as codes, with an automaton over them.
pub struct SoundTable {
    syllables: HashMap<&'static str, char>,
    /// The code of every character of the CJK block, looked up by offset.
    cjk: Vec<char>,
    trie: CharTrie,
    /// For each phrase: its characters, and whether it may match by sound.
    phrases: Vec<(Vec<char>, bool)>,
}

fn syllable(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

impl SoundTable {
    /// Reads every pattern as codes; those `by_sound` of two or more Chinese characters, each with
    /// a reading, may also match by sound.
    pub fn build(patterns: &[String], by_sound: &[bool]) -> SoundTable {
        let mut syllables: HashMap<&'static str, char> = HashMap::new();
        let mut phrases = Vec::with_capacity(patterns.len());
        for (id, p) in patterns.iter().enumerate() {
            let chars: Vec<char> = p.chars().collect();
            let sounds: Option<Vec<&'static str>> = chars.iter().map(|&c| syllable(c)).collect();
            let sounded = by_sound.get(id).copied().unwrap_or(false) && chars.len() >= 2;
            let sounded = match sounds {
                Some(sounds) if sounded => {
                    for s in sounds {
                        let next = FIRST + u32::try_from(syllables.len()).unwrap_or(0);
                        syllables
                            .entry(s)
                            .or_insert_with(|| char::from_u32(next).unwrap_or(NO_SOUND));
                    }
                    true
                }
                _ => false,
            };
            phrases.push((chars, sounded));
        }
        let mut table = SoundTable {
            syllables,
            cjk: Vec::new(),
            trie: CharTrie::default(),
            phrases,
        };
        table.cjk = (CJK_FIRST..=CJK_LAST)
            .map(|u| char::from_u32(u).map_or(NO_SOUND, |c| table.code_of(c)))
            .collect();
        let codes: Vec<Vec<char>> = table
            .phrases
            .iter()
            .map(|(chars, _)| chars.iter().map(|&c| table.code(c)).collect())
            .collect();
        table.trie = CharTrie::new(codes.iter().map(|c| c.iter().copied()));
        table
    }

    /// The code of one character, worked out.
    fn code_of(&self, c: char) -> char {
        if (c as u32) < BELOW_READINGS {
            return c;
        }
        if PRIVATE.contains(&(c as u32)) {
            return NO_SOUND;
        }
        syllable(c)
            .and_then(|s| self.syllables.get(s).copied())
            .unwrap_or(c)
    }

    /// The code of one character.
    #[inline]
    fn code(&self, c: char) -> char {
        let u = c as u32;
        if (CJK_FIRST..=CJK_LAST).contains(&u)
            && let Some(&code) = self.cjk.get((u - CJK_FIRST) as usize)
        {
            return code;
        }
        self.code_of(c)
    }
}

/// Characters too common to anchor a same-sound match on their own (傻了 is not 杀了).
const LIGHT: &str = "了着过的得地人我你他她它一个是在有不也都就把被给上下来去说要";

/// Most characters of a phrase that may differ from the text in a same-sound match.
fn allowed_differences(len: usize) -> usize {
    if len <= 4 { 1 } else { 2 }
}

/// Whether `text`, which reads as `phrase`, may stand for it: some but few characters differ,
/// one that stays is not a common one, and none that differs is.
fn sounds_like(text: &[char], phrase: &[char]) -> bool {
    let mut differ = 0;
    let mut anchors = 0;
    for (a, b) in text.iter().zip(phrase) {
        if a != b {
            if LIGHT.contains(*a) {
                return false;
            }
            differ += 1;
        } else if !LIGHT.contains(*a) {
            anchors += 1;
        }
    }
    differ > 0 && differ <= allowed_differences(phrase.len()) && anchors > 0
}

/// Every phrase in `chars`: `exact(pattern id, start, end)` for those spelt as they are, by start
/// then end, and `(pattern id, start, end)` in the result for same-sound matches that are not
/// exact; offsets in characters.
pub fn find_all(
    table: &SoundTable,
    chars: &[char],
    mut exact: impl FnMut(usize, usize, usize),
) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    if table.trie.is_empty() {
        return out;
    }
    let code: Vec<char> = chars.iter().map(|&c| table.code(c)).collect();
    table.trie.for_each_match(&code, |id, start, end| {
        let (phrase, sounded) = &table.phrases[id];
        let text = &chars[start..end];
        if text == phrase.as_slice() {
            exact(id, start, end);
        } else if *sounded && sounds_like(text, phrase) {
            out.push((id, start, end));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(words: &[&str]) -> SoundTable {
        let patterns: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let used = vec![true; patterns.len()];
        SoundTable::build(&patterns, &used)
    }

    fn found(t: &SoundTable, text: &str) -> Vec<(usize, usize, usize)> {
        let chars: Vec<char> = text.chars().collect();
        find_all(t, &chars, |_, _, _| {})
    }

    #[test]
    fn one_wrong_character_of_the_same_sound_matches() {
        let t = table(&["噪音", "起火", "打架"]);
        assert_eq!(found(&t, "燥音很大"), vec![(0, 0, 2)]);
        assert_eq!(found(&t, "厨房起伙了"), vec![(1, 2, 4)]);
    }

    #[test]
    fn exact_and_all_different_do_not_count() {
        let t = table(&["噪音", "打架"]);
        assert!(found(&t, "噪音很大").is_empty());
        assert!(found(&t, "大家好").is_empty());
        assert!(found(&t, "abc").is_empty());
        let light = table(&["杀了"]);
        assert!(found(&light, "吓傻了").is_empty());
    }

    #[test]
    fn exact_matches_come_from_the_same_pass() {
        let patterns: Vec<String> = ["噪音", "火", "ab", "噪音扰民"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        let t = SoundTable::build(&patterns, &[true, true, true, false]);
        let chars: Vec<char> = "燥音扰民ab着火噪音".chars().collect();
        let mut exact = Vec::new();
        let sound = find_all(&t, &chars, |id, s, e| exact.push((id, s, e)));
        assert_eq!(exact, vec![(2, 4, 6), (1, 7, 8), (0, 8, 10)]);
        assert_eq!(
            sound,
            vec![(0, 0, 2)],
            "a phrase kept exact never matches by sound"
        );
    }
}
