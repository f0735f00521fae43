//! Input rules for accounts, shared by the browser (inline errors while typing) and the
//! server (the rules it enforces). Every parse reports all broken rules at once.
//! The password-strength estimate (zxcvbn) is server-only to keep the wasm small.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Messages per form field, in field order; empty when the input is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_default().push(message.into());
    }

    pub fn extend(&mut self, field: &str, messages: impl IntoIterator<Item = String>) {
        for message in messages {
            self.add(field, message);
        }
    }

    /// Records the outcome of a parse, returning the value when it was valid.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Vec<String>>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(messages) => {
                self.extend(field, messages);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// The message for a missing required value.
pub const REQUIRED: &str = "is required";
/// The messages for a username or email that another account holds.
pub const USERNAME_TAKEN: &str = "is already taken";
pub const EMAIL_TAKEN: &str = "is already registered; log in or reset your password";
pub const EMAIL_IN_USE: &str = "is already registered";

/// Whether a field message says the value belongs to another account.
pub fn is_taken(message: &str) -> bool {
    [USERNAME_TAKEN, EMAIL_TAKEN, EMAIL_IN_USE].contains(&message)
}

fn problems_to_result<T>(value: T, problems: Vec<String>) -> Result<T, Vec<String>> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 20;

/// 3–20 letters, digits, `_`, `.` or `-`. Compared case-insensitively for uniqueness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let value = raw.trim();
        let mut problems = Vec::new();
        if value.is_empty() {
            return Err(vec![REQUIRED.into()]);
        }
        let len = value.chars().count();
        if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
            problems.push(format!("must be {USERNAME_MIN} to {USERNAME_MAX} characters (has {len})"));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            problems.push("may contain only letters, digits, _ . and -".into());
        }
        problems_to_result(Self(value.to_string()), problems)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const EMAIL_MAX: usize = 254;

/// A syntactically valid address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(vec![REQUIRED.into()]);
        }
        let invalid = || vec!["must be a valid email address, like name@example.com".to_string()];
        if value.chars().count() > EMAIL_MAX {
            return Err(vec![format!("must be at most {EMAIL_MAX} characters")]);
        }
        let Some((local, domain)) = value.rsplit_once('@') else { return Err(invalid()) };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok {
            Ok(Self(value))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map(|(local, _)| local).unwrap_or(&self.0)
    }
}

pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 32;

