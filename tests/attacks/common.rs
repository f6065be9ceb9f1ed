//! Keys, token minting, validators and clients shared by the attack tests.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};
use typed_oidc::error::Error;
use typed_oidc::jose::{JwkSet, JwsAlgorithm, SigningKey, b64, sign_compact, sign_compact_hmac};
use typed_oidc::time::FixedClock;
use typed_oidc::{
    Client, ClientId, ClientSecret, Confidential, EndpointUrl, Expectations, IdTokenClaims,
    IdTokenValidator, IssuerUrl, ProviderMetadata, Public, RedirectUrl,
};

use crate::mock::MockHttp;

/// The honest provider.
pub const ISSUER: &str = "https://op.example.com";
/// Another provider the same client also uses (the mix-up attacker, RFC 9207 §1).
pub const OTHER_ISSUER: &str = "https://op.attacker.example";
pub const CLIENT: &str = "client";
pub const SECRET: &str = "cs-attacks-SECRET-6c1f0e9d8b7a5f4e3d2c1b0a";
pub const REDIRECT: &str = "https://rp.example/cb";
/// The honest provider's `jwks_uri` (never dialled: the transport is [`MockHttp`]).
pub const JWKS_URI: &str = "https://op.example.com/jwks";
/// The validators' "now", seconds since the epoch.
pub const NOW: i64 = 1_700_000_000;

/// Generated once per test binary.
pub struct Keys {
    /// The provider's RSA key, published as `rsa-1` (alg RS256).
    pub rsa: SigningKey,
    /// The provider's P-256 key, published as `p256-1`.
    pub p256: SigningKey,
    /// A key the attacker holds; never published by the provider.
    pub attacker: SigningKey,
    /// The provider's JWK Set: `rsa` and `p256`.
    pub set: JwkSet,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = SigningKey::generate_rsa(2048).unwrap().with_kid("rsa-1");
        let p256 = SigningKey::generate_ec_p256().unwrap().with_kid("p256-1");
        let attacker = SigningKey::generate_rsa(2048).unwrap().with_kid("attacker");
        let set = JwkSet::parse(jwks_doc(&[&rsa, &p256]).as_bytes()).unwrap();
        assert_eq!(set.keys().len(), 2);
        Keys {
            rsa,
            p256,
            attacker,
            set,
        }
    })
}

/// A JWK Set document publishing the public halves of `keys`.
pub fn jwks_doc(keys: &[&SigningKey]) -> String {
    let keys: Vec<Value> = keys.iter().map(|k| k.public_jwk()).collect();
    json!({ "keys": keys }).to_string()
}

/// Valid ID-token claims for [`CLIENT`] at [`NOW`].
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "alice",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW - 10,
    })
}

/// [`claims`] with `name` set to `value`.
pub fn claims_with(name: &str, value: Value) -> Value {
    let mut c = claims();
    c.as_object_mut().unwrap().insert(name.into(), value);
    c
}

/// [`claims`] as JSON text with `extra` (raw JSON members, e.g. `"exp":1e300`) appended,
/// for values and duplicates `serde_json::Value` cannot represent.
pub fn raw_claims(extra: &str) -> String {
    let base = claims().to_string();
    let base = base.strip_suffix('}').unwrap();
    if extra.is_empty() {
        format!("{base}}}")
    } else {
        format!("{base},{extra}}}")
    }
}

/// [`raw_claims`] with the registered member `name` removed first, so that `extra` can
/// give it a value of its own without making a duplicate.
pub fn raw_claims_without(name: &str, extra: &str) -> String {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(name);
    let base = c.to_string();
    let base = base.strip_suffix('}').unwrap();
    format!("{base},{extra}}}")
}

/// `{"typ":"JWT"}` plus the members of `extra`.
pub fn header(extra: Value) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("typ".into(), json!("JWT"));
    if let Value::Object(extra) = extra {
        h.extend(extra);
    }
    h
}

/// `payload` signed by `key` (its own `kid`) with `alg`, under [`header`]`(extra)`.
pub fn sign(key: &SigningKey, alg: JwsAlgorithm, extra: Value, payload: &[u8]) -> String {
    sign_compact(key, alg, header(extra), payload).unwrap()
}

/// An RS256 token for `claims` signed by the provider key `rsa-1`.
pub fn provider_token(claims: &Value) -> String {
    sign(
        &keys().rsa,
        JwsAlgorithm::RS256,
        json!({}),
        claims.to_string().as_bytes(),
    )
}

/// An RS256 token for a raw payload signed by the provider key `rsa-1`.
pub fn provider_token_raw(payload: &str) -> String {
    sign(
        &keys().rsa,
        JwsAlgorithm::RS256,
        json!({}),
        payload.as_bytes(),
    )
}

/// An HS256 token keyed with `secret` under [`header`]`(extra)`.
pub fn hmac_token(secret: &[u8], extra: Value, payload: &[u8]) -> String {
    sign_compact_hmac(secret, JwsAlgorithm::HS256, header(extra), payload).unwrap()
}

