//! The human API reference at `/docs/api`: the OpenAPI description the server generates
//! from its handlers, turned into a page. Types here; the conversion in `ssr`.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use model::OPENAPI_PATH;
