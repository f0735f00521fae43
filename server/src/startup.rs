//! Builds the application from a [`Config`]: database, router, middleware and listener.
//! `build` binds the port (0 picks a free one) so tests can run the real server.

use std::{future::Future, io, net::SocketAddr};

use std::sync::{Arc, OnceLock};

use app::{
    accounts::ssr::{
        jwt::ApiJwt,
        password::{HashParams, Passwords},
        tokens::{derive_key, AccountTokens},
    },
    blog::ssr::{self as blog, search, Blog},
    chat::ssr::{bus::Bus, hub::Hub},
    server::{csp, mail, metrics::Metrics, session_store::SqlSessionStore, AppState, Db},
    shell,
    uploads::ssr::{storage::Storage, Uploads},
    App,
};
use axum::http::{header, HeaderName, HeaderValue};
use axum::{serve::ListenerExt, Router};
use futures_util::FutureExt;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tracing::{Instrument, Span};

use crate::{
    config::Config,
    cors::{ApiCors, Origins},
    health,
    metrics::{self, Exposure},
    telemetry, tls,
};

pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    /// Counts connections when metrics are on.
    metrics: Option<Arc<Metrics>>,
    /// `/metrics` on its own listener (`METRICS_ADDR`).
    metrics_listener: Option<(TcpListener, Router)>,
    /// `ENABLE_HTTPS`: the main listener speaks TLS.
    tls: Option<TlsAcceptor>,
    /// `HTTP_REDIRECT_ADDR`: plain HTTP that only redirects to https.
    redirect_listener: Option<(TcpListener, Router)>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::new());
        // Everything this instance starts (requests, background tasks) runs under one
        // span, which carries its metrics to the statements it runs.
        let scope = if config.metrics.is_on() { metrics::instance_span(&metrics) } else { Span::none() };
        Self::build_in(config, metrics, scope.clone()).instrument(scope).await
    }

    async fn build_in(config: Config, metrics: Arc<Metrics>, scope: Span) -> anyhow::Result<Self> {
        // A certificate that cannot be served stops the start, before anything else.
        let tls = match &config.tls {
            Some(settings) => Some(tls::Certificates::start(settings.clone())?.acceptor()),
            None => None,
        };
        let db = Db::connect(&config.database).await?;
        db.migrate().await?;
        search::ensure_schema(db.pool(), db.engine()).await?;
        let sessions = SqlSessionStore::connect(&config.database).await?;
        let mail_wake = Arc::new(tokio::sync::Notify::new());
        mail::spawn_worker(db.clone(), config.mail.clone(), mail_wake.clone(), metrics.clone())
            .map_err(anyhow::Error::msg)?;
        crate::maintenance::spawn(db.clone(), sessions.clone());

        let api = crate::api::Api::new(&config.accounts.public_url);
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let blog =
            Blog::new(db.clone(), config.blog.clone(), derive_key(config.secret().as_bytes(), "views-v1"), cores);
        blog::scheduler::spawn(db.clone(), blog.settings.clone());
        let chat = Hub::new(db.clone(), Bus::for_db(&db, &config.database.url), Arc::new(config.chat.clone()));
        app::server::spawn(blog::refresh_stored(db.clone(), blog.settings.clone()));
        let storage = Storage::open(&config.storage).map_err(anyhow::Error::msg)?;
        tracing::info!(storage = %storage.describe, "uploaded files");
        let uploads = Uploads::new(storage, config.uploads.clone(), cores);
        let state = AppState {
            leptos_options: config.leptos_options(),
            db: db.clone(),
            accounts: Arc::new(config.accounts.clone()),
            passwords: Passwords::new(HashParams::default(), cores),
            tokens: AccountTokens::new(
                &derive_key(config.secret().as_bytes(), "account-tokens-v1"),
                config.activation_ttl,
                config.reset_ttl,
            ),
            jwt: ApiJwt::new(
                &derive_key(config.secret().as_bytes(), "api-jwt-v1"),
                config.access_ttl,
                config.refresh_ttl,
            ),
            mail_wake,
            api_reference: Arc::new(api.reference),
            blog,
            chat,
            uploads,
            metrics: metrics.clone(),
        };
        let cache = crate::page_cache::PageCache::new(config.page_cache);
        let cors = ApiCors::new(Origins::new(&config.public_url, &config.allowed_origins));
        let scrape = metrics::Scrape::new(metrics.clone(), db.clone(), &config.metrics, config.mail.max_attempts);
        let observe = Observe {
            scope,
            track: config.metrics.is_on().then(|| metrics.clone()),
            scrape_on_main: matches!(config.metrics, Exposure::Token(_)).then(|| scrape.clone()),
        };
        let router = router(state, session_layer(&config, sessions), api.router, cache, cors, observe);
        let listener = TcpListener::bind(config.listen_addr).await?;
        let metrics_listener = match config.metrics {
            Exposure::Listener(addr) => Some((TcpListener::bind(addr).await?, metrics::router(scrape))),
            _ => None,
        };
        let redirect_listener = match config.tls.as_ref().and_then(|tls| tls.redirect_addr) {
            Some(addr) => Some((TcpListener::bind(addr).await?, tls::redirect_router(config.public_url.clone()))),
            None => None,
        };
        let metrics = config.metrics.is_on().then_some(metrics);
        Ok(Self { listener, router, db, metrics, metrics_listener, tls, redirect_listener })
    }

    /// Where `/metrics` is served when `METRICS_ADDR` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|(listener, _)| listener.local_addr().ok())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then drains connections and closes the pool.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        tracing::info!(address = %self.local_addr(), "listening");
        let shutdown = shutdown.shared();
        for (listener, router, what) in [
            self.metrics_listener.map(|(l, r)| (l, r, "serving /metrics")),
            self.redirect_listener.map(|(l, r)| (l, r, "redirecting plain HTTP to https")),
        ]
        .into_iter()
        .flatten()
        {
            tracing::info!(address = ?listener.local_addr(), what);
            let stop = shutdown.clone();
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
                    tracing::error!(%error, what, "a side listener failed");
                }
            });
        }
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        // `tap_io` (a no-op in the second place) is what lets axum hand a custom
        // listener's peer address to `ConnectInfo<SocketAddr>`.
        let result = match self.tls {
            Some(acceptor) => {
                let listener = tls::TlsListener::new(self.listener, acceptor)?;
                let listener = metrics::CountingListener::new(listener, self.metrics).tap_io(|_| ());
                axum::serve(listener, service).with_graceful_shutdown(shutdown).await
            }
            None => {
                // Pages stream in several small writes; without TCP_NODELAY, Nagle's
                // algorithm and the client's delayed ACK stall each response by ~40 ms.
                let listener = self.listener.tap_io(|tcp| {
                    if let Err(error) = tcp.set_nodelay(true) {
                        tracing::warn!(%error, "could not set TCP_NODELAY");
                    }
                });
                let listener = metrics::CountingListener::new(listener, self.metrics).tap_io(|_| ());
                axum::serve(listener, service).with_graceful_shutdown(shutdown).await
            }
        };
        self.db.close().await;
        tracing::info!("stopped");
        result
    }
}

