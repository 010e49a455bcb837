//! What goes in and comes out of a [`crate::Store`].

use havenwatch_core::{
    Claim, Document, DocumentId, Entity, EntityStatus, EntityType, Mention, Modality, Predicate,
    Tlp,
};
use serde::Serialize;

/// A document with its mentions and the entities they refer to, ready to store.
#[derive(Clone, Debug)]
pub struct AnalysedDocument {
    pub document: Document,
    /// Where it came from (a path and line, or `-` for standard input).
    pub origin: String,
    pub mentions: Vec<Mention>,
    /// Every entity a mention or claim refers to. Known entities are inserted if absent;
    /// discovered ones are inserted as provisional, keeping their status if already present.
    pub entities: Vec<Entity>,
    /// The claims the document makes, with evidence spans into its text.
    pub claims: Vec<Claim>,
    /// `havenwatch_core::text::simhash` of the text: near-duplicates share most bits.
    pub fingerprint: u64,
    /// Stored without claims, to be extracted later (`ingest --defer-claims`, then
    /// `reextract`); `claims` is then empty.
    pub claims_pending: bool,
}

/// A stored document given back for claim extraction.
#[derive(Clone, Debug)]
pub struct StoredDocument {
    /// The store's key of the document, to hand back with its claims.
    pub key: i64,
    pub document: Document,
}

/// A stored document's claims, extracted again: they replace the claims it had.
#[derive(Clone, Debug)]
pub struct ExtractedClaims {
    pub key: i64,
    pub claims: Vec<Claim>,
    /// Entities the claims name that the store may not hold yet (added if absent).
    pub entities: Vec<Entity>,
}

/// What replacing documents' claims did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplaceOutcome {
    pub documents: usize,
    /// Claims the documents had before.
    pub removed: usize,
    /// Claims they have now.
    pub added: usize,
}

/// What a batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    pub added: usize,
    pub duplicate: usize,
    pub mentions: usize,
    pub claims: usize,
    pub new_entities: usize,
}

#[derive(Clone, Debug, Default)]
pub struct DocumentQuery {
    pub limit: usize,
    pub publisher: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub id: DocumentId,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub origin: String,
    pub chars: usize,
    pub mentions: usize,
    pub tlp: Tlp,
}

#[derive(Clone, Debug, Default)]
pub struct EntityQuery {
    pub entity_type: Option<EntityType>,
    pub status: Option<EntityStatus>,
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntitySummary {
    #[serde(flatten)]
    pub entity: Entity,
    pub mentions: usize,
    pub documents: usize,
    /// Ids of entities merged into this one.
    pub merged: Vec<String>,
}

/// A mention with the text around it and the document it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MentionInContext {
    pub entity: String,
    pub document: DocumentId,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub rule: String,
    /// About a sentence either side, whole words, with the mention inside.
    pub context: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: DocumentId,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    /// A fragment of the text with the matched terms in `[` `]`.
    pub snippet: String,
    pub rank: f64,
    pub tlp: Tlp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeRecord {
    pub id: i64,
    pub source: String,
    pub target: String,
    pub reason: String,
    pub merged_at: String,
    pub undone_at: Option<String>,
    pub undo_reason: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    pub documents: usize,
    pub claims: usize,
    pub mentions: usize,
    pub entities_by_type: Vec<(String, usize)>,
    pub provisional: usize,
    /// Documents stored without their claims (`ingest --defer-claims`) until `reextract`.
    pub claims_pending: usize,
    pub schema_version: i64,
}

/// Which claims to list. Entity filters take ids and match the entities merged into them too.
#[derive(Clone, Debug, Default)]
pub struct ClaimQuery {
    pub subject: Option<String>,
    pub object: Option<String>,
    /// Claims where the entity is subject or object.
    pub about: Option<String>,
    pub predicate: Option<Predicate>,
    /// An entity id, or a source name (case-insensitive, e.g. "officials").
    pub source: Option<String>,
    pub modality: Option<Modality>,
    /// Only documents published on or after this date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub since: Option<String>,
    pub limit: usize,
}

/// A stored claim with the document and sentence it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredClaim {
    #[serde(flatten)]
    pub claim: Claim,
    pub document: DocumentId,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    /// The evidence span's text.
    pub evidence_text: String,
    /// The document's near-duplicate fingerprint (absent for documents stored before schema 5).
    #[serde(skip)]
    pub fingerprint: Option<u64>,
    /// The marking of the document the claim comes from.
    pub tlp: Tlp,
}