/// A token assembled by hand from raw header JSON, payload and signature octets.
pub fn raw_token(header_json: &str, payload: &[u8], signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header_json.as_bytes()),
        b64::encode(payload),
        b64::encode(signature)
    )
}

/// The provider's ID-token rules: every algorithm allowed, keyed with [`SECRET`] for HS*.
pub fn validator() -> IdTokenValidator {
    IdTokenValidator::new(ISSUER, CLIENT, JwsAlgorithm::ALL.to_vec())
        .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .with_client_secret(Some(ClientSecret::new(SECRET)))
}

/// Validates against the provider's key set; the error must not leak [`SECRET`] or the
/// token's payload and signature.
pub fn validate(v: &IdTokenValidator, token: &str) -> Result<IdTokenClaims, Error> {
    let r = v.validate(token, &keys().set, &Expectations::default());
    if let Err(e) = &r {
        assert_no_leak(e, token);
    }
    r
}

/// Validates with [`validator`] and requires a rejection.
pub fn refuse(token: &str) -> Error {
    match validate(&validator(), token) {
        Ok(c) => panic!("the attack was accepted: {c:?}"),
        Err(e) => e,
    }
}

/// `Display` and `Debug` of `e` (and its sources) contain neither [`SECRET`] nor the
/// payload or signature segment of `token`.
pub fn assert_no_leak(e: &(dyn std::error::Error + 'static), token: &str) {
    let mut texts = vec![e.to_string(), format!("{e:?}")];
    let mut source = e.source();
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    let segments: Vec<&str> = token.split('.').skip(1).filter(|p| p.len() >= 16).collect();
    for text in &texts {
        assert!(!text.contains(SECRET), "{text:?} leaks the client secret");
        for s in &segments {
            assert!(!text.contains(s), "{text:?} leaks a token segment");
        }
    }
}

/// Metadata of `issuer` with endpoints under it and `jwks_uri` [`JWKS_URI`].
pub fn metadata(issuer: &str) -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(issuer).unwrap());
    let url = |path: &str| Some(EndpointUrl::new(&format!("{issuer}{path}")).unwrap());
    md.authorization_endpoint = url("/authorize");
    md.token_endpoint = url("/token");
    md.jwks_uri = Some(EndpointUrl::new(JWKS_URI).unwrap());
    md
}

/// A recording transport that serves the provider's JWK Set to every request.
pub fn provider_http() -> MockHttp {
    let http = MockHttp::new();
    let k = keys();
    http.serve_json(jwks_doc(&[&k.rsa, &k.p256]));
    http
}

/// A confidential client of [`ISSUER`] (secret [`SECRET`]) allowing `algs`.
pub fn confidential(http: &MockHttp, algs: Vec<JwsAlgorithm>) -> Client<MockHttp, Confidential> {
    Client::builder(ClientId::new(CLIENT))
        .client_secret(ClientSecret::new(SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT).unwrap())
        .id_token_signing_algs(algs)
        .clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .build(metadata(ISSUER), http.clone())
        .unwrap()
}

/// A public client of the provider described by `md`, allowing RS256 and ES256.
pub fn public(http: &MockHttp, md: ProviderMetadata) -> Client<MockHttp, Public> {
    Client::builder(ClientId::new(CLIENT))
        .redirect_uri(RedirectUrl::new(REDIRECT).unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::RS256, JwsAlgorithm::ES256])
        .clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .build(md, http.clone())
        .unwrap()
}

/// `Client::validate_id_token` with no per-request expectations; errors are checked for
/// leaks as in [`validate`].
pub async fn client_validate<K: typed_oidc::BaseKind>(
    client: &Client<MockHttp, K>,
    token: &str,
) -> Result<IdTokenClaims, Error> {
    let r = client
        .validate_id_token(token, &Expectations::default())
        .await;
    if let Err(e) = &r {
        assert_no_leak(e, token);
    }
    r
}

/// Every URI the transport was asked for, in order.
pub fn uris(http: &MockHttp) -> Vec<String> {
    http.seen().into_iter().map(|s| s.uri).collect()
}

/// A token whose header is the raw JSON text `header_json` (so it may hold duplicates or
/// escapes), really signed by `key` with `alg`.
pub fn sign_raw(key: &SigningKey, alg: JwsAlgorithm, header_json: &str, payload: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header_json.as_bytes()),
        b64::encode(payload)
    );
    let sig = key.sign(alg, input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(&sig))
}

/// The raw HMAC-SHA256 of `input` keyed with `key` (which may be empty, unlike
/// [`sign_compact_hmac`]).
pub fn hmac_sha256(key: &[u8], input: &[u8]) -> Vec<u8> {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    aws_lc_rs::hmac::sign(&key, input).as_ref().to_vec()
}
