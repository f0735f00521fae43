//! The account rules. Server functions (and later the JSON API) call these, so each
//! rule has one implementation whichever door a request comes through.

use secrecy::{ExposeSecret, SecretString};

use crate::chat::ssr::bus::KickScope;
use tower_sessions::Session;

use super::{
    mails,
    password::Verified,
    repo::{self, FailedLogin, NewUser, ProfileUpdate, UserRecord},
    session,
    tokens::{Purpose, TokenError},
};
use crate::{
    accounts::{
        validation::{
            check_confirmation, AvatarUrl, Bio, DisplayName, Email, FieldErrors, FullName, PhoneNumber, Username,
            EMAIL_TAKEN, USERNAME_TAKEN,
        },
        CurrentUser,
    },
    error::AppError,
    server::{
        clock::now,
        db::{unique_violation, RecordId},
        metrics::LoginOutcome,
        rate_limit, AppState,
    },
};

pub struct SignupInput {
    pub username: String,
    pub email: String,
    pub name: String,
    pub password: SecretString,
    pub password_confirm: SecretString,
}

/// Creates an inactive account and queues its activation email.
pub async fn signup(state: &AppState, input: SignupInput, client_ip: &str) -> Result<(), AppError> {
    rate_limit_ip(state, client_ip).await?;
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&input.username));
    let email = errors.check("email", Email::parse(&input.email));
    let name = errors.check("name", DisplayName::parse_optional(&input.name));
    let personal = [input.username.as_str(), email.as_ref().map_or("", |e| e.local_part())];
    errors.extend("password", password_problems(state, input.password.expose_secret(), &personal).await);
    errors.extend(
        "password_confirm",
        check_confirmation(input.password.expose_secret(), input.password_confirm.expose_secret()),
    );
    let keep = [("username", input.username.as_str()), ("email", input.email.as_str()), ("name", input.name.as_str())];
    let (Some(username), Some(email), Some(name)) = (username, email, name) else {
        return Err(AppError::invalid(errors).with_values(keep));
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).with_values(keep));
    }
    let (username_taken, email_taken) = repo::taken(state.db.pool(), username.as_str(), email.as_str()).await?;
    if username_taken || email_taken {
        return Err(taken_error(username_taken, email_taken).with_values(keep));
    }

    let hash = state.passwords.hash(&input.password).await?;
    let now = now();
    let user_id: String = RecordId::new().into();
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        let new_user = NewUser {
            id: &user_id,
            username: username.as_str(),
            email: email.as_str(),
            name: name.as_ref().map(DisplayName::as_str),
            password_hash: &hash,
            now,
        };
        repo::insert_user(&mut tx, &new_user).await?;
        let greeting = name.as_ref().map_or(username.as_str(), DisplayName::as_str);
        let recipient = Recipient { user_id: &user_id, email: email.as_str(), greeting };
        mail_one_time_link(&mut tx, state, &recipient, Purpose::Activate, None, now).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => {
            state.mail_wake.notify_one();
            tracing::info!(user_id, "account created");
            Ok(())
        }
        // The unique indexes are the arbiter when two signups race.
        Err(error) => match unique_violation(&error) {
            Some(index) => Err(taken_error(index.contains("username"), index.contains("email")).with_values(keep)),
            None => Err(error.into()),
        },
    }
}

fn taken_error(username: bool, email: bool) -> AppError {
    let mut errors = FieldErrors::new();
    if username {
        errors.add("username", USERNAME_TAKEN);
    }
    if email {
        errors.add("email", EMAIL_TAKEN);
    }
    AppError::invalid(errors)
}

