//! The provider key cache behind [`Client::validate_id_token`] (RFC 7517 §5, OpenID Connect
//! Core §10.1.1): fetched once, refetched once on key rotation, single flight under
//! concurrency, a cooldown against floods of unknown `kid`s, tolerant of unusable keys and
//! typed errors for bad JWKS responses. The provider is a scripted in-memory [`MockHttp`].

#[path = "support/mock.rs"]
mod mock;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mock::MockHttp;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use typed_oidc::error::{Error, JoseError, ResponseError, ValidationError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use typed_oidc::time::FixedClock;
use typed_oidc::{
    Client, ClientBuilder, ClientId, ClientSecret, EndpointUrl, Expectations, IssuerUrl,
    ProviderMetadata, Public,
};

const ISSUER: &str = "https://op.example.com";
const JWKS_URI: &str = "http://127.0.0.1:1/jwks";
const CLIENT: &str = "client";
const NOW: i64 = 1_700_000_000;

const WEAK_RSA_JWK: &str = include_str!("fixtures/jose/rsa1024.pub.jwk.json");

struct Keys {
    k1: SigningKey,
    k2: SigningKey,
}

/// Two RSA keys with kids `k1` and `k2`, generated once per test binary.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        k1: SigningKey::generate_rsa(2048).unwrap().with_kid("k1"),
        k2: SigningKey::generate_rsa(2048).unwrap().with_kid("k2"),
    })
}

/// A JWK Set document publishing `keys`.
fn jwks(keys: &[&SigningKey]) -> String {
    let keys: Vec<Value> = keys.iter().map(|k| k.public_jwk()).collect();
    json!({ "keys": keys }).to_string()
}

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "alice",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW,
    })
}

/// An RS256 ID token signed by `key`, naming `kid` in its header.
fn token_as(key: &SigningKey, kid: &str) -> String {
    sign_compact(
        &key.clone().with_kid(kid),
        JwsAlgorithm::RS256,
        serde_json::Map::new(),
        claims().to_string().as_bytes(),
    )
    .unwrap()
}

/// An RS256 ID token signed by `key` under its own kid.
fn token(key: &SigningKey) -> String {
    token_as(key, key.kid().unwrap())
}

fn metadata_with_jwks_uri(uri: &str) -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    md.jwks_uri = Some(EndpointUrl::new(uri).unwrap());
    md
}

fn builder() -> ClientBuilder {
    Client::builder(ClientId::new(CLIENT))
        .id_token_signing_algs(vec![JwsAlgorithm::RS256])
        .clock(Arc::new(FixedClock::at_unix(NOW as u64)))
}

fn new_client_with<K: typed_oidc::BaseKind>(
    builder: ClientBuilder<K>,
    http: &MockHttp,
) -> Client<MockHttp, K> {
    builder
        .build(metadata_with_jwks_uri(JWKS_URI), http.clone())
        .unwrap()
}

fn new_client(http: &MockHttp) -> Client<MockHttp, Public> {
    new_client_with(builder(), http)
}

async fn validate<K: typed_oidc::BaseKind>(
    client: &Client<MockHttp, K>,
    token: &str,
) -> Result<String, Error> {
    client
        .validate_id_token(token, &Expectations::default())
        .await
        .map(|c| c.sub)
}

fn is_unknown_key(r: &Result<String, Error>, kid: &str) -> bool {
    matches!(
        r,
        Err(Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. })) if k == kid
    )
}

#[tokio::test]
async fn first_validation_fetches_once_then_cached() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    assert_eq!(http.requests(), 0, "nothing is fetched before it is needed");

    assert_eq!(
        validate(&client, &token(&keys().k1)).await.unwrap(),
        "alice"
    );
    assert_eq!(http.requests(), 1);
    let seen = http.seen();
    assert_eq!(seen[0].method, http::Method::GET);
    assert_eq!(seen[0].uri, JWKS_URI);
    assert_eq!(seen[0].accept.as_deref(), Some("application/json"));

    for _ in 0..5 {
        assert_eq!(
            validate(&client, &token(&keys().k1)).await.unwrap(),
            "alice"
        );
    }
    assert_eq!(http.requests(), 1, "later validations use the cache");
    assert_eq!(client.jwks().generation(), 1);

    // A clone of the client shares the cache.
    let clone = client.clone();
    validate(&clone, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 1);
}

