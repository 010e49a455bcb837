//! TAXII 2.1: discovery, the API root, collections, objects (GET and POST), object by id,
//! manifest, versions and status, with the specification's media types, `limit`/`next`
//! pagination, `added_after` and `match[...]` filters, and `X-TAXII-Date-Added-*` headers.

use crate::{ApiError, Server, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use havenwatch_analyze::config::Partner;
use havenwatch_core::Tlp;
use havenwatch_store::{StixQuery, StixRecord, Store, StoredStixObject, VersionMatch};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// A collection the server serves.
#[derive(Clone, Debug)]
pub struct CollectionDef {
    /// A UUID (v5 of the name), as TAXII wants.
    pub id: String,
    /// The name partners' `read` and `write` lists use.
    pub name: String,
    pub title: String,
    pub description: String,
    /// For a level's collection, the level; `None` for the inbox.
    pub tlp: Option<Tlp>,
}

/// One collection per TLP level (what a reader at that level may see, from `publish`) and the
/// inbox that partners write to.
pub fn collections() -> &'static [CollectionDef] {
    static ALL: std::sync::OnceLock<Vec<CollectionDef>> = std::sync::OnceLock::new();
    ALL.get_or_init(define_collections)
}

fn define_collections() -> Vec<CollectionDef> {
    let id = |name: &str| {
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("https://havenwatch.invalid/taxii/collections/{name}").as_bytes(),
        )
        .to_string()
    };
    let mut out: Vec<CollectionDef> = Tlp::ALL
        .iter()
        .map(|t| CollectionDef {
            id: id(t.as_str()),
            name: t.as_str().to_string(),
            title: format!("havenwatch picture at {}", t.label()),
            description: format!(
                "Everything a reader cleared for {} may see: objects marked {} or less strictly, findings rebuilt from those claims only.",
                t.label(),
                t.label()
            ),
            tlp: Some(*t),
        })
        .collect();
    out.push(CollectionDef {
        id: id("inbox"),
        name: "inbox".into(),
        title: "Partner submissions".into(),
        description: "Bundles partners send; imported as claims attributed to the sender.".into(),
        tlp: None,
    });
    out
}

fn can_read(p: &Partner, c: &CollectionDef) -> bool {
    p.may_read(&c.name) && c.tlp.is_none_or(|t| t <= p.max_tlp)
}

fn can_write(p: &Partner, c: &CollectionDef) -> bool {
    p.may_write(&c.name)
}

pub(crate) fn routes() -> Router<Arc<Server>> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/api1/", get(api_root))
        .route("/api1/collections/", get(list_collections))
        .route("/api1/collections/{id}/", get(get_collection))
        .route(
            "/api1/collections/{id}/objects/",
            get(get_objects).post(add_objects),
        )
        .route(
            "/api1/collections/{id}/objects/{object_id}/",
            get(get_object),
        )
        .route(
            "/api1/collections/{id}/objects/{object_id}/versions/",
            get(get_versions),
        )
        .route("/api1/collections/{id}/manifest/", get(get_manifest))
        .route("/api1/status/{status_id}/", get(get_status))
}

/// A TAXII response: the body with the TAXII media type, and any extra headers.
fn taxii(status: StatusCode, body: String, extra: &[(&'static str, String)]) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(v) {
            r.headers_mut().insert(*k, v);
        }
    }
    r
}

/// Refuses requests that do not accept TAXII 2.1 JSON (406).
fn check_accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let ok = accept.split(',').any(|part| {
        let p = part.replace(' ', "").to_ascii_lowercase();
        p.starts_with("*/*")
            || p.starts_with("application/*")
            || (p.starts_with("application/taxii+json")
                && (!p.contains("version=") || p.contains("version=2.1")))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::NOT_ACCEPTABLE,
            title: "Not acceptable",
            description: Some(format!("this server answers in {TAXII_MEDIA_TYPE}")),
        })
    }
}

