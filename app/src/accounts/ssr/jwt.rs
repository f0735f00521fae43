//! JWT access and refresh tokens for API clients. HS256 is pinned (no `none`, no
//! algorithm switching), `typ` keeps access and refresh tokens apart, and the key is
//! derived for this purpose only, so activation/reset tokens never verify here.
//! Refresh tokens rotate: each works once, and a reused one revokes its family.

use std::time::Duration;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::AnyExecutor;

use super::repo::{self, UserRecord};
use crate::chat::ssr::bus::KickScope;
use crate::{error::AppError, server::AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: TokenType,
}

#[derive(Clone)]
pub struct ApiJwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// A JWT access/refresh pair. Send the access token as `Authorization: Bearer <jwt>`; trade
/// the refresh token (once) for a new pair before the access token expires.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// Short-lived (`JWT_ACCESS_TTL_SECS`, default 15 minutes).
    pub access_token: String,
    /// Long-lived (`JWT_REFRESH_TTL_SECS`, default 7 days), works once.
    pub refresh_token: String,
}

impl ApiJwt {
    pub fn new(key: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            access_ttl,
            refresh_ttl,
        }
    }

    /// `iat` is never at or before the user's revocation cutoff: a token signed in the
    /// same second as a revocation, after it, carries the next second, so that the cutoff
    /// can refuse everything issued up to the revocation, that second included.
    fn sign(&self, user: &UserRecord, typ: TokenType, now: i64) -> (String, Claims) {
        let ttl = match typ {
            TokenType::Access => self.access_ttl,
            TokenType::Refresh => self.refresh_ttl,
        };
        let iat = now.max(user.tokens_valid_after + 1);
        let claims = Claims {
            sub: user.id.clone(),
            name: user.name.clone().unwrap_or_else(|| user.username.clone()),
            email: user.email.clone(),
            role: user.role.as_str().to_string(),
            exp: iat + ttl.as_secs() as i64,
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
            typ,
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 encoding cannot fail");
        (token, claims)
    }

    /// Signature, algorithm, expiry and type; nothing else.
    pub fn verify(&self, token: &str, typ: TokenType) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat", "jti"]);
        let claims = decode::<Claims>(token.trim(), &self.decoding, &validation).ok()?.claims;
        (claims.typ == typ).then_some(claims)
    }
}

/// A new access/refresh pair; the refresh token starts (or continues) `family`.
pub async fn issue_pair<'e>(
    db: impl AnyExecutor<'e>,
    state: &AppState,
    user: &UserRecord,
    family: Option<&str>,
    now: i64,
) -> Result<TokenPair, AppError> {
    let access_token = issue_access(state, user, now);
    let (refresh_token, claims) = state.jwt.sign(user, TokenType::Refresh, now);
    let family = family.map_or_else(|| claims.jti.clone(), str::to_string);
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, user_id, family_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&claims.jti)
    .bind(&user.id)
    .bind(&family)
    .bind(claims.exp)
    .bind(now)
    .execute(db)
    .await?;
    Ok(TokenPair { access_token, refresh_token })
}

/// An access token alone, for a login that hands out no refresh token.
pub fn issue_access(state: &AppState, user: &UserRecord, now: i64) -> String {
    state.jwt.sign(user, TokenType::Access, now).0
}

fn invalid_refresh() -> AppError {
    AppError::Unauthorized("The refresh token is not valid.".into())
}