#[tokio::test]
async fn key_rotation_triggers_exactly_one_refetch() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 1);

    // The provider rotates to k2 (and drops k1) right away.
    http.serve_json(jwks(&[&keys().k2]));
    assert_eq!(
        validate(&client, &token(&keys().k2)).await.unwrap(),
        "alice"
    );
    assert_eq!(http.requests(), 2, "one refetch for the new kid");
    validate(&client, &token(&keys().k2)).await.unwrap();
    assert_eq!(http.requests(), 2, "the new key is cached");

    // The retired key is unknown now; within the cooldown that costs no fetch.
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(is_unknown_key(&r, "k1"), "{r:?}");
    assert_eq!(http.requests(), 2);
}

#[tokio::test]
async fn key_rotation_with_overlap_keeps_old_tokens_valid() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();

    http.serve_json(jwks(&[&keys().k1, &keys().k2]));
    validate(&client, &token(&keys().k2)).await.unwrap();
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_validations_share_one_refetch() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 1);

    http.serve_json(jwks(&[&keys().k1, &keys().k2]));
    http.set_delay(Duration::from_millis(50));
    let new_token = token(&keys().k2);
    let mut set = JoinSet::new();
    for _ in 0..20 {
        let (client, token) = (client.clone(), new_token.clone());
        set.spawn(async move { validate(&client, &token).await });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), "alice");
        ok += 1;
    }
    assert_eq!(ok, 20);
    assert_eq!(http.requests(), 2, "exactly one refetch for 20 callers");
    assert_eq!(http.max_in_flight(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_validations_share_one_fetch() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    http.set_delay(Duration::from_millis(50));
    let client = new_client(&http);
    let t = token(&keys().k1);
    let results = tokio::join!(
        validate(&client, &t),
        validate(&client, &t),
        validate(&client, &t),
        validate(&client, &t),
        validate(&client, &t),
    );
    for r in [results.0, results.1, results.2, results.3, results.4] {
        assert_eq!(r.unwrap(), "alice");
    }
    assert_eq!(http.requests(), 1);

    // On a cold cache, tokens with unknown kids arriving together cost the initial fetch
    // only: keys fetched during the call are as new as a refetch would get.
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    http.set_delay(Duration::from_millis(50));
    let client = new_client(&http);
    let tokens: Vec<String> = (0..10)
        .map(|i| token_as(&keys().k2, &format!("ghost-{i}")))
        .collect();
    let mut set = JoinSet::new();
    for token in tokens {
        let client = client.clone();
        set.spawn(async move { validate(&client, &token).await });
    }
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        assert!(
            matches!(
                r,
                Err(Error::Validation(ValidationError::UnknownKey { .. }))
            ),
            "{r:?}"
        );
    }
    assert_eq!(http.requests(), 1);
}

#[tokio::test]
async fn unknown_kid_flood_is_throttled_by_the_cooldown() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    http.serve_json(jwks(&[&keys().k1, &keys().k2]));
    validate(&client, &token(&keys().k2)).await.unwrap();
    assert_eq!(http.requests(), 2, "initial fetch + one refetch");

    for i in 0..50 {
        let kid = format!("ghost-{i}");
        let r = validate(&client, &token_as(&keys().k2, &kid)).await;
        assert!(is_unknown_key(&r, &kid), "{r:?}");
    }
    assert_eq!(http.requests(), 2, "no fetch within the cooldown");

    // Known keys keep working meanwhile.
    validate(&client, &token(&keys().k1)).await.unwrap();
    validate(&client, &token(&keys().k2)).await.unwrap();
    assert_eq!(http.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_unknown_kid_flood_is_throttled() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    http.set_delay(Duration::from_millis(20));

    let mut set = JoinSet::new();
    for i in 0..50 {
        let (client, kid) = (client.clone(), format!("ghost-{i}"));
        set.spawn(async move {
            let r = validate(&client, &token_as(&keys().k2, &kid)).await;
            (kid, r)
        });
    }
    while let Some(joined) = set.join_next().await {
        let (kid, r) = joined.unwrap();
        assert!(is_unknown_key(&r, &kid), "{r:?}");
    }
    assert_eq!(
        http.requests(),
        2,
        "50 unknown kids at once: the initial fetch and one refetch"
    );
}

