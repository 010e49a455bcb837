//! Storage for havenwatch.
//!
//! Callers use the [`Store`] trait only, so that a PostgreSQL backend for multi-analyst
//! deployments can follow without touching them. [`SqliteStore`] is the embedded default: one
//! file, WAL journal, versioned migrations run on open (an older file is upgraded in place),
//! FTS5 over document text.
//!
//! Writes arrive in batches ([`Store::write_batch`]), one transaction each: a batch is stored
//! whole or not at all, so a killed ingest leaves no half-written document behind.

mod checkpoint;
mod full_text;
mod model;
mod sqlite;

pub use model::*;
pub use sqlite::{taxii_now, SqliteStore, BULK_DEFERRED_INDEXES, SCHEMA_VERSION};

/// A storage failure, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database {path} was written by a newer havenwatch (schema {found}, this one knows {known}); upgrade havenwatch")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("{context}: {source}")]
    Sql {
        context: &'static str,
        source: rusqlite::Error,
    },
    #[error("no entity named `{0}`")]
    UnknownEntity(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Wraps a SQLite error with what was being done.
fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sql { context, source }
}

/// The key of the finding a claim belongs to: subject, predicate and object, the two entities
/// in id order for symmetric predicates (cooperation and hostility hold both ways).
pub fn finding_key(
    subject: &str,
    predicate: havenwatch_core::Predicate,
    object: Option<&str>,
) -> String {
    let sep = '\u{1f}';
    match object {
        Some(o) if predicate.is_symmetric() && o < subject => {
            format!("{o}{sep}{}{sep}{subject}", predicate.as_str())
        }
        _ => format!(
            "{subject}{sep}{}{sep}{}",
            predicate.as_str(),
            object.unwrap_or("")
        ),
    }
}

/// Everything havenwatch stores and asks of its storage.
pub trait Store {
    /// Stores a batch of analysed documents in one transaction. Documents already present
    /// (same content hash) are counted as duplicates and left as they are.
    fn write_batch(&mut self, batch: &[AnalysedDocument]) -> Result<BatchOutcome>;

    /// Stored documents in key order after `after` (at most `limit`), for claim extraction:
    /// only those stored without claims (`ingest --defer-claims`) when `pending_only`.
    fn documents_for_claims(
        &self,
        pending_only: bool,
        after: i64,
        limit: usize,
    ) -> Result<Vec<StoredDocument>>;

    /// How many documents [`Store::documents_for_claims`] would give in all.
    fn count_documents_for_claims(&self, pending_only: bool) -> Result<usize>;

    /// Replaces the claims of stored documents with new ones, in one transaction: kept counts
    /// follow, every finding either set touches is folded again from all its claims, and the
    /// documents are no longer pending.
    fn replace_claims(&mut self, docs: &[ExtractedClaims]) -> Result<ReplaceOutcome>;

    /// Whether a document with this id is stored.
    fn has_document(&self, id: &havenwatch_core::DocumentId) -> Result<bool>;

    /// Documents, newest first (by publication date, then ingestion).
    fn documents(&self, query: &DocumentQuery) -> Result<Vec<DocumentSummary>>;

    /// One document, whole. Accepts a full id or an unambiguous prefix of at least 6 digits.
    fn document(&self, id_or_prefix: &str) -> Result<Option<havenwatch_core::Document>>;

    /// Entities with their mention and document counts, most mentioned first. Merged entities
    /// are folded into the entity they were merged into.
    fn entities(&self, query: &EntityQuery) -> Result<Vec<EntitySummary>>;

    /// Resolves a name (canonical, any alias, any surface form seen in text, or an id) to an
    /// entity, following merges.
    fn find_entity(&self, name: &str) -> Result<Option<havenwatch_core::Entity>>;

    /// One entity by id, as stored (not following merges).
    fn entity(&self, id: &str) -> Result<Option<havenwatch_core::Entity>>;

    /// Mention and document counts of an entity (with every entity merged into it), and the
    /// ids merged into it.
    fn entity_counts(&self, id: &str) -> Result<EntityCounts>;

    /// Mentions of an entity (and of every entity merged into it), with context.
    fn mentions(&self, entity: &str, limit: usize) -> Result<Vec<MentionInContext>>;

    /// Full-text search over titles and text (FTS5 query syntax).
    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>>;

    /// Marks a provisional entity as confirmed.
    fn confirm_entity(&mut self, id: &str) -> Result<()>;

    /// Merges `source` into `target`, recording when and why. Reversible: nothing is deleted.
    fn merge_entities(&mut self, source: &str, target: &str, reason: &str) -> Result<MergeRecord>;

    /// Undoes the active merge of `source`, recording when and why.
    fn unmerge_entity(&mut self, source: &str, reason: &str) -> Result<MergeRecord>;

