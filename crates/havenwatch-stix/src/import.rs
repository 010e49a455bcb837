//! A partner's STIX 2.1 bundle as documents, entities and claims attributed to the partner.
//!
//! - `threat-actor` and `intrusion-set` become armed groups, `identity` an authority, agency or
//!   named person, `location` a place; names resolve to entities already known where they can
//!   ([`import`]'s `resolve`), else they arrive as provisional entities for an analyst.
//! - `relationship` objects between those become claims: `located-at` is `operates_in`,
//!   `targets` is `attacks`, and havenwatch's own finding extension carries any predicate.
//!   `note` objects with havenwatch's claim extension come back as the claims they were.
//! - `report` objects become documents (name and description as text).
//! - Every claim is attributed to the partner (the object's creator, when another party, is
//!   the chain between them), with modality `reported`, and evidence that is a sentence of a
//!   document generated for the bundle, one per marking, so that nothing lacks a source.
//! - Markings are kept: TLP 2.0 and TLP 1.0 marking-definition ids, or marking-definition
//!   objects of the bundle that define a TLP level. Unmarked objects take the default.
//!
//! Everything else is reported as skipped, with its type and the reason.

use crate::StixError;
use havenwatch_core::text::simhash;
use havenwatch_core::{
    Claim, Document, DocumentMeta, Entity, EntityId, EntityRef, EntityStatus, EntityType, Mention,
    MentionRule, Modality, Predicate, Qualifiers, Source, Span, Tlp,
};
use havenwatch_store::AnalysedDocument;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// An object that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub id: String,
    pub object_type: String,
    pub reason: String,
}

/// What an import did (or, before it is stored, will do).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub objects: usize,
    /// Imported objects by STIX type.
    pub imported: BTreeMap<String, usize>,
    pub skipped: Vec<Skipped>,
    pub documents: usize,
    pub entities: usize,
    pub claims: usize,
}

/// TLP 1.0 marking-definition ids, mapped to TLP 2.0 (WHITE is CLEAR).
const TLP_1_0: [(&str, Tlp); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
    ),
];

/// How an imported name maps to an entity already known: `(id, type)`.
pub type Resolve<'a> = dyn Fn(&str) -> Option<(EntityId, EntityType)> + 'a;

struct Imported {
    entity: Entity,
    tlp: Tlp,
}

