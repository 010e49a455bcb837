//! Store integration tests: files from older schema versions, batches, merges.

use havenwatch_core::{
    Document, DocumentMeta, Entity, EntityId, EntityStatus, EntityType, Mention, MentionRule, Span,
};
use havenwatch_store::{AnalysedDocument, EntityQuery, SqliteStore, Store, SCHEMA_VERSION};
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
