//! User administration: listing, searching, statistics and editing users, for admins
//! (and, for their own record, for each user). Types here; SQL and rules in `ssr`.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