/// Policy rules plus the server-only strength estimate.
/// The strength estimate is CPU work (milliseconds for a long password), so it runs off
/// the async workers, and only once the cheap rules pass.
pub async fn password_problems(state: &AppState, password: &str, personal: &[&str]) -> Vec<String> {
    let policy = &state.accounts.password_policy;
    let mut problems = policy.check(password, personal);
    if problems.is_empty() {
        let min_strength = policy.min_strength;
        let password = password.to_string();
        let inputs: Vec<String> = personal.iter().filter(|s| !s.is_empty()).map(|s| s.to_string()).collect();
        let weakness = tokio::task::spawn_blocking(move || {
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let estimate = zxcvbn::zxcvbn(&password, &inputs);
            (u8::from(estimate.score()) < min_strength).then(|| {
                let hint = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
                format!("is too easy to guess{hint}; use a longer mix of unrelated words")
            })
        })
        .await;
        match weakness {
            Ok(Some(problem)) => problems.push(problem),
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "password strength task failed");
                problems.push("could not be checked; please try again".into());
            }
        }
    }
    problems
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Activated,
    AlreadyActive,
}

pub async fn activate(state: &AppState, token: &str, client_ip: &str) -> Result<Activation, AppError> {
    rate_limit_ip(state, client_ip).await?;
    let claims = state.tokens.verify(token, Purpose::Activate).map_err(|e| match e {
        TokenError::Expired => {
            AppError::Unauthorized("This activation link has expired. Ask for a new one below.".into())
        }
        TokenError::Invalid => {
            AppError::Unauthorized("This activation link is not valid. Ask for a new one below.".into())
        }
    })?;
    let user = repo::find_by_id(state.db.pool(), &claims.sub)
        .await?
        .ok_or_else(|| AppError::Unauthorized("This activation link is not valid. Ask for a new one below.".into()))?;
    if user.email_verified_at.is_some() {
        return Ok(Activation::AlreadyActive);
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    if !repo::consume_token(&mut *tx, &claims.jti, Purpose::Activate.as_str(), now).await? {
        return Err(AppError::Unauthorized(
            "This activation link has already been used. Ask for a new one below.".into(),
        ));
    }
    repo::mark_verified(&mut *tx, &user.id, now).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "account activated");
    Ok(Activation::Activated)
}

/// Same answer whether or not the address exists or is active; the work that differs
/// runs after the response.
pub async fn resend_activation(state: &AppState, email: &str, client_ip: &str) -> Result<(), AppError> {
    rate_limit_ip(state, client_ip).await?;
    let email = parse_email_field(email)?;
    rate_limit::hit(state.db.pool(), &format!("resend:{}", email.as_str()), state.accounts.email_rate_limit, now())
        .await?;
    let state = state.clone();
    crate::server::spawn(async move {
        if let Err(error) = send_activation_if_pending(&state, &email).await {
            tracing::error!(?error, "resend activation failed");
        }
    });
    Ok(())
}

