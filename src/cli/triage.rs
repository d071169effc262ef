//! `fenliu triage …`, `fenliu rules check`, and the triage/repeat steps of a new incident.

use super::Ctx;
use super::args::{RulesCmd, TriageArgs, TriageCmd};
use crate::domain::TriageDecision;
use crate::triage::{self, Classifier};
use color_eyre::eyre::{Result, WrapErr, eyre};

impl Ctx {
    /// The classifier over the configured responsibility list, or the embedded one.
    pub fn classifier(&self) -> Result<Classifier> {
        match &self.config.triage.responsibilities {
            None => Ok(Classifier::embedded()?),
            Some(path) => {
                let path = match (&self.config_path, path.is_relative()) {
                    (Some(cfg), true) => cfg
                        .parent()
                        .map(|dir| dir.join(path))
                        .unwrap_or_else(|| path.clone()),
                    _ => path.clone(),
                };
                let text = std::fs::read_to_string(&path).wrap_err_with(|| {
                    format!("cannot read the responsibility list {}", path.display())
                })?;
                Classifier::from_toml(&text).wrap_err_with(|| {
                    format!(
                        "{}: run `fenliu rules check {}` for every problem",
                        path.display(),
                        path.display()
                    )
                })
            }
        }
    }
}

impl Ctx {
    /// How this station takes in reports.
    pub fn intake(&self) -> Result<crate::intake::Intake> {
        Ok(crate::intake::Intake {
            classifier: std::sync::Arc::new(self.classifier()?),
            prefix: self.identity.reference_prefix(),
            tz: self.config.timezone.0,
            repeat_window: self.config.triage.repeat_window.0,
            night: self.config.night_window(),
        })
    }
}

/// `fenliu triage TEXT` and `fenliu triage eval FILE`.
pub fn run(ctx: &Ctx, args: TriageArgs) -> Result<u8> {
    let classifier = ctx.classifier()?;
    match (args.cmd, args.text) {
        (
            Some(TriageCmd::Eval {
                file,
                json,
                by_writer: true,
                ..
            }),
            _,
        ) => {
            let tsv = std::fs::read_to_string(&file)
                .wrap_err_with(|| format!("cannot read {}", file.display()))?;
            let figures = triage::leave_one_writer_out(
                classifier.list(),
                triage::OpinionRules::default(),
                &[triage::model::dev_corpus()],
                &tsv,
            )
            .wrap_err_with(|| format!("{}: not a labelled corpus", file.display()))?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&figures)?);
            } else {
                for f in &figures {
                    outln!("writer {} (model without it): {}", f.writer, f.metrics);
                }
            }
            Ok(0)
        }
        (Some(TriageCmd::Train { files, out }), _) => {
            let texts = files
                .iter()
                .map(|f| {
                    std::fs::read_to_string(f)
                        .wrap_err_with(|| format!("cannot read {}", f.display()))
                })
                .collect::<Result<Vec<String>>>()?;
            let corpora: Vec<&str> = if texts.is_empty() {
                triage::model::training_corpora().to_vec()
            } else {
                texts.iter().map(String::as_str).collect()
            };
            let bytes = triage::model::Model::from_corpora(&corpora, &[]).to_bytes();
            std::fs::write(&out, &bytes)
                .wrap_err_with(|| format!("cannot write {}", out.display()))?;
            outln!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(0)
        }
        (
            Some(TriageCmd::Eval {
                file,
                json,
                figures_only,
                ..
            }),
            _,
        ) => {
            let tsv = std::fs::read_to_string(&file)
                .wrap_err_with(|| format!("cannot read {}", file.display()))?;
            let report = triage::evaluate(&classifier, &tsv)
                .wrap_err_with(|| format!("{}: not a labelled corpus", file.display()))?;
            if figures_only {
                outln!("{}", report.metrics);
            } else if json {
                outln!("{}", report.to_json()?);
            } else {
                out!("{report}");
            }
            Ok(0)
        }
        (None, Some(text)) => {
            let decision = classifier.classify(&text);
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&decision)?);
            } else {
                out!("{}", explain(&decision, &text));
            }
            Ok(0)
        }
        (None, None) => Err(eyre!(
            "give a description to classify (`fenliu triage \"…\"`) or `fenliu triage eval FILE`"
        )),
    }
}

/// The decision and every piece of evidence, for a person.
pub fn explain(d: &TriageDecision, text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "class:      {}\ncategory:   {} {}\nmode:       {}\npriority:   {}\ndepartments: {}\nconfidence: {:.2}\nsummary:    {}",
        d.class.code(),
        d.category.as_deref().unwrap_or("-"),
        d.category_name.as_deref().unwrap_or(""),
        d.mode.code(),
        d.priority.code(),
        d.departments.join("、"),
        d.confidence,
        d.summary
    );
    let _ = writeln!(out, "evidence:");
    for e in &d.evidence {
        let context: String = text
            .chars()
            .skip(e.at.saturating_sub(4))
            .take(e.phrase.chars().count() + 8)
            .collect();
        let _ = writeln!(
            out,
            "  {:<18} \"{}\" at {} ({})  …{}…",
            e.rule, e.phrase, e.at, e.effect, context
        );
    }
    out
}

/// `fenliu rules check [FILE]`: exit 0 when the list is sound, 1 listing every problem by line.
pub fn rules(ctx: &Ctx, cmd: RulesCmd) -> Result<u8> {
    let RulesCmd::Check { file } = cmd;
    let (name, text) = match &file {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path)
                .wrap_err_with(|| format!("cannot read {}", path.display()))?,
        ),
        None => match &ctx.config.triage.responsibilities {
            Some(path) => (
                path.display().to_string(),
                std::fs::read_to_string(path)
                    .wrap_err_with(|| format!("cannot read {}", path.display()))?,
            ),
            None => (
                "(embedded list)".to_string(),
                triage::EMBEDDED_LIST.to_string(),
            ),
        },
    };
    let problems = triage::check(&text);
    if problems.is_empty() {
        let list = triage::parse(&text)?;
        outln!(
            "ok: {name}: version {} effective {}, {} categories",
            list.version,
            list.effective_date,
            list.categories.len()
        );
        return Ok(0);
    }
    for p in &problems {
        eprintln!("{name}:{}: {}", p.line, p.message);
    }
    eprintln!("{} problem(s) in {name}", problems.len());
    Ok(1)
}
