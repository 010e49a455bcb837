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
        &[],
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

/// A stored document "<a> <predicate> <b>." by `publisher`, for the kept-findings tests.
fn report(
    publisher: &str,
    a: (&str, &str),
    predicate: Predicate,
    b: (&str, &str),
    date: &str,
) -> havenwatch_store::AnalysedDocument {
    use havenwatch_core::{Document, DocumentMeta};
    let text = format!(
        "{} {} {}, {publisher} wrote on {date}.",
        a.1,
        predicate.as_str().replace('_', " "),
        b.1
    );
    let document = Document::new(
        DocumentMeta {
            publisher: Some(publisher.into()),
            published: Some(date.into()),
            ..Default::default()
        },
        text.clone(),
    );
    let entity = |(id, name): (&str, &str)| havenwatch_core::Entity {
        id: EntityId::new(id),
        name: name.into(),
        entity_type: havenwatch_core::EntityType::ArmedGroup,
        aliases: vec![],
        external_ids: vec![],
        status: havenwatch_core::EntityStatus::Known,
    };
    havenwatch_store::AnalysedDocument {
        mentions: vec![],
        claims: vec![Claim {
            subject: EntityRef {
                id: EntityId::new(a.0),
                name: a.1.into(),
            },
            predicate,
            object: Some(EntityRef {
                id: EntityId::new(b.0),
                name: b.1.into(),
            }),
            qualifiers: Qualifiers::default(),
            source: Source {
                entity: None,
                name: publisher.into(),
            },
            via: vec![],
            modality: Modality::Asserted,
            negated: false,
            evidence: Span::new(0, text.len()),
        }],
        fingerprint: havenwatch_core::text::simhash(&text),
        claims_pending: false,
        document,
        origin: "test".into(),
        entities: vec![entity(a), entity(b)],
    }
}

/// Kept findings equal findings folded from every claim, after the first computation and after
/// an ingest that touched one proposition (updated alone, from its new claim); new settings
/// recompute all.
#[test]
fn kept_findings_update_only_what_an_ingest_touched() {
    use havenwatch_analyze::kept::{kept, refresh};
    use havenwatch_store::{SqliteStore, Store};
    let mut store = SqliteStore::in_memory().unwrap();
    let (a, b, c) = (
        ("g:a", "Ash Front"),
        ("g:b", "Birch Army"),
        ("g:c", "Cedar Brigade"),
    );
    store
        .write_batch(&[
            report("Wire One", a, Predicate::Supports, b, "2024-01-01"),
            report("Wire Two", a, Predicate::Supports, b, "2024-02-01"),
            report("Wire One", b, Predicate::HostileTo, c, "2024-03-01"),
            report("Wire Three", c, Predicate::HostileTo, b, "2024-04-01"),
        ])
        .unwrap();
    let config = Config::default();
    let as_json = |f: &[havenwatch_analyze::Finding]| serde_json::to_value(f).unwrap();
    let everything =
        |store: &SqliteStore| build_findings(&store.claims(&Default::default()).unwrap(), &config);
    let first = refresh(&mut store, &config, &|_| {}).unwrap();
    assert!(first.full);
    assert_eq!(
        first.findings, 2,
        "symmetric hostility in either order is one finding"
    );
    assert_eq!(
        as_json(&kept(&store, &Default::default()).unwrap()),
        as_json(&everything(&store))
    );
    // Nothing new: nothing recomputed.
    assert_eq!(refresh(&mut store, &config, &|_| {}).unwrap().findings, 0);
    // One new report touches one proposition.
    store
        .write_batch(&[report("Wire Four", a, Predicate::Supports, b, "2024-05-01")])
        .unwrap();
    let second = refresh(&mut store, &config, &|_| {}).unwrap();
    assert_eq!(
        (second.full, second.findings, second.claims),
        (false, 1, 1),
        "the new claim is folded into the kept state; the two before are not read again"
    );
    let kept_now = kept(&store, &Default::default()).unwrap();
    assert_eq!(as_json(&kept_now), as_json(&everything(&store)));
    assert_eq!(kept_now[0].reports, 3);
    // About an entity, as `findings --about` asks.
    let about_c = kept(
        &store,
        &havenwatch_store::FindingQuery {
            about: Some("g:c".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(about_c.len(), 1);
    // New grades: everything again.
    let graded = Config::from_toml("h.toml", "[sources]\n\"Wire One\" = \"A\"\n").unwrap();
    let third = refresh(&mut store, &graded, &|_| {}).unwrap();
    assert!(third.full && third.findings == 2);
    assert!(kept(&store, &Default::default())
        .unwrap()
        .iter()
        .any(|f| f.grade.starts_with('A')));
}

/// The index-driven answers for one entity (counts per predicate, the newest claims) agree
/// with filtering every claim, including claims where the entity is on both sides.
#[test]
fn counts_and_newest_claims_about_an_entity_agree_with_all_claims() {
    use havenwatch_store::{ClaimQuery, SqliteStore, Store};
    let mut store = SqliteStore::in_memory().unwrap();
    let (a, b, c) = (
        ("g:a", "Ash Front"),
        ("g:b", "Birch Army"),
        ("g:c", "Cedar Brigade"),
    );
    let mut docs = Vec::new();
    for (i, (s, p, o)) in [
        (a, Predicate::Supports, b),
        (b, Predicate::Supports, a),
        (a, Predicate::HostileTo, c),
        (c, Predicate::Attacks, a),
        (a, Predicate::Supports, c),
        (b, Predicate::Attacks, c),
        (a, Predicate::Supports, b),
    ]
    .into_iter()
    .enumerate()
    {
        docs.push(report(
            &format!("Wire {i}"),
            s,
            p,
            o,
            &format!("2024-0{}-01", i % 3 + 1),
        ));
    }
    store.write_batch(&docs).unwrap();
    let about = ClaimQuery {
        about: Some("g:a".into()),
        ..Default::default()
    };
    let all = store.claims(&about).unwrap();
    assert_eq!(all.len(), 6);
    let counts = store.claim_counts(&about).unwrap();
    for (p, n) in &counts {
        assert_eq!(
            *n,
            all.iter().filter(|c| c.claim.predicate == *p).count(),
            "{p}"
        );
    }
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), all.len());
    for limit in 1..=6 {
        let newest = store
            .claims(&ClaimQuery {
                limit,
                ..about.clone()
            })
            .unwrap();
        let ids = |v: &[havenwatch_store::StoredClaim]| -> Vec<String> {
            v.iter()
                .map(|c| format!("{}{}", c.document, c.claim.evidence.start))
                .collect()
        };
        assert_eq!(ids(&newest), ids(&all[..limit]), "limit {limit}");
    }
    let supports = ClaimQuery {
        predicate: Some(Predicate::Supports),
        limit: 2,
        ..about
    };
    let two = store.claims(&supports).unwrap();
    assert_eq!(two.len(), 2);
    assert!(two.iter().all(|c| c.claim.predicate == Predicate::Supports));
}
