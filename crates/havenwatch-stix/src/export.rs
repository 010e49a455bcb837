//! The picture as a STIX 2.1 bundle for one audience.

use crate::extensions::{tlp_marking_definition, Extension};
use crate::ids::stix_id;
use crate::{timestamp, StixError};
use havenwatch_analyze::{build_findings, Config};
use havenwatch_core::{EntityType, Predicate, Tlp};
use havenwatch_store::{ClaimQuery, DocumentQuery, EntityQuery, StixVersion, Store, StoredClaim};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// A STIX 2.1 bundle with each object's marking, ready to write or publish.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub id: String,
    /// Objects in a stable order: definitions first, then what refers to them.
    pub objects: Vec<Value>,
    /// The marking of each object, in the same order.
    pub markings: Vec<Tlp>,
}

impl Bundle {
    /// The bundle as STIX JSON.
    pub fn to_json(&self) -> Value {
        json!({"type": "bundle", "id": self.id, "objects": self.objects})
    }

    /// How many objects of each type.
    pub fn summary(&self) -> ExportSummary {
        let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
        for o in &self.objects {
            *by_type
                .entry(o["type"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        ExportSummary {
            objects: self.objects.len(),
            by_type,
        }
    }
}

/// What an export holds.
#[derive(Clone, Debug, Serialize)]
pub struct ExportSummary {
    pub objects: usize,
    pub by_type: BTreeMap<String, usize>,
}

/// An object being built, with its marking; timestamps are set at the end from its version.
struct Draft {
    object: Map<String, Value>,
    tlp: Tlp,
    /// When it first became true (a document's or claim's date), if known.
    first: Option<String>,
}

struct Builder {
    organisation_id: String,
    drafts: Vec<Draft>,
    index: HashMap<String, usize>,
}

impl Builder {
    /// Adds an object, or for one already present keeps the less strict marking (an entity
    /// is known at the least strict level any visible document reveals it).
    fn add(&mut self, object: Value, tlp: Tlp, first: Option<String>) {
        let Value::Object(map) = object else { return };
        let id = map["id"].as_str().unwrap_or_default().to_string();
        if let Some(&i) = self.index.get(&id) {
            let d = &mut self.drafts[i];
            d.tlp = d.tlp.min(tlp);
            return;
        }
        self.index.insert(id, self.drafts.len());
        self.drafts.push(Draft {
            object: map,
            tlp,
            first,
        });
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Draft> {
        self.index.get(id).map(|&i| &mut self.drafts[i])
    }
}

/// The STIX type and extra properties an entity becomes.
fn entity_object(id: &str, name: &str, t: EntityType, aliases: &[String]) -> Value {
    match t {
        EntityType::ArmedGroup => {
            let mut o = json!({
                "type": "threat-actor",
                "id": stix_id("threat-actor", id),
                "name": name,
                "threat_actor_types": ["terrorist"],
            });
            if !aliases.is_empty() {
                o["aliases"] = json!(aliases);
            }
            o
        }
        EntityType::Location => json!({
            "type": "location",
            "id": stix_id("location", id),
            "name": name,
            // STIX requires a region, country or coordinates; havenwatch knows the place by
            // name only, so the region is the name as reported.
            "region": name,
        }),
        _ => {
            let (class, sectors): (&str, &[&str]) = match t {
                EntityType::Authority | EntityType::State => ("organization", &["government"]),
                EntityType::Person => ("individual", &[]),
                _ => ("organization", &[]),
            };
            let mut o = json!({
                "type": "identity",
                "id": stix_id("identity", id),
                "name": name,
                "identity_class": class,
            });
            if !sectors.is_empty() {
                o["sectors"] = json!(sectors);
            }
            o
        }
    }
}

/// A source named in text (not a known entity) becomes an identity keyed by its folded name.
fn source_identity_id(name: &str) -> String {
    stix_id(
        "identity",
        &format!("source:{}", havenwatch_core::text::alias_key(name)),
    )
}

fn hash_of(object: &Map<String, Value>) -> String {
    let mut copy = object.clone();
    copy.remove("created");
    copy.remove("modified");
    let digest = Sha256::digest(Value::Object(copy).to_string().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Exports what an audience cleared for `audience` may see: every object is marked, and
/// findings, counts and grades are rebuilt from the visible claims only. Objects keep their
/// ids across exports; `modified` moves on only when an object's content changed since the
/// last export to the same audience (recorded in the store). `now` is the export time.
pub fn export(
    store: &mut dyn Store,
    config: &Config,
    audience: Tlp,
    now: &str,
) -> Result<Bundle, StixError> {
    let previous = store.clearance();
    store.set_clearance(audience.min(previous));
    let result = build(store, config, audience, now);
    store.set_clearance(previous);
    let mut bundle = result?;
    version(store, audience, now, &mut bundle)?;
    Ok(bundle)
}

fn build(
    store: &mut dyn Store,
    config: &Config,
    audience: Tlp,
    now: &str,
) -> Result<Bundle, StixError> {
    let claims = store.claims(&ClaimQuery::default())?;
    let findings = build_findings(&claims, config);
    let entities = store.entities(&EntityQuery::default())?;
    let documents = store.documents(&DocumentQuery::default())?;
    let markings = store.entity_markings()?;

    let organisation_id = stix_id("identity", &format!("organisation:{}", config.organisation));
    let mut b = Builder {
        organisation_id: organisation_id.clone(),
        drafts: Vec::new(),
        index: HashMap::new(),
    };
    b.add(
        json!({
            "type": "identity",
            "id": organisation_id,
            "name": config.organisation,
            "identity_class": "organization",
            "description": "The organisation that compiled this picture with havenwatch.",
        }),
        Tlp::Clear,
        None,
    );
    for ext in Extension::ALL {
        b.add(
            ext.definition(&organisation_id, Tlp::Clear.stix_marking_id()),
            Tlp::Clear,
            None,
        );
    }

    // Entities, at the least strict level that reveals them.
    let mut entity_refs: HashMap<String, String> = HashMap::new();
    for e in &entities {
        let tlp = markings.get(&e.entity.id.0).copied().unwrap_or(audience);
        let object = entity_object(
            &e.entity.id.0,
            &e.entity.name,
            e.entity.entity_type,
            &e.entity.aliases,
        );
        let id = object["id"].as_str().unwrap_or_default().to_string();
        for member in std::iter::once(&e.entity.id.0).chain(&e.merged) {
            entity_refs.insert(member.clone(), id.clone());
        }
        b.add(object, tlp, None);
    }
    // Anything a claim names that the entity list did not hold (kept out of a list by a
    // limit, or merged away) still gets an object, at the claim's marking.
    for c in &claims {
        for r in std::iter::once(&c.claim.subject).chain(c.claim.object.as_ref()) {
            if !entity_refs.contains_key(&r.id.0) {
                let t = store
                    .entity(&r.id.0)?
                    .map_or(EntityType::Agency, |e| e.entity_type);
                let object = entity_object(&r.id.0, &r.name, t, &[]);
                entity_refs.insert(
                    r.id.0.clone(),
                    object["id"].as_str().unwrap_or_default().into(),
                );
                b.add(object, c.tlp, None);
            }
        }
    }

    // Sources: publishers and the parties claims are attributed to, with their reliability.
    let source_ref = |b: &mut Builder, name: &str, entity: Option<&str>, tlp: Tlp| -> String {
        if let Some(id) = entity.and_then(|e| entity_refs.get(e)) {
            return id.clone();
        }
        let id = source_identity_id(name);
        let reliability = config.reliability(name);
        let (key, ext) = Extension::SourceReliability.wrap(json!({
            "admiralty_reliability": format!("{reliability:?}"),
            "meaning": reliability.words(),
        }));
        b.add(
            json!({
                "type": "identity",
                "id": id,
                "name": name,
                "identity_class": "organization",
                "extensions": {key: ext},
            }),
            tlp,
            None,
        );
        id
    };

    // Documents as reports; object_refs filled in as claims arrive.
    let mut report_ids: HashMap<String, String> = HashMap::new();
    for d in &documents {
        let id = stix_id("report", &d.id.0);
        let publisher = d
            .publisher
            .clone()
            .unwrap_or_else(|| "unknown publisher".into());
        let publisher_ref = source_ref(&mut b, &publisher, None, d.tlp);
        let published = d
            .published
            .as_deref()
            .and_then(timestamp)
            .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into());
        let mut external = json!({"source_name": publisher, "external_id": d.id.0});
        if let Some(url) = &d.url {
            external["url"] = json!(url);
        }
        let mut report = json!({
            "type": "report",
            "id": id,
            "name": d.title.clone().unwrap_or_else(|| format!("Report by {publisher}")),
            "report_types": ["threat-report"],
            "published": published,
            "object_refs": [publisher_ref],
            "external_references": [external],
        });
        if d.published.is_none() {
            report["description"] =
                json!("Publication date unknown; `published` is a placeholder.");
        }
        b.add(report, d.tlp, d.published.clone());
        report_ids.insert(d.id.0.clone(), id);
    }

    // Claims as notes, with the attributed-claim extension.
    // The notes of each finding, by finding key, for the findings' `claim_refs`.
    let mut notes_of: HashMap<String, Vec<String>> = HashMap::new();
    for c in &claims {
        let cl = &c.claim;
        let Some(report) = report_ids.get(&c.document.0).cloned() else {
            continue;
        };
        let key = format!(
            "{}:{}:{}:{}:{}",
            c.document.0,
            cl.evidence.start,
            cl.evidence.end,
            cl.predicate.as_str(),
            cl.object
                .as_ref()
                .map_or(cl.subject.id.0.as_str(), |o| o.id.0.as_str())
        );
        let id = stix_id("note", &format!("{key}:{}", cl.subject.id.0));
        let subject_ref = entity_refs[&cl.subject.id.0].clone();
        let object_ref = cl.object.as_ref().map(|o| entity_refs[&o.id.0].clone());
        let src = source_ref(
            &mut b,
            &cl.source.name,
            cl.source.entity.as_ref().map(|e| e.0.as_str()),
            c.tlp,
        );
        let via: Vec<Value> = cl
            .via
            .iter()
            .map(|v| {
                json!({
                    "name": v.name,
                    "identity_ref": source_ref(&mut b, &v.name, v.entity.as_ref().map(|e| e.0.as_str()), c.tlp),
                })
            })
            .collect();
        let mut props = json!({
            "predicate": cl.predicate.as_str(),
            "subject_ref": subject_ref,
            "subject_name": cl.subject.name,
            "qualifiers": cl.qualifiers,
            "source": {"name": cl.source.name, "identity_ref": src},
            "via": via,
            "modality": cl.modality.as_str(),
            "negated": cl.negated,
            "source_reliability": format!("{:?}", config.reliability(&cl.source.name)),
            "evidence": {
                "report_ref": report,
                "sentence": c.evidence_text,
                "start": cl.evidence.start,
                "end": cl.evidence.end,
            },
        });
        if let (Some(o), Some(r)) = (&cl.object, &object_ref) {
            props["object_ref"] = json!(r);
            props["object_name"] = json!(o.name);
        }
        let (ext_key, ext) = Extension::Claim.wrap(props);
        let mut refs = vec![json!(subject_ref), json!(report)];
        if let Some(r) = &object_ref {
            refs.push(json!(r));
        }
        let summary = format!(
            "{} ({}{}): {} {} {}",
            cl.source.name,
            cl.modality.as_str(),
            if cl.negated { ", negated" } else { "" },
            cl.subject.name,
            cl.predicate.as_str().replace('_', " "),
            cl.object.as_ref().map_or_else(
                || match (cl.qualifiers.low, cl.qualifiers.high) {
                    (Some(l), Some(h)) if l != h => format!("{l}-{h}"),
                    (Some(n), _) | (_, Some(n)) => n.to_string(),
                    _ => String::new(),
                },
                |o| o.name.clone()
            )
        );
        b.add(
            json!({
                "type": "note",
                "id": id,
                "abstract": summary.trim_end(),
                "content": c.evidence_text,
                "authors": [cl.source.name],
                "object_refs": refs,
                "extensions": {ext_key: ext},
            }),
            c.tlp,
            c.published.clone(),
        );
        if let Some(d) = b.get_mut(&report) {
            if let Some(Value::Array(refs)) = d.object.get_mut("object_refs") {
                refs.push(json!(id));
            }
        }
        notes_of
            .entry(havenwatch_store::finding_key(
                &cl.subject.id.0,
                cl.predicate,
                cl.object.as_ref().map(|o| o.id.0.as_str()),
            ))
            .or_default()
            .push(id);
    }

    // Infrastructure: one object per group and place, used by the group, located at the place.
    let register = havenwatch_analyze::register::register(&claims);
    let mut held: HashMap<(&str, Option<&str>), Vec<&StoredClaim>> = HashMap::new();
    for c in claims
        .iter()
        .filter(|c| c.claim.predicate == Predicate::MaintainsInfrastructure)
    {
        let place = c.claim.object.as_ref().map(|o| o.name.as_str());
        held.entry((c.claim.subject.id.0.as_str(), place))
            .or_default()
            .push(c);
    }
    for item in &register {
        let reports = held
            .get(&(item.group_id.as_str(), item.place.as_deref()))
            .map_or(&[][..], Vec::as_slice);
        let Some(group_ref) = entity_refs.get(&item.group_id).cloned() else {
            continue;
        };
        let key = format!("{}@{}", item.group_id, item.place.as_deref().unwrap_or("-"));
        let id = stix_id("infrastructure", &key);
        let tlp = reports.iter().map(|c| c.tlp).max().unwrap_or(audience);
        let kinds = if item.kinds.is_empty() {
            "infrastructure".to_string()
        } else {
            item.kinds.join(", ")
        };
        let name = match &item.place {
            Some(p) => format!("{} {kinds} in {p}", item.group),
            None => format!("{} {kinds}", item.group),
        };
        b.add(
            json!({
                "type": "infrastructure",
                "id": id,
                "name": name,
                "infrastructure_types": ["unknown"],
                "description": format!("{}: {} (latest report).", kinds, item.status),
            }),
            tlp,
            item.reports.iter().filter_map(|r| r.date.clone()).min(),
        );
        b.add(
            relationship(&format!("uses:{key}"), "uses", &group_ref, &id, None),
            tlp,
            None,
        );
        if let Some(place) = reports
            .first()
            .and_then(|c| c.claim.object.as_ref())
            .and_then(|o| entity_refs.get(&o.id.0))
        {
            if place.starts_with("location--") {
                b.add(
                    relationship(&format!("located-at:{key}"), "located-at", &id, place, None),
                    tlp,
                    None,
                );
            }
        }
    }

    // Findings as relationships with the finding extension.
    for f in &findings {
        let Some(object_id) = &f.object_id else {
            continue; // strength findings travel on the threat actor
        };
        let (Some(source), Some(target)) = (
            entity_refs.get(&f.subject_id).cloned(),
            entity_refs.get(object_id).cloned(),
        ) else {
            continue;
        };
        let relationship_type = match f.predicate {
            Predicate::OperatesIn if target.starts_with("location--") => "located-at",
            Predicate::Attacks | Predicate::Threatens
                if source.starts_with("threat-actor--")
                    && !target.starts_with("threat-actor--") =>
            {
                "targets"
            }
            _ => "related-to",
        };
        let claim_refs = notes_of
            .get(&havenwatch_store::finding_key(
                &f.subject_id,
                f.predicate,
                f.object_id.as_deref(),
            ))
            .cloned()
            .unwrap_or_default();
        let names = |o: &[havenwatch_analyze::independence::Origin]| -> Vec<String> {
            o.iter().map(|o| o.name.clone()).collect()
        };
        let (key, ext) = Extension::Finding.wrap(json!({
            "predicate": f.predicate.as_str(),
            "reports": f.reports,
            "supporting": f.supporting,
            "contradicting": f.contradicting,
            "hedged": f.hedged,
            "independent_origins": f.independent_origins,
            "origins": names(&f.origins),
            "contradicting_origins": names(&f.contradicting_origins),
            "admiralty_grade": f.grade,
            "explanation": f.explanation,
            "estimative": f.estimative,
            "circular": f.circular,
            "first_seen": f.first_seen,
            "last_seen": f.last_seen,
            "trend": f.trend.iter().map(|(p, n)| json!({"period": p, "reports": n})).collect::<Vec<_>>(),
            "claim_refs": claim_refs,
        }));
        let mut rel = relationship(
            &format!(
                "finding:{}:{}:{}",
                f.subject_id,
                f.predicate.as_str(),
                object_id
            ),
            relationship_type,
            &source,
            &target,
            Some(f.confidence),
        );
        rel["description"] = json!(format!(
            "{} {} {}: {}; {}.",
            f.subject,
            f.predicate.as_str().replace('_', " "),
            f.object.as_deref().unwrap_or(""),
            f.tally(),
            f.explanation
        ));
        rel["extensions"] = json!({key: ext});
        b.add(rel, f.tlp, f.first_seen.clone());
    }

    // Strength on the threat actors.
    let mut by_group: BTreeMap<&str, Vec<StoredClaim>> = BTreeMap::new();
    for c in claims
        .iter()
        .filter(|c| c.claim.predicate == Predicate::HasStrength)
    {
        by_group
            .entry(c.claim.subject.id.0.as_str())
            .or_default()
            .push(c.clone());
    }
    for (group, group_claims) in by_group {
        let Some(actor) = entity_refs.get(group).cloned() else {
            continue;
        };
        if !actor.starts_with("threat-actor--") {
            continue;
        }
        let (estimates, fused) = havenwatch_analyze::strength::strength(&group_claims, config);
        if estimates.is_empty() {
            continue;
        }
        let tlp = group_claims.iter().map(|c| c.tlp).max().unwrap_or(audience);
        let (key, ext) = Extension::Strength.wrap(json!({
            "estimates": estimates.iter().map(|e| json!({
                "source": e.source, "date": e.date, "low": e.low, "high": e.high,
                "unit": e.unit, "modality": e.modality,
                "report_ref": report_ids.get(&e.document),
            })).collect::<Vec<_>>(),
            "fused": fused.iter().map(|f| json!({
                "period": f.period, "low": f.low, "high": f.high,
                "spread_low": f.spread.0, "spread_high": f.spread.1,
                "sources": f.sources, "method": f.method,
            })).collect::<Vec<_>>(),
        }));
        if let Some(d) = b.get_mut(&actor) {
            d.object
                .entry("extensions")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|m| m.insert(key, ext));
            // The actor now reveals the strength claims: marked as strictly as they are.
            d.tlp = d.tlp.max(tlp);
        }
    }

    // Common properties, markings, and the marking definitions used.
    let mut used: Vec<Tlp> = Vec::new();
    let org = b.organisation_id.clone();
    for d in &mut b.drafts {
        let t = d.object["type"].as_str().unwrap_or_default().to_string();
        d.object.insert("spec_version".into(), json!("2.1"));
        if t != "marking-definition" {
            d.object.insert("created_by_ref".into(), json!(org));
            d.object.insert(
                "object_marking_refs".into(),
                json!([d.tlp.stix_marking_id()]),
            );
        }
        if !used.contains(&d.tlp) {
            used.push(d.tlp);
        }
    }
    used.sort();
    let mut objects: Vec<Value> = used.iter().map(|t| tlp_marking_definition(*t)).collect();
    let mut marks: Vec<Tlp> = vec![Tlp::Clear; objects.len()];
    // Timestamps: placeholders now, settled by `version`.
    for d in b.drafts {
        let mut o = d.object;
        for v in o.values_mut() {
            prune(v);
        }
        let created = d
            .first
            .as_deref()
            .and_then(timestamp)
            .unwrap_or_else(|| now.to_string());
        if !o.contains_key("created") {
            o.insert("created".into(), json!(created));
            o.insert("modified".into(), json!(created));
        }
        marks.push(d.tlp);
        objects.push(Value::Object(o));
    }
    debug_assert!(objects.iter().all(|o| o["id"].is_string()));
    Ok(Bundle {
        id: stix_id("bundle", &format!("{}:{now}", audience.as_str())),
        objects,
        markings: marks,
    })
}

/// STIX forbids empty lists (and has no null): absent is how it says "none".
fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                prune(v);
            }
            map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn relationship(
    key: &str,
    relationship_type: &str,
    source: &str,
    target: &str,
    confidence: Option<u8>,
) -> Value {
    let mut r = json!({
        "type": "relationship",
        "id": stix_id("relationship", key),
        "relationship_type": relationship_type,
        "source_ref": source,
        "target_ref": target,
    });
    if let Some(c) = confidence {
        r["confidence"] = json!(c);
    }
    r
}

/// Settles `created` and `modified`: an object unchanged since the last export to this
/// audience keeps its timestamps; a changed one keeps `created` and gets `modified = now`; a
/// new one keeps the date it became true as `created` and `modified`, or `now`.
fn version(
    store: &mut dyn Store,
    audience: Tlp,
    now: &str,
    bundle: &mut Bundle,
) -> Result<(), StixError> {
    let known = store.stix_versions(audience)?;
    let mut changed: Vec<(String, StixVersion)> = Vec::new();
    for o in &mut bundle.objects {
        let Value::Object(map) = o else { continue };
        if map.get("type").and_then(Value::as_str) == Some("marking-definition") {
            continue;
        }
        if map.get("type").and_then(Value::as_str) == Some("extension-definition") {
            continue; // fixed timestamps: changed only with a new version of the definition
        }
        let id = map["id"].as_str().unwrap_or_default().to_string();
        let hash = hash_of(map);
        let v = match known.get(&id) {
            Some(v) if v.hash == hash => v.clone(),
            Some(v) => {
                let modified = if now > v.modified.as_str() {
                    now.to_string()
                } else {
                    v.modified.clone()
                };
                StixVersion {
                    hash,
                    created: v.created.clone(),
                    modified: later_than(&modified, &v.modified),
                }
            }
            None => {
                let created = map["created"].as_str().unwrap_or(now).to_string();
                StixVersion {
                    hash,
                    modified: created.clone(),
                    created,
                }
            }
        };
        map.insert("created".into(), json!(v.created));
        map.insert("modified".into(), json!(v.modified));
        if known.get(&id) != Some(&v) {
            changed.push((id, v));
        }
    }
    store.record_stix_versions(audience, &changed)?;
    Ok(())
}

/// `candidate` if it is later than `previous`, else `previous` plus one millisecond, so a
/// changed object's `modified` always moves forward.
fn later_than(candidate: &str, previous: &str) -> String {
    if candidate > previous {
        return candidate.to_string();
    }
    // previous is `YYYY-MM-DDTHH:MM:SS.mmmZ`: bump the milliseconds (rare: two exports
    // within the same millisecond, or a clock set back).
    let (head, ms) = previous.split_at(previous.len().saturating_sub(4));
    let ms: u32 = ms.trim_end_matches('Z').parse().unwrap_or(0);
    if ms < 999 {
        format!("{head}{:03}Z", ms + 1)
    } else {
        previous.to_string()
    }
}

/// The TAXII collection that holds the picture as seen at a level: its name is the level's
/// (`clear`, `green`, `amber`, `amber+strict`, `red`).
pub fn collection_for(level: Tlp) -> &'static str {
    level.as_str()
}

/// What publishing to one collection did.
#[derive(Clone, Debug, Serialize)]
pub struct Publication {
    pub collection: &'static str,
    pub tlp: Tlp,
    pub objects: usize,
    /// Object versions new to the collection.
    pub added: usize,
    pub unchanged: usize,
}

/// Publishes the picture into one TAXII collection per TLP level: collection `green` holds
/// exactly what a GREEN reader may see (objects marked CLEAR or GREEN, findings rebuilt from
/// those claims only), so a partner reading it gets a whole, consistent picture.
pub fn publish(
    store: &mut dyn Store,
    config: &Config,
    now: &str,
) -> Result<Vec<Publication>, StixError> {
    let mut out = Vec::new();
    for level in Tlp::ALL {
        let bundle = export(store, config, level, now)?;
        let records: Vec<havenwatch_store::StixRecord> = bundle
            .objects
            .iter()
            .zip(&bundle.markings)
            .map(|(o, t)| havenwatch_store::StixRecord {
                id: o["id"].as_str().unwrap_or_default().to_string(),
                object_type: o["type"].as_str().unwrap_or_default().to_string(),
                spec_version: "2.1".into(),
                version: o["modified"]
                    .as_str()
                    .or_else(|| o["created"].as_str())
                    .unwrap_or(now)
                    .to_string(),
                tlp: *t,
                json: o.to_string(),
            })
            .collect();
        let outcome = store.publish_stix(collection_for(level), &records)?;
        out.push(Publication {
            collection: collection_for(level),
            tlp: level,
            objects: records.len(),
            added: outcome.added.len(),
            unchanged: outcome.unchanged.len(),
        });
    }
    Ok(out)
}
