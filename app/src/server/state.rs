use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::Db;

/// Everything a request handler or server function may need, cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
}
