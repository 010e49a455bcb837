//! The embedded SQLite backend.

use crate::checkpoint::BackgroundCheckpointer;
use crate::model::*;
use crate::{sql, Result, Store, StoreError};
use havenwatch_core::text::alias_key;
use havenwatch_core::{
    Document, DocumentId, DocumentMeta, Entity, EntityId, EntityStatus, EntityType, ExternalId,
    Predicate, Tlp,
};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Migrations, in order; `MIGRATIONS[i]` takes a file from schema `i` to `i + 1`. A released
/// migration is never edited: changes go in a new one, so every older file upgrades in place.
const MIGRATIONS: &[&str] = &[
    // 1: documents and full-text search.
    r#"
    CREATE TABLE documents (
        doc_key     INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        title       TEXT,
        publisher   TEXT,
        url         TEXT,
        published   TEXT,
        retrieved   TEXT,
        language    TEXT,
        text        TEXT NOT NULL,
        origin      TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_published ON documents(published);
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text, content='documents', content_rowid='doc_key',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.doc_key, new.title, new.text);
    END;
    CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.doc_key, old.title, old.text);
    END;
    "#,
    // 2: entities, their aliases and external ids, and mentions.
    r#"
    CREATE TABLE entities (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        type       TEXT NOT NULL,
        status     TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE entity_aliases (
        entity_id TEXT NOT NULL REFERENCES entities(id),
        alias     TEXT NOT NULL,
        key       TEXT NOT NULL,
        origin    TEXT NOT NULL,
        PRIMARY KEY (entity_id, key)
    );
    CREATE INDEX entity_aliases_key ON entity_aliases(key);
    CREATE TABLE entity_external_ids (
        entity_id TEXT NOT NULL REFERENCES entities(id),
        scheme    TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (entity_id, scheme, value)
    );
    CREATE TABLE mentions (
        doc_key   INTEGER NOT NULL REFERENCES documents(doc_key),
        entity_id TEXT NOT NULL REFERENCES entities(id),
        start     INTEGER NOT NULL,
        end       INTEGER NOT NULL,
        surface   TEXT NOT NULL,
        rule      TEXT NOT NULL
    );
    CREATE INDEX mentions_entity ON mentions(entity_id);
    CREATE INDEX mentions_doc ON mentions(doc_key);
    "#,
    // 3: reversible entity merges, with when and why.
    r#"
    CREATE TABLE entity_merges (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL REFERENCES entities(id),
        target      TEXT NOT NULL REFERENCES entities(id),
        reason      TEXT NOT NULL,
        merged_at   TEXT NOT NULL,
        undone_at   TEXT,
        undo_reason TEXT
    );
    CREATE INDEX entity_merges_source ON entity_merges(source) WHERE undone_at IS NULL;
    "#,
    // 4: claims, with their attribution and evidence.
    r#"
    CREATE TABLE claims (
        id             INTEGER PRIMARY KEY,
        doc_key        INTEGER NOT NULL REFERENCES documents(doc_key),
        subject        TEXT NOT NULL,
        subject_name   TEXT NOT NULL,
        predicate      TEXT NOT NULL,
        object         TEXT,
        object_name    TEXT,
        qualifiers     TEXT NOT NULL,
        source_entity  TEXT,
        source_name    TEXT NOT NULL,
        via            TEXT NOT NULL,
        modality       TEXT NOT NULL,
        negated        INTEGER NOT NULL,
        evidence_start INTEGER NOT NULL,
        evidence_end   INTEGER NOT NULL
    );
    CREATE INDEX claims_subject ON claims(subject);
    CREATE INDEX claims_object ON claims(object);
    CREATE INDEX claims_doc ON claims(doc_key);
    "#,
    // 5: a near-duplicate fingerprint (SimHash) per document, for source independence.
    r#"
    ALTER TABLE documents ADD COLUMN fingerprint INTEGER;
    "#,
    // 6: sharing. A TLP 2.0 marking per document (0 CLEAR .. 4 RED; files written before
    // markings existed are AMBER: shared with no one outside until an analyst says so), the
    // STIX objects published in TAXII collections, the status of partners' TAXII writes, and
    // the audit log of who read or wrote what.
    r#"
    ALTER TABLE documents ADD COLUMN tlp INTEGER NOT NULL DEFAULT 2;
    CREATE TABLE stix_objects (
        seq          INTEGER PRIMARY KEY,
        collection   TEXT NOT NULL,
        id           TEXT NOT NULL,
        type         TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        version      TEXT NOT NULL,
        date_added   TEXT NOT NULL,
        tlp          INTEGER NOT NULL,
        object       TEXT NOT NULL,
        UNIQUE (collection, id, version)
    );
    CREATE INDEX stix_objects_added ON stix_objects(collection, seq);
    CREATE INDEX stix_objects_id ON stix_objects(collection, id);
    CREATE TABLE taxii_status (
        id         TEXT PRIMARY KEY,
        partner    TEXT NOT NULL,
        collection TEXT NOT NULL,
        at         TEXT NOT NULL,
        body       TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        partner TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        status  INTEGER NOT NULL
    );
    CREATE INDEX audit_log_partner ON audit_log(partner, at);
    "#,
    // 7: the versions of exported STIX objects per audience, so a re-export keeps an object's
    // id and `modified` while its content is unchanged and moves `modified` on when it changes.
    r#"
    CREATE TABLE stix_versions (
        audience INTEGER NOT NULL,
        id       TEXT NOT NULL,
        hash     TEXT NOT NULL,
        created  TEXT NOT NULL,
        modified TEXT NOT NULL,
        PRIMARY KEY (audience, id)
    );
    "#,
    // 8: for each stored version, the least strict marking among the newer versions of the same
    // object (5: none), so "the last version a reader may see" is a column test instead of a
    // subquery per row: a version is the last visible at clearance c when superseded_rank > c.
    r#"
    ALTER TABLE stix_objects ADD COLUMN superseded_rank INTEGER NOT NULL DEFAULT 5;
    UPDATE stix_objects SET superseded_rank = coalesce(
        (SELECT min(t.tlp) FROM stix_objects t
         WHERE t.collection = stix_objects.collection AND t.id = stix_objects.id
           AND t.version > stix_objects.version), 5);
    "#,
    // 9: claims carry their document's date and marking (filters and order without a join)
    // and the key of the finding they belong to; findings are kept computed, with the keys
    // whose claims changed since, so that an ingest updates only what it touched.
    r#"
    ALTER TABLE claims ADD COLUMN published TEXT;
    ALTER TABLE claims ADD COLUMN tlp INTEGER NOT NULL DEFAULT 2;
    ALTER TABLE claims ADD COLUMN finding_key TEXT NOT NULL DEFAULT '';
    UPDATE claims SET
        published = (SELECT d.published FROM documents d WHERE d.doc_key = claims.doc_key),
        tlp = (SELECT d.tlp FROM documents d WHERE d.doc_key = claims.doc_key),
        finding_key = CASE
            WHEN predicate IN ('cooperates_with', 'hostile_to') AND object < subject
            THEN object || char(31) || predicate || char(31) || subject
            ELSE subject || char(31) || predicate || char(31) || coalesce(object, '')
        END;
    CREATE INDEX claims_finding_key ON claims(finding_key);
    CREATE INDEX mentions_entity_doc ON mentions(entity_id, doc_key);
    DROP INDEX mentions_entity;
    CREATE INDEX claims_subject_predicate ON claims(subject, predicate, published, doc_key);
    CREATE INDEX claims_object_predicate ON claims(object, predicate, published, doc_key);
    DROP INDEX claims_subject;
    DROP INDEX claims_object;
    CREATE TABLE findings (
        key                 TEXT PRIMARY KEY,
        subject             TEXT NOT NULL,
        object              TEXT,
        predicate           TEXT NOT NULL,
        independent_origins INTEGER NOT NULL,
        reports             INTEGER NOT NULL,
        subject_name        TEXT NOT NULL,
        body                TEXT NOT NULL
    );
    CREATE INDEX findings_subject ON findings(subject);
    CREATE INDEX findings_object ON findings(object);
    CREATE INDEX findings_order ON findings(independent_origins DESC, reports DESC, subject_name);
    CREATE TABLE findings_dirty (key TEXT PRIMARY KEY, seq INTEGER NOT NULL);
    INSERT INTO findings_dirty SELECT finding_key, max(id) FROM claims GROUP BY finding_key;
    CREATE TABLE findings_meta (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
    "#,
    // 10: what analyses need of a document, without its text: a narrow table that stays in
    // the page cache where rows with whole texts would not (one page per document).
    r#"
    CREATE TABLE document_meta (
        doc_key     INTEGER PRIMARY KEY,
        id          TEXT NOT NULL,
        publisher   TEXT,
        published   TEXT,
        fingerprint INTEGER,
        tlp         INTEGER NOT NULL
    );
    INSERT INTO document_meta
        SELECT doc_key, id, publisher, published, fingerprint, tlp FROM documents;
    CREATE TRIGGER documents_meta_ai AFTER INSERT ON documents BEGIN
        INSERT INTO document_meta (doc_key, id, publisher, published, fingerprint, tlp)
        VALUES (new.doc_key, new.id, new.publisher, new.published, new.fingerprint, new.tlp);
    END;
    CREATE TRIGGER documents_meta_ad AFTER DELETE ON documents BEGIN
        DELETE FROM document_meta WHERE doc_key = old.doc_key;
    END;
    "#,
    // 11: counts kept per entity and marking, so `show` answers from a few rows however many
    // documents name an entity: mentions and documents, and claims per side and predicate.
    r#"
    CREATE TABLE entity_stats (
        entity_id TEXT NOT NULL,
        tlp       INTEGER NOT NULL,
        mentions  INTEGER NOT NULL,
        documents INTEGER NOT NULL,
        PRIMARY KEY (entity_id, tlp)
    ) WITHOUT ROWID;
    INSERT INTO entity_stats
        SELECT m.entity_id, d.tlp, count(*), count(DISTINCT m.doc_key)
        FROM mentions m JOIN document_meta d ON d.doc_key = m.doc_key
        GROUP BY m.entity_id, d.tlp;
    CREATE TABLE claim_stats (
        entity_id TEXT NOT NULL,
        side      TEXT NOT NULL,
        predicate TEXT NOT NULL,
        tlp       INTEGER NOT NULL,
        claims    INTEGER NOT NULL,
        PRIMARY KEY (entity_id, side, predicate, tlp)
    ) WITHOUT ROWID;
    INSERT INTO claim_stats
        SELECT subject, 'subject', predicate, tlp, count(*) FROM claims
        GROUP BY subject, predicate, tlp;
    INSERT INTO claim_stats
        SELECT object, 'object', predicate, tlp, count(*) FROM claims WHERE object IS NOT NULL
        GROUP BY object, predicate, tlp;
    "#,
    // 12: a kept finding keeps the state it was folded from (tallies per origin, syndication
    // clusters with their fingerprints) and the last claim folded in, so that new claims are
    // added to it without reading the old ones. Findings kept before have none: recomputed
    // whole when next touched.
    r#"
    ALTER TABLE findings ADD COLUMN state BLOB;
    ALTER TABLE findings ADD COLUMN upto INTEGER;
    "#,
    // 13: the full-text index merges its segments when 16 of a size have gathered rather than
    // 4: an ingest merges less often, in larger steps; searches read a few more segments.
    r#"
    INSERT INTO documents_fts(documents_fts, rank) VALUES('automerge', 16);
    "#,
    // 14: indexes set aside by a bulk load, with the statement that builds each again: a load
    // that dies leaves them here, and the next open builds them.
    r#"
    CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
    "#,
    // 15: documents stored without their claims (`ingest --defer-claims`), until `reextract`
    // extracts them.
    r#"
    CREATE TABLE claims_pending (doc_key INTEGER PRIMARY KEY);
    "#,
    // 16: a document's `document_meta` row is written by the store's own insert, next to the
    // document, not by a trigger: a statement that fires a trigger writes two tables, so SQLite
    // copies every page it changes into a statement journal first (four or five 16 KB pages
    // per document, spilled to a temporary file), in case the trigger fails halfway.
    r#"
    DROP TRIGGER documents_meta_ai;
    "#,
    // 17: full-text leaf pages as large as a file page allows (FTS5 keeps them as blobs and
    // sizes them for 4 KB file pages by default, four to a 16 KB page): a quarter of the blobs
    // to write and to merge; building the index of 200,000 documents takes 8% less time. Files
    // with 4 KB pages keep the default, which fits theirs.
    r#"
    INSERT INTO documents_fts(documents_fts, rank)
        SELECT 'pgsz', page_size - 384 FROM pragma_page_size() WHERE page_size > 4096;
    "#,
];

/// What a bulk load sets aside: the claim indexes by entity and by finding, each updated at
/// random places for every row written and built in one sorted pass at the end several times
/// faster, and the trigger that feeds the full-text index document by document (the index is
/// rebuilt in one pass at the end: search does not see a bulk load's documents before it
/// ends). The indexes that rows reach in the order they are written stay: those by document
/// (`mentions_doc`, `claims_doc`: each row goes at the right edge) and mentions by entity and
/// document (each entity's rows at the right edge of its run, a few hundred pages kept in the
/// cache). Sorting them at the end took 27 s of the 1,000,000-document load's end, with the
/// other core idle; kept up to date they cost the load about as much, spread over both cores,
/// and the peak memory falls from 251 to 160 MB. The document and entity indexes stay too:
/// the load itself looks documents and entities up. (Setting documents by date aside as well
/// moved as much time to the end, on one core, as it saved during the load.)
pub const BULK_DEFERRED_INDEXES: &[&str] = &[
    "claims_subject_predicate",
    "claims_object_predicate",
    "claims_finding_key",
    "documents_ai",
];

/// What builds again, after its own statement, what a deferred schema object fed.
fn rebuild_after(name: &str) -> &'static str {
    match name {
        "documents_ai" => "INSERT INTO documents_fts(documents_fts) VALUES('rebuild');",
        _ => "",
    }
}