async fn send_activation_if_pending(state: &AppState, email: &Email) -> Result<(), AppError> {
    let Some(user) = repo::find_by_email(state.db.pool(), email).await? else { return Ok(()) };
    if user.email_verified_at.is_some() || !user.active {
        return Ok(());
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let recipient = Recipient { user_id: &user.id, email: &user.email, greeting: greeting(&user) };
    mail_one_time_link(&mut tx, state, &recipient, Purpose::Activate, None, now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Verifies credentials and binds the session to the user.
pub async fn login(
    state: &AppState,
    session: &Session,
    login: &str,
    password: &SecretString,
    client_ip: &str,
) -> Result<CurrentUser, AppError> {
    rate_limit_ip(state, client_ip).await?;
    let mut errors = FieldErrors::new();
    if login.trim().is_empty() {
        errors.add("login", "is required");
    }
    if password.expose_secret().is_empty() {
        errors.add("password", "is required");
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).with_values([("login", login)]));
    }
    let user = authenticate(state, login, password).await?;
    session::start(session, &user, now()).await?;
    tracing::info!(user_id = %user.id, "logged in");
    Ok(user.to_current_user())
}

const MAX_LOGIN_PASSWORD_BYTES: usize = 4096;

/// Checks credentials, lockout and account state, counting failures. Unknown users
/// cost one dummy hash verification, like known ones.
pub async fn authenticate(state: &AppState, login: &str, password: &SecretString) -> Result<UserRecord, AppError> {
    // No stored password is longer than the policy allows; refusing absurd input before
    // hashing keeps a megabyte "password" from costing a megabyte of argon2 work.
    // Nothing stored contains control characters (and PostgreSQL refuses NUL outright).
    if password.expose_secret().len() > MAX_LOGIN_PASSWORD_BYTES
        || login.chars().count() > 254
        || login.chars().any(char::is_control)
    {
        state.metrics.login(LoginOutcome::failure);
        return Err(AppError::BadCredentials { login: login.chars().filter(|c| !c.is_control()).take(254).collect() });
    }
    let user = repo::find_by_login(state.db.pool(), login).await?;
    let verified = state.passwords.verify(password, user.as_ref().map(|u| &u.password_hash)).await?;
    let now = now();
    let bad_credentials = || {
        state.metrics.login(LoginOutcome::failure);
        AppError::BadCredentials { login: login.to_string() }
    };
    let Some(user) = user else { return Err(bad_credentials()) };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(locked_error(state, until - now));
    }
    let Verified::Yes { rehash } = verified else {
        let settings = &state.accounts;
        let outcome = repo::record_failed_login(
            state.db.pool(),
            &user.id,
            now,
            settings.lockout_window_secs,
            settings.lockout_max_failures,
            settings.lockout_secs,
        )
        .await?;
        return Err(match outcome {
            FailedLogin::Counted => bad_credentials(),
            FailedLogin::JustLocked => {
                tracing::warn!(user_id = %user.id, "account locked after repeated failed logins");
                mails::locked(state.db.pool(), state, &user.email, greeting(&user), settings.lockout_secs, now).await?;
                state.mail_wake.notify_one();
                locked_error(state, settings.lockout_secs)
            }
            FailedLogin::AlreadyLocked => locked_error(state, settings.lockout_secs),
        });
    };
    if !user.active {
        return Err(AppError::Forbidden("This account has been deactivated.".into()));
    }
    if user.email_verified_at.is_none() && state.accounts.login_requires_activation {
        return Err(AppError::NotActivated);
    }
    // A parallel wrong guess may have locked the account while this one was verifying.
    if !repo::clear_failed_logins(state.db.pool(), &user.id, now).await? {
        return Err(locked_error(state, state.accounts.lockout_secs));
    }
    if rehash {
        let upgraded = state.passwords.hash(password).await?;
        repo::upgrade_hash(state.db.pool(), &user.id, &upgraded).await?;
        tracing::info!(user_id = %user.id, "password hash upgraded to current parameters");
    }
    state.metrics.login(LoginOutcome::success);
    Ok(user)
}

fn locked_error(state: &AppState, retry_after_secs: i64) -> AppError {
    state.metrics.login(LoginOutcome::lockout);
    AppError::Forbidden(format!(
        "This account is locked after too many failed logins. Try again in {}, or reset your password.",
        crate::error::human_duration(retry_after_secs.max(1) as u64)
    ))
}

/// Same answer, in the same time, whether or not the address has an account.
pub async fn forgot_password(state: &AppState, email: &str, client_ip: &str) -> Result<(), AppError> {
    rate_limit_ip(state, client_ip).await?;
    let email = parse_email_field(email)?;
    rate_limit::hit(state.db.pool(), &format!("forgot:{}", email.as_str()), state.accounts.email_rate_limit, now())
        .await?;
    let state = state.clone();
    crate::server::spawn(async move {
        if let Err(error) = send_reset_if_known(&state, &email).await {
            tracing::error!(?error, "password reset mail failed");
        }
    });
    Ok(())
}

