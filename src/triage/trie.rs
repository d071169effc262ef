//! A character trie that finds every phrase at every position of a text (overlapping matches).
//!
//! Chinese phrases are short and most characters of a text start none of them, so walking a trie
//! from each position beats a byte automaton whose tables for thousands of CJK phrases do not fit
//! in the cache. The first step, taken at every position, is a direct table lookup by character;
//! a deeper node keeps its few children in one sorted run of a shared edge table.

use std::collections::BTreeMap;

const ROOT: u32 = 0;
/// Widest span of first characters given a direct table (entries of 4 bytes).
const MAX_ROOT_SPAN: u32 = 1 << 16;
/// Children up to this many are scanned; more are searched by halves.
const SCAN_MAX: usize = 8;

/// Phrases (as characters) in a trie; each phrase is known by its index in the build order, and
/// phrases spelt alike are all found.
#[derive(Debug, Default)]
pub struct CharTrie {
    /// For each node, where its children start in `edges` and how many there are.
    children: Vec<(u32, u32)>,
    /// Every node's children as (character, node), each node's run sorted by character.
    edges: Vec<(char, u32)>,
    /// For each node, where the phrases that end there start in `ends` and how many there are.
    ending: Vec<(u32, u32)>,
    /// The phrases ending at each node, node by node, in build order.
    ends: Vec<usize>,
    /// The lowest first character of a phrase.
    root_base: u32,
    /// The root's children by character from `root_base` (0: none, as the root is no child);
    /// empty when the first characters span too wide a range, and the root's edges are searched
    /// then.
    root: Vec<u32>,
}

fn span(start: usize, len: usize) -> (u32, u32) {
    (
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(len).unwrap_or(0),
    )
}

impl CharTrie {
    /// A trie over `phrases`; an empty phrase is never found.
    pub fn new<I, P>(phrases: I) -> CharTrie
    where
        I: IntoIterator<Item = P>,
        P: IntoIterator<Item = char>,
    {
        let mut steps: Vec<BTreeMap<char, u32>> = vec![BTreeMap::new()];
        let mut ends: Vec<Vec<usize>> = vec![Vec::new()];
        for (id, phrase) in phrases.into_iter().enumerate() {
            let mut node = ROOT;
            let mut any = false;
            for c in phrase {
                any = true;
                let next = u32::try_from(steps.len()).unwrap_or(u32::MAX);
                node = match steps[node as usize].get(&c) {
                    Some(&n) => n,
                    None => {
                        steps[node as usize].insert(c, next);
                        steps.push(BTreeMap::new());
                        ends.push(Vec::new());
                        next
                    }
                };
            }
            if any {
                ends[node as usize].push(id);
            }
        }
        let mut trie = CharTrie::default();
        for (kids, done) in steps.iter().zip(&ends) {
            trie.children.push(span(trie.edges.len(), kids.len()));
            trie.edges.extend(kids.iter().map(|(&c, &n)| (c, n)));
            trie.ending.push(span(trie.ends.len(), done.len()));
            trie.ends.extend(done);
        }
        let firsts = &steps[ROOT as usize];
        if let (Some((&low, _)), Some((&high, _))) =
            (firsts.first_key_value(), firsts.last_key_value())
            && u32::from(high) - u32::from(low) < MAX_ROOT_SPAN
        {
            let low = u32::from(low);
            trie.root_base = low;
            trie.root = vec![0; (u32::from(high) - low + 1) as usize];
            for (&c, &n) in firsts {
                trie.root[(u32::from(c) - low) as usize] = n;
            }
        }
        trie
    }

    /// The child of `node` by `c`.
    #[inline]
    fn step(&self, node: u32, c: char) -> Option<u32> {
        let &(at, n) = self.children.get(node as usize)?;
        let kids = self.edges.get(at as usize..(at + n) as usize)?;
        if kids.len() <= SCAN_MAX {
            kids.iter().find(|e| e.0 == c).map(|e| e.1)
        } else {
            kids.binary_search_by_key(&c, |e| e.0)
                .ok()
                .map(|i| kids[i].1)
        }
    }

    /// The root's child by `c`.
    #[inline]
    fn first_step(&self, c: char) -> Option<u32> {
        if self.root.is_empty() {
            return self.step(ROOT, c);
        }
        let next = *self
            .root
            .get((c as u32).wrapping_sub(self.root_base) as usize)?;
        (next != ROOT).then_some(next)
    }

    /// The phrases that end at `node`.
    #[inline]
    fn ends_at(&self, node: u32) -> &[usize] {
        self.ending
            .get(node as usize)
            .and_then(|&(at, n)| self.ends.get(at as usize..(at + n) as usize))
            .unwrap_or(&[])
    }

    /// Whether the trie holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Calls `found(phrase, start, end)` for every phrase found in `text` (character offsets),
    /// by start, then by end.
    pub fn for_each_match(&self, text: &[char], mut found: impl FnMut(usize, usize, usize)) {
        for (start, &first) in text.iter().enumerate() {
            let Some(mut node) = self.first_step(first) else {
                continue;
            };
            for &id in self.ends_at(node) {
                found(id, start, start + 1);
            }
            for (end, &c) in text.iter().enumerate().skip(start + 1) {
                let Some(next) = self.step(node, c) else {
                    break;
                };
                node = next;
                for &id in self.ends_at(node) {
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
    fn a_node_with_many_children_finds_each() {
        let words: Vec<String> = "甲乙丙丁戊己庚辛壬癸子丑"
            .chars()
            .map(|c| format!("打{c}"))
            .collect();
        let trie = CharTrie::new(words.iter().map(|w| w.chars()));
        for (id, w) in words.iter().enumerate() {
            let text: Vec<char> = format!("有人{w}了").chars().collect();
            let mut out = Vec::new();
            trie.for_each_match(&text, |i, s, e| out.push((i, s, e)));
            assert_eq!(out, vec![(id, 2, 4)], "{w}");
        }
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
