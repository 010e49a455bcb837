//! Findings: the claims about one proposition, folded, collapsed to independent origins and
//! graded.

use crate::config::Config;
use crate::fold::FindingState;
use crate::independence::Origin;
use havenwatch_core::{Modality, Predicate};
use havenwatch_store::StoredClaim;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Documents a finding lists by id; a finding can rest on thousands.
pub const DOCUMENTS_LISTED: usize = 100;

/// One proposition with everything reported about it.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Finding {
    pub subject: String,
    pub subject_id: String,
    pub predicate: Predicate,
    pub object: Option<String>,
    pub object_id: Option<String>,
    /// Number of claims.
    pub reports: usize,
    /// Claims that assert it (not denied, not negated).
    pub supporting: usize,
    /// Claims that deny or negate it.
    pub contradicting: usize,
    /// Supporting claims that only allege, assess or speculate.
    pub hedged: usize,
    /// Independent origins of the supporting claims.
    pub independent_origins: usize,
    pub origins: Vec<Origin>,
    /// Independent origins of the contradicting claims.
    pub contradicting_origins: Vec<Origin>,
    pub grade: String,
    pub confidence: u8,
    /// The grade in words: "B2: usually reliable source, probably true (...)".
    pub explanation: String,
    /// Words of estimative probability.
    pub estimative: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Apparent corroboration resting on a single origin: several reports, one origin.
    pub circular: bool,
    /// Reports per period, oldest first.
    pub trend: Vec<(String, usize)>,
    /// `new` (one period), `rising`, `falling` or `steady`: the last period against the one
    /// before it.
    pub direction: String,
    /// How many documents are behind it.
    pub document_count: usize,
    /// Ids of the documents behind it, the first [`DOCUMENTS_LISTED`] by id (all of them
    /// are found with `claims`).
    pub documents: Vec<String>,
    /// At least as strict as the strictest claim it reveals: sharing the finding shares them.
    pub tlp: havenwatch_core::Tlp,
}

impl Finding {
    /// "3 reports, 2 independent origins", as briefs and tables say it.
    pub fn tally(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}",
            plural(self.reports, "report"),
            plural(self.independent_origins, "independent origin")
        )
    }
}

pub(crate) fn is_contradiction(c: &StoredClaim) -> bool {
    c.claim.negated || c.claim.modality == Modality::Denied
}

pub(crate) fn is_hedged(c: &StoredClaim) -> bool {
    matches!(
        c.claim.modality,
        Modality::Alleged | Modality::Assessed | Modality::Speculative
    )
}

/// Folds claims into findings, most independently supported first.
pub fn build_findings(claims: &[StoredClaim], config: &Config) -> Vec<Finding> {
    let mut groups: BTreeMap<(&str, Predicate, &str), Vec<&StoredClaim>> = BTreeMap::new();
    for c in claims {
        let s = c.claim.subject.id.0.as_str();
        let o = c.claim.object.as_ref().map_or("", |o| o.id.0.as_str());
        // Symmetric predicates: one finding for either order.
        let (a, b) = if c.claim.predicate.is_symmetric() && o < s {
            (o, s)
        } else {
            (s, o)
        };
        groups.entry((a, c.claim.predicate, b)).or_default().push(c);
    }
    // Each proposition is folded on its own: in parallel. The fold does not depend on the
    // order of claims, so the same claims always make the same finding.
    let groups: Vec<Vec<&StoredClaim>> = groups.into_values().collect();
    let mut out: Vec<Finding> = groups
        .par_iter()
        .filter_map(|group| {
            let mut state = FindingState::default();
            state.add(group, config);
            state.finding(config)
        })
        .collect();
    sort_findings(&mut out);
    out
}

/// Most independently supported first, then most reported, then by subject.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.independent_origins
            .cmp(&a.independent_origins)
            .then(b.reports.cmp(&a.reports))
            .then_with(|| a.subject.cmp(&b.subject))
    });
}

