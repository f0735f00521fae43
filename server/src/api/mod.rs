//! The JSON API for non-browser clients, under `/api`. Handlers are thin doors onto the
//! same account services the pages' server functions call.

mod accounts;
mod auth;
mod error;
mod extract;
mod users;

use app::{error::AppError, server::AppState};
use axum::Router;

pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(accounts::router())
        .merge(users::router())
        .route("/api/{*rest}", axum::routing::any(not_found))
}

/// Unknown API paths answer JSON too, not the HTML 404 page.
async fn not_found() -> ApiError {
    AppError::NotFound("There is no such API endpoint.".into()).into()
}
