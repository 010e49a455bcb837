//! The ingest pipeline: one reader, parallel extractors, one writer.
//!
//! ```text
//! reader thread ──(bounded)──> rayon extractors ──(bounded)──> writer (caller's thread)
//!  walk, read, parse             mentions, discovery             batched transactions
//! ```
//!
//! A batch is one transaction, so a killed process loses at most the batch in flight; the
//! rerun skips what was stored (content hash) and stores the rest, each document once.

use crate::formats::{self, Format, InputError, RawDocument};
use crossbeam_channel::bounded;
use havenwatch_core::{Document, Entity, EntityId, EntityStatus, Mention, Span};
use havenwatch_extract::claims::ClaimExtractor;
use havenwatch_extract::evaluate::mention_refs_of;
use havenwatch_extract::{Gazetteer, MentionExtractor, MentionTarget};
use havenwatch_store::{AnalysedDocument, ExtractedClaims, Store, StoreError};
use rayon::iter::{ParallelBridge, ParallelIterator};
use serde::Serialize;
use std::collections::HashMap;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How to ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Documents (files, lines, feed items) over this many bytes are refused.
    pub max_doc_bytes: usize,
    /// Documents per transaction.
    pub batch_size: usize,
    /// The marking of documents that do not carry their own (front matter or JSON `tlp`).
    pub default_tlp: havenwatch_core::Tlp,
    /// Extract claims now; when false, documents are stored with their mentions only and
    /// marked for [`reextract`] to extract their claims later.
    pub extract_claims: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_doc_bytes: 5 * 1024 * 1024,
            batch_size: 512,
            default_tlp: havenwatch_core::Tlp::Amber,
            extract_claims: true,
        }
    }
}

/// What an ingest did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestSummary {
    pub added: usize,
    pub duplicate: usize,
    pub failed: usize,
    pub mentions: usize,
    pub claims: usize,
    pub new_entities: usize,
    pub bytes: u64,
    /// Every failure, one line each, in the order met.
    pub errors: Vec<String>,
}

/// One input as named on the command line: a path (file or folder) or `-` for stdin.
#[derive(Clone, Debug)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