async fn discovery(headers: HeaderMap) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    Ok(taxii(
        StatusCode::OK,
        json!({
            "title": "havenwatch TAXII 2.1 server",
            "description": "Sourced findings on armed groups, shared by TLP 2.0 marking.",
            "default": "/api1/",
            "api_roots": ["/api1/"],
        })
        .to_string(),
        &[],
    ))
}

async fn api_root(State(s): State<Arc<Server>>, headers: HeaderMap) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    Ok(taxii(
        StatusCode::OK,
        json!({
            "title": "havenwatch",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": s.limits.max_body,
        })
        .to_string(),
        &[],
    ))
}

fn collection_json(p: &Partner, c: &CollectionDef) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "alias": c.name,
        "can_read": can_read(p, c),
        "can_write": can_write(p, c),
        "media_types": [STIX_MEDIA_TYPE],
    })
}

async fn list_collections(
    Extension(p): Extension<Partner>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let list: Vec<Value> = collections()
        .iter()
        .filter(|c| can_read(&p, c) || can_write(&p, c))
        .map(|c| collection_json(&p, c))
        .collect();
    Ok(taxii(
        StatusCode::OK,
        json!({"collections": list}).to_string(),
        &[],
    ))
}

/// The collection named by id (or alias) that the partner may read or write; 404 otherwise,
/// so a partner cannot tell a collection it may not use from one that does not exist.
fn find_collection(p: &Partner, id: &str) -> Result<&'static CollectionDef, ApiError> {
    collections()
        .iter()
        .find(|c| (c.id == id || c.name == id) && (can_read(p, c) || can_write(p, c)))
        .ok_or_else(ApiError::not_found)
}

async fn get_collection(
    Extension(p): Extension<Partner>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let c = find_collection(&p, &id)?;
    Ok(taxii(
        StatusCode::OK,
        collection_json(&p, c).to_string(),
        &[],
    ))
}

/// TAXII filter parameters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filters {
    limit: Option<String>,
    next: Option<String>,
    added_after: Option<String>,
    #[serde(rename = "match[id]")]
    ids: Option<String>,
    #[serde(rename = "match[type]")]
    types: Option<String>,
    #[serde(rename = "match[version]")]
    version: Option<String>,
    #[serde(rename = "match[spec_version]")]
    spec_version: Option<String>,
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 20
        && s.ends_with('Z')
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && s[..19]
            .bytes()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10 | 13 | 16) || c.is_ascii_digit())
}

impl Filters {
    fn query(
        &self,
        collection: &str,
        max_page: usize,
        default_version: VersionMatch,
    ) -> Result<StixQuery, ApiError> {
        let limit = match &self.limit {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("limit `{l}` is not a positive number"))
                })?
                .min(max_page),
            None => max_page.min(100),
        };
        let after_seq = match &self.next {
            Some(n) => Some(n.parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!("next `{n}` is not a token this server gave"))
            })?),
            None => None,
        };
        if let Some(a) = &self.added_after {
            if !is_timestamp(a) {
                return Err(ApiError::bad_request(format!(
                    "added_after `{a}` is not a timestamp like 2024-01-01T00:00:00.000Z"
                )));
            }
        }
        let versions = match self.version.as_deref() {
            None => default_version,
            Some("last") => VersionMatch::Last,
            Some("first") => VersionMatch::First,
            Some("all") => VersionMatch::All,
            Some(v) => {
                let list = list(&Some(v.to_string()));
                if let Some(bad) = list.iter().find(|x| !is_timestamp(x)) {
                    return Err(ApiError::bad_request(format!(
                        "match[version] `{bad}`: use last, first, all or timestamps"
                    )));
                }
                VersionMatch::Exact(list)
            }
        };
        Ok(StixQuery {
            collection: collection.to_string(),
            added_after: self.added_after.clone(),
            ids: list(&self.ids),
            types: list(&self.types),
            versions,
            spec_versions: list(&self.spec_version),
            after_seq,
            limit,
        })
    }
}

