//! `triage eval`: measure the classifier against a labelled TSV
//! (`id<TAB>text<TAB>class<TAB>category<TAB>mode`, with a header line; category `-` means none).
//! An optional sixth column `writer` says who wrote the line; it is read and ignored.

use std::fmt;

use serde::Serialize;

use crate::domain::taxonomy::{Class, DispatchMode};

use std::sync::Arc;

use super::classifier::{Classifier, OpinionRules};
use super::list::{ListError, ResponsibilityList};
use super::model::Model;

const CLASSES: [Class; 3] = [Class::Police, Class::NonPolice, Class::Uncertain];

/// Why a labelled file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EvalError {
    #[error("the file is empty (a header line is expected)")]
    Empty,
    #[error(
        "line 1: header must be id, text, class, category, mode (and optionally writer) separated by tabs"
    )]
    BadHeader,
    #[error("line {line}: expected {expected} tab-separated fields, found {found}")]
    Fields {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: unknown class `{value}`")]
    Class { line: usize, value: String },
    #[error("line {line}: unknown mode `{value}`")]
    Mode { line: usize, value: String },
    #[error("no labelled cases after the header")]
    NoCases,
}

/// One case the classifier got wrong (class, category or mode).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Miss {
    pub id: String,
    pub text: String,
    pub expected_class: Class,
    pub predicted_class: Class,
    pub expected_category: Option<String>,
    pub predicted_category: Option<String>,
    pub expected_mode: DispatchMode,
    pub predicted_mode: DispatchMode,
    pub summary: String,
}

/// The measured figures.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Metrics {
    /// Of cases expected P or C, the share predicted P or C.
    pub police_recall: f64,
    /// Of cases expected A or B, the share predicted A or B.
    pub diversion: f64,
    /// Of cases expected nonpolice, the share with the right category.
    pub category_accuracy: f64,
    /// Share of all cases with the right mode.
    pub mode_accuracy: f64,
    pub n: usize,
}

/// Result of an evaluation: metrics, confusion by class, and the misses.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvalReport {
    pub list_version: String,
    pub metrics: Metrics,
    /// `confusion[expected][predicted]`, classes in the order police, nonpolice, uncertain.
    pub confusion: [[usize; 3]; 3],
    pub misses: Vec<Miss>,
}

impl EvalReport {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

/// One labelled line.
#[derive(Clone)]
pub(crate) struct Case<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub class: Class,
    pub category: Option<&'a str>,
    pub mode: DispatchMode,
    /// Who wrote it, from the optional sixth column.
    pub writer: Option<&'a str>,
}

/// The labelled lines of a corpus.
pub(crate) fn parse(tsv: &str) -> Result<Vec<Case<'_>>, EvalError> {
    let mut lines = tsv.lines().enumerate();
    let (_, header) = lines.next().ok_or(EvalError::Empty)?;
    let header: Vec<&str> = header
        .trim_start_matches('\u{feff}')
        .split('\t')
        .map(str::trim)
        .collect();
    let columns = match header[..] {
        ["id", "text", "class", "category", "mode"] => 5,
        ["id", "text", "class", "category", "mode", "writer"] => 6,
        _ => return Err(EvalError::BadHeader),
    };
    let mut cases = Vec::new();
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let (&[id, text, class, category, mode], true) =
            (&fields[..fields.len().min(5)], fields.len() == columns)
        else {
            return Err(EvalError::Fields {
                line: line_no,
                expected: columns,
                found: fields.len(),
            });
        };
        let class = Class::parse(class).ok_or_else(|| EvalError::Class {
            line: line_no,
            value: class.to_string(),
        })?;
        let mode = DispatchMode::parse(mode).ok_or_else(|| EvalError::Mode {
            line: line_no,
            value: mode.to_string(),
        })?;
        let category = match category.trim() {
            "" | "-" => None,
            c => Some(c),
        };
        cases.push(Case {
            id: id.trim(),
            text,
            class,
            category,
            mode,
            writer: fields.get(5).map(|w| w.trim()),
        });
    }
    if cases.is_empty() {
        return Err(EvalError::NoCases);
    }
    Ok(cases)
}

