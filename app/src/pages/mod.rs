//! Top-level pages that belong to no product area yet.

mod home;
mod not_found;
mod placeholder;

pub use home::HomePage;
pub use not_found::NotFound;
pub use placeholder::{BlogPage, ChatPage};
