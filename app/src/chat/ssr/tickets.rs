//! Single-use, short-lived tickets for `?token=` on the socket address. A URL can end up
//! in logs and histories, so it may carry only this (or a short-lived access JWT), never
//! a long-lived API token. Only a digest is stored.

use super::repo;
use crate::{
    accounts::ssr::api_tokens::{digest, new_secret},
    error::AppError,
    server::AppState,
};

const PREFIX: &str = "cpw_";
pub const TTL_MS: i64 = 60_000;

pub fn looks_like_ticket(token: &str) -> bool {
    token.starts_with(PREFIX) && token.len() < 100
}

/// A new ticket for `user_id`, valid once within a minute.
pub async fn issue(state: &AppState, user_id: &str, now_ms: i64) -> Result<String, AppError> {
    let ticket = new_secret(PREFIX);
    repo::insert_ticket(state.db.pool(), &digest(&ticket), user_id, now_ms + TTL_MS).await?;
    Ok(ticket)
}

/// The user a ticket was issued to, spending it; `None` for an unknown, used or
/// expired ticket.
pub async fn redeem(state: &AppState, ticket: &str, now_ms: i64) -> Result<Option<String>, AppError> {
    if !looks_like_ticket(ticket) {
        return Ok(None);
    }
    Ok(repo::use_ticket(state.db.pool(), &digest(ticket), now_ms).await?)
}
