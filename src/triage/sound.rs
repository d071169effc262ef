//! Same-sound matching: phrases and descriptions are read as toneless pinyin syllables (the
//! `pinyin` crate), so a phrase typed with a wrong character of the same sound still matches
//! (燥音 for 噪音, 起伙 for 起火). One character must stay right in a two-character phrase, and
//! at most one may differ in a phrase of up to four (two in a longer one), so that unrelated words
//! that merely sound alike (大家 for 打架) do not match.

use std::collections::HashMap;

use pinyin::ToPinyin;

use super::trie::CharTrie;

/// Code of a character whose sound is in no phrase (or that has none).
const NO_SOUND: char = '\u{F8FF}';
/// First code of the syllables (a private-use range).
const FIRST: u32 = 0xE000;

/// First and last character of the common CJK block, whose codes are worked out once.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;

/// The phrases read as syllables, with an automaton over them.
pub struct SoundTable {
    syllables: HashMap<&'static str, char>,
    /// The code of every character of the CJK block, looked up by offset.
    cjk: Vec<char>,
    trie: CharTrie,
    /// For each sound pattern: the phrase's pattern id and its characters.
    phrases: Vec<(usize, Vec<char>)>,
}

fn syllable(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

impl SoundTable {
    /// Reads every used pattern of two or more Chinese characters as syllables.
    pub fn build(patterns: &[String], used: &[bool]) -> SoundTable {
        let mut syllables: HashMap<&'static str, char> = HashMap::new();
        let mut encoded = Vec::new();
        let mut phrases = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            let chars: Vec<char> = p.chars().collect();
            if !used.get(id).copied().unwrap_or(false) || chars.len() < 2 {
                continue;
            }
            let Some(sounds) = chars
                .iter()
                .map(|&c| syllable(c))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            let mut code = String::new();
            for s in sounds {
                let next = FIRST + u32::try_from(syllables.len()).unwrap_or(0);
                let c = *syllables
                    .entry(s)
                    .or_insert_with(|| char::from_u32(next).unwrap_or(NO_SOUND));
                code.push(c);
            }
            encoded.push(code);
            phrases.push((id, chars));
        }
        let trie = CharTrie::new(encoded.iter().map(|e| e.chars()));
        let cjk = if syllables.is_empty() {
            Vec::new()
        } else {
            (CJK_FIRST..=CJK_LAST)
                .map(|u| {
                    char::from_u32(u)
                        .and_then(syllable)
                        .and_then(|s| syllables.get(s).copied())
                        .unwrap_or(NO_SOUND)
                })
                .collect()
        };
        SoundTable {
            syllables,
            cjk,
            trie,
            phrases,
        }
    }
}

impl SoundTable {
    /// The code of one character's sound, or [`NO_SOUND`].
    fn code(&self, c: char) -> char {
        let u = c as u32;
        if (CJK_FIRST..=CJK_LAST).contains(&u) {
            return self
                .cjk
                .get((u - CJK_FIRST) as usize)
                .copied()
                .unwrap_or(NO_SOUND);
        }
        syllable(c)
            .and_then(|s| self.syllables.get(s).copied())
            .unwrap_or(NO_SOUND)
    }
}

/// Characters too common to anchor a same-sound match on their own (傻了 is not 杀了).
const LIGHT: &str = "了着过的得地人我你他她它一个是在有不也都就把被给上下来去说要";

/// Most characters of a phrase that may differ from the text in a same-sound match.
fn allowed_differences(len: usize) -> usize {
    if len <= 4 { 1 } else { 2 }
}

/// Same-sound matches of the table's phrases in `chars` that are not exact matches:
/// `(pattern id, start, end)` in characters.
pub fn sound_match(table: &SoundTable, chars: &[char]) -> Vec<(usize, usize, usize)> {
    if table.trie.is_empty() || chars.iter().all(char::is_ascii) {
        return Vec::new();
    }
    let code: Vec<char> = chars.iter().map(|&c| table.code(c)).collect();
    let mut out = Vec::new();
    table.trie.for_each_match(&code, |pattern, start, end| {
        let (id, phrase) = &table.phrases[pattern];
        let differ = chars[start..end]
            .iter()
            .zip(phrase)
            .filter(|(a, b)| a != b)
            .count();
        let light_typo = chars[start..end]
            .iter()
            .zip(phrase)
            .any(|(a, b)| a != b && LIGHT.contains(*a));
        let anchors = chars[start..end]
            .iter()
            .zip(phrase)
            .filter(|(a, b)| a == b && !LIGHT.contains(**a))
            .count();
        if differ > 0 && differ <= allowed_differences(phrase.len()) && anchors > 0 && !light_typo {
            out.push((*id, start, end));
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
        sound_match(t, &chars)
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
}
