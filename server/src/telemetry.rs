//! Logging setup and the per-request span (method, path, status, latency, request id).

use std::time::Duration;

use axum::{body::Body, http::Request, response::Response};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    request_id::RequestId,
    trace::{MakeSpan, OnResponse, TraceLayer},
};
use tracing::{field::Empty, Span};
use tracing::{Level, Metadata};
use tracing_subscriber::{
    filter::filter_fn, fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer as _,
};

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_sessions=warn";

/// Installs the global subscriber; `RUST_LOG` overrides the default filter. Safe to call
/// more than once (later calls are no-ops), which tests rely on.
///
/// Logs and metrics filter apart: the metrics layer hears every statement sqlx runs
/// (`sqlx::query` at debug) whatever `RUST_LOG` prints.
pub fn init(format: LogFormat) {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // The metrics layer walks from a statement up to its instance's span, so it must see
    // the spans in between (requests are INFO); it never sees other events. Decided per
    // callsite, once.
    let wanted = |meta: &Metadata<'_>| {
        if meta.is_span() {
            *meta.level() <= Level::INFO || meta.target() == crate::metrics::SCOPE_TARGET
        } else {
            meta.target() == "sqlx::query"
        }
    };
    let metrics = crate::metrics::QueryMetrics.with_filter(filter_fn(wanted));
    let registry = tracing_subscriber::registry().with(metrics);
    let _ = match format {
        // The test writer lets the test harness capture output per test.
        LogFormat::Pretty => registry.with(fmt::layer().compact().with_test_writer().with_filter(filter())).try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().flatten_event(true).with_current_span(true).with_filter(filter()))
            .try_init(),
    };
}

pub type RequestTraceLayer =
    TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse, (), (), ()>;

/// One span per request, under the instance's span (`parent`; see
/// [`crate::metrics::instance_span`]). Only the path is recorded: query strings can carry
/// tokens.
pub fn trace_layer(parent: Span) -> RequestTraceLayer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan { parent })
        .on_request(())
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
        .on_response(LogResponse)
}

#[derive(Clone)]
pub struct RequestSpan {
    parent: Span,
}

impl MakeSpan<Body> for RequestSpan {
    fn make_span(&mut self, request: &Request<Body>) -> Span {
        let request_id =
            request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or_default();
        tracing::info_span!(
            parent: &self.parent,
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

#[derive(Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        let status = response.status().as_u16();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        span.record("status", status);
        span.record("latency_ms", latency_ms);
        if response.status().is_server_error() {
            tracing::error!(status, latency_ms, "request failed");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    }
}
