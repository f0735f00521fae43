//! HTTPS and WSS served by the process: a CA and certificates made in the test, HTTP/1.1
//! and HTTP/2 by ALPN, chat over `wss://`, a certificate swapped while serving, and the
//! start refused, naming the file, for certificates that cannot be served.

use std::{path::Path, sync::Arc, time::Duration};

use futures_util::StreamExt;
use rcgen::{BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair};
use rustls::{pki_types::ServerName, ClientConfig, RootCertStore};
use serde_json::Value;
use server::{Application, Config};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{free_port, within_limit, Engine, TestApp, STRONG_PASSWORD, TEST_SECRET};

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "Commonplace test CA");
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self { cert, key }
    }

    /// A certificate for `localhost` named `name`, valid from `from` to `until` (years).
    fn issue(&self, name: &str, from: i32, until: i32) -> (String, String) {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.not_before = rcgen::date_time_ymd(from, 1, 1);
        params.not_after = rcgen::date_time_ymd(until, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn valid(&self, name: &str) -> (String, String) {
        self.issue(name, 2020, 2090)
    }

    fn client_config(&self, alpn: &[&[u8]]) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots.add(self.cert.der().clone()).unwrap();
        let mut config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    /// A TLS connection to `localhost` on `port`, offering `alpn`.
    async fn connect(&self, port: u16, alpn: &[&[u8]]) -> tokio_rustls::client::TlsStream<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        TlsConnector::from(self.client_config(alpn))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .expect("handshake")
    }

    fn https_client(&self, port: u16, http2: bool) -> reqwest::Client {
        let builder = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(self.cert.pem().as_bytes()).unwrap())
            .resolve("localhost", ([127, 0, 0, 1], port).into())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20));
        let builder = if http2 { builder } else { builder.http1_only() };
        builder.build().unwrap()
    }
}

fn write(path: &Path, contents: &str) {
    // Written aside and renamed in, as a deploy would, so a reload never reads half a file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, contents).unwrap();
    std::fs::rename(partial, path).unwrap();
}

/// A CA, a folder holding a valid certificate named "first" and its key, and a plain
/// HTTP server for the test's set-up.
async fn serving_first() -> (Ca, tempfile::TempDir, TestApp) {
    let ca = Ca::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = ca.valid("first");
    write(&dir.path().join("cert.pem"), &cert);
    write(&dir.path().join("key.pem"), &key);
    (ca, dir, TestApp::spawn(Engine::Sqlite).await)
}

/// A TLS server on the database of `plain` (which the test uses for set-up over HTTP).
async fn https_beside(plain: &TestApp, dir: &Path, extra: &[(&str, &str)]) -> (TestApp, u16) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let mut vars = vec![
        ("ENABLE_HTTPS", "true"),
        ("SSL_CERT_PATH", cert.to_str().unwrap()),
        ("SSL_KEY_PATH", key.to_str().unwrap()),
        ("PUBLIC_URL", "https://localhost"),
        ("LISTEN_ADDR", listen.as_str()),
        ("DATABASE_URL", plain.vars["DATABASE_URL"].as_str()),
    ];
    vars.extend_from_slice(extra);
    (TestApp::spawn_with(plain.engine, &vars).await, port)
}

/// The common name of the certificate the server at `port` presents.
async fn served_name(ca: &Ca, port: u16) -> String {
    let tls = ca.connect(port, &[]).await;
    let leaf = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
    let (_, parsed) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let name = parsed.subject().iter_common_name().next().unwrap().as_str().unwrap().to_string();
    name
}

