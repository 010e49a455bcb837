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

/// Keys per chunk: their claims are read and folded together.
const CHUNK: usize = 2_000;

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
        let dirty = store.dirty_findings(CHUNK)?;
        if dirty.is_empty() {
            break;
        }
        let keys: Vec<String> = dirty.iter().map(|(k, _)| k.clone()).collect();
        let claims = store.claims(&ClaimQuery {
            finding_keys: Some(keys),
            skip_evidence: true,
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
