//! The havenwatch server: a JSON REST API for everything the CLI shows, TAXII 2.1 for STIX
//! exchange, both behind partners' API tokens, with every request in the audit log.
//!
//! The router is built by [`app`] and tested without a socket; [`serve`] binds it to an address.
//!
//! Architecture invariant: **every read goes through a store handle whose clearance is the
//! caller's** ([`Server::read`]). No handler filters by marking itself, so no handler can forget
//! to; counts, grades and findings are computed from what the caller may see.

mod rest;
mod taxii;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use havenwatch_analyze::config::Partner;
use havenwatch_analyze::Config;
use havenwatch_core::Tlp;
use havenwatch_extract::Gazetteer;
use havenwatch_store::{AuditEntry, SqliteStore, Store};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

pub use taxii::{collections, CollectionDef};

/// The TAXII 2.1 media type of every TAXII response.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// The STIX 2.1 media type, as collections list it.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] havenwatch_store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Limits the server enforces.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Request bodies over this many bytes are refused (413) before they are read whole.
    pub max_body: usize,
    /// The most objects a TAXII page holds, whatever `limit` asks.
    pub max_page: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 10 * 1024 * 1024,
            max_page: 1000,
        }
    }
}

/// Shared state: configuration (partners, grades), a pool of store handles, the audit writer.
#[derive(Debug)]
pub struct Server {
    config: Config,
    db: PathBuf,
    gazetteer: Gazetteer,
    limits: Limits,
    pool: Mutex<Vec<SqliteStore>>,
    audit: mpsc::Sender<AuditMessage>,
}

#[derive(Debug)]
enum AuditMessage {
    Entry(AuditEntry),
    /// Write what is queued, then answer.
    Flush(mpsc::Sender<()>),
}

impl Server {
    /// Opens the store at `db` (creating and migrating it if needed) and starts the audit
    /// writer.
    pub fn new(
        config: Config,
        db: &Path,
        gazetteer: Gazetteer,
        limits: Limits,
    ) -> Result<Arc<Server>, ServerError> {
        let writer = SqliteStore::open(db)?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("havenwatch-audit".into())
            .spawn(move || audit_writer(writer, rx))?;
        Ok(Arc::new(Server {
            config,
            db: db.to_path_buf(),
            gazetteer,
            limits,
            pool: Mutex::new(Vec::new()),
            audit: tx,
        }))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `f` on a store handle limited to `clearance`, on a blocking thread.
    pub(crate) async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        clearance: Tlp,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let server = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = server.checkout()?;
            store.set_clearance(clearance);
            let out = f(&mut store);
            store.set_clearance(Tlp::Red);
            server.checkin(store);
            out
        })
        .await
        .map_err(|_| ApiError::internal())?
    }

    /// Runs a short, indexed read (a TAXII page) right on the calling thread, with a store
    /// handle kept per thread: no hand-off to the blocking pool, whose thread switches and
    /// cross-thread frees cost more than such a query.
    pub(crate) fn read_now<T>(
        &self,
        clearance: Tlp,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        thread_local! {
            static STORES: std::cell::RefCell<Vec<(PathBuf, SqliteStore)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        STORES.with(|cell| {
            let mut stores = cell.borrow_mut();
            let i = match stores.iter().position(|(p, _)| *p == self.db) {
                Some(i) => i,
                None => {
                    let store = self.checkout()?;
                    stores.push((self.db.clone(), store));
                    stores.len() - 1
                }
            };
            let store = &mut stores[i].1;
            store.set_clearance(clearance);
            let out = f(store);
            store.set_clearance(Tlp::Red);
            out
        })
    }

    fn checkout(&self) -> Result<SqliteStore, ApiError> {
        if let Some(s) = self.pool.lock().ok().and_then(|mut p| p.pop()) {
            return Ok(s);
        }
        let store = SqliteStore::open(&self.db).map_err(|e| {
            eprintln!("havenwatch serve: opening {}: {e}", self.db.display());
            ApiError::internal()
        })?;
        store.tune_for_reads()?;
        Ok(store)
    }

    fn checkin(&self, store: SqliteStore) {
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < 64 {
                pool.push(store);
            }
        }
    }

    /// The partner a request's credentials belong to: `Authorization: Bearer TOKEN`, or HTTP
    /// Basic with the token as password (what TAXII clients send).
    pub fn authenticate(&self, headers: &HeaderMap) -> Option<&Partner> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, rest) = value.split_once(' ')?;
        let token = match scheme.to_ascii_lowercase().as_str() {
            "bearer" => rest.trim().to_string(),
            "basic" => {
                let decoded = base64_decode(rest.trim())?;
                let text = String::from_utf8(decoded).ok()?;
                text.split_once(':')?.1.to_string()
            }
            _ => return None,
        };
        if token.is_empty() {
            return None;
        }
        self.config.partner_by_token(&token)
    }

    fn record(&self, entry: AuditEntry) {
        let _ = self.audit.send(AuditMessage::Entry(entry));
    }

    /// Waits until every audit entry queued so far is written.
    pub fn flush_audit(&self) {
        let (tx, rx) = mpsc::channel();
        let _ = self.audit.send(AuditMessage::Flush(tx));
        let _ = rx.recv_timeout(std::time::Duration::from_secs(10));
    }
}

