//! A character trie that finds every phrase at every position of a text (overlapping matches).
//!
//! Chinese phrases are short and most characters of a text start none of them, so walking a trie
//! from each position beats a byte automaton whose tables for thousands of CJK phrases do not fit
//! in the cache. The first step, taken at every position, is a direct table lookup by character;
//! the deeper ones are hashed (node, character) steps.

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
/// Widest span of first characters given a direct table (entries of 4 bytes).
const MAX_ROOT_SPAN: u32 = 1 << 16;

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
    /// The lowest first character of a phrase.
    root_base: u32,
    /// The root's children by character from `root_base` (0: none, as the root is no child);
    /// empty when the first characters span too wide a range, and the steps are hashed then.
    root: Vec<u32>,
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
            root_base: 0,
            root: Vec::new(),
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
        let firsts: Vec<(u32, u32)> = trie
            .steps
            .iter()
            .filter(|(k, _)| *k >> 32 == u64::from(ROOT))
            .map(|(k, n)| ((*k & 0xffff_ffff) as u32, *n))
            .collect();
        let low = firsts.iter().map(|f| f.0).min().unwrap_or(0);
        let high = firsts.iter().map(|f| f.0).max().unwrap_or(0);
        if !firsts.is_empty() && high - low < MAX_ROOT_SPAN {
            trie.root_base = low;
            trie.root = vec![0; (high - low + 1) as usize];
            for (c, n) in firsts {
                trie.root[(c - low) as usize] = n;
            }
        }
        trie
    }

    /// The root's child by `c`.
    #[inline]
    fn first_step(&self, c: char) -> Option<u32> {
        if self.root.is_empty() {
            return self.steps.get(&key(ROOT, c)).copied();
        }
        let next = *self
            .root
            .get((c as u32).wrapping_sub(self.root_base) as usize)?;
        (next != ROOT).then_some(next)
    }

    /// Whether the trie holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Calls `found(phrase, start, end)` for every phrase found in `text` (character offsets),
    /// by start, then by end.
    pub fn for_each_match(&self, text: &[char], mut found: impl FnMut(usize, usize, usize)) {
        for (start, &first) in text.iter().enumerate() {
            let Some(mut node) = self.first_step(first) else {
                continue;
            };
            for &id in &self.ends[node as usize] {
                found(id, start, start + 1);
            }
            for (end, &c) in text.iter().enumerate().skip(start + 1) {
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
    fn first_characters_far_apart_are_still_found() {
        let trie = CharTrie::new(["a火", "\u{20000}b", "火"].iter().map(|p| p.chars()));
        assert!(trie.root.is_empty());
        let text: Vec<char> = "xa火\u{20000}b".chars().collect();
        let mut out = Vec::new();
        trie.for_each_match(&text, |id, s, e| out.push((id, s, e)));
        assert_eq!(out, vec![(0, 1, 3), (2, 2, 3), (1, 3, 5)]);
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
