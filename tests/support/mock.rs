//! A scripted in-memory [`HttpClient`]: answers every request with one canned response that
//! the test can swap at any time, counts and records requests, and can delay its answers
//! (with `tokio::time::sleep`) to widen race windows.
//!
//! Usable from any test binary either through `mod support;` (`support::mock::MockHttp`) or
//! alone with `#[path = "support/mock.rs"] mod mock;`.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use typed_oidc::http::{HttpClient, TransportError};

/// The response the mock gives.
#[derive(Clone, Debug)]
pub struct Canned {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Response body.
    pub body: Bytes,
}

/// What the mock saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Request method.
    pub method: http::Method,
    /// Request URI.
    pub uri: String,
    /// Request `Accept` header, if any.
    pub accept: Option<String>,
}

#[derive(Debug)]
struct Inner {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    response: Mutex<Result<Canned, String>>,
    delay: Mutex<Duration>,
    seen: Mutex<Vec<Seen>>,
}

/// A cloneable handle on one mock; clones share the script and the counters.
#[derive(Clone, Debug)]
pub struct MockHttp {
    inner: Arc<Inner>,
}

impl Default for MockHttp {
    fn default() -> Self {
        Self::new()
    }
}

impl MockHttp {
    /// A mock answering `200` with an empty JSON object until told otherwise.
    pub fn new() -> Self {
        MockHttp {
            inner: Arc::new(Inner {
                requests: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                response: Mutex::new(Ok(Canned {
                    status: 200,
                    content_type: Some("application/json".into()),
                    body: Bytes::from_static(b"{}"),
                })),
                delay: Mutex::new(Duration::ZERO),
                seen: Mutex::new(Vec::new()),
            }),
        }
    }

    /// From now on, answer `200 application/json` with `body`.
    pub fn serve_json(&self, body: impl Into<Bytes>) {
        self.respond(200, Some("application/json"), body);
    }

    /// From now on, answer with this status, content type and body.
    pub fn respond(&self, status: u16, content_type: Option<&str>, body: impl Into<Bytes>) {
        *self.inner.response.lock().unwrap() = Ok(Canned {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.into(),
        });
    }

    /// From now on, fail every request with a transport error carrying `detail`.
    pub fn fail(&self, detail: &str) {
        *self.inner.response.lock().unwrap() = Err(detail.to_owned());
    }

    /// Delay every answer by `delay`.
    pub fn set_delay(&self, delay: Duration) {
        *self.inner.delay.lock().unwrap() = delay;
    }

    /// How many requests were received so far.
    pub fn requests(&self) -> usize {
        self.inner.requests.load(Ordering::SeqCst)
    }

    /// The most requests that were ever being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every request received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }
}

impl HttpClient for MockHttp {
    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let inner = &self.inner;
        inner.requests.fetch_add(1, Ordering::SeqCst);
        let now_in_flight = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner
            .max_in_flight
            .fetch_max(now_in_flight, Ordering::SeqCst);
        inner.seen.lock().unwrap().push(Seen {
            method: request.method().clone(),
            uri: request.uri().to_string(),
            accept: request
                .headers()
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        });
        let delay = *inner.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let canned = inner.response.lock().unwrap().clone();
        inner.in_flight.fetch_sub(1, Ordering::SeqCst);
        let canned = canned.map_err(TransportError::Io)?;
        let mut response = http::Response::new(canned.body);
        *response.status_mut() =
            http::StatusCode::from_u16(canned.status).expect("valid status code");
        if let Some(ct) = canned.content_type {
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_str(&ct).expect("valid content type"),
            );
        }
        Ok(response)
    }
}
