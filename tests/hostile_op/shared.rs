//! What the purpose-built hostile servers have in common: the accept loop on `127.0.0.1:0`
//! inside the test's tokio runtime (it stops by itself after [`LIFETIME`]), the request
//! recording ([`Recorded`]), canned replies, the authorization response the user agent is sent
//! ([`AuthResponse`]), the fixture keys and the signature-corrupting helper.
//!
//! Used by `tests/hostile_op` (RP certification) and `tests/hostile_fapi` (FAPI 2.0, DPoP,
//! JAR, JARM) as `mod shared;` / `#[path = "../hostile_op/shared.rs"] mod shared;`.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use typed_oidc::jose::{SigningKey, b64};

/// The longest a server accepts connections.
pub const LIFETIME: Duration = Duration::from_secs(120);

/// The largest request body a server reads.
pub const MAX_BODY: usize = 1024 * 1024;

/// A hyper response with a full body.
pub type Reply = http::Response<Full<Bytes>>;

/// Binds `127.0.0.1:0`; the listener and its `http://127.0.0.1:<port>` origin.
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    (listener, origin)
}

/// Serves HTTP/1.1 on `listener` with `handle`, in a task of the current runtime that
/// ends with the runtime or after [`LIFETIME`].
pub fn serve<F, Fut>(listener: TcpListener, handle: F)
where
    F: Fn(http::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    tokio::spawn(async move {
        let _ = tokio::time::timeout(LIFETIME, async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let handle = handle.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let reply = handle(req);
                        async move { Ok::<_, Infallible>(reply.await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
        .await;
    });
}

/// One HTTP request as a server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The method.
    pub method: http::Method,
    /// The path.
    pub path: String,
    /// The query, if any.
    pub query: Option<String>,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// Reads a request (body capped at [`MAX_BODY`]); a 413 reply when it is larger.
    pub async fn read(req: http::Request<Incoming>) -> Result<Self, Reply> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_BODY).collect().await {
            Ok(b) => b.to_bytes().to_vec(),
            Err(_) => return Err(reply(413, "text/plain", "too large".into())),
        };
        Ok(Recorded {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
        })
    }
    /// The form-encoded body as pairs, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
    /// One form parameter (the first, if repeated).
    pub fn param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(&self.body)
            .find_map(|(k, v)| (k == name).then(|| v.into_owned()))
    }
    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// The authorization response a server sends the user agent.
#[derive(Clone, Debug)]
pub struct AuthResponse {
    /// The redirect URI of the request.
    pub redirect_uri: String,
    /// `query`, `fragment` or `form_post`.
    pub mode: String,
    /// The response parameters.
    pub params: Vec<(String, String)>,
}

impl AuthResponse {
    fn encoded(&self) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            ser.append_pair(k, v);
        }
        ser.finish()
    }
    /// The redirect URL (query or fragment) the user agent is sent to.
    pub fn redirect_url(&self) -> String {
        assert_ne!(
            self.mode, "form_post",
            "a form_post response has no redirect URL"
        );
        let sep = if self.mode == "fragment" { '#' } else { '?' };
        format!("{}{sep}{}", self.redirect_uri, self.encoded())
    }
    /// The `application/x-www-form-urlencoded` body the user agent POSTs (form_post).
    pub fn form_body(&self) -> Vec<u8> {
        assert_eq!(self.mode, "form_post", "not a form_post response");
        self.encoded().into_bytes()
    }
    /// One parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Replaces (or adds) a parameter.
    pub fn set_param(&mut self, name: &str, value: &str) {
        self.params.retain(|(k, _)| k != name);
        self.params.push((name.to_owned(), value.to_owned()));
    }
}

/// A reply with `Cache-Control: no-store`.
pub fn reply(status: u16, content_type: &str, body: String) -> Reply {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::CACHE_CONTROL, "no-store")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// A JSON reply.
pub fn json_reply(status: u16, body: &Value) -> Reply {
    reply(status, "application/json", body.to_string())
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The RSA 2048 fixture key.
pub fn fixture_rsa() -> SigningKey {
    SigningKey::from_pem(include_str!("../fixtures/jose/rsa2048_pkcs1.pem")).unwrap()
}

/// The P-256 fixture key.
pub fn fixture_ec() -> SigningKey {
    SigningKey::from_pem(include_str!("../fixtures/jose/ec_p256_sec1.pem")).unwrap()
}

/// The Ed25519 fixture key.
pub fn fixture_ed25519() -> SigningKey {
    SigningKey::from_pem(include_str!("../fixtures/jose/ed25519_pkcs8.pem")).unwrap()
}

/// The claims every ID token starts with (OpenID Connect Core §2): `iss`, `sub`, `aud`,
/// `iat` now, `exp` five minutes later, `auth_time` five seconds ago.
pub fn id_token_base(issuer: &str, sub: &str, aud: &str) -> Map<String, Value> {
    let t = now();
    let base = json!({
        "iss": issuer, "sub": sub, "aud": aud, "iat": t, "exp": t + 300, "auth_time": t - 5,
    });
    match base {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// A fresh, unguessable-looking credential (`<prefix>-<n>-<b64 of n>`), numbered by `counter`.
pub fn fresh(counter: &AtomicUsize, prefix: &str) -> String {
    let n = counter.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{n}-{}", b64::encode(&n.to_be_bytes()))
}

/// Flips one bit in the middle of a compact JWS's signature.
pub fn corrupt_signature(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = b64::decode(sig).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    format!("{input}.{}", b64::encode(&bytes))
}
