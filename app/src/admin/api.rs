//! Server functions behind `/admin/users`, under `/fn/admin/`. Every one checks the
//! caller's role on the server through `ssr::service`.

use leptos::server;

use super::model::{ManagedUser, UserFilter, UserPage, UserStatistics};
use crate::{accounts::Role, error::AppError};

#[cfg(feature = "ssr")]
use {
    super::{model::UserChanges, ssr::service},
    crate::server::request::{respond, RequestContext},
};

#[server(prefix = "/fn", endpoint = "admin/users", output = crate::codec::Json)]
pub async fn list_users(filter: UserFilter, offset: i64) -> Result<UserPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let actor = ctx.require_user().await?;
        service::list(&ctx.state, &actor, &filter, None, Some(offset)).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "admin/statistics", output = crate::codec::Json)]
pub async fn get_user_statistics() -> Result<UserStatistics, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let actor = ctx.require_user().await?;
        service::statistics(&ctx.state, &actor).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "admin/set-role", output = crate::codec::Json)]
pub async fn set_user_role(id: String, role: Role) -> Result<ManagedUser, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let actor = ctx.require_user().await?;
        service::update(&ctx.state, &actor, &id, UserChanges { role: Some(role), ..Default::default() }, &ctx.client_ip)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "admin/set-active", output = crate::codec::Json)]
pub async fn set_user_active(id: String, active: bool) -> Result<ManagedUser, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let actor = ctx.require_user().await?;
        service::update(
            &ctx.state,
            &actor,
            &id,
            UserChanges { active: Some(active), ..Default::default() },
            &ctx.client_ip,
        )
        .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "admin/delete-user", output = crate::codec::Json)]
pub async fn delete_user(id: String, confirm: Option<String>) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let actor = ctx.require_user().await?;
        if confirm.as_deref() != Some("yes") {
            let mut errors = crate::accounts::validation::FieldErrors::new();
            errors.add("confirm", "must be ticked to delete a user");
            return Err(AppError::invalid(errors));
        }
        service::delete(&ctx.state, &actor, &id).await
    })
    .await
}
