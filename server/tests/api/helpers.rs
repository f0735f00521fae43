//! Spawns the application for a test and cleans up its database afterwards.

use std::{collections::HashMap, path::Path, time::Duration};

use app::server::{mail::OutboxEntry, Db};
use serde_json::Value;
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
                $crate::helpers::within_limit(async {
                    run($crate::helpers::TestApp::spawn($crate::helpers::Engine::Sqlite).await).await
                })
                .await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::helpers::within_limit(async {
                    run($crate::helpers::TestApp::spawn($crate::helpers::Engine::Postgres).await).await
                })
                .await
            }
        }
    )*};
}

/// Fails a test that runs past five minutes (the slowest takes seconds): a hang shows up
/// as that test's failure, not as a stalled suite.
pub async fn within_limit(test: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(std::time::Duration::from_secs(300), test)
        .await
        .expect("the test ran for over five minutes: something hangs");
}

/// The secret every test server uses, so tests can mint their own tokens.
pub const TEST_SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH";
pub const STRONG_PASSWORD: &str = "Plum-Orbit-Lantern-42!";

pub struct TestApp {
    pub engine: Engine,
    pub address: String,
    /// Environment the server was started with (to start a second process alike).
    pub vars: HashMap<String, String>,
    pub client: reqwest::Client,
    pub db: Db,
    pub site_root: std::path::PathBuf,
    _dir: TempDir,
    postgres: Option<PostgresDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Where the PostgreSQL half of the suite creates its throwaway databases.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        Self::spawn_with(engine, &[]).await
    }

    /// Starts the server with extra environment variables layered over the test defaults.
    pub async fn spawn_with(engine: Engine, extra: &[(&str, &str)]) -> Self {
        // Errors are printed (and shown for failing tests); RUST_LOG widens the filter.
        server::telemetry::init(server::config::LogFormat::Pretty);
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
            ("SECRET_KEY", TEST_SECRET),
            ("PUBLIC_URL", "http://app.test"),
            ("MAIL_POLL_SECS", "1"),
            ("MAIL_RETRY_BASE_SECS", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_vars(&vars).expect("test config is valid");
        let (address, db, shutdown) = start(config).await;
        Self {
            engine,
            address,
            vars,
            client: new_client(),
            db,
            site_root,
            _dir: dir,
            postgres,
            shutdown: Some(shutdown),
        }
    }

    /// A second server, as a separate OS process (the real binary) on the same
    /// database, as behind a load balancer.
    pub async fn spawn_peer(&self) -> Peer {
        let port = free_port();
        let mut vars = self.vars.clone();
        vars.insert("LISTEN_ADDR".into(), format!("127.0.0.1:{port}"));
        vars.insert("RUST_LOG".into(), "error".into());
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .envs(&vars)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("server binary starts");
        let peer = Peer { address: format!("http://127.0.0.1:{port}"), child };
        for _ in 0..200 {
            if api_client().get(format!("{}/health", peer.address)).send().await.is_ok_and(|r| r.status() == 200) {
                return peer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("peer process did not become healthy");
    }
}

pub struct Peer {
    pub address: String,
    child: std::process::Child,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// No request in these tests should take this long: a server that stops answering fails
/// the test that found it instead of stalling the whole run.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap()
}

/// A script-like API client: no cookies.
pub fn api_client() -> reqwest::Client {
    reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap()
}

async fn start(config: Config) -> (String, Db, tokio::sync::oneshot::Sender<()>) {
    let application = Application::build(config).await.expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let db = application.db().clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    (address, db, shutdown)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request is sent")
    }

    /// Calls a server function the way a script would (no `text/html` in Accept).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        call_with(&self.client, &self.address, endpoint, form).await
    }

    pub async fn signup(&self, username: &str, email: &str, password: &str) -> reqwest::Response {
        let form = [
            ("username", username),
            ("email", email),
            ("name", ""),
            ("password", password),
            ("password_confirm", password),
        ];
        self.call("accounts/signup", &form).await
    }

    /// Signs up and activates through the emailed link; returns nothing, panics on failure.
    pub async fn create_active_user(&self, username: &str, email: &str, password: &str) {
        let response = self.signup(username, email, password).await;
        assert_eq!(response.status(), 200, "signup: {}", response.text().await.unwrap());
        let token = self.mailed_token(&email.to_lowercase(), "/activate?token=").await;
        let response = self.call("accounts/activate", &[("token", &token)]).await;
        assert_eq!(response.status(), 200, "activate: {}", response.text().await.unwrap());
    }

    /// An active admin `root` (role set in the database), logged in through the API:
    /// returns its JWT access token.
    pub async fn create_admin(&self) -> String {
        self.create_active_user("root", "root@example.com", STRONG_PASSWORD).await;
        sqlx::query("UPDATE users SET role = 'admin' WHERE username = 'root'").execute(self.db.pool()).await.unwrap();
        self.access_token("root").await
    }

    /// Logs `login` (with `STRONG_PASSWORD`) in through `/api/auth/login`: its JWT
    /// access token.
    pub async fn access_token(&self, login: &str) -> String {
        let response = api_client()
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"email": login, "password": STRONG_PASSWORD}))
            .send()
            .await
            .expect("request is sent");
        assert_eq!(response.status(), 200, "login {login}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().expect("an access token").to_string()
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.call("accounts/login", &[("login", login), ("password", password)]).await
    }

    pub async fn current_user(&self) -> Value {
        current_user_with(&self.client, &self.address).await
    }

    /// Waits (bounded) for a mail to `recipient` whose subject contains `subject`.
    pub async fn wait_for_mail(&self, recipient: &str, subject: &str) -> OutboxEntry {
        for _ in 0..100 {
            if let Some(mail) = self.mails_to(recipient).await.into_iter().find(|m| m.subject.contains(subject)) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail {subject:?} to {recipient}");
    }

    pub async fn mails_to(&self, recipient: &str) -> Vec<OutboxEntry> {
        app::server::mail::recent(self.db.pool(), 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.recipient == recipient)
            .collect()
    }

    /// The token of the newest link starting with `prefix` mailed to `recipient`.
    pub async fn mailed_token(&self, recipient: &str, prefix: &str) -> String {
        for _ in 0..100 {
            for mail in self.mails_to(recipient).await {
                if let Some(start) = mail.text_body.find(prefix) {
                    let rest = &mail.text_body[start + prefix.len()..];
                    return rest.split_whitespace().next().unwrap().to_string();
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail with {prefix} to {recipient}");
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

pub async fn call_with(
    client: &reqwest::Client,
    address: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{address}/fn/{endpoint}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .expect("request is sent")
}

pub async fn current_user_with(client: &reqwest::Client, address: &str) -> Value {
    let response = call_with(client, address, "accounts/current-user", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Who the `current-user` server function sees behind an `Authorization` header value
/// (`Token …` or `Bearer …`): the user as JSON, or null.
pub async fn current_user_as(app: &TestApp, authorization: &str) -> Value {
    let response = api_client()
        .post(app.url("/fn/accounts/current-user"))
        .header("authorization", authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The JSON error body of a failed server function call.
pub async fn error_of(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
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
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is required for the postgres half of the suite ({admin}): {e}"));
        conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str()).await.expect("create test database");
        let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
        Self { url: format!("{base}/{name}"), name }
    }

    /// Runs on a separate thread with its own runtime: `Drop` cannot await.
    fn drop_blocking(self) {
        let name = self.name;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&postgres_admin_url()).await {
                    let _ = conn.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// One operation of the API as `/api/openapi.json` describes it.
pub struct ApiOperation {
    pub method: reqwest::Method,
    pub path: String,
    pub operation: Value,
}

impl ApiOperation {
    /// The path with every `{parameter}` replaced by `value`.
    pub fn path_with(&self, value: &str) -> String {
        let mut path = String::new();
        let mut rest = self.path.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map_or(rest.len(), |end| start + end + 1);
            path.push_str(&rest[..start]);
            path.push_str(value);
            rest = &rest[end..];
        }
        path + rest
    }
}

impl TestApp {
    /// The served OpenAPI description.
    pub async fn openapi(&self) -> Value {
        let response = self.get("/api/openapi.json").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        response.json().await.expect("the description is JSON")
    }

    /// Every operation the served description lists.
    pub async fn api_operations(&self) -> Vec<ApiOperation> {
        let spec = self.openapi().await;
        let mut operations = Vec::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("an HTTP method");
                operations.push(ApiOperation { method, path: path.clone(), operation: operation.clone() });
            }
        }
        operations
    }
}
