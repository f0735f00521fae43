//! Argon2id password hashing, run off the async runtime with bounded concurrency.
//! Parameters follow OWASP (m = 19 MiB, t = 2, p = 1); a hash made with weaker ones is
//! reported at verification so the caller can upgrade it.

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// A PHC-format hash string. Not `Serialize`: it never leaves the server.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Correct password; `rehash` when the stored hash uses other parameters.
    Yes {
        rehash: bool,
    },
    No,
}

#[derive(Clone)]
pub struct Passwords {
    params: HashParams,
    permits: Arc<Semaphore>,
    /// Verified against when the user does not exist, so the answer takes as long.
    dummy: Arc<PasswordHash>,
}

impl Passwords {
    /// `max_concurrent` hashes may run at once (one per core is the useful maximum).
    pub fn new(params: HashParams, max_concurrent: usize) -> Self {
        let dummy =
            hash_blocking(params, "dummy password for timing equalisation").expect("argon2 parameters are valid");
        Self { params, permits: Arc::new(Semaphore::new(max_concurrent.max(1))), dummy: Arc::new(dummy) }
    }

    pub async fn hash(&self, password: &SecretString) -> Result<PasswordHash, AppError> {
        let params = self.params;
        let password = password.clone();
        self.run(move || hash_blocking(params, password.expose_secret())).await?.map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
    }

    /// Verifies `password` against `stored`, or against a dummy hash when there is no
    /// user, so both cases cost the same.
    pub async fn verify(&self, password: &SecretString, stored: Option<&PasswordHash>) -> Result<Verified, AppError> {
        let exists = stored.is_some();
        let stored = stored.cloned().unwrap_or_else(|| (*self.dummy).clone());
        let password = password.clone();
        let params = self.params;
        let verified = self.run(move || verify_blocking(params, password.expose_secret(), &stored)).await?;
        Ok(if exists { verified } else { Verified::No })
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work).await.map_err(|error| {
            tracing::error!(%error, "password task failed");
            AppError::Internal
        })
    }
}

fn argon2(params: HashParams) -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(params.memory_kib, params.iterations, params.parallelism, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(params: HashParams, password: &str) -> Result<PasswordHash, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2(params)?.hash_password(password.as_bytes(), &salt)?;
    Ok(PasswordHash(hash.to_string()))
}

fn verify_blocking(params: HashParams, password: &str, stored: &PasswordHash) -> Verified {
    let Ok(parsed) = argon2::PasswordHash::new(stored.as_str()) else {
        tracing::error!("stored password hash is not a valid PHC string");
        return Verified::No;
    };
    let Ok(hasher) = argon2(params) else { return Verified::No };
    // Verification reads the parameters from the stored hash itself.
    if hasher.verify_password(password.as_bytes(), &parsed).is_err() {
        return Verified::No;
    }
    let current = Params::try_from(&parsed).ok();
    let outdated = parsed.algorithm != Algorithm::Argon2id.ident()
        || current.is_none_or(|p| {
            p.m_cost() != params.memory_kib || p.t_cost() != params.iterations || p.p_cost() != params.parallelism
        });
    Verified::Yes { rehash: outdated }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    #[tokio::test]
    async fn same_password_twice_gives_different_hashes_that_both_verify() {
        let passwords = Passwords::new(HashParams::default(), 2);
        let a = passwords.hash(&secret("Correct-Horse-9")).await.unwrap();
        let b = passwords.hash(&secret("Correct-Horse-9")).await.unwrap();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        for hash in [&a, &b] {
            assert_eq!(
                passwords.verify(&secret("Correct-Horse-9"), Some(hash)).await.unwrap(),
                Verified::Yes { rehash: false }
            );
        }
    }

    #[tokio::test]
    async fn wrong_password_and_missing_user_are_refused() {
        let passwords = Passwords::new(HashParams::default(), 1);
        let hash = passwords.hash(&secret("Correct-Horse-9")).await.unwrap();
        assert_eq!(passwords.verify(&secret("correct-horse-9"), Some(&hash)).await.unwrap(), Verified::No);
        assert_eq!(passwords.verify(&secret("Correct-Horse-9"), None).await.unwrap(), Verified::No);
    }

    #[tokio::test]
    async fn hash_with_old_parameters_verifies_and_asks_for_rehash() {
        let old = HashParams { memory_kib: 8_192, iterations: 1, parallelism: 1 };
        let legacy = Passwords::new(old, 1).hash(&secret("Correct-Horse-9")).await.unwrap();
        let current = Passwords::new(HashParams::default(), 1);
        assert_eq!(
            current.verify(&secret("Correct-Horse-9"), Some(&legacy)).await.unwrap(),
            Verified::Yes { rehash: true }
        );
        assert_eq!(current.verify(&secret("wrong"), Some(&legacy)).await.unwrap(), Verified::No);
    }

    #[test]
    fn debug_output_never_shows_the_hash() {
        let hash = PasswordHash::from_stored("$argon2id$secret".into());
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }
}