impl Input {
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

enum Item {
    Doc(RawDocument),
    Failed(InputError),
}

/// The files an input stands for, in a stable order, with their sizes (for progress).
pub fn expand(inputs: &[Input]) -> (Vec<(PathBuf, u64)>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let Input::Path(path) = input else { continue };
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        if Format::from_path(e.path()).is_some() {
                            files.push((
                                e.path().to_path_buf(),
                                e.metadata().map(|m| m.len()).unwrap_or(0),
                            ));
                        }
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(InputError::new(
                        &e.path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| path.display().to_string()),
                        None,
                        format!(
                            "cannot read: {}",
                            e.io_error()
                                .map(|x| x.to_string())
                                .unwrap_or_else(|| e.to_string())
                        ),
                    )),
                }
            }
        } else {
            match std::fs::metadata(path) {
                Ok(m) => files.push((path.clone(), m.len())),
                Err(e) => errors.push(InputError::new(
                    &path.display().to_string(),
                    None,
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    (files, errors)
}

/// Ingests inputs into a store. `progress` is called with bytes read as reading advances.
///
/// Errors in inputs are collected in the summary and the batch goes on; a store error stops
/// the run (what was committed stays committed).
pub fn ingest(
    inputs: &[Input],
    store: &mut dyn Store,
    gazetteer: &Gazetteer,
    options: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<IngestSummary, StoreError> {
    let gazetteer = with_stored_entities(gazetteer, store)?;
    let extractor = MentionExtractor::new(&gazetteer);
    let claim_extractor = ClaimExtractor::for_resolver(extractor.resolver());
    let known = known_entities(&gazetteer);
    let known_by_id = index_by_id(&known);
    let (files, walk_errors) = expand(inputs);
    let stdin = inputs.iter().any(|i| matches!(i, Input::Stdin));
    let mut summary = IngestSummary::default();
    for e in walk_errors {
        summary.failed += 1;
        summary.errors.push(e.to_string());
    }

    let (raw_tx, raw_rx) = bounded::<Item>(256);
    let (done_tx, done_rx) =
        bounded::<Result<AnalysedDocument, InputError>>(4 * options.batch_size.max(1));
    let max = options.max_doc_bytes;
    let mut store_error = None;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (path, _) in &files {
                read_file(path, max, &raw_tx, progress);
            }
            if stdin {
                read_stdin(max, &raw_tx, progress);
            }
        });
        let extractor = &extractor;
        let known = &known;
        let known_by_id = &known_by_id;
        let claim_extractor = &claim_extractor;
        scope.spawn(move || {
            raw_rx
                .into_iter()
                .par_bridge()
                .for_each_with(done_tx, |tx, item| {
                    let out = match item {
                        Item::Doc(raw) => Ok(analyse(
                            raw,
                            options,
                            extractor,
                            claim_extractor,
                            known,
                            known_by_id,
                        )),
                        Item::Failed(e) => Err(e),
                    };
                    let _ = tx.send(out);
                });
        });
        let mut batch: Vec<AnalysedDocument> = Vec::with_capacity(options.batch_size);
        let mut written: HashSet<String> = HashSet::new();
        let mut flush = |batch: &mut Vec<AnalysedDocument>, summary: &mut IngestSummary| {
            if batch.is_empty() || store_error.is_some() {
                batch.clear();
                return;
            }
            match store.write_batch(batch) {
                Ok(o) => {
                    summary.added += o.added;
                    summary.duplicate += o.duplicate;
                    summary.mentions += o.mentions;
                    summary.claims += o.claims;
                    summary.new_entities += o.new_entities;
                }
                Err(e) => store_error = Some(e),
            }
            batch.clear();
        };
        for result in done_rx {
            match result {
                Ok(mut doc) => {
                    summary.bytes += doc.document.text.len() as u64;
                    // Send each entity's full record once per run; the store ignores repeats.
                    doc.entities.retain(|e| written.insert(e.id.0.clone()));
                    for e in &mut doc.entities {
                        if e.status == EntityStatus::Known {
                            if let Some(&i) = known_by_id.get(e.id.0.as_str()) {
                                *e = known[i].clone();
                            }
                        }
                    }
                    batch.push(doc);
                    if batch.len() >= options.batch_size {
                        flush(&mut batch, &mut summary);
                    }
                }
                Err(e) => {
                    summary.failed += 1;
                    summary.errors.push(e.to_string());
                }
            }
        }
        flush(&mut batch, &mut summary);
    });
    match store_error {
        Some(e) => Err(e),
        None => Ok(summary),
    }
}

/// The gazetteer with the entities the store holds: those discovered earlier (provisional or
/// confirmed by an analyst) are matched too.
fn with_stored_entities(gazetteer: &Gazetteer, store: &dyn Store) -> Result<Gazetteer, StoreError> {
    let mut gazetteer = gazetteer.clone();
    for (entity, aliases) in store.entity_aliases()? {
        gazetteer.add_entry(havenwatch_extract::GazetteerEntry {
            id: entity.id.0.clone(),
            name: entity.name.clone(),
            entity_type: entity.entity_type,
            aliases,
            external_ids: entity.external_ids.clone(),
            origin: "store".into(),
        });
    }
    Ok(gazetteer)
}

/// Every gazetteer entry as an entity record, in the gazetteer's order (a mention's
/// `MentionTarget::Known` index).
fn known_entities(gazetteer: &Gazetteer) -> Vec<Entity> {
    gazetteer
        .entries()
        .iter()
        .map(|e| Entity {
            id: EntityId(e.id.clone()),
            name: e.name.clone(),
            entity_type: e.entity_type,
            aliases: e.aliases.clone(),
            external_ids: e.external_ids.clone(),
            status: EntityStatus::Known,
        })
        .collect()
}

fn index_by_id(known: &[Entity]) -> HashMap<&str, usize> {
    known
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0.as_str(), i))
        .collect()
}

