//! One connection pool for SQLite or PostgreSQL, chosen at runtime by the `DATABASE_URL`
//! scheme. Queries go through sqlx's `Any` driver so each one is written once; SQL must
//! therefore stay portable (`$1` placeholders, BIGINT unix times, TEXT ids).

use std::{
    ops::{Deref, DerefMut},
    path::Path,
    str::FromStr,
    sync::Arc,
    time::Duration,
};

use sqlx::{
    any::{install_default_drivers, AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    Any, AnyConnection, AnyPool, Connection, Executor, Transaction,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The migrations in `/migrations`, embedded in the binary and applied at startup.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL selects, or `None` for an unsupported scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// Pool settings; `url` must already carry a supported scheme (see [`Engine::from_url`]).
#[derive(Debug, Clone)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL only: the server cancels any statement running longer than this.
    pub statement_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnsupportedScheme,
    #[error("could not create the database folder {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// SQLite's single writer, taken in turn by this process's write transactions.
    writer: Arc<Mutex<()>>,
}

/// A write transaction (see [`Db::begin`]); it derefs to its connection, so queries run
/// on `&mut *tx`.
pub struct Tx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Db {
    /// Opens the pool, creating the SQLite file (and its folder) when missing.
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbError> {
        install_default_drivers();
        let engine = Engine::from_url(&settings.url).ok_or(DbError::UnsupportedScheme)?;
        if engine == Engine::Sqlite {
            ensure_sqlite_folder(&settings.url)?;
        }
        let options = AnyConnectOptions::from_str(&settings.url)?;
        let statement_timeout_ms = settings.statement_timeout.as_millis();
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    let setup = match engine {
                        // WAL lets readers run beside the single writer; NORMAL is durable
                        // in WAL mode across application crashes.
                        Engine::Sqlite => "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"
                            .to_string(),
                        Engine::Postgres => {
                            format!("SET statement_timeout = {statement_timeout_ms}")
                        }
                    };
                    conn.execute(setup.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, engine, writer: Arc::new(Mutex::new(())) })
    }

    /// Begins a transaction that writes. SQLite allows one writer at a time, and a
    /// second one waits in SQLite's busy handler, which sleeps in steps of up to 100 ms;
    /// so this process's writers take turns here instead, in order and without
    /// sleeping. The transaction also takes SQLite's write lock at once (`BEGIN
    /// IMMEDIATE`): one that read first and wrote later would fail at once, not wait, if
    /// a write outside the turn (the session store, a single statement) came between.
    /// PostgreSQL locks rows, not the database, and needs neither.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let (turn, tx) = match self.engine {
            Engine::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                (Some(turn), self.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Engine::Postgres => (None, self.pool.begin().await?),
        };
        Ok(Tx { tx, _turn: turn })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A cheap round trip proving the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.pool.acquire().await?.ping().await
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite creates the file (with `mode=rwc`) but not the folder it lives in.
fn ensure_sqlite_folder(url: &str) -> Result<(), DbError> {
    let path = sqlite_path(url);
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent)
            .map_err(|source| DbError::CreateDir { path: parent.display().to_string(), source }),
        _ => Ok(()),
    }
}

/// The database file a `sqlite:` URL names; `None` for other engines and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<&Path> {
    let path = sqlite_path(url);
    (Engine::from_url(url) == Some(Engine::Sqlite) && !path.is_empty() && path != ":memory:").then(|| Path::new(path))
}

/// The file path of a `sqlite:` URL, without scheme or query string.
fn sqlite_path(url: &str) -> &str {
    let rest = url.trim_start_matches("sqlite:");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or_default()
}

/// The id of a row the app created (users, API tokens): a UUID in its canonical form.
/// Ids from requests are parsed into this first, so a malformed one is simply "not
/// found" and never reaches SQL (PostgreSQL refuses a NUL byte in text outright).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordId(String);

impl RecordId {
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    /// A time-ordered id (UUID v7): rows made later sort after earlier ones, which makes
    /// it a stable tie-breaker for lists ordered by time.
    pub fn new_ordered() -> Self {
        Self(uuid::Uuid::now_v7().hyphenated().to_string())
    }

