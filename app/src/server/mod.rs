//! Server-only code (feature `ssr`): application state, database access, sessions,
//! rate limits and mail. Server functions reach these through the Leptos context that
//! `server` provides.

pub mod clock;
pub mod db;
pub mod mail;
pub mod rate_limit;
pub mod request;
pub mod session_store;
mod settings;
mod state;

pub use db::{Db, DbSettings, Engine};
pub use settings::AccountSettings;
pub use state::AppState;
