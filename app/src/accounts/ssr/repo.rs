//! All SQL for users, their settings and one-time account tokens. Functions take any
//! executor so a caller can run several of them in one transaction.

use sqlx::{AnyExecutor, FromRow};

use super::password::PasswordHash;
use crate::accounts::{validation::Email, CurrentUser, Role};
use crate::server::db::{Db, Tx};

/// A user row as the server needs it, hash included. Deliberately not `Serialize`.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub email: String,
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub phone_number: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub active: bool,
    pub email_verified_at: Option<i64>,
    pub password_hash: PasswordHash,
    pub session_epoch: i64,
    pub locked_until: Option<i64>,
    /// Access tokens issued (`iat`) at or before this unix second are refused; tokens
    /// signed after a revocation always carry a later `iat`.
    pub tokens_valid_after: i64,
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    username: String,
    email: String,
    name: Option<String>,
    full_name: Option<String>,
    phone_number: Option<String>,
    bio: Option<String>,
    avatar_url: Option<String>,
    role: String,
    active: i64,
    email_verified_at: Option<i64>,
    password_hash: String,
    session_epoch: i64,
    locked_until: Option<i64>,
    tokens_valid_after: i64,
}

impl From<UserRow> for UserRecord {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            email: row.email,
            name: row.name,
            full_name: row.full_name,
            phone_number: row.phone_number,
            bio: row.bio,
            avatar_url: row.avatar_url,
            // The CHECK constraint admits only known roles.
            role: Role::parse(&row.role).unwrap_or(Role::Client),
            active: row.active != 0,
            email_verified_at: row.email_verified_at,
            password_hash: PasswordHash::from_stored(row.password_hash),
            session_epoch: row.session_epoch,
            locked_until: row.locked_until,
            tokens_valid_after: row.tokens_valid_after,
        }
    }
}

impl UserRecord {
    pub fn to_current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.id.clone(),
            username: self.username.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            full_name: self.full_name.clone(),
            phone_number: self.phone_number.clone(),
            bio: self.bio.clone(),
            avatar_url: self.avatar_url.clone(),
            email_verified: self.email_verified_at.is_some(),
            role: self.role,
        }
    }

    /// Whether credentials of this user may be used: the account is active and, when
    /// the site requires it, its email address confirmed.
    pub fn may_sign_in(&self, login_requires_activation: bool) -> bool {
        self.active && (self.email_verified_at.is_some() || !login_requires_activation)
    }
}

// sqlx's Any driver cannot decode SQLite booleans, so `active` is read as 0/1.
const USER_COLUMNS: &str = "id, username, email, name, full_name, phone_number, bio, avatar_url, role, \
     CASE WHEN active THEN 1 ELSE 0 END AS active, \
     email_verified_at, password_hash, session_epoch, locked_until, tokens_valid_after";

pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub password_hash: &'a PasswordHash,
    pub now: i64,
}

/// Inserts the user and their settings; run inside a transaction so neither exists alone.
pub async fn insert_user(tx: &mut Tx, user: &NewUser<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, username, email, name, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(user.id)
    .bind(user.username)
    .bind(user.email)
    .bind(user.name)
    .bind(user.password_hash.as_str())
    .bind(user.now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO user_settings (user_id, updated_at) VALUES ($1, $2)")
        .bind(user.id)
        .bind(user.now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn find_by_id<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql).bind(id).fetch_optional(db).await?;
    Ok(row.map(Into::into))
}

/// Finds a user by username or email, case-insensitively.
pub async fn find_by_login<'e>(db: impl AnyExecutor<'e>, login: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    // Lower-cased here, not with SQL lower() on the argument: SQLite's folds only ASCII,
    // and emails are stored lower-cased by Rust's rules (so lower(email) = email, and
    // the unique indexes on lower(...) serve the lookup).
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = $1 OR lower(email) = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql).bind(login.trim().to_lowercase()).fetch_optional(db).await?;
    Ok(row.map(Into::into))
}

pub async fn find_by_email<'e>(db: impl AnyExecutor<'e>, email: &Email) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(db).await?;
    Ok(row.map(Into::into))
}