#[tokio::test]
async fn zero_cooldown_refetches_for_each_unknown_kid() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client_with(builder().jwks_cooldown(Duration::ZERO), &http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 1);

    let r = validate(&client, &token_as(&keys().k2, "ghost-1")).await;
    assert!(is_unknown_key(&r, "ghost-1"), "{r:?}");
    assert_eq!(http.requests(), 2);
    let r = validate(&client, &token_as(&keys().k2, "ghost-2")).await;
    assert!(is_unknown_key(&r, "ghost-2"), "{r:?}");
    assert_eq!(http.requests(), 3);

    // And a rotated-in key is found by the refetch.
    http.serve_json(jwks(&[&keys().k2]));
    validate(&client, &token(&keys().k2)).await.unwrap();
    assert_eq!(http.requests(), 4);
}

#[tokio::test]
async fn unusable_keys_are_skipped() {
    let weak: Value = serde_json::from_str(WEAK_RSA_JWK).unwrap();
    let doc = json!({ "keys": [
        { "kty": "XYZ", "kid": "alien", "foo": "bar" },
        { "kty": "oct", "kid": "sym", "k": "c2VjcmV0" },
        { "kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA" },
        { "kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB" },
        weak,
        keys().k1.public_jwk(),
    ]});
    let http = MockHttp::new();
    http.serve_json(doc.to_string());
    let client = new_client(&http);

    assert_eq!(
        validate(&client, &token(&keys().k1)).await.unwrap(),
        "alice"
    );
    assert_eq!(http.requests(), 1);
    let view = client.jwks().keys(client.http()).await.unwrap();
    assert_eq!(view.keys.keys().len(), 1);
    assert_eq!(view.keys.skipped(), 5);
    assert!(!view.keys.contains_kid("weak"));

    // A token naming the weak key finds no key (it is never used, even after a refetch).
    let r = validate(&client, &token_as(&keys().k1, "weak")).await;
    assert!(is_unknown_key(&r, "weak"), "{r:?}");
}

#[tokio::test]
async fn server_error_is_a_typed_error() {
    let http = MockHttp::new();
    http.respond(500, Some("text/plain"), "internal error");
    let client = new_client(&http);
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(
        matches!(
            r,
            Err(Error::Response(ResponseError::UnexpectedStatus {
                endpoint: "jwks",
                status: 500
            }))
        ),
        "{r:?}"
    );
    // An OAuth error document is reported as the provider's error.
    http.respond(
        503,
        Some("application/json"),
        r#"{"error":"temporarily_unavailable"}"#,
    );
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(
        matches!(&r, Err(Error::Provider(p)) if p.error == "temporarily_unavailable" && p.status == Some(503)),
        "{r:?}"
    );
    // A failed first fetch is not cached: once the provider recovers, validation works.
    http.serve_json(jwks(&[&keys().k1]));
    assert_eq!(
        validate(&client, &token(&keys().k1)).await.unwrap(),
        "alice"
    );
    assert_eq!(http.requests(), 3);
}

#[tokio::test]
async fn wrong_content_type_is_rejected() {
    let http = MockHttp::new();
    http.respond(200, Some("text/html; charset=utf-8"), jwks(&[&keys().k1]));
    let client = new_client(&http);
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(
        matches!(
            &r,
            Err(Error::Response(ResponseError::ContentType { endpoint: "jwks", content_type, .. }))
                if content_type == "text/html"
        ),
        "{r:?}"
    );
    // No content type at all.
    http.respond(200, None, jwks(&[&keys().k1]));
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(
        matches!(&r, Err(Error::Response(ResponseError::ContentType { content_type, .. })) if content_type.is_empty()),
        "{r:?}"
    );
    // The JWK Set media type is accepted.
    http.respond(200, Some("application/jwk-set+json"), jwks(&[&keys().k1]));
    validate(&client, &token(&keys().k1)).await.unwrap();
}