async fn send_reset_if_known(state: &AppState, email: &Email) -> Result<(), AppError> {
    let Some(user) = repo::find_by_email(state.db.pool(), email).await? else { return Ok(()) };
    if !user.active {
        return Ok(());
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let recipient = Recipient { user_id: &user.id, email: &user.email, greeting: greeting(&user) };
    mail_one_time_link(&mut tx, state, &recipient, Purpose::Reset, Some(&user.password_hash), now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}

const RESET_LINK_INVALID: &str = "This reset link is not valid any more. Ask for a new one.";

/// Sets a new password from a reset link; every session and token of the user dies.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &SecretString,
    password_confirm: &SecretString,
    client_ip: &str,
) -> Result<(), AppError> {
    rate_limit_ip(state, client_ip).await?;
    let claims = state.tokens.verify(token, Purpose::Reset).map_err(|e| match e {
        TokenError::Expired => AppError::Unauthorized("This reset link has expired. Ask for a new one.".into()),
        TokenError::Invalid => AppError::Unauthorized(RESET_LINK_INVALID.into()),
    })?;
    let user = repo::find_by_id(state.db.pool(), &claims.sub)
        .await?
        .filter(|user| user.active && state.tokens.matches_password(&claims, &user.password_hash))
        .ok_or_else(|| AppError::Unauthorized(RESET_LINK_INVALID.into()))?;
    check_new_password(state, &user, password, password_confirm).await?;
    let hash = state.passwords.hash(password).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    if !repo::consume_token(&mut *tx, &claims.jti, Purpose::Reset.as_str(), now).await? {
        return Err(AppError::Unauthorized(RESET_LINK_INVALID.into()));
    }
    repo::set_password(&mut *tx, &user.id, &hash, now).await?;
    repo::mark_verified(&mut *tx, &user.id, now).await?;
    repo::revoke_tokens(&mut tx, &user.id, now).await?;
    mails::password_changed(&mut *tx, state, &user.email, greeting(&user), now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    state.chat.kick(&user.id, KickScope::All).await;
    tracing::info!(user_id = %user.id, "password reset");
    Ok(())
}

async fn check_new_password(
    state: &AppState,
    user: &UserRecord,
    password: &SecretString,
    password_confirm: &SecretString,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&user.email).ok();
    let personal = [user.username.as_str(), email.as_ref().map_or("", |e| e.local_part())];
    errors.extend("password", password_problems(state, password.expose_secret(), &personal).await);
    errors.extend("password_confirm", check_confirmation(password.expose_secret(), password_confirm.expose_secret()));
    errors.into_result().map_err(AppError::invalid)
}

pub struct ProfileInput {
    pub name: String,
    pub full_name: String,
    pub phone_number: String,
    pub bio: String,
    pub avatar_url: String,
}

pub async fn update_profile(state: &AppState, user: &UserRecord, input: ProfileInput) -> Result<CurrentUser, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", DisplayName::parse_optional(&input.name));
    let full_name = errors.check("full_name", FullName::parse_optional(&input.full_name));
    let phone = errors.check("phone_number", PhoneNumber::parse_optional(&input.phone_number));
    let bio = errors.check("bio", Bio::parse_optional(&input.bio));
    let avatar = errors.check("avatar_url", AvatarUrl::parse_optional(&input.avatar_url));
    let (Some(name), Some(full_name), Some(phone), Some(bio), Some(avatar)) = (name, full_name, phone, bio, avatar)
    else {
        let keep = [
            ("name", input.name.as_str()),
            ("full_name", input.full_name.as_str()),
            ("phone_number", input.phone_number.as_str()),
            ("bio", input.bio.as_str()),
            ("avatar_url", input.avatar_url.as_str()),
        ];
        return Err(AppError::invalid(errors).with_values(keep));
    };
    let update = ProfileUpdate {
        name: name.as_ref().map(DisplayName::as_str),
        full_name: full_name.as_ref().map(FullName::as_str),
        phone_number: phone.as_ref().map(PhoneNumber::as_str),
        bio: bio.as_ref().map(Bio::as_str),
        avatar_url: avatar.as_ref().map(AvatarUrl::as_str),
    };
    repo::update_profile(state.db.pool(), &user.id, &update, now()).await?;
    let updated = repo::find_by_id(state.db.pool(), &user.id).await?.ok_or(AppError::Internal)?;
    Ok(updated.to_current_user())
}

