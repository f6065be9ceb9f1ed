//! Keys, clients, token minting and the refusal check shared by the back-channel logout
//! attack tests.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};
use typed_oidc::backchannel::{BackChannelError, BackChannelResponse, RpSession};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, b64, sign_compact};
use typed_oidc::time::FixedClock;
use typed_oidc::*;

use crate::mock::MockHttp;

pub const ISSUER: &str = "https://op.example.com";
pub const JWKS_URI: &str = "https://op.example.com/jwks";
pub const CLIENT: &str = "rp-client";
pub const SECRET: &str = "bcl-attacks-SECRET-0f1e2d3c4b5a69788796a5b4";
pub const NOW: i64 = 1_700_000_000;
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
pub const FORM: &str = "application/x-www-form-urlencoded";

pub struct Keys {
    /// The provider's key (fixture `rsa2048_pkcs1.pem`), published as `rsa-fixture`.
    pub provider: SigningKey,
    /// The provider's second key (fixture `ec_p256_sec1.pem`), published as `ec-fixture`.
    pub provider_ec: SigningKey,
    /// A key the attacker holds (never published).
    pub attacker: SigningKey,
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/jose/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        provider: SigningKey::from_pem(&fixture("rsa2048_pkcs1.pem"))
            .unwrap()
            .with_kid("rsa-fixture"),
        provider_ec: SigningKey::from_pem(&fixture("ec_p256_sec1.pem"))
            .unwrap()
            .with_kid("ec-fixture"),
        attacker: SigningKey::generate_rsa(2048)
            .unwrap()
            .with_kid("rsa-fixture"),
    })
}

pub fn jwks_doc(keys: &[&SigningKey]) -> String {
    let keys: Vec<Value> = keys.iter().map(|k| k.public_jwk()).collect();
    json!({ "keys": keys }).to_string()
}

/// A confidential client of [`ISSUER`] (ID tokens RS256 and ES256) at [`NOW`], with the
/// provider's keys served by `http`.
pub fn client_on(http: &MockHttp) -> Client<MockHttp> {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    md.jwks_uri = Some(EndpointUrl::new(JWKS_URI).unwrap());
    md.id_token_signing_alg_values_supported = vec!["RS256".into(), "ES256".into()];
    md.backchannel_logout_supported = true;
    Client::builder(ClientId::new(CLIENT))
        .client_secret(ClientSecret::new(SECRET))
        .clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .build(md, http.clone())
        .unwrap()
}

pub fn provider_http() -> MockHttp {
    let http = MockHttp::new();
    let k = keys();
    http.serve_json(jwks_doc(&[&k.provider, &k.provider_ec]));
    http
}

pub fn client() -> Client<MockHttp> {
    client_on(&provider_http())
}

/// A handler whose store holds alice's session `s-alice` (provider sid `sid-1`), alice's
/// second session `s-alice-2` (`sid-2`) and bob's `s-bob` (`sid-3`).
pub fn handler() -> BackChannelLogout {
    let h = BackChannelLogout::default();
    for (id, sub, sid) in [
        ("s-alice", "alice", "sid-1"),
        ("s-alice-2", "alice", "sid-2"),
        ("s-bob", "bob", "sid-3"),
    ] {
        h.sessions().insert(RpSession {
            id: id.into(),
            iss: ISSUER.into(),
            sub: sub.into(),
            sid: Some(sid.into()),
        });
    }
    h
}

/// Valid logout-token claims for alice's session `sid-1`.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": CLIENT,
        "iat": NOW - 5,
        "exp": NOW + 115,
        "jti": "jti-0001",
        "sub": "alice",
        "sid": "sid-1",
        "events": { EVENT: {} },
    })
}

pub fn with(name: &str, value: Value) -> Value {
    let mut c = claims();
    c[name] = value;
    c
}

pub fn without(name: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(name);
    c
}

pub fn header(typ: Option<&str>) -> Map<String, Value> {
    let mut h = Map::new();
    if let Some(typ) = typ {
        h.insert("typ".into(), json!(typ));
    }
    h
}

/// `claims` signed RS256 by the provider key, `typ: logout+jwt`.
pub fn token(claims: &Value) -> String {
    sign_compact(
        &keys().provider,
        JwsAlgorithm::RS256,
        header(Some("logout+jwt")),
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

pub fn raw(header_json: &str, payload: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header_json.as_bytes()),
        b64::encode(payload.as_bytes()),
        b64::encode(signature)
    )
}

pub fn body(token: &str) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", token)
        .finish()
        .into_bytes()
}

pub async fn post(
    h: &BackChannelLogout,
    c: &Client<MockHttp>,
    content_type: Option<&str>,
    body: &[u8],
) -> BackChannelResponse {
    h.handle_parts(c, &::http::Method::POST, content_type, body)
        .await
}

/// Posts `token`, requires a refusal and checks the answer: status, headers, JSON body with
/// the error's fixed description, no session ended, no leak.
pub async fn refuse_with(
    h: &BackChannelLogout,
    c: &Client<MockHttp>,
    token: &str,
) -> BackChannelError {
    let answered = post(h, c, Some(FORM), &body(token)).await;
    check_refusal(&answered, token, 400);
    assert_eq!(
        h.sessions().active().len(),
        3,
        "a refused token ended a session"
    );
    answered.outcome.unwrap_err()
}

pub async fn refuse(token: &str) -> LogoutTokenError {
    match refuse_with(&handler(), &client(), token).await {
        BackChannelError::Token(e) => e,
        other => panic!("expected a token error, got {other:?}"),
    }
}

pub fn check_refusal(answered: &BackChannelResponse, token: &str, status: u16) {
    let r = &answered.response;
    assert_eq!(r.status(), status, "{:?}", answered.outcome);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["content-type"], "application/json");
    let err = answered
        .outcome
        .as_ref()
        .expect_err("the request was accepted");
    let json: Value = serde_json::from_slice(r.body()).expect("a JSON error body");
    assert_eq!(json["error"], err.error_code());
    assert_eq!(json["error_description"], err.description());
    assert_eq!(json.as_object().unwrap().len(), 2);
    let texts = [
        String::from_utf8_lossy(r.body()).into_owned(),
        err.to_string(),
        format!("{err:?}"),
    ];
    let segments: Vec<&str> = token.split('.').filter(|s| s.len() >= 16).collect();
    for text in &texts {
        assert!(!text.contains(SECRET), "{text} leaks the client secret");
        if token.len() >= 16 {
            assert!(!text.contains(token), "{text} echoes the token");
        }
        for s in &segments {
            assert!(!text.contains(s), "{text} leaks a token segment");
        }
    }
}