    /// Adds an alias to an entity.
    fn add_alias(&mut self, entity: &str, alias: &str) -> Result<()>;

    /// Every merge that involved this entity, undone ones included, oldest first.
    fn merge_history(&self, entity: &str) -> Result<Vec<MergeRecord>>;

    /// Aliases of the entities the store holds (for the extractor to find them in new text).
    fn entity_aliases(&self) -> Result<Vec<(havenwatch_core::Entity, Vec<String>)>>;

    /// Prepares for a load much larger than what is stored: secondary indexes that the load
    /// would update row by row may be set aside, to be built once, from sorted data, by
    /// [`Store::end_bulk_load`]. Reads stay correct meanwhile, only slower. A load that dies
    /// before the end leaves them to be rebuilt when the store is next opened. Returns whether
    /// anything was set aside (backends without such indexes do nothing).
    fn begin_bulk_load(&mut self) -> Result<bool> {
        Ok(false)
    }

    /// Builds the indexes [`Store::begin_bulk_load`] set aside.
    fn end_bulk_load(&mut self) -> Result<()> {
        Ok(())
    }

    /// Claims matching a query, newest document first.
    fn claims(&self, query: &ClaimQuery) -> Result<Vec<StoredClaim>>;

    /// Counts for an overview.
    fn stats(&self) -> Result<StoreStats>;

    /// Limits every later read to documents marked at or below `clearance`, and to what they
    /// reveal. A new handle sees everything (RED).
    fn set_clearance(&mut self, clearance: havenwatch_core::Tlp);

    /// The clearance reads are limited to.
    fn clearance(&self) -> havenwatch_core::Tlp;

    /// Adds objects to a TAXII collection; a version already there is left as it is.
    fn publish_stix(&mut self, collection: &str, objects: &[StixRecord]) -> Result<PublishOutcome>;

    /// A page of a collection's objects, only those marked within the clearance.
    fn stix_objects(&self, query: &StixQuery) -> Result<StixPage>;

    /// Every collection that holds objects, with how many (within the clearance).
    fn stix_collections(&self) -> Result<Vec<(String, usize)>>;

    /// Records the outcome of a partner's TAXII write, for its status endpoint.
    fn put_taxii_status(
        &mut self,
        id: &str,
        partner: &str,
        collection: &str,
        body: &str,
    ) -> Result<()>;

    /// A write's status, with the partner that made it: `(partner, body)`.
    fn taxii_status(&self, id: &str) -> Result<Option<(String, String)>>;

    /// For every entity a visible document mentions (and the entity it is merged into), the
    /// least strict marking among those documents: the level at which its existence is known.
    fn entity_markings(&self) -> Result<std::collections::HashMap<String, havenwatch_core::Tlp>>;

    /// The versions of STIX objects last exported to an audience, by STIX id.
    fn stix_versions(
        &self,
        audience: havenwatch_core::Tlp,
    ) -> Result<std::collections::HashMap<String, StixVersion>>;

    /// Records the versions just exported to an audience.
    fn record_stix_versions(
        &mut self,
        audience: havenwatch_core::Tlp,
        versions: &[(String, StixVersion)],
    ) -> Result<()>;

    /// How many claims a query matches, per predicate (in the schema's order); `limit` is
    /// ignored.
    fn claim_counts(&self, query: &ClaimQuery) -> Result<Vec<(havenwatch_core::Predicate, usize)>>;

    /// Summaries of these documents (those the clearance allows), in no particular order.
    fn documents_by_id(&self, ids: &[String]) -> Result<Vec<DocumentSummary>>;

    /// Keys of findings whose claims changed since they were last computed (at most `limit`),
    /// each with the mark it was read with.
    fn dirty_findings(&self, limit: usize) -> Result<Vec<DirtyFinding>>;

    /// The claims of one finding with ids in `after..=upto`, without evidence text, title or
    /// qualifiers (what kept findings are folded from), in no particular order; RED only.
    fn finding_claims(&self, key: &str, after: i64, upto: i64) -> Result<Vec<StoredClaim>>;

    /// Stores computed findings and marks `done` keys up to date, unless marked again since
    /// they were read; a done key without a computed finding (no claims left) loses its row.
    fn put_findings(&mut self, findings: &[CachedFinding], done: &[DirtyFinding]) -> Result<()>;

    /// Kept findings, most independently supported first (bodies as serialised).
    fn kept_findings(&self, query: &FindingQuery) -> Result<Vec<String>>;

    /// The settings the kept findings were computed with, if any.
    fn findings_config(&self) -> Result<Option<String>>;

    /// Forgets every kept finding and marks all for computing, under new settings.
    fn reset_findings(&mut self, config: &str) -> Result<()>;

    /// Appends to the audit log.
    fn record_audit(&mut self, entries: &[AuditEntry]) -> Result<()>;

    /// Reads the audit log, newest first.
    fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;
}
