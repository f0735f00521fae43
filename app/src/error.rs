//! The error every server function returns. It crosses the wire as JSON, so the UI can
//! show field-level messages; internal causes are logged on the server and never sent.

use std::collections::BTreeMap;

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::accounts::validation::FieldErrors;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input broke one or more rules. `values` echoes the non-secret inputs so a form
    /// submitted without JavaScript can be shown again with nothing lost.
    #[error("Please correct the highlighted fields.")]
    Invalid { fields: FieldErrors, values: BTreeMap<String, String> },
    /// Wrong password or unknown user (deliberately the same); `login` is echoed back
    /// so the form keeps what was typed.
    #[error("Incorrect username, email or password.")]
    BadCredentials { login: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("Your account is not activated yet. Follow the link in the activation email, or ask for a new one.")]
    NotActivated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please try again in {}.", human_duration(*retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the function (network, decoding).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(fields: FieldErrors) -> Self {
        Self::Invalid { fields, values: BTreeMap::new() }
    }

    /// Field errors to show next to inputs, empty for other kinds of error.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            Self::Invalid { fields, .. } => fields.clone(),
            _ => FieldErrors::default(),
        }
    }

    /// A previously submitted non-secret value, to refill a form.
    pub fn value(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid { values, .. } => values.get(field).cloned(),
            Self::BadCredentials { login } if field == "login" => Some(login.clone()),
            _ => None,
        }
    }

    /// The refusal a form posted without JavaScript to `S` left in the address (what
    /// `ServerAction` reads for the functions it can call; a multipart function has none).
    pub fn left_in_address<S: leptos::server_fn::ServerFn>() -> Option<Self> {
        leptos::prelude::use_context::<leptos::server::ServerActionError>()
            .filter(|error| error.path() == S::PATH)
            .map(|error| leptos::server_fn::error::ServerFnUrlError::<Self>::decode_err(error.err()))
    }

    pub fn with_values<'a>(self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        match self {
            Self::Invalid { fields, mut values } => {
                values.extend(pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
                Self::Invalid { fields, values }
            }
            other => other,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

/// "1 minute", "2 hours", "45 seconds": for retry hints.
pub fn human_duration(secs: u64) -> String {
    let (value, unit) = if secs >= 3600 {
        (secs.div_ceil(3600), "hour")
    } else if secs >= 60 {
        (secs.div_ceil(60), "minute")
    } else {
        (secs.max(1), "second")
    };
    format!("{value} {unit}{}", if value == 1 { "" } else { "s" })
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            // Every write checks what it refers to first, so a broken reference means a
            // concurrent request deleted it in between: the caller's to retry, not ours.
            if crate::server::db::is_foreign_key_violation(&error) {
                tracing::info!(%error, "a write lost a race with a delete");
                return Self::Conflict("Something this refers to was deleted meanwhile; reload and try again.".into());
            }
            tracing::error!(%error, "database error");
            Self::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_hint_rounds_up_to_a_readable_unit() {
        assert_eq!(human_duration(0), "1 second");
        assert_eq!(human_duration(45), "45 seconds");
        assert_eq!(human_duration(61), "2 minutes");
        assert_eq!(human_duration(900), "15 minutes");
        assert_eq!(human_duration(3600), "1 hour");
    }

    #[test]
    fn rate_limited_message_says_when_to_retry() {
        let error = AppError::RateLimited { retry_after_secs: 120 };
        assert_eq!(error.to_string(), "Too many attempts. Please try again in 2 minutes.");
    }
}
