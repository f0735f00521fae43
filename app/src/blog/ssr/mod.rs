//! Server-side blog: SQL (`repo`), the rules (`service`), the Markdown pipeline
//! (`render`), search per engine (`search`), ranking, view counting, scheduled
//! publishing, feeds and the demo data.

pub mod feeds;
pub mod files;
pub mod mails;
pub mod ranking;
pub mod render;
pub mod repo;
pub mod scheduler;
pub mod search;
pub mod seed;
pub mod service;
pub mod slug;
pub mod views;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use crate::{
    error::AppError,
    server::{rate_limit::RateLimit, Db},
};

/// The blog's configuration.
#[derive(Debug, Clone)]
pub struct BlogSettings {
    pub ranking: ranking::Ranking,
    /// Comments per user.
    pub comment_limit: RateLimit,
    /// New posts per user.
    pub post_limit: RateLimit,
    /// How often each process looks for scheduled posts that are due.
    pub scheduler_every: Duration,
}

impl Default for BlogSettings {
    fn default() -> Self {
        Self {
            ranking: ranking::Ranking::default(),
            comment_limit: RateLimit { max_hits: 30, window_secs: 600 },
            post_limit: RateLimit { max_hits: 10, window_secs: 3600 },
            scheduler_every: Duration::from_secs(5),
        }
    }
}

/// The blog's share of the application state.
#[derive(Clone)]
pub struct Blog {
    pub settings: Arc<BlogSettings>,
    pub views: views::ViewRecorder,
    /// Markdown rendering is CPU work: it runs on blocking threads, one per core at most.
    renders: Arc<Semaphore>,
    /// The sidebar's popular tags, recounted at most once a minute per process.
    sidebar_tags: Arc<Mutex<Option<CountedTags>>>,
}

/// Tags and when they were counted.
type CountedTags = (Instant, Vec<String>);

/// How long the sidebar's tag counts may be old.
const SIDEBAR_TAGS_FOR: Duration = Duration::from_secs(60);

impl Blog {
    /// Starts the view writer; `views_key` keys the visitor hashes.
    pub fn new(db: Db, settings: BlogSettings, views_key: Vec<u8>, cores: usize) -> Self {
        let views = views::ViewRecorder::spawn(db, settings.ranking, views_key);
        Self {
            settings: Arc::new(settings),
            views,
            renders: Arc::new(Semaphore::new(cores.max(1))),
            sidebar_tags: Arc::default(),
        }
    }

    /// The popular tags for the sidebar: a grouping over every tag, so it is counted at
    /// most once a minute, not on every page view.
    pub async fn sidebar_tags(&self, db: &Db) -> Result<Vec<String>, AppError> {
        if let Some((at, tags)) = self.sidebar_tags.lock().map_err(|_| AppError::Internal)?.clone() {
            if at.elapsed() < SIDEBAR_TAGS_FOR {
                return Ok(tags);
            }
        }
        let tags: Vec<String> = repo::tags(db.pool(), 24).await?.into_iter().map(|(tag, _)| tag).collect();
        *self.sidebar_tags.lock().map_err(|_| AppError::Internal)? = Some((Instant::now(), tags.clone()));
        Ok(tags)
    }

    /// Runs `work` (rendering) on a blocking thread, bounded by the number of cores.
    pub async fn cpu<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _permit = self.renders.acquire().await.map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work).await.map_err(|error| {
            tracing::error!(%error, "render task failed");
            AppError::Internal
        })
    }
}

/// Re-renders stored bodies made by an older pipeline and rescores posts when the
/// ranking settings changed; run once at startup, in the background. Idempotent, so
/// several processes may run it at once.
pub async fn refresh_stored(db: Db, settings: Arc<BlogSettings>) {
    if let Err(error) = refresh(&db, &settings).await {
        tracing::warn!(%error, "could not refresh stored blog content");
    }
}

async fn refresh(db: &Db, settings: &BlogSettings) -> Result<(), sqlx::Error> {
    let mut rendered = 0;
    loop {
        let batch = repo::stale_revisions(db.pool(), render::RENDER_VERSION, 100).await?;
        if batch.is_empty() {
            break;
        }
        for (id, markdown, description) in batch {
            let output = tokio::task::spawn_blocking(move || render::render_post(&markdown))
                .await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            repo::store_revision_render(db.pool(), &id, &output, description.is_empty()).await?;
            rendered += 1;
        }
    }
    loop {
        let batch = repo::stale_comments(db.pool(), render::RENDER_VERSION, 200).await?;
        if batch.is_empty() {
            break;
        }
        for (id, markdown) in batch {
            let html = tokio::task::spawn_blocking(move || render::render_comment(&markdown))
                .await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            repo::store_comment_render(db.pool(), &id, &html).await?;
            rendered += 1;
        }
    }
    if rendered > 0 {
        tracing::info!(rendered, version = render::RENDER_VERSION, "re-rendered stored Markdown");
    }
    let fingerprint = settings.ranking.fingerprint();
    if repo::site_state(db.pool(), "hot_score_settings").await?.as_deref() != Some(fingerprint.as_str()) {
        let rescored = repo::rescore_all(db, &settings.ranking).await?;
        repo::set_site_state(db.pool(), "hot_score_settings", &fingerprint).await?;
        tracing::info!(rescored, "hot scores recomputed for the current ranking settings");
    }
    Ok(())
}
