//! The writers' corpus (`tests/data/triage-writers.tsv`, writers A–D, tuned on) and the held-out
//! writer (`tests/data/triage-heldout.tsv`, writer E, never tuned on): figures printed for the
//! README, a floor on police recall only, plus the typing and long-text behaviours of the rule.

use std::sync::LazyLock;

use fenliu::domain::taxonomy::{Class, DispatchMode};
use fenliu::triage::{Classifier, Metrics, evaluate};

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| match Classifier::embedded() {
    Ok(c) => c,
    Err(e) => panic!("embedded list: {e}"),
});

const WRITERS: &str = include_str!("data/triage-writers.tsv");
const HELD_OUT: &str = include_str!("data/triage-heldout.tsv");

fn metrics(tsv: &str) -> Metrics {
    match evaluate(&CLASSIFIER, tsv) {
        Ok(r) => r.metrics,
        Err(e) => panic!("eval: {e}"),
    }
}

/// The lines of one writer, with the header.
fn writer(letter: &str) -> String {
    let mut lines = WRITERS.lines();
    let mut out = format!("{}\n", lines.next().unwrap_or_default());
    for line in lines.filter(|l| l.rsplit('\t').next() == Some(letter)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Where police recall on the held-out writer stands today (0.889, below the 0.97 target): the
/// floor that guards against going backwards until the target is reached and the floor is raised
/// to 0.95.
const HELD_OUT_FLOOR: f64 = 0.88;

/// Prints only the figures of the held-out writer, never its lines; fails only when police recall
/// on it falls below the floor, so that it cannot be used to tune.
#[test]
fn held_out_writer_figures() {
    let m = metrics(HELD_OUT);
    println!("held-out writer E: {m}");
    assert!(m.n >= 250, "held-out set too small: {}", m.n);
    assert!(
        m.police_recall >= HELD_OUT_FLOOR,
        "held-out police_recall {}",
        m.police_recall
    );
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