/// The log size (pages) past which a commit copies the log back into the file itself.
const WAL_AUTOCHECKPOINT: i64 = 20_000;

/// The same during a bulk load, whose background checkpointer copies the log as it grows: a
/// bound on the log's size (1 GB) should the checkpointer fall behind, not a pace.
const BULK_WAL_AUTOCHECKPOINT: i64 = 65_536;

/// The page size of files this build creates.
const PAGE_SIZE: i64 = 16_384;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The bulk-load lock, tried: taken (the file held until dropped; none for a store in
/// memory, which no other handle shares), or held by another handle.
enum BulkLock {
    Taken(Option<std::fs::File>),
    Busy,
}

/// The embedded store: one SQLite file (or memory, for tests).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: String,
    /// Entity ids and (entity, surface form) hashes written by this handle: skips repeated
    /// `INSERT OR IGNORE`s on the ingest hot path.
    seen_entities: HashSet<String>,
    seen_aliases: HashSet<u64>,
    /// Every read sees only documents marked at or below this level, and only what they
    /// reveal (claims, mentions, entities, search hits, counts).
    clearance: Tlp,
    /// Held while a bulk load runs (an exclusive lock on `<file>.bulk-load`): tells other
    /// handles that the indexes it set aside are not to be rebuilt under it.
    bulk_lock: Option<std::fs::File>,
    /// Copies the log back into the file while a bulk load runs, so the writer does not.
    checkpointer: Option<BackgroundCheckpointer>,
    /// From how many documents (by key range) the full-text index a bulk load set aside is
    /// built on two threads ([`crate::full_text`]) rather than by one `rebuild`.
    full_text_split_from: i64,
    /// Why the last full-text index built on two threads was built again in one pass.
    full_text_fallback: Option<String>,
}

/// Below this many documents one `rebuild` is about as fast as two halves and their joining.
const FULL_TEXT_SPLIT_FROM: i64 = 50_000;

/// The share of the documents the writer indexes itself when the full-text index is built on
/// two threads: less than half, as it then also copies the other thread's index in.
const FULL_TEXT_WRITER_SHARE: f64 = 0.45;

