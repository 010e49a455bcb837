//! The REST API: everything the CLI shows, as JSON, computed from what the caller may see.

use crate::{ApiError, Server};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use havenwatch_analyze::config::{Partner, Period};
use havenwatch_analyze::{build_findings, Config};
use havenwatch_core::{Entity, Modality, Predicate, Tlp};
use havenwatch_store::{ClaimQuery, DocumentQuery, EntityQuery, SqliteStore, Store, StoredClaim};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub(crate) fn routes() -> Router<Arc<Server>> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/documents", get(documents))
        .route("/api/v1/documents/{id}", get(document))
        .route("/api/v1/entities", get(entities))
        .route("/api/v1/entities/{name}", get(entity))
        .route("/api/v1/claims", get(claims))
        .route("/api/v1/findings", get(findings))
        .route("/api/v1/strength/{name}", get(strength))
        .route("/api/v1/network", get(network))
        .route("/api/v1/infrastructure", get(infrastructure))
        .route("/api/v1/scorecard/{name}", get(scorecard))
        .route("/api/v1/threat/{country}", get(threat))
        .route("/api/v1/search", get(search))
        .route("/api/v1/brief/{name}", get(brief))
        .route("/api/v1/ingest", post(ingest))
}

/// The OpenAPI 3.1 description of this API (REST and TAXII).
async fn openapi() -> Response {
    let mut r = include_str!("openapi.json").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

type Reply = Result<Json<Value>, ApiError>;

/// The largest `limit` or `depth` a request may ask for.
const MOST: usize = 1_000_000;

/// A count parameter, its default when absent, refused above [`MOST`].
fn bounded(value: Option<usize>, default: usize) -> Result<usize, ApiError> {
    match value {
        Some(n) if n > MOST => Err(ApiError::bad_request(format!(
            "{n} is more than the {MOST} a request may ask for"
        ))),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|_| ApiError::internal())
}

/// An entity by any name or id, if the caller may know of it.
fn require_entity(store: &SqliteStore, name: &str) -> Result<Entity, ApiError> {
    store.find_entity(name)?.ok_or_else(ApiError::not_found)
}

fn all_claims(store: &SqliteStore) -> Result<Vec<StoredClaim>, ApiError> {
    Ok(store.claims(&ClaimQuery::default())?)
}

fn parse<T: std::str::FromStr>(field: &str, v: &Option<String>) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    v.as_deref()
        .map(|s| {
            s.parse::<T>()
                .map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
        })
        .transpose()
}

async fn stats(State(s): State<Arc<Server>>, Extension(p): Extension<Partner>) -> Reply {
    s.read(p.max_tlp, |store| Ok(Json(to_json(&store.stats()?)?)))
        .await
}

#[derive(Deserialize)]
struct DocumentsParams {
    limit: Option<usize>,
    publisher: Option<String>,
}

async fn documents(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<DocumentsParams>,
) -> Reply {
    s.read(p.max_tlp, move |store| {
        let docs = store.documents(&DocumentQuery {
            limit: bounded(q.limit, 100)?,
            publisher: q.publisher,
        })?;
        Ok(Json(to_json(&docs)?))
    })
    .await
}

async fn document(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(id): Path<String>,
) -> Reply {
    s.read(p.max_tlp, move |store| {
        let doc = store.document(&id)?.ok_or_else(ApiError::not_found)?;
        Ok(Json(to_json(&doc)?))
    })
    .await
}

