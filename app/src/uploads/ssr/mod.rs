//! Server-side uploads: what a file is (`sniff`), the image pipeline (`images`) and where
//! files live (`storage`).

pub mod images;
pub mod sniff;
pub mod storage;