/// A TAXII timestamp: RFC 3339 UTC with milliseconds, so that strings compare as times.
pub fn taxii_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl SqliteStore {
    /// Opens (creating if needed) a store file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_at_version(path, SCHEMA_VERSION)
    }

    /// An empty store in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::init(conn, ":memory:".into(), SCHEMA_VERSION)
    }

    /// Opens a store migrating only up to `version`: lets tests write files as older
    /// releases did.
    #[doc(hidden)]
    pub fn open_at_version(path: impl AsRef<Path>, version: i64) -> Result<Self> {
        let display = path.as_ref().display().to_string();
        let conn = Connection::open(path.as_ref()).map_err(|source| StoreError::Open {
            path: display.clone(),
            source,
        })?;
        Self::init(conn, display, version)
    }

    fn init(conn: Connection, path: String, version: i64) -> Result<Self> {
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        // A new file gets 16 KB pages (a file's page size is fixed when it is created: older
        // files keep theirs): a news-sized document fits in one page instead of spilling into
        // an overflow page, index pages hold four times the keys, the log writes a quarter of
        // the frames.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;

        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // A page cache of its own (64 MB, bounded): B-tree and FTS5 pages the writer touches
        // again stay in memory instead of being read back from the file.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(open_err)?;
        // Checkpoint every 20,000 pages (320 MB of log with 16 KB pages) rather than 1,000:
        // an ingest's hot index pages are copied back once per checkpoint, not once per few
        // batches.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
            .map_err(open_err)?;
        let mut store = SqliteStore {
            conn,
            path,
            seen_entities: HashSet::new(),
            seen_aliases: HashSet::new(),
            clearance: Tlp::Red,
            bulk_lock: None,
            checkpointer: None,
            full_text_split_from: FULL_TEXT_SPLIT_FROM,
            full_text_fallback: None,
        };
        store.rebuild_abandoned_indexes()?;
        store.migrate(version)?;
        Ok(store)
    }

    /// Runs a batch write with SQLite's foreign-key checks off (one index lookup per mention
    /// and claim, about a fifth of the writer's work). The writer keeps the references itself:
    /// in one transaction it writes each document before its mentions and claims and each
    /// entity before the first row that names it; tests hold every written file to
    /// `PRAGMA foreign_key_check`. The pragma only takes effect between transactions.
    fn without_foreign_key_checks<T>(
        &mut self,
        write: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.conn
            .pragma_update(None, "foreign_keys", "OFF")
            .map_err(sql("turning foreign-key checks off"))?;
        let out = write(self);
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(sql("turning foreign-key checks on"))?;
        out
    }

    fn write_batch_checked_by_writer(
        &mut self,
        batch: &[AnalysedDocument],
    ) -> Result<BatchOutcome> {
        let mut outcome = BatchOutcome::default();
        let ingested_at = now();
        let tx = self.conn.transaction().map_err(sql("starting a batch"))?;
        let mut new_entities: Vec<String> = Vec::new();
        let mut new_aliases: HashSet<u64> = HashSet::new();
        {
            // A document stored already (by an earlier batch or earlier in this one) is
            // skipped by its id's unique index, in the same lookup that places a new one.
            let mut insert_doc = tx
                .prepare_cached(
                    "INSERT INTO documents (id, title, publisher, url, published, retrieved,
                     language, text, origin, ingested_at, fingerprint, tlp)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (id) DO NOTHING",
                )
                .map_err(sql("preparing"))?;
            let mut insert_meta = tx
                .prepare_cached(
                    "INSERT INTO document_meta (doc_key, id, publisher, published, fingerprint, tlp)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sql("preparing"))?;
            let mut mark_pending = tx
                .prepare_cached("INSERT OR IGNORE INTO claims_pending (doc_key) VALUES (?1)")
                .map_err(sql("preparing"))?;
            let mut entities = EntityWriter::new(&tx, &ingested_at)?;
            let mut mention_rows = MentionWriter::new(&tx)?;
            let mut add_entity_stats = tx
                .prepare_cached(
                    "INSERT INTO entity_stats (entity_id, tlp, mentions, documents)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (entity_id, tlp) DO UPDATE SET
                         mentions = mentions + excluded.mentions,
                         documents = documents + excluded.documents",
                )
                .map_err(sql("preparing"))?;
            let mut claims = ClaimWriter::new(&tx)?;
            // Kept counts are added once per batch, not once per document.
            let mut entity_stats: HashMap<(&str, i64), (i64, i64)> = HashMap::new();
            for item in batch {
                let doc = &item.document;
                let m = &doc.meta;
                let tlp = m.tlp.unwrap_or(Tlp::Amber).rank();
                let inserted = insert_doc
                    .execute(params![
                        doc.id.0,
                        m.title,
                        m.publisher,
                        m.url,
                        m.published,
                        m.retrieved,
                        m.language,
                        doc.text,
                        item.origin,
                        ingested_at,
                        item.fingerprint as i64,
                        tlp
                    ])
                    .map_err(sql("storing a document"))?;
                if inserted == 0 {
                    outcome.duplicate += 1;
                    continue;
                }
                let doc_key = tx.last_insert_rowid();
                insert_meta
                    .execute(params![
                        doc_key,
                        doc.id.0,
                        m.publisher,
                        m.published,
                        item.fingerprint as i64,
                        tlp
                    ])
                    .map_err(sql("storing a document's metadata"))?;
                outcome.added += 1;
                if item.claims_pending {
                    mark_pending
                        .execute([doc_key])
                        .map_err(sql("marking a document's claims to extract"))?;
                }
                for e in &item.entities {
                    if self.seen_entities.contains(&e.id.0) {
                        continue;
                    }
                    outcome.new_entities += entities.write(e)?;
                    new_entities.push(e.id.0.clone());
                }
                outcome.claims +=
                    claims.write(doc_key, m.published.as_deref(), tlp, &item.claims)?;
                let mut per_entity: HashMap<&str, i64> = HashMap::new();
                for mention in &item.mentions {
                    *per_entity.entry(mention.entity.0.as_str()).or_default() += 1;
                }
                for (entity, n) in per_entity {
                    let slot = entity_stats.entry((entity, tlp)).or_default();
                    slot.0 += n;
                    slot.1 += 1;
                }
                for mention in &item.mentions {
                    mention_rows.push(doc_key, mention)?;
                    outcome.mentions += 1;
                    // Every spelling seen in text becomes an alias, so `show` finds it. The
                    // hash check keeps this hot loop free of allocation for spellings seen.
                    let seen = surface_hash(&mention.entity.0, &mention.surface);
                    if !self.seen_aliases.contains(&seen) && new_aliases.insert(seen) {
                        entities.alias(&mention.entity.0, &mention.surface, "text")?;
                    }
                }
            }
            mention_rows.finish()?;
            claims.finish()?;
            for ((entity, tlp), (mentions, documents)) in entity_stats {
                add_entity_stats
                    .execute(params![entity, tlp, mentions, documents])
                    .map_err(sql("counting mentions"))?;
            }
        }
        tx.commit().map_err(sql("committing a batch"))?;
        // Only after the commit: a rolled-back batch must not be remembered as written.
        self.seen_entities.extend(new_entities);
        self.seen_aliases.extend(new_aliases);
        Ok(outcome)
    }

    fn replace_claims_checked_by_writer(
        &mut self,
        docs: &[ExtractedClaims],
    ) -> Result<ReplaceOutcome> {
        let mut outcome = ReplaceOutcome::default();
        let at = now();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting to replace claims"))?;
        let mut new_entities: Vec<String> = Vec::new();
        {
            let mut meta = tx
                .prepare_cached("SELECT published, tlp FROM document_meta WHERE doc_key = ?1")
                .map_err(sql("preparing"))?;
            // The old claims leave the kept counts, and their findings are folded again from
            // all their claims (their kept states counted the claims removed here).
            let mut forget = tx
                .prepare_cached(
                    "INSERT INTO claim_stats (entity_id, side, predicate, tlp, claims)
                     SELECT subject, 'subject', predicate, tlp, -count(*) FROM claims
                     WHERE doc_key = ?1 GROUP BY subject, predicate, tlp
                     UNION ALL
                     SELECT object, 'object', predicate, tlp, -count(*) FROM claims
                     WHERE doc_key = ?1 AND object IS NOT NULL GROUP BY object, predicate, tlp
                     ON CONFLICT (entity_id, side, predicate, tlp) DO UPDATE SET
                         claims = claims + excluded.claims",
                )
                .map_err(sql("preparing"))?;
            let mut refold = tx
                .prepare_cached(
                    "UPDATE findings SET state = NULL, upto = NULL
                     WHERE key IN (SELECT finding_key FROM claims WHERE doc_key = ?1)",
                )
                .map_err(sql("preparing"))?;
            // Marked up to any claim id (a finding left without claims loses its row); the new
            // claims' marks below lower it to their newest id, still past every claim left.
            let mut mark = tx
                .prepare_cached(
                    "INSERT INTO findings_dirty (key, seq)
                     SELECT DISTINCT finding_key, 9223372036854775807 FROM claims
                     WHERE doc_key = ?1
                     ON CONFLICT (key) DO UPDATE SET seq = excluded.seq",
                )
                .map_err(sql("preparing"))?;
            let mut delete = tx
                .prepare_cached("DELETE FROM claims WHERE doc_key = ?1")
                .map_err(sql("preparing"))?;
            let mut done = tx
                .prepare_cached("DELETE FROM claims_pending WHERE doc_key = ?1")
                .map_err(sql("preparing"))?;
            let mut entities = EntityWriter::new(&tx, &at)?;
            let mut claims = ClaimWriter::new(&tx)?;
            for doc in docs {
                let Some((published, tlp)) = meta
                    .query_row([doc.key], |r| {
                        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
                    })
                    .optional()
                    .map_err(sql("reading a document's date and marking"))?
                else {
                    return Err(StoreError::Invalid(format!(
                        "no stored document has key {}",
                        doc.key
                    )));
                };
                forget
                    .execute([doc.key])
                    .map_err(sql("uncounting old claims"))?;
                refold
                    .execute([doc.key])
                    .map_err(sql("marking findings to fold again"))?;
                mark.execute([doc.key])
                    .map_err(sql("marking findings to update"))?;
                outcome.removed += delete
                    .execute([doc.key])
                    .map_err(sql("removing old claims"))?;
                done.execute([doc.key])
                    .map_err(sql("marking a document's claims extracted"))?;
                for e in &doc.entities {
                    if !self.seen_entities.contains(&e.id.0) {
                        entities.write(e)?;
                        new_entities.push(e.id.0.clone());
                    }
                }
                outcome.added += claims.write(doc.key, published.as_deref(), tlp, &doc.claims)?;
                outcome.documents += 1;
            }
            claims.finish()?;
            tx.execute("DELETE FROM claim_stats WHERE claims <= 0", [])
                .map_err(sql("dropping empty counts"))?;
        }
        tx.commit().map_err(sql("committing replaced claims"))?;
        self.seen_entities.extend(new_entities);
        Ok(outcome)
    }

    /// The lock file that marks a bulk load in progress on this store's file.
    fn bulk_lock_path(&self) -> Option<String> {
        (self.path != ":memory:").then(|| format!("{}.bulk-load", self.path))
    }

    /// Tries to take the bulk-load lock without waiting.
    fn try_bulk_lock(&self) -> Result<BulkLock> {
        let Some(path) = self.bulk_lock_path() else {
            return Ok(BulkLock::Taken(None));
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(BulkLock::Taken(Some(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(BulkLock::Busy),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Io { path, source }),
        }
    }

    /// Indexes a bulk load set aside and never built again (the load died): built now,
    /// unless a load still runs (holds the lock), before any migration that may expect them.
    fn rebuild_abandoned_indexes(&mut self) -> Result<()> {
        let has_table: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deferred_indexes'",
                [],
                |r| r.get::<_, i64>(0).map(|n| n > 0),
            )
            .map_err(sql("looking for deferred indexes"))?;
        if !has_table {
            return Ok(());
        }
        let pending: i64 = self
            .conn
            .query_row("SELECT count(*) FROM deferred_indexes", [], |r| r.get(0))
            .map_err(sql("counting deferred indexes"))?;
        if pending == 0 {
            return Ok(());
        }
        // A load that is running holds the lock: its indexes are its to build.
        let BulkLock::Taken(lock) = self.try_bulk_lock()? else {
            return Ok(());
        };
        self.build_deferred_indexes()?;
        if let (Some(lock), Some(path)) = (lock, self.bulk_lock_path()) {
            let _ = std::fs::remove_file(path);
            drop(lock);
        }
        Ok(())
    }

    /// Sets from how many documents a bulk load's full-text index is built on two threads
    /// (tests set it low to exercise that path on a few documents).
    pub fn set_full_text_split_from(&mut self, documents: i64) {
        self.full_text_split_from = documents;
    }

    /// Why the last full-text index set to be built on two threads was built in one pass
    /// instead (its records in a form this build does not know, or a step of the split build
    /// failed).
    pub fn full_text_fallback(&self) -> Option<&str> {
        self.full_text_fallback.as_deref()
    }

    /// Where to split the documents for a full-text index built on two threads: the last key
    /// the writer indexes itself. None when the index is not set aside, the store is in
    /// memory, or the documents are too few.
    fn full_text_split(&self) -> Result<Option<i64>> {
        if self.path == ":memory:" {
            return Ok(None);
        }
        let set_aside: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM deferred_indexes WHERE name = 'documents_ai'
                 AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_ai')",
                [],
                |r| r.get(0),
            )
            .map_err(sql("looking for the deferred full-text trigger"))?;
        if set_aside == 0 {
            return Ok(None);
        }
        let (first, last): (Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT min(doc_key), max(doc_key) FROM document_meta",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql("reading the range of document keys"))?;
        Ok(match (first, last) {
            (Some(first), Some(last)) if last - first + 1 >= self.full_text_split_from => {
                Some(first + ((last - first) as f64 * FULL_TEXT_WRITER_SHARE) as i64)
            }
            _ => None,
        })
    }

    /// Builds every index in `deferred_indexes` and forgets it, in one transaction; a large
    /// full-text index on two threads, its second half added in a transaction of its own.
    fn build_deferred_indexes(&mut self) -> Result<()> {
        let split = self.full_text_split()?;
        let scratch = crate::full_text::scratch_path(&self.path);
        // A load that died while building on two threads left its scratch file.
        if self.path != ":memory:" {
            crate::full_text::remove_scratch(&scratch);
        }
        let part = split.map(|last_ours| {
            let (store, scratch) = (self.path.clone(), scratch.clone());
            std::thread::spawn(move || crate::full_text::build_part(&store, &scratch, last_ours))
        });
        let (part, trigger) = match (part, self.build_deferred_indexes_but(split)) {
            (Some(part), Ok(Some(trigger))) => (part, trigger),
            (part, built) => {
                // Nothing split, or the first half failed: the second half's thread is waited
                // for (it may still be writing its scratch file) and its work thrown away.
                if let Some(part) = part {
                    let _ = part.join();
                    crate::full_text::remove_scratch(&scratch);
                }
                return built.map(|_| ());
            }
        };
        let added = match part.join() {
            Ok(Ok(last)) => {
                crate::full_text::add_part(&self.path, &scratch, last, &trigger, "documents_ai")
            }
            Ok(Err(source)) => Err(StoreError::Sql {
                context: "indexing the second half",
                source,
            }),
            Err(_) => Err(StoreError::Invalid(
                "the second half's thread panicked".to_string(),
            )),
        };
        crate::full_text::remove_scratch(&scratch);
        match added {
            Ok(()) => Ok(()),
            // Built again in one pass, as without the split: the trigger is still set aside.
            Err(why) => {
                self.full_text_fallback = Some(why.to_string());
                self.build_deferred_indexes_but(None).map(|_| ())
            }
        }
    }

    /// Builds the indexes in `deferred_indexes` and forgets them, in one transaction. With
    /// `split`, the full-text trigger is left set aside and its index holds the documents up
    /// to that key only: gives the statement that creates the trigger, for the caller to
    /// create once the rest is indexed.
    fn build_deferred_indexes_but(&mut self, split: Option<i64>) -> Result<Option<String>> {
        // Each index is built by sorting the whole table: let SQLite's sorter use a helper
        // thread per spare core (the load's extraction is over by then, its cores idle).
        let helpers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) - 1;
        self.conn
            .pragma_update(None, "threads", helpers as i64)
            .map_err(sql("setting sorter threads"))?;
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting to build indexes"))?;
        let pending: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT name, sql FROM deferred_indexes ORDER BY name")
                .map_err(sql("reading deferred indexes"))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(sql("reading deferred indexes"))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(sql("reading deferred indexes"))?
        };
        let mut trigger = None;
        for (name, create) in &pending {
            let exists: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .map_err(sql("looking for an index"))?;
            if exists != 0 {
                continue;
            }
            match split {
                Some(last_ours) if name == "documents_ai" => {
                    let Some(create) = create.strip_suffix(rebuild_after(name)) else {
                        tx.execute_batch(create)
                            .map_err(sql("building a deferred index"))?;
                        continue;
                    };
                    tx.execute_batch(
                        "INSERT INTO documents_fts(documents_fts) VALUES('delete-all')",
                    )
                    .map_err(sql("emptying the full-text index"))?;
                    tx.execute(
                        "INSERT INTO documents_fts(rowid, title, text)
                         SELECT doc_key, title, text FROM documents WHERE doc_key <= ?1",
                        [last_ours],
                    )
                    .map_err(sql("indexing the first half"))?;
                    trigger = Some(create.to_string());
                }
                _ => tx
                    .execute_batch(create)
                    .map_err(sql("building a deferred index"))?,
            }
        }
        let forget = if trigger.is_some() {
            "DELETE FROM deferred_indexes WHERE name != 'documents_ai'"
        } else {
            "DELETE FROM deferred_indexes"
        };
        tx.execute(forget, [])
            .map_err(sql("forgetting deferred indexes"))?;
        tx.commit().map_err(sql("committing built indexes"))?;
        self.conn
            .pragma_update(None, "threads", 0)
            .map_err(sql("setting sorter threads"))?;
        Ok(trigger)
    }

    /// The names of the indexes set aside by a bulk load and not built yet.
    pub fn deferred_indexes(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM deferred_indexes ORDER BY name")
            .map_err(sql("reading deferred indexes"))?;
        let rows = stmt
            .query_map([], |r| r.get(0))
            .map_err(sql("reading deferred indexes"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(sql("reading deferred indexes"))
    }

    fn migrate(&mut self, target: i64) -> Result<()> {
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql("reading schema version"))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        for v in current..target {
            let tx = self
                .conn
                .transaction()
                .map_err(sql("starting a migration"))?;
            tx.execute_batch(MIGRATIONS[v as usize])
                .map_err(sql("running a migration"))?;
            tx.pragma_update(None, "user_version", v + 1)
                .map_err(sql("recording the schema version"))?;
            tx.commit().map_err(sql("committing a migration"))?;
        }
        Ok(())
    }

    /// Tunes this handle for reading a large store (the server's, queries): the file is read
    /// through a memory map instead of a read call per page, with a larger page cache. Not for
    /// the ingest writer, whose resident memory would grow with the mapped file.
    pub fn tune_for_reads(&self) -> Result<()> {
        self.conn
            .pragma_update(None, "mmap_size", 1_i64 << 30)
            // Mapped pages are not copied into the page cache: a small one will do.
            .and_then(|_| self.conn.pragma_update(None, "cache_size", -8_192))
            .map_err(sql("tuning for reads"))
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql("reading schema version"))
    }

    /// `PRAGMA integrity_check`: `"ok"` for a sound file.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sql("checking integrity"))
    }

    /// Where the store lives.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The entity an id resolves to after following active merges.
    fn root_of(&self, id: &str) -> Result<String> {
        let mut current = id.to_string();
        let mut seen = HashSet::new();
        while seen.insert(current.clone()) {
            let next: Option<String> = self
                .conn
                .query_row(
                    "SELECT target FROM entity_merges WHERE source = ?1 AND undone_at IS NULL",
                    [&current],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql("following a merge"))?;
            match next {
                Some(n) => current = n,
                None => break,
            }
        }
        Ok(current)
    }

    /// Active merges as source -> target.
    fn merge_map(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT source, target FROM entity_merges WHERE undone_at IS NULL")
            .map_err(sql("reading merges"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql("reading merges"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading merges"))
    }

    /// Every id that resolves to `root` (itself and all merged into it, transitively).
    fn members_of(&self, root: &str) -> Result<Vec<String>> {
        let merges = self.merge_map()?;
        let resolve = |id: &str| resolve_in(&merges, id);
        let mut members = vec![root.to_string()];
        members.extend(merges.keys().filter(|s| resolve(s) == root).cloned());
        Ok(members)
    }

    fn load_entity(&self, id: &str) -> Result<Option<Entity>> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT name, type, status FROM entities WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql("reading an entity"))?;
        let Some((name, t, s)) = row else {
            return Ok(None);
        };
        let mut aliases = Vec::new();
        // Below RED, a spelling learnt from text is shown only if a visible document uses it.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.alias FROM entity_aliases a WHERE a.entity_id = ?1
                 AND (?2 >= 4 OR a.origin <> 'text' OR EXISTS (
                     SELECT 1 FROM mentions m JOIN document_meta d ON d.doc_key = m.doc_key
                     WHERE m.entity_id = a.entity_id AND m.surface = a.alias AND d.tlp <= ?2))
                 ORDER BY a.rowid",
            )
            .map_err(sql("reading aliases"))?;
        for a in stmt
            .query_map(params![id, self.clearance.rank()], |r| {
                r.get::<_, String>(0)
            })
            .map_err(sql("reading aliases"))?
        {
            let a = a.map_err(sql("reading aliases"))?;
            if alias_key(&a) != alias_key(&name) {
                aliases.push(a);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT scheme, value FROM entity_external_ids WHERE entity_id = ?1 ORDER BY scheme",
            )
            .map_err(sql("reading external ids"))?;
        let external_ids = stmt
            .query_map([id], |r| {
                Ok(ExternalId {
                    scheme: r.get(0)?,
                    value: r.get(1)?,
                })
            })
            .map_err(sql("reading external ids"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("reading external ids"))?;
        Ok(Some(Entity {
            id: EntityId(id.to_string()),
            name,
            entity_type: t.parse().unwrap_or(EntityType::ArmedGroup),
            aliases,
            external_ids,
            status: s.parse().unwrap_or(EntityStatus::Provisional),
        }))
    }

    /// Counts as a reader below RED sees them: only what visible documents reveal.
    fn stats_at_clearance(&self) -> Result<StoreStats> {
        let rank = self.clearance.rank();
        let count = |q: &str| -> Result<usize> {
            self.conn
                .query_row(q, [rank], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(sql("counting"))
        };
        let entities = self.entities(&EntityQuery::default())?;
        let mut by_type: Vec<(String, usize)> = Vec::new();
        for e in &entities {
            let t = e.entity.entity_type.as_str();
            match by_type.iter_mut().find(|(name, _)| name == t) {
                Some((_, n)) => *n += 1,
                None => by_type.push((t.to_string(), 1)),
            }
        }
        by_type.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(StoreStats {
            documents: count("SELECT count(*) FROM document_meta WHERE tlp <= ?1")?,
            claims: count("SELECT count(*) FROM claims c WHERE c.tlp <= ?1")?,
            mentions: count(
                "SELECT count(*) FROM mentions m JOIN document_meta d ON d.doc_key = m.doc_key
                 WHERE d.tlp <= ?1",
            )?,
            entities_by_type: by_type,
            provisional: entities
                .iter()
                .filter(|e| e.entity.status == EntityStatus::Provisional)
                .count(),
            claims_pending: count(
                "SELECT count(*) FROM claims_pending p JOIN document_meta d
                 ON d.doc_key = p.doc_key WHERE d.tlp <= ?1",
            )?,
            schema_version: self.schema_version()?,
        })
    }

    /// Whether a reader at this handle's clearance may learn that an entity exists: some
    /// document it may read mentions the entity or one merged into it.
    fn entity_visible(&self, id: &str) -> Result<bool> {
        if self.clearance == Tlp::Red {
            return Ok(true);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM mentions m JOIN document_meta d ON d.doc_key = m.doc_key
                 WHERE m.entity_id = ?1 AND d.tlp <= ?2 LIMIT 1",
            )
            .map_err(sql("checking an entity's visibility"))?;
        for member in self.members_of(id)? {
            if stmt
                .exists(params![member, self.clearance.rank()])
                .map_err(sql("checking an entity's visibility"))?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The WHERE conditions (on `claims c`) and their values for a claim query. An `about`
    /// filter is the first condition, `(c.subject IN (..) OR c.object IN (..))`, and its two
    /// sides are returned apart too, for queries that take each side by its own index.
    #[allow(clippy::type_complexity)]
    fn claim_conditions(
        &self,
        query: &ClaimQuery,
    ) -> Result<(
        Vec<String>,
        Vec<rusqlite::types::Value>,
        Option<(String, String)>,
    )> {
        let members = |id: &Option<String>| -> Result<Option<Vec<String>>> {
            id.as_deref()
                .map(|i| self.members_of(&self.root_of(i)?))
                .transpose()
        };
        let subject = members(&query.subject)?;
        let object = members(&query.object)?;
        let about = members(&query.about)?;
        let source = match &query.source {
            Some(s) => Some(match self.find_entity(s)? {
                Some(e) => self.members_of(&e.id.0)?,
                None => vec![s.clone()],
            }),
            None => None,
        };
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        let add_in =
            |column: &str, ids: &[String], values: &mut Vec<rusqlite::types::Value>| -> String {
                let marks: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        values.push(rusqlite::types::Value::Text(id.clone()));
                        format!("?{}", values.len())
                    })
                    .collect();
                format!("{column} IN ({})", marks.join(", "))
            };
        if let Some(ids) = &subject {
            conditions.push(add_in("c.subject", ids, &mut values));
        }
        if let Some(ids) = &object {
            conditions.push(add_in("c.object", ids, &mut values));
        }
        let mut sides = None;
        if let Some(ids) = &about {
            let a = add_in("c.subject", ids, &mut values);
            let b = add_in("c.object", ids, &mut values);
            conditions.insert(0, format!("({a} OR {b})"));
            sides = Some((a, b));
        }
        if let Some(ids) = &source {
            let a = add_in("c.source_entity", ids, &mut values);
            values.push(rusqlite::types::Value::Text(ids[0].to_lowercase()));
            conditions.push(format!("({a} OR lower(c.source_name) = ?{})", values.len()));
        }
        if let Some(p) = query.predicate {
            values.push(rusqlite::types::Value::Text(p.as_str().into()));
            conditions.push(format!("c.predicate = ?{}", values.len()));
        }
        if let Some(m) = query.modality {
            values.push(rusqlite::types::Value::Text(m.as_str().into()));
            conditions.push(format!("c.modality = ?{}", values.len()));
        }
        if let Some(since) = &query.since {
            values.push(rusqlite::types::Value::Text(since.clone()));
            conditions.push(format!("c.published >= ?{}", values.len()));
        }
        if self.clearance < Tlp::Red {
            values.push(rusqlite::types::Value::Integer(self.clearance.rank()));
            conditions.push(format!("c.tlp <= ?{}", values.len()));
        }
        Ok((conditions, values, sides))
    }

    fn require_entity(&self, name_or_id: &str) -> Result<Entity> {
        self.find_entity(name_or_id)?
            .ok_or_else(|| StoreError::UnknownEntity(name_or_id.to_string()))
    }

    fn read_merge(&self, id: i64) -> Result<MergeRecord> {
        self.conn
            .query_row(
                "SELECT id, source, target, reason, merged_at, undone_at, undo_reason
                 FROM entity_merges WHERE id = ?1",
                [id],
                merge_row,
            )
            .map_err(sql("reading a merge"))
    }
}

/// Writes mention rows within a transaction, many to a statement: a batch's 10,000-odd
/// mentions cost a few hundred statements rather than one each (3.1% fewer instructions for a
/// whole ingest of 3,000 documents). `OR FAIL` rather than the default `ABORT`: a statement
/// that writes several rows and may abort halfway makes SQLite copy every page it changes
/// into a statement journal first, to undo the rows already written; on a failure the whole
/// batch is rolled back anyway.
struct MentionWriter<'t, 'b> {
    tx: &'t Connection,
    /// The statement for [`Self::ROWS`] rows, prepared once per batch.
    full: rusqlite::CachedStatement<'t>,
    rows: Vec<(i64, &'b havenwatch_core::Mention)>,
}

impl<'t, 'b> MentionWriter<'t, 'b> {
    /// Rows per full statement (six parameters each).
    const ROWS: usize = 64;

    fn new(tx: &'t Connection) -> Result<Self> {
        Ok(MentionWriter {
            tx,
            full: tx
                .prepare_cached(&Self::insert(Self::ROWS))
                .map_err(sql("preparing"))?,
            rows: Vec::with_capacity(Self::ROWS),
        })
    }

    /// The insert of `rows` rows.
    fn insert(rows: usize) -> String {
        format!(
            "INSERT OR FAIL INTO mentions (doc_key, entity_id, start, end, surface, rule)
             VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?)"; rows].join(", ")
        )
    }

    fn push(&mut self, doc_key: i64, mention: &'b havenwatch_core::Mention) -> Result<()> {
        self.rows.push((doc_key, mention));
        if self.rows.len() == Self::ROWS {
            Self::execute(&mut self.full, &self.rows)?;
            self.rows.clear();
        }
        Ok(())
    }

    /// Writes the rows left, one to a statement.
    fn finish(self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut one = self
            .tx
            .prepare_cached(&Self::insert(1))
            .map_err(sql("preparing"))?;
        for row in self.rows.chunks(1) {
            Self::execute(&mut one, row)?;
        }
        Ok(())
    }

    /// Binds `rows` to an insert of as many rows and runs it.
    fn execute(
        insert: &mut rusqlite::Statement<'_>,
        rows: &[(i64, &havenwatch_core::Mention)],
    ) -> Result<()> {
        for (i, (doc_key, mention)) in rows.iter().enumerate() {
            let at = 6 * i;
            let bound = insert
                .raw_bind_parameter(at + 1, doc_key)
                .and_then(|_| insert.raw_bind_parameter(at + 2, &mention.entity.0))
                .and_then(|_| insert.raw_bind_parameter(at + 3, mention.span.start as i64))
                .and_then(|_| insert.raw_bind_parameter(at + 4, mention.span.end as i64))
                .and_then(|_| insert.raw_bind_parameter(at + 5, &mention.surface))
                .and_then(|_| insert.raw_bind_parameter(at + 6, mention.rule.as_str()));
            bound.map_err(sql("storing a mention"))?;
        }
        insert.raw_execute().map_err(sql("storing a mention"))?;
        Ok(())
    }
}

/// Writes entity rows (with their aliases and external ids) within a transaction.
struct EntityWriter<'t> {
    entity: rusqlite::CachedStatement<'t>,
    alias: rusqlite::CachedStatement<'t>,
    external: rusqlite::CachedStatement<'t>,
    at: &'t str,
}

impl<'t> EntityWriter<'t> {
    fn new(tx: &'t Connection, at: &'t str) -> Result<Self> {
        Ok(EntityWriter {
            entity: tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO entities (id, name, type, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql("preparing"))?,
            alias: tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO entity_aliases (entity_id, alias, key, origin)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql("preparing"))?,
            external: tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO entity_external_ids (entity_id, scheme, value)
                     VALUES (?1, ?2, ?3)",
                )
                .map_err(sql("preparing"))?,
            at,
        })
    }

    /// Inserts an entity unless present (its status then stays as it is); 1 if it was new.
    fn write(&mut self, e: &Entity) -> Result<usize> {
        let added = self
            .entity
            .execute(params![
                e.id.0,
                e.name,
                e.entity_type.as_str(),
                e.status.as_str(),
                self.at
            ])
            .map_err(sql("storing an entity"))?;
        let origin = if e.status == EntityStatus::Known {
            "gazetteer"
        } else {
            "text"
        };
        for name in std::iter::once(&e.name).chain(&e.aliases) {
            self.alias(&e.id.0, name, origin)?;
        }
        for x in &e.external_ids {
            self.external
                .execute(params![e.id.0, x.scheme, x.value])
                .map_err(sql("storing an external id"))?;
        }
        Ok(added)
    }

    fn alias(&mut self, entity: &str, name: &str, origin: &str) -> Result<()> {
        let key = alias_key(name);
        if !key.is_empty() {
            self.alias
                .execute(params![entity, name, key, origin])
                .map_err(sql("storing an alias"))?;
        }
        Ok(())
    }
}

