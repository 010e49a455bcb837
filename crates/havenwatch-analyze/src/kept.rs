//! Kept findings: computed once and kept in the store, then updated for only the propositions
//! an ingest touched, so that `findings`, `network`, `threat` and `brief` read them instead of
//! folding every claim again.
//!
//! The store marks the finding key of every claim it writes; [`refresh`] recomputes the marked
//! findings from all their claims (in chunks, so memory stays bounded) and keeps them. A change
//! of the settings findings depend on (grades, period, near-duplicate distance) recomputes all.
//! Kept findings are the analyst's view; a partner's are computed from the claims it may see.

use crate::config::Config;
use crate::findings::{build_findings, Finding};
use havenwatch_store::{finding_key, CachedFinding, ClaimQuery, FindingQuery, Store, StoreError};

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
        let keys: Vec<String> = dirty.iter().map(|d| d.key.clone()).collect();
        let claims = store.claims(&ClaimQuery {
            finding_keys: Some(keys),
            lean: true,
            ..Default::default()
        })?;
        outcome.claims += claims.len();
        let findings = build_findings(&claims, config);
        let mut rows = Vec::with_capacity(findings.len());
        for f in &findings {
            rows.push(CachedFinding {
                key: finding_key(&f.subject_id, f.predicate, f.object_id.as_deref()),
                subject: f.subject_id.clone(),
                object: f.object_id.clone(),
                predicate: f.predicate,
                independent_origins: f.independent_origins,
                reports: f.reports,
                subject_name: f.subject.clone(),
                body: serde_json::to_string(f)
                    .map_err(|e| StoreError::Invalid(format!("a finding: {e}")))?,
            });
        }
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
