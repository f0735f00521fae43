//! Mail delivery through a real SMTP conversation: queued while the server is down,
//! delivered once it answers.

use std::{sync::Arc, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::Mutex,
};

use crate::helpers::{free_port, Engine, TestApp, STRONG_PASSWORD};

/// A minimal SMTP server on `port` that accepts every message and keeps its data.
async fn start_smtp_server(port: u16) -> Arc<Mutex<Vec<String>>> {
    let received = Arc::new(Mutex::new(Vec::new()));
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().await.push(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or_default().to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test.local\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    received
}

async fn activation_mail_state(app: &TestApp) -> (i64, Option<i64>) {
    sqlx::query_as("SELECT attempts, sent_at FROM mail_outbox WHERE subject = 'Activate your account'")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn kept_while_smtp_is_down_and_delivered_when_it_returns(engine: Engine) {
    let port = free_port();
    let port_text = port.to_string();
    let smtp = [("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", port_text.as_str()), ("SMTP_SECURITY", "none")];
    let app = TestApp::spawn_with(engine, &smtp).await;

    assert_eq!(
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await.status(),
        200,
        "signup succeeds with SMTP down"
    );
    let mut failed_attempts = 0;
    for _ in 0..100 {
        let (attempts, sent) = activation_mail_state(&app).await;
        assert_eq!(sent, None);
        if attempts > 0 {
            failed_attempts = attempts;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed_attempts > 0, "a delivery was attempted and failed");

    let received = start_smtp_server(port).await;
    for _ in 0..200 {
        if activation_mail_state(&app).await.1.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(activation_mail_state(&app).await.1.is_some(), "the queue drained once SMTP answered");
    let messages = received.lock().await;
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Subject: Activate your account"), "{}", messages[0]);
    assert!(messages[0].contains("Content-Type: multipart/alternative"), "text and HTML parts");
}

mod mail_is_kept_while_smtp_is_down_and_delivered_when_it_returns {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        kept_while_smtp_is_down_and_delivered_when_it_returns(Engine::Sqlite).await
    }

    #[tokio::test]
    async fn postgres() {
        kept_while_smtp_is_down_and_delivered_when_it_returns(Engine::Postgres).await
    }
}
