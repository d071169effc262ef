//! The classifier: one pass of the phrase matcher over a description, the danger score, then a
//! small set of rules that a duty officer can follow from the evidence.
//!
//! 1. Each category scores the weights of its phrases found (negated and hedged ones do not count;
//!    a phrase inside a longer phrase of another category gives way to it; a negative phrase rules
//!    the category out). A phrase in the request clause ("诉求：…", "要求…", "请…处理") or in a
//!    sensor's 【…】 header weighs more than an incidental mention.
//! 2. Danger cues add their weight to the category they point to, unless the department matter
//!    found accounts for them on its own (a gas smell for the gas category).
//! 3. Police wins when its best score is at least twice the best department score.
//! 4. Police first: when the danger score not accounted for is not clearly low
//!    ([`danger::RAISED`]), the class is police or uncertain (mode C) whatever the department
//!    nouns say; they then only pick the department for the parallel dispatch. A grave danger
//!    ([`danger::GRAVE`]) beside a department matter that is not strong on its own is the
//!    police's alone (mode P): the department noun was incidental.
//! 5. A department matter with a police reading next to it (a strong police phrase, or one that
//!    scores as much as the department) is `uncertain`, mode C.
//! 6. A department matter alone is `nonpolice`, with the category's mode or a conditional mode.
//! 7. Nothing at all is `uncertain`.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::domain::taxonomy::{Class, DispatchMode, Evidence, Priority, TriageDecision};

use super::danger::{self, Cue, Danger, Detector, State};
use super::lexicon::LEXICON;
use super::list::{self, Category, ListError, ResponsibilityList, STRONG_WEIGHT};
use super::matcher::{Hit, Matcher, MatcherBuilder, normalize};
use super::model::Model;
use super::redflag::Family;
use super::summary;

/// Departments that take the first step when the police act first.
const POLICE_FIRST: &str = "派出所";
/// A category needs at least this score to be taken.
const MIN_SCORE: f32 = 1.0;
/// Police wins over a department matter when its score is at least this multiple.
const POLICE_DOMINANCE: f32 = 2.0;
/// A department matter scoring at least this keeps a grave danger joint (mode C); under it, a
/// grave danger makes the item the police's alone: the department noun was incidental.
const DEPARTMENT_HOLDS: f32 = 2.0;
/// Weight of a phrase in the request clause or a sensor header, against 1 elsewhere.
const REQUEST_WEIGHT: f32 = 1.5;
/// Words that open the clause stating what the caller asks for.
const REQUEST_MARKERS: &[&str] = &[
    "诉求",
    "要求",
    "希望",
    "请求",
    "恳请",
    "请尽快",
    "请相关",
    "请有关",
    "请帮",
    "请派",
    "请处理",
    "麻烦",
    "想请",
    "能否",
    "能不能",
    "帮忙",
    "反映的是",
    "主要是",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Keyword { cat: usize, weight: f32 },
    Negative { cat: usize },
    When { cat: usize, cond: usize },
    Request,
}

/// Classifies descriptions against a responsibility list. Build once, share freely.
pub struct Classifier {
    list: ResponsibilityList,
    matcher: Matcher<Tag>,
    detector: Detector,
    by_code: FxHashMap<String, usize>,
    model: Option<Arc<Model>>,
    /// For each category label of the model, the list's category of that code.
    model_categories: Vec<Option<usize>>,
    opinion: OpinionRules,
}

/// For each category label of `model`, the category of `by_code` with that code.
fn model_categories(
    model: Option<&Model>,
    by_code: &FxHashMap<String, usize>,
) -> Vec<Option<usize>> {
    model.map_or_else(Vec::new, |m| {
        m.category_labels()
            .iter()
            .map(|l| by_code.get(l).copied())
            .collect()
    })
}

