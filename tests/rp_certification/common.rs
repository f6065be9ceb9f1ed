//! Shared steps: a hostile OP, a discovered client, and the code flow driven end to end.
#![allow(dead_code)]

use typed_oidc::error::ValidationError;
use typed_oidc::http::HyperClient;
use typed_oidc::{
    Client, ClientBuilder, ClientId, ClientSecret, Confidential, Error, IssuerUrl, Offline,
    RedirectUrl, Tokens,
};

pub use crate::hostile_op::{AuthResponse, CLIENT_ID, CLIENT_SECRET, HostileOp, REDIRECT_URI, SUB};

/// A hostile OP with the default behaviour.
pub async fn op() -> HostileOp {
    HostileOp::start().await
}

/// The registered confidential client: secret, redirect URI (client_secret_basic).
pub fn builder() -> ClientBuilder<Confidential> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
}

/// Discovers `op` with `builder` over a fresh `HyperClient`.
pub async fn discover<K: typed_oidc::BaseKind>(
    op: &HostileOp,
    builder: ClientBuilder<K>,
) -> Client<HyperClient, K> {
    builder
        .discover(
            &IssuerUrl::new(op.issuer()).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
        .unwrap_or_else(|e| panic!("discovery failed: {e:?}"))
}

/// The default client, discovered.
pub async fn client(op: &HostileOp) -> Client<HyperClient> {
    discover(op, builder()).await
}

/// The authorization-code flow with `scope`, end to end; the exchange's result.
pub async fn try_code_flow<K: typed_oidc::BaseKind>(
    op: &HostileOp,
    client: &Client<HyperClient, K>,
    scope: &str,
) -> Result<Tokens, Error> {
    let (url, pending) = client.authorization_request().scope(scope).start().unwrap();
    let response = op.authorize(url.as_str());
    assert_eq!(response.mode, "query");
    pending
        .callback(&response.redirect_url())?
        .exchange(client)
        .await
}

/// The code flow, which must succeed.
pub async fn code_flow<K: typed_oidc::BaseKind>(
    op: &HostileOp,
    client: &Client<HyperClient, K>,
) -> Tokens {
    try_code_flow(op, client, "")
        .await
        .unwrap_or_else(|e| panic!("code flow failed: {e:?}"))
}

/// The code flow, which must fail; the error.
pub async fn code_flow_error<K: typed_oidc::BaseKind>(
    op: &HostileOp,
    client: &Client<HyperClient, K>,
) -> Error {
    match try_code_flow(op, client, "").await {
        Ok(t) => panic!("expected the code flow to fail, got {t:?}"),
        Err(e) => e,
    }
}

/// The code flow with `offline_access`: refreshable tokens.
pub async fn offline_code_flow(op: &HostileOp, client: &Client<HyperClient>) -> Tokens<Offline> {
    let (url, pending) = client
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    pending
        .callback(&response.redirect_url())
        .unwrap()
        .exchange(client)
        .await
        .unwrap_or_else(|e| panic!("offline code flow failed: {e:?}"))
}

/// The validation rule an error reports; panics on any other error family.
pub fn rule(err: Error) -> ValidationError {
    match err {
        Error::Validation(v) => v,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The JOSE header of a compact JWS, as JSON.
pub fn jose_header(token: &str) -> serde_json::Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&typed_oidc::jose::b64::decode(header).unwrap()).unwrap()
}

/// The payload of a compact JWS, as JSON (not verified).
pub fn jws_payload(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&typed_oidc::jose::b64::decode(payload).unwrap()).unwrap()
}
