//! Who is calling (required or optional) and the JSON body, with RealWorld errors.

use app::{
    accounts::ssr::repo::UserRecord,
    error::AppError,
    server::{
        request::{authenticate, Credential},
        AppState,
    },
};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, OptionalFromRequestParts, Request},
    http::{request::Parts, StatusCode},
    Json,
};
use tower_sessions::Session;

use super::ConduitError;

/// The signed-in caller; 401 `{"errors": {"token": ["is missing"]}}` without one.
pub struct Caller {
    pub user: UserRecord,
    /// The key presented in `Authorization`, echoed back as the user's `token`.
    pub token: Option<String>,
    /// The key is an API token (`Authorization: Token`), which a password change made
    /// with it keeps alive.
    pub is_api_token: bool,
}

async fn caller(parts: &mut Parts, state: &AppState) -> Result<Option<Caller>, ConduitError> {
    let session = Session::from_request_parts(parts, state).await.map_err(|(_, message)| {
        tracing::error!(message, "session unavailable");
        ConduitError::from(AppError::Internal)
    })?;
    let credential = Credential::from_headers(&parts.headers);
    let user = authenticate(state, credential.as_ref(), &session).await?;
    let token = match &credential {
        Some(Credential::Token(key) | Credential::Bearer(key)) => Some(key.clone()),
        _ => None,
    };
    let is_api_token = matches!(credential, Some(Credential::Token(_)));
    match (user, credential) {
        (Some(user), _) => Ok(Some(Caller { user, token, is_api_token })),
        (None, Some(_)) => Err(ConduitError::new(StatusCode::UNAUTHORIZED, "token", "is invalid or expired")),
        (None, None) => Ok(None),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ConduitError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        caller(parts, state).await?.ok_or_else(ConduitError::missing_token)
    }
}

impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ConduitError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        caller(parts, state).await
    }
}

/// A JSON body whose rejections are RealWorld errors: 400 for malformed JSON, 422 for
/// a wrong shape, 415 for another content type.
pub struct ConduitJson<T>(pub T);

impl<T, S> FromRequest<S> for ConduitJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ConduitError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => {
                let status = match &rejection {
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                Err(ConduitError::new(status, "body", rejection.body_text()))
            }
        }
    }
}

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
