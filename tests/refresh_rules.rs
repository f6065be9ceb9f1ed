//! Refresh (RFC 6749 §6, OpenID Connect Core §12.2) against a scripted token
//! endpoint serving ID tokens this test signs itself: rotation, keeping the old
//! refresh token, and refusing a refreshed ID token that changes `iss`, `sub`, `aud`, `azp`
//! or `auth_time`, or whose `at_hash` does not match the access token it came with.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use typed_oidc::error::{Error, ValidationError};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact};
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

const ISSUER: &str = "https://op.example";
const CLIENT: &str = "rp";

/// Serves the JWK Set at `/jwks` and queued bodies at `/token`, recording token-request bodies.
#[derive(Clone)]
struct ScriptedOp {
    jwks: String,
    token_bodies: Arc<Mutex<VecDeque<String>>>,
    token_requests: Arc<Mutex<Vec<String>>>,
}

impl HttpClient for ScriptedOp {
    async fn execute(
        &self,
        req: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        let body = if req.uri().path() == "/jwks" {
            self.jwks.clone()
        } else {
            self.token_requests
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(req.body()).into_owned());
            self.token_bodies
                .lock()
                .unwrap()
                .pop_front()
                .expect("a scripted token response")
        };
        Ok(::http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(Bytes::from(body))
            .unwrap())
    }
}

struct Fixture {
    key: SigningKey,
    op: ScriptedOp,
    client: Client<ScriptedOp>,
}

fn fixture() -> Fixture {
    let key = SigningKey::generate_ec_p256().unwrap().with_kid("k1");
    let jwks = serde_json::json!({ "keys": [key.public_jwk()] }).to_string();
    let op = ScriptedOp {
        jwks,
        token_bodies: Arc::default(),
        token_requests: Arc::default(),
    };
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    md.authorization_endpoint = Some(EndpointUrl::new("https://op.example/auth").unwrap());
    md.token_endpoint = Some(EndpointUrl::new("https://op.example/token").unwrap());
    md.jwks_uri = Some(EndpointUrl::new("https://op.example/jwks").unwrap());
    let client = Client::builder(ClientId::new(CLIENT))
        .client_secret(ClientSecret::new("secret"))
        .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::ES256])
        // Trusted, so a token that adds it reaches the §12.2 "same aud" rule.
        .trusted_audiences(vec!["other-rp".into()])
        .build(md, op.clone())
        .unwrap();
    Fixture { key, op, client }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn id_token(key: &SigningKey, iss: &str, sub: &str, nonce: Option<&str>) -> String {
    id_token_with(key, iss, sub, nonce, serde_json::json!({}))
}

/// An ID token with `patch`'s members added to (or replacing) the standard claims.
fn id_token_with(
    key: &SigningKey,
    iss: &str,
    sub: &str,
    nonce: Option<&str>,
    patch: serde_json::Value,
) -> String {
    let mut claims = serde_json::json!({ "iss": iss, "sub": sub, "aud": CLIENT, "iat": now(), "exp": now() + 300, "auth_time": now() - 10 });
    if let Some(n) = nonce {
        claims["nonce"] = n.into();
    }
    for (name, value) in patch.as_object().unwrap() {
        claims[name] = value.clone();
    }
    sign_compact(
        key,
        JwsAlgorithm::ES256,
        serde_json::Map::new(),
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

fn token_body(access: &str, refresh: Option<&str>, id_token: Option<String>) -> String {
    let mut b =
        serde_json::json!({ "access_token": access, "token_type": "Bearer", "expires_in": 60 });
    if let Some(r) = refresh {
        b["refresh_token"] = r.into();
    }
    if let Some(i) = id_token {
        b["id_token"] = i.into();
    }
    b.to_string()
}

/// Runs the code flow against the scripted provider and returns offline tokens.
async fn login(f: &Fixture) -> Tokens<Offline> {
    let (_, pending) = f
        .client
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-1",
        Some("rt-1"),
        Some(id_token(&f.key, ISSUER, "alice", Some(&nonce))),
    ));
    let received = pending
        .callback(&format!("https://rp.example/cb?code=c1&state={state}"))
        .unwrap();
    received.exchange(&f.client).await.unwrap()
}

