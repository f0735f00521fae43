use serde::{Deserialize, Serialize};

use crate::accounts::{CurrentUser, Role};

/// A user as administrators see them: the public profile plus account state (its JSON
/// keeps the profile's fields at the top level); never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ManagedUser {
    #[serde(flatten)]
    pub profile: CurrentUser,
    /// An inactive user cannot log in and has no sessions or tokens.
    pub active: bool,
    /// Whether the activation link was followed.
    pub email_verified: bool,
    /// Unix time (seconds).
    pub created_at: i64,
}

/// Longest search text over users, in characters (the form and the server agree).
pub const MAX_SEARCH: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username, email or full name.
    pub q: Option<String>,
}

/// One page of users, in creation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPage {
    /// How many users match the filters, across all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub users: Vec<ManagedUser>,
}

/// Counts over all users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserStatistics {
    pub total: i64,
    pub clients: i64,
    pub trainers: i64,
    pub admins: i64,
    /// Deactivated by an administrator.
    pub inactive: i64,
    /// Activation link not yet followed (cannot log in yet).
    pub unverified: i64,
}

/// A partial update: only the fields present change.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"role": "trainer", "phone_number": "+44 20 7946 0958"})))]
pub struct UserChanges {
    /// Changing your own email needs `old_password`; the old address is told.
    pub email: Option<String>,
    /// Admins only; `false` ends the user's sessions and tokens at once.
    pub active: Option<bool>,
    /// An empty string clears it.
    pub phone_number: Option<String>,
    /// Admins only.
    pub role: Option<Role>,
    /// Must meet the password policy; ends the user's sessions and tokens, and the user
    /// is told by email. Changing your own needs `old_password`.
    pub password: Option<String>,
    /// An empty string clears it.
    pub full_name: Option<String>,
    /// Your current password: required when you change your own email or password.
    pub old_password: Option<String>,
}

/// Passwords never reach a log through `{:?}`.
impl std::fmt::Debug for UserChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "[redacted]");
        f.debug_struct("UserChanges")
            .field("email", &self.email)
            .field("active", &self.active)
            .field("phone_number", &self.phone_number)
            .field("role", &self.role)
            .field("password", &redacted(&self.password))
            .field("full_name", &self.full_name)
            .field("old_password", &redacted(&self.old_password))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_passwords() {
        let changes = UserChanges {
            email: Some("ada@example.com".into()),
            password: Some("Plum-Orbit-Lantern-42!".into()),
            old_password: Some("Quartz-Meadow-Violin-77?".into()),
            ..Default::default()
        };
        let shown = format!("{changes:?}");
        assert!(shown.contains("ada@example.com"), "{shown}");
        assert!(!shown.contains("Plum") && !shown.contains("Quartz"), "{shown}");
        assert_eq!(shown.matches("[redacted]").count(), 2, "{shown}");
    }
}
