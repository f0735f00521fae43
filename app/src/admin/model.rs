use serde::{Deserialize, Serialize};

use crate::accounts::{CurrentUser, Role};

/// A user as administrators see them: the public profile plus account state (its JSON
/// keeps the profile's fields at the top level); never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedUser {
    #[serde(flatten)]
    pub profile: CurrentUser,
    pub active: bool,
    pub email_verified: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username, email or full name.
    pub q: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub users: Vec<ManagedUser>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatistics {
    pub total: i64,
    pub clients: i64,
    pub trainers: i64,
    pub admins: i64,
    pub inactive: i64,
    pub unverified: i64,
}

/// A partial update: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChanges {
    pub email: Option<String>,
    pub active: Option<bool>,
    pub phone_number: Option<String>,
    pub role: Option<Role>,
    pub password: Option<String>,
    pub full_name: Option<String>,
}
