use openmetrics_parser::{prometheus::parse_prometheus, MetricsExposition, PrometheusType, PrometheusValue};

use crate::helpers::{api_client, free_port, TestApp, STRONG_PASSWORD};

const TOKEN: &str = "metrics-token-0123456789-abcdefgh";

type Scrape = MetricsExposition<PrometheusType, PrometheusValue>;

/// Fetches `/metrics` and parses it as Prometheus text (the parser also checks that
/// every counter ends in `_total` and that samples match their family's type).
async fn scrape_url(url: &str, token: Option<&str>) -> Scrape {
    let mut request = api_client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    if std::env::var("SHOW_METRICS").is_ok() {
        eprintln!("{text}");
    }
    parse_prometheus(&text).unwrap_or_else(|error| panic!("Prometheus text parses: {error:?}\n{text}"))
}

/// The values of `metric`'s samples whose labels include `labels`.
fn values<'a>(scrape: &'a Scrape, metric: &str, labels: &[(&str, &str)]) -> Vec<&'a PrometheusValue> {
    let Some(family) = scrape.families.get(metric) else { return Vec::new() };
    family
        .iter_samples()
        .filter(|sample| {
            let set = sample.get_labelset().unwrap();
            labels.iter().all(|(name, value)| set.get_label_value(name) == Some(*value))
        })
        .map(|sample| &sample.value)
        .collect()
}

fn kind(scrape: &Scrape, metric: &str) -> PrometheusType {
    scrape.families.get(metric).unwrap_or_else(|| panic!("{metric} is exposed")).family_type.clone()
}

/// A family's label names, sorted (the parser does not keep their order).
fn label_names(scrape: &Scrape, metric: &str) -> Vec<String> {
    let mut names = scrape.families[metric].get_label_names().to_vec();
    names.sort();
    names
}

fn counter(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    values(scrape, metric, labels)
        .into_iter()
        .map(|value| match value {
            PrometheusValue::Counter(counter) => counter.value.as_f64(),
            other => panic!("{metric} is a counter, got {other:?}"),
        })
        .sum::<f64>()
        + 0.0
}

fn gauge(scrape: &Scrape, metric: &str) -> f64 {
    match values(scrape, metric, &[]).first().unwrap_or_else(|| panic!("{metric} has a sample")) {
        PrometheusValue::Gauge(value) => value.as_f64(),
        other => panic!("{metric} is a gauge, got {other:?}"),
    }
}

