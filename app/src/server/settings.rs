//! Account and security settings the server reads from its configuration.

use crate::accounts::validation::PasswordPolicy;

use super::rate_limit::RateLimit;

#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// Origin for links in emails, e.g. `https://example.com` (no trailing slash).
    pub public_url: String,
    pub password_policy: PasswordPolicy,
    /// Failed logins within `lockout_window_secs` that lock an account.
    pub lockout_max_failures: i64,
    pub lockout_window_secs: i64,
    pub lockout_secs: i64,
    /// Every auth server function, per client IP.
    pub auth_rate_limit: RateLimit,
    /// Forgot-password and resend-activation requests, per email address.
    pub email_rate_limit: RateLimit,
    /// A login session ends this long after login, active or not.
    pub session_absolute_secs: i64,
    /// Take the client IP from the last `X-Forwarded-For` entry (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Development conveniences such as the mail outbox page.
    pub development: bool,
    /// Whether an account must confirm its email address before it can log in. When
    /// false, a new account logs in at once and is reminded to confirm.
    pub login_requires_activation: bool,
}

impl AccountSettings {
    /// Defaults suitable for tests and development, with links to `public_url`.
    pub fn with_public_url(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into(),
            password_policy: PasswordPolicy::default(),
            lockout_max_failures: 5,
            lockout_window_secs: 15 * 60,
            lockout_secs: 15 * 60,
            auth_rate_limit: RateLimit { max_hits: 30, window_secs: 60 },
            email_rate_limit: RateLimit { max_hits: 3, window_secs: 3600 },
            session_absolute_secs: 7 * 24 * 3600,
            trust_forwarded_for: false,
            development: true,
            login_requires_activation: true,
        }
    }
}
