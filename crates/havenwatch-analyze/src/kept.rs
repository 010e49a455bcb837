//! Kept findings: computed once and kept in the store, then updated for only the propositions
//! an ingest touched, so that `findings`, `network`, `threat` and `brief` read them instead of
//! folding every claim again.
//!
//! The store marks the finding key of every claim it writes; [`refresh`] folds the claims
//! written since into each marked finding's kept state ([`FindingState`]: tallies, not claims),
//! in chunks so memory stays bounded, and keeps finding and state. A finding without a kept
//! state is folded from all its claims. A change of the settings findings depend on (grades,
//! period, near-duplicate distance) recomputes all.
//! Kept findings are the analyst's view; a partner's are computed from the claims it may see.

use crate::config::Config;
use crate::findings::Finding;
use crate::fold::FindingState;
use havenwatch_store::{CachedFinding, FindingQuery, Store, StoreError, StoredClaim};
use rayon::prelude::*;

/// What a refresh did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Refresh {
    /// Everything was recomputed (first use, or new settings).
    pub full: bool,
    /// Findings recomputed.
    pub findings: usize,
    /// Claims read to recompute them.
    pub claims: usize,
}

/// Findings looked at per round, and the claims read at once: memory stays bounded by the
/// larger of a chunk and the largest single finding.
const KEYS: usize = 2_000;
const CLAIMS: usize = 250_000;

/// Brings the kept findings up to date; `progress` is told how many keys are done.
pub fn refresh(
    store: &mut dyn Store,
    config: &Config,
    progress: &dyn Fn(usize),
) -> Result<Refresh, StoreError> {
    let mut outcome = Refresh::default();
    let fingerprint = config.findings_fingerprint();
    if store.findings_config()?.as_deref() != Some(fingerprint.as_str()) {
        store.reset_findings(&fingerprint)?;
        outcome.full = true;
    }
    loop {
        let mut dirty = store.dirty_findings(KEYS)?;
        if dirty.is_empty() {
            break;
        }
        // As many findings as fit in a chunk of claims (at least one, however large).
        let mut total = 0;
        let take = dirty
            .iter()
            .position(|d| {
                total += d.claims;
                total > CLAIMS
            })
            .unwrap_or(dirty.len())
            .max(1);
        dirty.truncate(take);
        // Each finding from its kept state and the claims after it; without a state (or with
        // one this build cannot read), from all its claims.
        let mut work: Vec<(&str, FindingState, Vec<StoredClaim>, i64)> = Vec::with_capacity(take);
        for d in &dirty {
            let kept = d
                .kept
                .as_ref()
                .and_then(|(bytes, upto)| Some((FindingState::decode(bytes).ok()?, *upto)));
            let (state, after) = kept.unwrap_or_default();
            let claims = store.finding_claims(&d.key, after, d.seq)?;
            outcome.claims += claims.len();
            work.push((d.key.as_str(), state, claims, d.seq));
        }
        let rows: Vec<Option<CachedFinding>> = work
            .into_par_iter()
            .map(|(key, mut state, claims, upto)| {
                let refs: Vec<&StoredClaim> = claims.iter().collect();
                state.add(&refs, config);
                let f = state.finding(config)?;
                Some(CachedFinding {
                    key: key.to_string(),
                    subject: f.subject_id.clone(),
                    object: f.object_id.clone(),
                    predicate: f.predicate,
                    independent_origins: f.independent_origins,
                    reports: f.reports,
                    subject_name: f.subject.clone(),
                    body: serde_json::to_string(&f).expect("a finding serialises"),
                    state: state.encode(),
                    upto,
                })
            })
            .collect();
        let rows: Vec<CachedFinding> = rows.into_iter().flatten().collect();
        outcome.findings += rows.len();
        store.put_findings(&rows, &dirty)?;
        progress(dirty.len());
    }
    Ok(outcome)
}

/// Kept findings, most independently supported first. Call [`refresh`] before.
pub fn kept(store: &dyn Store, query: &FindingQuery) -> Result<Vec<Finding>, StoreError> {
    store
        .kept_findings(query)?
        .iter()
        .map(|body| {
            serde_json::from_str(body)
                .map_err(|e| StoreError::Invalid(format!("a kept finding: {e}")))
        })
        .collect()
}
