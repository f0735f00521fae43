//! The server function behind `/docs/api`.

use leptos::server;

use super::model::ApiReference;
use crate::error::AppError;

/// The API reference, read once at startup from the generated OpenAPI description.
#[server(prefix = "/fn", endpoint = "docs/api", output = crate::codec::Json)]
pub async fn get_api_reference() -> Result<ApiReference, AppError> {
    crate::server::request::respond(async move {
        let state = crate::server::request::RequestContext::state()?;
        Ok(state.api_reference.as_ref().clone())
    })
    .await
}
