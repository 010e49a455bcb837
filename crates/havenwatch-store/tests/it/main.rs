//! Store integration tests: files from older schema versions, batches, merges.

use havenwatch_core::{
    Document, DocumentMeta, Entity, EntityId, EntityStatus, EntityType, Mention, MentionRule, Span,
    Tlp,
};
use havenwatch_store::{
    AnalysedDocument, AuditEntry, AuditQuery, EntityQuery, SqliteStore, StixQuery, StixRecord,
    Store, VersionMatch, SCHEMA_VERSION,
};
use rusqlite::types::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn analysed(text: &str, publisher: &str, entity: &Entity, surface: &str) -> AnalysedDocument {
    let document = Document::new(
        DocumentMeta {
            publisher: Some(publisher.into()),
            ..Default::default()
        },
        text.into(),
    );
    let start = text.find(surface).unwrap();
    AnalysedDocument {
        mentions: vec![Mention {
            entity: entity.id.clone(),
            document: document.id.clone(),
            span: Span::new(start, start + surface.len()),
            surface: surface.into(),
            rule: MentionRule::Gazetteer,
        }],
        document,
        origin: "test".into(),
        entities: vec![entity.clone()],
        claims: vec![],
        fingerprint: havenwatch_core::text::simhash(text),
        claims_pending: false,
    }
}

fn group(id: &str, name: &str, status: EntityStatus) -> Entity {
    Entity {
        id: EntityId::new(id),
        name: name.into(),
        entity_type: EntityType::ArmedGroup,
        aliases: vec![],
        external_ids: vec![],
        status,
    }
}

/// A file written by the first release (schema 1: documents only) opens, upgrades in place,
/// keeps its documents, and takes new writes. Regenerate with
/// `cargo test -p havenwatch-store --test it -- --ignored write_v1_fixture`.
#[test]
fn a_schema_1_file_upgrades_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(fixture("schema-v1.db"), &path).unwrap();
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let docs = store.documents(&Default::default()).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title.as_deref(), Some("Written by schema 1"));
    assert_eq!(store.search("fixture", 5).unwrap().len(), 1);
    let e = group("x:1", "Upgrade Front", EntityStatus::Known);
    let out = store
        .write_batch(&[analysed(
            "The Upgrade Front is new.",
            "P",
            &e,
            "Upgrade Front",
        )])
        .unwrap();
    assert_eq!(out.added, 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    // Each document has its narrow `document_meta` row, agreeing with it: the old one's from
    // the migration that made the table, the new one's from the store's insert (the trigger
    // that wrote it before is gone, or the insert would have failed on the row it wrote).
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM documents"), 2);
    assert_eq!(
        count(
            "SELECT count(*) FROM documents d JOIN document_meta m ON m.doc_key = d.doc_key
             WHERE m.id = d.id AND m.publisher IS d.publisher AND m.published IS d.published
               AND m.fingerprint IS d.fingerprint AND m.tlp = d.tlp"
        ),
        2
    );
    assert_eq!(count("SELECT count(*) FROM document_meta"), 2);
    drop(conn);
    // The file keeps the page size it was created with; new files get larger pages.
    let page_size = |p: &std::path::Path| -> i64 {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(page_size(&path), 4096);
    let fresh = dir.path().join("new.db");
    drop(SqliteStore::open(&fresh).unwrap());
    assert_eq!(page_size(&fresh), 16_384);
    // Full-text leaf pages fill a file page: set for the new file, the default (sized for
    // 4 KB pages) kept by the old one.
    let fts_page_size = |p: &std::path::Path| -> Option<i64> {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row(
                "SELECT v FROM documents_fts_config WHERE k = 'pgsz'",
                [],
                |r| r.get(0),
            )
            .ok()
    };
    assert_eq!(fts_page_size(&path), None);
    assert_eq!(fts_page_size(&fresh), Some(16_000));
    // Documents from before markings existed are AMBER: kept from GREEN readers.
    assert_eq!(docs[0].tlp, Tlp::Amber);
    store.set_clearance(Tlp::Green);
    assert!(store.documents(&Default::default()).unwrap().is_empty());
}

fn marked(text: &str, tlp: Tlp, entity: &Entity, surface: &str) -> AnalysedDocument {
    let mut a = analysed(text, "Desk", entity, surface);
    a.document.meta.tlp = Some(tlp);
    a
}

/// A reader below RED sees only documents at or below its clearance, and only the entities,
/// mentions, search hits and counts those documents reveal.
#[test]
fn clearance_limits_every_read() {
    let mut store = SqliteStore::in_memory().unwrap();
    let open = group("g:open", "Open Front", EntityStatus::Known);
    let hidden = group("g:hidden", "Hidden Brigade", EntityStatus::Known);
    store
        .write_batch(&[
            marked(
                "The Open Front holds the ridge.",
                Tlp::Green,
                &open,
                "Open Front",
            ),
            marked(
                "The Hidden Brigade moved north.",
                Tlp::Red,
                &hidden,
                "Hidden Brigade",
            ),
            marked(
                "The Open Front met envoys.",
                Tlp::Amber,
                &open,
                "Open Front",
            ),
        ])
        .unwrap();
    assert_eq!(store.stats().unwrap().documents, 3);
    store.set_clearance(Tlp::Green);
    let docs = store.documents(&Default::default()).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].tlp, Tlp::Green);
    assert!(store.find_entity("Hidden Brigade").unwrap().is_none());
    assert!(store.entity("g:hidden").unwrap().is_none());
    assert!(store.find_entity("Open Front").is_ok_and(|e| e.is_some()));
    let names: Vec<String> = store
        .entities(&EntityQuery::default())
        .unwrap()
        .into_iter()
        .map(|e| e.entity.name)
        .collect();
    assert_eq!(names, ["Open Front"]);
    assert_eq!(store.entity_counts("g:open").unwrap().mentions, 1);
    assert_eq!(store.mentions("g:open", 0).unwrap().len(), 1);
    assert!(store.search("brigade", 10).unwrap().is_empty());
    assert!(store.search("envoys", 10).unwrap().is_empty());
    let stats = store.stats().unwrap();
    assert_eq!((stats.documents, stats.mentions), (1, 1));
    store.set_clearance(Tlp::Amber);
    assert_eq!(store.search("envoys", 10).unwrap().len(), 1);
    assert_eq!(store.stats().unwrap().documents, 2);
}

