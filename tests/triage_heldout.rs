//! Writers G, H, I, J, K, AC and AD, written apart from every other writer and never read or
//! tuned on: the generalisation figures README quotes. Only their figures are printed, never
//! their lines, and the test fails only when police recall on any of them falls below the
//! floor, so it cannot be used to tune.

use fenliu::triage::{Classifier, evaluate};

const HELD_OUT: [(&str, &str); 7] = [
    ("G", include_str!("data/triage-heldout-g.tsv")),
    ("H", include_str!("data/triage-heldout-h.tsv")),
    ("I", include_str!("data/triage-heldout-i.tsv")),
    ("J", include_str!("data/triage-heldout-j.tsv")),
    ("K", include_str!("data/triage-heldout-k.tsv")),
    ("AC", include_str!("data/triage-heldout-ac.tsv")),
    ("AD", include_str!("data/triage-heldout-ad.tsv")),
];

/// A floor under the held-out writers' police recall, a guard against falling back: measured at
/// 0.919 (G), 0.973 (H), 0.969 (I), 0.944 (J) and 0.963 (K) when first measured, 0.933–0.994
/// after the writers L–W were learned from, 0.953–0.988 after X–AB; AC 0.988 and AD 0.994 when
/// first measured; below the 0.97 target for G–J. Raise it as the rule
/// improves, never tune on these lines to pass it.
const FLOOR: f64 = 0.92;

#[test]
fn held_out_writers() {
    let classifier = match Classifier::embedded() {
        Ok(c) => c,
        Err(e) => panic!("embedded list: {e}"),
    };
    let figures: Vec<_> = HELD_OUT
        .iter()
        .map(|(letter, tsv)| match evaluate(&classifier, tsv) {
            Ok(r) => (*letter, r.metrics),
            Err(e) => panic!("writer {letter}: {e}"),
        })
        .collect();
    for (letter, m) in &figures {
        println!("held-out writer {letter}: {m}");
    }
    for (letter, m) in figures {
        assert!(m.n >= 250, "held-out set {letter} too small: {}", m.n);
        assert!(
            m.police_recall >= FLOOR,
            "held-out writer {letter}: police_recall {}",
            m.police_recall
        );
    }
}