/// Reads a page of a collection at the partner's clearance.
async fn page(
    s: &Arc<Server>,
    p: &Partner,
    id: &str,
    filters: &Filters,
    default_version: VersionMatch,
    object_id: Option<String>,
) -> Result<havenwatch_store::StixPage, ApiError> {
    let c = find_collection(p, id)?;
    if !can_read(p, c) {
        return Err(ApiError::forbidden());
    }
    let mut q = filters.query(&c.name, s.limits.max_page, default_version)?;
    if let Some(o) = object_id {
        q.ids = vec![o];
    }
    s.read_now(p.max_tlp, move |store| Ok(store.stix_objects(&q)?))
}

fn date_headers(objects: &[StoredStixObject]) -> Vec<(&'static str, String)> {
    match (objects.first(), objects.last()) {
        (Some(a), Some(b)) => vec![
            ("x-taxii-date-added-first", a.date_added.clone()),
            ("x-taxii-date-added-last", b.date_added.clone()),
        ],
        _ => Vec::new(),
    }
}

/// The `next` token of a page that has more: the arrival number of its last object.
fn next_token(page: &havenwatch_store::StixPage) -> Option<String> {
    page.objects
        .last()
        .filter(|_| page.more)
        .map(|o| o.seq.to_string())
}

/// The envelope, written straight from the stored JSON of each object.
fn envelope(page: &havenwatch_store::StixPage) -> String {
    let mut body =
        String::with_capacity(64 + page.objects.iter().map(|o| o.json.len() + 1).sum::<usize>());
    body.push_str("{\"more\":");
    body.push_str(if page.more { "true" } else { "false" });
    if let Some(next) = next_token(page) {
        body.push_str(&format!(",\"next\":\"{next}\""));
    }
    if !page.objects.is_empty() {
        body.push_str(",\"objects\":[");
        for (i, o) in page.objects.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&o.json);
        }
        body.push(']');
    }
    body.push('}');
    body
}

async fn get_objects(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(id): Path<String>,
    Query(filters): Query<Filters>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let page = page(&s, &p, &id, &filters, VersionMatch::Last, None).await?;
    Ok(taxii(
        StatusCode::OK,
        envelope(&page),
        &date_headers(&page.objects),
    ))
}

async fn get_object(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path((id, object_id)): Path<(String, String)>,
    Query(filters): Query<Filters>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let page = page(&s, &p, &id, &filters, VersionMatch::Last, Some(object_id)).await?;
    if page.objects.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok(taxii(
        StatusCode::OK,
        envelope(&page),
        &date_headers(&page.objects),
    ))
}

async fn get_versions(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path((id, object_id)): Path<(String, String)>,
    Query(filters): Query<Filters>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let page = page(&s, &p, &id, &filters, VersionMatch::All, Some(object_id)).await?;
    if page.objects.is_empty() {
        return Err(ApiError::not_found());
    }
    let mut body = json!({
        "more": page.more,
        "versions": page.objects.iter().map(|o| o.version.clone()).collect::<Vec<_>>(),
    });
    if let Some(next) = next_token(&page) {
        body["next"] = json!(next);
    }
    Ok(taxii(
        StatusCode::OK,
        body.to_string(),
        &date_headers(&page.objects),
    ))
}

async fn get_manifest(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(id): Path<String>,
    Query(filters): Query<Filters>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let page = page(&s, &p, &id, &filters, VersionMatch::Last, None).await?;
    let mut body = json!({"more": page.more});
    if !page.objects.is_empty() {
        body["objects"] = page
            .objects
            .iter()
            .map(|o| {
                json!({
                    "id": o.id,
                    "date_added": o.date_added,
                    "version": o.version,
                    "media_type": STIX_MEDIA_TYPE,
                })
            })
            .collect();
    }
    if let Some(next) = next_token(&page) {
        body["next"] = json!(next);
    }
    Ok(taxii(
        StatusCode::OK,
        body.to_string(),
        &date_headers(&page.objects),
    ))
}