/// A document's claims, its headline read for the source of an unnamed report.
fn claims_of(
    document: &Document,
    extractor: &MentionExtractor,
    claim_extractor: &ClaimExtractor,
    analysis: &havenwatch_extract::Analysis,
) -> Vec<havenwatch_core::Claim> {
    let refs = mention_refs_of(extractor, analysis);
    claim_extractor.extract_with_headline(
        &document.text,
        document.meta.publisher.as_deref(),
        &refs,
        havenwatch_extract::claims::headline_source(
            extractor,
            document.meta.title.as_deref(),
            document.meta.url.as_deref(),
            &refs,
        ),
    )
}

/// Runs the extractors over one document and builds what the store needs.
fn analyse(
    mut raw: RawDocument,
    options: &IngestOptions,
    extractor: &MentionExtractor,
    claim_extractor: &ClaimExtractor,
    known: &[Entity],
    known_by_id: &HashMap<&str, usize>,
) -> AnalysedDocument {
    raw.meta.tlp.get_or_insert(options.default_tlp);
    let document = Document::new(raw.meta, raw.text);
    let (analysis, fingerprint) = extractor.analyze_and_fingerprint(&document.text);
    let claims = if options.extract_claims {
        claims_of(&document, extractor, claim_extractor, &analysis)
    } else {
        Vec::new()
    };
    let mut entities: Vec<Entity> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let discovered: Vec<Entity> = analysis.discovered.iter().map(discovered_entity).collect();
    let mut mentions = Vec::with_capacity(analysis.mentions.len());
    for m in &analysis.mentions {
        let entity = match m.target {
            MentionTarget::Known(i) => &known[i],
            MentionTarget::Discovered(i) => &discovered[i],
        };
        if seen.insert(entity.id.0.as_str()) {
            // A known entity travels as its id; the writer adds its full record (aliases and
            // all) the first time it writes it, not once per document.
            entities.push(match m.target {
                MentionTarget::Known(_) => Entity {
                    id: entity.id.clone(),
                    name: String::new(),
                    entity_type: entity.entity_type,
                    aliases: Vec::new(),
                    external_ids: Vec::new(),
                    status: EntityStatus::Known,
                },
                MentionTarget::Discovered(_) => entity.clone(),
            });
        }
        mentions.push(Mention {
            entity: entity.id.clone(),
            document: document.id.clone(),
            span: Span::new(m.start, m.end),
            surface: document.text[m.start..m.end].to_string(),
            rule: m.rule,
        });
    }
    // Entities a claim names without a mention of their own (a metonym's authority).
    entities.extend(unmentioned_claim_entities(
        &claims,
        &mut seen,
        known,
        known_by_id,
    ));
    AnalysedDocument {
        document,
        origin: raw.origin,
        mentions,
        entities,
        claims,
        fingerprint,
        claims_pending: !options.extract_claims,
    }
}

/// A group found in the text itself, as the store keeps it until an analyst confirms it.
fn discovered_entity(d: &havenwatch_extract::DiscoveredEntity) -> Entity {
    Entity {
        id: EntityId(d.id.clone()),
        name: d.name.clone(),
        entity_type: d.entity_type,
        aliases: d.acronym.iter().cloned().collect(),
        external_ids: Vec::new(),
        status: EntityStatus::Provisional,
    }
}

/// The known entities claims name that are not in `seen` (which they join).
fn unmentioned_claim_entities<'k>(
    claims: &[havenwatch_core::Claim],
    seen: &mut HashSet<&'k str>,
    known: &'k [Entity],
    known_by_id: &HashMap<&str, usize>,
) -> Vec<Entity> {
    let mut out = Vec::new();
    for c in claims {
        for id in std::iter::once(&c.subject.id).chain(c.object.as_ref().map(|o| &o.id)) {
            if !seen.contains(id.0.as_str()) {
                if let Some(&i) = known_by_id.get(id.0.as_str()) {
                    seen.insert(known[i].id.0.as_str());
                    out.push(known[i].clone());
                }
            }
        }
    }
    out
}

/// What a [`reextract`] did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReextractSummary {
    pub documents: usize,
    /// Claims the documents had before.
    pub removed: usize,
    /// Claims they have now.
    pub added: usize,
}