/// TAXII collections: versions are kept once, pages resume where they stopped, filters and
/// clearance apply.
#[test]
fn stix_collections_page_filter_and_respect_clearance() {
    let mut store = SqliteStore::in_memory().unwrap();
    let record = |i: usize, version: &str, tlp: Tlp| StixRecord {
        id: format!("threat-actor--{i:08}"),
        object_type: if i.is_multiple_of(2) {
            "threat-actor"
        } else {
            "identity"
        }
        .into(),
        spec_version: "2.1".into(),
        version: version.into(),
        tlp,
        json: format!("{{\"n\":{i},\"v\":\"{version}\"}}"),
    };
    let first: Vec<StixRecord> = (0..10)
        .map(|i| record(i, "2024-01-01T00:00:00.000Z", Tlp::Green))
        .collect();
    let out = store.publish_stix("green", &first).unwrap();
    assert_eq!((out.added.len(), out.unchanged.len()), (10, 0));
    let again = store.publish_stix("green", &first).unwrap();
    assert_eq!((again.added.len(), again.unchanged.len()), (0, 10));
    store
        .publish_stix("green", &[record(3, "2024-02-01T00:00:00.000Z", Tlp::Red)])
        .unwrap();

    let page = |store: &SqliteStore, q: StixQuery| store.stix_objects(&q).unwrap();
    let q = StixQuery {
        collection: "green".into(),
        limit: 4,
        ..Default::default()
    };
    let p1 = page(&store, q.clone());
    assert_eq!(p1.objects.len(), 4);
    assert!(p1.more);
    let mut seen = p1.objects.len();
    let mut after = p1.objects.last().map(|o| o.seq);
    loop {
        let p = page(
            &store,
            StixQuery {
                after_seq: after,
                ..q.clone()
            },
        );
        seen += p.objects.len();
        after = p.objects.last().map(|o| o.seq);
        if !p.more {
            break;
        }
    }
    assert_eq!(seen, 10, "the last version of each of ten objects");
    let v3 = |store: &SqliteStore, versions: VersionMatch| {
        page(
            store,
            StixQuery {
                collection: "green".into(),
                ids: vec!["threat-actor--00000003".into()],
                versions,
                ..Default::default()
            },
        )
        .objects
        .into_iter()
        .map(|o| o.version)
        .collect::<Vec<_>>()
    };
    assert_eq!(v3(&store, VersionMatch::Last), ["2024-02-01T00:00:00.000Z"]);
    assert_eq!(v3(&store, VersionMatch::All).len(), 2);
    assert_eq!(
        v3(&store, VersionMatch::First),
        ["2024-01-01T00:00:00.000Z"]
    );
    let typed = page(
        &store,
        StixQuery {
            collection: "green".into(),
            types: vec!["identity".into()],
            ..Default::default()
        },
    );
    assert_eq!(typed.objects.len(), 5);
    // A GREEN reader never sees the RED version, and its "last" is the last it may see.
    store.set_clearance(Tlp::Green);
    assert_eq!(v3(&store, VersionMatch::Last), ["2024-01-01T00:00:00.000Z"]);
    assert_eq!(v3(&store, VersionMatch::All).len(), 1);
    assert_eq!(
        store.stix_collections().unwrap(),
        [("green".to_string(), 10)]
    );
}