/// Adds a partner's envelope to a collection it may write, and imports what havenwatch can
/// read of it as claims attributed to the partner. Answers with a status resource.
async fn add_objects(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let c = find_collection(&p, &id)?;
    if !can_write(&p, c) {
        return Err(ApiError::forbidden());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .replace(' ', "")
        .to_ascii_lowercase();
    if !content_type.starts_with("application/taxii+json") {
        return Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            title: "Unsupported media type",
            description: Some(format!("send {TAXII_MEDIA_TYPE}")),
        });
    }
    let envelope: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let objects = envelope
        .get("objects")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("the envelope has no `objects` list"))?
        .clone();
    let default_tlp = s.config().default_tlp;
    let partner = p.name.clone();
    let collection = c.name.clone();
    let status = s
        .read(Tlp::Red, move |store| {
            let now = havenwatch_store::taxii_now();
            let mut records = Vec::new();
            let mut failures = Vec::new();
            let mut valid = Vec::new();
            for o in &objects {
                let (Some(id), Some(t)) = (o["id"].as_str(), o["type"].as_str()) else {
                    failures.push(json!({"id": o["id"].as_str().unwrap_or(""), "message": "no `id` or `type`"}));
                    continue;
                };
                if !id.starts_with(&format!("{t}--")) {
                    failures.push(json!({"id": id, "message": "`id` does not start with its type"}));
                    continue;
                }
                let tlp = o["object_marking_refs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().and_then(Tlp::from_stix_marking_id))
                    .max()
                    .unwrap_or(default_tlp);
                valid.push(o.clone());
                records.push(StixRecord {
                    id: id.to_string(),
                    object_type: t.to_string(),
                    spec_version: o["spec_version"].as_str().unwrap_or("2.1").to_string(),
                    version: o["modified"]
                        .as_str()
                        .or_else(|| o["created"].as_str())
                        .unwrap_or(&now)
                        .to_string(),
                    tlp,
                    json: o.to_string(),
                });
            }
            store.publish_stix(&collection, &records)?;
            // What havenwatch can read of it becomes claims attributed to the partner.
            let bundle = json!({"type": "bundle", "id": "bundle--taxii-post", "objects": valid});
            let resolve = |n: &str| store.find_entity(n).ok().flatten().map(|e| (e.id, e.entity_type));
            match havenwatch_stix::import(&bundle.to_string(), "TAXII POST", &partner, default_tlp, &resolve) {
                Ok((docs, _)) => {
                    store.write_batch(&docs)?;
                }
                Err(e) => eprintln!("havenwatch serve: importing {partner}'s objects: {e}"),
            }
            let successes: Vec<Value> = records
                .iter()
                .map(|r| json!({"id": r.id, "version": r.version}))
                .collect();
            let status_id = uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("status:{partner}:{now}:{}", successes.len()).as_bytes(),
            )
            .to_string();
            let mut status = json!({
                "id": status_id,
                "status": "complete",
                "request_timestamp": now,
                "total_count": objects.len(),
                "success_count": successes.len(),
                "failure_count": failures.len(),
                "pending_count": 0,
            });
            if !successes.is_empty() {
                status["successes"] = json!(successes);
            }
            if !failures.is_empty() {
                status["failures"] = json!(failures);
            }
            store.put_taxii_status(&status_id, &partner, &collection, &status.to_string())?;
            Ok(status)
        })
        .await?;
    Ok(taxii(StatusCode::ACCEPTED, status.to_string(), &[]))
}

async fn get_status(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(status_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_accept(&headers)?;
    let found = s
        .read(Tlp::Red, move |store| Ok(store.taxii_status(&status_id)?))
        .await?;
    match found {
        // Only the partner that wrote may read a status.
        Some((owner, body)) if owner == p.name => Ok(taxii(StatusCode::OK, body, &[])),
        _ => Err(ApiError::not_found()),
    }
}