/// Reads a bundle (or a single STIX object) from `text`. `file` names it in errors; `partner`
/// is who sent it; `default_tlp` marks objects that carry no marking. Nothing is stored here:
/// the caller writes the documents in one batch, so a failure leaves the store unchanged.
pub fn import(
    text: &str,
    file: &str,
    partner: &str,
    default_tlp: Tlp,
    resolve: &Resolve<'_>,
) -> Result<(Vec<AnalysedDocument>, ImportReport), StixError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        StixError::Malformed(format!("{file}:{}:{}: not JSON: {e}", e.line(), e.column()))
    })?;
    let objects: Vec<Value> = match root.get("type").and_then(Value::as_str) {
        Some("bundle") => match root.get("objects") {
            Some(Value::Array(a)) => a.clone(),
            None => Vec::new(),
            Some(_) => {
                return Err(StixError::Malformed(format!(
                    "{file}: bundle `objects` is not a list"
                )))
            }
        },
        Some(_) if root.get("id").is_some() => vec![root.clone()],
        _ => {
            return Err(StixError::Malformed(format!(
                "{file}: not a STIX bundle (no \"type\": \"bundle\")"
            )))
        }
    };
    for (i, o) in objects.iter().enumerate() {
        let ok = o.get("type").and_then(Value::as_str).is_some()
            && o.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.contains("--"));
        if !ok {
            return Err(StixError::Malformed(format!(
                "{file}: objects[{i}] has no valid `type` and `id`"
            )));
        }
    }
    let mut report = ImportReport {
        objects: objects.len(),
        ..Default::default()
    };
    let id_of = |o: &Value| o["id"].as_str().unwrap_or_default().to_string();
    let type_of = |o: &Value| o["type"].as_str().unwrap_or_default().to_string();
    let by_id: HashMap<String, &Value> = objects.iter().map(|o| (id_of(o), o)).collect();

    // Markings: standard ids, and the bundle's own TLP marking definitions.
    let mut marking_levels: HashMap<String, Tlp> = TLP_1_0
        .iter()
        .map(|(id, t)| (id.to_string(), *t))
        .chain(
            Tlp::ALL
                .iter()
                .map(|t| (t.stix_marking_id().to_string(), *t)),
        )
        .collect();
    for o in objects
        .iter()
        .filter(|o| type_of(o) == "marking-definition")
    {
        let level = o["definition"]["tlp"]
            .as_str()
            .or_else(|| {
                o.get("extensions")
                    .and_then(Value::as_object)
                    .and_then(|m| m.values().find_map(|e| e["tlp_2_0"].as_str()))
            })
            .and_then(|t| t.parse::<Tlp>().ok());
        if let Some(l) = level {
            marking_levels.insert(id_of(o), l);
        }
    }
    let marking_of = |o: &Value| -> Tlp {
        let refs = o["object_marking_refs"].as_array();
        refs.into_iter()
            .flatten()
            .filter_map(|r| r.as_str().and_then(|r| marking_levels.get(r)))
            .copied()
            .max()
            .unwrap_or(default_tlp)
    };
    let name_of_creator = |o: &Value| -> Option<String> {
        let creator = by_id.get(o["created_by_ref"].as_str()?)?;
        creator["name"].as_str().map(str::to_string)
    };

    // Entities.
    let mut entities: HashMap<String, Imported> = HashMap::new();
    for o in &objects {
        let t = type_of(o);
        let entity_type = match t.as_str() {
            "threat-actor" | "intrusion-set" => Some(EntityType::ArmedGroup),
            "location" => Some(EntityType::Location),
            "identity" => Some(match o["identity_class"].as_str() {
                Some("individual") => EntityType::Person,
                _ if o["sectors"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|x| x.as_str().is_some_and(|x| x.starts_with("government")))
                }) =>
                {
                    EntityType::Authority
                }
                _ => EntityType::Agency,
            }),
            _ => None,
        };
        let Some(entity_type) = entity_type else {
            continue;
        };
        let name = o["name"]
            .as_str()
            .or_else(|| o["region"].as_str())
            .or_else(|| o["country"].as_str())
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let Some(name) = name else {
            report.skipped.push(Skipped {
                id: id_of(o),
                object_type: t,
                reason: "has no name".into(),
            });
            continue;
        };
        if o["revoked"].as_bool() == Some(true) {
            report.skipped.push(Skipped {
                id: id_of(o),
                object_type: t,
                reason: "revoked by its creator".into(),
            });
            continue;
        }
        let aliases: Vec<String> = o["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .filter(|a| *a != name)
            .map(str::to_string)
            .collect();
        let (id, resolved_type, status) = match resolve(name) {
            Some((id, t)) => (id, t, EntityStatus::Known),
            None => (
                EntityId::new(format!("stix:{}", id_of(o))),
                entity_type,
                EntityStatus::Provisional,
            ),
        };
        entities.insert(
            id_of(o),
            Imported {
                entity: Entity {
                    id,
                    name: name.to_string(),
                    entity_type: resolved_type,
                    aliases,
                    external_ids: vec![havenwatch_core::ExternalId {
                        scheme: "stix".into(),
                        value: id_of(o),
                    }],
                    status,
                },
                tlp: marking_of(o),
            },
        );
        *report.imported.entry(type_of(o)).or_default() += 1;
    }

    // Claims from relationships and from havenwatch claim notes, grouped by marking.
    struct Pending {
        subject: String,
        predicate: Predicate,
        object: Option<String>,
        qualifiers: Qualifiers,
        via: Vec<String>,
        modality: Modality,
        negated: bool,
        sentence: String,
        tlp: Tlp,
    }
    let mut pending: Vec<Pending> = Vec::new();
    for o in &objects {
        let t = type_of(o);
        match t.as_str() {
            "relationship" => {
                let (s, r, g) = (
                    o["source_ref"].as_str().unwrap_or_default(),
                    o["relationship_type"].as_str().unwrap_or_default(),
                    o["target_ref"].as_str().unwrap_or_default(),
                );
                let finding_predicate = o
                    .get("extensions")
                    .and_then(Value::as_object)
                    .and_then(|m| m.values().find_map(|e| e["predicate"].as_str()))
                    .and_then(|p| p.parse::<Predicate>().ok());
                let predicate = finding_predicate.or(match r {
                    "located-at" => Some(Predicate::OperatesIn),
                    "targets" => Some(Predicate::Attacks),
                    _ => None,
                });
                let reason = match (entities.get(s), entities.get(g), predicate) {
                    (None, _, _) => Some(format!(
                        "source `{s}` is not an actor havenwatch tracks ({})",
                        by_id
                            .get(s)
                            .map_or("not in the bundle".into(), |x| type_of(x))
                    )),
                    (_, None, _) => Some(format!(
                        "target `{g}` is not an actor or place havenwatch tracks ({})",
                        by_id
                            .get(g)
                            .map_or("not in the bundle".into(), |x| type_of(x))
                    )),
                    (_, _, None) => Some(format!("no havenwatch predicate for `{r}`")),
                    _ if s == g => Some("source and target are the same object".into()),
                    _ => None,
                };
                if let Some(reason) = reason {
                    report.skipped.push(Skipped {
                        id: id_of(o),
                        object_type: t,
                        reason,
                    });
                    continue;
                }
                let (subject, object) = (&entities[s].entity, &entities[g].entity);
                let predicate = predicate.unwrap_or(Predicate::OperatesIn);
                let mut sentence = format!(
                    "{} {} {}.",
                    subject.name,
                    predicate.as_str().replace('_', " "),
                    object.name
                );
                if let Some(d) = o["description"].as_str() {
                    sentence = format!("{sentence} {}", one_line(d));
                }
                pending.push(Pending {
                    subject: s.to_string(),
                    predicate,
                    object: Some(g.to_string()),
                    qualifiers: Qualifiers::default(),
                    via: name_of_creator(o).into_iter().collect(),
                    modality: Modality::Reported,
                    negated: false,
                    sentence,
                    tlp: marking_of(o),
                });
                *report.imported.entry(t).or_default() += 1;
            }
            "note" => {
                let ext = o
                    .get("extensions")
                    .and_then(Value::as_object)
                    .and_then(|m| {
                        m.values().find(|e| {
                            e.get("subject_ref").is_some() && e.get("predicate").is_some()
                        })
                    });
                let Some(ext) = ext else {
                    report.skipped.push(Skipped {
                        id: id_of(o),
                        object_type: t,
                        reason: "a note without havenwatch's claim extension".into(),
                    });
                    continue;
                };
                let subject = ext["subject_ref"].as_str().unwrap_or_default().to_string();
                let object = ext["object_ref"].as_str().map(str::to_string);
                let predicate = ext["predicate"].as_str().and_then(|p| p.parse().ok());
                let known = entities.contains_key(&subject)
                    && object.as_ref().is_none_or(|x| entities.contains_key(x));
                let (Some(predicate), true) = (predicate, known) else {
                    report.skipped.push(Skipped {
                        id: id_of(o),
                        object_type: t,
                        reason: "its claim names an actor or predicate not in the bundle".into(),
                    });
                    continue;
                };
                let mut via: Vec<String> = ext["via"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v["name"].as_str().map(str::to_string))
                    .collect();
                if let Some(s) = ext["source"]["name"].as_str() {
                    via.push(s.to_string());
                }
                pending.push(Pending {
                    subject,
                    predicate,
                    object,
                    qualifiers: serde_json::from_value(ext["qualifiers"].clone())
                        .unwrap_or_default(),
                    via,
                    modality: ext["modality"]
                        .as_str()
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(Modality::Reported),
                    negated: ext["negated"].as_bool().unwrap_or(false),
                    sentence: one_line(
                        ext["evidence"]["sentence"]
                            .as_str()
                            .or_else(|| o["content"].as_str())
                            .unwrap_or_default(),
                    ),
                    tlp: marking_of(o),
                });
                *report.imported.entry(t).or_default() += 1;
            }
            "threat-actor" | "intrusion-set" | "location" | "identity" => {}
            "report" => {}
            "marking-definition" => {
                if !marking_levels.contains_key(&id_of(o)) {
                    report.skipped.push(Skipped {
                        id: id_of(o),
                        object_type: t,
                        reason: "not a TLP marking (statements are not applied)".into(),
                    });
                } else {
                    *report.imported.entry(t).or_default() += 1;
                }
            }
            other => report.skipped.push(Skipped {
                id: id_of(o),
                object_type: t.clone(),
                reason: skip_reason(other).into(),
            }),
        }
    }

    let mut docs: Vec<AnalysedDocument> = Vec::new();
    let bundle_id = root["id"].as_str().unwrap_or("(single object)");
    // One generated document per marking level, a sentence per claim.
    let mut levels: Vec<Tlp> = pending.iter().map(|p| p.tlp).collect();
    levels.sort();
    levels.dedup();
    for level in levels {
        let mut text = String::new();
        let mut claims = Vec::new();
        let mut mentions = Vec::new();
        let mut used: Vec<Entity> = Vec::new();
        for p in pending.iter().filter(|p| p.tlp == level) {
            let start = text.len();
            text.push_str(&p.sentence);
            let end = text.len();
            text.push('\n');
            let subject = &entities[&p.subject].entity;
            let object = p.object.as_ref().map(|o| &entities[o].entity);
            for e in std::iter::once(subject).chain(object) {
                if let Some(at) = text[start..end].find(&e.name) {
                    mentions.push((e.id.clone(), start + at, e.name.clone()));
                }
                if !used.iter().any(|u| u.id == e.id) {
                    used.push(e.clone());
                }
            }
            claims.push(Claim {
                subject: EntityRef {
                    id: subject.id.clone(),
                    name: subject.name.clone(),
                },
                predicate: p.predicate,
                object: object.map(|o| EntityRef {
                    id: o.id.clone(),
                    name: o.name.clone(),
                }),
                qualifiers: p.qualifiers.clone(),
                source: Source {
                    entity: None,
                    name: partner.to_string(),
                },
                via: p
                    .via
                    .iter()
                    .filter(|v| v.as_str() != partner)
                    .map(|v| Source {
                        entity: None,
                        name: v.clone(),
                    })
                    .collect(),
                modality: p.modality,
                negated: p.negated,
                evidence: Span::new(start, end),
            });
        }
        let title = format!("STIX bundle {bundle_id} from {partner} ({})", level.label());
        docs.push(document(
            title, partner, level, text, mentions, used, claims, file,
        ));
    }
    // Reports as documents; they mention the entities they refer to.
    for o in objects.iter().filter(|o| type_of(o) == "report") {
        let name = o["name"].as_str().unwrap_or("Untitled report");
        let mut text = name.to_string();
        if let Some(d) = o["description"].as_str() {
            text.push_str("\n\n");
            text.push_str(d);
        }
        let mut mentions = Vec::new();
        let mut used = Vec::new();
        for r in o["object_refs"].as_array().into_iter().flatten() {
            if let Some(e) = r.as_str().and_then(|r| entities.get(r)) {
                if let Some(at) = text.find(&e.entity.name) {
                    mentions.push((e.entity.id.clone(), at, e.entity.name.clone()));
                    used.push(e.entity.clone());
                }
            }
        }
        let mut d = document(
            name.to_string(),
            partner,
            marking_of(o),
            text,
            mentions,
            used,
            Vec::new(),
            file,
        );
        d.document.meta.published = o["published"]
            .as_str()
            .map(|p| p[..p.len().min(10)].to_string());
        d.document.meta.url = o["external_references"]
            .as_array()
            .and_then(|refs| refs.iter().find_map(|r| r["url"].as_str()))
            .map(str::to_string);
        docs.push(d);
        *report.imported.entry("report".into()).or_default() += 1;
    }
    // Entities that no claim or report names still arrive, in a document of their own per
    // marking, so that they are known at the right level.
    let named: Vec<EntityId> = docs
        .iter()
        .flat_map(|d| d.mentions.iter().map(|m| m.entity.clone()))
        .collect();
    let mut loose: BTreeMap<Tlp, Vec<&Imported>> = BTreeMap::new();
    let mut sorted: Vec<(&String, &Imported)> = entities.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (_, e) in sorted {
        if !named.contains(&e.entity.id) {
            loose.entry(e.tlp).or_default().push(e);
        }
    }
    for (level, list) in loose {
        let mut text = String::new();
        let mut mentions = Vec::new();
        for e in &list {
            mentions.push((e.entity.id.clone(), text.len(), e.entity.name.clone()));
            text.push_str(&e.entity.name);
            text.push_str(".\n");
        }
        docs.push(document(
            format!(
                "Actors and places in STIX bundle {bundle_id} from {partner} ({})",
                level.label()
            ),
            partner,
            level,
            text,
            mentions,
            list.iter().map(|e| e.entity.clone()).collect(),
            Vec::new(),
            file,
        ));
    }
    report.documents = docs.len();
    report.entities = entities.len();
    report.claims = docs.iter().map(|d| d.claims.len()).sum();
    Ok((docs, report))
}