    /// Only the canonical form the app writes: 36 characters, hyphenated, lower case.
    pub fn parse(raw: &str) -> Option<Self> {
        let id = uuid::Uuid::try_parse(raw).ok()?.hyphenated().to_string();
        (id == raw).then_some(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<RecordId> for String {
    fn from(id: RecordId) -> Self {
        id.0
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a write failed because a row it refers to does not exist (any more).
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db_error) if db_error.is_foreign_key_violation())
}

/// The name of the unique index a failed write violated, if that is what failed. The
/// one place that reads constraint names, so callers can turn them into field errors.
pub fn unique_violation(error: &sqlx::Error) -> Option<String> {
    let sqlx::Error::Database(db_error) = error else { return None };
    if !db_error.is_unique_violation() {
        return None;
    }
    // PostgreSQL names the index; SQLite names the indexed expression's table and
    // columns, so fall back to matching our index names in the message.
    if let Some(constraint) = db_error.constraint() {
        return Some(constraint.to_string());
    }
    let message = db_error.message();
    Some(
        ["users_username_key", "users_email_key"]
            .into_iter()
            .find(|index| message.contains(index))
            .map(str::to_string)
            .unwrap_or_else(|| message.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_names_the_file_of_a_sqlite_url_only() {
        assert_eq!(sqlite_file("sqlite:///srv/data/app.db?mode=rwc"), Some(Path::new("/srv/data/app.db")));
        assert_eq!(sqlite_file("sqlite://data/app.db"), Some(Path::new("data/app.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/app"), None);
    }

    #[test]
    fn record_ids_are_canonical_uuids_only() {
        let id = RecordId::new();
        assert_eq!(RecordId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.as_str().len(), 36);
        for bad in [
            "",
            "admin",
            "\0",
            "..",
            &id.as_str().to_uppercase(),
            &id.as_str().replace('-', ""),
            &format!("{{{}}}", id.as_str()),
        ] {
            assert_eq!(RecordId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn engine_is_chosen_by_url_scheme() {
        assert_eq!(Engine::from_url("sqlite://data/app.db"), Some(Engine::Sqlite));
        assert_eq!(Engine::from_url("sqlite::memory:"), Some(Engine::Sqlite));
        assert_eq!(Engine::from_url("postgres://u@h/db"), Some(Engine::Postgres));
        assert_eq!(Engine::from_url("postgresql://u@h/db"), Some(Engine::Postgres));
        assert_eq!(Engine::from_url("mysql://u@h/db"), None);
        assert_eq!(Engine::from_url("data/app.db"), None);
    }

    #[test]
    fn sqlite_path_strips_scheme_and_query() {
        assert_eq!(sqlite_path("sqlite://data/app.db?mode=rwc"), "data/app.db");
        assert_eq!(sqlite_path("sqlite:///tmp/x/app.db"), "/tmp/x/app.db");
        assert_eq!(sqlite_path("sqlite:app.db"), "app.db");
        assert_eq!(sqlite_path("sqlite::memory:"), ":memory:");
    }

    #[tokio::test]
    async fn sqlite_database_is_created_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/app.db?mode=rwc", dir.path().display());
        let db = Db::connect(&DbSettings {
            url,
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(db.pool()).await.unwrap();
        assert_eq!(mode.0.to_lowercase(), "wal");
        let fk: (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
        assert_eq!(fk.0, 1);
        assert!(dir.path().join("nested/app.db").exists());
        // A write referring to a row that is gone reads as a lost race, not a failure.
        let error = sqlx::query("INSERT INTO uploads (id, owner_id, kind, name, file_key, renditions, size_bytes, created_at_ms) VALUES ('u', 'nobody', 'image', 'n', 'k', '', 0, 0)")
            .execute(db.pool())
            .await
            .unwrap_err();
        assert!(is_foreign_key_violation(&error), "{error}");
        assert!(matches!(crate::error::AppError::from(error), crate::error::AppError::Conflict(_)));
    }
}