pub(crate) fn direction(trend: &BTreeMap<String, usize>) -> &'static str {
    let counts: Vec<usize> = trend.values().copied().collect();
    match counts.as_slice() {
        [] | [_] => "new",
        [.., a, b] if b > a => "rising",
        [.., a, b] if b < a => "falling",
        _ => "steady",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use havenwatch_core::{Claim, DocumentId, EntityId, EntityRef, Qualifiers, Source, Span};

    fn claim(
        doc: &str,
        publisher: &str,
        date: &str,
        via: Option<&str>,
        modality: Modality,
        negated: bool,
        fp: u64,
    ) -> StoredClaim {
        let source = match via {
            Some(s) => Source {
                entity: None,
                name: s.into(),
            },
            None => Source {
                entity: None,
                name: publisher.into(),
            },
        };
        StoredClaim {
            claim: Claim {
                subject: EntityRef {
                    id: EntityId::new("g:a"),
                    name: "A Front".into(),
                },
                predicate: Predicate::Supports,
                object: Some(EntityRef {
                    id: EntityId::new("g:b"),
                    name: "B Army".into(),
                }),
                qualifiers: Qualifiers::default(),
                via: via.map(|_| vec![source.clone()]).unwrap_or_default(),
                source,
                modality,
                negated,
                evidence: Span::new(0, 1),
            },
            document: DocumentId(doc.into()),
            title: None,
            publisher: Some(publisher.into()),
            published: Some(date.into()),
            evidence_text: String::new(),
            fingerprint: Some(fp),
            tlp: havenwatch_core::Tlp::Clear,
        }
    }

    #[test]
    fn syndicated_copies_count_once() {
        let story = 0xDEAD_BEEF_0000_1111;
        let claims = vec![
            claim(
                "d1",
                "Wire",
                "2024-01-02",
                None,
                Modality::Asserted,
                false,
                story,
            ),
            claim(
                "d2",
                "Post",
                "2024-01-03",
                None,
                Modality::Asserted,
                false,
                story ^ 0b11,
            ),
            claim(
                "d3",
                "Times",
                "2024-01-03",
                None,
                Modality::Asserted,
                false,
                story ^ 0b101,
            ),
        ];
        let f = &build_findings(&claims, &Config::default())[0];
        assert_eq!(f.reports, 3);
        assert_eq!(f.independent_origins, 1, "{f:?}");
        assert_eq!(f.origins[0].name, "Wire", "the earliest carrier");
        assert!(f.circular);
    }

    #[test]
    fn citation_chains_collapse_and_independent_outlets_confirm() {
        let claims = vec![
            claim(
                "d1",
                "Post",
                "2024-01-02",
                Some("UN report"),
                Modality::Reported,
                false,
                1,
            ),
            claim(
                "d2",
                "Times",
                "2024-02-03",
                Some("UN report"),
                Modality::Reported,
                false,
                u64::MAX,
            ),
            claim(
                "d3",
                "Post",
                "2024-03-03",
                Some("UN report"),
                Modality::Reported,
                false,
                0xF0F0,
            ),
        ];
        let f = &build_findings(&claims, &Config::default())[0];
        assert_eq!((f.reports, f.independent_origins), (3, 1));
        assert!(f.circular);

        let mut more = claims.clone();
        more.push(claim(
            "d4",
            "Courier",
            "2024-04-01",
            None,
            Modality::Asserted,
            false,
            0x1234_5678,
        ));
        let f = &build_findings(&more, &Config::default())[0];
        assert_eq!(f.independent_origins, 2);
        assert!(!f.circular);
        assert_eq!(f.grade, "F1");
        assert_eq!(f.first_seen.as_deref(), Some("2024-01-02"));
        assert_eq!(f.trend, vec![("2024-Q1".into(), 3), ("2024-Q2".into(), 1)]);
        assert_eq!(f.direction, "falling");
    }

    #[test]
    fn a_denial_contradicts_and_reliability_comes_from_config() {
        let config = Config::from_toml("h.toml", "[sources]\n\"UN report\" = \"B\"\n").unwrap();
        let claims = vec![
            claim(
                "d1",
                "Post",
                "2024-01-02",
                Some("UN report"),
                Modality::Reported,
                false,
                1,
            ),
            claim(
                "d2",
                "Times",
                "2024-01-05",
                Some("A Front"),
                Modality::Denied,
                false,
                u64::MAX,
            ),
        ];
        let f = &build_findings(&claims, &config)[0];
        assert_eq!((f.supporting, f.contradicting), (1, 1));
        assert_eq!(f.grade, "B4");
        assert!(
            f.explanation.contains("contradicted by 1 origin"),
            "{}",
            f.explanation
        );
    }
}
