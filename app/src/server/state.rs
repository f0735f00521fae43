use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::Notify;

use super::{metrics::Metrics, AccountSettings, Db};
use crate::accounts::ssr::{jwt::ApiJwt, password::Passwords, tokens::AccountTokens};
use crate::blog::ssr::Blog;
use crate::chat::ssr::hub::Hub;
use crate::docs::model::ApiReference;
use crate::uploads::ssr::Uploads;

/// Everything a request handler or server function may need, cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub accounts: Arc<AccountSettings>,
    pub passwords: Passwords,
    pub tokens: AccountTokens,
    pub jwt: ApiJwt,
    /// Wakes the mail worker after something was queued.
    pub mail_wake: Arc<Notify>,
    /// The `/docs/api` page's content, read from the generated OpenAPI description.
    pub api_reference: Arc<ApiReference>,
    pub blog: Blog,
    pub chat: Hub,
    pub uploads: Uploads,
    /// This instance's Prometheus metrics.
    pub metrics: Arc<Metrics>,
}
