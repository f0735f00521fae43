//! Server-side uploads: what a file is (`sniff`), the image pipeline (`images`), where
//! files live (`storage`), their rows (`repo`), the rules (`service`) and multipart forms
//! (`form`).

pub mod fixtures;
pub mod form;
pub mod images;
pub mod repo;
pub mod service;
pub mod sniff;
pub mod storage;

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{error::AppError, server::rate_limit::RateLimit};
use images::ImageLimits;
use storage::Storage;

/// Limits on what one user may upload.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Everything one user may keep stored, in bytes.
    pub quota_bytes: i64,
    pub quota_files: i64,
    /// Uploads per user and hour: each image costs real CPU time.
    pub rate: RateLimit,
    pub images: ImageLimits,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            quota_bytes: 200 * 1024 * 1024,
            quota_files: 500,
            rate: RateLimit { max_hits: 120, window_secs: 3600 },
            images: ImageLimits::default(),
        }
    }
}

/// The uploads' share of the application state.
#[derive(Clone)]
pub struct Uploads {
    pub storage: Storage,
    pub settings: Arc<UploadSettings>,
    /// Image processing is CPU- and memory-heavy: at most one per core at a time.
    cpu: Arc<Semaphore>,
}

impl Uploads {
    pub fn new(storage: Storage, settings: UploadSettings, cores: usize) -> Self {
        Self { storage, settings: Arc::new(settings), cpu: Arc::new(Semaphore::new(cores.max(1))) }
    }

    /// Runs `work` on a blocking thread once a processing slot is free.
    pub async fn cpu<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.cpu.acquire().await.map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work).await.map_err(|error| {
            tracing::error!(%error, "image processing task failed");
            AppError::Internal
        })
    }
}
