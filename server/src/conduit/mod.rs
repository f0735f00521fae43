//! The blog's JSON API in the shape of the public RealWorld ("Conduit") spec, under
//! `/conduit/api`, so any RealWorld frontend works against it. Handlers are doors onto
//! the same blog and account services the pages use; this module only translates
//! shapes, status codes and error bodies (`{"errors": {"<field>": ["<message>"]}}`).
//! Credentials are our own: `Authorization: Token <API token>` (or a JWT as `Bearer`).

mod articles;
mod error;
mod extract;
mod profiles;
mod shapes;
mod users;

use app::server::AppState;
use axum::routing::any;
use utoipa_axum::router::OpenApiRouter;

pub use error::{conduit_errors, ConduitError};

pub const PREFIX: &str = "/conduit/api";
pub const TAG: &str = "RealWorld (Conduit)";

/// Every RealWorld route, plus the extensions (sort, views, bookmarks, drafts, search).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(users::router())
        .merge(profiles::router())
        .merge(articles::router())
        .route(PREFIX, any(error::unknown_endpoint))
        .route(&format!("{PREFIX}/"), any(error::unknown_endpoint))
        .route(&format!("{PREFIX}/{{*rest}}"), any(error::unknown_endpoint))
}
