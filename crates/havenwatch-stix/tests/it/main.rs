//! STIX export and import against a real (in-memory) store and the real bundles in
//! `../shared/data/stix`.

use havenwatch_analyze::Config;
use havenwatch_core::{
    Claim, Document, DocumentMeta, Entity, EntityId, EntityRef, EntityStatus, EntityType, Mention,
    MentionRule, Modality, Predicate, Qualifiers, Source, Span, Tlp,
};
use havenwatch_store::{AnalysedDocument, SqliteStore, Store};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

fn entity(id: &str, name: &str, t: EntityType) -> Entity {
    Entity {
        id: EntityId::new(id),
        name: name.into(),
        entity_type: t,
        aliases: vec![],
        external_ids: vec![],
        status: EntityStatus::Known,
    }
}

/// A document "<A> supports <B>." by `publisher`, marked `tlp`, with its claim and mentions.
fn doc(publisher: &str, a: &Entity, b: &Entity, tlp: Tlp, date: &str) -> AnalysedDocument {
    let text = format!("{} supports {}. Published by {publisher}.", a.name, b.name);
    let document = Document::new(
        DocumentMeta {
            publisher: Some(publisher.into()),
            published: Some(date.into()),
            tlp: Some(tlp),
            ..Default::default()
        },
        text.clone(),
    );
    let sentence_end = text.find('.').unwrap() + 1;
    let at = |name: &str| text.find(name).unwrap();
    let mention = |e: &Entity| Mention {
        entity: e.id.clone(),
        document: document.id.clone(),
        span: Span::new(at(&e.name), at(&e.name) + e.name.len()),
        surface: e.name.clone(),
        rule: MentionRule::Gazetteer,
    };
    AnalysedDocument {
        mentions: vec![mention(a), mention(b)],
        claims: vec![Claim {
            subject: EntityRef {
                id: a.id.clone(),
                name: a.name.clone(),
            },
            predicate: Predicate::Supports,
            object: Some(EntityRef {
                id: b.id.clone(),
                name: b.name.clone(),
            }),
            qualifiers: Qualifiers::default(),
            source: Source {
                entity: None,
                name: publisher.into(),
            },
            via: vec![],
            modality: Modality::Asserted,
            negated: false,
            evidence: Span::new(0, sentence_end),
        }],
        fingerprint: havenwatch_core::text::simhash(&text),
        claims_pending: false,
        document,
        origin: "test".into(),
        entities: vec![a.clone(), b.clone()],
    }
}

fn store_with_markings() -> SqliteStore {
    let mut store = SqliteStore::in_memory().unwrap();
    let alpha = entity("g:alpha", "Alpha Front", EntityType::ArmedGroup);
    let beta = entity("g:beta", "Beta Brigade", EntityType::ArmedGroup);
    let gamma = entity("g:gamma", "Gamma Secret Army", EntityType::ArmedGroup);
    store
        .write_batch(&[
            doc("Open Wire", &alpha, &beta, Tlp::Clear, "2024-01-05"),
            doc("Green Desk", &alpha, &beta, Tlp::Green, "2024-02-05"),
            doc("Red Liaison", &gamma, &beta, Tlp::Red, "2024-03-05"),
        ])
        .unwrap();
    store
}

fn by_type<'a>(objects: &'a [Value], t: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["type"] == t).collect()
}

