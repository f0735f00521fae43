//! Server-side accounts: SQL (`repo`), hashing, one-time tokens, the login session,
//! emails and the rules themselves (`service`).

pub mod api_tokens;
pub mod jwt;
pub mod mails;
pub mod password;
pub mod repo;
pub mod service;
pub mod session;
pub mod tokens;
