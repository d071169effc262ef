//! Word segmentation (`jieba-rs`) over a domain dictionary: the phrases of the responsibility list
//! and of the lexicon, plus the lexicon's extra words. A character that is in no word stands alone,
//! so a one-character verb (打, 关, 锁) is a word of its own only when no longer word holds it
//! (打扫, 关门). The dictionary is small, so building it takes a few milliseconds, once per
//! classifier.

use jieba_rs::Jieba;

/// Frequency given to every dictionary word.
const WORD_FREQ: usize = 1000;

/// One word of a segmented text; offsets count characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// A segmenter over a domain dictionary.
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").finish_non_exhaustive()
    }
}

impl Segmenter {
    /// A segmenter that knows `words` (gapped phrases `甲*乙` give their parts).
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Segmenter {
        let mut jieba = Jieba::empty();
        for w in words {
            for part in w.split('*').map(str::trim) {
                if part.chars().count() > 1 && !jieba.has_word(part) {
                    jieba.add_word(part, Some(WORD_FREQ), None);
                }
            }
        }
        Segmenter { jieba }
    }

    /// The words of an already normalised text, in order.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<Word<'a>> {
        self.jieba
            .cut(text, false)
            .into_iter()
            .map(|t| Word {
                text: t.word,
                start: t.start,
                end: t.end,
            })
            .collect()
    }

    /// The words [`Segmenter::cut`] gives in the clauses of `text` that hold a character for which
    /// `wanted` holds, with the clause breaks (`is_break`) as words of their own; the other
    /// clauses give no words. A break must be a character the segmenter never joins to a word
    /// (punctuation, spaces), so that a clause cut alone gives the words it gives in the whole.
    pub fn cut_clauses<'a>(
        &self,
        text: &'a str,
        is_break: impl Fn(char) -> bool,
        wanted: impl Fn(char) -> bool,
    ) -> Vec<Word<'a>> {
        self.cut_clauses_with(text, is_break, wanted, |_| false)
    }

    /// Like [`Segmenter::cut_clauses`], and a clause is also cut when the clause after it holds
    /// a character for which `wanted_before` holds (the topic of 孩子在玩，转身就不见了 is named in
    /// the clause before the verb).
    pub fn cut_clauses_with<'a>(
        &self,
        text: &'a str,
        is_break: impl Fn(char) -> bool,
        wanted: impl Fn(char) -> bool,
        wanted_before: impl Fn(char) -> bool,
    ) -> Vec<Word<'a>> {
        // (first char, first byte, end byte, wanted, wanted before), then the break after it.
        let mut clauses: Vec<(usize, usize, usize, bool, bool)> = Vec::new();
        let (mut from_char, mut from_byte, mut keep, mut before) = (0, 0, false, false);
        for (at, (byte, c)) in text.char_indices().enumerate() {
            if is_break(c) {
                clauses.push((from_char, from_byte, byte, keep, before));
                (from_char, from_byte, keep, before) = (at + 1, byte + c.len_utf8(), false, false);
            } else {
                keep = keep || wanted(c);
                before = before || wanted_before(c);
            }
        }
        clauses.push((from_char, from_byte, text.len(), keep, before));
        let mut words = Vec::new();
        for (k, &(from_char, from_byte, to_byte, keep, _)) in clauses.iter().enumerate() {
            let next_wants = clauses.get(k + 1).is_some_and(|n| n.4);
            if keep || next_wants {
                self.cut_into(&text[from_byte..to_byte], from_char, &mut words);
            }
            if let Some(&(next_char, next_byte, ..)) = clauses.get(k + 1) {
                words.push(Word {
                    text: &text[to_byte..next_byte],
                    start: next_char - 1,
                    end: next_char,
                });
            }
        }
        words
    }

    /// Appends the words of `clause`, which starts at character `offset` of its text.
    fn cut_into<'a>(&self, clause: &'a str, offset: usize, words: &mut Vec<Word<'a>>) {
        words.extend(self.jieba.cut(clause, false).into_iter().map(|t| Word {
            text: t.word,
            start: offset + t.start,
            end: offset + t.end,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(seg: &Segmenter, text: &str) -> Vec<String> {
        seg.cut(text)
            .into_iter()
            .map(|w| w.text.to_string())
            .collect()
    }

    #[test]
    fn one_character_verbs_stand_alone_unless_a_word_holds_them() {
        let seg = Segmenter::new(["打扫", "打电话", "屋里", "老婆"]);
        assert_eq!(
            words(&seg, "他把老婆关在屋里"),
            ["他", "把", "老婆", "关", "在", "屋里"]
        );
        assert_eq!(words(&seg, "保洁在打扫"), ["保", "洁", "在", "打扫"]);
    }

    #[test]
    fn a_clause_cut_alone_gives_the_words_of_the_whole() {
        let seg = Segmenter::new(["打扫", "打电话", "屋里", "老婆", "电动车"]);
        let text = "昨天打扫卫生，他把老婆关在屋里 电动车停在楼道、打电话没人接。完了";
        let is_break = |c: char| "，、。 ".contains(c);
        let whole: Vec<Word<'_>> = seg.cut(text);
        let clauses = seg.cut_clauses(text, is_break, |_| true);
        assert_eq!(clauses, whole);
        let only = |chars: std::ops::Range<usize>| -> Vec<Word<'_>> {
            whole
                .iter()
                .filter(|w| chars.contains(&w.start) || w.text.chars().all(is_break))
                .cloned()
                .collect()
        };
        let kept = seg.cut_clauses(text, is_break, |c| c == '关');
        assert_eq!(kept, only(7..15));
        assert!(kept.iter().any(|w| w.text == "老婆" && w.start == 9));
        let with_before = seg.cut_clauses_with(text, is_break, |c| c == '关', |c| c == '关');
        assert_eq!(with_before, only(0..15));
    }

    #[test]
    fn offsets_are_characters() {
        let seg = Segmenter::new(["打扫"]);
        let w = seg.cut("ab打扫");
        let last = w.last().map(|w| (w.start, w.end));
        assert_eq!(last, Some((2, 4)));
    }
}
