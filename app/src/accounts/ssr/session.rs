//! The browser login session: which user it belongs to, the user's session epoch at
//! login (a password change bumps it, ending every older session) and when it began
//! (for the absolute timeout). Storage is tower-sessions in the database.

use tower_sessions::Session;

use super::repo::{self, UserRecord};
use crate::{error::AppError, server::AppState};

const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";
const LOGIN_AT: &str = "login_at";

fn store_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Internal
}

/// Binds the session to `user` under a fresh id (no session fixation).
pub async fn start(session: &Session, user: &UserRecord, now: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_error)?;
    session.insert(USER_ID, &user.id).await.map_err(store_error)?;
    session.insert(EPOCH, user.session_epoch).await.map_err(store_error)?;
    session.insert(LOGIN_AT, now).await.map_err(store_error)?;
    Ok(())
}

/// Keeps this session valid across a password change: new id, new epoch.
pub async fn renew(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_error)?;
    session.insert(EPOCH, epoch).await.map_err(store_error)?;
    Ok(())
}

/// Deletes the session from the store; its cookie is worthless afterwards.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_error)
}

/// The signed-in user, or `None`. A session whose user is gone, deactivated, whose
/// epoch is stale or that passed the absolute timeout is ended on the spot.
pub async fn current_user(state: &AppState, session: &Session, now: i64) -> Result<Option<UserRecord>, AppError> {
    let Some(user_id) = session.get::<String>(USER_ID).await.map_err(store_error)? else {
        return Ok(None);
    };
    let epoch = session.get::<i64>(EPOCH).await.map_err(store_error)?.unwrap_or(-1);
    let login_at = session.get::<i64>(LOGIN_AT).await.map_err(store_error)?.unwrap_or(0);
    let user = repo::find_by_id(state.db.pool(), &user_id).await?;
    let valid = user.as_ref().is_some_and(|user| {
        user.active && user.session_epoch == epoch && now - login_at <= state.accounts.session_absolute_secs
    });
    if !valid {
        end(session).await?;
        return Ok(None);
    }
    Ok(user)
}