/// When the learned second opinion may change what the rules decided. It may raise a
/// department matter to uncertain (mode C), and choose the category when the rules found none
/// or only a weak one; it never lowers a danger the rules found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpinionRules {
    /// A department matter whose police reading is at least this is made uncertain.
    pub raise_at: f32,
    /// With nothing found by the rules and no danger cue, a category read with at least this
    /// probability (and a police reading below [`OpinionRules::quiet_below`]) is taken.
    pub fill_at: f32,
    /// The police reading must be below this for the model to fill in a department matter.
    pub quiet_below: f32,
    /// A department category the rules chose with a score below [`OpinionRules::weak_below`]
    /// gives way to the model's category read with at least this probability.
    pub switch_at: f32,
    /// A rules' category score under this is weak.
    pub weak_below: f32,
    /// A department matter on which the rules found a danger cue, even one too light to raise
    /// it, is made uncertain when the police reading is at least this: the danger is not
    /// clearly low.
    pub lean_at: f32,
    /// An uncertain item with no category found by the rules is the police's, in the police
    /// category the model reads, when the police reading is at least this.
    pub name_at: f32,
}

impl Default for OpinionRules {
    fn default() -> Self {
        OpinionRules {
            raise_at: 0.995,
            fill_at: 0.95,
            quiet_below: 0.5,
            switch_at: 0.99,
            weak_below: 2.0,
            lean_at: 0.9,
            name_at: 0.99,
        }
    }
}

/// What the rules decided, for the second opinion.
#[derive(Debug, Clone, Copy)]
struct Ruled {
    class: Class,
    cat: Option<usize>,
    /// No danger cue and no police phrase counted.
    quiet: bool,
    /// The score of the rules' category.
    score: f32,
}

