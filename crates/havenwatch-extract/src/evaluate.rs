//! Scoring claim extraction against gold paragraphs (`corpus/SCHEMA.md`).
//!
//! A predicted claim matches a gold claim when predicate, subject and object resolve to the
//! same entities (either order for symmetric predicates). Matching is one to one, preferring a
//! gold claim with the same source, then the same modality. Source, modality and negation are
//! scored on matched pairs.

use crate::claims::{ClaimExtractor, MentionRef};
use crate::mentions::{MentionExtractor, MentionTarget};
use crate::polnear::Prf;
use havenwatch_core::{Claim, Predicate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One gold paragraph.
#[derive(Clone, Debug, Deserialize)]
pub struct GoldParagraph {
    pub id: String,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    pub text: String,
    #[serde(default)]
    pub source_url: Option<String>,
    /// The article's headline, if the gold file gives it (else its URL's words stand in).
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub claims: Vec<GoldClaim>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct GoldClaim {
    pub subject: String,
    pub predicate: String,
    #[serde(default)]
    pub object: Option<String>,
    pub source: String,
    #[serde(default)]
    pub modality: String,
    #[serde(default)]
    pub negated: bool,
    #[serde(default)]
    pub evidence: String,
}

/// A claim reduced to what the scorer compares: resolved keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub predicate: String,
    pub subject: String,
    pub object: Option<String>,
    pub source: String,
    pub modality: String,
    pub negated: bool,
    /// The sentence (prediction) or the gold evidence.
    pub evidence: String,
}

/// Counts for one predicate or overall.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Counts {
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
}

impl Counts {
    pub fn prf(&self) -> Prf {
        Prf::from_counts(self.matched, self.predicted, self.matched, self.gold)
    }
}

/// A missed or spurious claim, for `--explain`.
#[derive(Clone, Debug, Serialize)]
pub struct Explained {
    pub paragraph: String,
    pub claim: Scored,
}

/// The result of an evaluation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Evaluation {
    pub paragraphs: usize,
    pub overall: Counts,
    pub per_predicate: BTreeMap<String, Counts>,
    pub source_correct: usize,
    pub modality_correct: usize,
    pub negation_correct: usize,
    pub missed: Vec<Explained>,
    pub spurious: Vec<Explained>,
    /// Matched pairs whose source, modality or negation differ.
    pub mismatched: Vec<(Explained, Scored)>,
}

impl Evaluation {
    fn accuracy(&self, n: usize) -> f64 {
        if self.overall.matched == 0 {
            0.0
        } else {
            n as f64 / self.overall.matched as f64
        }
    }
    pub fn source_accuracy(&self) -> f64 {
        self.accuracy(self.source_correct)
    }
    pub fn modality_accuracy(&self) -> f64 {
        self.accuracy(self.modality_correct)
    }
    pub fn negation_accuracy(&self) -> f64 {
        self.accuracy(self.negation_correct)
    }
}

/// The mentions of a text as the claim extractor wants them.
pub fn mention_refs(extractor: &MentionExtractor, text: &str) -> Vec<MentionRef> {
    mention_refs_of(extractor, &extractor.analyze(text))
}

/// The mentions of an analysis as the claim extractor wants them.
pub fn mention_refs_of(
    extractor: &MentionExtractor,
    analysis: &crate::Analysis,
) -> Vec<MentionRef> {
    analysis
        .mentions
        .iter()
        .map(|m| {
            let (id, name, entity_type) = match m.target {
                MentionTarget::Known(i) => {
                    let e = extractor.resolver().entity(i);
                    (e.id.clone(), e.name.clone(), e.entity_type)
                }
                MentionTarget::Discovered(d) => {
                    let e = &analysis.discovered[d];
                    (e.id.clone(), e.name.clone(), e.entity_type)
                }
            };
            MentionRef {
                start: m.start,
                end: m.end,
                id,
                name,
                entity_type,
            }
        })
        .collect()
}