#[test]
fn audit_log_is_queryable() {
    let mut store = SqliteStore::in_memory().unwrap();
    let entry = |partner: &str, at: &str| AuditEntry {
        at: at.into(),
        partner: partner.into(),
        action: "GET /taxii2/".into(),
        target: "/taxii2/".into(),
        status: 200,
    };
    store
        .record_audit(&[
            entry("a", "2026-01-01T00:00:00Z"),
            entry("b", "2026-02-01T00:00:00Z"),
        ])
        .unwrap();
    let all = store.audit(&AuditQuery::default()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].partner, "b", "newest first");
    let a = store
        .audit(&AuditQuery {
            partner: Some("a".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(a, [entry("a", "2026-01-01T00:00:00Z")]);
    let since = store
        .audit(&AuditQuery {
            since: Some("2026-02".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.len(), 1);
}

#[test]
#[ignore = "writes the committed fixture"]
fn write_v1_fixture() {
    let path = fixture("schema-v1.db");
    let _ = std::fs::remove_file(&path);
    let store = SqliteStore::open_at_version(&path, 1).unwrap();
    drop(store);
    assert!(insert_with_sql(&path));
}

/// Inserts the fixture's one document with plain SQL, as the store's own batch writer needs
/// tables that schema 1 does not have.
fn insert_with_sql(path: &std::path::Path) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "INSERT INTO documents (id, title, publisher, text, origin, ingested_at) VALUES ('00aa', 'Written by schema 1', 'Old Outlet', 'An old fixture document.', 'fixture', '2026-01-01T00:00:00Z'); PRAGMA journal_mode=DELETE;",
    )
    .is_ok()
}

#[test]
fn a_newer_file_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(SqliteStore::open(&path).unwrap());
    {
        let store = SqliteStore::open(&path).unwrap();
        drop(store);
    }
    // Pretend a future release wrote it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer havenwatch"), "{err}");
}

#[test]
fn batches_skip_duplicates_and_merges_are_reversible() {
    let mut store = SqliteStore::in_memory().unwrap();
    let known = group("x:known", "Known Front", EntityStatus::Known);
    let prov = group("prov:hill-front", "Hill Front", EntityStatus::Provisional);
    let a = analysed(
        "Known Front fighters were seen.",
        "P1",
        &known,
        "Known Front",
    );
    let b = analysed("The Hill Front struck.", "P1", &prov, "Hill Front");
    let out = store
        .write_batch(&[a.clone(), b.clone(), a.clone()])
        .unwrap();
    assert_eq!((out.added, out.duplicate, out.mentions), (2, 1, 2));
    let out = store.write_batch(&[a, b]).unwrap();
    assert_eq!((out.added, out.duplicate), (0, 2));

    assert!(
        store.confirm_entity("Known Front").is_err(),
        "known entities need no confirming"
    );
    store
        .merge_entities("Hill Front", "Known Front", "same group")
        .unwrap();
    let summary = store.entities(&EntityQuery::default()).unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].mentions, 2);
    assert_eq!(summary[0].merged, vec!["prov:hill-front"]);
    assert_eq!(
        store.find_entity("hill front").unwrap().unwrap().id.0,
        "x:known"
    );
    assert_eq!(store.mentions("x:known", 0).unwrap().len(), 2);
    assert!(store
        .merge_entities("Hill Front", "Known Front", "again")
        .is_err());

    store
        .unmerge_entity("prov:hill-front", "different leaders")
        .unwrap();
    assert_eq!(store.entities(&EntityQuery::default()).unwrap().len(), 2);
    assert_eq!(
        store.find_entity("Hill Front").unwrap().unwrap().id.0,
        "prov:hill-front"
    );
    let history = store.merge_history("Known Front").unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].undo_reason.as_deref(), Some("different leaders"));
    assert!(store.unmerge_entity("prov:hill-front", "twice").is_err());
}

