//! [`HyperClient`]: the default [`HttpClient`] on hyper 1, hyper-util's pooled
//! client and hyper-rustls.
//!
//! What it guarantees, whatever the provider sends back:
//!
//! * **TLS or loopback.** Requests go over `https` (rustls with the aws-lc-rs
//!   provider, the platform's root certificates, HTTP/2 or HTTP/1.1 chosen by
//!   ALPN). Plain `http` is accepted only for loopback hosts (`127.0.0.0/8`,
//!   `[::1]`, `localhost`), which is what RFC 8252 §7.3 and RFC 9700 §2.6
//!   allow for development and native apps; any other `http` URL is refused
//!   with [`TransportError::InsecureScheme`] before a name is looked up or a
//!   socket is opened. `localhost` is resolved to `127.0.0.1` / `::1` by this
//!   module itself, never by the system resolver (RFC 6761 §6.3), so a
//!   misconfigured resolver cannot send a plain-http request off the machine.
//! * **No redirects.** A 3xx is returned as a response (RFC 6749 §3.1.2 and
//!   RFC 9700 §4.11 make following them the caller's decision).
//! * **Bounded memory.** The response body is read frame by frame and reading
//!   stops with [`TransportError::BodyTooLarge`] as soon as it exceeds the cap;
//!   a `Content-Length` above the cap is refused before any body is read.
//! * **Bounded time.** A connect timeout covers name resolution, TCP and the
//!   TLS handshake; a total timeout covers everything from the first byte sent
//!   to the last body byte read.
//! * **No secret in errors.** Error messages name at most
//!   `scheme://host:port/path`; query strings, headers and bodies never
//!   appear in them.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, USER_AGENT};
use http::{HeaderValue, Request, Response, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper_rustls::{
    ConfigBuilderExt as _, HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream,
};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tower_service::Service;

use super::policy::{Redactor, Target};
use super::{HttpClient, TransportError};

/// Default connect timeout (name resolution + TCP + TLS handshake).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default total timeout for one request, including reading the whole body.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body: 1 MiB is far above any discovery document,
/// JWK Set or token response seen in practice.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Default `User-Agent`.
const DEFAULT_USER_AGENT: &str = concat!("typed-oidc/", env!("CARGO_PKG_VERSION"));
/// How long an idle pooled connection is kept.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// How many idle connections are kept per origin.
const POOL_MAX_IDLE_PER_HOST: usize = 8;
/// How many runtimes keep a connection pool at once; the least recently used
/// pool is dropped to make room (its connections are then reopened on demand).
const MAX_RUNTIME_POOLS: usize = 8;

type BoxError = Box<dyn StdError + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Connector = DeadlineConnector<HttpsConnector<HttpConnector<LoopbackAwareResolver>>>;
type PooledClient = Client<Connector, Full<Bytes>>;

/// The default [`HttpClient`]: hyper 1 with a connection pool, rustls (aws-lc-rs)
/// and the platform's root certificates.
///
/// Cloning is cheap and clones share their connection pools. The client may
/// be used from any Tokio runtime, multi-thread or current-thread, from one
/// runtime after another and from several at once (a `static` client shared
/// by `#[tokio::test]`s, a sync wrapper calling `block_on`): each runtime gets
/// its own pool. A pooled connection is driven by a task of the runtime that
/// opened it, so handing it to another runtime would make that runtime's
/// request wait on one that may be idle (a current-thread runtime outside
/// `block_on`) or shutting down. The pools of the eight most recently used
/// runtimes are kept.
///
/// Requests must be polled inside a Tokio runtime whose I/O and time drivers
/// are enabled (`enable_all`, as `#[tokio::main]` and `#[tokio::test]` do).
/// Outside any runtime a request fails with [`TransportError::InvalidRequest`];
/// a runtime without a time driver makes Tokio itself panic.
///
/// ```no_run
/// # async fn demo() -> Result<(), typed_oidc::http::TransportError> {
/// use std::time::Duration;
/// use typed_oidc::http::{HttpClient, HyperClient};
///
/// let client = HyperClient::builder()
///     .timeout(Duration::from_secs(5))
///     .max_response_bytes(256 * 1024)
///     .build()?;
/// let request = http::Request::get("https://accounts.example.com/.well-known/openid-configuration")
///     .body(Vec::new())
///     .expect("a valid request");
/// let response = client.execute(request).await?;
/// assert!(response.status().is_success());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HyperClient {
    inner: Arc<Inner>,
}

struct Inner {
    connector: Connector,
    /// One pool per runtime, least recently used first.
    pools: Mutex<Vec<(tokio::runtime::Id, PooledClient)>>,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    user_agent: HeaderValue,
}

