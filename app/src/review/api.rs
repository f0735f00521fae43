//! Server functions behind the review pages, under `/fn/review/`: thin doors onto
//! `ssr::service`. Every form works without JavaScript: a plain form post returns to the
//! page it came from (submitting and withdrawing go to the post's review page).

use leptos::server;

use super::model::{ReviewItem, ReviewPage, ReviewQueue, ReviewSettings};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::ssr::service::{self, Verdict},
    crate::server::request::{respond, RequestContext},
};

#[cfg(feature = "ssr")]
fn back_to(post_id: &str) {
    leptos_axum::redirect(&format!("/review/{post_id}"));
}

#[server(prefix = "/fn", endpoint = "review/queue", output = crate::codec::Json)]
pub async fn get_review_queue() -> Result<ReviewQueue, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::queue(&ctx.state, &user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "review/page", output = crate::codec::Json)]
pub async fn get_review_page(post_id: String) -> Result<ReviewPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::page(&ctx.state, &user, &post_id).await
    })
    .await
}

/// Submits the post as last saved (the editor's "Submit for review" saves first).
#[server(prefix = "/fn", endpoint = "review/submit", output = crate::codec::Json)]
pub async fn submit_for_review(post_id: String, #[server(default)] note: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::submit(&ctx.state, &user, &post_id, &note).await?;
        back_to(&post_id);
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "review/withdraw", output = crate::codec::Json)]
pub async fn withdraw_from_review(post_id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::withdraw(&ctx.state, &user, &post_id).await?;
        back_to(&post_id);
        Ok(())
    })
    .await
}

/// A reviewer adds a correction to the review they are writing.
#[server(prefix = "/fn", endpoint = "review/items/add", output = crate::codec::Json)]
pub async fn add_review_item(
    post_id: String,
    #[server(default)] target: String,
    #[server(default)] quote: String,
    // For an attachment: the upload id of the file the correction is about.
    #[server(default)] file: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::add_item(&ctx.state, &user, &post_id, &target, &quote, &file, &note).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "review/items/remove", output = crate::codec::Json)]
pub async fn remove_review_item(item_id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::remove_item(&ctx.state, &user, &item_id).await
    })
    .await
}

/// The author marks a correction `fixed`, `answered` (with `answer`) or `open` again:
/// the item as it now stands.
#[server(prefix = "/fn", endpoint = "review/items/respond", output = crate::codec::Json)]
pub async fn respond_to_item(
    item_id: String,
    state: String,
    #[server(default)] answer: String,
) -> Result<ReviewItem, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::respond(&ctx.state, &user, &item_id, &state, &answer).await
    })
    .await
}

/// A reviewer's decision: `approve` (now, or at `publish_at`), `request_changes` (with
/// the drafted items and a `note` summarising them) or `reject` (`note` is the reason).
#[server(prefix = "/fn", endpoint = "review/decide", output = crate::codec::Json)]
pub async fn decide_review(
    post_id: String,
    decision: String,
    #[server(default)] publish_at: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let verdict = match decision.as_str() {
            "approve" => Verdict::Approve { publish_at: &publish_at },
            "request_changes" => Verdict::RequestChanges { summary: &note },
            "reject" => Verdict::Reject { reason: &note },
            _ => {
                let mut errors = crate::accounts::validation::FieldErrors::new();
                errors.add("decision", "must be one of approve, request_changes or reject");
                return Err(AppError::invalid(errors));
            }
        };
        service::decide(&ctx.state, &user, &post_id, verdict).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "review/settings", output = crate::codec::Json)]
pub async fn get_review_settings() -> Result<ReviewSettings, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        crate::admin::ssr::service::require_admin(&ctx.require_user().await?)?;
        service::settings(&ctx.state).await
    })
    .await
}

/// Administrators choose whose posts need review and which roles review besides them.
/// Checkbox fields: `review_client`, `review_trainer`, `reviewer_trainer`.
#[server(prefix = "/fn", endpoint = "review/settings/save", output = crate::codec::Json)]
pub async fn save_review_settings(
    #[server(default)] review_client: String,
    #[server(default)] review_trainer: String,
    #[server(default)] reviewer_trainer: String,
) -> Result<(), AppError> {
    use crate::accounts::Role;
    respond(async move {
        let ctx = RequestContext::load().await?;
        crate::admin::ssr::service::require_admin(&ctx.require_user().await?)?;
        let on = |raw: &str| matches!(raw, "true" | "on" | "1" | "yes");
        let required = [(Role::Client, &review_client), (Role::Trainer, &review_trainer)]
            .into_iter()
            .filter_map(|(role, raw)| on(raw).then_some(role))
            .collect();
        let reviewers = if on(&reviewer_trainer) { vec![Role::Trainer] } else { Vec::new() };
        service::set_settings(&ctx.state, &ReviewSettings { required, reviewers }).await?;
        leptos_axum::redirect("/review?settings=saved");
        Ok(())
    })
    .await
}