/// Mention rows are written many to a statement: every mention of a batch is stored once, in
/// order, with its own document, entity, span, surface and rule, across full statements and
/// the rows left over, and a duplicate document's mentions are not stored again.
#[test]
fn every_mention_of_a_batch_is_stored_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mentions.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let front = group("x:front", "Ridge Front", EntityStatus::Known);
    let army = group("x:army", "Delta Army", EntityStatus::Known);
    let rules = [
        MentionRule::Gazetteer,
        MentionRule::Acronym,
        MentionRule::GroupNoun,
    ];
    // 5 documents of 31 mentions: two full statements and 27 rows left over.
    let docs: Vec<AnalysedDocument> = (0..5)
        .map(|d| {
            let text: String = (0..31)
                .map(|i| format!("Doc {d} line {i}: Ridge Front and Delta Army. "))
                .collect();
            let mut doc = analysed(&text, "P", &front, "Ridge Front");
            doc.entities.push(army.clone());
            doc.mentions = text
                .match_indices("Ridge Front")
                .chain(text.match_indices("Delta Army"))
                .enumerate()
                .filter(|(i, _)| i % 2 == 0 || *i > 40)
                .take(31)
                .map(|(i, (start, surface))| Mention {
                    entity: if surface == "Ridge Front" {
                        front.id.clone()
                    } else {
                        army.id.clone()
                    },
                    document: doc.document.id.clone(),
                    span: Span::new(start, start + surface.len()),
                    surface: surface.to_string(),
                    rule: rules[i % 3],
                })
                .collect();
            assert_eq!(doc.mentions.len(), 31);
            doc
        })
        .collect();
    let mut batch = docs.clone();
    batch.push(docs[1].clone());
    let out = store.write_batch(&batch).unwrap();
    assert_eq!((out.added, out.duplicate, out.mentions), (5, 1, 155));
    let expected: Vec<Vec<Value>> = docs
        .iter()
        .flat_map(|d| {
            d.mentions.iter().map(|m| {
                vec![
                    d.document.id.0.clone().into(),
                    m.entity.0.clone().into(),
                    (m.span.start as i64).into(),
                    (m.span.end as i64).into(),
                    m.surface.clone().into(),
                    m.rule.as_str().to_string().into(),
                ]
            })
        })
        .collect();
    drop(store);
    let stored = rows(
        &path,
        "SELECT d.id, m.entity_id, m.start, m.end, m.surface, m.rule
         FROM mentions m JOIN documents d ON d.doc_key = m.doc_key ORDER BY m.rowid",
    );
    assert_eq!(stored, expected);
}

/// A claim of `subject` against `object` (or none) whose evidence is `start..end`.
fn claim(
    subject: &Entity,
    object: Option<&Entity>,
    start: usize,
    end: usize,
    negated: bool,
) -> havenwatch_core::Claim {
    use havenwatch_core::{Claim, EntityRef, Modality, Predicate, Qualifiers, Source};
    let as_ref = |e: &Entity| EntityRef {
        id: e.id.clone(),
        name: e.name.clone(),
    };
    Claim {
        subject: as_ref(subject),
        predicate: if object.is_some() {
            Predicate::Supports
        } else {
            Predicate::OperatesIn
        },
        object: object.map(as_ref),
        qualifiers: Qualifiers::default(),
        source: Source {
            entity: None,
            name: format!("Source {start}"),
        },
        via: vec![],
        modality: if negated {
            Modality::Denied
        } else {
            Modality::Asserted
        },
        negated,
        evidence: Span::new(start, end),
    }
}

/// Every row a query gives, on a store file.
fn rows(path: &std::path::Path, query: &str) -> Vec<Vec<Value>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut statement = conn.prepare(query).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The claims in a store file, in id order: document key, subject, object, source, evidence
/// span, negation, document date.
fn claim_rows(path: &std::path::Path) -> Vec<Vec<Value>> {
    rows(
        path,
        "SELECT doc_key, subject, object, source_name, evidence_start, evidence_end, negated,
                published
         FROM claims ORDER BY id",
    )
}