/// The whole HTTP surface: non-Leptos routes first, then pages and server functions,
/// then static files (precompressed when available) with the 404 page as fallback.
pub fn router(
    state: AppState,
    sessions: SessionManagerLayer<SqlSessionStore>,
    api: Router<AppState>,
    cache: crate::page_cache::PageCache,
    cors: ApiCors,
    observe: Observe,
) -> Router {
    let https = state.accounts.public_url.starts_with("https://");
    let upload_limit = state.uploads.settings.max_bytes;
    let routes = page_routes().to_vec();
    let leptos_options = state.leptos_options.clone();
    let mut router = Router::new();
    if let Some(scrape) = observe.scrape_on_main {
        router = router.merge(metrics::router(scrape));
    }
    let router = router
        .merge(health::router(health::HealthState::new(state.db.clone())))
        .merge(crate::feeds::router())
        .merge(crate::files::router())
        .merge(api)
        .leptos_routes_with_context(&state, routes, csp::provide_request_nonce, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(csp::provide_request_nonce, shell))
        .layer(axum::middleware::from_fn(crate::server_fns::bad_arguments_are_400))
        .layer(sessions)
        // Outside the session layer: a cached page for an anonymous reader needs none.
        .layer(axum::middleware::from_fn_with_state((cache, state.clone()), crate::page_cache::serve))
        // Outside the page cache, so a cached page is served with this response's nonce.
        .layer(axum::middleware::from_fn(crate::csp::nonce))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(telemetry::trace_layer(observe.scope))
                .layer(PropagateRequestIdLayer::x_request_id())
                // Forms and JSON bodies here are small; anything larger is refused (413).
                // Uploads have their own, larger limit.
                .layer(axum::middleware::from_fn_with_state(upload_limit, crate::files::body_limit))
                // No MIME sniffing, no framing (clickjacking), no full URLs (which may
                // carry tokens) in cross-site Referers, and HSTS when served over https.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, move |_: &_| {
                    https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"))
                }))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("permissions-policy"),
                    HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("cross-origin-opener-policy"),
                    HeaderValue::from_static("same-origin"),
                )),
        )
        .layer(axum::middleware::from_fn(crate::api::json_errors))
        .layer(axum::middleware::from_fn(crate::conduit::conduit_errors))
        // Outermost, so every API answer (errors and 413s included) carries CORS headers.
        .layer(axum::middleware::from_fn_with_state(cors, crate::cors::api_cors));
    // Outermost: it times the whole answer and sees its final status.
    let router = match observe.track {
        Some(metrics) => router.layer(axum::middleware::from_fn_with_state(metrics, metrics::track)),
        None => router,
    };
    router.with_state(state)
}

/// What the router records for metrics (all off unless `/metrics` is served somewhere).
pub struct Observe {
    /// The instance's span, parent of every request span.
    scope: Span,
    track: Option<Arc<Metrics>>,
    /// `/metrics` on the main listener, behind the bearer token.
    scrape_on_main: Option<metrics::Scrape>,
}

/// The pages' routes, listed once per process. Listing runs the whole app with resource
/// loading suppressed through a process-wide flag (leptos_server's
/// `SuppressResourceLoad`), and a resource first polled while that flag is up never
/// loads: a page another server in this process was rendering at that moment would hang
/// for good. Doing it once, before any server can answer, closes that window.
fn page_routes() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}

/// Session cookie: HttpOnly, SameSite=Lax; Secure with the `__Host-` prefix when the
/// site is served over https. The idle timeout is refreshed on every request.
fn session_layer(config: &Config, store: SqlSessionStore) -> SessionManagerLayer<SqlSessionStore> {
    let secure = config.public_url.starts_with("https://");
    let idle = tower_sessions::cookie::time::Duration::seconds(config.session_idle.as_secs() as i64);
    SessionManagerLayer::new(store)
        .with_name(if secure { "__Host-session" } else { "session" })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        // Save (and re-send the cookie) on every request, or the idle deadline would
        // never move past the last change to the session.
        .with_always_save(true)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining connections");
}
