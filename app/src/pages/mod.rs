//! Top-level pages that belong to no product area.

mod home;
mod not_found;

pub use home::HomePage;
pub use not_found::NotFound;