#[derive(Deserialize)]
struct EntitiesParams {
    #[serde(rename = "type")]
    entity_type: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

async fn entities(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<EntitiesParams>,
) -> Reply {
    let entity_type = parse("type", &q.entity_type)?;
    let status = parse("status", &q.status)?;
    s.read(p.max_tlp, move |store| {
        let list = store.entities(&EntityQuery {
            entity_type,
            status,
            limit: bounded(q.limit, 100)?,
        })?;
        Ok(Json(to_json(&list)?))
    })
    .await
}

/// An entity with its counts, recent mentions and claims by predicate (what `show` prints).
async fn entity(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(name): Path<String>,
) -> Reply {
    s.read(p.max_tlp, move |store| {
        let e = require_entity(store, &name)?;
        let counts = store.entity_counts(&e.id.0)?;
        let mentions = store.mentions(&e.id.0, 20)?;
        let claims = store.claims(&ClaimQuery {
            about: Some(e.id.0.clone()),
            ..Default::default()
        })?;
        let mut by_predicate = serde_json::Map::new();
        for pred in Predicate::ALL {
            let group: Vec<&StoredClaim> = claims
                .iter()
                .filter(|c| c.claim.predicate == *pred)
                .collect();
            if !group.is_empty() {
                by_predicate.insert(pred.as_str().into(), to_json(&group)?);
            }
        }
        let mut out = to_json(&e)?;
        out["mention_count"] = json!(counts.mentions);
        out["document_count"] = json!(counts.documents);
        out["merged"] = json!(counts.merged);
        out["mentions"] = to_json(&mentions)?;
        out["claims"] = Value::Object(by_predicate);
        Ok(Json(out))
    })
    .await
}

#[derive(Deserialize)]
struct ClaimsParams {
    subject: Option<String>,
    predicate: Option<String>,
    object: Option<String>,
    source: Option<String>,
    modality: Option<String>,
    since: Option<String>,
    limit: Option<usize>,
}

async fn claims(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<ClaimsParams>,
) -> Reply {
    let predicate: Option<Predicate> = parse("predicate", &q.predicate)?;
    let modality: Option<Modality> = parse("modality", &q.modality)?;
    if let Some(d) = &q.since {
        if havenwatch_ingest::formats::normalize_date(d).is_none() {
            return Err(ApiError::bad_request(format!(
                "since `{d}` is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
            )));
        }
    }
    s.read(p.max_tlp, move |store| {
        let id_of = |name: &Option<String>| -> Result<Option<String>, ApiError> {
            name.as_deref()
                .map(|n| require_entity(store, n).map(|e| e.id.0))
                .transpose()
        };
        let list = store.claims(&ClaimQuery {
            subject: id_of(&q.subject)?,
            object: id_of(&q.object)?,
            about: None,
            predicate,
            source: q.source,
            modality,
            since: q.since,
            limit: bounded(q.limit, 100)?,
        })?;
        Ok(Json(to_json(&list)?))
    })
    .await
}

#[derive(Deserialize)]
struct FindingsParams {
    about: Option<String>,
    predicate: Option<String>,
    limit: Option<usize>,
}

async fn findings(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<FindingsParams>,
) -> Reply {
    let predicate: Option<Predicate> = parse("predicate", &q.predicate)?;
    let config = s.config().clone();
    s.read(p.max_tlp, move |store| {
        let about = q
            .about
            .as_deref()
            .map(|n| require_entity(store, n))
            .transpose()?;
        let claims = store.claims(&ClaimQuery {
            about: about.as_ref().map(|e| e.id.0.clone()),
            predicate,
            ..Default::default()
        })?;
        let mut found = build_findings(&claims, &config);
        found.truncate(bounded(q.limit, 50)?);
        Ok(Json(to_json(&found)?))
    })
    .await
}

async fn strength(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(name): Path<String>,
) -> Reply {
    let config = s.config().clone();
    s.read(p.max_tlp, move |store| {
        let e = require_entity(store, &name)?;
        let claims = store.claims(&ClaimQuery {
            subject: Some(e.id.0.clone()),
            predicate: Some(Predicate::HasStrength),
            ..Default::default()
        })?;
        let (estimates, fused) = havenwatch_analyze::strength::strength(&claims, &config);
        Ok(Json(
            json!({"entity": e.name, "id": e.id, "estimates": estimates, "fused": fused}),
        ))
    })
    .await
}

#[derive(Deserialize)]
struct NetworkParams {
    around: Option<String>,
    depth: Option<usize>,
}

async fn network(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<NetworkParams>,
) -> Reply {
    let config = s.config().clone();
    s.read(p.max_tlp, move |store| {
        let center = q
            .around
            .as_deref()
            .map(|n| require_entity(store, n))
            .transpose()?;
        let findings = build_findings(&all_claims(store)?, &config);
        let net = havenwatch_analyze::network::network(
            &findings,
            center.as_ref().map(|e| e.id.0.as_str()),
            bounded(q.depth, 1)?,
        );
        Ok(Json(to_json(&net)?))
    })
    .await
}

#[derive(Deserialize)]
struct InfrastructureParams {
    group: Option<String>,
}

async fn infrastructure(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<InfrastructureParams>,
) -> Reply {
    s.read(p.max_tlp, move |store| {
        let group = q
            .group
            .as_deref()
            .map(|n| require_entity(store, n))
            .transpose()?;
        let mut claims = all_claims(store)?;
        if let Some(g) = &group {
            claims.retain(|c| c.claim.subject.id == g.id);
        }
        Ok(Json(to_json(&havenwatch_analyze::register::register(
            &claims,
        ))?))
    })
    .await
}

#[derive(Deserialize)]
struct ScorecardParams {
    period: Option<String>,
}

async fn scorecard(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(name): Path<String>,
    Query(q): Query<ScorecardParams>,
) -> Reply {
    let mut config: Config = s.config().clone();
    if let Some(period) = &q.period {
        config.period = match period.as_str() {
            "month" => Period::Month,
            "quarter" => Period::Quarter,
            "year" => Period::Year,
            other => {
                return Err(ApiError::bad_request(format!(
                    "period `{other}`: use month, quarter or year"
                )))
            }
        };
    }
    s.read(p.max_tlp, move |store| {
        let e = require_entity(store, &name)?;
        let cards = havenwatch_analyze::scorecard::scorecard(
            &all_claims(store)?,
            &e.id.0,
            &e.name,
            &config,
        );
        Ok(Json(
            json!({"authority": e.name, "id": e.id, "period": cards}),
        ))
    })
    .await
}

async fn threat(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(country): Path<String>,
) -> Reply {
    let config = s.config().clone();
    s.read(p.max_tlp, move |store| {
        let e = require_entity(store, &country)?;
        let claims = all_claims(store)?;
        let findings = build_findings(&claims, &config);
        let ranked = havenwatch_analyze::threat::threat(&e.name, &findings, &claims, &config);
        Ok(Json(json!({"country": e.name, "ranking": ranked})))
    })
    .await
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
}

async fn search(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Query(q): Query<SearchParams>,
) -> Reply {
    let query =
        q.q.filter(|x| !x.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("q: give words to search for"))?;
    s.read(p.max_tlp, move |store| {
        Ok(Json(to_json(
            &store.search(&query, bounded(q.limit, 20)?)?,
        )?))
    })
    .await
}

#[derive(Deserialize)]
struct BriefParams {
    format: Option<String>,
}

async fn brief(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    Path(name): Path<String>,
    Query(q): Query<BriefParams>,
) -> Result<Response, ApiError> {
    let (format, media) = match q.format.as_deref().unwrap_or("md") {
        "md" | "markdown" => (
            havenwatch_analyze::brief::Format::Markdown,
            "text/markdown; charset=utf-8",
        ),
        "html" => (
            havenwatch_analyze::brief::Format::Html,
            "text/html; charset=utf-8",
        ),
        other => {
            return Err(ApiError::bad_request(format!(
                "format `{other}`: use md or html"
            )))
        }
    };
    let config = s.config().clone();
    let text = s
        .read(p.max_tlp, move |store| {
            let e = require_entity(store, &name)?;
            Ok(havenwatch_analyze::brief::for_entity(
                store, &config, &e, format,
            )?)
        })
        .await?;
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    Ok(r)
}

/// Ingest over HTTP, for partners allowed to write: a JSON document or a list of them
/// (`text` required; `title`, `publisher`, `published`, `url`, `tlp` optional), through the
/// same pipeline as `havenwatch ingest`.
async fn ingest(
    State(s): State<Arc<Server>>,
    Extension(p): Extension<Partner>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if p.write.is_empty() {
        return Err(ApiError::forbidden());
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(ApiError::bad_request(
                "send a JSON object or a list of them",
            ))
        }
    };
    let mut lines = String::new();
    for (i, item) in items.iter().enumerate() {
        if !item["text"].is_string() {
            return Err(ApiError::bad_request(format!(
                "item {i}: `text` is required"
            )));
        }
        for field in ["title", "publisher", "published", "url", "tlp"] {
            if item.get(field).is_some_and(|v| !v.is_string()) {
                return Err(ApiError::bad_request(format!(
                    "item {i}: `{field}` must be a string"
                )));
            }
        }
        if let Some(t) = item["tlp"].as_str() {
            t.parse::<Tlp>()
                .map_err(|e| ApiError::bad_request(format!("item {i}: tlp: {e}")))?;
        }
        lines.push_str(&item.to_string());
        lines.push('\n');
    }
    let default_tlp = s.config().default_tlp;
    let gazetteer = s.gazetteer.clone();
    let summary = s
        .read(Tlp::Red, move |store| {
            let dir = tempfile::tempdir().map_err(|_| ApiError::internal())?;
            let path = dir.path().join("request.jsonl");
            std::fs::write(&path, lines).map_err(|_| ApiError::internal())?;
            let options = havenwatch_ingest::IngestOptions {
                default_tlp,
                ..Default::default()
            };
            let summary = havenwatch_ingest::ingest(
                &[havenwatch_ingest::pipeline::Input::Path(path)],
                store,
                &gazetteer,
                &options,
                &|_| {},
            )?;
            Ok(summary)
        })
        .await?;
    let mut out = to_json(&summary)?;
    // Errors name the temporary file; say "item N" instead.
    if let Some(errors) = out["errors"].as_array_mut() {
        for e in errors {
            if let Some(text) = e.as_str() {
                let line = text.split(':').nth(1).and_then(|n| n.parse::<usize>().ok());
                let reason = text
                    .splitn(3, ':')
                    .nth(2)
                    .unwrap_or(text)
                    .trim()
                    .to_string();
                *e = json!(match line {
                    Some(n) => format!("item {}: {reason}", n - 1),
                    None => reason,
                });
            }
        }
    }
    Ok((StatusCode::OK, Json(out)))
}
