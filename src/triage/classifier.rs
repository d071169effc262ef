//! The classifier: one pass of the phrase matcher over a description, then a small set of rules
//! that a duty officer can follow from the evidence.
//!
//! 1. Each category scores the weights of its phrases found (negated and hedged ones do not count;
//!    a phrase inside a longer phrase of another category gives way to it; a negative phrase rules
//!    the category out). Red flags add one point per phrase to the police category of their family.
//! 2. Police wins when its best score is at least twice the best department score.
//! 3. A department matter with a red flag or a police reading next to it is `uncertain`, mode C.
//! 4. A department matter alone is `nonpolice`, with the category's mode or a conditional mode.
//! 5. Red flags alone are `police` (escalation alone is `uncertain`); nothing at all is `uncertain`.

use std::collections::HashMap;

use crate::domain::taxonomy::{Class, DispatchMode, Evidence, Priority, TriageDecision};

use super::list::{self, Category, ListError, ResponsibilityList, STRONG_WEIGHT};
use super::matcher::{Hit, Matcher, MatcherBuilder};
use super::redflag::{FAMILIES, Family, VULNERABLE};
use super::summary;

/// Departments that take the first step when the police act first.
const POLICE_FIRST: &str = "派出所";
/// A category needs at least this score to be taken.
const MIN_SCORE: f32 = 1.0;
/// Police wins over a department matter when its score is at least this multiple.
const POLICE_DOMINANCE: f32 = 2.0;
/// Points a red-flag phrase adds to its family's police category.
const FLAG_WEIGHT: f32 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Keyword { cat: usize, weight: f32 },
    Negative { cat: usize },
    When { cat: usize, cond: usize },
    Flag(Family),
    Vulnerable,
}

/// Classifies descriptions against a responsibility list. Build once, share freely.
pub struct Classifier {
    list: ResponsibilityList,
    matcher: Matcher<Tag>,
    by_code: HashMap<String, usize>,
}

struct Scored {
    score: f32,
    ruled_out: bool,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("list_version", &self.list.version)
            .field("categories", &self.list.categories.len())
            .finish()
    }
}

impl Classifier {
    /// The classifier over the embedded default list.
    pub fn embedded() -> Result<Self, ListError> {
        Self::from_toml(list::EMBEDDED_LIST)
    }

    /// The classifier over a list given as TOML text; the list must pass [`list::check`].
    pub fn from_toml(text: &str) -> Result<Self, ListError> {
        Self::from_list(list::parse(text)?)
    }

    /// The classifier over an already validated list.
    pub fn from_list(list: ResponsibilityList) -> Result<Self, ListError> {
        let mut builder = MatcherBuilder::new();
        for (cat, c) in list.categories.iter().enumerate() {
            for k in &c.keywords {
                builder.add(k, Tag::Keyword { cat, weight: 1.0 });
            }
            for k in &c.strong {
                builder.add(
                    k,
                    Tag::Keyword {
                        cat,
                        weight: STRONG_WEIGHT,
                    },
                );
            }
            for k in &c.negative {
                builder.add(k, Tag::Negative { cat });
            }
            for (cond, m) in c.conditional.iter().enumerate() {
                for k in &m.when {
                    builder.add(k, Tag::When { cat, cond });
                }
            }
        }
        for family in FAMILIES {
            for phrase in family.phrases() {
                builder.add(phrase, Tag::Flag(family));
            }
        }
        for word in VULNERABLE {
            builder.add(word, Tag::Vulnerable);
        }
        let by_code = list
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Ok(Classifier {
            matcher: builder.build()?,
            list,
            by_code,
        })
    }

    /// The list in use.
    pub fn list(&self) -> &ResponsibilityList {
        &self.list
    }

