//! Strength estimates: fighter and member counts per group over time.
//!
//! Fused estimate per period: among the estimates of the period, those from the most reliable
//! sources (by the analyst's grades) are kept, and the fused range is the median of their lows
//! to the median of their highs. The spread is the lowest low to the highest high of all the
//! period's estimates, so disagreement stays visible.

use crate::config::Config;
use havenwatch_store::StoredClaim;
use serde::Serialize;
use std::collections::BTreeMap;

/// One source's estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub source: String,
    pub date: Option<String>,
    pub low: Option<u64>,
    pub high: Option<u64>,
    pub unit: String,
    pub modality: String,
    pub document: String,
    pub evidence: String,
}

/// The fused estimate of one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fused {
    pub period: String,
    pub low: u64,
    pub high: u64,
    /// Lowest low and highest high of every estimate of the period.
    pub spread: (u64, u64),
    pub estimates: usize,
    /// The sources the fused range rests on.
    pub sources: Vec<String>,
    pub method: &'static str,
}

/// Estimates (oldest first) and fused ranges per period.
pub fn strength(claims: &[StoredClaim], config: &Config) -> (Vec<Estimate>, Vec<Fused>) {
    let mut estimates: Vec<Estimate> = claims
        .iter()
        .filter(|c| {
            c.claim.predicate == havenwatch_core::Predicate::HasStrength && !c.claim.negated
        })
        .map(|c| Estimate {
            source: c.claim.source.name.clone(),
            date: c.published.clone(),
            low: c.claim.qualifiers.low,
            high: c.claim.qualifiers.high,
            unit: c
                .claim
                .qualifiers
                .unit
                .clone()
                .unwrap_or_else(|| "fighters".into()),
            modality: c.claim.modality.as_str().into(),
            document: c.document.0.clone(),
            evidence: c.evidence_text.clone(),
        })
        .collect();
    estimates.sort_by(|a, b| a.date.cmp(&b.date).then(a.source.cmp(&b.source)));
    let mut by_period: BTreeMap<String, Vec<&Estimate>> = BTreeMap::new();
    for e in &estimates {
        if let Some(d) = &e.date {
            by_period.entry(config.period.of(d)).or_default().push(e);
        }
    }
    let median = |mut v: Vec<u64>| -> u64 {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let fused = by_period
        .into_iter()
        .filter_map(|(period, list)| {
            let best = list.iter().map(|e| config.reliability(&e.source)).min()?;
            let top: Vec<&&Estimate> = list
                .iter()
                .filter(|e| config.reliability(&e.source) == best)
                .collect();
            let lows: Vec<u64> = top.iter().map(|e| e.low.or(e.high).unwrap_or(0)).collect();
            let highs: Vec<u64> = top.iter().map(|e| e.high.or(e.low).unwrap_or(0)).collect();
            let (low, high) = (median(lows), median(highs));
            let spread = (
                list.iter()
                    .filter_map(|e| e.low.or(e.high))
                    .min()
                    .unwrap_or(low),
                list.iter()
                    .filter_map(|e| e.high.or(e.low))
                    .max()
                    .unwrap_or(high),
            );
            let mut sources: Vec<String> = top.iter().map(|e| e.source.clone()).collect();
            sources.sort();
            sources.dedup();
            Some(Fused {
                period,
                low: low.min(high),
                high: high.max(low),
                spread,
                estimates: list.len(),
                sources,
                method: "median low and high of the most reliable sources' estimates in the period",
            })
        })
        .collect();
    (estimates, fused)
}