/// Extracts the claims of stored documents again, with the extractor as it is now (rules,
/// lexicons, gazetteer), replacing the claims they had: those stored by `ingest` without
/// claims (`pending_only`), or all of them after the rules changed. Mentions stay as stored.
/// Documents are read a batch at a time in key order and each batch's claims replaced in one
/// transaction, so a run that stops keeps what it finished and a rerun of the pending ones
/// goes on where it stopped. `progress` is told how many documents are done.
pub fn reextract(
    store: &mut dyn Store,
    gazetteer: &Gazetteer,
    pending_only: bool,
    batch_size: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ReextractSummary, StoreError> {
    use rayon::prelude::*;
    let gazetteer = with_stored_entities(gazetteer, store)?;
    let extractor = MentionExtractor::new(&gazetteer);
    let claim_extractor = ClaimExtractor::for_resolver(extractor.resolver());
    let known = known_entities(&gazetteer);
    let known_by_id = index_by_id(&known);
    let mut summary = ReextractSummary::default();
    let extract = |d: &havenwatch_store::StoredDocument| -> ExtractedClaims {
        let analysis = extractor.analyze(&d.document.text);
        let claims = claims_of(&d.document, &extractor, &claim_extractor, &analysis);
        let mut seen = HashSet::new();
        let mut entities = unmentioned_claim_entities(&claims, &mut seen, &known, &known_by_id);
        // Entities found in the text itself that the store may not hold yet.
        for c in &claims {
            for id in std::iter::once(&c.subject.id).chain(c.object.as_ref().map(|o| &o.id)) {
                if let Some(found) = analysis.discovered.iter().find(|x| x.id == id.0) {
                    if !entities.iter().any(|e| e.id == *id) {
                        entities.push(discovered_entity(found));
                    }
                }
            }
        }
        ExtractedClaims {
            key: d.key,
            claims,
            entities,
        }
    };
    // One batch is extracted (on the rayon threads) while the one before is written (on this
    // thread, the store's only one): the writer's time is not added to the extraction's.
    let mut after = 0;
    let mut written: Option<Vec<ExtractedClaims>> = None;
    loop {
        let docs = store.documents_for_claims(pending_only, after, batch_size.max(1))?;
        if let Some(last) = docs.last() {
            after = last.key;
        }
        let (extracted, outcome) = std::thread::scope(|scope| {
            let extracting = scope.spawn(|| {
                docs.par_iter()
                    .map(extract)
                    .collect::<Vec<ExtractedClaims>>()
            });
            let outcome = written.take().map(|batch| store.replace_claims(&batch));
            (extracting.join(), outcome)
        });
        if let Some(outcome) = outcome {
            let outcome = outcome?;
            summary.documents += outcome.documents;
            summary.removed += outcome.removed;
            summary.added += outcome.added;
            progress(outcome.documents as u64);
        }
        if docs.is_empty() {
            break;
        }
        written = Some(extracted.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    }
    Ok(summary)
}

fn send_all(results: Vec<Result<RawDocument, InputError>>, tx: &crossbeam_channel::Sender<Item>) {
    for r in results {
        let _ = tx.send(match r {
            Ok(d) => Item::Doc(d),
            Err(e) => Item::Failed(e),
        });
    }
}

fn read_file(
    path: &Path,
    max: usize,
    tx: &crossbeam_channel::Sender<Item>,
    progress: &(dyn Fn(u64) + Sync),
) {
    let name = path.display().to_string();
    let format = Format::from_path(path).unwrap_or(Format::Text);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let _ = tx.send(Item::Failed(InputError::new(
                &name,
                None,
                format!("cannot read: {e}"),
            )));
            return;
        }
    };
    if format == Format::JsonLines {
        read_json_lines(BufReader::new(file), &name, max, tx, progress);
        return;
    }
    // Whole-file formats: never read more than the limit allows (feeds hold many items).
    let limit = if format == Format::Feed {
        max.saturating_mul(64)
    } else {
        max
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit as u64 {
        progress(size);
        let _ = tx.send(Item::Failed(InputError::new(
            &name,
            None,
            format!("file is {size} bytes, over the limit of {limit} (--max-doc-size)"),
        )));
        return;
    }
    let mut bytes = Vec::with_capacity(size as usize);
    if let Err(e) = file.take(limit as u64 + 1).read_to_end(&mut bytes) {
        let _ = tx.send(Item::Failed(InputError::new(
            &name,
            None,
            format!("cannot read: {e}"),
        )));
        return;
    }
    progress(bytes.len() as u64);
    send_all(parse_whole(&bytes, format, &name, max), tx);
}

/// Parses a whole file's bytes in a format: one result per document (feeds and JSON Lines hold
/// several), errors in place.
pub fn parse_whole(
    bytes: &[u8],
    format: Format,
    name: &str,
    max: usize,
) -> Vec<Result<RawDocument, InputError>> {
    let text = match formats::decode(bytes, name, 1) {
        Ok(t) => t,
        Err(e) => return vec![Err(e)],
    };
    match format {
        Format::Text => vec![formats::parse_text(text, name, max)],
        Format::Markdown => vec![formats::parse_markdown(text, name, max)],
        Format::Html => vec![formats::parse_html(text, name, max)],
        Format::Feed => formats::parse_feed(text, name, max).unwrap_or_else(|e| vec![Err(e)]),
        Format::JsonLines => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| formats::parse_json_line(l, name, i + 1, max))
            .collect(),
    }
}

