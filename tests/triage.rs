//! Integration tests of the triage module: the embedded list, the dev corpus targets, list checks,
//! red flags through the classifier, and robustness.

use std::path::PathBuf;

use fenliu::domain::taxonomy::{Class, DispatchMode, Priority};
use fenliu::triage::{Classifier, check, evaluate};
use proptest::prelude::*;

fn classifier() -> Classifier {
    match Classifier::embedded() {
        Ok(c) => c,
        Err(e) => panic!("embedded list: {e}"),
    }
}

fn corpus() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus/triage-dev.tsv");
    let local = root.join("tests/data/triage-dev.tsv");
    let path = if shared.exists() { shared } else { local };
    match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

#[test]
fn embedded_list_passes_check() {
    let problems = check(fenliu::triage::EMBEDDED_LIST);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn dev_corpus_meets_targets() {
    let report = match evaluate(&classifier(), &corpus()) {
        Ok(r) => r,
        Err(e) => panic!("eval: {e}"),
    };
    println!("{report}");
    let m = report.metrics;
    assert!(m.n >= 100, "corpus too small: {}", m.n);
    assert!(
        (m.police_recall - 1.0).abs() < 1e-9,
        "police_recall {}",
        m.police_recall
    );
    assert!(m.diversion >= 0.90, "diversion {}", m.diversion);
    assert!(
        m.category_accuracy >= 0.85,
        "category_accuracy {}",
        m.category_accuracy
    );
    assert!(m.mode_accuracy >= 0.85, "mode_accuracy {}", m.mode_accuracy);
}

/// Descriptions written for these tests in other words than the dev corpus: a check that the list
/// generalises rather than remembering corpus lines.
#[test]
fn own_descriptions_generalise() {
    let tsv = include_str!("data/triage-own.tsv");
    let report = match evaluate(&classifier(), tsv) {
        Ok(r) => r,
        Err(e) => panic!("eval: {e}"),
    };
    println!("{report}");
    let m = report.metrics;
    assert!((m.police_recall - 1.0).abs() < 1e-9, "police_recall {}", m.police_recall);
    assert!(m.diversion >= 0.85, "diversion {}", m.diversion);
    assert!(m.category_accuracy >= 0.80, "category_accuracy {}", m.category_accuracy);
    assert!(m.mode_accuracy >= 0.80, "mode_accuracy {}", m.mode_accuracy);
}
