//! A transport that wraps a real [`HttpClient`] and records every exchange, so an interop test
//! can see what the crate sent (a DPoP proof, the `Authorization` scheme, a client assertion)
//! and what the provider answered (status, `DPoP-Nonce`), e.g. to prove a nonce retry happened.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::{Map, Value};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::b64;

/// One request and the status it got.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Request method.
    pub method: http::Method,
    /// Request URI.
    pub uri: String,
    /// Path of the request URI.
    pub path: String,
    /// The `DPoP` proof header, if any.
    pub dpop: Option<String>,
    /// The `Authorization` header's scheme (`Bearer`, `DPoP`, `Basic`), if any.
    pub auth_scheme: Option<String>,
    /// The request body (form-encoded for token and PAR requests).
    pub body: Vec<u8>,
    /// Response status (`None` when the transport failed).
    pub status: Option<u16>,
    /// The response's `DPoP-Nonce`, if any.
    pub nonce: Option<String>,
}

impl Exchange {
    /// The claims of the DPoP proof (decoded, not verified).
    pub fn proof_claims(&self) -> Option<Map<String, Value>> {
        let proof = self.dpop.as_ref()?;
        let payload = proof.split('.').nth(1)?;
        serde_json::from_slice(&b64::decode(payload).ok()?).ok()
    }

    /// The form body as pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// One form parameter.
    pub fn form_param(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Wraps `H`, recording every exchange; clones share the log.
#[derive(Clone, Debug)]
pub struct Recording<H> {
    inner: H,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl<H> Recording<H> {
    /// Records the exchanges of `inner`.
    pub fn new(inner: H) -> Self {
        Self {
            inner,
            log: Arc::default(),
        }
    }
    /// Everything recorded so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
    /// The exchanges whose path ends with `suffix`.
    pub fn to(&self, suffix: &str) -> Vec<Exchange> {
        self.exchanges()
            .into_iter()
            .filter(|e| e.path.ends_with(suffix))
            .collect()
    }
    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl<H: HttpClient> HttpClient for Recording<H> {
    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut exchange = Exchange {
            method: request.method().clone(),
            uri: request.uri().to_string(),
            path: request.uri().path().to_owned(),
            dpop: header("dpop"),
            auth_scheme: header("authorization")
                .and_then(|a| a.split(' ').next().map(str::to_owned)),
            body: request.body().clone(),
            status: None,
            nonce: None,
        };
        let result = self.inner.execute(request).await;
        if let Ok(response) = &result {
            exchange.status = Some(response.status().as_u16());
            exchange.nonce = response
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        self.log.lock().unwrap().push(exchange);
        result
    }
}
