//! HTTPS served by the process itself (`ENABLE_HTTPS`): rustls on ring terminates TLS,
//! ALPN offers HTTP/2 and HTTP/1.1, and the certificate is read again on SIGHUP or when
//! its files change, without a restart. A bad new certificate is logged and the one in
//! use stays. Also the optional plain-HTTP listener that only redirects to https.

use std::{
    io,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{Duration, SystemTime},
};

use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    serve::Listener,
    Router,
};
use rustls::{
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
    ServerConfig,
};
use rustls_pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use tokio_rustls::{server::TlsStream, TlsAcceptor};

/// A client has this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the certificate files are checked for a change.
const WATCH_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct TlsSettings {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// `HTTP_REDIRECT_ADDR`: a plain-HTTP listener answering every request with a
    /// redirect to the https site.
    pub redirect_addr: Option<SocketAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{var} {path}: cannot be read: {source}")]
    Unreadable { var: &'static str, path: String, source: io::Error },
    #[error("{var} {path}: {problem}")]
    Invalid { var: &'static str, path: String, problem: String },
    #[error("SSL_KEY_PATH {key} does not belong to the certificate in SSL_CERT_PATH {cert}")]
    Mismatch { cert: String, key: String },
}

/// Reads and checks a certificate chain and its private key: both readable PEM, the
/// leaf certificate valid now, the key the certificate's.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<CertifiedKey, CertError> {
    let cert_name = cert_path.display().to_string();
    let key_name = key_path.display().to_string();
    let cert_pem = std::fs::read(cert_path).map_err(|source| CertError::Unreadable {
        var: "SSL_CERT_PATH",
        path: cert_name.clone(),
        source,
    })?;
    let key_pem = std::fs::read(key_path).map_err(|source| CertError::Unreadable {
        var: "SSL_KEY_PATH",
        path: key_name.clone(),
        source,
    })?;
    let invalid_cert = |problem: String| CertError::Invalid { var: "SSL_CERT_PATH", path: cert_name.clone(), problem };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|error| invalid_cert(format!("not a PEM certificate chain ({error})")))?;
    let Some(leaf) = chain.first() else { return Err(invalid_cert("holds no PEM certificate".into())) };
    check_validity(leaf).map_err(invalid_cert)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| CertError::Invalid {
        var: "SSL_KEY_PATH",
        path: key_name.clone(),
        problem: format!("not a PEM private key ({error})"),
    })?;
    let signing_key = rustls::crypto::ring::sign::any_supported_type(&key).map_err(|error| CertError::Invalid {
        var: "SSL_KEY_PATH",
        path: key_name.clone(),
        problem: format!("unsupported private key ({error})"),
    })?;
    let certified = CertifiedKey::new(chain, signing_key);
    certified.keys_match().map_err(|_| CertError::Mismatch { cert: cert_name, key: key_name })?;
    Ok(certified)
}

/// The leaf must be valid now: not expired, not yet to come.
fn check_validity(leaf: &CertificateDer<'_>) -> Result<(), String> {
    let (_, certificate) =
        x509_parser::parse_x509_certificate(leaf).map_err(|error| format!("not an X.509 certificate ({error})"))?;
    let validity = certificate.validity();
    let now = x509_parser::time::ASN1Time::now();
    if validity.not_after < now {
        return Err(format!("the certificate expired on {}", validity.not_after));
    }
    if validity.not_before > now {
        return Err(format!("the certificate is not valid before {}", validity.not_before));
    }
    Ok(())
}

/// The certificate in use, swapped whole when the files change.
#[derive(Debug)]
pub struct Certificates {
    current: RwLock<Arc<CertifiedKey>>,
    settings: TlsSettings,
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone())
    }
}

impl Certificates {
    /// Loads the certificate (a clear error naming the file if it cannot be used) and
    /// starts watching its files.
    pub fn start(settings: TlsSettings) -> Result<Arc<Self>, CertError> {
        let certified = load(&settings.cert_path, &settings.key_path)?;
        let certificates = Arc::new(Self { current: RwLock::new(Arc::new(certified)), settings });
        app::server::spawn(watch(Arc::downgrade(&certificates)));
        Ok(certificates)
    }

    fn reload(&self) {
        match load(&self.settings.cert_path, &self.settings.key_path) {
            Ok(certified) => {
                *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(certified);
                tracing::info!(cert = %self.settings.cert_path.display(), "TLS certificate reloaded");
            }
            Err(error) => tracing::error!(%error, "TLS certificate not reloaded; the previous one stays in use"),
        }
    }

    fn modified(&self) -> Option<(SystemTime, SystemTime)> {
        let time = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        Some((time(&self.settings.cert_path)?, time(&self.settings.key_path)?))
    }

    /// rustls settings: this certificate, HTTP/2 preferred over HTTP/1.1.
    pub fn acceptor(self: &Arc<Self>) -> TlsAcceptor {
        let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

/// Reloads on SIGHUP and when either file's modification time changes; ends with the
/// server.
async fn watch(certificates: std::sync::Weak<Certificates>) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut seen = certificates.upgrade().and_then(|c| c.modified());
    loop {
        #[cfg(unix)]
        let signalled = async {
            match hangup.as_mut() {
                Some(signal) => signal.recv().await.is_some(),
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let signalled = std::future::pending::<bool>();
        let forced = tokio::select! {
            _ = tokio::time::sleep(WATCH_EVERY) => false,
            received = signalled => received,
        };
        let Some(certificates) = certificates.upgrade() else { return };
        let modified = certificates.modified();
        if forced || (modified.is_some() && modified != seen) {
            seen = modified;
            certificates.reload();
        }
    }
}

/// Accepts TCP connections and completes their TLS handshakes concurrently, so a slow
/// or silent client never holds up the others.
pub struct TlsListener {
    handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> io::Result<Self> {
        let local_addr = tcp.local_addr()?;
        let (sender, handshaken) = mpsc::channel(64);
        app::server::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if sender.is_closed() {
                    return;
                }
                let _ = stream.set_nodelay(true);
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%error, %peer, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { handshaken, local_addr })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(accepted) => accepted,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

/// The plain-HTTP listener's whole site: every request goes to the same path on https.
pub fn redirect_router(public_url: String) -> Router {
    Router::new().fallback(redirect).with_state(Arc::<str>::from(public_url))
}

async fn redirect(State(public_url): State<Arc<str>>, request: Request) -> Response {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = format!("{public_url}{target}");
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}
