//! Shared pieces of the fuzz targets: an offline client, a fixed key set, and a
//! `block_on` for the crate's async-but-never-pending calls.
//!
//! Everything here goes through the public API of `typed-oidc` only.

pub mod callback;
pub mod scripted;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwkSet, JwsAlgorithm, SigningKey};
use typed_oidc::time::FixedClock;
use typed_oidc::types::EndpointUrl;
use typed_oidc::{Client, ClientId, ClientSecret, IssuerUrl, ProviderMetadata, RedirectUrl};

/// The issuer of the offline client.
pub const ISSUER: &str = "https://op.example";
/// The client ID of the offline client.
pub const CLIENT_ID: &str = "fuzz-client";
/// The client secret (HS* key) of the offline client.
pub const CLIENT_SECRET: &str = "fuzz-client-secret-0123456789abcdef";
/// The redirect URI of the offline client.
pub const REDIRECT_URI: &str = "https://rp.example/cb";
/// The `state` every fuzzed authorization request carries.
pub const STATE: &str = "fuzz-state";
/// The subject UserInfo answers must carry.
pub const SUBJECT: &str = "fuzz-subject";
/// The fixed "now" of the offline client (2024-01-01T00:00:00Z).
pub const NOW: u64 = 1_704_067_200;

/// The test suite's fixture keys (public and private halves).
pub const EC_P256_JWK: &str = include_str!("../../tests/fixtures/jose/ec_p256.jwk.json");
/// RSA 2048 fixture JWK.
pub const RSA2048_JWK: &str = include_str!("../../tests/fixtures/jose/rsa2048.jwk.json");
/// EC P-384 fixture JWK.
pub const EC_P384_JWK: &str = include_str!("../../tests/fixtures/jose/ec_p384.jwk.json");
/// Ed25519 fixture, PKCS#8 PEM.
pub const ED25519_PEM: &str = include_str!("../../tests/fixtures/jose/ed25519_pkcs8.pem");

/// The Ed25519 signing key (deterministic signatures), with kid `ed-fixture`.
pub fn ed25519_key() -> SigningKey {
    SigningKey::from_pem(ED25519_PEM)
        .expect("fixture key parses")
        .with_kid("ed-fixture")
}

/// A JWK Set document holding the public halves of the fixture keys.
pub fn jwks_json() -> String {
    let ec = SigningKey::from_jwk(EC_P256_JWK).expect("fixture EC key");
    let rsa = SigningKey::from_jwk(RSA2048_JWK).expect("fixture RSA key");
    let keys = [
        ec.public_jwk(),
        rsa.public_jwk(),
        ed25519_key().public_jwk(),
    ];
    serde_json::json!({ "keys": keys }).to_string()
}

/// The fixture keys as a parsed set.
pub fn jwks() -> JwkSet {
    JwkSet::parse(jwks_json().as_bytes()).expect("fixture JWKS parses")
}

/// Polls a future that never waits on I/O (every transport here answers at once).
///
/// # Panics
///
/// If the future is still pending after many polls, which would be a bug in the target.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("future did not complete without I/O");
}

/// A transport that answers every GET of the JWKS URI with the fixture keys and refuses
/// everything else. Never touches the network.
#[derive(Clone, Debug)]
pub struct FixtureHttp;

impl HttpClient for FixtureHttp {
    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        if request.uri().path() == "/jwks" {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/jwk-set+json")
                .body(Bytes::from(jwks_json()))
                .expect("static response"))
        } else {
            Err(TransportError::InvalidRequest(
                "offline fuzz transport".into(),
            ))
        }
    }
}

/// Provider metadata for the offline client.
pub fn metadata(iss_parameter: bool) -> ProviderMetadata {
    let endpoint = |p: &str| Some(EndpointUrl::new(&format!("{ISSUER}{p}")).expect("endpoint"));
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).expect("issuer"));
    md.authorization_endpoint = endpoint("/authorize");
    md.token_endpoint = endpoint("/token");
    md.userinfo_endpoint = endpoint("/userinfo");
    md.jwks_uri = endpoint("/jwks");
    md.authorization_response_iss_parameter_supported = iss_parameter;
    md
}

/// A confidential client built offline from [`metadata`], with a fixed clock, accepting
/// HS256, ES256, RS256 and EdDSA ID tokens.
pub fn client(iss_parameter: bool) -> Client<FixtureHttp> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).expect("redirect URI"))
        .id_token_signing_algs(vec![
            JwsAlgorithm::HS256,
            JwsAlgorithm::ES256,
            JwsAlgorithm::RS256,
            JwsAlgorithm::EdDSA,
        ])
        .clock(std::sync::Arc::new(FixedClock(
            SystemTime::UNIX_EPOCH + Duration::from_secs(NOW),
        )))
        .build(metadata(iss_parameter), FixtureHttp)
        .expect("offline client builds")
}

/// The JARM `alg` allow-list of [`jarm_client`]: the client secret's HS256 and the EC
/// fixture key's ES256. The Ed25519 and RSA fixture keys are in the JWKS but not allowed.
pub const JARM_ALGS: [JwsAlgorithm; 2] = [JwsAlgorithm::HS256, JwsAlgorithm::ES256];

/// [`client`] (no RFC 9207 `iss` advertised) with [`JARM_ALGS`] as its JWT-secured
/// authorization response (JARM) allow-list.
pub fn jarm_client() -> Client<FixtureHttp> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).expect("redirect URI"))
        .authorization_response_signing_algs(JARM_ALGS.to_vec())
        .clock(std::sync::Arc::new(FixedClock(
            SystemTime::UNIX_EPOCH + Duration::from_secs(NOW),
        )))
        .build(metadata(false), FixtureHttp)
        .expect("offline JARM client builds")
}

/// The EC P-256 fixture key (kid `ec-p256-fixture`), private half.
pub fn ec_p256_key() -> SigningKey {
    SigningKey::from_jwk(EC_P256_JWK).expect("fixture EC key")
}

/// A response with `status`, an optional `content-type` and `body`.
pub fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder
        .body(Bytes::copy_from_slice(body))
        .expect("valid status and header")
}

/// Seconds since the Unix epoch (negative before it).
pub fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Splits off the first byte of a fuzz input as a selector.
pub fn split_selector(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (0, data),
    }
}