/// Scores `paragraphs` (parsed gold lines).
pub fn evaluate(
    mentions: &MentionExtractor,
    claims: &ClaimExtractor,
    paragraphs: &[GoldParagraph],
) -> Evaluation {
    let resolver = mentions.resolver();
    let key = |name: &str| -> String {
        match resolver.lookup(name) {
            Some(i) => resolver.entity(i).id.clone(),
            None => format!("name:{}", resolver.key(name)),
        }
    };
    let mut ev = Evaluation {
        paragraphs: paragraphs.len(),
        ..Default::default()
    };
    // Paragraphs of one article (same URL, in order) are read with the paragraphs before them,
    // as in the article, so that "the report" finds the report named earlier; only the claims
    // of the paragraph itself are scored.
    let mut context = String::new();
    let mut context_url: Option<&str> = None;
    for p in paragraphs {
        let url = p.source_url.as_deref().filter(|u| !u.is_empty());
        if url.is_none() || url != context_url {
            context.clear();
        }
        context_url = url;
        let offset = context.len();
        context.push_str(&p.text);
        let refs = mention_refs(mentions, &context);
        let headline = crate::claims::headline_source(mentions, p.title.as_deref(), url, &refs);
        let predicted: Vec<Scored> = claims
            .extract_with_headline(&context, p.publisher.as_deref(), &refs, headline)
            .iter()
            .filter(|c| c.evidence.start >= offset)
            .map(|c| scored_prediction(c, &context, &key))
            .collect();
        context.push_str("\n\n");
        let gold: Vec<Scored> = p
            .claims
            .iter()
            .map(|g| Scored {
                predicate: g.predicate.clone(),
                subject: key(&g.subject),
                object: g.object.as_deref().map(&key),
                source: key(&g.source),
                modality: g.modality.clone(),
                negated: g.negated,
                evidence: g.evidence.clone(),
            })
            .collect();
        score_paragraph(&mut ev, &p.id, &gold, &predicted);
    }
    ev
}

fn scored_prediction(c: &Claim, text: &str, key: &dyn Fn(&str) -> String) -> Scored {
    let entity_key = |id: &str, name: &str| -> String {
        if id.starts_with("prov:") {
            key(name)
        } else {
            id.to_string()
        }
    };
    Scored {
        predicate: c.predicate.as_str().to_string(),
        subject: entity_key(&c.subject.id.0, &c.subject.name),
        object: c.object.as_ref().map(|o| entity_key(&o.id.0, &o.name)),
        source: match &c.source.entity {
            Some(id) => entity_key(&id.0, &c.source.name),
            None => key(&c.source.name),
        },
        modality: c.modality.as_str().to_string(),
        negated: c.negated,
        evidence: text[c.evidence.start..c.evidence.end].to_string(),
    }
}

fn same_proposition(g: &Scored, p: &Scored) -> bool {
    if g.predicate != p.predicate {
        return false;
    }
    let symmetric = g
        .predicate
        .parse::<Predicate>()
        .map(Predicate::is_symmetric)
        .unwrap_or(false);
    (g.subject == p.subject && g.object == p.object)
        || (symmetric
            && Some(&g.subject) == p.object.as_ref()
            && g.object.as_ref() == Some(&p.subject))
}

fn score_paragraph(ev: &mut Evaluation, id: &str, gold: &[Scored], predicted: &[Scored]) {
    let mut gold_used = vec![false; gold.len()];
    let mut pred_used = vec![false; predicted.len()];
    // Same source and modality first, then same source, then any.
    for pass in 0..3 {
        for (pi, p) in predicted.iter().enumerate() {
            if pred_used[pi] {
                continue;
            }
            let found = gold.iter().enumerate().find(|(gi, g)| {
                !gold_used[*gi]
                    && same_proposition(g, p)
                    && match pass {
                        0 => g.source == p.source && g.modality == p.modality,
                        1 => g.source == p.source,
                        _ => true,
                    }
            });
            if let Some((gi, g)) = found {
                gold_used[gi] = true;
                pred_used[pi] = true;
                ev.overall.matched += 1;
                ev.per_predicate
                    .entry(g.predicate.clone())
                    .or_default()
                    .matched += 1;
                let ok_source = g.source == p.source;
                let ok_modality = g.modality == p.modality;
                let ok_negation = g.negated == p.negated;
                ev.source_correct += ok_source as usize;
                ev.modality_correct += ok_modality as usize;
                ev.negation_correct += ok_negation as usize;
                if !(ok_source && ok_modality && ok_negation) {
                    ev.mismatched.push((
                        Explained {
                            paragraph: id.to_string(),
                            claim: g.clone(),
                        },
                        p.clone(),
                    ));
                }
            }
        }
    }
    for (g, used) in gold.iter().zip(&gold_used) {
        ev.overall.gold += 1;
        ev.per_predicate
            .entry(g.predicate.clone())
            .or_default()
            .gold += 1;
        if !used {
            ev.missed.push(Explained {
                paragraph: id.to_string(),
                claim: g.clone(),
            });
        }
    }
    for (p, used) in predicted.iter().zip(&pred_used) {
        ev.overall.predicted += 1;
        ev.per_predicate
            .entry(p.predicate.clone())
            .or_default()
            .predicted += 1;
        if !used {
            ev.spurious.push(Explained {
                paragraph: id.to_string(),
                claim: p.clone(),
            });
        }
    }
}
