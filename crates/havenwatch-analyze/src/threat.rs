//! Cross-border threat: for a country, the groups reported present in the territory next to it,
//! ranked by an explained score.
//!
//! score = presence × (independent origins placing the group there)
//!       + strength × log10(1 + latest fused high estimate)
//!       + support × (independent origins reporting support it receives)
//!       + infrastructure × (infrastructure findings in that territory)
//!       + attacks × (independent origins reporting its attacks on the country)
//!       + threats × (independent origins reporting its threats against the country)
//! Every term is shown; the weights come from `[weights]` in the configuration.

use crate::config::Config;
use crate::findings::Finding;
use crate::strength::strength;
use havenwatch_core::text::alias_key;
use havenwatch_core::Predicate;
use havenwatch_store::StoredClaim;
use serde::Serialize;
use std::collections::BTreeMap;

/// One term of a group's score.
#[derive(Clone, Debug, Serialize)]
pub struct Term {
    pub name: &'static str,
    pub value: f64,
    pub weight: f64,
    pub contribution: f64,
    pub why: String,
}

/// A group's place in the ranking.
#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    pub group: String,
    pub group_id: String,
    pub score: f64,
    pub terms: Vec<Term>,
}

/// Ranks the groups present next to `country` (or attacking or threatening it).
pub fn threat(
    country: &str,
    findings: &[Finding],
    claims: &[StoredClaim],
    config: &Config,
) -> Vec<Ranked> {
    let near = config.neighbours_of(country);
    let country_places = config.territory_of(country);
    let is_near =
        |name: &Option<String>| name.as_ref().is_some_and(|n| near.contains(&alias_key(n)));
    let is_country = |name: &Option<String>| {
        name.as_ref()
            .is_some_and(|n| country_places.contains(&alias_key(n)))
    };
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    for f in findings {
        let relevant = (matches!(
            f.predicate,
            Predicate::OperatesIn | Predicate::MaintainsInfrastructure
        ) && is_near(&f.object))
            || (matches!(f.predicate, Predicate::Attacks | Predicate::Threatens)
                && is_country(&f.object));
        if relevant && f.supporting > 0 {
            groups.insert(f.subject_id.clone(), f.subject.clone());
        }
    }
    let w = &config.weights;
    let mut ranked: Vec<Ranked> = groups
        .into_iter()
        .map(|(id, name)| {
            let of = |p: Predicate, pred: &dyn Fn(&Finding) -> bool| -> (usize, Vec<String>) {
                let fs: Vec<&Finding> = findings
                    .iter()
                    .filter(|f| f.predicate == p && f.supporting > 0 && pred(f))
                    .collect();
                (
                    fs.iter().map(|f| f.independent_origins).sum(),
                    fs.iter()
                        .map(|f| {
                            // The other party: the supporter for support, the place or target otherwise.
                            let other = if p == Predicate::Supports {
                                Some(f.subject.as_str())
                            } else {
                                f.object.as_deref()
                            };
                            format!("{} {}", other.unwrap_or(""), f.grade)
                                .trim()
                                .to_string()
                        })
                        .collect(),
                )
            };
            let (presence, presence_why) = of(Predicate::OperatesIn, &|f| {
                f.subject_id == id && is_near(&f.object)
            });
            let (infra, infra_why) = of(Predicate::MaintainsInfrastructure, &|f| {
                f.subject_id == id && is_near(&f.object)
            });
            let (support, support_why) = of(Predicate::Supports, &|f| {
                f.object_id.as_deref() == Some(id.as_str())
            });
            let (attacks, attacks_why) = of(Predicate::Attacks, &|f| {
                f.subject_id == id && is_country(&f.object)
            });
            let (threats, threats_why) = of(Predicate::Threatens, &|f| {
                f.subject_id == id && is_country(&f.object)
            });
            let group_claims: Vec<StoredClaim> = claims
                .iter()
                .filter(|c| c.claim.subject.id.0 == id)
                .cloned()
                .collect();
            let (_, fused) = strength(&group_claims, config);
            let latest = fused.last().map_or(0, |f| f.high);
            let strength_value = (1.0 + latest as f64).log10();
            let term = |name: &'static str, value: f64, weight: f64, why: String| Term {
                name,
                value,
                weight,
                contribution: value * weight,
                why,
            };
            let terms = vec![
                term(
                    "presence",
                    presence as f64,
                    w.presence,
                    format!(
                        "independent origins placing it next door: {}",
                        presence_why.join("; ")
                    ),
                ),
                term(
                    "strength",
                    strength_value,
                    w.strength,
                    format!("log10(1 + {latest}), the latest fused high estimate"),
                ),
                term(
                    "support",
                    support as f64,
                    w.support,
                    format!(
                        "independent origins reporting support it receives: {}",
                        support_why.join("; ")
                    ),
                ),
                term(
                    "infrastructure",
                    infra as f64,
                    w.infrastructure,
                    format!("infrastructure next door: {}", infra_why.join("; ")),
                ),
                term(
                    "attacks",
                    attacks as f64,
                    w.attacks,
                    format!("attacks on {country}: {}", attacks_why.join("; ")),
                ),
                term(
                    "threats",
                    threats as f64,
                    w.threats,
                    format!("threats against {country}: {}", threats_why.join("; ")),
                ),
            ];
            Ranked {
                score: terms.iter().map(|t| t.contribution).sum(),
                group: name,
                group_id: id,
                terms,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.group.cmp(&b.group))
    });
    ranked
}