/// Rotates a refresh token. A token presented twice is a sign of theft: its whole
/// family is revoked and the caller must log in again.
///
/// Spending the old token and storing its successor is one transaction, and a token is
/// spent only while no member of its family is revoked. So a refresh racing a reuse or a
/// logout either finishes first (and the revocation then covers its successor) or leaves
/// a successor whose family is already revoked, which never works.
pub async fn refresh(state: &AppState, refresh_token: &str, now: i64) -> Result<TokenPair, AppError> {
    let claims = state.jwt.verify(refresh_token, TokenType::Refresh).ok_or_else(invalid_refresh)?;
    let family: Option<(String,)> = sqlx::query_as("SELECT family_id FROM refresh_tokens WHERE jti = $1")
        .bind(&claims.jti)
        .fetch_optional(state.db.pool())
        .await?;
    let Some((family,)) = family else { return Err(invalid_refresh()) };
    let mut tx = state.db.begin().await?;
    let spent = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $2 \
         WHERE jti = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = $3 AND f.revoked_at IS NOT NULL)",
    )
    .bind(&claims.jti)
    .bind(now)
    .bind(&family)
    .execute(&mut *tx)
    .await?;
    if spent.rows_affected() != 1 {
        drop(tx);
        sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL")
            .bind(&family)
            .bind(now)
            .execute(state.db.pool())
            .await?;
        tracing::warn!(user_id = %claims.sub, "refresh token reused; its family is revoked");
        return Err(invalid_refresh());
    }
    let user = repo::find_by_id(&mut *tx, &claims.sub)
        .await?
        .filter(|u| u.may_sign_in(state.accounts.login_requires_activation))
        .ok_or_else(invalid_refresh)?;
    let pair = issue_pair(&mut *tx, state, &user, Some(&family), now).await?;
    tx.commit().await?;
    Ok(pair)
}

/// API logout with a live refresh token: the account is logged out of the API
/// everywhere (every refresh token and API token, and the access tokens issued so far).
/// False when the token was not live.
pub async fn logout(state: &AppState, refresh_token: &str, now: i64) -> Result<bool, AppError> {
    let Some(claims) = state.jwt.verify(refresh_token, TokenType::Refresh) else { return Ok(false) };
    let mut tx = state.db.begin().await?;
    let live: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM refresh_tokens WHERE jti = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(&claims.jti)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id,)) = live else { return Ok(false) };
    repo::revoke_api_credentials(&mut tx, &user_id, now).await?;
    tx.commit().await?;
    state.chat.kick(&user_id, KickScope::Tokens).await;
    tracing::info!(%user_id, "logged out of the API everywhere");
    Ok(true)
}

/// The user an access token speaks for, if it verifies and the account is usable.
pub async fn authenticate(state: &AppState, access_token: &str) -> Result<Option<UserRecord>, AppError> {
    let Some(claims) = state.jwt.verify(access_token, TokenType::Access) else { return Ok(None) };
    let user = repo::find_by_id(state.db.pool(), &claims.sub).await?;
    Ok(user.filter(|u| u.may_sign_in(state.accounts.login_requires_activation) && claims.iat > u.tokens_valid_after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{ssr::password::PasswordHash, Role};

    fn user(tokens_valid_after: i64) -> UserRecord {
        UserRecord {
            id: "u1".into(),
            username: "ada".into(),
            email: "ada@example.com".into(),
            name: None,
            full_name: None,
            phone_number: None,
            bio: None,
            avatar_url: None,
            role: Role::Client,
            active: true,
            email_verified_at: Some(1),
            password_hash: PasswordHash::from_stored("$argon2id$stored".into()),
            session_epoch: 0,
            locked_until: None,
            tokens_valid_after,
        }
    }

    fn jwt() -> ApiJwt {
        ApiJwt::new(&[7; 32], Duration::from_secs(900), Duration::from_secs(604_800))
    }

    #[test]
    fn tokens_signed_in_the_second_of_a_revocation_carry_the_next_second() {
        let now = 1_800_000_000;
        let (_, before) = jwt().sign(&user(0), TokenType::Access, now);
        assert_eq!((before.iat, before.exp), (now, now + 900), "no revocation: iat is now");
        let (token, after) = jwt().sign(&user(now), TokenType::Access, now);
        assert_eq!((after.iat, after.exp), (now + 1, now + 901), "revoked this second: iat is after the cutoff");
        assert_eq!(jwt().verify(&token, TokenType::Access).map(|c| c.iat), Some(now + 1));
        let (_, refresh) = jwt().sign(&user(now), TokenType::Refresh, now);
        assert_eq!(refresh.exp - refresh.iat, 604_800);
    }

    #[test]
    fn a_token_is_accepted_only_as_its_own_type() {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let (access, _) = jwt().sign(&user(0), TokenType::Access, now);
        let (refresh, _) = jwt().sign(&user(0), TokenType::Refresh, now);
        assert!(jwt().verify(&access, TokenType::Access).is_some());
        assert!(jwt().verify(&access, TokenType::Refresh).is_none());
        assert!(jwt().verify(&refresh, TokenType::Refresh).is_some());
        assert!(jwt().verify(&refresh, TokenType::Access).is_none());
    }
}