fn index(class: Class) -> usize {
    match class {
        Class::Police => 0,
        Class::NonPolice => 1,
        Class::Uncertain => 2,
    }
}

fn share(hit: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { hit as f64 / of as f64 }
}

/// Classifies every case of `tsv` and measures the result.
pub fn evaluate(classifier: &Classifier, tsv: &str) -> Result<EvalReport, EvalError> {
    Ok(measure(classifier, &parse(tsv)?))
}

/// The figures of one writer measured with a model that never saw that writer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WriterFigures {
    pub writer: String,
    pub metrics: Metrics,
}

/// Leave-one-writer-out: for each writer of `tsv` (sixth column), the classifier over `list`
/// (second opinion by `rules`) with a model trained on `base` (whole) and the other writers of `tsv`, measured on that
/// writer's lines.
pub fn leave_one_writer_out(
    list: &ResponsibilityList,
    rules: OpinionRules,
    base: &[&str],
    tsv: &str,
) -> Result<Vec<WriterFigures>, EvalFailure> {
    let cases = parse(tsv)?;
    let mut writers: Vec<&str> = cases.iter().filter_map(|c| c.writer).collect();
    writers.sort_unstable();
    writers.dedup();
    let mut corpora = base.to_vec();
    corpora.push(tsv);
    let mut out = Vec::new();
    for w in writers {
        let model = Model::from_corpora(&corpora, &[w]);
        let classifier = Classifier::from_list(list.clone())?
            .with_model(Some(Arc::new(model)))
            .with_opinion_rules(rules);
        let own: Vec<Case<'_>> = cases
            .iter()
            .filter(|c| c.writer == Some(w))
            .cloned()
            .collect();
        out.push(WriterFigures {
            writer: w.to_string(),
            metrics: measure(&classifier, &own).metrics,
        });
    }
    Ok(out)
}

