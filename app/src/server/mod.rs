//! Server-only code (feature `ssr`): application state and database access. Server
//! functions reach these through the Leptos context that `server` provides.

pub mod db;
mod state;

pub use db::{Db, DbSettings, Engine};
pub use state::AppState;
