//! Opaque API tokens: 256 random bits, shown once, stored as a SHA-256 digest (a fast
//! hash is enough for keys this long), revocable, optionally expiring.

use base64::Engine as _;
use sqlx::FromRow;

use super::repo::{self, UserRecord};
use crate::{
    accounts::{
        model::{ApiTokenInfo, NewApiToken},
        validation::FieldErrors,
    },
    error::AppError,
    server::{db::RecordId, AppState},
};

const PREFIX: &str = "cpt_";
pub const NAME_MAX: usize = 64;
pub const MAX_EXPIRY_DAYS: i64 = 3650;
/// A user may hold this many live tokens.
pub const MAX_TOKENS_PER_USER: i64 = 50;

/// Where a token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named by its owner on the account page; past the limit, creating one is refused.
    Page,
    /// A password login through the API; past the limit, it replaces the user's least
    /// recently used login token, so a script that logs in on every run keeps working.
    Login,
}

pub(crate) fn digest(token: &str) -> String {
    crate::server::sha256_hex(token.as_bytes())
}

/// A new secret: `prefix` and 32 random bytes, base64url.
pub(crate) fn new_secret(prefix: &str) -> String {
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key))
}

#[derive(FromRow)]
struct TokenRow {
    id: String,
    name: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl From<TokenRow> for ApiTokenInfo {
    fn from(row: TokenRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// Creates a token for `user`; `expires_in_days` blank means it does not expire.
pub async fn create(
    state: &AppState,
    user: &UserRecord,
    name: &str,
    expires_in_days: &str,
    origin: Origin,
    now: i64,
) -> Result<NewApiToken, AppError> {
    let mut errors = FieldErrors::new();
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "is required");
    } else if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.add("name", format!("must be at most {NAME_MAX} characters, without control characters"));
    }
    let expires_at = match expires_in_days.trim() {
        "" => None,
        days => match days.parse::<i64>() {
            Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Some(now + days * 86_400),
            _ => {
                errors.add(
                    "expires_in_days",
                    format!("must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}, or blank"),
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).with_values([("name", name), ("expires_in_days", expires_in_days)]));
    }
    if live_count(state, user, now).await? >= MAX_TOKENS_PER_USER
        && !(origin == Origin::Login && replace_least_recent_login(state, user, now).await?)
    {
        return Err(AppError::Conflict(format!("You already have {MAX_TOKENS_PER_USER} tokens; revoke one first.")));
    }

    let token = new_secret(PREFIX);
    let info = ApiTokenInfo {
        id: RecordId::new().into(),
        name: name.to_string(),
        created_at: now,
        expires_at,
        last_used_at: None,
    };
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, from_login) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&info.id)
    .bind(&user.id)
    .bind(&info.name)
    .bind(digest(&token))
    .bind(now)
    .bind(expires_at)
    .bind(origin == Origin::Login)
    .execute(state.db.pool())
    .await?;
    tracing::info!(user_id = %user.id, token_id = %info.id, ?origin, "API token created");
    Ok(NewApiToken { token, info })
}

async fn live_count(state: &AppState, user: &UserRecord, now: i64) -> Result<i64, AppError> {
    let (live,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(&user.id)
    .bind(now)
    .fetch_one(state.db.pool())
    .await?;
    Ok(live)
}

/// Revokes the live login token the user has gone longest without using; false when
/// they hold none.
async fn replace_least_recent_login(state: &AppState, user: &UserRecord, now: i64) -> Result<bool, AppError> {
    let result = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = (\
           SELECT id FROM api_tokens \
           WHERE user_id = $1 AND from_login = TRUE AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
           ORDER BY COALESCE(last_used_at, created_at), created_at, id LIMIT 1)",
    )
    .bind(&user.id)
    .bind(now)
    .execute(state.db.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The user's live tokens, newest first.
pub async fn list(state: &AppState, user: &UserRecord, now: i64) -> Result<Vec<ApiTokenInfo>, AppError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens \
         WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
         ORDER BY created_at DESC, id",
    )
    .bind(&user.id)
    .bind(now)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Revokes one of the user's own tokens.
pub async fn revoke(state: &AppState, user: &UserRecord, token_id: &str, now: i64) -> Result<(), AppError> {
    let not_found = || AppError::NotFound("No such token.".into());
    let token_id = RecordId::parse(token_id).ok_or_else(not_found)?;
    let result =
        sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(token_id.as_str())
            .bind(&user.id)
            .bind(now)
            .execute(state.db.pool())
            .await?;
    if result.rows_affected() == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Revokes the token presented (logging that client out); false when it was not live.
pub async fn revoke_presented(state: &AppState, token: &str, now: i64) -> Result<bool, AppError> {
    let result = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(digest(token))
        .bind(now)
        .execute(state.db.pool())
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The user a presented token belongs to, if the token is live and the account usable;
/// records when it was last used.
pub async fn authenticate(state: &AppState, token: &str, now: i64) -> Result<Option<UserRecord>, AppError> {
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    let found: Option<(String, String)> = sqlx::query_as(
        "UPDATE api_tokens SET last_used_at = $2 \
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
         RETURNING id, user_id",
    )
    .bind(digest(token))
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
    let Some((_, user_id)) = found else { return Ok(None) };
    let user = repo::find_by_id(state.db.pool(), &user_id).await?;
    Ok(user.filter(|u| u.may_sign_in(state.accounts.login_requires_activation)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_hex_sha256() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
