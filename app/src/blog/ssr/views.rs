//! View counting. A view is counted when a post is loaded for reading (server render or
//! client-side navigation alike), at most once per visitor, post and day, never for
//! bots, link-preview fetchers, prefetches or the post's author. Visitors are keyed by a
//! hash of the user id, or of the address and browser, with a key that changes daily,
//! so no address is stored. Hits are written off the request path by one task per
//! process in small batches; the database's primary key de-duplicates across processes.

use std::{collections::HashMap, time::Duration};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use super::{
    ranking::Ranking,
    repo::{self, Counts},
};
use crate::server::Db;

/// The response header by which a post page tells the server's page cache which post it
/// shows, so that a page served from the cache still counts a view. Never sent out.
pub const POST_ID_HEADER: &str = "x-commonplace-post-id";

/// Pending hits beyond this are dropped rather than queued without bound.
const QUEUE: usize = 10_000;
const BATCH: usize = 500;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewHit {
    pub post_id: String,
    pub visitor: String,
    pub day: i64,
}

/// Hands hits to this process's writer task.
#[derive(Clone)]
pub struct ViewRecorder {
    sender: mpsc::Sender<ViewHit>,
    key: Vec<u8>,
}

impl ViewRecorder {
    /// Starts the writer task.
    pub fn spawn(db: Db, ranking: Ranking, key: Vec<u8>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        crate::server::spawn(write_batches(db, ranking, receiver));
        Self { sender, key }
    }

    /// Queues a view of `post_id` by `identity` (a user id or address and browser).
    pub fn record(&self, post_id: &str, identity: &str, now_ms: i64) {
        let day = now_ms.div_euclid(DAY_MS);
        let hit = ViewHit { post_id: post_id.to_string(), visitor: visitor_hash(&self.key, day, identity), day };
        if self.sender.try_send(hit).is_err() {
            tracing::warn!("view queue full; a view was not counted");
        }
    }
}

/// A keyed hash of the visitor that changes every day.
pub fn visitor_hash(key: &[u8], day: i64, identity: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&day.to_be_bytes());
    mac.update(identity.as_bytes());
    crate::server::hex(&mac.finalize().into_bytes()[..16])
}

/// Substrings of the user agents of crawlers, link-preview fetchers and scripts.
const NOT_A_READER: [&str; 24] = [
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "whatsapp",
    "telegram",
    "discord",
    "slack",
    "twitter",
    "linkedin",
    "pinterest",
    "skype",
    "vkshare",
    "quora link",
    "outbrain",
    "curl",
    "wget",
    "python-",
    "go-http-client",
    "lighthouse",
];

/// Whether a request for a post is a person reading it (not a bot, preview fetch or
/// prefetch).
pub fn is_reader(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let agent = header("user-agent");
    if agent.is_empty() || NOT_A_READER.iter().any(|marker| agent.contains(marker)) {
        return false;
    }
    let prefetch = ["sec-purpose", "purpose", "x-purpose", "x-moz"].iter().any(|name| {
        let value = header(name);
        value.contains("prefetch") || value.contains("preview") || value.contains("prerender")
    });
    !prefetch
}

/// Who is reading, for the hash: the user, or the address and browser of a guest.
pub fn identity(user_id: Option<&str>, client_ip: &str, headers: &HeaderMap) -> String {
    match user_id {
        Some(id) => format!("u:{id}"),
        None => {
            let agent = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default();
            format!("a:{client_ip}:{agent}")
        }
    }
}

async fn write_batches(db: Db, ranking: Ranking, mut receiver: mpsc::Receiver<ViewHit>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(error) = write(&db, &ranking, &batch).await {
            tracing::warn!(%error, hits = batch.len(), "could not record views");
        }
        batch.clear();
        // Let a burst gather into the next batch instead of one transaction per hit.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Inserts the hits; each post's count grows by the hits that were new.
pub async fn write(db: &Db, ranking: &Ranking, hits: &[ViewHit]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut new_views: HashMap<&str, i64> = HashMap::new();
    for hit in hits {
        let inserted = sqlx::query(
            "INSERT INTO post_views (post_id, visitor, day) \
             SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM posts WHERE id = $1) ON CONFLICT DO NOTHING",
        )
        .bind(&hit.post_id)
        .bind(&hit.visitor)
        .bind(hit.day)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            *new_views.entry(&hit.post_id).or_default() += 1;
        }
    }
    for (post_id, views) in new_views {
        repo::bump_counts(&mut tx, post_id, Counts { views, ..Counts::default() }, ranking).await?;
    }
    tx.commit().await
}

/// Drops de-duplication rows older than yesterday (maintenance).
pub async fn purge<'e>(db: impl sqlx::AnyExecutor<'e>, now_ms: i64) -> Result<u64, sqlx::Error> {
    let yesterday = now_ms.div_euclid(DAY_MS) - 1;
    let result = sqlx::query("DELETE FROM post_views WHERE day < $1").bind(yesterday).execute(db).await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0";

    #[test]
    fn people_count_but_bots_previews_and_prefetches_do_not() {
        assert!(is_reader(&headers(&[("user-agent", FIREFOX)])));
        assert!(!is_reader(&headers(&[])));
        for agent in [
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            "facebookexternalhit/1.1",
            "Slackbot-LinkExpanding 1.0",
            "Twitterbot/1.0",
            "WhatsApp/2.23",
            "Mozilla/5.0 (compatible; Discordbot/2.0)",
            "curl/8.5.0",
        ] {
            assert!(!is_reader(&headers(&[("user-agent", agent)])), "{agent}");
        }
        assert!(!is_reader(&headers(&[("user-agent", FIREFOX), ("sec-purpose", "prefetch")])));
        assert!(!is_reader(&headers(&[("user-agent", FIREFOX), ("purpose", "prefetch")])));
    }

    #[test]
    fn visitor_hashes_change_daily_and_hide_the_address() {
        let key = b"k".to_vec();
        let a = visitor_hash(&key, 100, "a:203.0.113.9:Firefox");
        assert_eq!(a, visitor_hash(&key, 100, "a:203.0.113.9:Firefox"));
        assert_ne!(a, visitor_hash(&key, 101, "a:203.0.113.9:Firefox"));
        assert_ne!(a, visitor_hash(b"other", 100, "a:203.0.113.9:Firefox"));
        assert!(!a.contains("203"));
        assert_eq!(a.len(), 32);
    }
}
