//! Authority scorecards: verifiable action against the groups on an authority's territory.
//!
//! Per period: actions against groups that independent origins other than the authority itself
//! report (verified); actions that rest on the authority's word alone (claimed, unverified);
//! and persistence signals: groups reported present or holding infrastructure on its territory,
//! the authority reported sheltering them, or reported failing to act.

use crate::config::Config;
use crate::independence::origins;
use havenwatch_core::text::alias_key;
use havenwatch_core::Predicate;
use havenwatch_store::StoredClaim;
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of a scorecard, with its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub group: String,
    pub what: String,
    pub sources: Vec<String>,
    pub documents: Vec<String>,
    pub evidence: Vec<String>,
}

/// One period of a scorecard.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PeriodCard {
    pub period: String,
    pub groups_present: Vec<String>,
    pub verified: Vec<Item>,
    pub claimed: Vec<Item>,
    pub persistence: Vec<Item>,
}

/// The scorecard of `authority` (an entity id and its name).
pub fn scorecard(
    claims: &[StoredClaim],
    authority_id: &str,
    authority_name: &str,
    config: &Config,
) -> Vec<PeriodCard> {
    let territory = config.territory_of(authority_name);
    let own = alias_key(authority_name);
    let period_of = |c: &StoredClaim| {
        c.published
            .as_deref()
            .map_or("undated".to_string(), |d| config.period.of(d))
    };
    let mut cards: BTreeMap<String, PeriodCard> = BTreeMap::new();
    // Actions: group them by (period, group) to judge corroboration.
    let mut actions: BTreeMap<(String, String), Vec<&StoredClaim>> = BTreeMap::new();
    for c in claims {
        let card = cards.entry(period_of(c)).or_insert_with(|| PeriodCard {
            period: period_of(c),
            ..Default::default()
        });
        let subject_is_authority = c.claim.subject.id.0 == authority_id;
        let object_here = c
            .claim
            .object
            .as_ref()
            .is_some_and(|o| territory.contains(&alias_key(&o.name)));
        match c.claim.predicate {
            Predicate::ActsAgainst
                if subject_is_authority
                    && !c.claim.negated
                    && !matches!(
                        c.claim.modality,
                        havenwatch_core::Modality::Denied | havenwatch_core::Modality::Speculative
                    ) =>
            {
                let group = c
                    .claim
                    .object
                    .as_ref()
                    .map_or(String::new(), |o| o.name.clone());
                actions.entry((period_of(c), group)).or_default().push(c);
            }
            Predicate::ActsAgainst if subject_is_authority => {
                card.persistence
                    .push(item(&[c], "reported failing to act against it"));
            }
            Predicate::Shelters
                if subject_is_authority
                    && !c.claim.negated
                    && c.claim.modality != havenwatch_core::Modality::Denied =>
            {
                card.persistence
                    .push(item(&[c], "reported sheltered by the authority"));
            }
            Predicate::OperatesIn | Predicate::MaintainsInfrastructure
                if object_here && !c.claim.negated =>
            {
                let what = if c.claim.predicate == Predicate::OperatesIn {
                    format!(
                        "reported present in {}",
                        c.claim.object.as_ref().map_or("", |o| o.name.as_str())
                    )
                } else {
                    format!(
                        "reported holding {} in {}",
                        c.claim
                            .qualifiers
                            .kind
                            .as_deref()
                            .unwrap_or("infrastructure"),
                        c.claim.object.as_ref().map_or("", |o| o.name.as_str())
                    )
                };
                if !card.groups_present.contains(&c.claim.subject.name) {
                    card.groups_present.push(c.claim.subject.name.clone());
                }
                card.persistence.push(item(&[c], &what));
            }
            _ => {}
        }
    }
    for ((period, group), list) in actions {
        let origins = origins(&list, config.near_duplicate_bits);
        let independent_others = {
            let mut keys: Vec<&str> = origins
                .iter()
                .map(|o| o.key.as_str())
                .filter(|k| *k != own)
                .collect();
            keys.sort();
            keys.dedup();
            keys.len()
        };
        let card = cards.entry(period.clone()).or_insert_with(|| PeriodCard {
            period: period.clone(),
            ..Default::default()
        });
        let mut it = item(&list, "action against it");
        it.group = group;
        if independent_others >= 1 {
            it.what = format!("action against it, reported by {independent_others} independent origin(s) besides the authority");
            card.verified.push(it);
        } else {
            it.what = "action against it, on the authority's word alone".into();
            card.claimed.push(it);
        }
    }
    cards
        .into_values()
        .filter(|c| !c.verified.is_empty() || !c.claimed.is_empty() || !c.persistence.is_empty())
        .collect()
}

fn item(claims: &[&StoredClaim], what: &str) -> Item {
    let c = claims[0];
    let group = match c.claim.predicate {
        Predicate::ActsAgainst | Predicate::Shelters => c
            .claim
            .object
            .as_ref()
            .map_or(String::new(), |o| o.name.clone()),
        _ => c.claim.subject.name.clone(),
    };
    let mut sources: Vec<String> = claims.iter().map(|c| c.claim.source.name.clone()).collect();
    sources.sort();
    sources.dedup();
    Item {
        group,
        what: what.to_string(),
        sources,
        documents: claims.iter().map(|c| c.document.0.clone()).collect(),
        evidence: claims.iter().map(|c| c.evidence_text.clone()).collect(),
    }
}
