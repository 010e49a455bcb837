//! Server tests through the router (`app()`), without a socket: authentication, TAXII 2.1
//! behaviour, the audit log, and the no-leak property.

mod leak;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use havenwatch_analyze::config::token_hash;
use havenwatch_analyze::Config;
use havenwatch_core::{
    Claim, Document, DocumentMeta, Entity, EntityId, EntityRef, EntityStatus, EntityType, Mention,
    MentionRule, Modality, Predicate, Qualifiers, Source, Span, Tlp,
};
use havenwatch_server::{app, Limits, Server};
use havenwatch_store::{AnalysedDocument, AuditQuery, SqliteStore, Store};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// A configuration with one partner per level (`tok-clear` ... `tok-red`, reading every
/// collection) and a writer (`tok-writer`, GREEN, writing the inbox).
pub fn config() -> Config {
    let mut text = String::from("[sharing]\ndefault_tlp = \"amber\"\n");
    for t in Tlp::ALL {
        let name = t.as_str().replace('+', "-");
        text.push_str(&format!(
            "\n[partners.{name}]\ntoken_sha256 = \"{}\"\nmax_tlp = \"{}\"\nread = [\"*\"]\n",
            token_hash(&format!("tok-{name}")),
            t.as_str()
        ));
    }
    text.push_str(&format!(
        "\n[partners.writer]\ntoken_sha256 = \"{}\"\nmax_tlp = \"green\"\nread = [\"clear\", \"green\"]\nwrite = [\"inbox\"]\n",
        token_hash("tok-writer")
    ));
    Config::from_toml("test.toml", &text).unwrap()
}

pub fn token(t: Tlp) -> String {
    format!("tok-{}", t.as_str().replace('+', "-"))
}

pub fn entity(id: &str, name: &str, t: EntityType) -> Entity {
    Entity {
        id: EntityId::new(id),
        name: name.into(),
        entity_type: t,
        aliases: vec![],
        external_ids: vec![],
        status: EntityStatus::Known,
    }
}

/// A one-sentence document "<A> <predicate> <B>." by `publisher`, marked `tlp`.
pub fn doc(
    publisher: &str,
    a: &Entity,
    predicate: Predicate,
    b: &Entity,
    modality: Modality,
    tlp: Tlp,
    date: &str,
) -> AnalysedDocument {
    let text = format!(
        "{} {} {}. Reported by {publisher} on {date}.",
        a.name,
        predicate.as_str().replace('_', " "),
        b.name
    );
    let document = Document::new(
        DocumentMeta {
            title: Some(format!("{} and {}", a.name, b.name)),
            publisher: Some(publisher.into()),
            published: Some(date.into()),
            tlp: Some(tlp),
            ..Default::default()
        },
        text.clone(),
    );
    let end = text.find('.').unwrap() + 1;
    let mention = |e: &Entity| {
        let at = text.find(&e.name).unwrap();
        Mention {
            entity: e.id.clone(),
            document: document.id.clone(),
            span: Span::new(at, at + e.name.len()),
            surface: e.name.clone(),
            rule: MentionRule::Gazetteer,
        }
    };
    AnalysedDocument {
        mentions: vec![mention(a), mention(b)],
        claims: vec![Claim {
            subject: EntityRef {
                id: a.id.clone(),
                name: a.name.clone(),
            },
            predicate,
            object: Some(EntityRef {
                id: b.id.clone(),
                name: b.name.clone(),
            }),
            qualifiers: Qualifiers::default(),
            source: Source {
                entity: None,
                name: publisher.into(),
            },
            via: vec![],
            modality,
            negated: false,
            evidence: Span::new(0, end),
        }],
        fingerprint: havenwatch_core::text::simhash(&text),
        claims_pending: false,
        document,
        origin: "test".into(),
        entities: vec![a.clone(), b.clone()],
    }
}