/// Why a leave-one-writer-out run failed.
#[derive(Debug, thiserror::Error)]
pub enum EvalFailure {
    #[error(transparent)]
    Corpus(#[from] EvalError),
    #[error(transparent)]
    List(#[from] ListError),
}

fn measure(classifier: &Classifier, cases: &[Case<'_>]) -> EvalReport {
    let keeps_police = |m: DispatchMode| matches!(m, DispatchMode::Police | DispatchMode::Joint);
    let mut confusion = [[0usize; 3]; 3];
    let mut misses = Vec::new();
    let (mut pol, mut pol_hit, mut div, mut div_hit) = (0, 0, 0, 0);
    let (mut np, mut np_hit, mut mode_hit) = (0, 0, 0);
    for case in cases {
        let d = classifier.classify(case.text);
        confusion[index(case.class)][index(d.class)] += 1;
        if keeps_police(case.mode) {
            pol += 1;
            pol_hit += usize::from(keeps_police(d.mode));
        } else {
            div += 1;
            div_hit += usize::from(!keeps_police(d.mode));
        }
        let category_right = d.category.as_deref() == case.category;
        if case.class == Class::NonPolice {
            np += 1;
            np_hit += usize::from(category_right);
        }
        mode_hit += usize::from(d.mode == case.mode);
        let category_counts = case.class == Class::NonPolice || case.class == d.class;
        if d.class != case.class || d.mode != case.mode || (category_counts && !category_right) {
            misses.push(Miss {
                id: case.id.to_string(),
                text: case.text.to_string(),
                expected_class: case.class,
                predicted_class: d.class,
                expected_category: case.category.map(str::to_string),
                predicted_category: d.category.clone(),
                expected_mode: case.mode,
                predicted_mode: d.mode,
                summary: d.summary.clone(),
            });
        }
    }
    EvalReport {
        list_version: classifier.list().version.clone(),
        metrics: Metrics {
            police_recall: share(pol_hit, pol),
            diversion: share(div_hit, div),
            category_accuracy: share(np_hit, np),
            mode_accuracy: share(mode_hit, cases.len()),
            n: cases.len(),
        },
        confusion,
        misses,
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "police_recall={:.3} diversion={:.3} category_accuracy={:.3} mode_accuracy={:.3} n={}",
            self.police_recall, self.diversion, self.category_accuracy, self.mode_accuracy, self.n
        )
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "list version {}", self.list_version)?;
        writeln!(f, "confusion by class (rows expected, columns predicted)")?;
        writeln!(
            f,
            "{:<12}{:>10}{:>10}{:>10}",
            "", "police", "nonpolice", "uncertain"
        )?;
        for (row, class) in CLASSES.iter().enumerate() {
            let r = self.confusion[row];
            writeln!(
                f,
                "{:<12}{:>10}{:>10}{:>10}",
                class.code(),
                r[0],
                r[1],
                r[2]
            )?;
        }
        writeln!(f, "misclassified: {}", self.misses.len())?;
        for m in &self.misses {
            writeln!(
                f,
                "{}  expected {}/{}/{}  got {}/{}/{}  {}",
                m.id,
                m.expected_class.code(),
                m.expected_category.as_deref().unwrap_or("-"),
                m.expected_mode.code(),
                m.predicted_class.code(),
                m.predicted_category.as_deref().unwrap_or("-"),
                m.predicted_mode.code(),
                m.text
            )?;
            writeln!(f, "      {}", m.summary)?;
        }
        write!(f, "{}", self.metrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_errors() {
        let Ok(c) = Classifier::embedded() else {
            panic!("embedded list")
        };
        assert_eq!(evaluate(&c, "").err(), Some(EvalError::Empty));
        assert_eq!(evaluate(&c, "a\tb\n").err(), Some(EvalError::BadHeader));
        let head = "id\ttext\tclass\tcategory\tmode\n";
        assert_eq!(evaluate(&c, head).err(), Some(EvalError::NoCases));
        let short = format!("{head}x\t楼上太吵\tnonpolice\n");
        assert_eq!(
            evaluate(&c, &short).err(),
            Some(EvalError::Fields {
                line: 2,
                expected: 5,
                found: 3
            })
        );
        let six = "id\ttext\tclass\tcategory\tmode\twriter\n";
        let missing_writer = format!("{six}x\t楼上太吵\tnonpolice\tE1\tB\n");
        assert_eq!(
            evaluate(&c, &missing_writer).err(),
            Some(EvalError::Fields {
                line: 2,
                expected: 6,
                found: 5
            })
        );
        let class = format!("{head}x\t楼上太吵\tcivil\tE1\tB\n");
        assert!(matches!(
            evaluate(&c, &class),
            Err(EvalError::Class { line: 2, .. })
        ));
        let mode = format!("{head}x\t楼上太吵\tnonpolice\tE1\tZ\n");
        assert!(matches!(
            evaluate(&c, &mode),
            Err(EvalError::Mode { line: 2, .. })
        ));
    }

    #[test]
    fn writer_column_is_accepted_and_ignored() {
        let Ok(c) = Classifier::embedded() else {
            panic!("embedded list")
        };
        let five = "id\ttext\tclass\tcategory\tmode\na\t刚才在地铁上手机被偷了\tpolice\tP1\tP\n";
        let six = "id\ttext\tclass\tcategory\tmode\twriter\na\t刚才在地铁上手机被偷了\tpolice\tP1\tP\tA\n";
        let (Ok(a), Ok(b)) = (evaluate(&c, five), evaluate(&c, six)) else {
            panic!("eval")
        };
        assert_eq!(a.metrics, b.metrics);
    }

    #[test]
    fn last_line_has_the_fixed_form() {
        let Ok(c) = Classifier::embedded() else {
            panic!("embedded list")
        };
        let tsv = "id\ttext\tclass\tcategory\tmode\na\t刚才在地铁上手机被偷了\tpolice\tP1\tP\n";
        let Ok(report) = evaluate(&c, tsv) else {
            panic!("eval")
        };
        let text = report.to_string();
        let last = text.lines().last().unwrap_or_default();
        let m = report.metrics;
        let want = format!(
            "police_recall={:.3} diversion={:.3} category_accuracy={:.3} mode_accuracy={:.3} n=1",
            m.police_recall, m.diversion, m.category_accuracy, m.mode_accuracy
        );
        assert_eq!(last, want);
        assert!(
            report
                .to_json()
                .is_ok_and(|j| j.contains("\"police_recall\""))
        );
    }
}
