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
            // Tests sign many users in from one address; the limit itself has its own tests.
            ("AUTH_RATE_LIMIT_PER_MINUTE", "1000"),
            ("BLOG_SCHEDULER_POLL_SECS", "1"),
            ("POST_RATE_LIMIT_PER_HOUR", "1000"),
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

/// A browser session (cookie jar) logged in as `login` with `STRONG_PASSWORD`.
pub async fn session_for(app: &TestApp, login: &str) -> reqwest::Client {
    let client = new_client();
    let response =
        call_with(&client, &app.address, "accounts/login", &[("login", login), ("password", STRONG_PASSWORD)]).await;
    assert_eq!(response.status(), 200, "login {login}");
    client
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

/// A browser's user agent: requests with it count as a reader's views.
pub const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0";

impl TestApp {
    /// Calls the RealWorld API at `/conduit/api{path}`: the status and the JSON body
    /// (`Null` when empty).
    pub async fn conduit(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = api_client().request(method, self.url(&format!("/conduit/api{path}")));
        if let Some(token) = token {
            request = request.header("authorization", format!("Token {token}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request is sent");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, body)
    }

    /// An active trainer `username` (`<username>@example.com`, `STRONG_PASSWORD`),
    /// who publishes without review, and their RealWorld API token.
    pub async fn writer(&self, username: &str) -> String {
        self.author(username, "trainer").await
    }

    /// An active user of `role` (`<username>@example.com`, `STRONG_PASSWORD`) and their
    /// RealWorld API token. Clients' posts are reviewed before they are published.
    pub async fn author(&self, username: &str, role: &str) -> String {
        let email = format!("{username}@example.com");
        self.create_active_user(username, &email, STRONG_PASSWORD).await;
        sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
            .bind(role)
            .bind(username)
            .execute(self.db.pool())
            .await
            .unwrap();
        let body = serde_json::json!({"user": {"email": email, "password": STRONG_PASSWORD}});
        let (status, body) = self.conduit(reqwest::Method::POST, "/users/login", None, Some(body)).await;
        assert_eq!(status, 200, "{body}");
        body["user"]["token"].as_str().expect("a token").to_string()
    }

    /// Publishes a post through the RealWorld API: the article as JSON.
    pub async fn publish(&self, token: &str, title: &str, body: &str, tags: &[&str]) -> Value {
        let article = serde_json::json!({"article": {
            "title": title, "description": format!("About {title}"), "body": body, "tagList": tags
        }});
        let (status, body) = self.conduit(reqwest::Method::POST, "/articles", Some(token), Some(article)).await;
        assert_eq!(status, 201, "{body}");
        body["article"].clone()
    }

    /// Reads a page as a browser would (with a browser's user agent).
    pub async fn page(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("user-agent", BROWSER).send().await.expect("request is sent")
    }

    /// A post's counters straight from the database.
    pub async fn post_counts(&self, slug: &str) -> (i64, i64, i64, i64) {
        sqlx::query_as(
            "SELECT p.like_count, p.comment_count, p.bookmark_count, p.view_count FROM posts p \
             JOIN post_slugs s ON s.post_id = p.id WHERE s.slug = $1",
        )
        .bind(slug)
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }

    /// Waits (bounded) until a post's view count reaches `expected`, then checks it
    /// stays there a moment (views are written off the request path).
    pub async fn expect_views(&self, slug: &str, expected: i64) {
        let mut views = -1;
        for _ in 0..60 {
            views = self.post_counts(slug).await.3;
            if views >= expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(self.post_counts(slug).await.3, expected, "views of {slug} (saw {views})");
    }
}

/// A WebSocket client for the chat tests: JSON frames in and out, with timeouts.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

/// How a socket ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum WsEnd {
    Closed(Option<u16>),
}

impl Ws {
    /// Opens `path` (e.g. `/api/chat/ws`) on `address` with extra request headers; the
    /// HTTP status when the upgrade is refused.
    pub async fn open(address: &str, path: &str, headers: &[(&str, &str)]) -> Result<Ws, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}{path}", address.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _)) => Ok(Ws { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(error) => panic!("socket: {error}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        use futures_util::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into()))
            .await
            .expect("frame sent");
    }

    pub async fn send_text(&mut self, text: String) -> bool {
        use futures_util::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::Text(text.into())).await.is_ok()
    }

    /// The next JSON frame (control frames skipped), or how the socket ended.
    pub async fn recv(&mut self, wait: Duration) -> Result<Value, WsEnd> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next()).await;
            match next {
                Err(_) => panic!("no frame within {wait:?}"),
                Ok(Some(Ok(Message::Text(text)))) => return Ok(serde_json::from_str(&text).expect("JSON frame")),
                Ok(Some(Ok(Message::Close(frame)))) => return Err(WsEnd::Closed(frame.map(|f| f.code.into()))),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return Err(WsEnd::Closed(None)),
            }
        }
    }

    pub async fn next(&mut self) -> Value {
        self.recv(Duration::from_secs(5)).await.expect("a frame")
    }

    /// Skips frames until one matches.
    pub async fn until(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if matches(&frame) {
                return frame;
            }
        }
    }

    /// The next chat message frame (no `type`), skipping everything else.
    pub async fn message(&mut self) -> Value {
        self.until(|f| f.get("type").is_none() && f["sender_id"] != "System").await
    }

    /// Every frame that arrives within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let mut frames = Vec::new();
        while let Ok(Some(Ok(message))) = tokio::time::timeout(wait, self.stream.next()).await {
            if let Message::Text(text) = message {
                frames.push(serde_json::from_str(&text).expect("JSON frame"));
            }
        }
        frames
    }

    /// Waits for the server to close the socket: the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match self.recv(Duration::from_secs(10)).await {
                Err(WsEnd::Closed(code)) => return code,
                Ok(_) => continue,
            }
        }
    }
}

impl TestApp {
    /// A signed-in user's API token (`/api/auth/token`).
    pub async fn api_token(&self, login: &str) -> String {
        let response = api_client()
            .post(self.url("/api/auth/token"))
            .json(&serde_json::json!({"username_or_email": login, "password": STRONG_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// A chat socket authenticated by `Authorization: Token`.
    pub async fn chat_as(&self, token: &str) -> Ws {
        let mut ws = Ws::open(&self.address, "/api/chat/ws", &[("authorization", &format!("Token {token}"))])
            .await
            .expect("upgrade");
        let frame = ws.next().await;
        assert_eq!(frame["type"], "authenticated", "{frame}");
        ws
    }

    /// The session cookie (`name=value`) of a browser logged in as `login`.
    pub async fn session_cookie(&self, login: &str) -> String {
        let client = new_client();
        let response =
            call_with(&client, &self.address, "accounts/login", &[("login", login), ("password", STRONG_PASSWORD)])
                .await;
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        cookie.split(';').next().unwrap().to_string()
    }
}
