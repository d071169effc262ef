//! A character trie that finds every phrase at every position of a text (overlapping matches).
//!
//! Chinese phrases are short and most characters of a text start none of them, so walking a trie
//! from each position, one hashed (node, character) step at a time, beats a byte automaton whose
//! tables for thousands of CJK phrases do not fit in the cache.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hasher for the trie's (node, character) keys.
#[derive(Default)]
struct StepHasher(u64);

impl Hasher for StepHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Steps = HashMap<u64, u32, BuildHasherDefault<StepHasher>>;

const ROOT: u32 = 0;

fn key(node: u32, c: char) -> u64 {
    (u64::from(node) << 32) | u64::from(u32::from(c))
}

/// Phrases (as characters) in a trie; each phrase is known by its index in the build order, and
/// phrases spelt alike are all found.
#[derive(Debug, Default)]
pub struct CharTrie {
    steps: Steps,
    /// For each node, the phrases that end there.
    ends: Vec<Vec<usize>>,
}

impl CharTrie {
    /// A trie over `phrases`; an empty phrase is never found.
    pub fn new<I, P>(phrases: I) -> CharTrie
    where
        I: IntoIterator<Item = P>,
        P: IntoIterator<Item = char>,
    {
        let mut trie = CharTrie {
            steps: Steps::default(),
            ends: vec![Vec::new()],
        };
        for (id, phrase) in phrases.into_iter().enumerate() {
            let mut node = ROOT;
            let mut any = false;
            for c in phrase {
                any = true;
                let next = u32::try_from(trie.ends.len()).unwrap_or(u32::MAX);
                node = *trie.steps.entry(key(node, c)).or_insert_with(|| {
                    trie.ends.push(Vec::new());
                    next
                });
            }
            if any {
                trie.ends[node as usize].push(id);
            }
        }
        trie
    }

    /// Whether the trie holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Calls `found(phrase, start, end)` for every phrase found in `text` (character offsets),
    /// by start, then by end.
    pub fn for_each_match(&self, text: &[char], mut found: impl FnMut(usize, usize, usize)) {
        for start in 0..text.len() {
            let mut node = ROOT;
            for (end, &c) in text.iter().enumerate().skip(start) {
                let Some(&next) = self.steps.get(&key(node, c)) else {
                    break;
                };
                node = next;
                for &id in &self.ends[node as usize] {
                    found(id, start, end + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_and_nested_phrases() {
        let trie = CharTrie::new(["打人", "打", "人群", "AB"].iter().map(|p| p.chars()));
        let text: Vec<char> = "有人打人群里AB".chars().collect();
        let mut out = Vec::new();
        trie.for_each_match(&text, |id, s, e| out.push((id, s, e)));
        assert_eq!(out, vec![(1, 2, 3), (0, 2, 4), (2, 3, 5), (3, 6, 8)]);
    }

    #[test]
    fn an_empty_trie_finds_nothing() {
        let trie = CharTrie::new(Vec::<Vec<char>>::new());
        assert!(trie.is_empty());
        let mut n = 0;
        trie.for_each_match(&['a'], |_, _, _| n += 1);
        assert_eq!(n, 0);
    }
}
