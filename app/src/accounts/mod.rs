//! Accounts: signup, email activation, session login and logout, password reset and the
//! account page. Shared types and rules here; SQL and services in `ssr`.

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use model::{ApiTokenInfo, CurrentUser, NewApiToken, Role};
