//! Server functions behind the account pages, under the `/fn/accounts/` prefix (clear of
//! the JSON API's `/api`). Each is a thin door onto `ssr::service`.

use leptos::{
    server,
    server_fn::codec::{MultipartData, MultipartFormData},
};

use super::{validation::PasswordPolicy, ApiTokenInfo, CurrentUser, NewApiToken};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::ssr::{api_tokens, service, session},
    crate::server::{
        clock::now,
        request::{respond, RequestContext},
    },
    crate::uploads::{
        ssr::{
            form::{no_file, read_form},
            service::upload,
        },
        UploadKind,
    },
    secrecy::SecretString,
};

/// Where to go after login: only a same-site relative path is accepted.
pub fn safe_next(next: Option<&str>) -> String {
    const FALLBACK: &str = "/account";
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else { return FALLBACK.into() };
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if same_site {
        next.to_string()
    } else {
        FALLBACK.into()
    }
}

#[server(prefix = "/fn", endpoint = "accounts/current-user", output = crate::codec::Json)]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        Ok(ctx.user().await?.map(|u| u.to_current_user()))
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/password-policy", output = crate::codec::Json)]
pub async fn get_password_policy() -> Result<PasswordPolicy, AppError> {
    respond(async move { Ok(RequestContext::state()?.accounts.password_policy.clone()) }).await
}

#[server(prefix = "/fn", endpoint = "accounts/signup", output = crate::codec::Json)]
pub async fn signup(
    username: String,
    email: String,
    name: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        ctx.refuse_if_logged_in().await?;
        let input = service::SignupInput {
            username,
            email,
            name,
            password: SecretString::from(password),
            password_confirm: SecretString::from(password_confirm),
        };
        service::signup(&ctx.state, input, &ctx.client_ip).await?;
        leptos_axum::redirect("/signup/check-email");
        Ok(())
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActivationResult {
    Activated,
    AlreadyActive,
}

#[server(prefix = "/fn", endpoint = "accounts/activate", output = crate::codec::Json)]
pub async fn activate(token: String) -> Result<ActivationResult, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        Ok(match service::activate(&ctx.state, &token, &ctx.client_ip).await? {
            service::Activation::Activated => ActivationResult::Activated,
            service::Activation::AlreadyActive => ActivationResult::AlreadyActive,
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/resend-activation", output = crate::codec::Json)]
pub async fn resend_activation(email: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        service::resend_activation(&ctx.state, &email, &ctx.client_ip).await?;
        leptos_axum::redirect("/activation/resend?sent=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/login", output = crate::codec::Json)]
pub async fn login(login: String, password: String, next: Option<String>) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        service::login(&ctx.state, &ctx.session, &login, &SecretString::from(password), &ctx.client_ip).await?;
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/logout", output = crate::codec::Json)]
pub async fn logout() -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.user().await?;
        let session_id = ctx.session.id().map(|id| id.to_string());
        session::end(&ctx.session).await?;
        if let (Some(user), Some(session_id)) = (user, session_id) {
            ctx.state.chat.kick(&user.id, crate::chat::ssr::bus::KickScope::Session(session_id)).await;
        }
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/forgot-password", output = crate::codec::Json)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        service::forgot_password(&ctx.state, &email, &ctx.client_ip).await?;
        leptos_axum::redirect("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/reset-password", output = crate::codec::Json)]
pub async fn reset_password(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let (password, confirm) = (SecretString::from(password), SecretString::from(password_confirm));
        service::reset_password(&ctx.state, &token, &password, &confirm, &ctx.client_ip).await?;
        leptos_axum::redirect("/login?reset=done");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/update-profile", output = crate::codec::Json)]
pub async fn update_profile(
    name: String,
    full_name: String,
    phone_number: String,
    #[server(default)] bio: String,
    #[server(default)] avatar_url: String,
) -> Result<CurrentUser, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let input = service::ProfileInput { name, full_name, phone_number, bio, avatar_url };
        service::update_profile(&ctx.state, &user, input).await
    })
    .await
}

/// A new profile picture, `multipart/form-data` with the image as `avatar_file`: stored
/// as an avatar upload (centred squares) and shown at once; the picture it replaces is
/// deleted. A plain form posts here, so the browser is sent back to the account page.
#[server(prefix = "/fn", endpoint = "accounts/avatar", input = MultipartFormData, output = crate::codec::Json)]
pub async fn upload_avatar(data: MultipartData) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let multipart = data.into_inner().ok_or(AppError::Internal)?;
        let mut form = read_form(multipart, ctx.state.uploads.settings.max_bytes).await?;
        let file = form.take_file("avatar_file").ok_or_else(no_file)?;
        upload(&ctx.state, &user, UploadKind::Avatar, &file.name, file.bytes).await?;
        leptos_axum::redirect("/account?picture=updated#picture-title");
        Ok(())
    })
    .await
}

/// The user's email preferences.
#[server(prefix = "/fn", endpoint = "accounts/notification-settings", output = crate::codec::Json)]
pub async fn get_notifications() -> Result<bool, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::notify_on_comment(&ctx.state, &user).await
    })
    .await
}

/// Turns the "new comment on your post" email on or off (a checkbox: absent means off).
#[server(prefix = "/fn", endpoint = "accounts/notifications", output = crate::codec::Json)]
pub async fn set_notifications(#[server(default)] notify_on_comment: String) -> Result<bool, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let on = matches!(notify_on_comment.as_str(), "true" | "on" | "1");
        service::set_notify_on_comment(&ctx.state, &user, on).await?;
        Ok(on)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/change-password", output = crate::codec::Json)]
pub async fn change_password(old_password: String, password: String, password_confirm: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let (old, new, confirm) =
            (SecretString::from(old_password), SecretString::from(password), SecretString::from(password_confirm));
        let session = ctx.credential.is_none().then_some(&ctx.session);
        service::change_password(&ctx.state, session, &user, &old, &new, &confirm, &ctx.client_ip).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/delete-account", output = crate::codec::Json)]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::delete_account(&ctx.state, &ctx.session, &user, &SecretString::from(password), &ctx.client_ip).await?;
        leptos_axum::redirect("/?account=deleted");
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_accepts_only_same_site_relative_paths() {
        assert_eq!(safe_next(Some("/blog?page=2")), "/blog?page=2");
        for bad in ["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)", "blog", "/a\nb", ""] {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/account");
    }
}

#[server(prefix = "/fn", endpoint = "accounts/api-tokens", output = crate::codec::Json)]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenInfo>, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        api_tokens::list(&ctx.state, &user, now()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/create-api-token", output = crate::codec::Json)]
pub async fn create_api_token(name: String, expires_in_days: String) -> Result<NewApiToken, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        api_tokens::create(&ctx.state, &user, &name, &expires_in_days, api_tokens::Origin::Page, now()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "accounts/revoke-api-token", output = crate::codec::Json)]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        api_tokens::revoke(&ctx.state, &user, &id, now()).await
    })
    .await
}