/// Changes the password after checking the old one; other sessions end, and `session`
/// (the caller's browser session, if the request came with one) continues under a new id.
pub async fn change_password(
    state: &AppState,
    session: Option<&Session>,
    user: &UserRecord,
    old_password: &SecretString,
    password: &SecretString,
    password_confirm: &SecretString,
    client_ip: &str,
) -> Result<(), AppError> {
    let wrong_password = current_password_problem(state, user, old_password, client_ip).await?;
    let mut errors = match check_new_password(state, user, password, password_confirm).await {
        Ok(()) => FieldErrors::new(),
        Err(error) => error.field_errors(),
    };
    errors.extend("old_password", wrong_password.map(String::from));
    errors.into_result().map_err(AppError::invalid)?;
    let hash = state.passwords.hash(password).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let epoch = repo::set_password(&mut *tx, &user.id, &hash, now).await?;
    repo::revoke_tokens(&mut tx, &user.id, now).await?;
    mails::password_changed(&mut *tx, state, &user.email, greeting(user), now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    if let Some(session) = session {
        session::renew(session, epoch).await?;
    }
    state.chat.kick(&user.id, KickScope::All).await;
    tracing::info!(user_id = %user.id, "password changed");
    Ok(())
}

/// Deletes the account (settings and tokens cascade) after checking the password.
pub async fn delete_account(
    state: &AppState,
    session: &Session,
    user: &UserRecord,
    password: &SecretString,
    client_ip: &str,
) -> Result<(), AppError> {
    if let Some(problem) = current_password_problem(state, user, password, client_ip).await? {
        let mut errors = FieldErrors::new();
        errors.add("password", problem);
        return Err(AppError::invalid(errors));
    }
    repo::delete_user(&state.db, &user.id, now()).await?;
    session::end(session).await?;
    state.chat.kick(&user.id, KickScope::All).await;
    tracing::info!(user_id = %user.id, "account deleted");
    Ok(())
}

/// What is wrong with the password a signed-in user gave to confirm a sensitive change
/// (rate limited per client, like every password check).
pub async fn current_password_problem(
    state: &AppState,
    user: &UserRecord,
    password: &SecretString,
    client_ip: &str,
) -> Result<Option<&'static str>, AppError> {
    rate_limit_ip(state, client_ip).await?;
    let verified = state.passwords.verify(password, Some(&user.password_hash)).await?;
    Ok((verified == Verified::No).then_some("is not your current password"))
}

pub async fn rate_limit_ip(state: &AppState, client_ip: &str) -> Result<(), AppError> {
    rate_limit::hit(state.db.pool(), &format!("auth-ip:{client_ip}"), state.accounts.auth_rate_limit, now()).await
}

fn parse_email_field(raw: &str) -> Result<Email, AppError> {
    Email::parse(raw).map_err(|messages| {
        let mut errors = FieldErrors::new();
        errors.extend("email", messages);
        AppError::invalid(errors).with_values([("email", raw)])
    })
}

struct Recipient<'a> {
    user_id: &'a str,
    email: &'a str,
    greeting: &'a str,
}

/// Issues a one-time token, records its id and queues the email carrying its link, all
/// in the caller's transaction.
async fn mail_one_time_link(
    tx: &mut crate::server::db::Tx,
    state: &AppState,
    to: &Recipient<'_>,
    purpose: Purpose,
    bound_to: Option<&super::password::PasswordHash>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let token = state.tokens.issue(purpose, to.user_id, bound_to, now);
    repo::insert_token(&mut **tx, &token.jti, to.user_id, purpose.as_str(), token.expires_at, now).await?;
    match purpose {
        Purpose::Activate => mails::activation(&mut **tx, state, to.email, to.greeting, &token.token, now).await,
        Purpose::Reset => mails::reset(&mut **tx, state, to.email, to.greeting, &token.token, now).await,
    }
}

pub(crate) fn greeting(user: &UserRecord) -> &str {
    user.name.as_deref().unwrap_or(&user.username)
}