#[tokio::test]
async fn rotated_refresh_token_replaces_the_old_one() {
    let f = fixture();
    let tokens = login(&f).await;
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-2",
        Some("rt-2"),
        Some(id_token(&f.key, ISSUER, "alice", None)),
    ));
    let fresh = tokens.refresh(&f.client).await.unwrap();
    assert_eq!(fresh.access_token().secret(), "at-2");
    assert_eq!(fresh.refresh_token().secret(), "rt-2");
    assert_eq!(fresh.id_token_claims().unwrap().sub, "alice");
    let sent = f.op.token_requests.lock().unwrap().last().cloned().unwrap();
    assert!(
        sent.contains("grant_type=refresh_token") && sent.contains("refresh_token=rt-1"),
        "{sent}"
    );
}

#[tokio::test]
async fn absent_refresh_token_keeps_the_old_one_and_the_old_id_token() {
    let f = fixture();
    let tokens = login(&f).await;
    f.op.token_bodies
        .lock()
        .unwrap()
        .push_back(token_body("at-2", None, None));
    let fresh = tokens.refresh(&f.client).await.unwrap();
    assert_eq!(fresh.refresh_token().secret(), "rt-1");
    assert_eq!(
        fresh.id_token().unwrap().secret(),
        tokens.id_token().unwrap().secret()
    );
    assert_eq!(fresh.id_token_claims(), tokens.id_token_claims());
}

#[tokio::test]
async fn refreshed_id_token_with_another_subject_is_refused() {
    let f = fixture();
    let tokens = login(&f).await;
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-2",
        Some("rt-2"),
        Some(id_token(&f.key, ISSUER, "mallory", None)),
    ));
    let err = tokens.refresh(&f.client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(ValidationError::SubjectMismatch { expected, actual }) if expected == "alice" && actual == "mallory"),
        "{err:?}"
    );
    // Nothing is lost: the original tokens still refresh.
    f.op.token_bodies
        .lock()
        .unwrap()
        .push_back(token_body("at-3", Some("rt-3"), None));
    assert_eq!(
        tokens
            .refresh(&f.client)
            .await
            .unwrap()
            .refresh_token()
            .secret(),
        "rt-3"
    );
}

#[tokio::test]
async fn refreshed_id_token_from_another_issuer_is_refused() {
    let f = fixture();
    let tokens = login(&f).await;
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-2",
        Some("rt-2"),
        Some(id_token(&f.key, "https://evil.example", "alice", None)),
    ));
    let err = tokens.refresh(&f.client).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ValidationError::Issuer { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn offline_exchange_without_refresh_token_is_an_error() {
    let f = fixture();
    let (_, pending) = f
        .client
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-1",
        None,
        Some(id_token(&f.key, ISSUER, "alice", Some(&nonce))),
    ));
    let err = pending
        .callback(&format!("/cb?code=c&state={state}"))
        .unwrap()
        .exchange(&f.client)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Response(typed_oidc::error::ResponseError::Invalid { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn expiry_is_exposed_for_early_refresh() {
    let f = fixture();
    let tokens = login(&f).await;
    let at = tokens.expires_at().unwrap();
    let left = at.duration_since(SystemTime::now()).unwrap();
    assert!(
        left <= Duration::from_secs(60) && left > Duration::from_secs(50),
        "{left:?}"
    );
    assert!(!tokens.is_expired(Duration::from_secs(0)));
    assert!(
        tokens.is_expired(Duration::from_secs(120)),
        "within the leeway counts as expired"
    );
}

/// A refresh whose new ID token carries `patch`: the refusal, and the proof that the held
/// tokens still work (nothing is lost).
async fn refused_refresh(patch: serde_json::Value) -> Error {
    let f = fixture();
    let tokens = login(&f).await;
    let original = tokens.id_token_claims().unwrap().clone();
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-2",
        Some("rt-2"),
        Some(id_token_with(&f.key, ISSUER, "alice", None, patch)),
    ));
    let err = tokens.refresh(&f.client).await.unwrap_err();
    assert_eq!(tokens.id_token_claims(), Some(&original));
    assert_eq!(tokens.refresh_token().secret(), "rt-1");
    err
}

