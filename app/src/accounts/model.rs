//! Account types that cross the wire. None of them carries a password hash.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Client,
    Trainer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Trainer => "trainer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "client" => Some(Self::Client),
            "trainer" => Some(Self::Trainer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The signed-in user as the UI sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub phone_number: Option<String>,
    pub role: Role,
}

impl CurrentUser {
    /// What the header shows: the display name when set, else the username.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.username)
    }
}
