//! Classifier throughput: descriptions per second on one core, over the dev corpus and the
//! writers' corpus texts (short shorthand to long work orders).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fenliu::triage::Classifier;

const CORPUS: &str = include_str!("../tests/data/triage-dev.tsv");
const WRITERS: &str = include_str!("../tests/data/triage-writers.tsv");

fn texts() -> Vec<&'static str> {
    [CORPUS, WRITERS]
        .iter()
        .flat_map(|c| c.lines().skip(1))
        .filter_map(|l| l.split('\t').nth(1))
        .collect()
}

fn classify(c: &mut Criterion) {
    let Ok(classifier) = Classifier::embedded() else {
        eprintln!("the embedded list does not load");
        return;
    };
    let texts = texts();
    let mut group = c.benchmark_group("triage");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("classify_corpus", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(classifier.classify(black_box(t)));
            }
        })
    });
    group.finish();
    c.bench_function("classifier_build", |b| {
        b.iter(|| black_box(Classifier::embedded().is_ok()))
    });
}

criterion_group!(benches, classify);
criterion_main!(benches);
