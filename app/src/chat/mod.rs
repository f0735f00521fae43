//! Real-time chat: public rooms and private conversations over a WebSocket, durable and
//! resumable, shared across server processes. Shared types and rules here; SQL, rules
//! and delivery in `ssr`.

pub mod api;
pub mod model;
pub mod pages;
pub mod text;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod ssr;
