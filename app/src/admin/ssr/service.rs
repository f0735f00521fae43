//! The rules of user administration: admins may do everything to other users; anyone
//! may read and update their own record but never their own role or active flag.

use secrecy::{ExposeSecret, SecretString};

use super::repo;
use crate::{
    accounts::{
        ssr::{
            mails,
            repo::{self as accounts_repo, NewUser, UserRecord},
            service::{current_password_problem, greeting, password_problems},
        },
        validation::{Email, FieldErrors, FullName, PhoneNumber, Username, EMAIL_IN_USE, USERNAME_TAKEN},
        Role,
    },
    admin::model::{ManagedUser, UserChanges, UserFilter, UserPage, UserStatistics, MAX_SEARCH},
    error::AppError,
    server::{
        clock::now,
        db::{unique_violation, RecordId},
        AppState,
    },
};

pub const DEFAULT_PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 100;

pub fn require_admin(actor: &UserRecord) -> Result<(), AppError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only administrators may do that.".into()))
    }
}

fn not_found() -> AppError {
    AppError::NotFound("No such user.".into())
}

/// A user id from a request; a malformed one names nobody.
fn user_id(raw: &str) -> Result<RecordId, AppError> {
    RecordId::parse(raw).ok_or_else(not_found)
}

/// The rules for one page of users, whichever door the request came through: the same
/// messages for the API's query string and the admin page.
pub fn page_problems(filter: &UserFilter, limit: Option<i64>, offset: Option<i64>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if limit.is_some_and(|limit| !(1..=MAX_PAGE).contains(&limit)) {
        errors.add("limit", format!("must be from 1 to {MAX_PAGE}"));
    }
    if offset.is_some_and(|offset| offset < 0) {
        errors.add("offset", "must not be negative");
    }
    if let Some(q) = &filter.q {
        if q.chars().count() > MAX_SEARCH || q.chars().any(char::is_control) {
            errors.add("q", format!("must be at most {MAX_SEARCH} characters, without control characters"));
        }
    }
    errors
}

pub async fn list(
    state: &AppState,
    actor: &UserRecord,
    filter: &UserFilter,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<UserPage, AppError> {
    require_admin(actor)?;
    page_problems(filter, limit, offset).into_result().map_err(AppError::invalid)?;
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    let offset = offset.unwrap_or(0);
    let (total, users) = repo::list(state.db.pool(), filter, limit, offset).await?;
    Ok(UserPage { total, limit, offset, users })
}

pub async fn statistics(state: &AppState, actor: &UserRecord) -> Result<UserStatistics, AppError> {
    require_admin(actor)?;
    Ok(repo::statistics(state.db.pool()).await?)
}

pub async fn get(state: &AppState, actor: &UserRecord, id: &str) -> Result<ManagedUser, AppError> {
    if actor.id != id {
        require_admin(actor)?;
    }
    repo::find(state.db.pool(), user_id(id)?.as_str()).await?.ok_or_else(not_found)
}

pub struct NewManagedUser {
    pub username: String,
    pub email: String,
    pub password: SecretString,
    pub role: Option<Role>,
    pub full_name: Option<String>,
    pub phone_number: Option<String>,
}

/// An admin creates an account; it is active and verified at once.
pub async fn create(state: &AppState, actor: &UserRecord, input: NewManagedUser) -> Result<ManagedUser, AppError> {
    require_admin(actor)?;
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&input.username));
    let email = errors.check("email", Email::parse(&input.email));
    let full_name = errors.check("full_name", FullName::parse_optional(input.full_name.as_deref().unwrap_or_default()));
    let phone =
        errors.check("phone_number", PhoneNumber::parse_optional(input.phone_number.as_deref().unwrap_or_default()));
    let personal = [input.username.as_str(), email.as_ref().map_or("", |e| e.local_part())];
    errors.extend("password", password_problems(state, input.password.expose_secret(), &personal).await);
    let (Some(username), Some(email), Some(full_name), Some(phone)) = (username, email, full_name, phone) else {
        return Err(AppError::invalid(errors));
    };
    errors.into_result().map_err(AppError::invalid)?;
    let hash = state.passwords.hash(&input.password).await?;
    let now = now();
    let id: String = RecordId::new().into();
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        let new_user = NewUser {
            id: &id,
            username: username.as_str(),
            email: email.as_str(),
            name: None,
            password_hash: &hash,
            now,
        };
        accounts_repo::insert_user(&mut tx, &new_user).await?;
        accounts_repo::mark_verified(&mut *tx, &id, now).await?;
        repo::set_role(&mut *tx, &id, input.role.unwrap_or(Role::Client), now).await?;
        repo::set_contact(
            &mut *tx,
            &id,
            None,
            Some(phone.as_ref().map(PhoneNumber::as_str)),
            Some(full_name.as_ref().map(FullName::as_str)),
            now,
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(taken)?;
    tracing::info!(user_id = %id, by = %actor.id, "user created by an administrator");
    repo::find(state.db.pool(), &id).await?.ok_or(AppError::Internal)
}