/// Writes claim rows within a transaction, gathering the kept counts they change and the
/// findings they touch, both applied once by [`ClaimWriter::finish`].
struct ClaimWriter<'t, 'a> {
    tx: &'t Connection,
    insert: rusqlite::CachedStatement<'t>,
    /// Findings touched, each with its newest claim.
    dirty: HashMap<String, i64>,
    stats: HashMap<(&'a str, &'static str, &'static str, i64), i64>,
}

impl<'t, 'a> ClaimWriter<'t, 'a> {
    fn new(tx: &'t Connection) -> Result<Self> {
        Ok(ClaimWriter {
            tx,
            insert: tx
                .prepare_cached(
                    "INSERT INTO claims (doc_key, subject, subject_name, predicate, object,
                     object_name, qualifiers, source_entity, source_name, via, modality, negated,
                     evidence_start, evidence_end, published, tlp, finding_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                             ?16, ?17)",
                )
                .map_err(sql("preparing"))?,
            dirty: HashMap::new(),
            stats: HashMap::new(),
        })
    }

    /// Writes a document's claims; how many.
    fn write(
        &mut self,
        doc_key: i64,
        published: Option<&str>,
        tlp: i64,
        claims: &'a [havenwatch_core::Claim],
    ) -> Result<usize> {
        for c in claims {
            let key = crate::finding_key(
                &c.subject.id.0,
                c.predicate,
                c.object.as_ref().map(|o| o.id.0.as_str()),
            );
            let qualifiers = serde_json::to_string(&c.qualifiers)
                .map_err(|e| StoreError::Invalid(format!("claim qualifiers: {e}")))?;
            let via = serde_json::to_string(&c.via)
                .map_err(|e| StoreError::Invalid(format!("claim chain: {e}")))?;
            self.insert
                .execute(params![
                    doc_key,
                    c.subject.id.0,
                    c.subject.name,
                    c.predicate.as_str(),
                    c.object.as_ref().map(|o| o.id.0.as_str()),
                    c.object.as_ref().map(|o| o.name.as_str()),
                    qualifiers,
                    c.source.entity.as_ref().map(|e| e.0.as_str()),
                    c.source.name,
                    via,
                    c.modality.as_str(),
                    c.negated,
                    c.evidence.start as i64,
                    c.evidence.end as i64,
                    published,
                    tlp,
                    key
                ])
                .map_err(sql("storing a claim"))?;
            self.dirty.insert(key, self.tx.last_insert_rowid());
            *self
                .stats
                .entry((
                    c.subject.id.0.as_str(),
                    "subject",
                    c.predicate.as_str(),
                    tlp,
                ))
                .or_default() += 1;
            if let Some(o) = &c.object {
                *self
                    .stats
                    .entry((o.id.0.as_str(), "object", c.predicate.as_str(), tlp))
                    .or_default() += 1;
            }
        }
        Ok(claims.len())
    }

