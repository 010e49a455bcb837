//! Findings-layer behaviours pinned on small hand-built corpora (fictional).

use havenwatch_analyze::config::Config;
use havenwatch_analyze::{build_findings, scorecard, threat};
use havenwatch_core::{
    Claim, DocumentId, EntityId, EntityRef, Modality, Predicate, Qualifiers, Source, Span,
};
use havenwatch_store::StoredClaim;

struct C<'a> {
    subject: (&'a str, &'a str),
    predicate: Predicate,
    object: Option<(&'a str, &'a str)>,
    source: &'a str,
    via: bool,
    modality: Modality,
    negated: bool,
    doc: &'a str,
    publisher: &'a str,
    date: &'a str,
}

fn stored(c: C<'_>) -> StoredClaim {
    let source = Source {
        entity: None,
        name: c.source.into(),
    };
    StoredClaim {
        claim: Claim {
            subject: EntityRef {
                id: EntityId::new(c.subject.0),
                name: c.subject.1.into(),
            },
            predicate: c.predicate,
            object: c.object.map(|(id, name)| EntityRef {
                id: EntityId::new(id),
                name: name.into(),
            }),
            qualifiers: Qualifiers::default(),
            via: if c.via { vec![source.clone()] } else { vec![] },
            source,
            modality: c.modality,
            negated: c.negated,
            evidence: Span::new(0, 1),
        },
        document: DocumentId(c.doc.into()),
        title: None,
        publisher: Some(c.publisher.into()),
        published: Some(c.date.into()),
        evidence_text: "evidence".into(),
        // Distinct documents, far apart: not syndicated copies.
        fingerprint: Some(c.doc.bytes().fold(0u64, |h, b| {
            h.rotate_left(17) ^ u64::from(b).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })),
        tlp: havenwatch_core::Tlp::Green,
    }
}

const AUTH: (&str, &str) = ("a:auth", "Hill Authority");
const FRONT: (&str, &str) = ("g:front", "Hill Front");

fn raid(source: &str, via: bool, doc: &str, publisher: &str) -> StoredClaim {
    stored(C {
        subject: AUTH,
        predicate: Predicate::ActsAgainst,
        object: Some(FRONT),
        source,
        via,
        modality: if via {
            Modality::Reported
        } else {
            Modality::Asserted
        },
        negated: false,
        doc,
        publisher,
        date: "2024-03-01",
    })
}

#[test]
fn a_scorecard_counts_an_action_verified_only_with_independent_corroboration() {
    let config = Config::default();
    // The authority's word, carried by two outlets: claimed, not verified.
    let claims = vec![
        raid("Hill Authority", true, "d1", "Post"),
        raid("Hill Authority", true, "d2", "Times"),
    ];
    let cards = scorecard::scorecard(&claims, AUTH.0, AUTH.1, &config);
    assert_eq!(cards.len(), 1);
    assert_eq!(
        (cards[0].verified.len(), cards[0].claimed.len()),
        (0, 1),
        "{cards:?}"
    );

    // An outlet that saw it itself: verified.
    let mut more = claims.clone();
    more.push(raid("Courier", false, "d3", "Courier"));
    let cards = scorecard::scorecard(&more, AUTH.0, AUTH.1, &config);
    assert_eq!(
        (cards[0].verified.len(), cards[0].claimed.len()),
        (1, 0),
        "{cards:?}"
    );
}

#[test]
fn a_threat_ranking_changes_when_an_attack_is_added() {
    let config = Config::from_toml(
        "h.toml",
        "[neighbours]\n\"Coastland\" = [\"Hill Province\"]\n[weights]\nattacks = 3\n",
    )
    .unwrap();
    let present = |who: (&'static str, &'static str), doc: &'static str| {
        stored(C {
            subject: who,
            predicate: Predicate::OperatesIn,
            object: Some(("p:hill", "Hill Province")),
            source: "Post",
            via: false,
            modality: Modality::Asserted,
            negated: false,
            doc,
            publisher: "Post",
            date: "2024-01-01",
        })
    };
    let other: (&str, &str) = ("g:other", "Valley Brigade");
    let mut claims = vec![
        present(FRONT, "d1"),
        present(other, "d2"),
        present(other, "d3"),
    ];
    claims[2].publisher = Some("Times".into());
    claims[2].claim.source.name = "Times".into();
    let ranked = |claims: &[StoredClaim]| {
        let findings = build_findings(claims, &config);
        threat::threat("Coastland", &findings, claims, &config)
    };
    let before = ranked(&claims);
    assert_eq!(
        before[0].group, "Valley Brigade",
        "two origins place it next door: {before:?}"
    );
    claims.push(stored(C {
        subject: FRONT,
        predicate: Predicate::Attacks,
        object: Some(("s:coast", "Coastland")),
        source: "Courier",
        via: false,
        modality: Modality::Asserted,
        negated: false,
        doc: "d4",
        publisher: "Courier",
        date: "2024-02-01",
    }));
    let after = ranked(&claims);
    assert_eq!(after[0].group, "Hill Front", "{after:?}");
    let attacks = after[0].terms.iter().find(|t| t.name == "attacks").unwrap();
    assert_eq!(
        (attacks.value, attacks.weight, attacks.contribution),
        (1.0, 3.0, 3.0)
    );
    assert!(
        (after[0].score - after[0].terms.iter().map(|t| t.contribution).sum::<f64>()).abs() < 1e-9
    );
}

#[test]
fn a_denial_contradicts_and_networks_export() {
    let config = Config::default();
    let claims = vec![
        stored(C {
            subject: AUTH,
            predicate: Predicate::Shelters,
            object: Some(FRONT),
            source: "Panel",
            via: true,
            modality: Modality::Reported,
            negated: false,
            doc: "d1",
            publisher: "Post",
            date: "2024-01-01",
        }),
        stored(C {
            subject: AUTH,
            predicate: Predicate::Shelters,
            object: Some(FRONT),
            source: "Hill Authority",
            via: true,
            modality: Modality::Denied,
            negated: false,
            doc: "d2",
            publisher: "Times",
            date: "2024-01-02",
        }),
    ];
    let findings = build_findings(&claims, &config);
    assert_eq!((findings[0].supporting, findings[0].contradicting), (1, 1));
    let net = havenwatch_analyze::network::network(&findings, None, 1);
    assert_eq!(net.edges.len(), 1);
    let dot = net.to_dot();
    assert!(dot.contains("\"a:auth\" -> \"g:front\""), "{dot}");
    let graphml = net.to_graphml();
    assert!(
        graphml.contains("<edge id=\"e0\" source=\"a:auth\" target=\"g:front\""),
        "{graphml}"
    );
    let brief = havenwatch_analyze::brief::brief(
        "Hill Authority",
        &findings,
        &claims,
        &[],
        havenwatch_analyze::brief::Format::Markdown,
    );
    assert!(brief.contains("Hill Authority"), "{brief}");
    assert!(
        brief.contains("contradicted by Hill Authority"),
        "every statement carries its footnote: {brief}"
    );
    assert!(
        brief
            .lines()
            .filter(|l| l.starts_with("- "))
            .all(|l| l.contains("[^")),
        "{brief}"
    );
}