fn taken(error: sqlx::Error) -> AppError {
    match unique_violation(&error) {
        Some(index) => {
            let mut errors = FieldErrors::new();
            if index.contains("username") {
                errors.add("username", USERNAME_TAKEN);
            } else {
                errors.add("email", EMAIL_IN_USE);
            }
            AppError::invalid(errors)
        }
        None => error.into(),
    }
}

/// Applies the fields present in `changes`. Deactivating a user or setting a password
/// ends their sessions and revokes their tokens. Users changing their own email or
/// password must give their current password, as on the account page: a stolen access
/// token alone cannot take the account over.
pub async fn update(
    state: &AppState,
    actor: &UserRecord,
    id: &str,
    changes: UserChanges,
    client_ip: &str,
) -> Result<ManagedUser, AppError> {
    let is_self = actor.id == id;
    if !is_self {
        require_admin(actor)?;
    } else if changes.role.is_some() || changes.active.is_some() {
        // Admins included: nobody locks themselves out; another admin must do it.
        return Err(AppError::Forbidden("You cannot change your own role or active flag.".into()));
    }
    let id = user_id(id)?;
    let id = id.as_str();
    let target = accounts_repo::find_by_id(state.db.pool(), id).await?.ok_or_else(not_found)?;
    let mut errors = FieldErrors::new();
    if is_self && (changes.email.is_some() || changes.password.is_some()) {
        let problem = match &changes.old_password {
            None => Some("is required to change your own email or password"),
            Some(old) => current_password_problem(state, &target, &SecretString::from(old.clone()), client_ip).await?,
        };
        errors.extend("old_password", problem.map(String::from));
    }
    let email = match &changes.email {
        Some(raw) => errors.check("email", Email::parse(raw)).map(Some),
        None => Some(None),
    };
    let phone = match &changes.phone_number {
        Some(raw) => errors.check("phone_number", PhoneNumber::parse_optional(raw)).map(Some),
        None => Some(None),
    };
    let full_name = match &changes.full_name {
        Some(raw) => errors.check("full_name", FullName::parse_optional(raw)).map(Some),
        None => Some(None),
    };
    if let Some(password) = &changes.password {
        let personal = [target.username.as_str(), target.email.split('@').next().unwrap_or_default()];
        errors.extend("password", password_problems(state, password, &personal).await);
    }
    let (Some(email), Some(phone), Some(full_name)) = (email, phone, full_name) else {
        return Err(AppError::invalid(errors));
    };
    errors.into_result().map_err(AppError::invalid)?;
    let hash = match &changes.password {
        Some(password) => Some(state.passwords.hash(&SecretString::from(password.clone())).await?),
        None => None,
    };
    let new_email = email.as_ref().map(Email::as_str).filter(|new| *new != target.email);

    let now = now();
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        repo::set_contact(
            &mut *tx,
            id,
            email.as_ref().map(Email::as_str),
            phone.as_ref().map(|p| p.as_ref().map(PhoneNumber::as_str)),
            full_name.as_ref().map(|f| f.as_ref().map(FullName::as_str)),
            now,
        )
        .await?;
        if let Some(role) = changes.role {
            repo::set_role(&mut *tx, id, role, now).await?;
        }
        if let Some(active) = changes.active {
            repo::set_active(&mut *tx, id, active, now).await?;
            if !active {
                accounts_repo::revoke_tokens(&mut tx, id, now).await?;
            }
        }
        if let Some(hash) = &hash {
            accounts_repo::set_password(&mut *tx, id, hash, now).await?;
            accounts_repo::revoke_tokens(&mut tx, id, now).await?;
            mails::password_changed(&mut *tx, state, &target.email, greeting(&target), now).await?;
        }
        if let Some(new_email) = new_email {
            mails::email_changed(&mut *tx, &target.email, greeting(&target), new_email, now).await?;
        }
        tx.commit().await
    }
    .await;
    match result {
        // Deleted by someone else meanwhile.
        Err(sqlx::Error::RowNotFound) => return Err(not_found()),
        other => other.map_err(taken)?,
    }
    if hash.is_some() || new_email.is_some() {
        state.mail_wake.notify_one();
    }
    if hash.is_some() || changes.active == Some(false) {
        state.chat.kick(id, crate::chat::ssr::bus::KickScope::All).await;
    }
    tracing::info!(user_id = %id, by = %actor.id, "user updated");
    repo::find(state.db.pool(), id).await?.ok_or_else(not_found)
}

/// Admins delete users; settings, tokens and sessions go with them.
pub async fn delete(state: &AppState, actor: &UserRecord, id: &str) -> Result<(), AppError> {
    require_admin(actor)?;
    if actor.id == id {
        return Err(AppError::Forbidden("Delete your own account from the account page.".into()));
    }
    let id = user_id(id)?;
    let id = id.as_str();
    if repo::find(state.db.pool(), id).await?.is_none() {
        return Err(not_found());
    }
    accounts_repo::delete_user(&state.db, id, now()).await?;
    state.chat.kick(id, crate::chat::ssr::bus::KickScope::All).await;
    tracing::info!(user_id = %id, by = %actor.id, "user deleted by an administrator");
    Ok(())
}