    /// Adds the gathered counts and marks the touched findings to update.
    fn finish(self) -> Result<()> {
        let mut add_stats = self
            .tx
            .prepare_cached(
                "INSERT INTO claim_stats (entity_id, side, predicate, tlp, claims)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (entity_id, side, predicate, tlp) DO UPDATE SET
                     claims = claims + excluded.claims",
            )
            .map_err(sql("preparing"))?;
        for ((entity, side, predicate, tlp), n) in self.stats {
            add_stats
                .execute(params![entity, side, predicate, tlp, n])
                .map_err(sql("counting claims"))?;
        }
        let mut mark_dirty = self
            .tx
            .prepare_cached(
                "INSERT INTO findings_dirty (key, seq) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET seq = excluded.seq",
            )
            .map_err(sql("preparing"))?;
        for (key, seq) in &self.dirty {
            mark_dirty
                .execute(params![key, seq])
                .map_err(sql("marking a finding to update"))?;
        }
        Ok(())
    }
}

/// A whole document from a row's columns `id, title, publisher, url, published, retrieved,
/// language, text, tlp`, the first at `at`.
fn document_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Document> {
    Ok(Document {
        id: DocumentId(r.get(at)?),
        meta: DocumentMeta {
            title: r.get(at + 1)?,
            publisher: r.get(at + 2)?,
            url: r.get(at + 3)?,
            published: r.get(at + 4)?,
            retrieved: r.get(at + 5)?,
            language: r.get(at + 6)?,
            tlp: Some(tlp_of(r.get(at + 8)?)),
        },
        text: r.get(at + 7)?,
    })
}

/// A hash of an (entity, surface form) pair, to skip alias rows already written.
fn surface_hash(entity: &str, surface: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    entity.hash(&mut h);
    surface.hash(&mut h);
    h.finish()
}

/// Whether two claim queries ask the same (ignoring the limit).
fn query_eq(a: &ClaimQuery, b: &ClaimQuery) -> bool {
    a.subject == b.subject
        && a.object == b.object
        && a.about == b.about
        && a.predicate == b.predicate
        && a.source == b.source
        && a.modality == b.modality
        && a.since == b.since
}

/// A document summary from `id, title, publisher, published, url, origin, chars, mentions,
/// tlp` columns.
fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentSummary> {
    Ok(DocumentSummary {
        id: DocumentId(r.get(0)?),
        title: r.get(1)?,
        publisher: r.get(2)?,
        published: r.get(3)?,
        url: r.get(4)?,
        origin: r.get(5)?,
        chars: r.get::<_, i64>(6)? as usize,
        mentions: r.get::<_, i64>(7)? as usize,
        tlp: tlp_of(r.get(8)?),
    })
}

/// A stored marking rank; an out-of-range value (a file edited by hand) reads as RED, the
/// strictest, never as something more open.
fn tlp_of(rank: i64) -> Tlp {
    Tlp::from_rank(rank).unwrap_or(Tlp::Red)
}

fn resolve_in(merges: &HashMap<String, String>, id: &str) -> String {
    let mut current = id;
    let mut steps = 0;
    while let Some(next) = merges.get(current) {
        current = next;
        steps += 1;
        if steps > merges.len() {
            break;
        }
    }
    current.to_string()
}

/// The columns [`claim_row`] reads when an analysis needs no evidence text, title or
/// qualifiers.
const LEAN_CLAIM_COLUMNS: &str = "c.subject, c.subject_name, c.predicate, c.object, c.object_name,
    '{}', c.source_entity, c.source_name, c.via, c.modality, c.negated, c.evidence_start,
    c.evidence_end, d.id, NULL, d.publisher, d.published, X'', d.fingerprint, d.tlp";

/// The columns [`claim_row`] reads with everything: `c` the claim, `d` its `document_meta`,
/// `t` its `documents` row (title, and the text the evidence is cut from).
const CLAIM_COLUMNS: &str = "c.subject, c.subject_name, c.predicate, c.object, c.object_name,
    c.qualifiers, c.source_entity, c.source_name, c.via, c.modality, c.negated, c.evidence_start,
    c.evidence_end, d.id, t.title, d.publisher, d.published,
    substr(CAST(t.text AS BLOB), c.evidence_start + 1, c.evidence_end - c.evidence_start),
    d.fingerprint, d.tlp";

/// A claim from [`CLAIM_COLUMNS`] or [`LEAN_CLAIM_COLUMNS`].
fn claim_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredClaim> {
    let parse_err = |e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    };
    let enum_err = |e: havenwatch_core::ParseEnumError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    };
    let object: Option<String> = r.get(3)?;
    let object_name: Option<String> = r.get(4)?;
    let evidence: Vec<u8> = r.get(17)?;
    Ok(StoredClaim {
        claim: havenwatch_core::Claim {
            subject: havenwatch_core::EntityRef {
                id: EntityId(r.get(0)?),
                name: r.get(1)?,
            },
            predicate: r.get::<_, String>(2)?.parse().map_err(enum_err)?,
            object: object.map(|id| havenwatch_core::EntityRef {
                id: EntityId(id),
                name: object_name.unwrap_or_default(),
            }),
            qualifiers: serde_json::from_str(&r.get::<_, String>(5)?).map_err(parse_err)?,
            source: havenwatch_core::Source {
                entity: r.get::<_, Option<String>>(6)?.map(EntityId),
                name: r.get(7)?,
            },
            via: serde_json::from_str(&r.get::<_, String>(8)?).map_err(parse_err)?,
            modality: r.get::<_, String>(9)?.parse().map_err(enum_err)?,
            negated: r.get(10)?,
            evidence: havenwatch_core::Span::new(
                r.get::<_, i64>(11)? as usize,
                r.get::<_, i64>(12)? as usize,
            ),
        },
        document: DocumentId(r.get(13)?),
        title: r.get(14)?,
        publisher: r.get(15)?,
        published: r.get(16)?,
        evidence_text: String::from_utf8_lossy(&evidence).into_owned(),
        fingerprint: r.get::<_, Option<i64>>(18)?.map(|f| f as u64),
        tlp: tlp_of(r.get(19)?),
    })
}

fn merge_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MergeRecord> {
    Ok(MergeRecord {
        id: r.get(0)?,
        source: r.get(1)?,
        target: r.get(2)?,
        reason: r.get(3)?,
        merged_at: r.get(4)?,
        undone_at: r.get(5)?,
        undo_reason: r.get(6)?,
    })
}

