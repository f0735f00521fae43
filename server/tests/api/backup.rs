//! `server backup` / `server restore`, run as the real binary beside a serving server.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::json;

use crate::helpers::{within_limit, Engine, TestApp};

/// Runs `server <args>` with `vars` as its whole environment: (success, stdout + stderr).
async fn server_command(vars: &HashMap<String, String>, args: &[&str]) -> (bool, String) {
    let vars = vars.clone();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .envs(&vars)
            .env("RUST_LOG", "error")
            .args(&args)
            .output()
            .expect("the server binary runs");
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    })
    .await
    .unwrap()
}

async fn slugs_in(database_url: &str) -> Vec<String> {
    let db = app::server::Db::connect(&app::server::DbSettings {
        url: database_url.to_string(),
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    let slugs = sqlx::query_scalar("SELECT slug FROM post_slugs").fetch_all(db.pool()).await.unwrap();
    db.close().await;
    slugs
}

#[tokio::test]
async fn backup_under_write_load_keeps_every_write_acknowledged_before_it_started() {
    within_limit(async {
        let app = TestApp::spawn_with(Engine::Sqlite, &[("POST_RATE_LIMIT_PER_HOUR", "100000")]).await;
        let token = app.writer("wren").await;
        let dir = tempfile::tempdir().unwrap();

        // Two writers publish posts without pause; each records when its post was acknowledged.
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(Vec::<(Instant, String)>::new()));
        let app = Arc::new(app);
        let writers: Vec<_> = (0..2)
            .map(|writer| {
                let (app, token, stop, acknowledged) = (app.clone(), token.clone(), stop.clone(), acknowledged.clone());
                tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let title = format!("Under load {writer}-{n}");
                        let article =
                            json!({"article": {"title": title, "description": "d", "body": "b", "tagList": []}});
                        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(article)).await;
                        assert_eq!(status, 201, "{body}");
                        let slug = body["article"]["slug"].as_str().unwrap().to_string();
                        acknowledged.lock().unwrap().push((Instant::now(), slug));
                    }
                })
            })
            .collect();
        while acknowledged.lock().unwrap().len() < 20 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let backup = dir.path().join("nested/backup.db");
        let started = Instant::now();
        let (ok, output) = server_command(&app.vars, &["backup", backup.to_str().unwrap()]).await;
        assert!(ok, "backup failed: {output}");
        assert!(output.contains("Backed up"), "{output}");
        // Writes go on after the copy; then stop them.
        let after_backup = acknowledged.lock().unwrap().len();
        while acknowledged.lock().unwrap().len() < after_backup + 5 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.await.unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();

        // Restore into a fresh place, as on a new machine, and read it back.
        let restored_url = format!("sqlite://{}?mode=rwc", dir.path().join("restored/app.db").display());
        let mut vars = app.vars.clone();
        vars.insert("DATABASE_URL".into(), restored_url.clone());
        let (ok, output) = server_command(&vars, &["restore", backup.to_str().unwrap()]).await;
        assert!(ok, "restore failed: {output}");
        let restored = slugs_in(&restored_url).await;
        let before: Vec<&String> = acknowledged.iter().filter(|(at, _)| *at < started).map(|(_, slug)| slug).collect();
        assert!(before.len() >= 20);
        for slug in &before {
            assert!(restored.contains(slug), "{slug}, acknowledged before the backup began, is missing");
        }
        let all: Vec<&String> = acknowledged.iter().map(|(_, slug)| slug).collect();
        assert!(restored.iter().all(|slug| all.contains(&slug)), "the copy holds only real writes");
        assert!(restored.len() < all.len(), "writes after the backup are not in it");

        // A server starts on the restored database and serves what it holds.
        let restored_app = TestApp::spawn_with(Engine::Sqlite, &[("DATABASE_URL", restored_url.as_str())]).await;
        let (status, _) = restored_app.conduit(Method::GET, &format!("/articles/{}", before[0]), None, None).await;
        assert_eq!(status, 200);
    })
    .await
}

#[tokio::test]
async fn restore_replaces_a_stopped_database_and_keeps_the_old_one() {
    within_limit(async {
        // The database lives outside the test server's own folder, which goes with it.
        let data = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}?mode=rwc", data.path().join("app.db").display());
        let app = TestApp::spawn_with(Engine::Sqlite, &[("DATABASE_URL", database_url.as_str())]).await;
        let token = app.writer("ivy").await;
        app.publish(&token, "Kept in the backup", "b", &[]).await;
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("backup.db");
        let (ok, output) = server_command(&app.vars, &["backup", backup.to_str().unwrap()]).await;
        assert!(ok, "{output}");
        // A second backup never overwrites the first.
        let (ok, output) = server_command(&app.vars, &["backup", backup.to_str().unwrap()]).await;
        assert!(!ok && output.contains("already exists"), "{output}");

        app.publish(&token, "Written after the backup", "b", &[]).await;
        let vars = app.vars.clone();
        drop(app);
        tokio::time::sleep(Duration::from_millis(300)).await;

        let (ok, output) = server_command(&vars, &["restore", backup.to_str().unwrap()]).await;
        assert!(ok, "{output}");
        assert!(output.contains("kept as"), "{output}");
        let slugs = slugs_in(&database_url).await;
        assert!(slugs.iter().any(|s| s.starts_with("kept-in-the-backup")), "{slugs:?}");
        assert!(!slugs.iter().any(|s| s.starts_with("written-after-the-backup")), "{slugs:?}");
        let kept = std::fs::read_dir(
            std::path::Path::new(database_url.trim_start_matches("sqlite://").split('?').next().unwrap())
                .parent()
                .unwrap(),
        )
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().contains(".before-restore-"))
        .count();
        assert!(kept >= 1, "the replaced database is kept");
    })
    .await
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_backup_or_a_running_server() {
    within_limit(async {
        let app = TestApp::spawn(Engine::Sqlite).await;
        let dir = tempfile::tempdir().unwrap();

        let missing = dir.path().join("missing.db");
        let (ok, output) = server_command(&app.vars, &["restore", missing.to_str().unwrap()]).await;
        assert!(!ok && output.contains("no backup file"), "{output}");

        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, b"this is not a database at all, just some text").unwrap();
        let (ok, output) = server_command(&app.vars, &["restore", garbage.to_str().unwrap()]).await;
        assert!(!ok && output.contains("not a usable backup"), "{output}");

        let backup = dir.path().join("backup.db");
        let (ok, output) = server_command(&app.vars, &["backup", backup.to_str().unwrap()]).await;
        assert!(ok, "{output}");
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut vars = app.vars.clone();
        vars.insert("LISTEN_ADDR".into(), taken.local_addr().unwrap().to_string());
        let (ok, output) = server_command(&vars, &["restore", backup.to_str().unwrap()]).await;
        assert!(!ok && output.contains("stop the server"), "{output}");
    })
    .await
}

#[tokio::test]
async fn postgres_backups_point_at_pg_dump() {
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"),
        ("SECRET_KEY", crate::helpers::TEST_SECRET),
        ("APP_ENV", "development"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (ok, output) = server_command(&vars, &["backup", "/tmp/never-written.dump"]).await;
    assert!(!ok && output.contains("pg_dump --format=custom"), "{output}");
    let (ok, output) = server_command(&vars, &["restore", "/tmp/never-written.dump"]).await;
    assert!(!ok && output.contains("pg_restore"), "{output}");
}
