//! Triage (分流研判): the responsibility list, a classifier that explains itself, red flags,
//! repeat-call keys and the evaluation against a labelled corpus.
//!
//! Pure and deterministic: no IO except parsing a list from a string, no clock reads.
//!
//! ```no_run
//! use fenliu::triage::Classifier;
//! # fn main() -> Result<(), fenliu::triage::ListError> {
//! let classifier = Classifier::embedded()?;
//! let decision = classifier.classify("楼上半夜装修，电钻声吵得睡不着");
//! println!("{}", decision.summary);
//! # Ok(())
//! # }
//! ```

pub mod classifier;
pub mod danger;
pub mod eval;
mod frame;
pub mod lexicon;
pub mod list;
pub mod manual;
pub mod matcher;
pub mod model;
pub mod redflag;
pub mod repeat;
pub mod segment;
mod sound;
mod summary;
mod trie;

pub use classifier::{Classifier, OpinionRules};
pub use eval::{
    EvalError, EvalFailure, EvalReport, Metrics, Miss, WriterFigures, evaluate,
    leave_one_writer_out,
};
pub use list::{
    Category, ConditionalMode, EMBEDDED_LIST, ListError, Problem, ResponsibilityList, check, parse,
};
pub use manual::{UnknownCategory, manual_decision};
pub use redflag::{Family, RedFlag, RedFlagScanner};
pub use repeat::{is_within, normalize_address, normalize_phone};