#[derive(Clone)]
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
            let police = c.class == Class::Police;
            for (words, weight) in [(&c.keywords, 1.0), (&c.strong, STRONG_WEIGHT)] {
                for k in words {
                    let tag = Tag::Keyword { cat, weight };
                    if police {
                        builder.add_exact(k, tag);
                    } else {
                        builder.add(k, tag);
                    }
                }
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
        for word in REQUEST_MARKERS {
            builder.add(word, Tag::Request);
        }
        for group in &LEXICON.cues {
            for phrase in &group.phrases {
                builder.add_known(phrase);
            }
        }
        let detector = Detector::new(
            list.categories
                .iter()
                .flat_map(|c| c.keywords.iter().chain(&c.strong).chain(&c.negative))
                .map(String::as_str),
        );
        let by_code = list
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        let model = Model::embedded();
        Ok(Classifier {
            matcher: builder.build(),
            detector,
            list,
            model_categories: model_categories(Some(&model), &by_code),
            by_code,
            model: Some(model),
            opinion: OpinionRules::default(),
        })
    }

    /// The list in use.
    pub fn list(&self) -> &ResponsibilityList {
        &self.list
    }

    /// The same classifier with another second opinion (`None`: the rules alone).
    pub fn with_model(mut self, model: Option<Arc<Model>>) -> Self {
        self.model_categories = model_categories(model.as_deref(), &self.by_code);
        self.model = model;
        self
    }

    /// The same classifier with other rules for the second opinion.
    pub fn with_opinion_rules(mut self, rules: OpinionRules) -> Self {
        self.opinion = rules;
        self
    }

    /// The model's reading, and what it changes in the rules' class and category.
    fn second_opinion(
        &self,
        model: &Model,
        chars: &[char],
        mode_of: &dyn Fn(usize) -> DispatchMode,
        ruled: Ruled,
        evidence: &mut Vec<Evidence>,
    ) -> (Class, Option<usize>) {
        let rules = self.opinion;
        let (mut class, mut cat) = (ruled.class, ruled.cat);
        let fill = cat.is_none() && class == Class::Uncertain && ruled.quiet;
        let unnamed = cat.is_none() && class == Class::Uncertain;
        let switch = class == Class::NonPolice && ruled.score < rules.weak_below;
        if !(unnamed || switch || class == Class::NonPolice) {
            return (class, cat);
        }
        let known = model.known_grams(chars);
        let grams = known.grams();
        let Some(police) = model.police_probability_known(&known) else {
            return (class, cat);
        };
        let police_grams = || {
            model
                .police_reading_known(&known)
                .map(|r| r.grams.join("、"))
                .unwrap_or_default()
        };
        let class_of = |label: usize| {
            self.model_categories
                .get(label)
                .copied()
                .flatten()
                .map(|i| self.list.categories[i].class)
        };
        if unnamed && police >= rules.name_at {
            let police_category = |label: usize| class_of(label) == Some(Class::Police);
            if let Some((c, r)) = model
                .category_reading_by(grams, police_category)
                .and_then(|r| Some((self.by_code.get(&r.label).copied()?, r)))
            {
                evidence.push(Evidence {
                    rule: "model".into(),
                    phrase: police_grams(),
                    at: 0,
                    effect: format!(
                        "police reading {:.2}, model reads {} {:.2}: police",
                        police, r.label, r.probability
                    ),
                });
                return (Class::Police, Some(c));
            }
        }
        let department = |label: usize| class_of(label).is_some_and(|c| c != Class::Police);
        let read = (fill || switch)
            .then(|| model.category_reading_by(grams, department))
            .flatten()
            .and_then(|r| Some((self.by_code.get(&r.label).copied()?, r)));
        if let Some((c, r)) = read {
            let take = if fill {
                police < rules.quiet_below && r.probability >= rules.fill_at
            } else {
                let keeps =
                    |m: DispatchMode| matches!(m, DispatchMode::Police | DispatchMode::Joint);
                let lowers = cat.is_some_and(|d| keeps(mode_of(d)) && !keeps(mode_of(c)));
                cat != Some(c) && !lowers && r.probability >= rules.switch_at
            };
            if take {
                cat = Some(c);
                class = self.list.categories[c].class;
                evidence.push(Evidence {
                    rule: "model".into(),
                    phrase: r.grams.join("、"),
                    at: 0,
                    effect: format!(
                        "model reads {} {:.2}: category taken",
                        r.label, r.probability
                    ),
                });
            }
        }
        let lean = !ruled.quiet && police >= rules.lean_at;
        if class == Class::NonPolice && (police >= rules.raise_at || lean) {
            class = Class::Uncertain;
            evidence.push(Evidence {
                rule: "model".into(),
                phrase: police_grams(),
                at: 0,
                effect: format!("police reading {:.2}: uncertain, police first", police),
            });
        }
        (class, cat)
    }

    /// Decides class, category, mode and priority of one description, with the evidence.
    pub fn classify(&self, text: &str) -> TriageDecision {
        let chars = normalize(text);
        let mut folded = String::with_capacity(text.len());
        folded.extend(chars.iter());
        let hits = self.matcher.find_normalized(&chars);
        let keyword_hits = kept_keywords(&hits);
        let mut danger = self.detector.assess_normalized(&chars, &folded);
        let weights = position_weights(text, &hits);
        let base = self.score(&hits, &keyword_hits, &weights, &danger.lowered);
        let police_phrase = self.police_phrase(&base);
        let mut scores = base;

        let best = |scores: &[Scored], police: bool| {
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
        let department = |scores: &[Scored]| best(scores, false);
        let cue_cats: Vec<Option<usize>> = danger
            .cues
            .iter()
            .map(|c| c.code.and_then(|code| self.by_code.get(code).copied()))
            .collect();
        let first_dept =
            department(&self.with_cues(&scores, police_phrase, &danger, &cue_cats, None));
        let dept_code = first_dept.map(|(d, _)| self.list.categories[d].code.as_str());
        scores = self.with_cues(&scores, police_phrase, &danger, &cue_cats, dept_code);
        let police = best(&scores, true);
        let dept = department(&scores);
        let dept_code = dept.map(|(d, _)| self.list.categories[d].code.as_str());
        let unexplained = danger.unexplained(dept_code);
        let raised = unexplained >= danger::RAISED;
        let grave = unexplained >= danger::GRAVE;

        let (class, cat) = match (police, dept) {
            (Some((p, ps)), Some((_, ds)))
                if ps >= POLICE_DOMINANCE * ds && (police_phrase || !raised) =>
            {
                (Class::Police, Some(p))
            }
            (p, Some((_, ds))) if grave && ds < DEPARTMENT_HOLDS => (
                Class::Police,
                p.map(|(p, _)| p).or_else(|| self.strongest_code(&danger)),
            ),
            (Some((p, _)), None) => (Class::Police, Some(p)),
            (Some((p, ps)), Some((_, ds))) if raised && police_phrase && ps >= ds => {
                (Class::Police, Some(p))
            }
            (Some((_, ps)), Some((d, ds))) if ps >= STRONG_WEIGHT || ps >= ds => {
                (Class::Uncertain, Some(d))
            }
            (_, Some((d, _))) if raised => (Class::Uncertain, Some(d)),
            (_, Some((d, _))) => (self.list.categories[d].class, Some(d)),
            (None, None) if raised => (Class::Police, self.strongest_code(&danger)),
            _ => (Class::Uncertain, None),
        };
        let mut evidence = Vec::new();
        let quiet = !raised && !police_phrase && danger.counting().next().is_none();
        let mode_of = |c: usize| {
            let category = &self.list.categories[c];
            self.conditional_mode(category, Some(c), &hits, &mut Vec::new())
        };
        let (class, cat) = match &self.model {
            Some(model) => self.second_opinion(
                model,
                &chars,
                &mode_of,
                Ruled {
                    class,
                    cat,
                    quiet,
                    score: cat.map_or(0.0, |c| scores[c].score),
                },
                &mut evidence,
            ),
            None => (class, cat),
        };

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
            if matches!(h.tag, Tag::Keyword { cat: k, .. } if self.list.categories[*k].class == Class::Police)
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
        for cue in std::mem::take(&mut danger.cues) {
            evidence.push(cue_evidence(&danger, cue, dept_code));
        }
        if let Some((phrase, at)) = danger.calm.take() {
            evidence.push(Evidence {
                rule: "calm".into(),
                phrase,
                at,
                effect: "danger lowered, not erased".into(),
            });
        }

        let mut priority = category.map_or(Priority::Normal, |c| c.priority);
        if raised || class == Class::Police && priority == Priority::Normal {
            priority = Priority::Urgent;
        }
        if let Some((phrase, at)) = danger.vulnerable.take() {
            priority = raise(priority);
            evidence.push(Evidence {
                rule: "vulnerable".into(),
                phrase,
                at,
                effect: "priority up".into(),
            });
        }
        if !evidence.is_sorted_by_key(|e| e.at) {
            evidence.sort_by_key(|e| e.at);
        }

        let mut departments: Vec<String> = match class {
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
        let confidence = confidence(&scores, cat, class, raised);
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

    /// Whether a police phrase of the list scored on its own.
    fn police_phrase(&self, scores: &[Scored]) -> bool {
        scores.iter().enumerate().any(|(i, s)| {
            !s.ruled_out && self.list.categories[i].class == Class::Police && s.score >= MIN_SCORE
        })
    }

    /// The police category of the heaviest counting cue, for a danger with no category phrase.
    fn strongest_code(&self, danger: &Danger) -> Option<usize> {
        danger
            .counting()
            .filter(|c| c.family != Family::Escalation)
            .max_by(|a, b| a.counted().total_cmp(&b.counted()))
            .and_then(|c| c.code.or(c.family.police_code()))
            .and_then(|code| self.by_code.get(code).copied())
    }

    /// The scores with the danger cues added: to each category they point to, the weight of its
    /// heaviest cue, leaving out the cues that the department category `explained_by` accounts
    /// for. Cues pick a police category only when no police phrase of the list did
    /// (`police_phrase`: one scored in `scores`). `cue_cats` holds the category of each cue.
    fn with_cues(
        &self,
        scores: &[Scored],
        police_phrase: bool,
        danger: &Danger,
        cue_cats: &[Option<usize>],
        explained_by: Option<&str>,
    ) -> Vec<Scored> {
        let mut out: Vec<Scored> = scores.to_vec();
        let mut added: Vec<(usize, f32)> = Vec::new();
        for (cue, cat) in danger.cues.iter().zip(cue_cats) {
            let (Some(i), w) = (*cat, cue.counted()) else {
                continue;
            };
            if w <= 0.0 || danger.explains(explained_by, cue) {
                continue;
            }
            if police_phrase && self.list.categories[i].class == Class::Police {
                continue;
            }
            match added.iter_mut().find(|(k, _)| *k == i) {
                Some((_, a)) => *a = a.max(w),
                None => added.push((i, w)),
            }
        }
        for (i, a) in added {
            out[i].score += a;
        }
        out
    }

    /// Category scores from the list's phrases; a police phrase told as past background or as a
    /// fear ("怕以后着火") counts a fraction, like a danger cue.
    fn score(
        &self,
        hits: &[Hit<'_, Tag>],
        kept: &[&Hit<'_, Tag>],
        weights: &[f32],
        lowered: &[bool],
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
        let mut counted: Vec<(usize, &str, f32)> = Vec::new();
        for h in kept {
            if let Tag::Keyword { cat, weight } = h.tag {
                let mut w = weight * weights.get(h.start).copied().unwrap_or(1.0);
                if self.list.categories[*cat].class == Class::Police
                    && lowered.get(h.start).copied().unwrap_or(false)
                {
                    w *= danger::LOWERED;
                }
                match counted
                    .iter_mut()
                    .find(|(c, p, _)| c == cat && *p == h.phrase)
                {
                    Some(entry) if entry.2 < w => {
                        scores[*cat].score += w - entry.2;
                        entry.2 = w;
                    }
                    Some(_) => {}
                    None => {
                        counted.push((*cat, h.phrase, w));
                        scores[*cat].score += w;
                    }
                }
            }
        }
        for h in hits {
            if let Tag::Negative { cat } = h.tag
                && h.affirmed()
            {
                scores[*cat].ruled_out = true;
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
                    "police keyword +"
                } else {
                    "keyword +"
                };
                (c.code.as_str(), [what, &weight_text(*weight)].concat())
            }
            Tag::Negative { cat } => (
                self.list.categories[*cat].code.as_str(),
                "rules category out".into(),
            ),
            Tag::When { cat, cond } => {
                let c = &self.list.categories[*cat];
                let mode = c.conditional.get(*cond).map_or("?", |m| m.mode.code());
                (c.code.as_str(), ["mode ", mode].concat())
            }
            Tag::Request => ("request", "weighs the clause".to_string()),
        };
        let rule = rule.to_string();
        let effect = if hit.negated {
            "negated".to_string()
        } else if hit.hedged {
            "hedged".to_string()
        } else if hit.sounded {
            effect + " (same sound)"
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

/// The evidence of one danger cue.
fn cue_evidence(danger: &Danger, cue: Cue, dept: Option<&str>) -> Evidence {
    let explained = danger.explains(dept, &cue);
    let effect = match cue.state {
        State::Negated => "negated".to_string(),
        State::Past => format!("past, counts {:.1}", cue.counted()),
        State::Feared => format!("feared, counts {:.1}", cue.counted()),
        State::Current if explained => format!("accounted for by {}", dept.unwrap_or("-")),
        State::Current => [
            "red flag: ",
            cue.family.name_zh(),
            " +",
            &weight_text(cue.weight),
        ]
        .concat(),
    };
    let effect = if cue.sounded {
        effect + " (same sound)"
    } else {
        effect
    };
    Evidence {
        rule: cue.family.rule().to_string(),
        phrase: cue.phrase,
        at: cue.at,
        effect,
    }
}

/// A weight as `{}` prints it, without formatting the usual ones.
fn weight_text(w: f32) -> std::borrow::Cow<'static, str> {
    match w {
        0.5 => "0.5".into(),
        1.0 => "1".into(),
        1.5 => "1.5".into(),
        2.0 => "2".into(),
        3.0 => "3".into(),
        _ => format!("{w}").into(),
    }
}

/// Weight of a keyword by where it starts: more in the request clause (from a request marker to
/// the end of its sentence) and inside a 【…】 header, 1 elsewhere.
fn position_weights(text: &str, hits: &[Hit<'_, Tag>]) -> Vec<f32> {
    let mut weights = vec![1.0f32; text.chars().count() + 1];
    let mut in_header = false;
    for (i, c) in text.chars().enumerate() {
        match c {
            '【' | '[' => in_header = true,
            '】' | ']' => in_header = false,
            _ => {}
        }
        if in_header {
            weights[i] = REQUEST_WEIGHT;
        }
    }
    for h in hits
        .iter()
        .filter(|h| matches!(h.tag, Tag::Request) && h.affirmed())
    {
        for (i, c) in text.chars().enumerate().skip(h.start) {
            if matches!(c, '。' | '!' | '！' | '?' | '？' | '\n') {
                break;
            }
            weights[i] = REQUEST_WEIGHT;
        }
    }
    weights
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

#[cfg(test)]
#[test]
fn a_weight_reads_as_it_prints() {
    for w in [0.5f32, 1.0, 1.5, 2.0, 3.0, 0.25, 4.0] {
        assert_eq!(weight_text(w), format!("{w}"));
    }
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