#[allow(clippy::too_many_arguments)]
fn document(
    title: String,
    partner: &str,
    tlp: Tlp,
    text: String,
    mentions: Vec<(EntityId, usize, String)>,
    entities: Vec<Entity>,
    claims: Vec<Claim>,
    file: &str,
) -> AnalysedDocument {
    let document = Document::new(
        DocumentMeta {
            title: Some(title),
            publisher: Some(partner.to_string()),
            tlp: Some(tlp),
            ..Default::default()
        },
        text,
    );
    AnalysedDocument {
        mentions: mentions
            .into_iter()
            .map(|(entity, start, surface)| Mention {
                entity,
                document: document.id.clone(),
                span: Span::new(start, start + surface.len()),
                surface,
                rule: MentionRule::Stix,
            })
            .collect(),
        fingerprint: simhash(&document.text),
        claims_pending: false,
        document,
        origin: file.to_string(),
        entities,
        claims,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn skip_reason(object_type: &str) -> &'static str {
    match object_type {
        "attack-pattern" | "malware" | "tool" | "indicator" | "vulnerability"
        | "course-of-action" | "observed-data" | "sighting" => {
            "a technical or cyber object; havenwatch tracks organisations, places and claims"
        }
        "campaign" => "a campaign is an operation, not an organisation havenwatch tracks",
        "infrastructure" => "infrastructure without a place havenwatch can attach it to",
        "extension-definition" | "language-content" => "a definition havenwatch does not apply",
        "grouping" | "opinion" => {
            "a grouping or opinion of objects; the objects themselves are read"
        }
        t if t.starts_with("x-") => "a custom object type",
        _ => "a type havenwatch does not import (observables and others)",
    }
}
