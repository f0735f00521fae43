//! Server-side user administration: all its SQL (`repo`) and its rules (`service`).

pub mod repo;
pub mod service;
