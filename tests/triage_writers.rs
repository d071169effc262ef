//! The writers' corpora (`tests/data/triage-writers.tsv`, writers A–D, and the once held-out
//! `triage-heldout.tsv`, writer E, and `triage-heldout-f.tsv`, writer F, all tuned on now):
//! figures printed for the README, a floor on police recall, plus the typing and long-text
//! behaviours of the rule.

use std::sync::LazyLock;

use fenliu::domain::taxonomy::{Class, DispatchMode};
use fenliu::triage::model::{self, Model};
use fenliu::triage::{Classifier, Metrics, OpinionRules, evaluate, leave_one_writer_out};

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| match Classifier::embedded() {
    Ok(c) => c,
    Err(e) => panic!("embedded list: {e}"),
});

const WRITERS: &str = include_str!("data/triage-writers.tsv");
const DEV: &str = include_str!("data/triage-dev.tsv");
/// Writer E, held out until the writers G and H took its place.
const HELD_OUT: &str = include_str!("data/triage-heldout.tsv");
/// Writer F, held out until the writers G and H took its place.
const HELD_OUT_F: &str = include_str!("data/triage-heldout-f.tsv");
/// Writers L–Z, AA and AB, written apart for training: each was measured once before its lines were read.
const TRAINING_WRITERS: [&str; 17] = [
    include_str!("data/triage-train-l.tsv"),
    include_str!("data/triage-train-m.tsv"),
    include_str!("data/triage-train-n.tsv"),
    include_str!("data/triage-train-o.tsv"),
    include_str!("data/triage-train-p.tsv"),
    include_str!("data/triage-train-q.tsv"),
    include_str!("data/triage-train-r.tsv"),
    include_str!("data/triage-train-s.tsv"),
    include_str!("data/triage-train-t.tsv"),
    include_str!("data/triage-train-u.tsv"),
    include_str!("data/triage-train-v.tsv"),
    include_str!("data/triage-train-w.tsv"),
    include_str!("data/triage-train-x.tsv"),
    include_str!("data/triage-train-y.tsv"),
    include_str!("data/triage-train-z.tsv"),
    include_str!("data/triage-train-aa.tsv"),
    include_str!("data/triage-train-ab.tsv"),
];

/// The writers tuned and trained on, in the order of their letters.
const LETTERS: [&str; 23] = [
    "A", "AA", "AB", "B", "C", "D", "E", "F", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U",
    "V", "W", "X", "Y", "Z",
];