#[tokio::test]
async fn refreshed_id_token_with_other_audiences_is_refused() {
    let err =
        refused_refresh(serde_json::json!({ "aud": [CLIENT, "other-rp"], "azp": CLIENT })).await;
    assert!(
        matches!(&err, Error::Validation(ValidationError::AudienceChanged { expected, actual })
            if expected == &[CLIENT.to_owned()] && actual.len() == 2),
        "{err:?}"
    );
}

#[tokio::test]
async fn refreshed_id_token_with_a_new_azp_is_refused() {
    // The original token had no azp: Core §12.2 says none may appear in the new one.
    let err = refused_refresh(serde_json::json!({ "azp": CLIENT })).await;
    assert!(
        matches!(&err, Error::Validation(ValidationError::AzpChanged { expected: None, actual: Some(a) }) if a == CLIENT),
        "{err:?}"
    );
}

#[tokio::test]
async fn refreshed_id_token_with_another_auth_time_is_refused() {
    let err = refused_refresh(serde_json::json!({ "auth_time": now() })).await;
    assert!(
        matches!(
            err,
            Error::Validation(ValidationError::AuthTimeChanged { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn refreshed_id_token_may_keep_auth_time_and_reorder_audiences() {
    let f = fixture();
    let tokens = login(&f).await;
    let original = tokens.id_token_claims().unwrap().clone();
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-2",
        Some("rt-2"),
        // Same aud as a one-element array instead of a string, same auth_time, no azp.
        Some(id_token_with(
            &f.key,
            ISSUER,
            "alice",
            None,
            serde_json::json!({ "aud": [CLIENT], "auth_time": original.auth_time }),
        )),
    ));
    let fresh = tokens.refresh(&f.client).await.unwrap();
    assert_eq!(
        fresh.id_token_claims().unwrap().auth_time,
        original.auth_time
    );
    // An auth_time left out of the new token is allowed (it is optional there).
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-3",
        Some("rt-3"),
        Some(id_token_with(
            &f.key,
            ISSUER,
            "alice",
            None,
            serde_json::json!({ "auth_time": null }),
        )),
    ));
    fresh.refresh(&f.client).await.unwrap();
}

#[tokio::test]
async fn refreshed_id_token_with_a_wrong_at_hash_is_refused() {
    // at_hash of "another-access-token" (ES256: left half of SHA-256, base64url).
    let wrong = typed_oidc::jose::b64::encode(
        &<sha2::Sha256 as sha2::Digest>::digest(b"another-access-token")[..16],
    );
    let err = refused_refresh(serde_json::json!({ "at_hash": wrong })).await;
    assert!(
        matches!(err, Error::Validation(ValidationError::AtHashMismatch)),
        "{err:?}"
    );
}

/// A code exchange whose ID token (from the token endpoint, with access token `at-1`)
/// carries the `at_hash` of `hashed` (ES256: left half of SHA-256, base64url).
async fn exchange_with_at_hash_of(
    f: &Fixture,
    code: &str,
    hashed: &[u8],
) -> Result<Tokens<Online>, Error> {
    let (_, pending) = f.client.authorization_request().start().unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let at_hash =
        typed_oidc::jose::b64::encode(&<sha2::Sha256 as sha2::Digest>::digest(hashed)[..16]);
    f.op.token_bodies.lock().unwrap().push_back(token_body(
        "at-1",
        None,
        Some(id_token_with(
            &f.key,
            ISSUER,
            "alice",
            Some(&nonce),
            serde_json::json!({ "at_hash": at_hash }),
        )),
    ));
    pending
        .callback(&format!("https://rp.example/cb?code={code}&state={state}"))
        .unwrap()
        .exchange(&f.client)
        .await
}

#[tokio::test]
async fn code_exchange_with_a_wrong_at_hash_from_the_token_endpoint_is_refused() {
    let f = fixture();
    let err = exchange_with_at_hash_of(&f, "c1", b"not-at-1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ValidationError::AtHashMismatch)),
        "{err:?}"
    );
    // The right at_hash passes (the check is real, not a blanket refusal).
    exchange_with_at_hash_of(&f, "c2", b"at-1").await.unwrap();
}
