//! `GET /health`: liveness, version, uptime, host figures and a database round trip.
//! Answers 200 with status `up`, or 503 with status `degraded` when the database does not
//! answer.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::server::Db;
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use chrono::Utc;
use serde::Serialize;
use sysinfo::System;

const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct HealthState {
    db: Db,
    started: Instant,
    /// Unix seconds.
    start_time: i64,
    system: Arc<Mutex<System>>,
}

impl HealthState {
    pub fn new(db: Db) -> Self {
        let mut system = System::new();
        // CPU usage is a difference between two readings; take the first one now.
        system.refresh_cpu_usage();
        Self { db, started: Instant::now(), start_time: Utc::now().timestamp(), system: Arc::new(Mutex::new(system)) }
    }
}

pub fn router<S>(state: HealthState) -> Router<S> {
    Router::new().route("/health", get(health)).with_state(state)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    /// Seconds since the process started.
    uptime: u64,
    /// When the process started, as a Unix timestamp (seconds).
    start_time: i64,
    database: DatabaseCheck,
    system_info: SystemInfo,
}

#[derive(Serialize)]
struct DatabaseCheck {
    status: &'static str,
    engine: &'static str,
    latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

#[derive(Serialize)]
struct SystemInfo {
    cpu_usage: f32,
    total_memory: u64,
    used_memory: u64,
    memory_usage_percent: f64,
    total_swap: u64,
    used_swap: u64,
    hostname: String,
    os_name: String,
    os_version: String,
    kernel_version: String,
}

async fn health(State(state): State<HealthState>) -> impl IntoResponse {
    let database = check_database(&state.db).await;
    let system = state.system.clone();
    // Reading /proc is blocking I/O: keep it off the async workers.
    let system_info = tokio::task::spawn_blocking(move || {
        let mut system = system.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        read_system_info(&mut system)
    })
    .await
    .expect("system info task does not panic");

    let healthy = database.status == "ok";
    let body = Health {
        status: if healthy { "up" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        uptime: state.started.elapsed().as_secs(),
        start_time: state.start_time,
        database,
        system_info,
    };
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [("cache-control", "no-store")], Json(body))
}

async fn check_database(db: &Db) -> DatabaseCheck {
    let engine = match db.engine() {
        app::server::Engine::Sqlite => "sqlite",
        app::server::Engine::Postgres => "postgres",
    };
    let started = Instant::now();
    let error = match tokio::time::timeout(DATABASE_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            Some("database did not answer")
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            Some("database timed out")
        }
    };
    DatabaseCheck {
        status: if error.is_none() { "ok" } else { "error" },
        engine,
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error,
    }
}

fn read_system_info(system: &mut System) -> SystemInfo {
    system.refresh_cpu_usage();
    system.refresh_memory();
    let total_memory = system.total_memory();
    let used_memory = system.used_memory();
    SystemInfo {
        cpu_usage: system.global_cpu_usage(),
        total_memory,
        used_memory,
        memory_usage_percent: percent(used_memory, total_memory),
        total_swap: system.total_swap(),
        used_swap: system.used_swap(),
        hostname: System::host_name().unwrap_or_default(),
        os_name: System::name().unwrap_or_default(),
        os_version: System::os_version().unwrap_or_default(),
        kernel_version: System::kernel_version().unwrap_or_default(),
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn memory_percent_is_rounded_to_two_places_and_safe_on_zero() {
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(5, 5), 100.0);
        assert_eq!(percent(5, 0), 0.0);
    }
}
