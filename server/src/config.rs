//! The one typed configuration, read once at startup from the environment (and an
//! optional `.env`). Every problem is reported at once, each naming its variable.

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use app::{
    accounts::validation::PasswordPolicy,
    blog::ssr::{ranking::Ranking, BlogSettings},
    chat::ssr::ChatSettings,
    server::{
        mail::{MailTransportSettings, MailerSettings, SmtpSecurity},
        rate_limit::RateLimit,
        AccountSettings, DbSettings, Engine,
    },
    uploads::ssr::{
        storage::{S3Settings, StorageSettings},
        UploadSettings,
    },
};
use base64::Engine as _;
use leptos::config::{Env, LeptosOptions};
use secrecy::{ExposeSecret, SecretString};

const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";
const SECRET_FILE: &str = "secret_key";
/// Shortest accepted `SECRET_KEY`: 43 base64 characters carry 256 bits.
const SECRET_MIN_LEN: usize = 43;
const SECRET_MIN_DISTINCT: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub env: AppEnv,
    pub listen_addr: SocketAddr,
    /// Base of every absolute link the app sends out (emails); never the Host header.
    pub public_url: String,
    pub log_format: LogFormat,
    /// Where development state lives: the SQLite file, the generated secret, the outbox.
    pub data_dir: PathBuf,
    pub database: DbSettings,
    /// Master secret from which signing keys are derived.
    pub secret_key: SecretString,
    /// Folder with the built browser bundle (`pkg/`) and static assets.
    pub site_root: PathBuf,
    pub output_name: String,
    pub reload_port: u32,
    pub accounts: AccountSettings,
    pub mail: MailerSettings,
    pub activation_ttl: Duration,
    pub reset_ttl: Duration,
    pub session_idle: Duration,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub blog: BlogSettings,
    /// How long anonymous readers' pages are kept (zero: no page cache).
    pub page_cache: Duration,
    pub chat: ChatSettings,
    /// `CORS_ALLOWED_ORIGINS`: other sites' pages trusted with credentials on the JSON
    /// APIs and the chat socket.
    pub allowed_origins: Vec<String>,
    /// Where `/metrics` is served: `METRICS_ADDR`, else behind `METRICS_TOKEN`, else nowhere.
    pub metrics: crate::metrics::Exposure,
    /// `ENABLE_HTTPS`: the certificate and key this process serves TLS with.
    pub tls: Option<crate::tls::TlsSettings>,
    /// Where uploaded files live: `UPLOADS_DIR`, or an S3 bucket when `S3_BUCKET` is set.
    pub storage: StorageSettings,
    pub uploads: UploadSettings,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("env", &self.env)
            .field("listen_addr", &self.listen_addr)
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("data_dir", &self.data_dir)
            .field("database_engine", &Engine::from_url(&self.database.url))
            .field("site_root", &self.site_root)
            .finish_non_exhaustive()
    }
}

