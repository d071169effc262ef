//! The learned second opinion: naive Bayes over character n-grams (one to three characters) of the
//! normalised description, trained from the labelled corpus.
//!
//! Two readings: whether the item is police-type (expected mode P or C) or a department's, and
//! which category it belongs to. Each n-gram counts once per description. The model explains
//! itself by the n-grams that weigh most for its reading against the runner-up.
//!
//! The embedded model is trained from the dev corpus and the writers' corpora (A–F, L–Z, AA, AB); the
//! writers that measure generalisation (G–K) are never learned from.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use crate::domain::taxonomy::DispatchMode;

use super::eval::{self, Case};
use super::matcher::normalize;

/// The corpora the embedded model learns from.
const TRAINING: [&str; 21] = [
    include_str!("../../tests/data/triage-dev.tsv"),
    include_str!("../../tests/data/triage-writers.tsv"),
    include_str!("../../tests/data/triage-heldout.tsv"),
    include_str!("../../tests/data/triage-heldout-f.tsv"),
    include_str!("../../tests/data/triage-train-l.tsv"),
    include_str!("../../tests/data/triage-train-m.tsv"),
    include_str!("../../tests/data/triage-train-n.tsv"),
    include_str!("../../tests/data/triage-train-o.tsv"),
    include_str!("../../tests/data/triage-train-p.tsv"),
    include_str!("../../tests/data/triage-train-q.tsv"),
    include_str!("../../tests/data/triage-train-r.tsv"),
    include_str!("../../tests/data/triage-train-s.tsv"),
    include_str!("../../tests/data/triage-train-t.tsv"),
    include_str!("../../tests/data/triage-train-u.tsv"),
    include_str!("../../tests/data/triage-train-v.tsv"),
    include_str!("../../tests/data/triage-train-w.tsv"),
    include_str!("../../tests/data/triage-train-x.tsv"),
    include_str!("../../tests/data/triage-train-y.tsv"),
    include_str!("../../tests/data/triage-train-z.tsv"),
    include_str!("../../tests/data/triage-train-aa.tsv"),
    include_str!("../../tests/data/triage-train-ab.tsv"),
];
/// Additive smoothing of the counts.
const ALPHA: f32 = 0.5;
/// An n-gram seen in fewer descriptions than this is left out of the model.
const MIN_DOCS: usize = 2;
/// Longest n-gram, in characters.
const MAX_N: usize = 3;
/// N-grams a reading names as its reasons.
const SHOWN_GRAMS: usize = 3;
/// Bits of one character in a packed n-gram.
const CHAR_BITS: u32 = 21;

/// A multiplicative hasher for packed n-grams.
#[derive(Default)]
struct GramHasher(u64);

impl Hasher for GramHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

type Grams<V> = HashMap<u64, V, BuildHasherDefault<GramHasher>>;

/// Characters that take part in n-grams: letters, digits (all read as 0) and CJK.
fn gram_char(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        Some('0')
    } else if c.is_ascii_alphanumeric() || ('\u{3400}'..='\u{9fff}').contains(&c) {
        Some(c)
    } else {
        None
    }
}

/// The distinct n-grams of a description, packed into integers.
pub fn grams(text: &str) -> Vec<u64> {
    grams_of(&normalize(text))
}

/// Words that say who calls or through which line, not what happened: they take part in no
/// n-gram, so that the channel of a report does not read as its matter.
const CHANNEL: &[&[char]] = &[
    &['报', '警', '人'],
    &['报', '警'],
    &['来', '电', '人'],
    &['来', '电'],
    &['工', '单'],
    &['反', '映'],
    &['诉', '求'],
];
/// The first characters of the [`CHANNEL`] words.
const CHANNEL_FIRST: &[char] = &['报', '来', '工', '反', '诉'];

