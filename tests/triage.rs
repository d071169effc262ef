//! Integration tests of the triage module: the embedded list, the dev corpus targets, list checks,
//! red flags through the classifier, and robustness.

use std::path::PathBuf;
use std::sync::LazyLock;

use fenliu::domain::taxonomy::{Class, DispatchMode, Priority};
use fenliu::triage::{Classifier, check, evaluate};
use proptest::prelude::*;

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| match Classifier::embedded() {
    Ok(c) => c,
    Err(e) => panic!("embedded list: {e}"),
});

fn classifier() -> &'static Classifier {
    &CLASSIFIER
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
    let report = match evaluate(classifier(), &corpus()) {
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
    let report = match evaluate(classifier(), tsv) {
        Ok(r) => r,
        Err(e) => panic!("eval: {e}"),
    };
    println!("{report}");
    let m = report.metrics;
    assert!(
        (m.police_recall - 1.0).abs() < 1e-9,
        "police_recall {}",
        m.police_recall
    );
    assert!(m.diversion >= 0.85, "diversion {}", m.diversion);
    assert!(
        m.category_accuracy >= 0.80,
        "category_accuracy {}",
        m.category_accuracy
    );
    assert!(m.mode_accuracy >= 0.80, "mode_accuracy {}", m.mode_accuracy);
}

const HEAD: &str = "version = \"t1\"\neffective_date = \"2024-06-01\"\n";

fn entry(code: &str, class: &str, mode: &str, limit: &str, keywords: &str) -> String {
    format!(
        "[[category]]\ncode = \"{code}\"\nname = \"测试 › {code}\"\nclass = \"{class}\"\ndepartments = [\"居委会\"]\nmode = \"{mode}\"\npriority = \"normal\"\nlimit = \"{limit}\"\nkeywords = [{keywords}]\n"
    )
}

/// A complete, valid list: one entry per taxonomy code, each with its own keyword.
fn full_list() -> String {
    let mut text = HEAD.to_string();
    for code in fenliu::triage::list::taxonomy_codes() {
        let (class, mode) = if code.starts_with('P') {
            ("police", "P")
        } else {
            ("nonpolice", "B")
        };
        text.push_str(&entry(&code, class, mode, "8h", &format!("\"词{code}\"")));
    }
    text
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

fn problem_at(text: &str, line: usize, needle: &str) -> bool {
    check(text)
        .iter()
        .any(|p| p.line == line && p.message.contains(needle))
}

#[test]
fn check_accepts_a_complete_list() {
    assert!(check(&full_list()).is_empty(), "{:#?}", check(&full_list()));
    assert!(Classifier::from_toml(&full_list()).is_ok());
}

#[test]
fn check_reports_unknown_code_on_its_line() {
    let text = full_list() + &entry("Z9", "nonpolice", "B", "8h", "\"甲乙\"");
    let line = line_of(&text, "code = \"Z9\"");
    assert!(
        problem_at(&text, line, "unknown code `Z9`"),
        "{:#?}",
        check(&text)
    );
}

#[test]
fn check_reports_missing_code() {
    let text = full_list().replace("code = \"E4\"", "code = \"E4x\"");
    let problems = check(&text);
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("`E4` is missing")),
        "{problems:#?}"
    );
}

#[test]
fn check_reports_empty_keywords_on_their_line() {
    let text = full_list().replace("keywords = [\"词H2\"]", "keywords = []");
    let line = line_of(&text, "keywords = []");
    assert!(
        problem_at(&text, line, "empty keyword set"),
        "{:#?}",
        check(&text)
    );
}

#[test]
fn check_reports_keyword_shared_by_two_categories() {
    let text = full_list().replace("keywords = [\"词E2\"]", "keywords = [\"词E2\", \"词E1\"]");
    let line = line_of(&text, "\"词E2\", \"词E1\"");
    assert!(
        problem_at(&text, line, "also belongs to E1"),
        "{:#?}",
        check(&text)
    );
}

#[test]
fn check_reports_bad_duration_on_its_line() {
    let text = full_list().replacen("limit = \"8h\"", "limit = \"eight hours\"", 1);
    let line = line_of(&text, "eight hours");
    assert!(problem_at(&text, line, "bad limit"), "{:#?}", check(&text));
}

#[test]
fn check_reports_class_mode_mismatch() {
    let police = full_list().replacen("mode = \"P\"", "mode = \"B\"", 1);
    let line = line_of(&police, "mode = \"B\"");
    assert!(
        problem_at(&police, line, "does not fit class police"),
        "{:#?}",
        check(&police)
    );

    let uncertain = full_list().replace(
        "class = \"nonpolice\"\ndepartments = [\"居委会\"]\nmode = \"B\"",
        "class = \"uncertain\"\ndepartments = [\"居委会\"]\nmode = \"A\"",
    );
    assert!(
        check(&uncertain)
            .iter()
            .any(|p| p.message.contains("does not fit class uncertain"))
    );

    let nonpolice = full_list().replacen(
        "class = \"nonpolice\"\ndepartments = [\"居委会\"]\nmode = \"B\"",
        "class = \"nonpolice\"\ndepartments = [\"居委会\"]\nmode = \"P\"",
        1,
    );
    assert!(
        check(&nonpolice)
            .iter()
            .any(|p| p.message.contains("does not fit class nonpolice"))
    );
}

