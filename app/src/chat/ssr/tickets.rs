//! Single-use, short-lived tickets for `?token=` on the socket address. A URL can end up
//! in logs and histories, so it may carry only this (or a short-lived access JWT), never
//! a long-lived API token. Only a digest is stored.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::repo;
use crate::{error::AppError, server::AppState};

const PREFIX: &str = "cpw_";
pub const TTL_MS: i64 = 60_000;

fn digest(ticket: &str) -> String {
    Sha256::digest(ticket.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn looks_like_ticket(token: &str) -> bool {
    token.starts_with(PREFIX) && token.len() < 100
}

/// A new ticket for `user_id`, valid once within a minute.
pub async fn issue(state: &AppState, user_id: &str, now_ms: i64) -> Result<String, AppError> {
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    let ticket = format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key));
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