/// Every claim of a batch is stored once, in order, as given; claims extracted again replace a
/// document's claims whole (a document named twice keeps the second set).
#[test]
fn every_claim_of_a_batch_is_stored_as_given_and_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let front = group("x:front", "Ridge Front", EntityStatus::Known);
    let army = group("x:army", "Delta Army", EntityStatus::Known);
    // 3 documents of 25 claims each.
    let docs: Vec<AnalysedDocument> = (0..3)
        .map(|d| {
            let text = format!("Document {d}: the Ridge Front and the Delta Army. ").repeat(25);
            let mut doc = analysed(&text, "P", &front, "Ridge Front");
            doc.document.meta.published = Some(format!("2026-0{}-01", d + 1));
            doc.entities.push(army.clone());
            doc.claims = (0..25)
                .map(|i| {
                    claim(
                        &front,
                        (i % 3 == 0).then_some(&army),
                        i,
                        i + 10 + d,
                        i % 4 == 0,
                    )
                })
                .collect();
            doc
        })
        .collect();
    let out = store.write_batch(&docs).unwrap();
    assert_eq!((out.added, out.claims), (3, 75));
    let expected = |docs: &[(i64, &[havenwatch_core::Claim], &str)]| {
        docs.iter()
            .flat_map(|(key, claims, published)| {
                claims.iter().map(move |c| (*key, c, published.to_string()))
            })
            .map(|(key, c, published)| {
                vec![
                    key.into(),
                    c.subject.id.0.clone().into(),
                    c.object.as_ref().map(|o| o.id.0.clone()).into(),
                    c.source.name.clone().into(),
                    (c.evidence.start as i64).into(),
                    (c.evidence.end as i64).into(),
                    c.negated.into(),
                    published.into(),
                ]
            })
            .collect::<Vec<Vec<Value>>>()
    };
    let stored = claim_rows(&path);
    let key = |row: &Vec<Value>| match row[0] {
        Value::Integer(k) => k,
        _ => panic!("a document key"),
    };
    let (k0, k1, k2) = (key(&stored[0]), key(&stored[25]), key(&stored[50]));
    assert_eq!(
        stored,
        expected(&[
            (k0, &docs[0].claims, "2026-01-01"),
            (k1, &docs[1].claims, "2026-02-01"),
            (k2, &docs[2].claims, "2026-03-01"),
        ])
    );

    // The second document's claims extracted again, twice in one call: the second set stays.
    let first: Vec<_> = (0..20)
        .map(|i| claim(&army, None, i, i + 5, false))
        .collect();
    let second: Vec<_> = (0..40)
        .map(|i| claim(&army, Some(&front), i, i + 7, true))
        .collect();
    let again = |claims: &Vec<havenwatch_core::Claim>| havenwatch_store::ExtractedClaims {
        key: k1,
        claims: claims.clone(),
        entities: vec![],
    };
    let out = store
        .replace_claims(&[again(&first), again(&second)])
        .unwrap();
    assert_eq!((out.documents, out.removed, out.added), (2, 25 + 20, 60));
    let stored = claim_rows(&path);
    let mut want = expected(&[
        (k0, &docs[0].claims, "2026-01-01"),
        (k2, &docs[2].claims, "2026-03-01"),
    ]);
    want.extend(expected(&[(k1, &second, "2026-02-01")]));
    assert_eq!(stored, want);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// The names of the indexes a store file has.
fn index_names(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .unwrap();
    let names = stmt.query_map([], |r| r.get(0)).unwrap();
    names.collect::<rusqlite::Result<_>>().unwrap()
}