/// Which of username and email are already taken (case-insensitively).
pub async fn taken<'e>(db: impl AnyExecutor<'e>, username: &str, email: &str) -> Result<(bool, bool), sqlx::Error> {
    let (username_taken, email_taken): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE lower(username) = lower($1)), \
           (SELECT COUNT(*) FROM users WHERE lower(email) = lower($2))",
    )
    .bind(username)
    .bind(email)
    .fetch_one(db)
    .await?;
    Ok((username_taken > 0, email_taken > 0))
}

/// Which of a new username and email another account already holds.
pub async fn taken_by_others<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<(bool, bool), sqlx::Error> {
    let (username_taken, email_taken): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE lower(username) = lower($2) AND id <> $1), \
           (SELECT COUNT(*) FROM users WHERE lower(email) = lower($3) AND id <> $1)",
    )
    .bind(user_id)
    .bind(username.unwrap_or_default())
    .bind(email.unwrap_or_default())
    .fetch_one(db)
    .await?;
    Ok((username.is_some() && username_taken > 0, email.is_some() && email_taken > 0))
}

/// Sets a new username and/or email (the unique indexes arbitrate races).
pub async fn update_identity<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    username: Option<&str>,
    email: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET username = COALESCE($2, username), email = COALESCE($3, email), updated_at = $4 WHERE id = $1")
        .bind(user_id)
        .bind(username)
        .bind(email)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets (`Some`) or leaves alone (`None`) the bio and avatar; `Some(None)` clears.
pub async fn update_public_profile<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    bio: Option<Option<String>>,
    avatar_url: Option<Option<String>>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET bio = CASE WHEN $2 = 1 THEN $3 ELSE bio END, \
           avatar_url = CASE WHEN $4 = 1 THEN $5 ELSE avatar_url END, updated_at = $6 WHERE id = $1",
    )
    .bind(user_id)
    .bind(i64::from(bio.is_some()))
    .bind(bio.flatten())
    .bind(i64::from(avatar_url.is_some()))
    .bind(avatar_url.flatten())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn mark_verified<'e>(db: impl AnyExecutor<'e>, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email_verified_at = $2, updated_at = $2 WHERE id = $1 AND email_verified_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Stores a new hash and bumps the session epoch, so sessions from before stop working.
/// Returns the new epoch.
pub async fn set_password<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    hash: &PasswordHash,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (epoch,): (i64,) = sqlx::query_as(
        "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, failed_logins = 0, \
         failed_window_start = NULL, locked_until = NULL, updated_at = $3 WHERE id = $1 RETURNING session_epoch",
    )
    .bind(user_id)
    .bind(hash.as_str())
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok(epoch)
}

/// Replaces a hash with outdated parameters without touching sessions.
pub async fn upgrade_hash<'e>(db: impl AnyExecutor<'e>, user_id: &str, hash: &PasswordHash) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(hash.as_str())
        .execute(db)
        .await?;
    Ok(())
}

pub struct ProfileUpdate<'a> {
    pub name: Option<&'a str>,
    pub full_name: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub bio: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
}

pub async fn update_profile<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    profile: &ProfileUpdate<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = $2, full_name = $3, phone_number = $4, bio = $5, avatar_url = $6, updated_at = $7 \
         WHERE id = $1",
    )
    .bind(user_id)
    .bind(profile.name)
    .bind(profile.full_name)
    .bind(profile.phone_number)
    .bind(profile.bio)
    .bind(profile.avatar_url)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the account and everything that is only its own (settings, tokens, posts
/// cascade); what it left in others' places (comments, likes) is tidied first.
pub async fn delete_user(db: &Db, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    crate::blog::ssr::repo::forget_user(&mut tx, user_id, now * 1000).await?;
    sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
    tx.commit().await
}

/// The user's email preferences.
pub async fn notify_on_comment<'e>(db: impl AnyExecutor<'e>, user_id: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT CASE WHEN notify_on_comment THEN 1 ELSE 0 END FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.is_none_or(|(on,)| on != 0))
}