/// Every configuration problem found, one line per variable.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub Vec<String>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid configuration:")?;
        for problem in &self.0 {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment, after loading `.env` from the working directory if
    /// one exists (variables already set win).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds the config from a variable map; in development a missing secret is
    /// generated once and kept in `DATA_DIR` so restarts keep sessions valid.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut get = |name: &str| vars.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let env = match get("APP_ENV").as_deref() {
            None | Some("development") => AppEnv::Development,
            Some("production") => AppEnv::Production,
            Some(other) => {
                problems.push(format!("APP_ENV must be development or production, got {other:?}"));
                AppEnv::Development
            }
        };

        let listen_raw =
            get("LISTEN_ADDR").or_else(|| get("LEPTOS_SITE_ADDR")).unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_string());
        let listen_addr = listen_raw.parse().unwrap_or_else(|_| {
            problems.push(format!("LISTEN_ADDR must be an IP:port such as 127.0.0.1:3000, got {listen_raw:?}"));
            DEFAULT_LISTEN_ADDR.parse().expect("default address parses")
        });

        let https = parse_bool(&mut get, "ENABLE_HTTPS", false, &mut problems);
        let tls = if https {
            let mut path = |name: &str| match get(name) {
                Some(path) => absolute(Path::new(&path)),
                None => {
                    problems.push(format!("{name} is required when ENABLE_HTTPS is true (a PEM file)"));
                    PathBuf::new()
                }
            };
            let (cert_path, key_path) = (path("SSL_CERT_PATH"), path("SSL_KEY_PATH"));
            let redirect_addr = get("HTTP_REDIRECT_ADDR").and_then(|raw| match raw.parse() {
                Ok(addr) => Some(addr),
                Err(_) => {
                    problems.push(format!("HTTP_REDIRECT_ADDR must be an IP:port such as 0.0.0.0:80, got {raw:?}"));
                    None
                }
            });
            Some(crate::tls::TlsSettings { cert_path, key_path, redirect_addr })
        } else {
            None
        };

        let public_url = match get("PUBLIC_URL") {
            Some(url) => {
                let url = url.trim_end_matches('/').to_string();
                let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
                if host.is_none_or(|h| h.is_empty() || h.contains(['/', '?', '#', ' '])) {
                    problems.push(format!(
                        "PUBLIC_URL must be an absolute http(s) origin such as https://example.com, got {url:?}"
                    ));
                }
                url
            }
            None if env == AppEnv::Production => {
                problems.push("PUBLIC_URL is required in production (e.g. https://example.com)".into());
                String::new()
            }
            None if https => format!("https://{listen_addr}"),
            None => format!("http://{listen_addr}"),
        };
        if https && !public_url.starts_with("https://") {
            problems
                .push(format!("PUBLIC_URL must be an https:// origin when ENABLE_HTTPS is true, got {public_url:?}"));
        }

        let log_format = match get("LOG_FORMAT").as_deref() {
            None => LogFormat::Pretty,
            Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                problems.push(format!("LOG_FORMAT must be pretty or json, got {other:?}"));
                LogFormat::Pretty
            }
        };

        let data_dir = absolute(Path::new(&get("DATA_DIR").unwrap_or_else(|| "data".into())));

        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("app.db").display()));
        let database_url = match Engine::from_url(&database_url) {
            Some(Engine::Postgres) => match get("DATABASE_SSLMODE") {
                None => database_url,
                Some(mode) if SSL_MODES.contains(&mode.as_str()) => with_query_param(&database_url, "sslmode", &mode),
                Some(mode) => {
                    problems.push(format!("DATABASE_SSLMODE must be one of {}, got {mode:?}", SSL_MODES.join(", ")));
                    database_url
                }
            },
            Some(Engine::Sqlite) => database_url,
            None => {
                problems.push("DATABASE_URL must start with sqlite: or postgres:".into());
                database_url
            }
        };
        let max_connections = parse_number(&mut get, "DATABASE_MAX_CONNECTIONS", 10, 1..=1000, &mut problems);
        let statement_timeout = parse_number(&mut get, "DATABASE_STATEMENT_TIMEOUT_SECS", 30, 1..=3600, &mut problems);

        let secret_key = match get("SECRET_KEY") {
            Some(secret) => {
                if let Err(why) = check_secret_strength(&secret) {
                    problems.push(format!("SECRET_KEY is too weak: {why}"));
                }
                Some(SecretString::from(secret))
            }
            None if env == AppEnv::Production => {
                problems
                    .push("SECRET_KEY is required in production (generate one with `openssl rand -base64 48`)".into());
                None
            }
            None => None,
        };

        let site_root = absolute(Path::new(&get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into())));
        let output_name = get("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "site".into());
        let reload_port = parse_number(&mut get, "LEPTOS_RELOAD_PORT", 3001, 1..=65535, &mut problems);

        let mut n = |name: &str, default: u32, range: std::ops::RangeInclusive<u32>| {
            i64::from(parse_number(&mut get, name, default, range, &mut problems))
        };
        let policy_defaults = PasswordPolicy::default();
        let password_policy = PasswordPolicy {
            min_len: n("PASSWORD_MIN_LENGTH", policy_defaults.min_len as u32, 8..=64) as usize,
            max_len: n("PASSWORD_MAX_LENGTH", policy_defaults.max_len as u32, 8..=1024) as usize,
            min_strength: n("PASSWORD_MIN_STRENGTH", policy_defaults.min_strength.into(), 0..=4) as u8,
            ..policy_defaults
        };
        let lockout_max_failures = n("LOCKOUT_MAX_FAILURES", 5, 1..=100);
        let lockout_window_secs = n("LOCKOUT_WINDOW_SECS", 900, 1..=86_400);
        let lockout_secs = n("LOCKOUT_DURATION_SECS", 900, 1..=86_400);
        let auth_per_minute = n("AUTH_RATE_LIMIT_PER_MINUTE", 30, 1..=100_000);
        let email_per_hour = n("EMAIL_RATE_LIMIT_PER_HOUR", 3, 1..=1000);
        let session_idle_secs = n("SESSION_IDLE_TIMEOUT_SECS", 12 * 3600, 60..=90 * 86_400);
        let session_absolute_secs = n("SESSION_ABSOLUTE_TIMEOUT_SECS", 7 * 86_400, 60..=365 * 86_400);
        let activation_ttl = n("ACTIVATION_TOKEN_TTL_SECS", 86_400, 60..=30 * 86_400);
        let reset_ttl = n("RESET_TOKEN_TTL_SECS", 3_600, 60..=86_400);
        let access_ttl = n("JWT_ACCESS_TTL_SECS", 15 * 60, 30..=86_400);
        let refresh_ttl = n("JWT_REFRESH_TTL_SECS", 7 * 86_400, 60..=365 * 86_400);
        let retry_base = n("MAIL_RETRY_BASE_SECS", 30, 1..=86_400);
        let max_attempts = n("MAIL_MAX_ATTEMPTS", 10, 1..=100);
        let poll_secs = n("MAIL_POLL_SECS", 5, 1..=3600);
        let smtp_port = n("SMTP_PORT", 587, 1..=65_535) as u16;
        let comments_per_hour = n("COMMENT_RATE_LIMIT_PER_HOUR", 60, 1..=100_000);
        let posts_per_hour = n("POST_RATE_LIMIT_PER_HOUR", 10, 1..=100_000);
        let scheduler_secs = n("BLOG_SCHEDULER_POLL_SECS", 5, 1..=3600);
        let decay_secs = n("BLOG_HOT_DECAY_SECS", 86_400, 60..=365 * 86_400);
        let page_cache_secs = n("PAGE_CACHE_SECS", 5, 0..=3600);
        let chat_sockets = n("CHAT_MAX_SOCKETS_PER_USER", 8, 1..=1000);
        let chat_rate = n("CHAT_MESSAGES_PER_SECOND", 5, 1..=1000);
        let chat_burst = n("CHAT_BURST", 10, 1..=10_000);
        let chat_batch_ms = n("CHAT_BATCH_MS", 25, 0..=1000);
        let upload_max_mb = n("UPLOAD_MAX_MB", 10, 1..=1024);
        let upload_quota_mb = n("UPLOAD_QUOTA_MB", 200, 1..=10_000_000);
        let upload_quota_files = n("UPLOAD_QUOTA_FILES", 500, 1..=10_000_000);
        if password_policy.min_len > password_policy.max_len {
            problems.push("PASSWORD_MIN_LENGTH must not exceed PASSWORD_MAX_LENGTH".into());
        }
        let trust_forwarded_for = parse_bool(&mut get, "TRUST_FORWARDED_FOR", false, &mut problems);
        let login_requires_activation = parse_bool(&mut get, "LOGIN_REQUIRES_ACTIVATION", true, &mut problems);
        let mut allowed_origins = Vec::new();
        for origin in
            get("CORS_ALLOWED_ORIGINS").unwrap_or_default().split(',').map(str::trim).filter(|o| !o.is_empty())
        {
            let origin = origin.trim_end_matches('/');
            let host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
            if host.is_none_or(|h| h.is_empty() || h.contains(['/', '?', '#', ' ', '*'])) {
                problems.push(format!(
                    "CORS_ALLOWED_ORIGINS must list origins such as https://app.example.com (no wildcards), got {origin:?}"
                ));
            } else {
                allowed_origins.push(origin.to_string());
            }
        }
        let metrics = match (get("METRICS_ADDR"), get("METRICS_TOKEN")) {
            (Some(addr), _) => match addr.parse() {
                Ok(addr) => crate::metrics::Exposure::Listener(addr),
                Err(_) => {
                    problems.push(format!("METRICS_ADDR must be an IP:port such as 127.0.0.1:9100, got {addr:?}"));
                    crate::metrics::Exposure::Off
                }
            },
            (None, Some(token)) if token.len() < 24 => {
                problems.push("METRICS_TOKEN must be at least 24 characters (e.g. `openssl rand -base64 32`)".into());
                crate::metrics::Exposure::Off
            }
            (None, Some(token)) => crate::metrics::Exposure::Token(SecretString::from(token)),
            (None, None) => crate::metrics::Exposure::Off,
        };
        let storage = match get("S3_BUCKET") {
            None => StorageSettings::Local(
                get("UPLOADS_DIR").map_or_else(|| data_dir.join("uploads"), |dir| absolute(Path::new(&dir))),
            ),
            Some(bucket) => {
                let mut required = |name: &str| {
                    get(name).unwrap_or_else(|| {
                        problems.push(format!("{name} is required when S3_BUCKET is set"));
                        String::new()
                    })
                };
                let access_key_id = required("S3_ACCESS_KEY_ID");
                let secret_access_key = SecretString::from(required("S3_SECRET_ACCESS_KEY"));
                let endpoint = get("S3_ENDPOINT");
                if let Some(endpoint) = &endpoint {
                    if !endpoint.starts_with("https://") && !endpoint.starts_with("http://") {
                        problems.push(format!("S3_ENDPOINT must be an http(s):// address, got {endpoint:?}"));
                    }
                }
                StorageSettings::S3(S3Settings {
                    bucket,
                    endpoint,
                    region: get("S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key_id,
                    secret_access_key,
                    prefix: get("S3_PREFIX").unwrap_or_default(),
                })
            }
        };
        let uploads = UploadSettings {
            max_bytes: upload_max_mb as usize * 1024 * 1024,
            quota_bytes: upload_quota_mb * 1024 * 1024,
            quota_files: upload_quota_files,
            ..UploadSettings::default()
        };
        let defaults = Ranking::default();
        let ranking = Ranking {
            like_weight: parse_weight(&mut get, "BLOG_HOT_LIKE_WEIGHT", defaults.like_weight, &mut problems),
            comment_weight: parse_weight(&mut get, "BLOG_HOT_COMMENT_WEIGHT", defaults.comment_weight, &mut problems),
            view_weight: parse_weight(&mut get, "BLOG_HOT_VIEW_WEIGHT", defaults.view_weight, &mut problems),
            decay_secs: decay_secs as f64,
        };

        let from = get("MAIL_FROM").unwrap_or_else(|| "Commonplace <no-reply@localhost>".into());
        let from = from.parse().unwrap_or_else(|_| {
            problems.push(format!("MAIL_FROM must be an address like \"Site <no-reply@example.com>\", got {from:?}"));
            "no-reply@localhost".parse().expect("fallback address parses")
        });
        let transport = match (get("SMTP_HOST"), env) {
            (Some(host), _) => {
                let security = match get("SMTP_SECURITY").as_deref() {
                    None | Some("starttls") => SmtpSecurity::StartTls,
                    Some("tls") => SmtpSecurity::Tls,
                    Some("none") => SmtpSecurity::None,
                    Some(other) => {
                        problems.push(format!("SMTP_SECURITY must be starttls, tls or none, got {other:?}"));
                        SmtpSecurity::StartTls
                    }
                };
                MailTransportSettings::Smtp {
                    host,
                    port: smtp_port,
                    security,
                    username: get("SMTP_USERNAME"),
                    password: get("SMTP_PASSWORD").map(SecretString::from),
                }
            }
            (None, AppEnv::Production) => {
                problems.push("SMTP_HOST is required in production (the app sends activation and reset emails)".into());
                MailTransportSettings::Outbox(data_dir.join("outbox"))
            }
            (None, AppEnv::Development) => MailTransportSettings::Outbox(data_dir.join("outbox")),
        };

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        let secret_key = match secret_key {
            Some(secret) => secret,
            None => development_secret(&data_dir).map_err(|e| ConfigError(vec![e]))?,
        };

        let accounts = AccountSettings {
            public_url: public_url.clone(),
            password_policy,
            lockout_max_failures,
            lockout_window_secs,
            lockout_secs,
            auth_rate_limit: RateLimit { max_hits: auth_per_minute, window_secs: 60 },
            email_rate_limit: RateLimit { max_hits: email_per_hour, window_secs: 3600 },
            session_absolute_secs,
            trust_forwarded_for,
            development: env == AppEnv::Development,
            login_requires_activation,
        };
        let blog = BlogSettings {
            ranking,
            comment_limit: RateLimit { max_hits: comments_per_hour, window_secs: 3600 },
            post_limit: RateLimit { max_hits: posts_per_hour, window_secs: 3600 },
            scheduler_every: Duration::from_secs(scheduler_secs as u64),
        };
        let mail = MailerSettings {
            from,
            transport,
            retry_base: Duration::from_secs(retry_base as u64),
            max_backoff: Duration::from_secs(3600),
            max_attempts,
            poll_interval: Duration::from_secs(poll_secs as u64),
        };

        Ok(Self {
            env,
            listen_addr,
            public_url,
            log_format,
            data_dir,
            database: DbSettings {
                url: database_url,
                max_connections,
                acquire_timeout: Duration::from_secs(10),
                statement_timeout: Duration::from_secs(statement_timeout.into()),
            },
            secret_key,
            site_root,
            output_name,
            reload_port,
            accounts,
            mail,
            activation_ttl: Duration::from_secs(activation_ttl as u64),
            reset_ttl: Duration::from_secs(reset_ttl as u64),
            session_idle: Duration::from_secs(session_idle_secs as u64),
            access_ttl: Duration::from_secs(access_ttl as u64),
            refresh_ttl: Duration::from_secs(refresh_ttl as u64),
            blog,
            page_cache: Duration::from_secs(page_cache_secs as u64),
            chat: ChatSettings {
                max_sockets_per_user: chat_sockets as usize,
                messages_per_second: chat_rate as f64,
                burst: chat_burst as u32,
                batch_window: Duration::from_millis(chat_batch_ms as u64),
                allowed_origins: allowed_origins.clone(),
                ..ChatSettings::default()
            },
            allowed_origins,
            metrics,
            tls,
            storage,
            uploads,
        })
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name(self.output_name.clone())
            .site_root(self.site_root.display().to_string())
            .site_pkg_dir("pkg")
            .env(match self.env {
                AppEnv::Development => Env::DEV,
                AppEnv::Production => Env::PROD,
            })
            .site_addr(self.listen_addr)
            .reload_port(self.reload_port)
            .build()
    }
}