/// A bulk load sets the claim and mention indexes aside and builds them at its end; the file
/// then has the very indexes it had before, and reads through them see what was loaded.
#[test]
fn a_bulk_load_sets_indexes_aside_and_builds_them_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let before = index_names(&path);
    assert!(
        before.contains(&"claims_finding_key".to_string()),
        "{before:?}"
    );
    assert!(store.begin_bulk_load().unwrap());
    let during = index_names(&path);
    assert!(
        !during.contains(&"claims_finding_key".to_string()),
        "{during:?}"
    );
    // Indexes that rows reach in write order stay up to date during the load.
    for kept in ["mentions_entity_doc", "mentions_doc", "claims_doc"] {
        assert!(during.contains(&kept.to_string()), "{kept}: {during:?}");
    }
    assert_eq!(
        store.deferred_indexes().unwrap().len(),
        havenwatch_store::BULK_DEFERRED_INDEXES.len()
    );
    let known = group("x:known", "Known Front", EntityStatus::Known);
    let doc = analysed(
        "Known Front fighters were seen.",
        "P1",
        &known,
        "Known Front",
    );
    assert_eq!(store.write_batch(&[doc]).unwrap().added, 1);
    assert!(
        store.search("fighters", 10).unwrap().is_empty(),
        "search sees a bulk load's documents when it ends"
    );
    store.end_bulk_load().unwrap();
    assert_eq!(index_names(&path), before);
    assert_eq!(store.search("fighters", 10).unwrap().len(), 1);
    assert!(store.deferred_indexes().unwrap().is_empty());
    assert_eq!(store.mentions("x:known", 0).unwrap().len(), 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(
        !dir.path().join("bulk.db.bulk-load").exists(),
        "the lock file is removed at the end"
    );
}

/// A store with 20 documents written one batch at a time and 600 more by a bulk load, whose
/// full-text index is built on two threads from `split_from` documents.
fn bulk_loaded(path: &std::path::Path, split_from: i64) -> SqliteStore {
    let words = [
        "convoy",
        "checkpoint",
        "garrison",
        "ambush",
        "ridge",
        "harbour",
        "raid",
    ];
    let places = [
        "northern ridge",
        "old harbour",
        "river crossing",
        "Kalmo",
        "Dessa",
    ];
    let known = group("x:known", "Known Front", EntityStatus::Known);
    let doc = |i: usize| {
        let text = format!(
            "Report {i}: Known Front fighters hit a {} near the {} and a {} at {}. {}",
            words[i % 7],
            places[i % 5],
            words[(i * 3 + 1) % 7],
            places[(i / 5) % 5],
            "Officials said the area was calm. ".repeat(i % 4)
        );
        let mut d = analysed(&text, "P", &known, "Known Front");
        d.document.meta.title = Some(format!("Dispatch {} {}", i % 11, words[i % 3]));
        d
    };
    let mut store = SqliteStore::open(path).unwrap();
    store.set_full_text_split_from(split_from);
    let earlier: Vec<_> = (0..20).map(doc).collect();
    store.write_batch(&earlier).unwrap();
    assert!(store.begin_bulk_load().unwrap());
    for batch in (20..620).collect::<Vec<_>>().chunks(64) {
        let docs: Vec<_> = batch.iter().map(|&i| doc(i)).collect();
        store.write_batch(&docs).unwrap();
    }
    store.end_bulk_load().unwrap();
    store
}

/// The store's file passes SQLite's integrity check, and its full-text index FTS5's own check
/// against the documents' text.
fn assert_sound(store: &SqliteStore, path: &std::path::Path) {
    assert_eq!(store.integrity_check().unwrap(), "ok");
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "INSERT INTO documents_fts(documents_fts, rank) VALUES('integrity-check', 1)",
            [],
        )
        .expect("the full-text index matches the documents");
}

/// A bulk load's full-text index built on two threads (half indexed by the writer, half in a
/// scratch file whose segments are then added) passes FTS5's integrity check and answers every
/// query as the index built in one pass does, hits and ranks; the scratch file is gone, and
/// later writes go on being indexed.
#[test]
fn a_full_text_index_built_on_two_threads_searches_as_one_built_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (split_path, one_path) = (dir.path().join("split.db"), dir.path().join("one.db"));
    let mut split = bulk_loaded(&split_path, 100);
    let one = bulk_loaded(&one_path, i64::MAX);
    assert_eq!(split.full_text_fallback(), None, "built on two threads");
    assert!(split.deferred_indexes().unwrap().is_empty());
    assert!(!dir.path().join("split.db-full-text-part").exists());
    assert_sound(&split, &split_path);
    let hits = |store: &SqliteStore, q: &str| -> Vec<(String, String)> {
        let mut hits: Vec<_> = store
            .search(q, 10_000)
            .unwrap()
            .into_iter()
            .map(|h| (format!("{:.12}", h.rank), h.id.0))
            .collect();
        hits.sort();
        hits
    };
    for q in [
        "report",
        "convoy",
        "\"northern ridge\"",
        "garrison OR harbour",
        "ambush NOT ridge",
        "raid*",
        "dispatch",
        "officials calm",
    ] {
        let (a, b) = (hits(&split, q), hits(&one, q));
        assert!(!a.is_empty(), "{q}");
        assert_eq!(a, b, "{q}");
    }
    assert_eq!(hits(&split, "report").len(), 620);
    // The trigger is back: a later document is indexed, and the index stays sound.
    let known = group("x:known", "Known Front", EntityStatus::Known);
    let later = analysed(
        "Known Front seen at Zebrafinch.",
        "P",
        &known,
        "Known Front",
    );
    split.write_batch(&[later]).unwrap();
    assert_eq!(split.search("zebrafinch", 10).unwrap().len(), 1);
    assert_sound(&split, &split_path);
}