#[tokio::test]
async fn https_answers_http1_and_http2_with_secure_cookies_and_hsts() {
    within_limit(async {
        let (ca, dir, plain) = serving_first().await;
        plain.create_active_user("tess", "tess@example.com", STRONG_PASSWORD).await;
        let (_https, port) = https_beside(&plain, dir.path(), &[]).await;

        for (http2, version) in [(false, reqwest::Version::HTTP_11), (true, reqwest::Version::HTTP_2)] {
            let client = ca.https_client(port, http2);
            let response = client.get(format!("https://localhost:{port}/health")).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.version(), version);
            assert!(response.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
            let page = client.get(format!("https://localhost:{port}/blog")).send().await.unwrap();
            assert_eq!(page.status(), 200);
            assert_eq!(page.version(), version);
        }

        let client = ca.https_client(port, true);
        let login = client
            .post(format!("https://localhost:{port}/fn/accounts/login"))
            .form(&[("login", "tess"), ("password", STRONG_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let cookie = login.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-session=") && cookie.contains("Secure"), "{cookie}");
    })
    .await
}

#[tokio::test]
async fn chat_works_over_wss() {
    within_limit(async {
        let (ca, dir, plain) = serving_first().await;
        plain.create_active_user("wes", "wes@example.com", STRONG_PASSWORD).await;
        let token = plain.api_token("wes").await;
        let (_https, port) = https_beside(&plain, dir.path(), &[]).await;

        let tls = ca.connect(port, &[b"http/1.1"]).await;
        let mut request = "wss://localhost/api/chat/ws".into_client_request().unwrap();
        request.headers_mut().insert("authorization", format!("Token {token}").parse().unwrap());
        let (mut socket, response) = tokio_tungstenite::client_async(request, tls).await.expect("wss upgrade");
        assert_eq!(response.status(), 101);
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
        let frame: Value = serde_json::from_str(frame.to_text().unwrap()).unwrap();
        assert_eq!(frame["type"], "authenticated", "{frame}");
    })
    .await
}

#[tokio::test]
async fn chat_works_over_websockets_on_http2() {
    within_limit(async {
        let (ca, dir, plain) = serving_first().await;
        plain.create_active_user("hana", "hana@example.com", STRONG_PASSWORD).await;
        let token = plain.api_token("hana").await;
        let (_https, port) = https_beside(&plain, dir.path(), &[]).await;

        let tls = ca.connect(port, &[b"h2"]).await;
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (client, connection) = h2::client::handshake(tls).await.unwrap();
        tokio::spawn(connection);
        let mut client = client.ready().await.unwrap();
        for _ in 0..50 {
            if client.is_extended_connect_protocol_enabled() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(client.is_extended_connect_protocol_enabled(), "the server offers RFC 8441");
        // RFC 8441: a WebSocket is an extended CONNECT stream.
        let mut request = axum::http::Request::builder()
            .method(axum::http::Method::CONNECT)
            .uri(format!("https://localhost:{port}/api/chat/ws"))
            .header("sec-websocket-version", "13")
            .header("authorization", format!("Token {token}"))
            .body(())
            .unwrap();
        request.extensions_mut().insert(h2::ext::Protocol::from_static("websocket"));
        let (response, _outgoing) = client.send_request(request, false).unwrap();
        let response = response.await.unwrap();
        assert_eq!(response.status(), 200);
        // The server's first WebSocket frame: unmasked text, short length.
        let mut body = response.into_body();
        let frame = tokio::time::timeout(Duration::from_secs(10), body.data()).await.unwrap().unwrap().unwrap();
        assert_eq!(frame[0], 0x81, "a final text frame");
        let (length, start) = match frame[1] & 0x7f {
            126 => (usize::from(u16::from_be_bytes([frame[2], frame[3]])), 4),
            short => (usize::from(short), 2),
        };
        let message: Value = serde_json::from_slice(&frame[start..start + length]).unwrap();
        assert_eq!(message["type"], "authenticated", "{message}");
    })
    .await
}

#[tokio::test]
async fn a_new_certificate_is_served_without_a_restart_and_a_bad_one_is_not() {
    within_limit(async {
        let (ca, dir, plain) = serving_first().await;
        let (_https, port) = https_beside(&plain, dir.path(), &[]).await;
        assert_eq!(served_name(&ca, port).await, "first");

        // Renewed in place: the key first, then the certificate.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (cert, key) = ca.valid("second");
        write(&dir.path().join("key.pem"), &key);
        write(&dir.path().join("cert.pem"), &cert);
        let mut served = String::new();
        for _ in 0..100 {
            served = served_name(&ca, port).await;
            if served == "second" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(served, "second", "the renewed certificate is served");

        // A broken renewal is refused and the working certificate stays.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        write(&dir.path().join("cert.pem"), "not a certificate");
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(served_name(&ca, port).await, "second");
    })
    .await
}

#[tokio::test]
async fn plain_http_can_redirect_to_https() {
    within_limit(async {
        let (_ca, dir, plain) = serving_first().await;
        let redirect_port = free_port();
        let redirect = format!("127.0.0.1:{redirect_port}");
        let (_https, _) = https_beside(&plain, dir.path(), &[("HTTP_REDIRECT_ADDR", redirect.as_str())]).await;
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = client.post(format!("http://{redirect}/blog/search?q=tls")).send().await.unwrap();
        assert_eq!(response.status(), 308);
        assert_eq!(response.headers()["location"], "https://localhost/blog/search?q=tls");
    })
    .await
}

/// `Application::build` with HTTPS on and these certificate files: the error, if any.
async fn start_error(cert: &Path, key: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("APP_ENV", "development".to_string()),
        ("LISTEN_ADDR", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display())),
        ("DATA_DIR", dir.path().display().to_string()),
        ("SECRET_KEY", TEST_SECRET.to_string()),
        ("ENABLE_HTTPS", "true".to_string()),
        ("PUBLIC_URL", "https://localhost".to_string()),
        ("SSL_CERT_PATH", cert.display().to_string()),
        ("SSL_KEY_PATH", key.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::from_vars(&vars).expect("the configuration itself is valid");
    match Application::build(config).await {
        Ok(_) => String::new(),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn certificates_that_cannot_be_served_stop_the_start_naming_the_file() {
    within_limit(async {
        let ca = Ca::new();
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        let (cert, key) = ca.valid("good");
        write(&path("cert.pem"), &cert);
        write(&path("key.pem"), &key);
        let (expired_cert, expired_key) = ca.issue("old", 2000, 2001);
        write(&path("expired.pem"), &expired_cert);
        write(&path("expired-key.pem"), &expired_key);
        let (_, other_key) = ca.valid("other");
        write(&path("other-key.pem"), &other_key);
        write(&path("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");

        let missing = start_error(&path("missing.pem"), &path("key.pem")).await;
        assert!(missing.contains("SSL_CERT_PATH") && missing.contains("missing.pem"), "{missing}");
        let missing_key = start_error(&path("cert.pem"), &path("missing-key.pem")).await;
        assert!(missing_key.contains("SSL_KEY_PATH") && missing_key.contains("missing-key.pem"), "{missing_key}");
        let expired = start_error(&path("expired.pem"), &path("expired-key.pem")).await;
        assert!(expired.contains("expired.pem") && expired.contains("expired on"), "{expired}");
        let mismatched = start_error(&path("cert.pem"), &path("other-key.pem")).await;
        assert!(mismatched.contains("does not belong") && mismatched.contains("other-key.pem"), "{mismatched}");
        let garbage = start_error(&path("garbage.pem"), &path("key.pem")).await;
        assert!(garbage.contains("SSL_CERT_PATH") && garbage.contains("garbage.pem"), "{garbage}");
        let not_a_key = start_error(&path("cert.pem"), &path("cert.pem")).await;
        assert!(not_a_key.contains("SSL_KEY_PATH"), "{not_a_key}");
        assert_eq!(start_error(&path("cert.pem"), &path("key.pem")).await, "", "a good pair starts");
    })
    .await
}
