//! tower-sessions storage in the application database, so every server process sees
//! the same sessions. The store crate needs an engine-specific pool, so it gets its own
//! small one on the same `DATABASE_URL`.

use async_trait::async_trait;
use sqlx::{postgres::PgPoolOptions, sqlite::SqlitePoolOptions};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::{db::DbError, DbSettings, Engine};

#[derive(Debug, Clone)]
pub enum SqlSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SqlSessionStore {
    /// Connects and creates the session table when missing.
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbError> {
        let store = match Engine::from_url(&settings.url).ok_or(DbError::UnsupportedScheme)? {
            Engine::Sqlite => {
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect(&settings.url)
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                Self::Sqlite(store)
            }
            Engine::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect(&settings.url)
                    .await?;
                let store = PostgresStore::new(pool);
                store.migrate().await?;
                Self::Postgres(store)
            }
        };
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SqlSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}