/// When a step of the two-thread build fails (here the scratch file cannot be created: a
/// directory has its name), the index is built in one pass instead, and is sound.
#[test]
fn a_full_text_index_the_split_build_fails_on_is_built_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blocked.db");
    std::fs::create_dir(dir.path().join("blocked.db-full-text-part")).unwrap();
    let store = bulk_loaded(&path, 100);
    let why = store.full_text_fallback().expect("built in one pass");
    assert!(why.contains("second half"), "{why}");
    assert!(store.deferred_indexes().unwrap().is_empty());
    assert_eq!(store.search("report", 10_000).unwrap().len(), 620);
    assert_sound(&store, &path);
}

/// During a bulk load the log is copied back into the file by a thread of its own, not by
/// the writer's commits (whose bound, 65,536 pages, a small load never reaches): the file
/// grows while the load runs, and what was loaded is all there at its end.
#[test]
fn a_bulk_load_copies_its_log_into_the_file_as_it_goes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let mut store = SqliteStore::open(&path).unwrap();
    assert!(store.begin_bulk_load().unwrap());
    let file_size = || std::fs::metadata(&path).unwrap().len();
    let before = file_size();
    let known = group("x:known", "Known Front", EntityStatus::Known);
    let filler = "Residents described the roads as closed. ".repeat(100);
    for b in 0..10 {
        let batch: Vec<_> = (0..50)
            .map(|i| {
                analysed(
                    &format!("Known Front report {b}-{i}. {filler}"),
                    "P1",
                    &known,
                    "Known Front",
                )
            })
            .collect();
        assert_eq!(store.write_batch(&batch).unwrap().added, 50);
    }
    // The checkpointer rests 50 ms between rounds; give it (much) more than that.
    let waited = std::time::Instant::now();
    while file_size() < before + 500 * 4000 && waited.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        file_size() >= before + 500 * 4000,
        "the file holds the loaded documents before the load ends: {before} -> {} bytes",
        file_size()
    );
    store.end_bulk_load().unwrap();
    assert_eq!(store.stats().unwrap().documents, 500);
    assert_eq!(store.search("residents", 1000).unwrap().len(), 500);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// A bulk load that dies (its handle gone without building) leaves its indexes to the next
/// open, which builds them; an open while the load still runs leaves them to the load.
#[test]
fn indexes_a_dead_bulk_load_set_aside_are_built_by_the_next_open_not_under_a_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let before = index_names(&{
        SqliteStore::open(&path).unwrap();
        path.clone()
    });
    let mut loading = SqliteStore::open(&path).unwrap();
    assert!(loading.begin_bulk_load().unwrap());
    {
        // A second handle (another process, say) while the load runs: nothing rebuilt, and
        // it cannot start a bulk load of its own.
        let mut other = SqliteStore::open(&path).unwrap();
        assert_eq!(
            other.deferred_indexes().unwrap().len(),
            havenwatch_store::BULK_DEFERRED_INDEXES.len()
        );
        assert!(!other.begin_bulk_load().unwrap());
    }
    // The load dies without end_bulk_load. Dying while its full-text index was half built on
    // two threads leaves a scratch file too, removed with the rest of what the load left.
    drop(loading);
    let scratch = dir.path().join("bulk.db-full-text-part");
    std::fs::write(&scratch, b"half an index").unwrap();
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.deferred_indexes().unwrap().is_empty());
    assert_eq!(index_names(&path), before);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(!scratch.exists());
}