/// An optional display name: absent when blank, otherwise 3–32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Vec<String>> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        Self::parse_bounded(value, NAME_MIN, NAME_MAX).map(|v| Some(Self(v)))
    }

    fn parse_bounded(value: &str, min: usize, max: usize) -> Result<String, Vec<String>> {
        let len = value.chars().count();
        let mut problems = Vec::new();
        if !(min..=max).contains(&len) {
            problems.push(format!("must be {min} to {max} characters (has {len})"));
        }
        if value.chars().any(char::is_control) {
            problems.push("must not contain control characters".into());
        }
        problems_to_result(value.to_string(), problems)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const FULL_NAME_MAX: usize = 100;

/// An optional full (legal) name: absent when blank, otherwise up to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullName(String);

impl FullName {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Vec<String>> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        DisplayName::parse_bounded(value, 1, FULL_NAME_MAX).map(|v| Some(Self(v)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional phone number: digits with an optional leading `+` and spaces, dashes,
/// dots or parentheses between them; 7 to 15 digits (E.164).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Vec<String>> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let body = value.strip_prefix('+').unwrap_or(value);
        let allowed = body.chars().all(|c| c.is_ascii_digit() || " -.()".contains(c));
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(7..=15).contains(&digits) {
            return Err(vec!["must be a phone number of 7 to 15 digits, like +44 20 7946 0958".into()]);
        }
        Ok(Some(Self(value.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const BIO_MAX: usize = 500;

/// An optional short biography: up to 500 characters, line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bio(String);

impl Bio {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Vec<String>> {
        let value = raw.replace("\r\n", "\n");
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let len = value.chars().count();
        let mut problems = Vec::new();
        if len > BIO_MAX {
            problems.push(format!("must be at most {BIO_MAX} characters (has {len})"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            problems.push("must not contain control characters".into());
        }
        problems_to_result(Some(Self(value.to_string())), problems)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const AVATAR_URL_MAX: usize = 2000;

/// An optional avatar image address: an absolute `https://` (or `http://`) URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarUrl(String);

impl AvatarUrl {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Vec<String>> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if is_uploaded_picture(value) {
            return Ok(Some(Self(value.to_string())));
        }
        let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let valid = value.chars().count() <= AVATAR_URL_MAX
            && host.is_some_and(|h| !h.is_empty() && h.contains('.') || h.starts_with("localhost"))
            && !value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
        if valid {
            Ok(Some(Self(value.to_string())))
        } else {
            Err(vec![format!(
                "must be an image address starting with https://, at most {AVATAR_URL_MAX} characters, or an uploaded picture (/files/…)"
            )])
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One of the site's own stored pictures: `/files/<sha256>.jpg` or `.png`.
fn is_uploaded_picture(value: &str) -> bool {
    value.strip_prefix("/files/").and_then(|name| name.split_once('.')).is_some_and(|(hash, extension)| {
        hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && matches!(extension, "jpg" | "png")
    })
}

/// The password rules; the server's configured policy is sent to the browser so both
/// check the same thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    /// Lowest accepted zxcvbn score (0–4); checked on the server only.
    pub min_strength: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_len: 8,
            max_len: 64,
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_symbol: true,
            min_strength: 3,
        }
    }
}

impl PasswordPolicy {
    /// Every rule `password` breaks that can be checked without the strength estimator.
    /// `personal` holds the username and email local part it must not contain.
    pub fn check(&self, password: &str, personal: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        if password.is_empty() {
            return vec![REQUIRED.into()];
        }
        let len = password.chars().count();
        if len < self.min_len {
            problems.push(format!("must be at least {} characters (has {len})", self.min_len));
        }
        if len > self.max_len {
            problems.push(format!("must be at most {} characters (has {len})", self.max_len));
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            problems.push("must contain a lowercase letter".into());
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            problems.push("must contain an uppercase letter".into());
        }
        if self.require_digit && !password.chars().any(|c| c.is_ascii_digit()) {
            problems.push("must contain a digit".into());
        }
        if self.require_symbol && !password.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace()) {
            problems.push("must contain a symbol such as ! ? # or %".into());
        }
        let lowered = password.to_lowercase();
        for part in personal.iter().map(|p| p.trim().to_lowercase()).filter(|p| p.chars().count() >= 3) {
            if lowered.contains(&part) {
                problems.push("must not contain your username or email name".into());
                break;
            }
        }
        problems
    }
}

/// The confirmation must be present and equal to the password.
pub fn check_confirmation(password: &str, confirm: &str) -> Vec<String> {
    if confirm.is_empty() {
        vec!["please repeat the password".into()]
    } else if confirm != password {
        vec!["does not match the password".into()]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_accepts_letters_digits_and_separators() {
        assert_eq!(Username::parse("  ada.l_0-v ").unwrap().as_str(), "ada.l_0-v");
    }

    #[test]
    fn username_rejects_too_short_too_long_and_bad_characters_together() {
        assert_eq!(Username::parse("ab").unwrap_err(), ["must be 3 to 20 characters (has 2)"]);
        assert_eq!(Username::parse(&"a".repeat(21)).unwrap_err(), ["must be 3 to 20 characters (has 21)"]);
        assert_eq!(Username::parse("a b").unwrap_err(), ["may contain only letters, digits, _ . and -"]);
        assert_eq!(Username::parse("é!").unwrap_err().len(), 2);
        assert_eq!(Username::parse("   ").unwrap_err(), ["is required"]);
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        assert_eq!(Email::parse("ada.l+blog@mail.example.org").unwrap().local_part(), "ada.l+blog");
    }

    #[test]
    fn email_rejects_malformed_addresses() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a..b@example.com",
            "ada@-example.com",
            "ada@example.c",
            "ada @example.com",
            ".ada@example.com",
            "ada@1.2",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} must be rejected");
        }
        assert_eq!(Email::parse("").unwrap_err(), ["is required"]);
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long).unwrap_err(), ["must be at most 254 characters"]);
    }

    #[test]
    fn display_name_is_optional_but_bounded_when_present() {
        assert_eq!(DisplayName::parse_optional("   ").unwrap(), None);
        assert_eq!(DisplayName::parse_optional(" Ada L ").unwrap().unwrap().as_str(), "Ada L");
        assert_eq!(DisplayName::parse_optional("Al").unwrap_err(), ["must be 3 to 32 characters (has 2)"]);
        assert!(DisplayName::parse_optional(&"x".repeat(33)).is_err());
        assert!(DisplayName::parse_optional("bad\u{7}name").is_err());
    }

    fn check(password: &str) -> Vec<String> {
        PasswordPolicy::default().check(password, &["ada_l", "ada.lovelace"])
    }

    #[test]
    fn password_policy_reports_every_broken_rule_at_once() {
        assert_eq!(
            check("abc"),
            [
                "must be at least 8 characters (has 3)",
                "must contain an uppercase letter",
                "must contain a digit",
                "must contain a symbol such as ! ? # or %",
            ]
        );
        assert_eq!(check(""), ["is required"]);
    }

    #[test]
    fn password_without_symbol_is_rejected() {
        assert_eq!(check("Abcdefg12"), ["must contain a symbol such as ! ? # or %"]);
    }

    #[test]
    fn password_without_lowercase_uppercase_or_digit_is_rejected() {
        assert_eq!(check("ABCDEFG1!"), ["must contain a lowercase letter"]);
        assert_eq!(check("abcdefg1!"), ["must contain an uppercase letter"]);
        assert_eq!(check("Abcdefgh!"), ["must contain a digit"]);
    }

    #[test]
    fn password_longer_than_64_is_rejected() {
        let long = format!("Aa1!{}", "x".repeat(61));
        assert_eq!(check(&long), ["must be at most 64 characters (has 65)"]);
    }

    #[test]
    fn password_containing_username_or_email_name_is_rejected() {
        assert_eq!(check("My-Ada_L-2024!"), ["must not contain your username or email name"]);
        assert_eq!(check("xx ADA.LOVELACE 9!"), ["must not contain your username or email name"]);
    }

    #[test]
    fn good_password_passes_the_rule_checks() {
        assert!(check("Tr0ub4dor&3-horse").is_empty());
    }

    #[test]
    fn confirmation_must_be_present_and_equal() {
        assert_eq!(check_confirmation("a", ""), ["please repeat the password"]);
        assert_eq!(check_confirmation("a", "b"), ["does not match the password"]);
        assert!(check_confirmation("a", "a").is_empty());
    }

    #[test]
    fn full_name_and_phone_are_optional_and_checked_when_present() {
        assert_eq!(FullName::parse_optional("").unwrap(), None);
        assert_eq!(FullName::parse_optional(" Ada King ").unwrap().unwrap().as_str(), "Ada King");
        assert!(FullName::parse_optional(&"x".repeat(101)).is_err());
        assert_eq!(PhoneNumber::parse_optional(" ").unwrap(), None);
        assert_eq!(PhoneNumber::parse_optional("+44 (20) 7946-0958").unwrap().unwrap().as_str(), "+44 (20) 7946-0958");
        assert!(PhoneNumber::parse_optional("12345").is_err());
        assert!(PhoneNumber::parse_optional("call me").is_err());
        assert!(PhoneNumber::parse_optional("+1234567890123456").is_err());
    }

    #[test]
    fn bio_and_avatar_are_optional_and_checked_when_present() {
        assert_eq!(Bio::parse_optional("  ").unwrap(), None);
        assert_eq!(Bio::parse_optional("Hi\r\nthere").unwrap().unwrap().as_str(), "Hi\nthere");
        assert_eq!(Bio::parse_optional(&"x".repeat(501)).unwrap_err(), ["must be at most 500 characters (has 501)"]);
        assert_eq!(AvatarUrl::parse_optional("").unwrap(), None);
        assert!(AvatarUrl::parse_optional("https://img.example.com/a.png").unwrap().is_some());
        let uploaded = format!("/files/{}.jpg", "ab".repeat(32));
        assert!(AvatarUrl::parse_optional(&uploaded).unwrap().is_some());
        assert!(AvatarUrl::parse_optional(&format!("/files/{}.pdf", "ab".repeat(32))).is_err());
        assert!(AvatarUrl::parse_optional("/files/../secret.jpg").is_err());
        for bad in [
            "javascript:alert(1)",
            "ftp://x.test/a",
            "https://",
            "https://x.test/a b",
            "/relative.png",
            "https://x.test/\"<",
        ] {
            assert!(AvatarUrl::parse_optional(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_errors_collect_per_field() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("username", Username::parse("ab")), None);
        assert!(errors.check("email", Email::parse("a@example.com")).is_some());
        assert_eq!(errors.get("username").len(), 1);
        assert!(errors.get("email").is_empty());
        assert!(errors.into_result().is_err());
    }
}