/// A store file holding `docs`, published into the collections at a fixed time, and a server
/// over it.
pub fn server_over(dir: &Path, name: &str, docs: &[AnalysedDocument]) -> Arc<Server> {
    let path = dir.join(name);
    let mut store = SqliteStore::open(&path).unwrap();
    store.write_batch(docs).unwrap();
    havenwatch_stix::publish(&mut store, &config(), "2026-11-26T00:00:00.000Z").unwrap();
    Server::new(
        config(),
        &path,
        havenwatch_extract::Gazetteer::builtin(),
        Limits {
            max_body: 64 * 1024,
            max_page: 1000,
        },
    )
    .unwrap()
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub async fn call(
    server: &Arc<Server>,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<(&str, String)>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some((content_type, b)) => req
            .header("content-type", content_type)
            .header("content-length", b.len())
            .body(Body::from(b))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let response = app(server.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn small_corpus() -> Vec<AnalysedDocument> {
    let a = entity("g:a", "Ardent Front", EntityType::ArmedGroup);
    let b = entity("g:b", "Basalt Brigade", EntityType::ArmedGroup);
    let c = entity("g:c", "Cinder Army", EntityType::ArmedGroup);
    let p = entity("l:p", "Pell Valley", EntityType::Location);
    vec![
        doc(
            "Open Wire",
            &a,
            Predicate::Supports,
            &b,
            Modality::Asserted,
            Tlp::Clear,
            "2024-01-01",
        ),
        doc(
            "Green Desk",
            &a,
            Predicate::OperatesIn,
            &p,
            Modality::Reported,
            Tlp::Green,
            "2024-02-01",
        ),
        doc(
            "Red Cable",
            &c,
            Predicate::CooperatesWith,
            &a,
            Modality::Assessed,
            Tlp::Red,
            "2024-03-01",
        ),
    ]
}

#[tokio::test]
async fn credentials_are_checked_and_say_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_over(dir.path(), "s.db", &small_corpus());
    for token in [None, Some("wrong"), Some("")] {
        for uri in [
            "/taxii2/",
            "/api1/collections/",
            "/api/v1/entities/Cinder%20Army",
        ] {
            let r = call(&server, "GET", uri, token, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
            assert_eq!(r.body, r#"{"http_status":"401","title":"Unauthorized"}"#);
        }
    }
    // HTTP Basic with the token as password works too (what TAXII clients send).
    let req = Request::builder()
        .uri("/taxii2/")
        .header("authorization", "Basic Z3JlZW46dG9rLWdyZWVu") // green:tok-green
        .body(Body::empty())
        .unwrap();
    let r = app(server.clone()).oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The OpenAPI document is public and describes both APIs.
    let r = call(&server, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api1/collections/{id}/objects/"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/findings"]["get"].is_object());
    // A partner may not write where it has no right, nor ingest over REST.
    let r = call(
        &server,
        "POST",
        "/api/v1/ingest",
        Some("tok-green"),
        Some(("application/json", "{\"text\":\"x\"}".into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, r#"{"http_status":"403","title":"Forbidden"}"#);
    assert_eq!(r.headers["content-type"], "application/json");
    let r = call(
        &server,
        "GET",
        "/api1/collections/nope/",
        Some("tok-red"),
        None,
    )
    .await;
    assert_eq!(
        r.headers["content-type"],
        "application/taxii+json;version=2.1"
    );
}

#[tokio::test]
async fn taxii_pages_filters_media_types_and_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_over(dir.path(), "s.db", &small_corpus());
    let token = Some("tok-red");
    let r = call(&server, "GET", "/taxii2/", token, None).await;
    assert_eq!(
        r.headers["content-type"],
        "application/taxii+json;version=2.1"
    );
    assert_eq!(r.json()["api_roots"][0], "/api1/");
    let r = call(&server, "GET", "/api1/", token, None).await;
    assert_eq!(
        r.json()["versions"][0],
        "application/taxii+json;version=2.1"
    );
    let cols = call(&server, "GET", "/api1/collections/", token, None)
        .await
        .json();
    let red = cols["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["alias"] == "red")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Every object, page by page.
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let uri = match &next {
            Some(n) => format!("/api1/collections/{red}/objects/?limit=7&next={n}"),
            None => format!("/api1/collections/{red}/objects/?limit=7"),
        };
        let r = call(&server, "GET", &uri, token, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers.contains_key("x-taxii-date-added-first"));
        assert!(r.headers.contains_key("x-taxii-date-added-last"));
        let env = r.json();
        let page: Vec<String> = env["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect();
        assert!(page.len() <= 7);
        ids.extend(page);
        if env["more"] == true {
            next = Some(env["next"].as_str().unwrap().to_string());
        } else {
            assert!(env.get("next").is_none());
            break;
        }
    }
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no object twice across pages");
    assert!(ids.len() > 14, "{} objects", ids.len());
    // match[type], match[id], object by id, versions, manifest.
    let actors = call(
        &server,
        "GET",
        &format!("/api1/collections/{red}/objects/?match[type]=threat-actor"),
        token,
        None,
    )
    .await
    .json();
    let actors = actors["objects"].as_array().unwrap().clone();
    assert_eq!(actors.len(), 3);
    let one = actors[0]["id"].as_str().unwrap();
    let by_id = call(
        &server,
        "GET",
        &format!("/api1/collections/{red}/objects/{one}/"),
        token,
        None,
    )
    .await
    .json();
    assert_eq!(by_id["objects"][0]["id"], one);
    let versions = call(
        &server,
        "GET",
        &format!("/api1/collections/{red}/objects/{one}/versions/"),
        token,
        None,
    )
    .await
    .json();
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
    let manifest = call(
        &server,
        "GET",
        &format!("/api1/collections/{red}/manifest/?limit=2"),
        token,
        None,
    )
    .await
    .json();
    assert_eq!(manifest["objects"].as_array().unwrap().len(), 2);
    assert_eq!(
        manifest["objects"][0]["media_type"],
        "application/stix+json;version=2.1"
    );
    let later = call(
        &server,
        "GET",
        &format!("/api1/collections/{red}/objects/?added_after=2999-01-01T00:00:00.000Z"),
        token,
        None,
    )
    .await
    .json();
    assert!(later.get("objects").is_none() && later["more"] == false);
    // Malformed requests get 400 with a reason; unknown things 404; wrong Accept 406.
    for q in [
        "limit=0",
        "limit=x",
        "next=abc",
        "added_after=yesterday",
        "match[version]=newest",
    ] {
        let r = call(
            &server,
            "GET",
            &format!("/api1/collections/{red}/objects/?{q}"),
            token,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.json()["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    let r = call(
        &server,
        "GET",
        "/api1/collections/nope/objects/",
        token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let req = Request::builder()
        .uri("/taxii2/")
        .header("authorization", "Bearer tok-red")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app(server.clone()).oneshot(req).await.unwrap().status(),
        StatusCode::NOT_ACCEPTABLE
    );
}

#[tokio::test]
async fn partners_write_the_inbox_and_read_their_status_and_the_audit_log_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_over(dir.path(), "s.db", &small_corpus());
    let envelope = serde_json::json!({"objects": [
        {"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--1b4f0ad4-0d6e-4bd5-9a0a-7a4fd3f0e001",
         "created": "2024-05-01T00:00:00.000Z", "modified": "2024-05-01T00:00:00.000Z", "name": "Dune Watch",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--1b4f0ad4-0d6e-4bd5-9a0a-7a4fd3f0e002",
         "created": "2024-05-01T00:00:00.000Z", "modified": "2024-05-01T00:00:00.000Z",
         "relationship_type": "targets", "source_ref": "threat-actor--1b4f0ad4-0d6e-4bd5-9a0a-7a4fd3f0e001",
         "target_ref": "threat-actor--1b4f0ad4-0d6e-4bd5-9a0a-7a4fd3f0e001",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"no": "id"}
    ]});
    let ct = "application/taxii+json;version=2.1";
    let r = call(
        &server,
        "POST",
        "/api1/collections/inbox/objects/",
        Some("tok-writer"),
        Some((ct, envelope.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let status = r.json();
    assert_eq!(
        (
            status["success_count"].as_u64(),
            status["failure_count"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let sid = status["id"].as_str().unwrap();
    let r = call(
        &server,
        "GET",
        &format!("/api1/status/{sid}/"),
        Some("tok-writer"),
        None,
    )
    .await;
    assert_eq!(r.json()["id"], sid);
    // Another partner cannot read that status, nor write the inbox (which it may read).
    let r = call(
        &server,
        "GET",
        &format!("/api1/status/{sid}/"),
        Some("tok-red"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &server,
        "POST",
        "/api1/collections/inbox/objects/",
        Some("tok-green"),
        Some((ct, envelope.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad bodies: not JSON, no objects, wrong media type, too large (refused from its length).
    for (ct, body, code) in [
        (ct, "{".to_string(), StatusCode::BAD_REQUEST),
        (ct, "{}".to_string(), StatusCode::BAD_REQUEST),
        (
            "text/plain",
            "{}".to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (ct, "x".repeat(65 * 1024), StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let r = call(
            &server,
            "POST",
            "/api1/collections/inbox/objects/",
            Some("tok-writer"),
            Some((ct, body)),
        )
        .await;
        assert_eq!(r.status, code, "{}", r.body);
    }
    // The partner's claim arrived, attributed to it, at its marking.
    let claims = call(
        &server,
        "GET",
        "/api/v1/claims?source=writer",
        Some("tok-green"),
        None,
    )
    .await
    .json();
    assert_eq!(
        claims.as_array().unwrap().len(),
        0,
        "a self-targeting relationship is one actor: skipped"
    );
    // REST ingest through the real pipeline.
    let r = call(&server, "POST", "/api/v1/ingest", Some("tok-writer"),
        Some(("application/json", r#"[{"text": "Ardent Front fighters were seen in Pell Valley.", "publisher": "Writer Desk", "tlp": "green"}, {"title": "no text"}]"#.into()))).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an item without text refuses the request"
    );
    let r = call(&server, "POST", "/api/v1/ingest", Some("tok-writer"),
        Some(("application/json", r#"{"text": "The Ardent Front operates in the Pell Valley, Writer Desk said.", "publisher": "Writer Desk", "tlp": "green"}"#.into()))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["added"], 1);
    server.flush_audit();
    let store = SqliteStore::open(dir.path().join("s.db")).unwrap();
    let writer = store
        .audit(&AuditQuery {
            partner: Some("writer".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(writer
        .iter()
        .any(|e| e.action == "POST /api1/collections/inbox/objects/" && e.status == 202));
    assert!(writer.iter().any(|e| e.status == 413));
    let green = store
        .audit(&AuditQuery {
            partner: Some("green".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(green
        .iter()
        .any(|e| e.status == 403 && e.action.starts_with("POST")));
}