/// For each character, whether it belongs to a channel word.
fn channel_marks(chars: &[char]) -> Vec<bool> {
    let mut marks = vec![false; chars.len()];
    for (i, &c) in chars.iter().enumerate() {
        if !CHANNEL_FIRST.contains(&c) {
            continue;
        }
        for word in CHANNEL {
            let n = word.len();
            if word[0] == c && chars.len() - i >= n && word[1..] == chars[i + 1..i + n] {
                marks[i..i + n].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    marks
}

/// The distinct n-grams of a text already normalised.
fn grams_of(chars: &[char]) -> Vec<u64> {
    grams_where(chars, false, |_| true)
}

/// The distinct n-grams of a text already normalised for which `keep` holds, in order. With
/// `closed` (no n-gram is kept whose prefix is not), the n-grams from a start stop at the first
/// that is not kept.
fn grams_where(chars: &[char], closed: bool, keep: impl Fn(u64) -> bool) -> Vec<u64> {
    let channel = channel_marks(chars);
    let mut out = Vec::with_capacity(chars.len() * MAX_N);
    for i in 0..chars.len() {
        let mut key = 0u64;
        for (n, &c) in chars[i..].iter().take(MAX_N).enumerate() {
            if channel[i + n] {
                break;
            }
            let Some(c) = gram_char(c) else { break };
            key |= u64::from(u32::from(c)) << (CHAR_BITS * n as u32);
            if keep(key) {
                out.push(key);
            } else if closed {
                break;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A packed n-gram without its last character, if it has more than one.
fn prefix(key: u64) -> Option<u64> {
    let last = (1..MAX_N as u32)
        .rev()
        .find(|n| key >> (CHAR_BITS * n) != 0)?;
    Some(key & ((1u64 << (CHAR_BITS * last)) - 1))
}

/// The characters of a packed n-gram.
fn unpack(mut key: u64) -> String {
    let mut s = String::new();
    while key != 0 {
        let c = (key & ((1 << CHAR_BITS) - 1)) as u32;
        s.extend(char::from_u32(c));
        key >>= CHAR_BITS;
    }
    s
}

/// Naive Bayes over labels, with sparse counts.
#[derive(Debug, Clone)]
struct Bayes {
    labels: Vec<String>,
    /// Log prior plus nothing else: the per-label constant.
    prior: Vec<f32>,
    /// log(α) − log(total n-grams of the label + α·vocabulary): what a known n-gram adds when
    /// the label never saw it.
    unseen: Vec<f32>,
    /// For each known n-gram, where its labels start in `entries` and how many there are.
    seen: Grams<(u32, u32)>,
    /// Labels that saw an n-gram, with log((count + α) / α).
    entries: Vec<(u16, f32)>,
}

/// A known n-gram with the labels that saw it and what it adds to each.
type Known<'m> = (u64, &'m [(u16, f32)]);

/// One reading of the model: the label, its probability, and the n-grams behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub label: String,
    pub probability: f32,
    /// The n-grams that weigh most for the label against the runner-up, heaviest first.
    pub grams: Vec<String>,
}

impl Bayes {
    fn train<'a>(docs: impl IntoIterator<Item = (&'a str, &'a [u64])>) -> Bayes {
        let mut labels: Vec<String> = Vec::new();
        let mut docs_of: Vec<f32> = Vec::new();
        let mut totals: Vec<f32> = Vec::new();
        let mut pairs: Vec<(u64, u16)> = Vec::new();
        for (label, grams) in docs {
            let l = match labels.iter().position(|x| x == label) {
                Some(l) => l,
                None => {
                    labels.push(label.to_string());
                    docs_of.push(0.0);
                    totals.push(0.0);
                    labels.len() - 1
                }
            };
            docs_of[l] += 1.0;
            totals[l] += grams.len() as f32;
            let l16 = u16::try_from(l).unwrap_or(u16::MAX);
            pairs.extend(grams.iter().map(|&g| (g, l16)));
        }
        pairs.sort_unstable();
        let mut spans: Vec<(u64, u32, u32)> = Vec::new();
        let mut entries: Vec<(u16, f32)> = Vec::new();
        for gram in pairs.chunk_by(|a, b| a.0 == b.0) {
            if gram.len() < MIN_DOCS {
                continue;
            }
            let at = u32::try_from(entries.len()).unwrap_or(u32::MAX);
            let mut n = 0;
            for run in gram.chunk_by(|a, b| a.1 == b.1) {
                entries.push((run[0].1, ((run.len() as f32 + ALPHA) / ALPHA).ln()));
                n += 1;
            }
            spans.push((gram[0].0, at, n));
        }
        let vocab = spans.len() as f32;
        let n_docs: f32 = docs_of.iter().sum();
        let prior = docs_of.iter().map(|d| (d / n_docs.max(1.0)).ln()).collect();
        let unseen = totals
            .iter()
            .map(|t| ALPHA.ln() - (t + ALPHA * vocab).ln())
            .collect();
        let mut seen = Grams::with_capacity_and_hasher(spans.len(), Default::default());
        seen.extend(spans.into_iter().map(|(g, at, n)| (g, (at, n))));
        Bayes {
            labels,
            prior,
            unseen,
            seen,
            entries,
        }
    }

    /// The labels that saw n-gram `g`, with what it adds to each.
    fn seen(&self, g: u64) -> Option<&[(u16, f32)]> {
        let &(at, n) = self.seen.get(&g)?;
        self.entries.get(at as usize..(at + n) as usize)
    }

    /// The n-grams of `grams` this reading has seen, with their entries.
    fn lookup(&self, grams: &[u64]) -> Vec<Known<'_>> {
        grams
            .iter()
            .filter_map(|&g| Some((g, self.seen(g)?)))
            .collect()
    }

    /// Log scores of every label for the entries of the known n-grams, in n-gram order.
    fn scores_of<'e>(&self, entries: impl Iterator<Item = &'e [(u16, f32)]>) -> Vec<f32> {
        let mut s = self.prior.clone();
        let mut known = 0usize;
        for entry in entries {
            for &(l, w) in entry {
                s[l as usize] += w;
            }
            known += 1;
        }
        let known = known as f32;
        for (x, u) in s.iter_mut().zip(&self.unseen) {
            *x += known * u;
        }
        s
    }

    /// What a known n-gram with labels `entry` (in label order) adds to label `l`.
    fn weight(&self, entry: &[(u16, f32)], l: usize) -> f32 {
        let w = entry
            .binary_search_by_key(&l, |(x, _)| *x as usize)
            .map_or(0.0, |i| entry[i].1);
        w + self.unseen[l]
    }

    /// The most probable label among those `allowed`, with its probability among them and its
    /// heaviest n-grams.
    fn read(&self, grams: &[u64], allowed: impl Fn(&str) -> bool) -> Option<Reading> {
        self.read_found(self.lookup(grams), |l| allowed(&self.labels[l]))
    }

    /// Like [`Bayes::read`] over the known n-grams already looked up, the labels allowed by
    /// index.
    fn read_found(
        &self,
        found: Vec<Known<'_>>,
        allowed: impl Fn(usize) -> bool,
    ) -> Option<Reading> {
        let scores = self.scores_of(found.iter().map(|(_, e)| *e));
        let mut best: Option<usize> = None;
        let mut runner: Option<usize> = None;
        let mut order: Vec<usize> = Vec::new();
        for l in (0..self.labels.len()).filter(|&l| allowed(l)) {
            order.push(l);
            if best.is_none_or(|b| scores[l] > scores[b]) {
                runner = best;
                best = Some(l);
            } else if runner.is_none_or(|r| scores[l] > scores[r]) {
                runner = Some(l);
            }
        }
        let best = best?;
        let top = scores[best];
        let total: f32 = order.iter().map(|&l| (scores[l] - top).exp()).sum();
        let heavier = |a: &(f32, u64), b: &(f32, u64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let mut heaviest: Vec<(f32, u64)> = Vec::with_capacity(SHOWN_GRAMS + 1);
        for &(g, entry) in &found {
            let w = self.weight(entry, best) - runner.map_or(0.0, |r| self.weight(entry, r));
            let full = heaviest.len() == SHOWN_GRAMS;
            let lighter = |last: &(f32, u64)| heavier(&(w, g), last) != std::cmp::Ordering::Less;
            if w > 0.0 && !(full && heaviest.last().is_some_and(lighter)) {
                let at =
                    heaviest.partition_point(|x| heavier(x, &(w, g)) == std::cmp::Ordering::Less);
                heaviest.insert(at, (w, g));
                heaviest.truncate(SHOWN_GRAMS);
            }
        }
        Some(Reading {
            label: self.labels[best].clone(),
            probability: 1.0 / total,
            grams: heaviest.iter().map(|(_, g)| unpack(*g)).collect(),
        })
    }
}

/// Label of the police reading.
pub const POLICE: &str = "police";
/// Label of the department reading.
pub const DEPARTMENT: &str = "department";

/// The trained model: a police reading and a category reading.
#[derive(Debug, Clone)]
pub struct Model {
    police: Bayes,
    category: Bayes,
    /// Every n-gram the category reading has seen, the police reading has seen too (true of
    /// any model trained here: the category reading learns from a subset of the same lines), so
    /// one lookup tells whether an n-gram is known.
    nested: bool,
    /// With [`Model::nested`], the prefix of every n-gram the police reading has seen is one it
    /// has seen too (true of any model trained here: a prefix is in every description its
    /// n-gram is in), so no longer n-gram from a start is known once one is not.
    prefix_closed: bool,
}

/// The n-grams of one description that the model knows, with the police reading's entries.
#[derive(Debug, Clone)]
pub struct KnownGrams<'m> {
    grams: Vec<u64>,
    police: Vec<Option<&'m [(u16, f32)]>>,
}

impl KnownGrams<'_> {
    /// The n-grams, in order.
    pub fn grams(&self) -> &[u64] {
        &self.grams
    }
}

/// What the model reads in one description.
#[derive(Debug, Clone, PartialEq)]
pub struct Opinion {
    /// Probability that the item is police-type (P or C), and the n-grams for the reading.
    pub police: Reading,
    /// The most probable category among those the caller allows.
    pub category: Option<Reading>,
}

impl Model {
    /// Trains on labelled lines; `keep` chooses the lines (by writer, for leave-one-out).
    pub(crate) fn train<'a>(cases: impl IntoIterator<Item = &'a Case<'a>>) -> Model {
        let docs: Vec<(&Case<'_>, Vec<u64>)> =
            cases.into_iter().map(|c| (c, grams(c.text))).collect();
        let police = Bayes::train(docs.iter().map(|(c, g)| {
            let label = if matches!(c.mode, DispatchMode::Police | DispatchMode::Joint) {
                POLICE
            } else {
                DEPARTMENT
            };
            (label, g.as_slice())
        }));
        let category = Bayes::train(
            docs.iter()
                .filter_map(|(c, g)| Some((c.category?, g.as_slice()))),
        );
        Model::new(police, category)
    }

    fn new(police: Bayes, category: Bayes) -> Model {
        let nested = category.seen.keys().all(|g| police.seen.contains_key(g));
        let prefix_closed = nested
            && police
                .seen
                .keys()
                .all(|&g| prefix(g).is_none_or(|p| police.seen.contains_key(&p)));
        Model {
            police,
            category,
            nested,
            prefix_closed,
        }
    }

    /// Trains on labelled corpora (TSV as `triage eval` reads it), leaving out the lines of the
    /// writers in `leave_out`; a corpus that does not parse is skipped.
    pub fn from_corpora(corpora: &[&str], leave_out: &[&str]) -> Model {
        let parsed: Vec<Vec<Case<'_>>> = corpora
            .iter()
            .filter_map(|tsv| eval::parse(tsv).ok())
            .collect();
        Model::train(
            parsed
                .iter()
                .flatten()
                .filter(|c| c.writer.is_none_or(|w| !leave_out.contains(&w))),
        )
    }

    /// The embedded model, trained on first use.
    pub fn embedded() -> Arc<Model> {
        EMBEDDED.clone()
    }

    /// The model's readings of `text`; the category among those for which `allowed` holds.
    pub fn read(&self, text: &str, allowed: impl Fn(&str) -> bool) -> Option<Opinion> {
        self.read_normalized(&normalize(text), allowed)
    }

    /// Like [`Model::read`] over a text already normalised.
    pub fn read_normalized(
        &self,
        chars: &[char],
        allowed: impl Fn(&str) -> bool,
    ) -> Option<Opinion> {
        let g = grams_of(chars);
        Some(Opinion {
            police: self.police_reading(&g)?,
            category: self.category_reading(&g, allowed),
        })
    }

    /// The n-grams the model reads in a text already normalised.
    pub fn grams(chars: &[char]) -> Vec<u64> {
        grams_of(chars)
    }

    /// The n-grams of a text already normalised that either reading has seen: an n-gram neither
    /// has seen adds nothing to any score, so both readings over these are the readings over all
    /// of [`Model::grams`], and cheaper. The police reading's entries are looked up once here.
    pub fn known_grams(&self, chars: &[char]) -> KnownGrams<'_> {
        let grams = grams_where(chars, self.prefix_closed, |g| {
            self.police.seen.contains_key(&g) || !self.nested && self.category.seen.contains_key(&g)
        });
        let police = grams.iter().map(|&g| self.police.seen(g)).collect();
        KnownGrams { grams, police }
    }

    /// [`Model::police_probability`] over the known n-grams.
    pub fn police_probability_known(&self, known: &KnownGrams<'_>) -> Option<f32> {
        let scores = self
            .police
            .scores_of(known.police.iter().flatten().copied());
        self.police_share(&scores)
    }

    /// [`Model::police_reading`] over the known n-grams.
    pub fn police_reading_known(&self, known: &KnownGrams<'_>) -> Option<Reading> {
        let found = known
            .grams
            .iter()
            .zip(&known.police)
            .filter_map(|(&g, e)| Some((g, (*e)?)))
            .collect();
        self.police_label(self.police.read_found(found, |_| true)?)
    }

    /// The labels of the category reading, by index.
    pub fn category_labels(&self) -> &[String] {
        &self.category.labels
    }

    /// [`Model::category_reading`] with the categories allowed by their index in
    /// [`Model::category_labels`].
    pub fn category_reading_by(
        &self,
        grams: &[u64],
        allowed: impl Fn(usize) -> bool,
    ) -> Option<Reading> {
        self.category
            .read_found(self.category.lookup(grams), allowed)
    }

    /// The probability that the item is police-type, with the n-grams for it.
    pub fn police_reading(&self, grams: &[u64]) -> Option<Reading> {
        self.police_label(self.police.read(grams, |_| true)?)
    }

    /// The police reading's best label told as the probability of the police label.
    fn police_label(&self, police: Reading) -> Option<Reading> {
        Some(if police.label == POLICE {
            police
        } else {
            Reading {
                label: POLICE.to_string(),
                probability: 1.0 - police.probability,
                grams: Vec::new(),
            }
        })
    }

    /// The probability that the item is police-type, without the n-grams behind it (cheaper
    /// than [`Model::police_reading`]).
    pub fn police_probability(&self, grams: &[u64]) -> Option<f32> {
        let found = self.police.lookup(grams);
        let scores = self.police.scores_of(found.iter().map(|(_, e)| *e));
        self.police_share(&scores)
    }

    /// The police label's probability from the police reading's log scores.
    fn police_share(&self, scores: &[f32]) -> Option<f32> {
        let p = self.police.labels.iter().position(|l| l == POLICE)?;
        let others: f32 = scores
            .iter()
            .enumerate()
            .filter(|(l, _)| *l != p)
            .map(|(_, s)| (s - scores[p]).exp())
            .sum();
        Some(1.0 / (1.0 + others))
    }

    /// The most probable category among those for which `allowed` holds.
    pub fn category_reading(
        &self,
        grams: &[u64],
        allowed: impl Fn(&str) -> bool,
    ) -> Option<Reading> {
        self.category.read(grams, allowed)
    }
}