#[test]
fn check_reports_unknown_field_with_line() {
    let text = full_list().replacen("priority = \"normal\"", "priorty = \"normal\"", 1);
    let line = line_of(&text, "priorty");
    let problems = check(&text);
    assert!(problems.iter().any(|p| p.line == line), "{problems:#?}");
}

fn decide(text: &str) -> fenliu::domain::taxonomy::TriageDecision {
    classifier().classify(text)
}

#[test]
fn violence_keeps_police_and_negation_diverts() {
    let hit = decide("两个邻居在楼道里吵着吵着打起来了，有人头上流血");
    assert_ne!(hit.mode, DispatchMode::ToHotline);
    assert_ne!(hit.mode, DispatchMode::Immediate);
    let calm = decide("楼上楼下两个邻居为晾衣服滴水吵架，双方没有动手，想请人调解");
    assert_eq!(calm.class, Class::NonPolice);
    assert!(calm.evidence.iter().any(|e| e.effect == "negated"));
}

#[test]
fn near_misses_do_not_fire() {
    for text in [
        "楼上装修天天打扰我们休息，打电话给物业也没用，太吵了",
        "来电人很着急，说整栋楼没电了",
        "楼下火锅店排烟管油烟熏到家里",
    ] {
        let d = decide(text);
        assert!(
            d.evidence.iter().all(|e| !e.rule.starts_with("redflag:")),
            "{text}: {:?}",
            d.evidence
        );
        assert_eq!(d.class, Class::NonPolice, "{text}");
    }
}

#[test]
fn department_matter_with_red_flag_is_uncertain_joint() {
    for text in [
        "工地拖欠工资，二十多个工人把项目部大门堵了",
        "小区里的狗把孩子咬伤了，主人不肯赔",
        "邻居因为占楼道吵架，对方推了我一把，快要动手了",
    ] {
        let d = decide(text);
        assert_eq!(
            (d.class, d.mode),
            (Class::Uncertain, DispatchMode::Joint),
            "{text}"
        );
        assert!(d.category.is_some(), "{text}");
        assert_eq!(d.priority, Priority::Urgent, "{text}");
    }
}

#[test]
fn extreme_and_danger_alone_are_police() {
    for text in [
        "他在微信上说不想活了，现在联系不上",
        "河边有人落水了，在水里扑腾",
        "有人说要拿汽油把店烧了",
    ] {
        let d = decide(text);
        assert_eq!(
            (d.class, d.mode),
            (Class::Police, DispatchMode::Police),
            "{text}"
        );
    }
}

#[test]
fn nothing_confident_is_uncertain_police_first() {
    let d = decide("今天天气不错");
    assert_eq!(
        (d.class, d.mode, d.category),
        (Class::Uncertain, DispatchMode::Joint, None)
    );
    assert!(d.departments.iter().any(|x| x == "派出所"));
}

#[test]
fn conditional_modes_apply() {
    let road = decide("机动车道上的井盖翘起来了");
    let yard = decide("小区花园里的井盖缺失了");
    assert_eq!(
        (road.category.as_deref(), road.mode),
        (Some("X4"), DispatchMode::Joint)
    );
    assert_eq!(
        (yard.category.as_deref(), yard.mode),
        (Some("X4"), DispatchMode::Immediate)
    );
    let old = decide("邻居前几年在院子里加盖了一间彩钢板房");
    let now = decide("邻居正在楼顶搭钢架加盖一层");
    assert_eq!(
        (old.category.as_deref(), old.mode),
        (Some("H1"), DispatchMode::ToHotline)
    );
    assert_eq!(
        (now.category.as_deref(), now.mode),
        (Some("H1"), DispatchMode::Immediate)
    );
}

#[test]
fn evidence_offsets_are_characters() {
    let text = "１２３号楼上太吵了";
    let d = decide(text);
    let chars: Vec<char> = text.chars().collect();
    for e in &d.evidence {
        let len = e.phrase.chars().filter(|c| *c != '*').count();
        assert!(e.at + len <= chars.len() || e.phrase.contains('*'), "{e:?}");
    }
    let e = d.evidence.iter().find(|e| e.phrase == "楼上太吵");
    assert_eq!(e.map(|e| e.at), Some(4));
    assert!(!d.summary.is_empty() && !d.summary.contains('\n'));
    assert_eq!(d.list_version, "2024.06-default");
    assert!(d.completion_limit_secs.is_some_and(|s| s > 0));
}

proptest! {
    #[test]
    fn classify_never_panics(text in any::<String>()) {
        let d = classifier().classify(&text);
        prop_assert!((0.0..=1.0).contains(&d.confidence));
        prop_assert!(d.class != Class::Police || d.mode == DispatchMode::Police);
        prop_assert!(d.class != Class::Uncertain || d.mode == DispatchMode::Joint);
    }

    #[test]
    fn classify_never_panics_on_chinese(text in "[\\u4e00-\\u9fa5，。！？ 0-9a-zＡ-Ｚ]{0,80}") {
        let d = classifier().classify(&text);
        let n = text.chars().count();
        prop_assert!(d.evidence.iter().all(|e| e.at <= n));
    }
}