/// Cuts a window of text around `[start, end)` to whole words and marks the mention.
fn context_window(window: &[u8], start: usize, end: usize) -> String {
    let text = String::from_utf8_lossy(window);
    let start = start.min(text.len());
    let end = end.min(text.len()).max(start);
    let (mut a, mut b) = (0, text.len());
    if let Some(p) = text[..start].find(". ") {
        // Prefer starting at a sentence start if one is in the window.
        let after_last = text[..start].rfind(". ").map(|p| p + 2).unwrap_or(p + 2);
        a = after_last;
    } else if let Some(p) = text[..start].find(' ') {
        a = p + 1;
    }
    if let Some(p) = text[end..].find(". ") {
        b = end + p + 1;
    } else if let Some(p) = text[end..].rfind(' ') {
        b = end + p;
    }
    let a = (0..=a)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let b = (b..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let before = clean(&text[a..start]);
    let mention = &text[start..end];
    let after = clean(&text[end..b]);
    let sep_before = if before.is_empty() || text[..start].ends_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let sep_after = if text[end..].starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    format!("{before}{sep_before}«{mention}»{sep_after}{after}")
        .trim()
        .to_string()
}

impl Store for SqliteStore {
    fn write_batch(&mut self, batch: &[AnalysedDocument]) -> Result<BatchOutcome> {
        self.without_foreign_key_checks(|store| store.write_batch_checked_by_writer(batch))
    }

    fn documents_for_claims(
        &self,
        pending_only: bool,
        after: i64,
        limit: usize,
    ) -> Result<Vec<StoredDocument>> {
        let from = if pending_only {
            "claims_pending p JOIN documents d ON d.doc_key = p.doc_key"
        } else {
            "documents d"
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT d.doc_key, d.id, d.title, d.publisher, d.url, d.published, d.retrieved,
                        d.language, d.text, d.tlp
                 FROM {from} WHERE d.doc_key > ?1 ORDER BY d.doc_key LIMIT ?2"
            ))
            .map_err(sql("reading documents for claims"))?;
        let rows = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok(StoredDocument {
                    key: r.get(0)?,
                    document: document_row(r, 1)?,
                })
            })
            .map_err(sql("reading documents for claims"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading documents for claims"))
    }

    fn count_documents_for_claims(&self, pending_only: bool) -> Result<usize> {
        let table = if pending_only {
            "claims_pending"
        } else {
            "documents"
        };
        self.conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(sql("counting documents for claims"))
    }

    fn replace_claims(&mut self, docs: &[ExtractedClaims]) -> Result<ReplaceOutcome> {
        self.without_foreign_key_checks(|store| store.replace_claims_checked_by_writer(docs))
    }

    fn has_document(&self, id: &DocumentId) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM documents WHERE id = ?1")
            .and_then(|mut s| s.exists([&id.0]))
            .map_err(sql("looking up a document"))
    }

    fn documents(&self, query: &DocumentQuery) -> Result<Vec<DocumentSummary>> {
        let limit = if query.limit == 0 {
            -1
        } else {
            query.limit as i64
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.title, d.publisher, d.published, d.url, d.origin, length(d.text),
                        (SELECT count(*) FROM mentions m WHERE m.doc_key = d.doc_key), dm.tlp
                 FROM documents d JOIN document_meta dm ON dm.doc_key = d.doc_key
                 WHERE (?1 IS NULL OR d.publisher = ?1) AND dm.tlp <= ?3
                 ORDER BY d.published DESC NULLS LAST, d.doc_key DESC
                 LIMIT ?2",
            )
            .map_err(sql("listing documents"))?;
        let rows = stmt
            .query_map(
                params![query.publisher, limit, self.clearance.rank()],
                summary_row,
            )
            .map_err(sql("listing documents"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("listing documents"))
    }

    fn document(&self, id_or_prefix: &str) -> Result<Option<Document>> {
        let prefix = id_or_prefix.to_ascii_lowercase();
        if prefix.len() < 6 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, title, publisher, url, published, retrieved, language, text, tlp
                 FROM documents WHERE id >= ?1 AND id < ?1 || 'g' AND tlp <= ?2 LIMIT 2",
            )
            .map_err(sql("reading a document"))?;
        let docs = stmt
            .query_map(params![&prefix, self.clearance.rank()], |r| {
                document_row(r, 0)
            })
            .map_err(sql("reading a document"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("reading a document"))?;
        match docs.len() {
            1 => Ok(docs.into_iter().next()),
            0 => Ok(None),
            _ => Err(StoreError::Invalid(format!(
                "document id prefix `{id_or_prefix}` is ambiguous: give more digits"
            ))),
        }
    }

    fn entities(&self, query: &EntityQuery) -> Result<Vec<EntitySummary>> {
        let merges = self.merge_map()?;
        // Kept counts per entity (within the clearance); an entity with others merged into it
        // is counted from its mentions, so that a document naming two of them counts once.
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT entity_id, sum(mentions), sum(documents) FROM entity_stats
                     WHERE tlp <= ?1 GROUP BY entity_id",
                )
                .map_err(sql("counting mentions"))?;
            let rows = stmt
                .query_map([self.clearance.rank()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)? as usize,
                        r.get::<_, i64>(2)? as usize,
                    ))
                })
                .map_err(sql("counting mentions"))?;
            for row in rows {
                let (id, m, d) = row.map_err(sql("counting mentions"))?;
                if m > 0 {
                    counts.insert(id, (m, d));
                }
            }
        }
        let mut roots: HashSet<String> = HashSet::new();
        for source in merges.keys() {
            roots.insert(resolve_in(&merges, source));
        }
        for root in roots {
            let exact = self.entity_counts(&root)?;
            if exact.mentions > 0 {
                counts.insert(root, (exact.mentions, exact.documents));
            } else {
                counts.remove(&root);
            }
        }
        let mut ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM entities")
                .map_err(sql("listing entities"))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(sql("listing entities"))?;
            rows.collect::<Result<_, _>>()
                .map_err(sql("listing entities"))?
        };
        ids.retain(|id| !merges.contains_key(id));
        if self.clearance < Tlp::Red {
            // An entity only a stricter document names is itself something to keep back.
            ids.retain(|id| counts.contains_key(id));
        }
        let mut out = Vec::new();
        for id in ids {
            let Some(entity) = self.load_entity(&id)? else {
                continue;
            };
            if query.entity_type.is_some_and(|t| t != entity.entity_type)
                || query.status.is_some_and(|s| s != entity.status)
            {
                continue;
            }
            let (mentions, docs) = counts.get(&id).copied().unwrap_or((0, 0));
            let mut merged: Vec<String> = merges
                .keys()
                .filter(|s| resolve_in(&merges, s) == id)
                .cloned()
                .collect();
            merged.sort();
            out.push(EntitySummary {
                entity,
                mentions,
                documents: docs,
                merged,
            });
        }
        out.sort_by(|a, b| {
            b.mentions
                .cmp(&a.mentions)
                .then_with(|| a.entity.name.cmp(&b.entity.name))
        });
        if query.limit > 0 {
            out.truncate(query.limit);
        }
        Ok(out)
    }

    fn find_entity(&self, name: &str) -> Result<Option<Entity>> {
        let name = name.trim();
        let direct: Option<String> = self
            .conn
            .query_row("SELECT id FROM entities WHERE id = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql("finding an entity"))?;
        let id = match direct {
            Some(id) => Some(id),
            None => {
                let key = alias_key(name);
                let keys = [
                    key.clone(),
                    key.strip_prefix("the ").unwrap_or(&key).to_string(),
                ];
                let mut found = None;
                for key in keys {
                    let mut stmt = self
                        .conn
                        .prepare_cached(
                            "SELECT a.entity_id FROM entity_aliases a
                             JOIN entities e ON e.id = a.entity_id
                             WHERE a.key = ?1
                             ORDER BY (a.origin = 'gazetteer') DESC,
                                      (SELECT count(*) FROM mentions m WHERE m.entity_id = a.entity_id) DESC
                             LIMIT 1",
                        )
                        .map_err(sql("finding an entity"))?;
                    found = stmt
                        .query_row([&key], |r| r.get::<_, String>(0))
                        .optional()
                        .map_err(sql("finding an entity"))?;
                    if found.is_some() {
                        break;
                    }
                }
                found
            }
        };
        match id {
            Some(id) => {
                let root = self.root_of(&id)?;
                if !self.entity_visible(&root)? {
                    return Ok(None);
                }
                self.load_entity(&root)
            }
            None => Ok(None),
        }
    }

    fn entity(&self, id: &str) -> Result<Option<Entity>> {
        if !self.entity_visible(id)? {
            return Ok(None);
        }
        self.load_entity(id)
    }

    fn entity_counts(&self, id: &str) -> Result<EntityCounts> {
        let members = self.members_of(id)?;
        let mut counts = EntityCounts::default();
        if members.len() == 1 {
            // Kept counts; with merged entities a document naming two of them must count
            // once, so those are counted from the mentions below.
            let (m, d): (i64, i64) = self
                .conn
                .prepare_cached(
                    "SELECT coalesce(sum(mentions), 0), coalesce(sum(documents), 0)
                     FROM entity_stats WHERE entity_id = ?1 AND tlp <= ?2",
                )
                .and_then(|mut st| {
                    st.query_row(params![id, self.clearance.rank()], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                })
                .map_err(sql("counting mentions"))?;
            counts.mentions = m as usize;
            counts.documents = d as usize;
            return Ok(counts);
        }
        let mut docs: HashSet<i64> = HashSet::new();
        let mut stmt = self
            .conn
            .prepare_cached(if self.clearance == Tlp::Red {
                // Everything is visible: the (entity, document) index alone answers.
                "SELECT m.doc_key FROM mentions m WHERE m.entity_id = ?1 AND ?2 >= 0"
            } else {
                "SELECT m.doc_key FROM mentions m JOIN document_meta d ON d.doc_key = m.doc_key
                 WHERE m.entity_id = ?1 AND d.tlp <= ?2"
            })
            .map_err(sql("counting mentions"))?;
        for member in &members {
            let rows = stmt
                .query_map(params![member, self.clearance.rank()], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(sql("counting mentions"))?;
            for row in rows {
                counts.mentions += 1;
                docs.insert(row.map_err(sql("counting mentions"))?);
            }
        }
        counts.documents = docs.len();
        counts.merged = members.into_iter().filter(|m| m != id).collect();
        counts.merged.sort();
        Ok(counts)
    }

    fn mentions(&self, entity: &str, limit: usize) -> Result<Vec<MentionInContext>> {
        let members = self.members_of(entity)?;
        let limit = if limit == 0 { -1 } else { limit as i64 };
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.entity_id, d.id, d.title, d.publisher, d.published, m.start, m.end,
                        m.surface, m.rule,
                        substr(CAST(d.text AS BLOB), max(m.start - 240, 0) + 1,
                               (m.end - max(m.start - 240, 0)) + 240),
                        max(m.start - 240, 0)
                 FROM mentions m JOIN documents d ON d.doc_key = m.doc_key
                 JOIN document_meta dm ON dm.doc_key = m.doc_key
                 WHERE m.entity_id = ?1 AND dm.tlp <= ?3
                 ORDER BY m.doc_key DESC, m.start
                 LIMIT ?2",
            )
            .map_err(sql("reading mentions"))?;
        for member in &members {
            let rows = stmt
                .query_map(params![member, limit, self.clearance.rank()], |r| {
                    let start = r.get::<_, i64>(5)? as usize;
                    let end = r.get::<_, i64>(6)? as usize;
                    let window: Vec<u8> = r.get(9)?;
                    let offset = r.get::<_, i64>(10)? as usize;
                    Ok(MentionInContext {
                        entity: r.get(0)?,
                        document: DocumentId(r.get(1)?),
                        title: r.get(2)?,
                        publisher: r.get(3)?,
                        published: r.get(4)?,
                        start,
                        end,
                        surface: r.get(7)?,
                        rule: r.get(8)?,
                        context: context_window(&window, start - offset, end - offset),
                    })
                })
                .map_err(sql("reading mentions"))?;
            for row in rows {
                out.push(row.map_err(sql("reading mentions"))?);
            }
        }
        out.sort_by(|a, b| {
            b.published
                .cmp(&a.published)
                .then_with(|| a.document.cmp(&b.document))
                .then(a.start.cmp(&b.start))
        });
        if limit > 0 {
            out.truncate(limit as usize);
        }
        Ok(out)
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let run = |q: &str| -> rusqlite::Result<Vec<SearchHit>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT d.id, t.title, d.publisher, d.published,
                        snippet(documents_fts, 1, '[', ']', '…', 24), bm25(documents_fts), d.tlp
                 FROM documents_fts JOIN document_meta d ON d.doc_key = documents_fts.rowid
                 JOIN documents t ON t.doc_key = documents_fts.rowid
                 WHERE documents_fts MATCH ?1 AND d.tlp <= ?3
                 ORDER BY CASE WHEN ?3 >= 4 THEN bm25(documents_fts) ELSE 0 END,
                          d.published DESC NULLS LAST, d.doc_key DESC
                 LIMIT ?2",
            )?;
            let rows = stmt.query_map(
                params![q, limit.max(1) as i64, self.clearance.rank()],
                |r| {
                    Ok(SearchHit {
                        id: DocumentId(r.get(0)?),
                        title: r.get(1)?,
                        publisher: r.get(2)?,
                        published: r.get(3)?,
                        snippet: r.get(4)?,
                        // BM25 weighs a term by how many documents hold it, hidden
                        // ones too: below RED the score would leak them, so hits come
                        // newest first without a score.
                        rank: if self.clearance == Tlp::Red {
                            r.get(5)?
                        } else {
                            0.0
                        },
                        tlp: tlp_of(r.get(6)?),
                    })
                },
            )?;
            rows.collect()
        };
        if query.trim().is_empty() {
            return Err(StoreError::Invalid("search: the query is empty".into()));
        }
        match run(query) {
            Ok(hits) => Ok(hits),
            Err(first) => {
                // Not valid FTS5 syntax (a stray quote, a hyphenated name): search the words
                // as plain terms instead.
                let plain: Vec<String> = query
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| format!("\"{w}\""))
                    .collect();
                if plain.is_empty() {
                    return Err(StoreError::Invalid(format!("search: {first}")));
                }
                run(&plain.join(" ")).map_err(|e| StoreError::Invalid(format!("search: {e}")))
            }
        }
    }

    fn confirm_entity(&mut self, id: &str) -> Result<()> {
        let e = self.require_entity(id)?;
        if e.status == EntityStatus::Known {
            return Err(StoreError::Invalid(format!(
                "`{}` is already known from a gazetteer; only provisional entities need confirming",
                e.name
            )));
        }
        self.conn
            .execute(
                "UPDATE entities SET status = 'confirmed' WHERE id = ?1",
                [&e.id.0],
            )
            .map_err(sql("confirming an entity"))?;
        Ok(())
    }

    fn merge_entities(&mut self, source: &str, target: &str, reason: &str) -> Result<MergeRecord> {
        let s = self.require_entity(source)?;
        let t = self.require_entity(target)?;
        if s.id == t.id {
            return Err(StoreError::Invalid(format!(
                "`{source}` and `{target}` are already the same entity ({})",
                s.id
            )));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a merge needs a reason (--reason), kept in its history".into(),
            ));
        }
        self.conn
            .execute(
                "INSERT INTO entity_merges (source, target, reason, merged_at) VALUES (?1, ?2, ?3, ?4)",
                params![s.id.0, t.id.0, reason, now()],
            )
            .map_err(sql("merging entities"))?;
        let id = self.conn.last_insert_rowid();
        self.read_merge(id)
    }

    fn unmerge_entity(&mut self, source: &str, reason: &str) -> Result<MergeRecord> {
        // `source` names the merged entity: by id, or by an alias that is its own.
        let direct = self.load_entity(source)?;
        let id = match direct {
            Some(e) => e.id.0,
            None => {
                let key = alias_key(source);
                self.conn
                    .query_row(
                        "SELECT a.entity_id FROM entity_aliases a
                         JOIN entity_merges g ON g.source = a.entity_id AND g.undone_at IS NULL
                         WHERE a.key = ?1 LIMIT 1",
                        [&key],
                        |r| r.get::<_, String>(0),
                    )
                    .optional()
                    .map_err(sql("finding a merge"))?
                    .ok_or_else(|| StoreError::UnknownEntity(source.to_string()))?
            }
        };
        let merge_id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM entity_merges WHERE source = ?1 AND undone_at IS NULL",
                [&id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("finding a merge"))?;
        let merge_id = merge_id.ok_or_else(|| {
            StoreError::Invalid(format!("`{source}` ({id}) is not merged into anything"))
        })?;
        self.conn
            .execute(
                "UPDATE entity_merges SET undone_at = ?2, undo_reason = ?3 WHERE id = ?1",
                params![merge_id, now(), reason],
            )
            .map_err(sql("undoing a merge"))?;
        self.read_merge(merge_id)
    }

    fn add_alias(&mut self, entity: &str, alias: &str) -> Result<()> {
        let e = self.require_entity(entity)?;
        let key = alias_key(alias);
        if key.is_empty() {
            return Err(StoreError::Invalid(format!(
                "alias `{alias}` has no letters or digits"
            )));
        }
        self.conn
            .execute(
                "INSERT OR IGNORE INTO entity_aliases (entity_id, alias, key, origin)
                 VALUES (?1, ?2, ?3, 'analyst')",
                params![e.id.0, alias, key],
            )
            .map_err(sql("adding an alias"))?;
        Ok(())
    }

    fn merge_history(&self, entity: &str) -> Result<Vec<MergeRecord>> {
        let id = match self.load_entity(entity)? {
            Some(e) => e.id.0,
            None => self.require_entity(entity)?.id.0,
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source, target, reason, merged_at, undone_at, undo_reason
                 FROM entity_merges WHERE source = ?1 OR target = ?1 ORDER BY id",
            )
            .map_err(sql("reading merges"))?;
        let rows = stmt
            .query_map([&id], merge_row)
            .map_err(sql("reading merges"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading merges"))
    }

    fn begin_bulk_load(&mut self) -> Result<bool> {
        if self.bulk_lock.is_some() {
            return Ok(true);
        }
        match self.try_bulk_lock()? {
            BulkLock::Taken(lock) => self.bulk_lock = lock,
            // Another bulk load runs on this file: load with the indexes in place.
            BulkLock::Busy => return Ok(false),
        }
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a bulk load"))?;
        for name in BULK_DEFERRED_INDEXES {
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT type, sql FROM sqlite_master WHERE name = ?1",
                    [name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql("reading an index definition"))?;
            let Some((kind, create)) = found else {
                continue;
            };
            let build = format!("{create};\n{}", rebuild_after(name));
            tx.execute(
                "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?1, ?2)",
                params![name, build],
            )
            .map_err(sql("recording a deferred index"))?;
            tx.execute_batch(&format!("DROP {kind} {name}"))
                .map_err(sql("setting an index aside"))?;
        }
        tx.commit().map_err(sql("committing a bulk load's start"))?;
        if self.path != ":memory:" {
            self.checkpointer = Some(
                BackgroundCheckpointer::start(&self.path)
                    .map_err(sql("starting the background checkpointer"))?,
            );
            self.conn
                .pragma_update(None, "wal_autocheckpoint", BULK_WAL_AUTOCHECKPOINT)
                .map_err(sql("setting the log's bound"))?;
        }
        Ok(true)
    }

    fn end_bulk_load(&mut self) -> Result<()> {
        self.build_deferred_indexes()?;
        // Stopped once the indexes are built: its last round copies their pages back (the
        // build is one transaction, whose pages no checkpoint can copy before it commits).
        if let Some(checkpointer) = self.checkpointer.take() {
            checkpointer.stop();
            self.conn
                .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
                .map_err(sql("setting the log's bound"))?;
        }
        if let Some(lock) = self.bulk_lock.take() {
            // Removed while still held: a handle that opens it meanwhile finds nothing left
            // to build.
            if let Some(path) = self.bulk_lock_path() {
                let _ = std::fs::remove_file(path);
            }
            drop(lock);
        }
        Ok(())
    }

    fn entity_aliases(&self) -> Result<Vec<(Entity, Vec<String>)>> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM entities WHERE status != 'known'")
                .map_err(sql("listing entities"))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(sql("listing entities"))?;
            rows.collect::<Result<_, _>>()
                .map_err(sql("listing entities"))?
        };
        let mut out = Vec::new();
        for id in ids {
            if let Some(e) = self.load_entity(&id)? {
                let aliases = e.aliases.clone();
                out.push((e, aliases));
            }
        }
        Ok(out)
    }

    fn claims(&self, query: &ClaimQuery) -> Result<Vec<StoredClaim>> {
        let (conditions, mut values, sides) = self.claim_conditions(query)?;
        let limit = query.limit as i64;
        if limit > 0 {
            values.push(rusqlite::types::Value::Integer(limit));
        }
        let sql_text = format!(
            "SELECT {CLAIM_COLUMNS} FROM {} ORDER BY c.published DESC NULLS LAST, c.doc_key DESC, c.id",
            {
                let filter = if conditions.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", conditions.join(" AND "))
                };
                // The document's date and marking come from the narrow `document_meta`; its
                // row (title, text for the evidence) from `documents`.
                let join = "JOIN document_meta d ON d.doc_key = c.doc_key
                     JOIN documents t ON t.doc_key = c.doc_key";
                // With a limit, pick the claims before joining their documents, so that only
                // those rows are joined; without one, join once and sort once.
                match (&sides, limit > 0) {
                    // The newest claims about an entity: the newest of each side, each read in
                    // order from its (entity, predicate, date) index, then the newest of both.
                    (Some((a, b)), true) => {
                        let rest: Vec<&String> = conditions.iter().skip(1).collect();
                        let and_rest: String = rest.iter().map(|c| format!(" AND {c}")).collect();
                        let n = values.len();
                        format!(
                            "(SELECT * FROM (
                                SELECT * FROM (SELECT * FROM claims c WHERE {a}{and_rest}
                                    ORDER BY c.published DESC NULLS LAST, c.doc_key DESC LIMIT ?{n})
                                UNION
                                SELECT * FROM (SELECT * FROM claims c WHERE {b}{and_rest}
                                    ORDER BY c.published DESC NULLS LAST, c.doc_key DESC LIMIT ?{n})
                             ) c
                             ORDER BY c.published DESC NULLS LAST, c.doc_key DESC, c.id
                             LIMIT ?{n}) c {join}"
                        )
                    }
                    (_, true) => format!(
                        "(SELECT * FROM claims c {filter}
                          ORDER BY c.published DESC NULLS LAST, c.doc_key DESC, c.id
                          LIMIT ?{}) c {join}",
                        values.len()
                    ),
                    (_, false) => {
                        format!("claims c {join} {filter}")
                    }
                }
            }
        );
        let mut stmt = self
            .conn
            .prepare(&sql_text)
            .map_err(sql("listing claims"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values.iter()), claim_row)
            .map_err(sql("listing claims"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("listing claims"))
    }

    fn stats(&self) -> Result<StoreStats> {
        if self.clearance < Tlp::Red {
            return self.stats_at_clearance();
        }
        let count = |q: &str| -> Result<usize> {
            self.conn
                .query_row(q, [], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(sql("counting"))
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT type, count(*) FROM entities
                 WHERE id NOT IN (SELECT source FROM entity_merges WHERE undone_at IS NULL)
                 GROUP BY type ORDER BY count(*) DESC, type",
            )
            .map_err(sql("counting entities"))?;
        let by_type = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .map_err(sql("counting entities"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("counting entities"))?;
        Ok(StoreStats {
            documents: count("SELECT count(*) FROM documents")?,
            claims: count("SELECT count(*) FROM claims")?,
            mentions: count("SELECT count(*) FROM mentions")?,
            entities_by_type: by_type,
            provisional: count("SELECT count(*) FROM entities WHERE status = 'provisional' AND id NOT IN (SELECT source FROM entity_merges WHERE undone_at IS NULL)")?,
            claims_pending: count("SELECT count(*) FROM claims_pending")?,
            schema_version: self.schema_version()?,
        })
    }

    fn set_clearance(&mut self, clearance: Tlp) {
        self.clearance = clearance;
    }

    fn clearance(&self) -> Tlp {
        self.clearance
    }

    fn publish_stix(&mut self, collection: &str, objects: &[StixRecord]) -> Result<PublishOutcome> {
        let mut outcome = PublishOutcome::default();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting to publish"))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO stix_objects
                     (collection, id, type, spec_version, version, date_added, tlp, object)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(sql("preparing"))?;
            let mut supersede = tx
                .prepare_cached(
                    "UPDATE stix_objects SET superseded_rank = min(superseded_rank, ?3)
                     WHERE collection = ?1 AND id = ?2 AND version < ?4",
                )
                .map_err(sql("preparing"))?;
            let mut rank_new = tx
                .prepare_cached(
                    "UPDATE stix_objects SET superseded_rank = coalesce(
                        (SELECT min(t.tlp) FROM stix_objects t
                         WHERE t.collection = ?1 AND t.id = ?2 AND t.version > ?3), 5)
                     WHERE seq = ?4",
                )
                .map_err(sql("preparing"))?;
            let added_at = taxii_now();
            for o in objects {
                let n = insert
                    .execute(params![
                        collection,
                        o.id,
                        o.object_type,
                        o.spec_version,
                        o.version,
                        added_at,
                        o.tlp.rank(),
                        o.json
                    ])
                    .map_err(sql("publishing an object"))?;
                if n == 1 {
                    let seq = tx.last_insert_rowid();
                    supersede
                        .execute(params![collection, o.id, o.tlp.rank(), o.version])
                        .map_err(sql("marking older versions"))?;
                    rank_new
                        .execute(params![collection, o.id, o.version, seq])
                        .map_err(sql("ranking a new version"))?;
                    outcome.added.push(o.id.clone());
                } else {
                    outcome.unchanged.push(o.id.clone());
                }
            }
        }
        tx.commit().map_err(sql("committing a publication"))?;
        Ok(outcome)
    }

    fn stix_objects(&self, query: &StixQuery) -> Result<StixPage> {
        use rusqlite::types::Value;
        let mut values: Vec<Value> = vec![
            Value::Text(query.collection.clone()),
            Value::Integer(self.clearance.rank()),
            Value::Integer(query.after_seq.unwrap_or(0)),
        ];
        let mut conditions = vec![
            "s.collection = ?1".to_string(),
            "s.tlp <= ?2".to_string(),
            "s.seq > ?3".to_string(),
        ];
        let mut any_of = |column: &str, items: &[String], values: &mut Vec<Value>| {
            if items.is_empty() {
                return;
            }
            let marks: Vec<String> = items
                .iter()
                .map(|i| {
                    values.push(Value::Text(i.clone()));
                    format!("?{}", values.len())
                })
                .collect();
            conditions.push(format!("{column} IN ({})", marks.join(", ")));
        };
        any_of("s.id", &query.ids, &mut values);
        any_of("s.type", &query.types, &mut values);
        any_of("s.spec_version", &query.spec_versions, &mut values);
        match &query.versions {
            VersionMatch::All => {}
            VersionMatch::Exact(v) => any_of("s.version", v, &mut values),
            VersionMatch::Last => conditions.push("s.superseded_rank > ?2".into()),
            VersionMatch::First => conditions.push(
                "s.version = (SELECT min(t.version) FROM stix_objects t
                              WHERE t.collection = s.collection AND t.id = s.id AND t.tlp <= ?2)"
                    .into(),
            ),
        }
        if let Some(after) = &query.added_after {
            values.push(Value::Text(after.clone()));
            conditions.push(format!("s.date_added > ?{}", values.len()));
        }
        let limit = if query.limit == 0 { 1000 } else { query.limit };
        values.push(Value::Integer(limit as i64 + 1));
        let text = format!(
            "SELECT s.seq, s.id, s.type, s.spec_version, s.version, s.date_added, s.tlp, s.object
             FROM stix_objects s WHERE {} ORDER BY s.seq LIMIT ?{}",
            conditions.join(" AND "),
            values.len()
        );
        let mut stmt = self
            .conn
            .prepare_cached(&text)
            .map_err(sql("reading a collection"))?;
        let mut objects = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok(StoredStixObject {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    object_type: r.get(2)?,
                    spec_version: r.get(3)?,
                    version: r.get(4)?,
                    date_added: r.get(5)?,
                    tlp: tlp_of(r.get(6)?),
                    json: r.get(7)?,
                })
            })
            .map_err(sql("reading a collection"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql("reading a collection"))?;
        let more = objects.len() > limit;
        objects.truncate(limit);
        Ok(StixPage { objects, more })
    }

    fn stix_collections(&self) -> Result<Vec<(String, usize)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT collection, count(*) FROM stix_objects WHERE tlp <= ?1
                 GROUP BY collection ORDER BY collection",
            )
            .map_err(sql("listing collections"))?;
        let rows = stmt
            .query_map([self.clearance.rank()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .map_err(sql("listing collections"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("listing collections"))
    }

    fn put_taxii_status(
        &mut self,
        id: &str,
        partner: &str,
        collection: &str,
        body: &str,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO taxii_status (id, partner, collection, at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, partner, collection, now(), body],
            )
            .map_err(sql("recording a write's status"))?;
        Ok(())
    }

    fn taxii_status(&self, id: &str) -> Result<Option<(String, String)>> {
        self.conn
            .query_row(
                "SELECT partner, body FROM taxii_status WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("reading a write's status"))
    }

    fn entity_markings(&self) -> Result<HashMap<String, Tlp>> {
        let merges = self.merge_map()?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.entity_id, min(d.tlp) FROM mentions m
                 JOIN document_meta d ON d.doc_key = m.doc_key
                 WHERE d.tlp <= ?1 GROUP BY m.entity_id",
            )
            .map_err(sql("reading entity markings"))?;
        let rows = stmt
            .query_map([self.clearance.rank()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(sql("reading entity markings"))?;
        let mut out: HashMap<String, Tlp> = HashMap::new();
        for row in rows {
            let (id, rank) = row.map_err(sql("reading entity markings"))?;
            let tlp = tlp_of(rank);
            for key in [resolve_in(&merges, &id), id] {
                let slot = out.entry(key).or_insert(tlp);
                *slot = (*slot).min(tlp);
            }
        }
        Ok(out)
    }

    fn stix_versions(&self, audience: Tlp) -> Result<HashMap<String, StixVersion>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, hash, created, modified FROM stix_versions WHERE audience = ?1",
            )
            .map_err(sql("reading STIX versions"))?;
        let rows = stmt
            .query_map([audience.rank()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    StixVersion {
                        hash: r.get(1)?,
                        created: r.get(2)?,
                        modified: r.get(3)?,
                    },
                ))
            })
            .map_err(sql("reading STIX versions"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading STIX versions"))
    }

    fn record_stix_versions(
        &mut self,
        audience: Tlp,
        versions: &[(String, StixVersion)],
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting to record versions"))?;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO stix_versions (audience, id, hash, created, modified)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql("preparing"))?;
            for (id, v) in versions {
                upsert
                    .execute(params![audience.rank(), id, v.hash, v.created, v.modified])
                    .map_err(sql("recording a STIX version"))?;
            }
        }
        tx.commit().map_err(sql("committing STIX versions"))
    }

    fn claim_counts(&self, query: &ClaimQuery) -> Result<Vec<(Predicate, usize)>> {
        // About one entity (nothing merged into it), by predicate at most: the kept counts.
        let only_about = ClaimQuery {
            about: query.about.clone(),
            predicate: query.predicate,
            ..Default::default()
        };
        if let (Some(about), true) = (&query.about, query_eq(query, &only_about)) {
            let members = self.members_of(&self.root_of(about)?)?;
            if members.len() == 1 {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT predicate, sum(claims) FROM claim_stats
                         WHERE entity_id = ?1 AND tlp <= ?2 AND (?3 IS NULL OR predicate = ?3)
                         GROUP BY predicate",
                    )
                    .map_err(sql("counting claims"))?;
                let rows = stmt
                    .query_map(
                        params![
                            members[0],
                            self.clearance.rank(),
                            query.predicate.map(|p| p.as_str())
                        ],
                        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
                    )
                    .map_err(sql("counting claims"))?;
                let mut counts = Vec::new();
                for row in rows {
                    let (p, n) = row.map_err(sql("counting claims"))?;
                    if let (Ok(p), true) = (p.parse::<Predicate>(), n > 0) {
                        counts.push((p, n as usize));
                    }
                }
                counts.sort_by_key(|(p, _)| Predicate::ALL.iter().position(|x| x == p));
                return Ok(counts);
            }
        }
        // About an entity: each side counted from its own index, less the claims on both.
        let filters: Vec<(i64, ClaimQuery)> = match &query.about {
            Some(about) => {
                let side = |subject: bool, object: bool| ClaimQuery {
                    about: None,
                    subject: subject.then(|| about.clone()),
                    object: object.then(|| about.clone()),
                    ..query.clone()
                };
                vec![
                    (1, side(true, false)),
                    (1, side(false, true)),
                    (-1, side(true, true)),
                ]
            }
            None => vec![(1, query.clone())],
        };
        let mut totals: HashMap<String, i64> = HashMap::new();
        for (sign, q) in filters {
            let (conds, values, _) = self.claim_conditions(&q)?;
            let text = format!(
                "SELECT c.predicate, count(*) FROM claims c {} GROUP BY c.predicate",
                if conds.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", conds.join(" AND "))
                }
            );
            let mut stmt = self.conn.prepare(&text).map_err(sql("counting claims"))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(sql("counting claims"))?;
            for row in rows {
                let (p, n) = row.map_err(sql("counting claims"))?;
                *totals.entry(p).or_default() += sign * n;
            }
        }
        let mut counts: Vec<(Predicate, usize)> = Vec::new();
        for (p, n) in totals {
            if let (Ok(p), true) = (p.parse::<Predicate>(), n > 0) {
                counts.push((p, n as usize));
            }
        }
        counts.sort_by_key(|(p, _)| Predicate::ALL.iter().position(|x| x == p));
        Ok(counts)
    }

    fn documents_by_id(&self, ids: &[String]) -> Result<Vec<DocumentSummary>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("?{}", i + 2)).collect();
            let text = format!(
                "SELECT d.id, d.title, d.publisher, d.published, d.url, d.origin, length(d.text), 0, dm.tlp
                 FROM documents d JOIN document_meta dm ON dm.doc_key = d.doc_key
                 WHERE dm.tlp <= ?1 AND d.id IN ({})",
                marks.join(", ")
            );
            let mut values: Vec<rusqlite::types::Value> =
                vec![rusqlite::types::Value::Integer(self.clearance.rank())];
            values.extend(
                chunk
                    .iter()
                    .map(|i| rusqlite::types::Value::Text(i.clone())),
            );
            let mut stmt = self
                .conn
                .prepare_cached(&text)
                .map_err(sql("reading documents"))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(values), summary_row)
                .map_err(sql("reading documents"))?;
            for row in rows {
                out.push(row.map_err(sql("reading documents"))?);
            }
        }
        Ok(out)
    }

    fn dirty_findings(&self, limit: usize) -> Result<Vec<DirtyFinding>> {
        // Claims to read: those after the kept state, counted along the (key, id) index.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.key, f.seq, k.state, k.upto,
                        (SELECT count(*) FROM claims c WHERE c.finding_key = f.key
                           AND c.id > coalesce(k.upto, 0) AND c.id <= f.seq)
                 FROM findings_dirty f LEFT JOIN findings k ON k.key = f.key
                   AND k.state IS NOT NULL AND k.upto IS NOT NULL
                 ORDER BY f.key LIMIT ?1",
            )
            .map_err(sql("reading findings to update"))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                let state: Option<Vec<u8>> = r.get(2)?;
                let upto: Option<i64> = r.get(3)?;
                Ok(DirtyFinding {
                    key: r.get(0)?,
                    seq: r.get(1)?,
                    kept: state.zip(upto),
                    claims: r.get::<_, i64>(4)? as usize,
                })
            })
            .map_err(sql("reading findings to update"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading findings to update"))
    }

    fn finding_claims(&self, key: &str, after: i64, upto: i64) -> Result<Vec<StoredClaim>> {
        if self.clearance < Tlp::Red {
            return Err(StoreError::Invalid(
                "kept findings are folded from every claim (RED); a partner's come from `claims`"
                    .into(),
            ));
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LEAN_CLAIM_COLUMNS}
                 FROM claims c JOIN document_meta d ON d.doc_key = c.doc_key
                 WHERE c.finding_key = ?1 AND c.id > ?2 AND c.id <= ?3"
            ))
            .map_err(sql("reading a finding's claims"))?;
        let rows = stmt
            .query_map(params![key, after, upto], claim_row)
            .map_err(sql("reading a finding's claims"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading a finding's claims"))
    }

    fn put_findings(&mut self, findings: &[CachedFinding], done: &[DirtyFinding]) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting to keep findings"))?;
        {
            let mut forget = tx
                .prepare_cached("DELETE FROM findings WHERE key = ?1")
                .map_err(sql("preparing"))?;
            // A key marked again since it was read (an ingest meanwhile) stays to do.
            let mut clean = tx
                .prepare_cached("DELETE FROM findings_dirty WHERE key = ?1 AND seq = ?2")
                .map_err(sql("preparing"))?;
            for d in done {
                forget
                    .execute([&d.key])
                    .map_err(sql("forgetting a finding"))?;
                clean
                    .execute(params![d.key, d.seq])
                    .map_err(sql("marking a finding up to date"))?;
            }
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO findings (key, subject, object, predicate,
                     independent_origins, reports, subject_name, body, state, upto)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(sql("preparing"))?;
            for f in findings {
                put.execute(params![
                    f.key,
                    f.subject,
                    f.object,
                    f.predicate.as_str(),
                    f.independent_origins as i64,
                    f.reports as i64,
                    f.subject_name,
                    f.body,
                    f.state,
                    f.upto
                ])
                .map_err(sql("keeping a finding"))?;
            }
        }
        tx.commit().map_err(sql("committing findings"))
    }

    fn kept_findings(&self, query: &FindingQuery) -> Result<Vec<String>> {
        if self.clearance < Tlp::Red {
            return Err(StoreError::Invalid(
                "kept findings are the analyst's (RED) view; compute a partner's from its claims"
                    .into(),
            ));
        }
        use rusqlite::types::Value;
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(about) = &query.about {
            let members = self.members_of(&self.root_of(about)?)?;
            let marks: Vec<String> = members
                .iter()
                .map(|m| {
                    values.push(Value::Text(m.clone()));
                    format!("?{}", values.len())
                })
                .collect();
            let list = marks.join(", ");
            conditions.push(format!("(subject IN ({list}) OR object IN ({list}))"));
        }
        if let Some(p) = query.predicate {
            values.push(Value::Text(p.as_str().into()));
            conditions.push(format!("predicate = ?{}", values.len()));
        }
        values.push(Value::Integer(if query.limit == 0 {
            -1
        } else {
            query.limit as i64
        }));
        let text = format!(
            "SELECT body FROM findings {} ORDER BY independent_origins DESC, reports DESC,
             subject_name, key LIMIT ?{}",
            if conditions.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", conditions.join(" AND "))
            },
            values.len()
        );
        let mut stmt = self
            .conn
            .prepare_cached(&text)
            .map_err(sql("reading findings"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                r.get::<_, String>(0)
            })
            .map_err(sql("reading findings"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading findings"))
    }

    fn findings_config(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT config FROM findings_meta WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql("reading the findings' settings"))
    }

    fn reset_findings(&mut self, config: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a findings reset"))?;
        tx.execute_batch(
            "DELETE FROM findings;
             DELETE FROM findings_dirty;
             INSERT INTO findings_dirty SELECT finding_key, max(id) FROM claims GROUP BY finding_key;",
        )
        .map_err(sql("resetting findings"))?;
        tx.execute(
            "INSERT OR REPLACE INTO findings_meta (id, config) VALUES (1, ?1)",
            [config],
        )
        .map_err(sql("recording the findings' settings"))?;
        tx.commit().map_err(sql("committing a findings reset"))
    }

    fn record_audit(&mut self, entries: &[AuditEntry]) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting an audit write"))?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO audit_log (at, partner, action, target, status)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql("preparing"))?;
            for e in entries {
                insert
                    .execute(params![e.at, e.partner, e.action, e.target, e.status])
                    .map_err(sql("writing the audit log"))?;
            }
        }
        tx.commit().map_err(sql("committing the audit log"))
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = if query.limit == 0 {
            -1
        } else {
            query.limit as i64
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, partner, action, target, status FROM audit_log
                 WHERE (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR at >= ?2)
                 ORDER BY id DESC LIMIT ?3",
            )
            .map_err(sql("reading the audit log"))?;
        let rows = stmt
            .query_map(params![query.partner, query.since, limit], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    partner: r.get(1)?,
                    action: r.get(2)?,
                    target: r.get(3)?,
                    status: r.get(4)?,
                })
            })
            .map_err(sql("reading the audit log"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading the audit log"))
    }
}