/// The model file built into the binary (`fenliu triage train` writes it).
const EMBEDDED_FILE: &[u8] = include_bytes!("../../assets/triage-model.bin");
/// First bytes of a model file, with its format version.
const MAGIC: &[u8; 8] = b"FLNB0001";

/// The embedded file, or a model trained from the corpora when the file does not read.
static EMBEDDED: LazyLock<Arc<Model>> = LazyLock::new(|| {
    Arc::new(
        Model::from_bytes(EMBEDDED_FILE).unwrap_or_else(|| Model::from_corpora(&TRAINING, &[])),
    )
});

/// The embedded model file.
pub fn embedded_file() -> &'static [u8] {
    EMBEDDED_FILE
}

/// Reads a model file.
struct Reader<'b> {
    bytes: &'b [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn f32(&mut self) -> Option<f32> {
        self.take().map(f32::from_le_bytes)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take().map(u16::from_le_bytes)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let (text, rest) = (self.bytes.get(..n)?, self.bytes.get(n..)?);
        self.bytes = rest;
        String::from_utf8(text.to_vec()).ok()
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend(u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

impl Bayes {
    /// Appends the model in the file format, n-grams in ascending order.
    fn write(&self, out: &mut Vec<u8>) {
        put_u32(out, self.labels.len());
        for l in &self.labels {
            put_u32(out, l.len());
            out.extend(l.as_bytes());
        }
        for x in self.prior.iter().chain(&self.unseen) {
            out.extend(x.to_le_bytes());
        }
        let mut grams: Vec<u64> = self.seen.keys().copied().collect();
        grams.sort_unstable();
        put_u32(out, grams.len());
        for g in grams {
            let entry = self.seen(g).unwrap_or_default();
            out.extend(g.to_le_bytes());
            put_u32(out, entry.len());
            for (l, w) in entry {
                out.extend(l.to_le_bytes());
                out.extend(w.to_le_bytes());
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Option<Bayes> {
        let n = r.u32()? as usize;
        let labels = (0..n).map(|_| r.string()).collect::<Option<Vec<_>>>()?;
        let prior = (0..n).map(|_| r.f32()).collect::<Option<Vec<_>>>()?;
        let unseen = (0..n).map(|_| r.f32()).collect::<Option<Vec<_>>>()?;
        let grams = r.u32()? as usize;
        let mut seen = Grams::with_capacity_and_hasher(grams, Default::default());
        let mut entries = Vec::with_capacity(grams * 2);
        for _ in 0..grams {
            let g = r.u64()?;
            let k = r.u32()?;
            let at = u32::try_from(entries.len()).ok()?;
            for _ in 0..k {
                let l = r.u16()?;
                if l as usize >= n {
                    return None;
                }
                entries.push((l, r.f32()?));
            }
            seen.insert(g, (at, k));
        }
        Some(Bayes {
            labels,
            prior,
            unseen,
            seen,
            entries,
        })
    }
}

impl Model {
    /// The model in the file format that [`Model::from_bytes`] reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        self.police.write(&mut out);
        self.category.write(&mut out);
        out
    }

    /// A model from its file; `None` when the bytes are not a whole model file.
    pub fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let mut r = Reader {
            bytes: bytes.strip_prefix(MAGIC)?,
        };
        let police = Bayes::decode(&mut r)?;
        let category = Bayes::decode(&mut r)?;
        r.bytes.is_empty().then(|| Model::new(police, category))
    }
}

/// The dev corpus, the base of every leave-one-writer-out model.
pub fn dev_corpus() -> &'static str {
    TRAINING[0]
}

/// The labelled corpora of the embedded model.
pub fn training_corpora() -> &'static [&'static str] {
    &TRAINING
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOY: &str = "id\ttext\tclass\tcategory\tmode\twriter\n\
        1\t楼上装修电钻声太吵\tnonpolice\tE1\tB\tA\n\
        2\t半夜装修噪音吵得睡不着\tnonpolice\tE1\tB\tA\n\
        3\t两人在楼下打架有人流血\tpolice\tP2\tP\tB\n\
        4\t有人打架还拿着刀\tpolice\tP2\tP\tB\n\
        5\t路灯坏了不亮\tnonpolice\tN6\tA\tC\n";

    #[test]
    fn reads_category_and_police_with_its_grams() {
        let m = Model::from_corpora(&[TOY], &[]);
        let Some(o) = m.read("隔壁装修太吵了", |_| true) else {
            panic!("no opinion")
        };
        assert_eq!(o.category.as_ref().map(|c| c.label.as_str()), Some("E1"));
        assert!(o.police.probability < 0.5);
        assert!(
            o.category
                .is_some_and(|c| c.grams.iter().any(|g| g.contains('装') || g.contains('吵')))
        );
        let Some(p) = m.read("楼道里有人打架", |_| true) else {
            panic!("no opinion")
        };
        assert!(p.police.probability > 0.5, "{p:?}");
        assert!(!p.police.grams.is_empty());
    }

    #[test]
    fn the_known_grams_read_exactly_as_all_the_grams() {
        let m = Model::from_corpora(&[TOY], &[]);
        assert!(m.nested && Model::embedded().nested);
        assert!(m.prefix_closed && Model::embedded().prefix_closed);
        for text in [
            "隔壁装修太吵了",
            "楼道里有人打架",
            "路灯坏了，没人修",
            "天气不错",
        ] {
            let chars = normalize(text);
            let (all, k) = (Model::grams(&chars), m.known_grams(&chars));
            let known = k.grams();
            assert!(known.len() < all.len(), "{text}");
            assert_eq!(m.police_probability(known), m.police_probability(&all));
            assert_eq!(m.police_probability_known(&k), m.police_probability(&all));
            assert_eq!(m.police_reading(known), m.police_reading(&all));
            assert_eq!(m.police_reading_known(&k), m.police_reading(&all));
            assert_eq!(
                m.category_reading(known, |_| true),
                m.category_reading(&all, |_| true)
            );
            assert_eq!(
                m.category_reading_by(known, |_| true),
                m.category_reading(&all, |_| true)
            );
        }
    }

    #[test]
    fn a_prefix_drops_the_last_character() {
        let key = |s: &str| grams(s).into_iter().max().unwrap_or(0);
        assert_eq!(prefix(key("打人了")), Some(key("打人")));
        assert_eq!(prefix(key("打人")), Some(key("打")));
        assert_eq!(prefix(key("打")), None);
    }

    #[test]
    fn every_channel_word_starts_with_a_listed_first_character() {
        assert!(CHANNEL.iter().all(|w| CHANNEL_FIRST.contains(&w[0])));
    }

    #[test]
    fn leaving_a_writer_out_drops_its_labels() {
        let m = Model::from_corpora(&[TOY], &["C"]);
        let o = m.read("路灯坏了", |_| true);
        assert_ne!(
            o.and_then(|o| o.category).map(|c| c.label),
            Some("N6".to_string())
        );
    }

    #[test]
    fn grams_pack_one_to_three_characters_and_skip_punctuation() {
        let g: Vec<String> = grams("打人，A1").into_iter().map(unpack).collect();
        for want in ["打", "打人", "人", "a", "a0", "0"] {
            assert!(g.iter().any(|x| x == want), "{want} in {g:?}");
        }
        assert!(g.iter().all(|x| !x.contains('，')));
        let c: Vec<String> = grams("报警人称有人打架").into_iter().map(unpack).collect();
        assert!(c.iter().all(|x| !x.contains('警')), "{c:?}");
        assert!(c.iter().any(|x| x == "打架"));
    }

    #[test]
    fn a_model_file_reads_back_the_same_model() {
        let m = Model::from_corpora(&[TOY], &[]);
        let bytes = m.to_bytes();
        let Some(back) = Model::from_bytes(&bytes) else {
            panic!("model file does not read back")
        };
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(
            back.read("楼上装修太吵", |_| true),
            m.read("楼上装修太吵", |_| true)
        );
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(Model::from_bytes(b"not a model").is_none());
    }

    #[test]
    fn the_embedded_file_is_the_model_of_the_corpora() {
        let fresh = Model::from_corpora(training_corpora(), &[]).to_bytes();
        assert!(
            fresh == embedded_file(),
            "assets/triage-model.bin is stale: run `fenliu triage train`"
        );
    }

    #[test]
    fn the_embedded_model_learns_from_every_writer_here() {
        let mut writers: Vec<&str> = training_corpora()
            .iter()
            .flat_map(|tsv| eval::parse(tsv).unwrap_or_default())
            .filter_map(|c| c.writer)
            .collect();
        writers.sort_unstable();
        writers.dedup();
        assert_eq!(
            writers,
            [
                "A", "AA", "AB", "B", "C", "D", "E", "F", "L", "M", "N", "O", "P", "Q", "R", "S",
                "T", "U", "V", "W", "X", "Y", "Z"
            ]
        );
    }
}