#[tokio::test]
async fn malformed_documents_and_transport_failures_are_typed() {
    for (body, check) in [
        (
            "not json",
            (|e: &Error| matches!(e, Error::Jose(JoseError::Json { .. }))) as fn(&Error) -> bool,
        ),
        ("[]", |e| matches!(e, Error::Jose(JoseError::Json { .. }))),
        (r#"{"kys":[]}"#, |e| {
            matches!(e, Error::Jose(JoseError::Malformed { .. }))
        }),
        (r#"{"keys":[],"keys":[]}"#, |e| {
            matches!(e, Error::Jose(JoseError::DuplicateMember(_)))
        }),
    ] {
        let http = MockHttp::new();
        http.serve_json(body);
        let client = new_client(&http);
        let r = validate(&client, &token(&keys().k1)).await;
        match r {
            Err(e) => assert!(check(&e), "{body}: {e:?}"),
            Ok(_) => panic!("{body}: accepted"),
        }
    }
    // An empty key set is a valid document: the token's key is simply unknown.
    let http = MockHttp::new();
    http.serve_json(r#"{"keys":[]}"#);
    let r = validate(&new_client(&http), &token(&keys().k1)).await;
    assert!(is_unknown_key(&r, "k1"), "{r:?}");

    let http = MockHttp::new();
    http.fail("connection reset");
    let r = validate(&new_client(&http), &token(&keys().k1)).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
}

#[tokio::test]
async fn failing_refetch_is_throttled_too() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    let client = new_client(&http);
    validate(&client, &token(&keys().k1)).await.unwrap();

    // The provider's JWKS endpoint breaks; an unknown kid tries one refetch and reports why
    // it failed …
    http.respond(500, Some("text/plain"), "down");
    let r = validate(&client, &token_as(&keys().k2, "ghost-1")).await;
    assert!(
        matches!(
            r,
            Err(Error::Response(ResponseError::UnexpectedStatus {
                status: 500,
                ..
            }))
        ),
        "{r:?}"
    );
    assert_eq!(http.requests(), 2);
    // … and further unknown kids within the cooldown do not hit the broken endpoint again.
    for i in 2..20 {
        let kid = format!("ghost-{i}");
        let r = validate(&client, &token_as(&keys().k2, &kid)).await;
        assert!(is_unknown_key(&r, &kid), "{r:?}");
    }
    assert_eq!(http.requests(), 2);
    // The cached keys keep working.
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 2);
}

#[tokio::test]
async fn hmac_tokens_need_no_key_set() {
    let http = MockHttp::new();
    http.respond(500, Some("text/plain"), "never asked");
    let secret = "a client secret long enough for HS256 tokens";
    let client = new_client_with(
        builder()
            .client_secret(ClientSecret::new(secret))
            .id_token_signing_algs(vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256]),
        &http,
    );
    let token = sign_compact_hmac(
        secret.as_bytes(),
        JwsAlgorithm::HS256,
        serde_json::Map::new(),
        claims().to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(validate(&client, &token).await.unwrap(), "alice");
    assert_eq!(http.requests(), 0);
}

#[tokio::test]
async fn metadata_without_jwks_uri_fetches_nothing() {
    let http = MockHttp::new();
    let client = builder()
        .build(
            ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap()),
            http.clone(),
        )
        .unwrap();
    let r = validate(&client, &token(&keys().k1)).await;
    assert!(is_unknown_key(&r, "k1"), "{r:?}");
    assert_eq!(http.requests(), 0);
}

#[tokio::test]
async fn failed_periodic_refresh_serves_old_keys_and_backs_off() {
    let http = MockHttp::new();
    http.serve_json(jwks(&[&keys().k1]));
    // Every use finds the set stale, so each validation wants a periodic refresh.
    let client = new_client_with(builder().jwks_max_age(Duration::ZERO), &http);
    validate(&client, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 1);

    http.respond(503, Some("text/plain"), "down");
    for _ in 0..10 {
        assert_eq!(
            validate(&client, &token(&keys().k1)).await.unwrap(),
            "alice",
            "old keys still serve"
        );
    }
    assert_eq!(
        http.requests(),
        2,
        "one failed refresh, then no fetch within the cooldown"
    );

    // With no cooldown, the next stale use tries again and picks up the recovered set.
    let eager = new_client_with(
        builder()
            .jwks_max_age(Duration::ZERO)
            .jwks_cooldown(Duration::ZERO),
        &http,
    );
    http.serve_json(jwks(&[&keys().k1]));
    validate(&eager, &token(&keys().k1)).await.unwrap();
    http.respond(503, Some("text/plain"), "down");
    validate(&eager, &token(&keys().k1)).await.unwrap();
    validate(&eager, &token(&keys().k1)).await.unwrap();
    assert_eq!(http.requests(), 5);
}