fn finding_ext(rel: &Value) -> &Value {
    rel["extensions"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
}

#[test]
fn an_audience_gets_only_what_it_may_see_with_counts_rebuilt() {
    let mut store = store_with_markings();
    let config = Config::default();
    let now = "2026-11-26T00:00:00.000Z";
    let red = havenwatch_stix::export(&mut store, &config, Tlp::Red, now).unwrap();
    let green = havenwatch_stix::export(&mut store, &config, Tlp::Green, now).unwrap();
    let clear = havenwatch_stix::export(&mut store, &config, Tlp::Clear, now).unwrap();

    // Every object's marking is within the audience, and refs name its marking.
    for (bundle, level) in [(&green, Tlp::Green), (&clear, Tlp::Clear)] {
        for (o, t) in bundle.objects.iter().zip(&bundle.markings) {
            assert!(*t <= level, "{} marked {t} in a {level} export", o["id"]);
            if o["type"] != "marking-definition" {
                assert_eq!(o["object_marking_refs"][0], t.stix_marking_id());
                assert!(o["created_by_ref"].is_string());
            }
        }
        let text = bundle.to_json().to_string();
        assert!(!text.contains("Gamma Secret Army"));
        assert!(!text.contains("Red Liaison"));
    }
    assert!(red.to_json().to_string().contains("Gamma Secret Army"));

    // The finding "Alpha supports Beta": two reports at GREEN, one at CLEAR, same id.
    let alpha_beta = |b: &havenwatch_stix::Bundle| -> (String, u64, Tlp) {
        let (rel, t) = b
            .objects
            .iter()
            .zip(&b.markings)
            .find(|(o, _)| {
                o["type"] == "relationship"
                    && o["description"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("Alpha Front supports"))
            })
            .unwrap();
        (
            rel["id"].as_str().unwrap().to_string(),
            finding_ext(rel)["reports"].as_u64().unwrap(),
            *t,
        )
    };
    let (gid, greports, gtlp) = alpha_beta(&green);
    let (cid, creports, ctlp) = alpha_beta(&clear);
    assert_eq!(gid, cid, "stable ids across audiences");
    assert_eq!((greports, gtlp), (2, Tlp::Green));
    assert_eq!(
        (creports, ctlp),
        (1, Tlp::Clear),
        "a CLEAR view is rebuilt from CLEAR claims"
    );
    assert_eq!(by_type(&red.objects, "note").len(), 3);
    assert_eq!(by_type(&green.objects, "note").len(), 2);
    assert_eq!(by_type(&clear.objects, "note").len(), 1);
    // The standard TLP definitions, with the ids of the specification.
    let defs: HashSet<&str> = by_type(&green.objects, "marking-definition")
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(defs.contains("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"));
    assert_eq!(by_type(&green.objects, "extension-definition").len(), 4);
    // The clearance of the store is restored.
    assert_eq!(store.clearance(), Tlp::Red);
}

#[test]
fn a_re_export_keeps_ids_and_versions_until_content_changes() {
    let mut store = store_with_markings();
    let config = Config::default();
    let first =
        havenwatch_stix::export(&mut store, &config, Tlp::Red, "2026-11-26T00:00:00.000Z").unwrap();
    let again =
        havenwatch_stix::export(&mut store, &config, Tlp::Red, "2026-11-27T00:00:00.000Z").unwrap();
    let versions = |b: &havenwatch_stix::Bundle| -> BTreeMap<String, String> {
        b.objects
            .iter()
            .filter(|o| o["type"] != "marking-definition")
            .map(|o| {
                (
                    o["id"].as_str().unwrap().to_string(),
                    o["modified"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        versions(&first),
        versions(&again),
        "nothing changed, nothing moves"
    );
    // A new report on Alpha supporting Beta changes that finding, not the others.
    let alpha = entity("g:alpha", "Alpha Front", EntityType::ArmedGroup);
    let beta = entity("g:beta", "Beta Brigade", EntityType::ArmedGroup);
    store
        .write_batch(&[doc("Another Wire", &alpha, &beta, Tlp::Clear, "2024-04-01")])
        .unwrap();
    let third =
        havenwatch_stix::export(&mut store, &config, Tlp::Red, "2026-11-28T00:00:00.000Z").unwrap();
    let (before, after) = (versions(&again), versions(&third));
    let changed: Vec<&String> = after
        .iter()
        .filter(|(id, m)| before.get(*id).is_some_and(|b| b != *m))
        .map(|(id, _)| id)
        .collect();
    assert!(
        changed.iter().any(|id| id.starts_with("relationship--")),
        "{changed:?} {before:?} {after:?}"
    );
    assert!(changed
        .iter()
        .all(|id| after[*id] == "2026-11-28T00:00:00.000Z"));
    let gamma_actor = third
        .objects
        .iter()
        .find(|o| o["name"] == "Gamma Secret Army")
        .unwrap();
    assert!(!changed.contains(&&gamma_actor["id"].as_str().unwrap().to_string()));
    assert!(after.len() > before.len(), "new report, note and source");
}

fn shared() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/stix");
    assert!(
        p.is_dir(),
        "../shared/data/stix is missing: the tests need the shared reference data beside the checkout"
    );
    p
}

/// Every real bundle imports: each object is imported or reported skipped with a reason, and
/// what is imported keeps its marking. Malformed files change nothing.
#[test]
fn real_bundles_import_or_say_why_not() {
    let mut seen = 0;
    for dir in std::fs::read_dir(shared()).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let result = havenwatch_stix::import(&text, &name, "partner", Tlp::Amber, &|_| None);
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            if stem.starts_with("invalid_braces") || stem.starts_with("invalid_comma") {
                let e = result.unwrap_err().to_string();
                assert!(e.starts_with(&name) && e.contains("not JSON"), "{e}");
                continue;
            }
            let (docs, report) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let imported: usize = report.imported.values().sum();
            assert_eq!(
                imported + report.skipped.len(),
                report.objects,
                "{name}: every object imported or skipped"
            );
            assert!(report.skipped.iter().all(|s| !s.reason.is_empty()));
            let mut store = SqliteStore::in_memory().unwrap();
            store.write_batch(&docs).unwrap();
            seen += 1;
        }
    }
    assert!(seen >= 20, "read {seen} bundles");
}

#[test]
fn imports_keep_markings_and_round_trip_claims() {
    let mut store = store_with_markings();
    let bundle = havenwatch_stix::export(
        &mut store,
        &Config::default(),
        Tlp::Red,
        "2026-11-26T00:00:00.000Z",
    )
    .unwrap();
    let text = bundle.to_json().to_string();
    let (docs, report) =
        havenwatch_stix::import(&text, "b.json", "Partner Desk", Tlp::Amber, &|_| None).unwrap();
    assert_eq!(
        report.claims,
        3 + 2,
        "three notes and two findings come back as claims"
    );
    let mut fresh = SqliteStore::in_memory().unwrap();
    fresh.write_batch(&docs).unwrap();
    fresh.set_clearance(Tlp::Green);
    let claims = fresh.claims(&Default::default()).unwrap();
    assert!(claims.iter().all(|c| c.tlp <= Tlp::Green));
    assert!(claims.iter().all(|c| c.claim.source.name == "Partner Desk"));
    assert!(!claims
        .iter()
        .any(|c| c.claim.subject.name == "Gamma Secret Army"));
    fresh.set_clearance(Tlp::Red);
    let gamma: Vec<_> = fresh
        .claims(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.claim.subject.name == "Gamma Secret Army")
        .collect();
    assert!(!gamma.is_empty() && gamma.iter().all(|c| c.tlp == Tlp::Red));
    // The evidence of each claim is a sentence of its document.
    assert!(gamma[0].evidence_text.contains("Gamma Secret Army"));

    let bad = havenwatch_stix::import(
        "{\"type\": \"bundle\", \"objects\": [{\"id\": 3}]}",
        "x.json",
        "p",
        Tlp::Amber,
        &|_| None,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(bad, "x.json: objects[0] has no valid `type` and `id`");
}
