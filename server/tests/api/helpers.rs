//! Spawns the application for a test and cleans up its database afterwards.

use std::{collections::HashMap, path::Path};

use app::server::Db;
use server::{Application, Config};
use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs each `async fn name(app: TestApp)` body once on SQLite and once on PostgreSQL.
macro_rules! engine_tests {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn($crate::helpers::Engine::Sqlite).await).await
            }

            #[tokio::test]
            async fn postgres() {
                run($crate::helpers::TestApp::spawn($crate::helpers::Engine::Postgres).await).await
            }
        }
    )*};
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub site_root: std::path::PathBuf,
    _dir: TempDir,
    postgres: Option<PostgresDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Where the PostgreSQL half of the suite creates its throwaway databases.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        Self::spawn_with(engine, &[]).await
    }

    /// Starts the server with extra environment variables layered over the test defaults.
    pub async fn spawn_with(engine: Engine, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let site_root = dir.path().join("site");
        std::fs::create_dir_all(site_root.join("pkg")).unwrap();
        let postgres = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(PostgresDatabase::create().await),
        };
        let database_url = match &postgres {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display()),
        };
        let mut vars: HashMap<String, String> = [
            ("APP_ENV", "development"),
            ("LISTEN_ADDR", "127.0.0.1:0"),
            ("DATABASE_URL", database_url.as_str()),
            ("DATA_DIR", dir.path().join("data").to_str().unwrap()),
            ("LEPTOS_SITE_ROOT", site_root.to_str().unwrap()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_vars(&vars).expect("test config is valid");

        let application = Application::build(config)
            .await
            .expect("application builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let db = application.db().clone();
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(application.run_until(async {
            let _ = stopped.await;
        }));

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Self {
            address,
            client,
            db,
            site_root,
            _dir: dir,
            postgres,
            shutdown: Some(shutdown),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request is sent")
    }

    pub fn write_site_file(&self, relative: &str, contents: &[u8]) {
        let path = self.site_root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(pg) = self.postgres.take() {
            pg.drop_blocking();
        }
    }
}

/// A uniquely named PostgreSQL database, dropped when the test ends.
struct PostgresDatabase {
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create() -> Self {
        let admin = postgres_admin_url();
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required for the postgres half of the suite ({admin}): {e}")
        });
        conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create test database");
        let base = admin
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(&admin);
        Self {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// Runs on a separate thread with its own runtime: `Drop` cannot await.
    fn drop_blocking(self) {
        let name = self.name;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&postgres_admin_url()).await {
                    let _ = conn
                        .execute(
                            format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str(),
                        )
                        .await;
                }
            });
        })
        .join()
        .ok();
    }
}