/// How often an entity is mentioned, in how many documents, and what was merged into it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EntityCounts {
    pub mentions: usize,
    pub documents: usize,
    pub merged: Vec<String>,
}

/// A STIX object to publish in a TAXII collection: its JSON and the fields TAXII filters on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StixRecord {
    pub id: String,
    pub object_type: String,
    pub spec_version: String,
    /// `modified`, else `created`, else the time it was added: what TAXII calls its version.
    pub version: String,
    pub tlp: Tlp,
    /// The object, serialised.
    pub json: String,
}

/// A STIX object as a collection holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredStixObject {
    /// Order of arrival; pagination cursors are built on it.
    pub seq: i64,
    pub id: String,
    pub object_type: String,
    pub spec_version: String,
    pub version: String,
    /// When the collection received it (RFC 3339 UTC with milliseconds).
    pub date_added: String,
    pub tlp: Tlp,
    pub json: String,
}

/// Which versions of an object a TAXII query wants (`match[version]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum VersionMatch {
    /// The newest version only (the TAXII default).
    #[default]
    Last,
    First,
    All,
    /// These exact versions.
    Exact(Vec<String>),
}

/// A page of a collection's objects, filtered as TAXII 2.1 filters them.
#[derive(Clone, Debug, Default)]
pub struct StixQuery {
    pub collection: String,
    /// Only objects added strictly after this time.
    pub added_after: Option<String>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    pub versions: VersionMatch,
    pub spec_versions: Vec<String>,
    /// Resume after this arrival number (from a previous page's `next`).
    pub after_seq: Option<i64>,
    pub limit: usize,
}

/// One page of objects and whether more follow.
#[derive(Clone, Debug, Default)]
pub struct StixPage {
    pub objects: Vec<StoredStixObject>,
    pub more: bool,
}

/// What publishing a set of objects did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PublishOutcome {
    /// Ids of versions that were new to the collection.
    pub added: Vec<String>,
    /// Ids of versions the collection already held (nothing changed).
    pub unchanged: Vec<String>,
}

/// One line of the audit log: who read or wrote what, when, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub partner: String,
    /// The method and route (`GET /taxii2/...`), or a CLI action (`export stix`).
    pub action: String,
    /// What was read or written: a path with its query, an object id, a file.
    pub target: String,
    /// The HTTP status (or 0 for a CLI action that succeeded).
    pub status: u16,
}

#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub partner: Option<String>,
    /// Entries at or after this time (any prefix of an RFC 3339 time, e.g. `2026-11`).
    pub since: Option<String>,
    pub limit: usize,
}

/// The version of a STIX object as last exported to an audience: the hash of its content
/// (without timestamps) and the timestamps it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StixVersion {
    pub hash: String,
    pub created: String,
    pub modified: String,
}

/// A computed finding as the store keeps it: its key, what it is filtered and ordered by, and
/// its serialised body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedFinding {
    pub key: String,
    pub subject: String,
    pub object: Option<String>,
    pub predicate: Predicate,
    pub independent_origins: usize,
    pub reports: usize,
    pub subject_name: String,
    pub body: String,
    /// What the finding was folded from, to add new claims to (the analysis's encoding).
    pub state: Vec<u8>,
    /// The last claim id folded in.
    pub upto: i64,
}

/// Which kept findings to read.
#[derive(Clone, Debug, Default)]
pub struct FindingQuery {
    /// Findings whose subject or object is this entity (or one merged into it).
    pub about: Option<String>,
    pub predicate: Option<Predicate>,
    pub limit: usize,
}

/// A finding to update: its key, the mark it was read with, its kept state and the last claim
/// folded into it (none: computed from all its claims), and how many claims are to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirtyFinding {
    pub key: String,
    pub seq: i64,
    pub kept: Option<(Vec<u8>, i64)>,
    pub claims: usize,
}
