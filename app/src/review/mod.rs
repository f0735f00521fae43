//! Editorial review: authors whose role needs it submit a frozen revision, reviewers
//! approve it, ask for corrections item by item, or reject it. The transition table is
//! `rules`; SQL and services in `ssr`.

pub mod api;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
