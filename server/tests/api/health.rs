use serde_json::Value;

engine_tests! {
    async fn health_reports_up_with_system_info_and_database(app: TestApp) {
        let response = app.get("/health").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "up");
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        assert!(body["uptime"].is_u64());
        let start_time = body["start_time"].as_i64().expect("start_time is a Unix timestamp number");
        let now = chrono::Utc::now().timestamp();
        assert!((now - 600..=now).contains(&start_time), "started within the last minutes: {start_time}");
        assert_eq!(body["database"]["status"], "ok");
        let engine = match app.db.engine() {
            app::server::Engine::Sqlite => "sqlite",
            app::server::Engine::Postgres => "postgres",
        };
        assert_eq!(body["database"]["engine"], engine);
        let info = &body["system_info"];
        for key in ["total_memory", "used_memory", "total_swap", "used_swap"] {
            assert!(info[key].is_u64(), "{key} is a number: {info}");
        }
        assert!(info["total_memory"].as_u64().unwrap() > 0);
        assert!(info["cpu_usage"].is_number());
        let percent = info["memory_usage_percent"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&percent));
        for key in ["hostname", "os_name", "os_version", "kernel_version"] {
            assert!(info[key].is_string(), "{key} is a string: {info}");
        }
    }

    async fn health_is_degraded_with_503_when_the_database_is_down(app: TestApp) {
        app.db.close().await;
        let response = app.get("/health").await;
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "degraded");
        assert_eq!(body["database"]["status"], "error");
    }
}
