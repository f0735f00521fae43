//! The server side of review: its SQL, the service applying the rules, the diff and the
//! emails.

pub mod diff;
pub mod mails;
pub mod repo;
pub mod service;
