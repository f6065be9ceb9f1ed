//! A scripted in-memory OpenID Provider for the offline endpoint tests
//! (`userinfo_offline.rs`, `endpoints_offline.rs`): a recording `HttpClient`, an ES256
//! provider key, and a token endpoint that issues an ID token for `alice`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Map, Value, json};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact};
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

pub const ISSUER: &str = "https://op.example";
pub const CLIENT_ID: &str = "rp-client";
pub const SECRET: &str = "rp-secret-0123456789abcdef0123456789abcdef";
pub const ACCESS_TOKEN: &str = "at-0123456789-SECRET-access";
pub const REFRESH_TOKEN: &str = "rt-0123456789-SECRET-refresh";
pub const SUB: &str = "alice";

pub type Handler = dyn Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync;

/// A transport that answers from a function and records every request.
#[derive(Clone)]
pub struct Mock {
    pub handler: Arc<Handler>,
    pub seen: Arc<Mutex<Vec<::http::Request<Vec<u8>>>>>,
}

impl Mock {
    pub fn new(
        handler: impl Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        Self {
            handler: Arc::new(handler),
            seen: Arc::default(),
        }
    }
    pub fn requests_to(&self, path: &str) -> Vec<::http::Request<Vec<u8>>> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|r| r.uri().path() == path)
            .cloned()
            .collect()
    }
}

impl HttpClient for Mock {
    async fn execute(
        &self,
        request: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        let response = (self.handler)(&request);
        self.seen.lock().unwrap().push(request);
        Ok(response)
    }
}

pub fn reply(
    status: u16,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> ::http::Response<Bytes> {
    let mut response = ::http::Response::new(body.into());
    *response.status_mut() = ::http::StatusCode::from_u16(status).unwrap();
    if let Some(ct) = content_type {
        response
            .headers_mut()
            .insert(::http::header::CONTENT_TYPE, ct.parse().unwrap());
    }
    response
}

pub fn json_reply(status: u16, body: Value) -> ::http::Response<Bytes> {
    reply(status, Some("application/json"), body.to_string())
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn es256_key(kid: &str) -> SigningKey {
    SigningKey::generate_ec_p256().unwrap().with_kid(kid)
}

pub fn jwt(key: &SigningKey, claims: &Value) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    sign_compact(
        key,
        JwsAlgorithm::ES256,
        header,
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

pub fn metadata(with_endpoints: bool) -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    let url = |p: &str| Some(EndpointUrl::new(&format!("{ISSUER}{p}")).unwrap());
    md.authorization_endpoint = url("/authorize");
    md.token_endpoint = url("/token");
    md.jwks_uri = url("/jwks");
    if with_endpoints {
        md.userinfo_endpoint = url("/userinfo");
        md.introspection_endpoint = url("/introspect");
        md.revocation_endpoint = url("/revoke");
        md.end_session_endpoint = url("/logout?tenant=acme&state=stale");
    }
    md
}

pub fn client_with(mock: Mock, md: ProviderMetadata) -> Client<Mock> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(SECRET))
        .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::ES256])
        .build(md, mock)
        .unwrap()
}

/// A provider that serves `key` at `/jwks`, issues tokens (with an ES256 ID token for
/// `alice` when the request was an OpenID one) at `/token`, and answers every other path
/// with `endpoint`.
pub struct Op {
    pub mock: Mock,
    pub client: Client<Mock>,
    pub nonce: Arc<Mutex<Option<String>>>,
}

impl Op {
    pub fn new(
        key: SigningKey,
        endpoint: impl Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        let nonce: Arc<Mutex<Option<String>>> = Arc::default();
        let cell = nonce.clone();
        let mock = Mock::new(move |request| match request.uri().path() {
            "/jwks" => json_reply(200, json!({ "keys": [key.public_jwk()] })),
            "/token" => {
                let mut body = json!({
                    "access_token": ACCESS_TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 600,
                });
                if let Some(nonce) = cell.lock().unwrap().clone() {
                    let claims = json!({
                        "iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "nonce": nonce,
                        "iat": now(), "exp": now() + 600,
                    });
                    body["id_token"] = jwt(&key, &claims).into();
                }
                json_reply(200, body)
            }
            _ => endpoint(request),
        });
        let client = client_with(mock.clone(), metadata(true));
        Op {
            mock,
            client,
            nonce,
        }
    }

    pub async fn login(&self, openid: bool) -> Tokens {
        let mut request = self.client.authorization_request();
        if !openid {
            request = request.without_openid();
        }
        let (_, pending) = request.start().unwrap();
        *self.nonce.lock().unwrap() = pending.nonce().map(|n| n.secret().to_owned());
        let callback = format!(
            "https://rp.example/cb?code=the-code&state={}",
            pending.state().secret()
        );
        pending
            .callback(&callback)
            .unwrap()
            .exchange(&self.client)
            .await
            .unwrap()
    }
}