impl HyperClient {
    /// A client with the default settings: 10 s connect timeout, 30 s total
    /// timeout, 1 MiB response cap, the platform's root certificates and
    /// `User-Agent: typed-oidc/<version>`.
    ///
    /// # Errors
    ///
    /// [`TransportError::InvalidRequest`] when the platform's root certificates
    /// cannot be loaded (none found or none valid).
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change the defaults of [`HyperClient::new`].
    pub fn builder() -> HyperClientBuilder {
        HyperClientBuilder::default()
    }
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient")
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("timeout", &self.inner.timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("user_agent", &self.inner.user_agent)
            .finish_non_exhaustive()
    }
}

impl HttpClient for HyperClient {
    fn execute(
        &self,
        request: Request<Vec<u8>>,
    ) -> impl Future<Output = Result<Response<Bytes>, TransportError>> + Send {
        let inner = Arc::clone(&self.inner);
        async move { inner.execute(request).await }
    }
}

/// Configuration for a [`HyperClient`]; obtained from [`HyperClient::builder`].
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct HyperClientBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    tls_config: Option<rustls::ClientConfig>,
    user_agent: String,
}

impl Default for HyperClientBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            tls_config: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }
}

impl fmt::Debug for HyperClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClientBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_tls_config", &self.tls_config.is_some())
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl HyperClientBuilder {
    /// Time allowed to resolve the host, open the TCP connection and finish
    /// the TLS handshake (default 10 s). Exceeding it fails the request with
    /// `TransportError::Timeout { phase: "connect", .. }`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for the whole request, from sending it to reading the last
    /// byte of the response body (default 30 s). Exceeding it fails the
    /// request with `TransportError::Timeout { phase: "total", .. }`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes (default 1 MiB). A larger
    /// body fails the request with [`TransportError::BodyTooLarge`]; reading
    /// stops as soon as the cap is passed.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Uses this rustls configuration instead of the default one (aws-lc-rs,
    /// the platform's root certificates, no client certificate), e.g. to pin a
    /// private CA or to present a client certificate for RFC 8705 mutual-TLS
    /// client authentication.
    ///
    /// Any `alpn_protocols` it carries are replaced by `h2, http/1.1`.
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// The `User-Agent` sent when a request has none (default
    /// `typed-oidc/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`TransportError::InvalidRequest`] when a timeout is zero, when the
    /// user agent is not a valid header value, or when no TLS configuration
    /// was given and the platform's root certificates cannot be loaded.
    pub fn build(self) -> Result<HyperClient, TransportError> {
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(TransportError::InvalidRequest(
                "timeouts must be greater than zero".to_owned(),
            ));
        }
        let user_agent = HeaderValue::try_from(self.user_agent).map_err(|_| {
            TransportError::InvalidRequest("the user agent is not a valid header value".to_owned())
        })?;
        let mut tls = match self.tls_config {
            Some(config) => config,
            None => default_tls_config()?,
        };
        // hyper-rustls sets ALPN from the enabled protocols and insists on an empty list.
        tls.alpn_protocols.clear();

        let mut tcp = HttpConnector::new_with_resolver(LoopbackAwareResolver::new());
        // The https connector below decides between TLS and plain TCP.
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        // Split across the resolved addresses, so one black-holed address does
        // not use up the whole budget of the outer deadline.
        tcp.set_connect_timeout(Some(self.connect_timeout));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        let connector = DeadlineConnector {
            inner: https,
            timeout: self.connect_timeout,
        };
        Ok(HyperClient {
            inner: Arc::new(Inner {
                connector,
                pools: Mutex::new(Vec::new()),
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                user_agent,
            }),
        })
    }
}

/// rustls with the aws-lc-rs provider named explicitly (so the process-wide
/// default provider is neither needed nor consulted) and the platform's roots.
fn default_tls_config() -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::InvalidRequest(format!("TLS setup failed: {e}")))?
        .with_native_roots()
        .map_err(|e| {
            TransportError::InvalidRequest(format!(
                "cannot load the platform's root certificates: {e}"
            ))
        })?
        .with_no_client_auth();
    Ok(config)
}

impl Inner {
    /// The pooled client of the runtime `rt`, created on first use.
    fn client_for(&self, rt: &tokio::runtime::Handle) -> PooledClient {
        let id = rt.id();
        // Nothing below can panic while the lock is held, but a poisoned pool
        // list is still a valid one.
        let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = pools.iter().position(|(owner, _)| *owner == id) {
            let entry = pools.remove(i);
            let client = entry.1.clone();
            pools.push(entry);
            return client;
        }
        if pools.len() >= MAX_RUNTIME_POOLS {
            pools.remove(0);
        }
        // No pool timer: with one, hyper-util spawns an idle-reaper task on the
        // runtime that first fills the pool. Without it, idle expiry is
        // checked at checkout.
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
            .build(self.connector.clone());
        pools.push((id, client.clone()));
        client
    }

