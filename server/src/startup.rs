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
    server::{mail, session_store::SqlSessionStore, AppState, Db},
    shell, App,
};
use axum::http::{header, HeaderValue};
use axum::{serve::ListenerExt, Router};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{config::Config, health, telemetry};

pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database).await?;
        db.migrate().await?;
        search::ensure_schema(db.pool(), db.engine()).await?;
        let sessions = SqlSessionStore::connect(&config.database).await?;
        let mail_wake = Arc::new(tokio::sync::Notify::new());
        mail::spawn_worker(db.clone(), config.mail.clone(), mail_wake.clone()).map_err(anyhow::Error::msg)?;
        crate::maintenance::spawn(db.clone(), sessions.clone());

        let api = crate::api::Api::new(&config.accounts.public_url);
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let blog =
            Blog::new(db.clone(), config.blog.clone(), derive_key(config.secret().as_bytes(), "views-v1"), cores);
        blog::scheduler::spawn(db.clone(), blog.settings.clone());
        let chat = Hub::new(db.clone(), Bus::for_db(&db, &config.database.url), Arc::new(config.chat.clone()));
        tokio::spawn(blog::refresh_stored(db.clone(), blog.settings.clone()));
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
        };
        let cache = crate::page_cache::PageCache::new(config.page_cache);
        let router = router(state, session_layer(&config, sessions), api.router, cache);
        let listener = TcpListener::bind(config.listen_addr).await?;
        Ok(Self { listener, router, db })
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
        // Pages stream in several small writes; without TCP_NODELAY, Nagle's algorithm and
        // the client's delayed ACK stall each response by ~40 ms.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "could not set TCP_NODELAY");
            }
        });
        let result = axum::serve(listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
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
) -> Router {
    let https = state.accounts.public_url.starts_with("https://");
    let routes = page_routes().to_vec();
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .merge(health::router(health::HealthState::new(state.db.clone())))
        .merge(crate::feeds::router())
        .merge(api)
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(crate::server_fns::bad_arguments_are_400))
        .layer(sessions)
        // Outside the session layer: a cached page for an anonymous reader needs none.
        .layer(axum::middleware::from_fn_with_state((cache, state.clone()), crate::page_cache::serve))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(telemetry::trace_layer())
                .layer(PropagateRequestIdLayer::x_request_id())
                // Forms and JSON bodies here are small; anything larger is refused (413).
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
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
                })),
        )
        .layer(axum::middleware::from_fn(crate::api::json_errors))
        .layer(axum::middleware::from_fn(crate::conduit::conduit_errors))
        .with_state(state)
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
