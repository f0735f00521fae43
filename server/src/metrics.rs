//! `GET /metrics` (Prometheus text) and what feeds it: a middleware timing every request
//! by its route template, a tracing layer counting every database statement sqlx runs,
//! and a listener wrapper counting open connections. Each server instance records into
//! its own [`Metrics`]: the statements of a request or background task are attributed
//! through the instance's root span, so two servers in one process never mix figures.
//!
//! Recording is off (and `/metrics` answers 404) unless `METRICS_ADDR` or `METRICS_TOKEN`
//! is set.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use app::server::{
    metrics::{Metrics, Snapshot},
    Db,
};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    serve::Listener,
    Router,
};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tracing::{field::Field, Event, Span, Subscriber};
use tracing_subscriber::{layer::Context as LayerContext, registry::LookupSpan, Layer};

pub const PATH: &str = "/metrics";
/// The target of each instance's root span; only the metrics layer listens to it.
pub const SCOPE_TARGET: &str = "commonplace::metrics";

/// Where `/metrics` is served, if anywhere.
#[derive(Clone)]
pub enum Exposure {
    Off,
    /// On its own listener (`METRICS_ADDR`), unauthenticated: keep it off the public network.
    Listener(SocketAddr),
    /// On the main listener, to `Authorization: Bearer <METRICS_TOKEN>` only.
    Token(SecretString),
}

impl Exposure {
    pub fn is_on(&self) -> bool {
        !matches!(self, Self::Off)
    }
}

#[derive(Clone)]
pub struct Scrape {
    metrics: Arc<Metrics>,
    db: Db,
    /// SHA-256 of the token; compared digest to digest, so timing tells nothing.
    token_digest: Option<[u8; 32]>,
    /// Outbox mails with this many attempts are given up (`MAIL_MAX_ATTEMPTS`).
    mail_max_attempts: i64,
}

impl Scrape {
    pub fn new(metrics: Arc<Metrics>, db: Db, exposure: &Exposure, mail_max_attempts: i64) -> Self {
        let token_digest = match exposure {
            Exposure::Token(token) => Some(Sha256::digest(token.expose_secret().as_bytes()).into()),
            _ => None,
        };
        Self { metrics, db, token_digest, mail_max_attempts }
    }
}

/// `/metrics` for the main listener (token required) or its own listener (`token_digest` none).
pub fn router<S>(scrape: Scrape) -> Router<S> {
    Router::new().route(PATH, get(serve)).with_state(scrape)
}

async fn serve(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(expected) = scrape.token_digest {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| <[u8; 32]>::from(Sha256::digest(token.trim().as_bytes())));
        if presented != Some(expected) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the bearer token\n",
            )
                .into_response();
        }
    }
    let snapshot = snapshot(&scrape.db, scrape.mail_max_attempts).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        scrape.metrics.encode(snapshot),
    )
        .into_response()
}

async fn snapshot(db: &Db, mail_max_attempts: i64) -> Snapshot {
    let (pending, given_up): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT SUM(CASE WHEN attempts < $1 THEN 1 ELSE 0 END), SUM(CASE WHEN attempts >= $1 THEN 1 ELSE 0 END) \
         FROM mail_outbox WHERE sent_at IS NULL",
    )
    .bind(mail_max_attempts)
    .fetch_one(db.pool())
    .await
    .unwrap_or_default();
    let size = i64::from(db.pool().size());
    let idle = db.pool().num_idle() as i64;
    Snapshot {
        resident_memory_bytes: resident_memory().unwrap_or_default(),
        pool_in_use: (size - idle).max(0),
        pool_idle: idle,
        outbox_pending: pending.unwrap_or_default(),
        outbox_given_up: given_up.unwrap_or_default(),
    }
}

/// Resident set size from `/proc/self/status` (Linux); `None` elsewhere.
fn resident_memory() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Counts and times each request under its route template. Paths no route matched
/// (static files, unknown pages) share one label each, so no request creates a series.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let path = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_string(),
        None if request.uri().path().starts_with("/pkg/") || request.uri().path().contains('.') => "static".into(),
        None => "unmatched".into(),
    };
    let response = next.run(request).await;
    metrics.request(method, &path, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// This instance's root span: every request span and background task of the instance
/// runs under it, and carries its metrics to [`QueryMetrics`]. Disabled (and free) when
/// the metrics layer is not installed.
pub fn instance_span(metrics: &Arc<Metrics>) -> Span {
    let span = tracing::trace_span!(target: SCOPE_TARGET, "instance");
    span.with_subscriber(|(id, dispatch)| {
        if let Some(span) = dispatch.downcast_ref::<tracing_subscriber::Registry>().and_then(|r| r.span(id)) {
            span.extensions_mut().insert(InstanceMetrics(metrics.clone()));
        }
    });
    span
}

struct InstanceMetrics(Arc<Metrics>);

/// Counts the statements sqlx reports (target `sqlx::query`) into the metrics of the
/// instance whose span they ran under.
pub struct QueryMetrics;

impl<S> Layer<S> for QueryMetrics
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else { return };
        let Some(metrics) =
            scope.from_root().find_map(|span| span.extensions().get::<InstanceMetrics>().map(|m| m.0.clone()))
        else {
            return;
        };
        let mut statement = StatementFields::default();
        event.record(&mut statement);
        // sqlx puts a short statement whole in `summary` and leaves `db.statement` empty.
        let sql = if statement.statement.trim().is_empty() { &statement.summary } else { &statement.statement };
        metrics.query(sql, statement.elapsed_secs);
    }
}

#[derive(Default)]
struct StatementFields {
    summary: String,
    statement: String,
    elapsed_secs: f64,
}

impl tracing::field::Visit for StatementFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_string(),
            "db.statement" => self.statement = value.to_string(),
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed_secs = value;
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// A listener that counts its open connections.
pub struct CountingListener<L> {
    inner: L,
    metrics: Option<Arc<Metrics>>,
}

impl<L> CountingListener<L> {
    pub fn new(inner: L, metrics: Option<Arc<Metrics>>) -> Self {
        Self { inner, metrics }
    }
}

impl<L: Listener> Listener for CountingListener<L> {
    type Io = Counted<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, address) = self.inner.accept().await;
        if let Some(metrics) = &self.metrics {
            metrics.connection_opened();
        }
        (Counted { io, metrics: self.metrics.clone() }, address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection that counts itself closed when dropped.
pub struct Counted<T> {
    io: T,
    metrics: Option<Arc<Metrics>>,
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        if let Some(metrics) = &self.metrics {
            metrics.connection_closed();
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