/// A partial change of one's own account (the RealWorld API's `PUT /user`): `None`
/// leaves a field alone; `Some(None)` clears a bio or avatar.
#[derive(Default)]
pub struct AccountUpdate {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<SecretString>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
}

/// Applies an [`AccountUpdate`]. A new password ends every session and API credential
/// of the user except the API token `keep_token` that made the request (as the browser
/// keeps the session that changed it); the user is told of a new password, and the old
/// address of a new email. A username or email another account holds is refused with
/// the field named.
pub async fn update_account(
    state: &AppState,
    user: &UserRecord,
    changes: AccountUpdate,
    keep_token: Option<&str>,
) -> Result<UserRecord, AppError> {
    let mut errors = FieldErrors::new();
    let username = changes.username.as_deref().map(|raw| errors.check("username", Username::parse(raw)));
    let email = changes.email.as_deref().map(|raw| errors.check("email", Email::parse(raw)));
    let bio = changes.bio.as_ref().map(|raw| errors.check("bio", Bio::parse_optional(raw.as_deref().unwrap_or(""))));
    let avatar = changes
        .avatar_url
        .as_ref()
        .map(|raw| errors.check("image", AvatarUrl::parse_optional(raw.as_deref().unwrap_or(""))));
    if let Some(password) = &changes.password {
        let personal = [user.username.as_str(), user.email.split('@').next().unwrap_or_default()];
        errors.extend("password", password_problems(state, password.expose_secret(), &personal).await);
    }
    errors.into_result().map_err(AppError::invalid)?;
    let username = username.flatten().filter(|u| u.as_str() != user.username);
    let email = email.flatten().filter(|e| e.as_str() != user.email);
    let (username_taken, email_taken) = repo::taken_by_others(
        state.db.pool(),
        &user.id,
        username.as_ref().map(Username::as_str),
        email.as_ref().map(Email::as_str),
    )
    .await?;
    if username_taken || email_taken {
        return Err(taken_error(username_taken, email_taken));
    }
    let hash = match &changes.password {
        Some(password) => Some(state.passwords.hash(password).await?),
        None => None,
    };
    let now = now();
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        repo::update_identity(
            &mut *tx,
            &user.id,
            username.as_ref().map(Username::as_str),
            email.as_ref().map(Email::as_str),
            now,
        )
        .await?;
        if bio.is_some() || avatar.is_some() {
            repo::update_public_profile(
                &mut *tx,
                &user.id,
                bio.flatten().map(|b| b.map(|b| b.as_str().to_string())),
                avatar.flatten().map(|a| a.map(|a| a.as_str().to_string())),
                now,
            )
            .await?;
        }
        if let Some(hash) = &hash {
            repo::set_password(&mut *tx, &user.id, hash, now).await?;
            repo::revoke_tokens_except(&mut tx, &user.id, keep_token, now).await?;
            mails::password_changed(&mut *tx, state, &user.email, greeting(user), now).await?;
        }
        if let Some(new_email) = &email {
            mails::email_changed(&mut *tx, &user.email, greeting(user), new_email.as_str(), now).await?;
        }
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => {}
        Err(error) => match unique_violation(&error) {
            Some(index) => return Err(taken_error(index.contains("username"), index.contains("email"))),
            None => return Err(error.into()),
        },
    }
    if hash.is_some() || email.is_some() {
        state.mail_wake.notify_one();
    }
    if hash.is_some() {
        state.chat.kick(&user.id, KickScope::All).await;
    }
    repo::find_by_id(state.db.pool(), &user.id).await?.ok_or(AppError::Internal)
}

pub async fn notify_on_comment(state: &AppState, user: &UserRecord) -> Result<bool, AppError> {
    Ok(repo::notify_on_comment(state.db.pool(), &user.id).await?)
}

pub async fn set_notify_on_comment(state: &AppState, user: &UserRecord, on: bool) -> Result<(), AppError> {
    Ok(repo::set_notify_on_comment(state.db.pool(), &user.id, on, now()).await?)
}
