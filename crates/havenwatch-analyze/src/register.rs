//! The infrastructure register: camps, safe houses, networks per group and place, with their
//! reported status over time.

use havenwatch_core::text::alias_key;
use havenwatch_core::Predicate;
use havenwatch_store::StoredClaim;
use serde::Serialize;
use std::collections::BTreeMap;

/// One report about a piece of infrastructure.
#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    pub date: Option<String>,
    /// `reported active`, `reported dismantled`, `reported not dismantled`.
    pub status: &'static str,
    pub source: String,
    pub modality: String,
    pub document: String,
    pub evidence: String,
}

/// A group's infrastructure at a place.
#[derive(Clone, Debug, Serialize)]
pub struct Infrastructure {
    pub group: String,
    pub group_id: String,
    pub place: Option<String>,
    pub kinds: Vec<String>,
    /// The latest report's status.
    pub status: &'static str,
    pub reports: Vec<StatusReport>,
}

const DISMANTLING: [&str; 6] = [
    "dismantl",
    "closed",
    "destroyed",
    "shut down",
    "raided",
    "demolished",
];

/// The register from claims: `maintains_infrastructure` claims say a group holds something
/// somewhere; `acts_against` claims whose evidence dismantles or closes it say it went (or, when
/// negated, that it did not).
pub fn register(claims: &[StoredClaim]) -> Vec<Infrastructure> {
    let mut entries: BTreeMap<(String, Option<String>), Infrastructure> = BTreeMap::new();
    for c in claims
        .iter()
        .filter(|c| c.claim.predicate == Predicate::MaintainsInfrastructure)
    {
        let place = c.claim.object.as_ref().map(|o| o.name.clone());
        let e = entries
            .entry((c.claim.subject.id.0.clone(), place.clone()))
            .or_insert_with(|| Infrastructure {
                group: c.claim.subject.name.clone(),
                group_id: c.claim.subject.id.0.clone(),
                place,
                kinds: Vec::new(),
                status: "reported active",
                reports: Vec::new(),
            });
        if let Some(k) = &c.claim.qualifiers.kind {
            if !e.kinds.contains(k) {
                e.kinds.push(k.clone());
            }
        }
        e.reports.push(report(
            c,
            if c.claim.negated {
                "reported absent"
            } else {
                "reported active"
            },
        ));
    }
    // Actions that dismantle what the register holds: same group, and the same place when the
    // evidence names it.
    for c in claims
        .iter()
        .filter(|c| c.claim.predicate == Predicate::ActsAgainst)
    {
        let evidence = c.evidence_text.to_lowercase();
        if !DISMANTLING.iter().any(|d| evidence.contains(d)) {
            continue;
        }
        let Some(group) = &c.claim.object else {
            continue;
        };
        for ((gid, place), e) in entries.iter_mut() {
            let place_named = place
                .as_ref()
                .is_none_or(|p| alias_key(&evidence).contains(&alias_key(p)));
            if *gid == group.id.0 && place_named {
                let status = if c.claim.negated {
                    "reported not dismantled"
                } else {
                    "reported dismantled"
                };
                e.reports.push(report(c, status));
            }
        }
    }
    let mut out: Vec<Infrastructure> = entries.into_values().collect();
    for e in &mut out {
        e.reports.sort_by(|a, b| a.date.cmp(&b.date));
        e.status = e.reports.last().map_or("reported active", |r| r.status);
    }
    out
}

fn report(c: &StoredClaim, status: &'static str) -> StatusReport {
    StatusReport {
        date: c.published.clone(),
        status,
        source: c.claim.source.name.clone(),
        modality: c.claim.modality.as_str().into(),
        document: c.document.0.clone(),
        evidence: c.evidence_text.clone(),
    }
}
