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
    fn offsets_are_characters() {
        let seg = Segmenter::new(["打扫"]);
        let w = seg.cut("ab打扫");
        let last = w.last().map(|w| (w.start, w.end));
        assert_eq!(last, Some((2, 4)));
    }
}