/// Writes audit entries in batches: whatever arrived while the last batch was written.
fn audit_writer(mut store: SqliteStore, rx: mpsc::Receiver<AuditMessage>) {
    while let Ok(first) = rx.recv() {
        let mut batch = Vec::new();
        let mut waiting = Vec::new();
        let mut next = Some(first);
        while let Some(m) = next {
            match m {
                AuditMessage::Entry(e) => batch.push(e),
                AuditMessage::Flush(ack) => waiting.push(ack),
            }
            next = if batch.len() < 4096 {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            if let Err(e) = store.record_audit(&batch) {
                eprintln!("havenwatch serve: writing the audit log: {e}");
            }
        }
        for ack in waiting {
            let _ = ack.send(());
        }
    }
}

/// A failed request, as TAXII's error message (`title`, `description`, `http_status`). 401
/// and 403 carry no description: they say nothing about what exists.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub description: Option<String>,
}

impl ApiError {
    pub fn bad_request(reason: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            title: "Bad request",
            description: Some(reason.into()),
        }
    }
    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            title: "Unauthorized",
            description: None,
        }
    }
    pub fn forbidden() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            title: "Forbidden",
            description: None,
        }
    }
    pub fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            title: "Not found",
            description: None,
        }
    }
    pub fn internal() -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Internal error",
            description: None,
        }
    }
    fn with_status(status: StatusCode, title: &'static str, description: Option<String>) -> Self {
        ApiError {
            status,
            title,
            description,
        }
    }
}

impl From<havenwatch_store::StoreError> for ApiError {
    fn from(e: havenwatch_store::StoreError) -> Self {
        match e {
            havenwatch_store::StoreError::Invalid(m) => ApiError::bad_request(m),
            havenwatch_store::StoreError::UnknownEntity(_) => ApiError::not_found(),
            other => {
                eprintln!("havenwatch serve: {other}");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "title": self.title,
            "http_status": self.status.as_u16().to_string(),
        });
        if let Some(d) = self.description {
            body["description"] = serde_json::json!(d);
        }
        let mut r = (self.status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"havenwatch\""),
            );
        }
        r
    }
}

/// The whole application: TAXII under `/taxii2/` and `/api1/`, REST under `/api/v1/`.
pub fn app(server: Arc<Server>) -> Router {
    Router::new()
        .merge(taxii::routes())
        .merge(rest::routes())
        .layer(axum::middleware::from_fn_with_state(
            server.clone(),
            authenticate_and_audit,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(server.limits.max_body))
        .fallback(|| async { ApiError::not_found() })
        .with_state(server)
}

/// Authenticates every request (but the OpenAPI document), puts the partner in the request's
/// extensions, and records the request in the audit log.
async fn authenticate_and_audit(
    State(server): State<Arc<Server>>,
    mut request: Request,
    next: Next,
) -> Response {
    let action = format!("{} {}", request.method(), request.uri().path());
    let target = request.uri().to_string();
    let public = request.uri().path() == "/api/v1/openapi.json";
    let partner = server.authenticate(request.headers()).cloned();
    // An oversize body is refused here, from its declared length, before anything reads it.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let rest = request.uri().path().starts_with("/api/v1/");
    let mut response = match (&partner, declared) {
        (_, Some(n)) if n > server.limits.max_body => ApiError::with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            Some(format!(
                "the body may be at most {} bytes",
                server.limits.max_body
            )),
        )
        .into_response(),
        (Some(p), _) => {
            request.extensions_mut().insert(p.clone());
            next.run(request).await
        }
        (None, _) if public => next.run(request).await,
        (None, _) => ApiError::unauthorized().into_response(),
    };
    // A request the framework refused (a query value of the wrong type) answers in the same
    // error format as every other.
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if response.status().is_client_error() && plain {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .unwrap_or_default();
        response = ApiError::with_status(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "Payload too large"
            } else {
                "Bad request"
            },
            Some(String::from_utf8_lossy(&bytes).trim().to_string()),
        )
        .into_response();
    }
    // REST errors are plain JSON; TAXII's keep TAXII's media type.
    if rest
        && response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static(TAXII_MEDIA_TYPE))
    {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    server.record(AuditEntry {
        at: havenwatch_store::taxii_now(),
        partner: partner.map_or_else(|| "(unauthenticated)".into(), |p| p.name),
        action,
        target,
        status: response.status().as_u16(),
    });
    response
}

/// Serves the application on `addr` until Ctrl-C.
pub async fn serve(server: Arc<Server>, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!(
        "havenwatch serving on http://{} (TAXII discovery /taxii2/, REST /api/v1/, OpenAPI /api/v1/openapi.json)",
        listener.local_addr()?
    );
    let flush = Arc::clone(&server);
    axum::serve(listener, app(server))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    flush.flush_audit();
    Ok(())
}

/// Standard base64 (RFC 4648) decoding, for HTTP Basic credentials.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n: u32 = 0;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64() {
        assert_eq!(super::base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(super::base64_decode("YQ==").unwrap(), b"a");
        assert!(super::base64_decode("!!").is_none());
    }
}
