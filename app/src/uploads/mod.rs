//! Uploaded files: covers, images inside posts, attachments and avatars. The server side
//! decides what a file is from its bytes, re-encodes images and keeps every file in
//! content-addressed storage.

pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use model::{human_size, Quota, Rendition, Upload, UploadKind, UploadList};

/// Where stored files are served.
pub const FILES_PATH: &str = "/files";