const SSL_MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

fn parse_number(
    get: &mut impl FnMut(&str) -> Option<String>,
    name: &str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    problems: &mut Vec<String>,
) -> u32 {
    let Some(raw) = get(name) else { return default };
    match raw.parse::<u32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            problems.push(format!(
                "{name} must be a whole number from {} to {}, got {raw:?}",
                range.start(),
                range.end()
            ));
            default
        }
    }
}

fn parse_bool(
    get: &mut impl FnMut(&str) -> Option<String>,
    name: &str,
    default: bool,
    problems: &mut Vec<String>,
) -> bool {
    match get(name).as_deref() {
        None => default,
        Some("true") => true,
        Some("false") => false,
        Some(other) => {
            problems.push(format!("{name} must be true or false, got {other:?}"));
            default
        }
    }
}

/// A ranking weight: a number from 0 to 1000 (decimals allowed).
fn parse_weight(
    get: &mut impl FnMut(&str) -> Option<String>,
    name: &str,
    default: f64,
    problems: &mut Vec<String>,
) -> f64 {
    let Some(raw) = get(name) else { return default };
    match raw.parse::<f64>() {
        Ok(weight) if (0.0..=1000.0).contains(&weight) => weight,
        _ => {
            problems.push(format!("{name} must be a number from 0 to 1000, got {raw:?}"));
            default
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn with_query_param(url: &str, key: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{key}={value}")
}

/// Rejects secrets that are short or built from few distinct characters.
pub fn check_secret_strength(secret: &str) -> Result<(), String> {
    let len = secret.chars().count();
    if len < SECRET_MIN_LEN {
        return Err(format!("it has {len} characters, at least {SECRET_MIN_LEN} are required"));
    }
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < SECRET_MIN_DISTINCT {
        return Err(format!(
            "it uses only {} distinct characters, at least {SECRET_MIN_DISTINCT} are required",
            distinct.len()
        ));
    }
    Ok(())
}

/// Loads the development secret from `DATA_DIR`, creating it (owner-only) on first start.
fn development_secret(data_dir: &Path) -> Result<SecretString, String> {
    let path = data_dir.join(SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if check_secret_strength(&existing).is_ok() {
            return Ok(SecretString::from(existing));
        }
    }
    let mut bytes = [0u8; 48];
    rand::fill(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    std::fs::create_dir_all(data_dir).map_err(|e| format!("DATA_DIR {} cannot be created: {e}", data_dir.display()))?;
    write_private(&path, &secret).map_err(|e| format!("DATA_DIR: cannot write {}: {e}", path.display()))?;
    Ok(SecretString::from(secret))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

impl Config {
    /// The secret, for deriving purpose-specific keys. Never log the result.
    pub fn secret(&self) -> &str {
        self.secret_key.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const GOOD_SECRET: &str = "q4Zt8N0b1xYv-KpL3sWm7Rj9HcEeTg2UaDfOiB5nV6yXz_Qw";

    #[test]
    fn development_defaults_use_sqlite_under_data_and_generate_a_persistent_secret() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let env = vars(&[("DATA_DIR", data.to_str().unwrap())]);
        let config = Config::from_vars(&env).unwrap();
        assert_eq!(config.env, AppEnv::Development);
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url, "http://127.0.0.1:3000");
        assert_eq!(config.database.url, format!("sqlite://{}?mode=rwc", data.join("app.db").display()));
        let again = Config::from_vars(&env).unwrap();
        assert_eq!(config.secret(), again.secret(), "restarts keep the generated secret");
        assert!(check_secret_strength(config.secret()).is_ok());
    }

    #[test]
    fn https_needs_its_files_an_https_public_url_and_good_addresses() {
        let err =
            Config::from_vars(&vars(&[("ENABLE_HTTPS", "true"), ("PUBLIC_URL", "http://example.com")])).unwrap_err();
        for expected in [
            "SSL_CERT_PATH is required when ENABLE_HTTPS is true",
            "SSL_KEY_PATH is required when ENABLE_HTTPS is true",
            "PUBLIC_URL must be an https:// origin when ENABLE_HTTPS is true",
        ] {
            assert!(err.0.iter().any(|p| p.starts_with(expected)), "{expected}: {err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let env = vars(&[
            ("DATA_DIR", dir.path().to_str().unwrap()),
            ("ENABLE_HTTPS", "true"),
            ("SSL_CERT_PATH", "/etc/site/cert.pem"),
            ("SSL_KEY_PATH", "/etc/site/key.pem"),
            ("HTTP_REDIRECT_ADDR", "0.0.0.0:80"),
        ]);
        let config = Config::from_vars(&env).unwrap();
        assert_eq!(config.public_url, "https://127.0.0.1:3000", "development defaults to https");
        let tls = config.tls.unwrap();
        assert_eq!(tls.cert_path, PathBuf::from("/etc/site/cert.pem"));
        assert_eq!(tls.redirect_addr, Some("0.0.0.0:80".parse().unwrap()));
        let err = Config::from_vars(&vars(&[("ENABLE_HTTPS", "yes")])).unwrap_err();
        assert!(err.0[0].starts_with("ENABLE_HTTPS must be true or false"), "{err}");
    }

    #[test]
    fn metrics_exposure_is_checked() {
        let err = Config::from_vars(&vars(&[("METRICS_ADDR", "9100")])).unwrap_err();
        assert!(err.0[0].starts_with("METRICS_ADDR must be an IP:port"), "{err}");
        let err = Config::from_vars(&vars(&[("METRICS_TOKEN", "short")])).unwrap_err();
        assert!(err.0[0].starts_with("METRICS_TOKEN must be at least 24 characters"), "{err}");
    }

    #[test]
    fn production_refuses_to_start_without_secret_public_url_or_smtp() {
        let err = Config::from_vars(&vars(&[("APP_ENV", "production")])).unwrap_err();
        assert!(err.0.iter().any(|p| p.starts_with("SMTP_HOST is required")), "{err}");
        assert!(err.0.iter().any(|p| p.starts_with("SECRET_KEY is required")), "{err}");
        assert!(err.0.iter().any(|p| p.starts_with("PUBLIC_URL is required")), "{err}");
    }

    #[test]
    fn production_refuses_a_weak_secret_and_says_why() {
        let env = vars(&[
            ("APP_ENV", "production"),
            ("PUBLIC_URL", "https://example.com"),
            ("SECRET_KEY", "changeme"),
            ("SMTP_HOST", "smtp.example.com"),
        ]);
        let err = Config::from_vars(&env).unwrap_err();
        assert_eq!(err.0, vec!["SECRET_KEY is too weak: it has 8 characters, at least 43 are required".to_string()]);
        let repetitive = "ab".repeat(30);
        let env =
            vars(&[("APP_ENV", "production"), ("PUBLIC_URL", "https://example.com"), ("SECRET_KEY", &repetitive)]);
        let err = Config::from_vars(&env).unwrap_err();
        assert!(err.0[0].contains("only 2 distinct characters"), "{err}");
    }

    #[test]
    fn production_accepts_a_strong_secret() {
        let env = vars(&[
            ("APP_ENV", "production"),
            ("PUBLIC_URL", "https://example.com/"),
            ("SECRET_KEY", GOOD_SECRET),
            ("LOG_FORMAT", "json"),
            ("SMTP_HOST", "smtp.example.com"),
            ("SMTP_SECURITY", "tls"),
        ]);
        let config = Config::from_vars(&env).unwrap();
        assert_eq!(config.public_url, "https://example.com");
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(!format!("{config:?}").contains(GOOD_SECRET), "Debug must not print the secret");
    }

    #[test]
    fn every_bad_variable_is_named_at_once() {
        let env = vars(&[
            ("APP_ENV", "staging"),
            ("LISTEN_ADDR", "localhost"),
            ("PUBLIC_URL", "example.com"),
            ("LOG_FORMAT", "xml"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("SECRET_KEY", GOOD_SECRET),
        ]);
        let err = Config::from_vars(&env).unwrap_err();
        let named: Vec<&str> = err.0.iter().map(|p| p.split_whitespace().next().unwrap()).collect();
        assert_eq!(
            named,
            ["APP_ENV", "LISTEN_ADDR", "PUBLIC_URL", "LOG_FORMAT", "DATABASE_URL", "DATABASE_MAX_CONNECTIONS"]
        );
    }

    #[test]
    fn blog_settings_are_read_and_checked() {
        let env = vars(&[
            ("SECRET_KEY", GOOD_SECRET),
            ("BLOG_HOT_LIKE_WEIGHT", "2.5"),
            ("BLOG_HOT_DECAY_SECS", "43200"),
            ("LOGIN_REQUIRES_ACTIVATION", "false"),
            ("COMMENT_RATE_LIMIT_PER_HOUR", "5"),
        ]);
        let config = Config::from_vars(&env).unwrap();
        assert_eq!(config.blog.ranking.like_weight, 2.5);
        assert_eq!(config.blog.ranking.decay_secs, 43_200.0);
        assert!(!config.accounts.login_requires_activation);
        assert_eq!(config.blog.comment_limit.max_hits, 5);
        let env = vars(&[
            ("SECRET_KEY", GOOD_SECRET),
            ("BLOG_HOT_VIEW_WEIGHT", "-1"),
            ("LOGIN_REQUIRES_ACTIVATION", "maybe"),
        ]);
        let err = Config::from_vars(&env).unwrap_err();
        let named: Vec<&str> = err.0.iter().map(|p| p.split_whitespace().next().unwrap()).collect();
        assert_eq!(named, ["LOGIN_REQUIRES_ACTIVATION", "BLOG_HOT_VIEW_WEIGHT"]);
    }

    #[test]
    fn postgres_sslmode_is_validated_and_added_to_the_url() {
        let base = [("DATABASE_URL", "postgres://app@db/app"), ("SECRET_KEY", GOOD_SECRET)];
        let mut env = vars(&base);
        env.insert("DATABASE_SSLMODE".into(), "require".into());
        assert_eq!(Config::from_vars(&env).unwrap().database.url, "postgres://app@db/app?sslmode=require");
        env.insert("DATABASE_SSLMODE".into(), "sometimes".into());
        let err = Config::from_vars(&env).unwrap_err();
        assert!(err.0[0].starts_with("DATABASE_SSLMODE must be one of"), "{err}");
    }
}
