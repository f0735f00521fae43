//! The Prometheus metrics of one server instance: one registry per [`Metrics`], never a
//! process-wide one, so servers started side by side (tests) count apart. Recording is
//! atomic adds on label sets created once; nothing here takes a lock another request
//! waits on for long.

use std::fmt::Write as _;

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet, EncodeLabelValue},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: &'static str,
    pub path: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueryLabels {
    pub r#type: QueryType,
    pub table: String,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum QueryType {
    select,
    insert,
    update,
    delete,
    other,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum LoginOutcome {
    success,
    failure,
    lockout,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: LoginOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PathLabels {
    path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// Figures read when scraped rather than counted as they happen.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    pub resident_memory_bytes: i64,
    pub pool_in_use: i64,
    pub pool_idle: i64,
    pub outbox_pending: i64,
    pub outbox_given_up: i64,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram>,
    db_queries: Family<QueryLabels, Counter>,
    db_duration: Family<QueryLabels, Histogram>,
    active_connections: Gauge,
    memory: Gauge,
    websockets: Gauge,
    chat_messages: Counter,
    outbox_pending: Gauge,
    outbox_given_up: Gauge,
    mail_failures: Counter,
    logins: Family<OutcomeLabels, Counter>,
    rate_limited: Family<PathLabels, Counter>,
    pool: Family<StateLabels, Gauge>,
}

fn seconds_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(seconds_histogram as fn() -> _);
        let db_queries = Family::<QueryLabels, Counter>::default();
        let db_duration = Family::<QueryLabels, Histogram>::new_with_constructor(seconds_histogram as fn() -> _);
        let metrics = Self {
            http_requests,
            http_duration,
            db_queries,
            db_duration,
            active_connections: Gauge::default(),
            memory: Gauge::default(),
            websockets: Gauge::default(),
            chat_messages: Counter::default(),
            outbox_pending: Gauge::default(),
            outbox_given_up: Gauge::default(),
            mail_failures: Counter::default(),
            logins: Family::default(),
            rate_limited: Family::default(),
            pool: Family::default(),
            registry: Registry::default(),
        };
        // Counters get their `_total` suffix from the encoder.
        registry.register(
            "api_http_requests",
            "HTTP requests answered, by route template",
            metrics.http_requests.clone(),
        );
        registry.register(
            "api_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response head), by route template",
            metrics.http_duration.clone(),
        );
        registry.register(
            "api_db_queries",
            "Database statements run, by kind and first table",
            metrics.db_queries.clone(),
        );
        registry.register(
            "api_db_query_duration_seconds",
            "Time a database statement took, by kind and first table",
            metrics.db_duration.clone(),
        );
        registry.register("api_active_connections", "Open client TCP connections", metrics.active_connections.clone());
        registry.register("api_memory_usage_bytes", "Resident memory of this process", metrics.memory.clone());
        registry.register("api_websocket_connections", "Open chat WebSockets", metrics.websockets.clone());
        registry.register(
            "api_chat_messages",
            "Chat messages accepted from this instance's sockets",
            metrics.chat_messages.clone(),
        );
        registry.register(
            "api_mail_outbox_pending",
            "Mails waiting in the shared outbox (all instances)",
            metrics.outbox_pending.clone(),
        );
        registry.register(
            "api_mail_outbox_given_up",
            "Mails in the shared outbox whose retries ran out (all instances)",
            metrics.outbox_given_up.clone(),
        );
        registry.register(
            "api_mail_delivery_failures",
            "Failed mail delivery attempts by this instance",
            metrics.mail_failures.clone(),
        );
        registry.register("api_logins", "Login attempts with a password, by outcome", metrics.logins.clone());
        registry.register(
            "api_rate_limit_rejections",
            "Requests refused with 429, by route template",
            metrics.rate_limited.clone(),
        );
        registry.register("api_db_pool_connections", "Database pool connections, by state", metrics.pool.clone());
        let build = Family::<BuildLabels, Gauge>::default();
        build.get_or_create(&BuildLabels { version: env!("CARGO_PKG_VERSION") }).set(1);
        registry.register("api_build_info", "The running build (always 1)", build);
        Self { registry, ..metrics }
    }

    pub fn request(&self, method: &'static str, path: &str, status: u16, seconds: f64) {
        self.http_requests.get_or_create(&HttpLabels { method, path: path.to_string(), status }).inc();
        self.http_duration.get_or_create(&RouteLabels { method, path: path.to_string() }).observe(seconds);
        if status == 429 {
            self.rate_limited.get_or_create(&PathLabels { path: path.to_string() }).inc();
        }
    }

    /// Counts one statement of SQL text `sql` (as sent, so its table names are ours).
    pub fn query(&self, sql: &str, seconds: f64) {
        let (r#type, table) = classify(sql);
        let labels = QueryLabels { r#type, table: table.to_string() };
        self.db_queries.get_or_create(&labels).inc();
        self.db_duration.get_or_create(&labels).observe(seconds);
    }

    pub fn connection_opened(&self) {
        self.active_connections.inc();
    }

    pub fn connection_closed(&self) {
        self.active_connections.dec();
    }

    pub fn websocket_opened(&self) {
        self.websockets.inc();
    }

    pub fn websocket_closed(&self) {
        self.websockets.dec();
    }

    pub fn chat_message(&self) {
        self.chat_messages.inc();
    }

    pub fn mail_failed(&self) {
        self.mail_failures.inc();
    }

    pub fn login(&self, outcome: LoginOutcome) {
        self.logins.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The Prometheus text exposition, with the scrape-time figures in `snapshot`.
    pub fn encode(&self, snapshot: Snapshot) -> String {
        self.memory.set(snapshot.resident_memory_bytes);
        self.pool.get_or_create(&StateLabels { state: "in_use" }).set(snapshot.pool_in_use);
        self.pool.get_or_create(&StateLabels { state: "idle" }).set(snapshot.pool_idle);
        self.outbox_pending.set(snapshot.outbox_pending);
        self.outbox_given_up.set(snapshot.outbox_given_up);
        let mut text = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        prometheus_text(&text)
    }
}

/// The classic Prometheus text format (0.0.4) of an OpenMetrics exposition, which every
/// Prometheus scraper and parser reads: a counter's HELP and TYPE lines name its samples
/// (`x_total`), and there is no `# EOF`.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: Vec<&str> =
        openmetrics.lines().filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut text = String::with_capacity(openmetrics.len() + 16 * counters.len());
    for line in openmetrics.lines() {
        if line == "# EOF" {
            continue;
        }
        let comment = ["# HELP ", "# TYPE "].into_iter().find(|prefix| line.starts_with(prefix));
        match comment {
            Some(prefix) => {
                let rest = &line[prefix.len()..];
                let name = rest.split(' ').next().unwrap_or_default();
                if counters.contains(&name) {
                    let _ = writeln!(text, "{prefix}{name}_total{}", &rest[name.len()..]);
                } else {
                    let _ = writeln!(text, "{line}");
                }
            }
            None => {
                let _ = writeln!(text, "{line}");
            }
        }
    }
    text
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The statement's kind and the first table it names: `INSERT INTO t`, `UPDATE t`,
/// `DELETE FROM t`, or the first `FROM`/`JOIN` of anything else. Table names come from
/// our own SQL, so the label set is bounded; anything odd is `other`.
pub fn classify(sql: &str) -> (QueryType, &str) {
    let mut words =
        sql.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',').filter(|w| !w.is_empty());
    let Some(first) = words.next() else { return (QueryType::other, "none") };
    let kind = match first.to_ascii_lowercase().as_str() {
        "select" | "with" => QueryType::select,
        "insert" => QueryType::insert,
        "update" => QueryType::update,
        "delete" => QueryType::delete,
        _ => QueryType::other,
    };
    let table = match kind {
        QueryType::update => words.next(),
        QueryType::insert | QueryType::delete => {
            words.find(|w| w.eq_ignore_ascii_case("into") || w.eq_ignore_ascii_case("from")).and_then(|_| words.next())
        }
        QueryType::select => {
            words.find(|w| w.eq_ignore_ascii_case("from") || w.eq_ignore_ascii_case("join")).and_then(|_| words.next())
        }
        QueryType::other => None,
    };
    let table = table.filter(|t| {
        !t.is_empty() && t.len() <= 40 && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
    });
    // A `WITH` query's first FROM names its common table expression's source, which is
    // still the table read.
    (kind, table.unwrap_or("none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_labelled_by_kind_and_first_table() {
        assert_eq!(classify("SELECT id, name FROM users WHERE id = $1"), (QueryType::select, "users"));
        assert_eq!(
            classify("  select count(*) from posts p JOIN users u ON u.id = p.author_id"),
            (QueryType::select, "posts")
        );
        assert_eq!(classify("INSERT INTO rate_limits (bucket) VALUES ($1)"), (QueryType::insert, "rate_limits"));
        assert_eq!(classify("UPDATE mail_outbox SET sent_at = $2"), (QueryType::update, "mail_outbox"));
        assert_eq!(classify("DELETE FROM sessions WHERE expiry < $1"), (QueryType::delete, "sessions"));
        assert_eq!(classify("SELECT 1"), (QueryType::select, "none"));
        assert_eq!(classify("PRAGMA journal_mode = WAL"), (QueryType::other, "none"));
        assert_eq!(classify("SELECT * FROM \"Weird Table\""), (QueryType::select, "none"));
        assert_eq!(classify(""), (QueryType::other, "none"));
    }

    #[test]
    fn the_exposition_names_every_metric_with_its_type() {
        let metrics = Metrics::new();
        metrics.request("GET", "/blog/{slug}", 200, 0.01);
        metrics.query("SELECT id FROM users", 0.001);
        metrics.login(LoginOutcome::failure);
        let text = metrics.encode(Snapshot::default());
        for line in [
            "# TYPE api_http_requests_total counter",
            "# HELP api_http_requests_total HTTP requests",
            "api_http_requests_total{method=\"GET\",path=\"/blog/{slug}\",status=\"200\"} 1",
            "# TYPE api_http_request_duration_seconds histogram",
            "api_db_queries_total{type=\"select\",table=\"users\"} 1",
            "# TYPE api_active_connections gauge",
            "# TYPE api_memory_usage_bytes gauge",
            "api_logins_total{outcome=\"failure\"} 1",
            "api_build_info{version=",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(!text.contains("# EOF"));
    }
}
