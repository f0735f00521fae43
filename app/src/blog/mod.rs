//! The blog: writing, reading, comments, likes, bookmarks, follows, ranking, search,
//! feeds and previews. Shared types and rules here; SQL and services in `ssr`.

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod ssr;