engine_tests! {
    async fn metrics_are_not_served_unless_configured(app: TestApp) {
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 404);
    }

    async fn metrics_on_the_main_listener_need_the_bearer_token(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("METRICS_TOKEN", TOKEN)]).await;
        for token in [None, Some("wrong-token-wrong-token-wrong")] {
            let mut request = api_client().get(app.url("/metrics"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{token:?}");
            assert!(!response.text().await.unwrap().contains("api_"));
        }
        scrape_url(&app.url("/metrics"), Some(TOKEN)).await;
    }

    async fn metrics_count_requests_by_route_template_and_statements_by_table(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("METRICS_TOKEN", TOKEN)]).await;
        let admin = app.create_admin().await;
        for id in ["0192a5b0-0000-7000-8000-000000000001", "0192a5b0-0000-7000-8000-000000000002"] {
            let response = api_client().get(app.url(&format!("/api/users/{id}"))).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(response.status(), 404);
        }
        for path in ["/no/such/page-1", "/no/such/page-2", "/pkg/missing-1.js"] {
            app.get(path).await;
        }
        app.login("root", "Wrong-Password-99!").await;
        app.login("root", STRONG_PASSWORD).await;

        let scrape = scrape_url(&app.url("/metrics"), Some(TOKEN)).await;
        let by_template = [("method", "GET"), ("path", "/api/users/{id}"), ("status", "404")];
        assert_eq!(counter(&scrape, "api_http_requests_total", &by_template), 2.0);
        assert!(counter(&scrape, "api_http_requests_total", &[("path", "unmatched")]) >= 2.0);
        assert!(counter(&scrape, "api_http_requests_total", &[("path", "static")]) >= 1.0);
        // No raw path ever becomes a label.
        for sample in scrape.families["api_http_requests_total"].iter_samples() {
            let path = sample.get_labelset().unwrap().get_label_value("path").unwrap().to_string();
            assert!(!path.contains("0192a5b0") && !path.contains("page-1"), "raw path label {path}");
        }
        let durations = values(&scrape, "api_http_request_duration_seconds", &[("method", "GET"), ("path", "/api/users/{id}")]);
        match durations.first().expect("a duration histogram") {
            PrometheusValue::Histogram(histogram) => assert_eq!(histogram.count, Some(2)),
            other => panic!("a histogram, got {other:?}"),
        }
        assert!(counter(&scrape, "api_db_queries_total", &[("type", "select"), ("table", "users")]) >= 2.0);
        assert!(counter(&scrape, "api_db_queries_total", &[("type", "insert")]) >= 1.0);
        assert!(!values(&scrape, "api_db_query_duration_seconds", &[("type", "select"), ("table", "users")]).is_empty());
        assert!(gauge(&scrape, "api_active_connections") >= 1.0);
        assert!(gauge(&scrape, "api_memory_usage_bytes") > 1_000_000.0);
        assert_eq!(counter(&scrape, "api_logins_total", &[("outcome", "failure")]), 1.0);
        assert!(counter(&scrape, "api_logins_total", &[("outcome", "success")]) >= 2.0);
        assert!(!values(&scrape, "api_db_pool_connections", &[("state", "idle")]).is_empty());
        assert!(!values(&scrape, "api_mail_outbox_pending", &[]).is_empty());
        assert_eq!(values(&scrape, "api_build_info", &[("version", env!("CARGO_PKG_VERSION"))]).len(), 1);
        let expected = [
            ("api_http_requests_total", PrometheusType::Counter, &["method", "path", "status"][..]),
            ("api_http_request_duration_seconds", PrometheusType::Histogram, &["method", "path"]),
            ("api_db_queries_total", PrometheusType::Counter, &["type", "table"]),
            ("api_db_query_duration_seconds", PrometheusType::Histogram, &["type", "table"]),
            ("api_active_connections", PrometheusType::Gauge, &[]),
            ("api_memory_usage_bytes", PrometheusType::Gauge, &[]),
            ("api_websocket_connections", PrometheusType::Gauge, &[]),
            ("api_chat_messages_total", PrometheusType::Counter, &[]),
            ("api_mail_delivery_failures_total", PrometheusType::Counter, &[]),
            ("api_logins_total", PrometheusType::Counter, &["outcome"]),
            ("api_db_pool_connections", PrometheusType::Gauge, &["state"]),
            ("api_build_info", PrometheusType::Gauge, &["version"]),
        ];
        for (name, expected_kind, expected_labels) in expected {
            assert_eq!(kind(&scrape, name), expected_kind, "{name}");
            let mut expected_labels = expected_labels.to_vec();
            expected_labels.sort();
            assert_eq!(label_names(&scrape, name), expected_labels, "{name}");
        }
    }

    async fn metrics_on_their_own_listener_stay_off_the_main_one(app: TestApp) {
        let port = free_port();
        let app = TestApp::spawn_with(app.engine, &[("METRICS_ADDR", &format!("127.0.0.1:{port}"))]).await;
        assert_eq!(app.get("/metrics").await.status(), 404);
        app.get("/health").await;
        let scrape = scrape_url(&format!("http://127.0.0.1:{port}/metrics"), None).await;
        assert_eq!(counter(&scrape, "api_http_requests_total", &[("path", "/health")]), 1.0);
    }

    async fn each_server_instance_counts_only_its_own_work(app: TestApp) {
        let first = TestApp::spawn_with(app.engine, &[("METRICS_TOKEN", TOKEN)]).await;
        let second = TestApp::spawn_with(app.engine, &[("METRICS_TOKEN", TOKEN)]).await;
        for _ in 0..3 {
            first.login("nobody", "Wrong-Password-99!").await;
        }
        let first_scrape = scrape_url(&first.url("/metrics"), Some(TOKEN)).await;
        let second_scrape = scrape_url(&second.url("/metrics"), Some(TOKEN)).await;
        assert_eq!(counter(&first_scrape, "api_logins_total", &[("outcome", "failure")]), 3.0);
        assert_eq!(counter(&second_scrape, "api_logins_total", &[("outcome", "failure")]), 0.0);
        let first_users = counter(&first_scrape, "api_db_queries_total", &[("type", "select"), ("table", "users")]);
        let second_users = counter(&second_scrape, "api_db_queries_total", &[("type", "select"), ("table", "users")]);
        assert!(first_users >= 3.0 && second_users < first_users, "{first_users} vs {second_users}");
    }
}
