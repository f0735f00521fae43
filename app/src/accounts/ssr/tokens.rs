//! Signed one-time account tokens (JWT, HS256 pinned): `activate` and `reset`. A reset
//! token carries a fingerprint of the password hash it was issued against, so any
//! password change kills it; the id (`jti`) is recorded so each token works once.

use std::time::Duration;

use hmac::{Hmac, Mac};
use jsonwebtoken::{decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::password::PasswordHash;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Activate,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Reset => "reset",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountClaims {
    pub sub: String,
    pub jti: String,
    /// Kept apart from API token claims (`typ`), so neither can stand in for the other.
    pub purpose: Purpose,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pwh: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    /// Bad signature, malformed, wrong algorithm or not for this purpose.
    Invalid,
}

#[derive(Clone)]
pub struct AccountTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    fingerprint_key: Vec<u8>,
    pub activation_ttl: Duration,
    pub reset_ttl: Duration,
}

pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub expires_at: i64,
}

impl AccountTokens {
    /// `key` is a 256-bit key derived for this purpose only.
    pub fn new(key: &[u8], activation_ttl: Duration, reset_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            fingerprint_key: derive_key(key, "password-fingerprint"),
            activation_ttl,
            reset_ttl,
        }
    }

    pub fn issue(&self, purpose: Purpose, user_id: &str, hash: Option<&PasswordHash>, now: i64) -> IssuedToken {
        let ttl = match purpose {
            Purpose::Activate => self.activation_ttl,
            Purpose::Reset => self.reset_ttl,
        };
        let expires_at = now + ttl.as_secs() as i64;
        let claims = AccountClaims {
            sub: user_id.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            purpose,
            iat: now,
            exp: expires_at,
            pwh: hash.map(|h| self.fingerprint(h)),
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 encoding cannot fail");
        IssuedToken { token, jti: claims.jti, expires_at }
    }

    /// Checks signature, algorithm, expiry and purpose (not whether it was used).
    pub fn verify(&self, token: &str, purpose: Purpose) -> Result<AccountClaims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let claims = decode::<AccountClaims>(token.trim(), &self.decoding, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if claims.purpose != purpose {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// Whether `claims` were issued against this password hash.
    pub fn matches_password(&self, claims: &AccountClaims, hash: &PasswordHash) -> bool {
        claims.pwh.as_deref() == Some(self.fingerprint(hash).as_str())
    }

    fn fingerprint(&self, hash: &PasswordHash) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.fingerprint_key).expect("HMAC takes any key length");
        mac.update(hash.as_str().as_bytes());
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &mac.finalize().into_bytes()[..16])
    }
}

/// HMAC-SHA256(master, label): independent keys for independent uses of one secret.
pub fn derive_key(master: &[u8], label: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);
    const HOUR: Duration = Duration::from_secs(3_600);

    fn tokens() -> AccountTokens {
        AccountTokens::new(&derive_key(b"test master secret", "account-tokens"), DAY, HOUR)
    }

    fn now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    #[test]
    fn activation_token_round_trips_with_its_purpose() {
        let tokens = tokens();
        let issued = tokens.issue(Purpose::Activate, "user-1", None, now());
        let claims = tokens.verify(&issued.token, Purpose::Activate).unwrap();
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.jti, issued.jti);
        assert_eq!(claims.exp - claims.iat, 86_400);
    }

    #[test]
    fn token_of_the_wrong_purpose_is_refused() {
        let tokens = tokens();
        let issued = tokens.issue(Purpose::Activate, "user-1", None, now());
        assert_eq!(tokens.verify(&issued.token, Purpose::Reset).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn expired_token_is_reported_as_expired() {
        let tokens = tokens();
        let issued = tokens.issue(Purpose::Reset, "user-1", None, now() - 7_200);
        assert_eq!(tokens.verify(&issued.token, Purpose::Reset).unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn forged_or_unsigned_tokens_are_refused() {
        let tokens = tokens();
        let other = AccountTokens::new(b"another key entirely, 32 bytes!!", DAY, HOUR);
        let forged = other.issue(Purpose::Activate, "user-1", None, now());
        assert_eq!(tokens.verify(&forged.token, Purpose::Activate).unwrap_err(), TokenError::Invalid);
        let issued = tokens.issue(Purpose::Activate, "user-1", None, now());
        let mut parts: Vec<&str> = issued.token.split('.').collect();
        let none_header =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none","typ":"JWT"}"#);
        parts[0] = &none_header;
        let unsigned = format!("{}.{}.", parts[0], parts[1]);
        assert_eq!(tokens.verify(&unsigned, Purpose::Activate).unwrap_err(), TokenError::Invalid);
        assert_eq!(tokens.verify("not a token", Purpose::Activate).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn reset_token_is_bound_to_the_password_hash() {
        let tokens = tokens();
        let hash = PasswordHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$a$b".into());
        let issued = tokens.issue(Purpose::Reset, "user-1", Some(&hash), now());
        let claims = tokens.verify(&issued.token, Purpose::Reset).unwrap();
        assert!(tokens.matches_password(&claims, &hash));
        let changed = PasswordHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$c$d".into());
        assert!(!tokens.matches_password(&claims, &changed));
    }
}