pub async fn set_notify_on_comment<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    on: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE user_settings SET notify_on_comment = $2, updated_at = $3 WHERE user_id = $1")
        .bind(user_id)
        .bind(on)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// What counting a failed login did to the account.
#[derive(Debug, PartialEq, Eq)]
pub enum FailedLogin {
    Counted,
    /// This failure reached the limit and locked the account (exactly one caller sees it).
    JustLocked,
    /// The account was already locked (a concurrent request locked it first).
    AlreadyLocked,
}

/// Counts a failed login inside the lockout window and locks the account once
/// `max_failures` is reached. Every statement is conditional on the account not being
/// locked, so parallel guesses cannot count past a lock or lock it twice.
pub async fn record_failed_login(
    db: &sqlx::AnyPool,
    user_id: &str,
    now: i64,
    window_secs: i64,
    max_failures: i64,
    lock_secs: i64,
) -> Result<FailedLogin, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET \
           failed_logins = CASE WHEN failed_window_start IS NULL OR failed_window_start <= $2 - $3 \
                                THEN 1 ELSE failed_logins + 1 END, \
           failed_window_start = CASE WHEN failed_window_start IS NULL OR failed_window_start <= $2 - $3 \
                                      THEN $2 ELSE failed_window_start END \
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins",
    )
    .bind(user_id)
    .bind(now)
    .bind(window_secs)
    .fetch_optional(db)
    .await?;
    let Some((failures,)) = counted else { return Ok(FailedLogin::AlreadyLocked) };
    if failures < max_failures {
        return Ok(FailedLogin::Counted);
    }
    let locked = sqlx::query(
        "UPDATE users SET locked_until = $3, failed_logins = 0, failed_window_start = NULL \
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(user_id)
    .bind(now)
    .bind(now + lock_secs)
    .execute(db)
    .await?;
    Ok(if locked.rows_affected() == 1 { FailedLogin::JustLocked } else { FailedLogin::AlreadyLocked })
}

/// Resets the failure count after a correct password, unless a concurrent request
/// locked the account meanwhile; false means it is locked.
pub async fn clear_failed_logins<'e>(db: impl AnyExecutor<'e>, user_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE users SET failed_logins = 0, failed_window_start = NULL, locked_until = NULL \
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn insert_token<'e>(
    db: impl AnyExecutor<'e>,
    jti: &str,
    user_id: &str,
    purpose: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_tokens (jti, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(jti)
    .bind(user_id)
    .bind(purpose)
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a token used; false when it was unknown, already used, revoked or expired.
/// The single UPDATE makes "exactly once" hold across processes.
pub async fn consume_token<'e>(
    db: impl AnyExecutor<'e>,
    jti: &str,
    purpose: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE account_tokens SET used_at = $3 \
         WHERE jti = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(jti)
    .bind(purpose)
    .bind(now)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Revokes every unused account token (activation and reset links) and every API
/// credential of a user (after a password change or reset, or deactivation).
pub async fn revoke_tokens(tx: &mut Tx, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    revoke_tokens_except(tx, user_id, None, now).await
}

/// Like [`revoke_tokens`], but the API token presented as `keep_token` (the key, not
/// its digest) stays valid: the client that changed the password stays signed in.
pub async fn revoke_tokens_except(
    tx: &mut Tx,
    user_id: &str,
    keep_token: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    revoke_credentials(tx, user_id, keep_token, now).await
}

/// Ends every API credential of a user: API tokens, refresh tokens, and the access
/// tokens issued up to `now` (through the user's cutoff).
pub async fn revoke_api_credentials(tx: &mut Tx, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    revoke_credentials(tx, user_id, None, now).await
}

async fn revoke_credentials(tx: &mut Tx, user_id: &str, keep_token: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    // No stored digest is empty, so '' keeps nothing.
    let keep = keep_token.map(super::api_tokens::digest).unwrap_or_default();
    sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND token_hash <> $3")
        .bind(user_id)
        .bind(now)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE users SET tokens_valid_after = $2 WHERE id = $1")
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
