//! Uploaded files: covers, images inside posts, attachments and avatars. The server side
//! decides what a file is from its bytes, re-encodes images and keeps every file in
//! content-addressed storage.

#[cfg(feature = "ssr")]
pub mod ssr;
