//! The account emails: what each says and where its link points.

use sqlx::AnyExecutor;

use crate::{
    error::human_duration,
    server::{
        mail::{enqueue, Action, Message},
        AppState,
    },
};

/// In development the link is also logged, so a newcomer without a mail setup can
/// follow it. Never in production: links carry one-time tokens.
fn log_link_in_development(state: &AppState, to: &str, url: &str) {
    if state.accounts.development {
        tracing::info!(recipient = to, link = url, "development: account link");
    }
}

pub async fn activation<'e>(
    db: impl AnyExecutor<'e>,
    state: &AppState,
    to: &str,
    name: &str,
    token: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let hours = state.tokens.activation_ttl.as_secs().max(1);
    let url = format!("{}/activate?token={token}", state.accounts.public_url);
    log_link_in_development(state, to, &url);
    let message = Message {
        subject: "Activate your account".into(),
        greeting_name: name.into(),
        paragraphs: vec!["Thanks for signing up. Please confirm your email address to activate your account.".into()],
        action: Some(Action { label: "Activate your account".into(), url }),
        note: Some(format!(
            "The link works once and expires in {}. If you did not sign up, ignore this email.",
            human_duration(hours)
        )),
    };
    enqueue(db, to, &message, now).await
}

pub async fn reset<'e>(
    db: impl AnyExecutor<'e>,
    state: &AppState,
    to: &str,
    name: &str,
    token: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let url = format!("{}/reset-password?token={token}", state.accounts.public_url);
    log_link_in_development(state, to, &url);
    let message = Message {
        subject: "Reset your password".into(),
        greeting_name: name.into(),
        paragraphs: vec!["Someone asked to reset the password of your account. If it was you, choose a new password:".into()],
        action: Some(Action { label: "Choose a new password".into(), url }),
        note: Some(format!(
            "The link works once and expires in {}. If you did not ask for this, ignore this email: your password stays as it is.",
            human_duration(state.tokens.reset_ttl.as_secs())
        )),
    };
    enqueue(db, to, &message, now).await
}

pub async fn password_changed<'e>(
    db: impl AnyExecutor<'e>,
    state: &AppState,
    to: &str,
    name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let message = Message {
        subject: "Your password was changed".into(),
        greeting_name: name.into(),
        paragraphs: vec![
            "The password of your account was just changed, and every other session was signed out.".into()
        ],
        action: Some(Action {
            label: "Not you? Reset your password".into(),
            url: format!("{}/forgot-password", state.accounts.public_url),
        }),
        note: None,
    };
    enqueue(db, to, &message, now).await
}

/// Sent to the old address when an account's email changes, so a takeover cannot pass
/// unnoticed.
pub async fn email_changed<'e>(
    db: impl AnyExecutor<'e>,
    to: &str,
    name: &str,
    new_email: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let message = Message {
        subject: "Your email address was changed".into(),
        greeting_name: name.into(),
        paragraphs: vec![format!(
            "The email address of your account was just changed to {new_email}. \
             Emails about your account now go there, not here."
        )],
        action: None,
        note: Some(
            "If you did not make this change, contact us right away: someone else may have your password.".into(),
        ),
    };
    enqueue(db, to, &message, now).await
}

pub async fn locked<'e>(
    db: impl AnyExecutor<'e>,
    state: &AppState,
    to: &str,
    name: &str,
    lock_secs: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let message = Message {
        subject: "Your account was locked".into(),
        greeting_name: name.into(),
        paragraphs: vec![format!(
            "After several failed login attempts your account is locked for {}. \
             If that was not you, someone may be guessing your password.",
            human_duration(lock_secs.max(1) as u64)
        )],
        action: Some(Action {
            label: "Reset your password".into(),
            url: format!("{}/forgot-password", state.accounts.public_url),
        }),
        note: Some("A reset works even while the account is locked.".into()),
    };
    enqueue(db, to, &message, now).await
}
