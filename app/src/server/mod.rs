//! Server-only code (feature `ssr`): application state, database access, sessions,
//! rate limits and mail. Server functions reach these through the Leptos context that
//! `server` provides.

pub mod clock;
pub mod csp;
pub mod db;
pub mod mail;
pub mod metrics;
pub mod rate_limit;
pub mod request;
pub mod session_store;
mod settings;
mod state;

pub use db::{Db, DbSettings, Engine};
pub use settings::AccountSettings;
pub use state::AppState;

/// Starts a background task under the current span, so what it does (the statements
/// it runs, above all) is counted for the server instance that started it.
/// Bytes as lower-case hexadecimal (digests in keys, ETags and file names).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

pub fn spawn<F>(task: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    use tracing::Instrument;
    tokio::spawn(task.in_current_span())
}