/// Reads JSON Lines one line at a time; a line over the limit is skipped without being held
/// in memory.
fn read_json_lines(
    mut reader: impl BufRead,
    name: &str,
    max: usize,
    tx: &crossbeam_channel::Sender<Item>,
    progress: &(dyn Fn(u64) + Sync),
) {
    let mut line = Vec::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        line_no += 1;
        let mut too_long = false;
        let mut read_any = false;
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    let _ = tx.send(Item::Failed(InputError::new(
                        name,
                        Some(line_no),
                        format!("cannot read: {e}"),
                    )));
                    return;
                }
            };
            if buf.is_empty() {
                break;
            }
            read_any = true;
            let (chunk, done) = match memchr::memchr(b'\n', buf) {
                Some(p) => (&buf[..=p], true),
                None => (buf, false),
            };
            if !too_long {
                if line.len() + chunk.len() > max + 1 {
                    too_long = true;
                    line.clear();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            let n = chunk.len();
            reader.consume(n);
            progress(n as u64);
            if done {
                break;
            }
        }
        if !read_any {
            return;
        }
        let item = if too_long {
            Item::Failed(InputError::new(
                name,
                Some(line_no),
                format!("document is over the limit of {max} bytes (--max-doc-size)"),
            ))
        } else {
            match formats::decode(&line, name, line_no) {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => match formats::parse_json_line(text.trim_end(), name, line_no, max) {
                    Ok(d) => Item::Doc(d),
                    Err(e) => Item::Failed(e),
                },
                Err(e) => Item::Failed(e),
            }
        };
        if tx.send(item).is_err() {
            return;
        }
    }
}

fn read_stdin(max: usize, tx: &crossbeam_channel::Sender<Item>, progress: &(dyn Fn(u64) + Sync)) {
    let stdin = std::io::stdin();
    let mut reader = BufReader::new(stdin.lock());
    let head = reader.fill_buf().map(|b| b.to_vec()).unwrap_or_default();
    let format = Format::sniff(&head);
    if format == Format::JsonLines {
        read_json_lines(reader, "-", max, tx, progress);
        return;
    }
    let limit = if format == Format::Feed {
        max.saturating_mul(64)
    } else {
        max
    };
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(limit as u64 + 1).read_to_end(&mut bytes) {
        let _ = tx.send(Item::Failed(InputError::new(
            "-",
            None,
            format!("cannot read: {e}"),
        )));
        return;
    }
    progress(bytes.len() as u64);
    if bytes.len() > limit {
        let _ = tx.send(Item::Failed(InputError::new(
            "-",
            None,
            format!("input is over the limit of {limit} bytes (--max-doc-size)"),
        )));
        return;
    }
    send_all(parse_whole(&bytes, format, "-", max), tx);
}