    async fn execute(&self, request: Request<Vec<u8>>) -> Result<Response<Bytes>, TransportError> {
        let (mut parts, body) = request.into_parts();
        let target = Target::check(&parts.uri)?;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Err(TransportError::InvalidRequest(
                "HyperClient must be polled inside a Tokio runtime".to_owned(),
            ));
        };
        let client = self.client_for(&runtime);
        let redactor = Redactor::new(&parts.uri, &parts.headers);
        parts.uri = target.uri.clone();
        // The pooled client picks HTTP/2 from ALPN; the request must not ask for it itself.
        parts.version = Version::HTTP_11;
        if !parts.headers.contains_key(USER_AGENT) {
            parts.headers.insert(USER_AGENT, self.user_agent.clone());
        }
        if !parts.headers.contains_key(ACCEPT) {
            parts
                .headers
                .insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        let method = parts.method.clone();
        let request = Request::from_parts(parts, Full::new(Bytes::from(body)));

        let exchange = async {
            let response = client
                .request(request)
                .await
                .map_err(|e| self.classify(&e, &method, &target, &redactor))?;
            let (parts, body) = response.into_parts();
            let body = read_capped(body, self.max_response_bytes)
                .await
                .map_err(|e| match e {
                    ReadError::TooLarge => TransportError::BodyTooLarge {
                        limit: self.max_response_bytes,
                    },
                    ReadError::Body(e) => TransportError::Io(redactor.scrub(format!(
                        "{method} {}: reading the response body failed: {}",
                        target.location,
                        describe(&e)
                    ))),
                })?;
            Ok(Response::from_parts(parts, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_elapsed) => Err(TransportError::Timeout {
                phase: "total",
                millis: millis(self.timeout),
            }),
        }
    }

    /// Maps a hyper-util error to the crate's typed error, without secrets.
    fn classify(
        &self,
        error: &hyper_util::client::legacy::Error,
        method: &http::Method,
        target: &Target,
        redactor: &Redactor,
    ) -> TransportError {
        if error.is_connect() {
            if chain(error).any(is_timeout) {
                return TransportError::Timeout {
                    phase: "connect",
                    millis: millis(self.connect_timeout),
                };
            }
            return TransportError::Connect {
                host: target.authority.clone(),
                detail: redactor.scrub(describe(error)),
            };
        }
        TransportError::Io(redactor.scrub(format!(
            "{method} {}: {}",
            target.location,
            describe(error)
        )))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The error and its sources, outermost first (bounded, in case of a cycle).
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |e: &&'a (dyn StdError + 'static)| {
        (*e).source()
    })
    .take(16)
}

fn is_timeout(error: &(dyn StdError + 'static)) -> bool {
    error.is::<ConnectDeadlineElapsed>()
        || error
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
}

/// "outer: cause: root cause", skipping hyper-util's uninformative wrapper and
/// messages that merely repeat their source.
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(error) {
        let text = e.to_string();
        if text.starts_with("client error (") && e.source().is_some() {
            continue;
        }
        if parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

enum ReadError {
    TooLarge,
    Body(hyper::Error),
}

/// Reads the whole body, refusing it as soon as it is known to exceed `limit`:
/// from `Content-Length` before reading, or from the running total while
/// reading. At most `limit` bytes plus one frame are ever held.
async fn read_capped(mut body: Incoming, limit: usize) -> Result<Bytes, ReadError> {
    let announced = body.size_hint().lower();
    if announced > limit as u64 {
        return Err(ReadError::TooLarge);
    }
    // `announced <= limit`, so this allocation is bounded by the cap.
    let mut buf = BytesMut::with_capacity(usize::try_from(announced).unwrap_or(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ReadError::Body)?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - buf.len() {
                return Err(ReadError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
        // Trailers carry nothing this crate uses; they are dropped.
    }
    Ok(buf.freeze())
}

/// Resolves `localhost` to the loopback addresses without asking the system
/// resolver (RFC 6761 §6.3); every other name goes to `getaddrinfo`.
#[derive(Clone)]
struct LoopbackAwareResolver {
    system: GaiResolver,
}

impl LoopbackAwareResolver {
    fn new() -> Self {
        Self {
            system: GaiResolver::new(),
        }
    }
}

impl Service<Name> for LoopbackAwareResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = BoxFuture<Result<Self::Response, io::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        self.system.poll_ready(cx)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        if name.as_str().eq_ignore_ascii_case("localhost") {
            let addrs = vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
            ];
            return Box::pin(std::future::ready(Ok(addrs.into_iter())));
        }
        let lookup = self.system.call(name);
        Box::pin(async move { Ok(lookup.await?.collect::<Vec<_>>().into_iter()) })
    }
}

/// Marks a connect attempt that ran out of time.
#[derive(Debug)]
struct ConnectDeadlineElapsed;

impl fmt::Display for ConnectDeadlineElapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connect deadline elapsed")
    }
}

impl StdError for ConnectDeadlineElapsed {}

/// Puts one deadline over resolution, TCP connect and TLS handshake.
#[derive(Clone)]
struct DeadlineConnector<C> {
    inner: C,
    timeout: Duration,
}

impl<C> Service<Uri> for DeadlineConnector<C>
where
    C: Service<Uri, Response = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_elapsed) => Err(Box::new(ConnectDeadlineElapsed) as BoxError),
            }
        })
    }
}
