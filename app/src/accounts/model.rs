//! Account types that cross the wire. None of them carries a password hash.

use serde::{Deserialize, Serialize};

/// What a user may do: `admin` manages users; `client` and `trainer` manage only themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// A user's profile as they themself see it (the signed-in user in the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: String,
    pub username: String,
    pub email: String,
    /// Display name; the username is shown when it is absent.
    pub name: Option<String>,
    pub full_name: Option<String>,
    /// International format, e.g. `+44 20 7946 0958`.
    pub phone_number: Option<String>,
    /// Shown on the author page, up to 500 characters.
    pub bio: Option<String>,
    /// An `https://` image shown beside the user's posts and comments.
    pub avatar_url: Option<String>,
    /// Whether the email address was confirmed (until then the UI reminds the user).
    pub email_verified: bool,
    pub role: Role,
}

impl CurrentUser {
    /// What the header shows: the display name when set, else the username.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.username)
    }
}

/// An API token as its owner sees it in the list: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A token just created: the key is in here, and nowhere else, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub token: String,
    pub info: ApiTokenInfo,
}

/// "2026-11-21 13:05 UTC" for a unix time in seconds; the same text on server and
/// browser, so hydration matches.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_266_300), "2026-11-21 13:05 UTC");
    }
}
