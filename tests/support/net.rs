//! Minimal plain-http helpers (hyper-util legacy client) for talking to the test provider by
//! hand: GET, form POST, Basic auth header, form encoding. Independent of the crate's own
//! transport so that tests can check the crate against hand-made requests.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Per-request timeout of these helpers.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A plain-http client.
pub type PlainClient = Client<HttpConnector, Full<Bytes>>;

/// A new plain-http client (use one per tokio runtime).
pub fn plain_client() -> PlainClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A fully read response.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: http::HeaderMap,
    /// Body (lossy UTF-8).
    pub body: String,
}

impl HttpResponse {
    /// The body as JSON; panics with the body if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected a JSON body (status {}): {e}\n{}",
                self.status,
                snippet(&self.body)
            )
        })
    }

    /// A header value as a string, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `method url` with `headers` and `body`, reads the whole response. Never follows
/// redirects. Panics on transport errors and on timeout (these helpers are for tests).
pub async fn send(
    client: &PlainClient,
    method: http::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> HttpResponse {
    let mut builder = http::Request::builder().method(method.clone()).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap_or_else(|e| panic!("bad request {method} {url}: {e}"));
    let response = tokio::time::timeout(REQUEST_TIMEOUT, client.request(request))
        .await
        .unwrap_or_else(|_| panic!("{method} {url}: no response within {REQUEST_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"));
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let bytes = tokio::time::timeout(REQUEST_TIMEOUT, body.collect())
        .await
        .unwrap_or_else(|_| panic!("{method} {url}: body not read within {REQUEST_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("{method} {url}: reading body: {e:?}"))
        .to_bytes();
    HttpResponse {
        status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `GET url` with extra headers.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> HttpResponse {
    send(&plain_client(), http::Method::GET, url, headers, None).await
}

/// `GET url`, expects 200 and a JSON body.
pub async fn get_json(url: &str) -> serde_json::Value {
    let response = get(url, &[("accept", "application/json")]).await;
    assert_eq!(
        response.status,
        200,
        "GET {url}: {}",
        snippet(&response.body)
    );
    response.json()
}

/// `POST url` with an `application/x-www-form-urlencoded` body and extra headers
/// (e.g. `("authorization", &basic_auth(id, secret))`).
pub async fn post_form(url: &str, headers: &[(&str, &str)], form_body: &str) -> HttpResponse {
    let mut all = vec![
        ("content-type", "application/x-www-form-urlencoded"),
        ("accept", "application/json"),
    ];
    all.extend_from_slice(headers);
    send(
        &plain_client(),
        http::Method::POST,
        url,
        &all,
        Some(form_body.to_owned()),
    )
    .await
}

/// `application/x-www-form-urlencoded` serialisation of `pairs`.
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Parses an `application/x-www-form-urlencoded` string (a query, a fragment or a body).
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect()
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, as RFC 6749 §2.3.1 prescribes.
pub fn basic_auth(client_id: &str, client_secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(client_secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The first `max` characters of `s` (for panic messages).
pub fn snippet(s: &str) -> String {
    const MAX: usize = 2000;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}… [{} more bytes]", s.len() - cut.len())
    }
}