    /// Decides class, category, mode and priority of one description, with the evidence.
    pub fn classify(&self, text: &str) -> TriageDecision {
        let hits = self.matcher.find(text);
        let keyword_hits = kept_keywords(&hits);
        let flags: Vec<&Hit<'_, Tag>> = hits
            .iter()
            .filter(|h| matches!(h.tag, Tag::Flag(_)) && h.affirmed())
            .collect();
        let scores = self.score(&hits, &keyword_hits, &flags);

        let best = |police: bool| {
            scores
                .iter()
                .enumerate()
                .filter(|(i, s)| {
                    !s.ruled_out && (self.list.categories[*i].class == Class::Police) == police
                })
                .max_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(&a.0)))
                .filter(|(_, s)| s.score >= MIN_SCORE)
                .map(|(i, s)| (i, s.score))
        };
        let police = best(true);
        let dept = best(false);
        let hard_flags = flags
            .iter()
            .any(|h| matches!(h.tag, Tag::Flag(f) if *f != Family::Escalation));

        let (class, cat) = match (police, dept) {
            (Some((p, ps)), Some((_, ds))) if ps >= POLICE_DOMINANCE * ds => {
                (Class::Police, Some(p))
            }
            (Some((p, _)), None) => (Class::Police, Some(p)),
            (_, Some((d, _))) if police.is_some() || !flags.is_empty() => {
                (Class::Uncertain, Some(d))
            }
            (None, Some((d, _))) => (self.list.categories[d].class, Some(d)),
            (None, None) if hard_flags => (Class::Police, None),
            _ => (Class::Uncertain, None),
        };

        let mut evidence = Vec::new();
        let category = cat.map(|i| &self.list.categories[i]);
        let mode = match (class, category) {
            (Class::Police, _) => DispatchMode::Police,
            (Class::NonPolice, Some(c)) => self.conditional_mode(c, cat, &hits, &mut evidence),
            _ => DispatchMode::Joint,
        };
        for h in &keyword_hits {
            let relevant = match h.tag {
                Tag::Keyword { cat: k, .. } => {
                    Some(*k) == cat
                        || (class == Class::Uncertain
                            && self.list.categories[*k].class == Class::Police)
                }
                _ => false,
            };
            if relevant {
                evidence.push(self.evidence(h));
            }
        }
        for h in hits.iter().filter(|h| !h.affirmed()) {
            if matches!(h.tag, Tag::Flag(_))
                || matches!(h.tag, Tag::Keyword { cat: k, .. } if self.list.categories[*k].class == Class::Police)
            {
                evidence.push(self.evidence(h));
            }
        }
        for h in hits
            .iter()
            .filter(|h| matches!(h.tag, Tag::Negative { .. }) && h.affirmed())
        {
            evidence.push(self.evidence(h));
        }
        for h in &flags {
            evidence.push(self.evidence(h));
        }

        let mut priority = category.map_or(Priority::Normal, |c| c.priority);
        if !flags.is_empty() || class == Class::Police && priority == Priority::Normal {
            priority = Priority::Urgent;
        }
        if let Some(h) = hits
            .iter()
            .find(|h| matches!(h.tag, Tag::Vulnerable) && h.affirmed())
        {
            priority = raise(priority);
            evidence.push(self.evidence(h));
        }
        evidence.sort_by_key(|e| e.at);

        let (category, class_code) = match (category, class, &flags[..]) {
            (Some(c), _, _) => (Some(c), class),
            (None, Class::Police, f) => {
                let code = f.iter().find_map(|h| match h.tag {
                    Tag::Flag(fam) => fam.police_code(),
                    _ => None,
                });
                (
                    code.and_then(|c| self.by_code.get(c))
                        .map(|&i| &self.list.categories[i]),
                    class,
                )
            }
            (None, _, _) => (None, class),
        };
        let mut departments: Vec<String> = match class_code {
            Class::Uncertain => vec![POLICE_FIRST.to_string()],
            _ => Vec::new(),
        };
        if let Some(c) = category {
            for d in &c.departments {
                if !departments.contains(d) {
                    departments.push(d.clone());
                }
            }
        }
        if departments.is_empty() {
            departments.push(POLICE_FIRST.to_string());
        }
        let confidence = confidence(&scores, cat, class, !flags.is_empty());
        let mut decision = TriageDecision {
            class,
            category: category.map(|c| c.code.clone()),
            category_name: category.map(|c| c.name.clone()),
            departments,
            mode,
            priority,
            confidence,
            completion_limit_secs: category
                .map(|c| i64::try_from(c.limit.as_secs()).unwrap_or(i64::MAX)),
            evidence,
            summary: String::new(),
            list_version: self.list.version.clone(),
            overridden_by: None,
        };
        decision.summary = summary::line(&decision);
        decision
    }

    fn score(
        &self,
        hits: &[Hit<'_, Tag>],
        kept: &[&Hit<'_, Tag>],
        flags: &[&Hit<'_, Tag>],
    ) -> Vec<Scored> {
        let mut scores: Vec<Scored> = self
            .list
            .categories
            .iter()
            .map(|_| Scored {
                score: 0.0,
                ruled_out: false,
            })
            .collect();
        let mut counted: Vec<(usize, &str)> = Vec::new();
        for h in kept {
            if let Tag::Keyword { cat, weight } = h.tag
                && !counted.contains(&(*cat, h.phrase))
            {
                counted.push((*cat, h.phrase));
                scores[*cat].score += weight;
            }
        }
        for h in hits {
            if let Tag::Negative { cat } = h.tag
                && h.affirmed()
            {
                scores[*cat].ruled_out = true;
            }
        }
        let mut flagged: Vec<&str> = Vec::new();
        for h in flags {
            if let Tag::Flag(f) = h.tag
                && let Some(&i) = f.police_code().and_then(|c| self.by_code.get(c))
                && !flagged.contains(&h.phrase)
            {
                flagged.push(h.phrase);
                scores[i].score += FLAG_WEIGHT;
            }
        }
        scores
    }

    fn conditional_mode(
        &self,
        category: &Category,
        cat: Option<usize>,
        hits: &[Hit<'_, Tag>],
        evidence: &mut Vec<Evidence>,
    ) -> DispatchMode {
        for (i, cond) in category.conditional.iter().enumerate() {
            let found = hits.iter().find(|h| {
                matches!(h.tag, Tag::When { cat: c, cond: k } if Some(*c) == cat && *k == i)
                    && h.affirmed()
            });
            if let Some(h) = found {
                evidence.push(self.evidence(h));
                return cond.mode;
            }
        }
        category.mode
    }

    fn evidence(&self, hit: &Hit<'_, Tag>) -> Evidence {
        let (rule, effect) = match hit.tag {
            Tag::Keyword { cat, weight } => {
                let c = &self.list.categories[*cat];
                let what = if c.class == Class::Police {
                    "police keyword"
                } else {
                    "keyword"
                };
                (c.code.clone(), format!("{what} +{weight}"))
            }
            Tag::Negative { cat } => (
                self.list.categories[*cat].code.clone(),
                "rules category out".into(),
            ),
            Tag::When { cat, cond } => {
                let c = &self.list.categories[*cat];
                let mode = c.conditional.get(*cond).map_or("?", |m| m.mode.code());
                (c.code.clone(), format!("mode {mode}"))
            }
            Tag::Flag(f) => (f.rule().to_string(), format!("red flag: {}", f.name_zh())),
            Tag::Vulnerable => ("vulnerable".to_string(), "priority up".to_string()),
        };
        let effect = if hit.negated {
            "negated".to_string()
        } else if hit.hedged {
            "hedged".to_string()
        } else {
            effect
        };
        Evidence {
            rule,
            phrase: hit.phrase.to_string(),
            at: hit.start,
            effect,
        }
    }
}

/// Keyword hits that count: affirmed, and not inside a longer keyword of another category.
fn kept_keywords<'h, 'a>(hits: &'h [Hit<'a, Tag>]) -> Vec<&'h Hit<'a, Tag>> {
    let keywords: Vec<&Hit<'_, Tag>> = hits
        .iter()
        .filter(|h| matches!(h.tag, Tag::Keyword { .. }) && h.affirmed())
        .collect();
    let cat_of = |h: &Hit<'_, Tag>| match h.tag {
        Tag::Keyword { cat, .. } => *cat,
        _ => usize::MAX,
    };
    keywords
        .iter()
        .copied()
        .filter(|h| {
            !keywords.iter().any(|o| {
                cat_of(o) != cat_of(h)
                    && o.start <= h.start
                    && h.end <= o.end
                    && (o.end - o.start) > (h.end - h.start)
            })
        })
        .collect()
}

fn raise(p: Priority) -> Priority {
    match p {
        Priority::NonUrgent => Priority::Normal,
        _ => Priority::Urgent,
    }
}

fn confidence(scores: &[Scored], cat: Option<usize>, class: Class, flagged: bool) -> f32 {
    let Some(cat) = cat else {
        return if flagged { 0.5 } else { 0.1 };
    };
    let top = scores[cat].score;
    let runner_up = scores
        .iter()
        .enumerate()
        .filter(|(i, s)| *i != cat && !s.ruled_out)
        .map(|(_, s)| s.score)
        .fold(0.0f32, f32::max);
    let strength = top / (top + 1.5);
    let margin = if top > 0.0 {
        ((top - runner_up) / top).max(0.0)
    } else {
        0.0
    };
    let base = strength * (0.5 + 0.5 * margin);
    let c = if class == Class::Uncertain {
        base.min(0.6)
    } else {
        base
    };
    c.clamp(0.05, 0.99)
}
