//! Property test: random JSON bodies sent to every API route, anonymously and as an
//! admin, never get a 5xx answer. Seeded, so a failure can be replayed.

use rand::{rngs::StdRng, Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD};

const ROUTES: [(&str, &str); 14] = [
    ("POST", "/api/auth/token"),
    ("DELETE", "/api/auth/token"),
    ("POST", "/api/auth/generate-token"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/validate-token"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("PUT", "/api/auth/update-password"),
    ("PUT", "/api/auth/update-info"),
    ("POST", "/api/users"),
    ("GET", "/api/users"),
    ("PUT", "/api/users/some-id"),
    ("DELETE", "/api/users/some-id"),
];

const KEYS: [&str; 14] = [
    "username",
    "email",
    "password",
    "name",
    "new_name",
    "old_password",
    "new_password",
    "refresh_token",
    "username_or_email",
    "role",
    "active",
    "phone_number",
    "full_name",
    "limit",
];

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random_range(-1_000_000_i64..1_000_000)),
        3 => json!(rng.random::<f64>() * 1e12),
        4 => {
            let len = rng.random_range(0..80);
            Value::String((0..len).map(|_| char::from_u32(rng.random_range(0..0x2FF)).unwrap_or('?')).collect())
        }
        5 => Value::Array((0..rng.random_range(0..4)).map(|_| random_value(rng, depth - 1)).collect()),
        _ => Value::Object(random_object(rng, depth - 1)),
    }
}

fn random_object(rng: &mut StdRng, depth: u32) -> Map<String, Value> {
    (0..rng.random_range(0..6))
        .map(|_| {
            let key = if rng.random_bool(0.8) {
                KEYS[rng.random_range(0..KEYS.len())].to_string()
            } else {
                "x".repeat(rng.random_range(1..5))
            };
            let value =
                if rng.random_bool(0.5) { Value::String(STRONG_PASSWORD.into()) } else { random_value(rng, depth) };
            (key, value)
        })
        .collect()
}

engine_tests! {
    async fn random_json_to_every_api_route_never_gets_a_5xx(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("AUTH_RATE_LIMIT_PER_MINUTE", "100000")]).await;
        app.create_active_user("root", "root@example.com", STRONG_PASSWORD).await;
        sqlx::query("UPDATE users SET role = 'admin'").execute(app.db.pool()).await.unwrap();
        let login: Value = reqwest::Client::new()
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "root", "password": STRONG_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let admin = format!("Bearer {}", login["token"].as_str().unwrap());
        let client = reqwest::Client::new();
        let mut rng = StdRng::seed_from_u64(0x5eed);
        for round in 0..12 {
            for (method, path) in ROUTES {
                let body = if rng.random_bool(0.85) { Value::Object(random_object(&mut rng, 2)) } else { random_value(&mut rng, 2) };
                let mut request = client.request(Method::from_bytes(method.as_bytes()).unwrap(), app.url(path)).json(&body);
                if round % 2 == 0 {
                    request = request.header("authorization", &admin);
                }
                let response = request.send().await.unwrap();
                assert!(response.status().as_u16() < 500, "{method} {path} with {body} -> {}", response.status());
            }
        }
    }
}