/// Writers A–F, L–Z, AA and AB in one corpus, one header.
fn all_writers() -> String {
    let mut out = WRITERS.to_string();
    for tsv in [HELD_OUT, HELD_OUT_F].iter().chain(&TRAINING_WRITERS) {
        for line in tsv.lines().skip(1) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn metrics(tsv: &str) -> Metrics {
    match evaluate(&CLASSIFIER, tsv) {
        Ok(r) => r.metrics,
        Err(e) => panic!("eval: {e}"),
    }
}

/// The lines of one writer of writers A–D, with the header.
fn writer(letter: &str) -> String {
    writer_of(WRITERS, letter)
}

/// The lines of one writer of `tsv`, with the header.
fn writer_of(tsv: &str, letter: &str) -> String {
    let mut lines = tsv.lines();
    let mut out = format!("{}\n", lines.next().unwrap_or_default());
    for line in lines.filter(|l| l.rsplit('\t').next() == Some(letter)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The floor of the writers once held out (E, F): the test fails only if police recall on them
/// falls below 0.95 (the target is 0.97).
const HELD_OUT_FLOOR: f64 = 0.95;

/// Prints the figures of writers E and F; fails only when police recall on one falls below the
/// floor.
#[test]
fn held_out_writer_figures() {
    for (letter, tsv) in [("E", HELD_OUT), ("F", HELD_OUT_F)] {
        let m = metrics(tsv);
        println!("writer {letter}: {m}");
        assert!(m.n >= 250, "held-out set {letter} too small: {}", m.n);
        assert!(
            m.police_recall >= HELD_OUT_FLOOR,
            "held-out writer {letter}: police_recall {}",
            m.police_recall
        );
    }
}

#[test]
fn each_tuning_writer_figures() {
    for letter in ["A", "B", "C", "D"] {
        let m = metrics(&writer(letter));
        println!("writer {letter}: {m}");
        assert!(m.n >= 250, "writer {letter} has {} lines", m.n);
        assert!(m.police_recall >= 0.95, "writer {letter}: {m}");
    }
    let all = metrics(WRITERS);
    println!("writers A–D: {all}");
}

fn keeps_police(text: &str) -> bool {
    matches!(
        CLASSIFIER.classify(text).mode,
        DispatchMode::Police | DispatchMode::Joint
    )
}

#[test]
fn same_sound_typing_finds_the_category() {
    for (typed, code) in [
        ("楼上燥音太大了睡不着", "E1"),
        ("小区門口的路燈壞了好幾天", "N6"),
        ("ＸＸ路上的井盖没了", "X4"),
    ] {
        let d = CLASSIFIER.classify(typed);
        assert_eq!(d.category.as_deref(), Some(code), "{typed}: {}", d.summary);
    }
}

#[test]
fn same_sound_typing_of_danger_keeps_police() {
    assert!(keeps_police("老公又大我了"));
    assert!(keeps_police("他说活着没意思，不像活了"));
}

#[test]
fn long_text_with_the_danger_in_the_middle_stays_with_the_police() {
    let text = "来电人反映：其所住小区物业公司去年更换后服务一直很差，楼道保洁一周只做一次，\
                停车费也涨了，业主群里意见很大。今天下午业主代表去物业办公室商量，\
                物业经理叫来几个保安，把一名业主按在地上打，头上流了血，\
                其他业主现在还堵在物业办公室门口不肯走。诉求：请相关部门督促物业公开账目、改善服务。";
    assert!(text.chars().count() > 120);
    let d = CLASSIFIER.classify(text);
    assert!(
        matches!(d.class, Class::Police | Class::Uncertain),
        "{}",
        d.summary
    );
    assert!(keeps_police(text), "{}", d.summary);
}

#[test]
fn request_clause_decides_the_category_over_an_incidental_noun() {
    let d = CLASSIFIER.classify(
        "我在菜市场门口开了家小超市，旁边的快递点天天把包裹堆在人行道上，\
         诉求：请城管执法部门处理占道问题。",
    );
    assert_ne!(d.category.as_deref(), Some("N11"), "{}", d.summary);
}

#[test]
fn calm_and_past_lower_but_innocent_words_do_not_escalate() {
    let feared = CLASSIFIER.classify("怕以后着火，请来查查楼道里的电线");
    assert_ne!(feared.class, Class::Police, "{}", feared.summary);
    for text in [
        "上次楼下有人打架，这次是楼上装修太吵",
        "楼下新开的炸鸡店生意火爆，排队的人把人行道占了",
        "跟老板砍价砍了半天，最后打八折",
    ] {
        let d = CLASSIFIER.classify(text);
        assert_ne!(d.class, Class::Police, "{text}: {}", d.summary);
        assert!(
            d.evidence.iter().all(|e| !e.effect.starts_with("red flag")),
            "{text}: {:?}",
            d.evidence
        );
    }
}

/// Leave one writer out: the second opinion trained on the dev corpus and seventeen writers,
/// measured on the eighteenth, beside the rules alone on the same lines. Printed for the README;
/// police recall must stay at the floor.
#[test]
fn leave_one_writer_out_figures() {
    let all = all_writers();
    let figures = match leave_one_writer_out(
        CLASSIFIER.list(),
        OpinionRules::default(),
        &[model::dev_corpus()],
        &all,
    ) {
        Ok(f) => f,
        Err(e) => panic!("leave one writer out: {e}"),
    };
    let writers: Vec<&str> = figures.iter().map(|f| f.writer.as_str()).collect();
    assert_eq!(writers, LETTERS);
    let rules_alone = match Classifier::embedded() {
        Ok(c) => c.with_model(None),
        Err(e) => panic!("embedded list: {e}"),
    };
    for f in &figures {
        let alone = match evaluate(&rules_alone, &writer_of(&all, &f.writer)) {
            Ok(r) => r.metrics,
            Err(e) => panic!("eval: {e}"),
        };
        println!("writer {} (model without it): {}", f.writer, f.metrics);
        println!("writer {} (rules alone):      {alone}", f.writer);
        assert!(
            f.metrics.police_recall >= HELD_OUT_FLOOR,
            "writer {}: {}",
            f.writer,
            f.metrics
        );
    }
}

/// The second opinion never lowers what the rules found: whatever the rules alone keep with the
/// police (P or C) on a danger or a category stays there with the model, on every line of the
/// corpora. (Only an item on which the rules found nothing at all may be given a department.)
#[test]
fn the_second_opinion_never_lowers_a_police_reading() {
    let rules_alone = match Classifier::embedded() {
        Ok(c) => c.with_model(None),
        Err(e) => panic!("embedded list: {e}"),
    };
    let police = |m: DispatchMode| matches!(m, DispatchMode::Police | DispatchMode::Joint);
    for line in [DEV, WRITERS, HELD_OUT, HELD_OUT_F]
        .iter()
        .chain(&TRAINING_WRITERS)
        .flat_map(|c| c.lines().skip(1))
    {
        let Some(text) = line.split('\t').nth(1) else {
            continue;
        };
        let ruled = rules_alone.classify(text);
        if police(ruled.mode) && ruled.category.is_some() {
            let d = CLASSIFIER.classify(text);
            assert!(police(d.mode), "{text}: {}", d.summary);
        }
    }
}

/// A street light told without the list's words: the rules find nothing, the model picks the
/// category and names its n-grams.
#[test]
fn the_second_opinion_names_its_ngrams_when_it_decides() {
    let text = "家门口那条街的灯晚上黑着，麻烦找人修一修";
    let rules_alone = match Classifier::embedded() {
        Ok(c) => c.with_model(None).classify(text),
        Err(e) => panic!("embedded list: {e}"),
    };
    assert_eq!(rules_alone.category, None, "{}", rules_alone.summary);
    let d = CLASSIFIER.classify(text);
    assert_eq!(d.category.as_deref(), Some("N6"), "{}", d.summary);
    assert_eq!(d.class, Class::NonPolice);
    let taken = d
        .evidence
        .iter()
        .find(|e| e.rule == "model" && e.effect.contains("category taken"));
    assert!(
        taken.is_some_and(|e| e.phrase.contains('灯')),
        "{:?}",
        d.evidence
    );
    assert!(d.summary.contains("模型参考"), "{}", d.summary);
}

#[test]
fn the_embedded_model_reads_a_police_matter_as_police() {
    let m = Model::embedded();
    let Some(o) = m.read("两个人在楼下打起来了，一个满脸是血", |_| true) else {
        panic!("no reading")
    };
    assert!(o.police.probability > 0.9, "{o:?}");
    assert!(!o.police.grams.is_empty());
    let Some(quiet) = m.read("小区门口的路灯坏了好几天，晚上黑乎乎的", |_| true)
    else {
        panic!("no reading")
    };
    assert!(quiet.police.probability < 0.5, "{quiet:?}");
}

/// How the second opinion's thresholds were chosen: leave-one-writer-out figures over writers
/// A–F for a few settings, the models trained once per writer. Run by hand
/// (`cargo test --test triage_writers -- --ignored --nocapture`).
#[test]
#[ignore = "prints a table for choosing thresholds"]
fn opinion_thresholds_leave_one_writer_out() {
    let all = all_writers();
    let base = OpinionRules::default();
    let settings = [
        ("shipped", base),
        (
            "lean off",
            OpinionRules {
                lean_at: 2.0,
                ..base
            },
        ),
        (
            "lean 0.8",
            OpinionRules {
                lean_at: 0.8,
                ..base
            },
        ),
        (
            "lean 0.95",
            OpinionRules {
                lean_at: 0.95,
                ..base
            },
        ),
        (
            "raise 0.99",
            OpinionRules {
                raise_at: 0.99,
                ..base
            },
        ),
        (
            "raise 0.995",
            OpinionRules {
                raise_at: 0.995,
                ..base
            },
        ),
        (
            "fill 0.95",
            OpinionRules {
                fill_at: 0.95,
                ..base
            },
        ),
        (
            "fill 0.99",
            OpinionRules {
                fill_at: 0.99,
                ..base
            },
        ),
        (
            "fill 0.999",
            OpinionRules {
                fill_at: 0.999,
                ..base
            },
        ),
    ];
    let corpora = [model::dev_corpus(), all.as_str()];
    for letter in LETTERS {
        let trained = std::sync::Arc::new(Model::from_corpora(&corpora, &[letter]));
        let own = writer_of(&all, letter);
        for (name, rules) in settings {
            let c = match Classifier::embedded() {
                Ok(c) => c
                    .with_model(Some(trained.clone()))
                    .with_opinion_rules(rules),
                Err(e) => panic!("embedded list: {e}"),
            };
            match evaluate(&c, &own) {
                Ok(r) => println!("{letter} {name:12} {}", r.metrics),
                Err(e) => panic!("eval: {e}"),
            }
        }
    }
}

/// Conditional modes: a department matter that puts people at risk is handled jointly (C).
#[test]
fn conditional_modes_take_people_at_risk_to_joint_handling() {
    for (text, code, mode) in [
        (
            "老楼的墙裂缝越来越大，里面还住着人",
            "H8",
            DispatchMode::Joint,
        ),
        (
            "老楼的墙裂缝越来越大，已经没人住了",
            "H8",
            DispatchMode::Immediate,
        ),
        (
            "小区停电两个钟头了，楼上有个老人在家用呼吸机",
            "N5",
            DispatchMode::Joint,
        ),
        (
            "小区又停电了，冰箱里的菜都坏了",
            "N5",
            DispatchMode::Immediate,
        ),
        ("楼下的狗把快递员咬伤了", "N4", DispatchMode::Joint),
    ] {
        let d = CLASSIFIER.classify(text);
        assert_eq!(d.category.as_deref(), Some(code), "{text}: {}", d.summary);
        assert_eq!(d.mode, mode, "{text}: {}", d.summary);
    }
}
