//! Rules of the implicit and hybrid flows (OpenID Connect Core §3.2, §3.3) and of the
//! device authorization grant (RFC 8628), against a scripted provider that serves ID
//! tokens this test signs itself, and an injected timer so polling takes no time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use typed_oidc::device::{DeviceError, DevicePoll, DeviceTimer};
use typed_oidc::error::{CallbackError, ConfigError, Error, ValidationError};
use typed_oidc::flow::{HybridResponseType, ResponseMode};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, left_half_hash, sign_compact};
use typed_oidc::time::FixedClock;
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

const ISSUER: &str = "https://op.example";
const CLIENT: &str = "rp";
const REDIRECT: &str = "https://rp.example/cb";

/// Unwraps the error of a result, asserting that it matches a pattern.
macro_rules! assert_err {
    ($result:expr, $($pattern:tt)+) => {{
        let err = $result.unwrap_err();
        assert!(matches!(&err, $($pattern)+), "{err:?}");
        err
    }};
}

// ---- scripted provider ------------------------------------------------------------------------

/// One request the scripted provider received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: String,
}

/// Serves the JWK Set at `/jwks` and queued `(status, body)` answers at `/token` and
/// `/device`, recording every request.
#[derive(Clone, Default)]
struct ScriptedOp {
    jwks: String,
    answers: Arc<Mutex<VecDeque<(u16, String)>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Called with the number of `/token` requests so far, after each one.
    on_token: Option<Arc<dyn Fn(usize) + Send + Sync>>,
}

impl ScriptedOp {
    fn answer(&self, status: u16, body: impl Into<String>) {
        self.answers
            .lock()
            .unwrap()
            .push_back((status, body.into()));
    }
    fn error(&self, code: &str) {
        self.answer(400, format!(r#"{{"error":"{code}"}}"#));
    }
    fn seen(&self, path: &str) -> Vec<Seen> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

impl HttpClient for ScriptedOp {
    async fn execute(
        &self,
        req: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        let path = req.uri().path().to_owned();
        self.seen.lock().unwrap().push(Seen {
            path: path.clone(),
            authorization: req
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned()),
            body: String::from_utf8_lossy(req.body()).into_owned(),
        });
        let (status, body) = if path == "/jwks" {
            (200, self.jwks.clone())
        } else {
            let next = self.answers.lock().unwrap().pop_front();
            next.unwrap_or_else(|| panic!("no scripted answer for {path}"))
        };
        if path == "/token"
            && let Some(hook) = &self.on_token
        {
            hook(self.seen("/token").len());
        }
        Ok(::http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Bytes::from(body))
            .unwrap())
    }
}

fn metadata() -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    let url = |p: &str| Some(EndpointUrl::new(&format!("{ISSUER}{p}")).unwrap());
    md.authorization_endpoint = url("/auth");
    md.token_endpoint = url("/token");
    md.jwks_uri = url("/jwks");
    md.device_authorization_endpoint = url("/device");
    md
}

struct Fixture<K: typed_oidc::BaseKind> {
    key: SigningKey,
    op: ScriptedOp,
    client: Client<ScriptedOp, K>,
}

fn op_and_key() -> (ScriptedOp, SigningKey) {
    let key = SigningKey::generate_ec_p256().unwrap().with_kid("k1");
    let op = ScriptedOp {
        jwks: serde_json::json!({ "keys": [key.public_jwk()] }).to_string(),
        ..Default::default()
    };
    (op, key)
}

fn builder() -> ClientBuilder<Public> {
    Client::builder(ClientId::new(CLIENT))
        .redirect_uri(RedirectUrl::new(REDIRECT).unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::ES256])
}

fn public_fixture() -> Fixture<Public> {
    let (op, key) = op_and_key();
    let client = builder().build(metadata(), op.clone()).unwrap();
    Fixture { key, op, client }
}

fn confidential_fixture() -> Fixture<Confidential> {
    let (op, key) = op_and_key();
    let client = builder()
        .client_secret(ClientSecret::new("secret"))
        .build(metadata(), op.clone())
        .unwrap();
    Fixture { key, op, client }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An ES256 ID token for `rp` with these extra claims.
fn id_token(key: &SigningKey, sub: &str, extra: serde_json::Value) -> String {
    let mut claims = serde_json::json!({
        "iss": ISSUER, "sub": sub, "aud": CLIENT, "iat": now(), "exp": now() + 300,
    });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    sign_compact(
        key,
        JwsAlgorithm::ES256,
        serde_json::Map::new(),
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

fn hash(value: &str) -> String {
    left_half_hash(JwsAlgorithm::ES256, value)
}

fn fragment(pairs: &[(&str, &str)]) -> String {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{REDIRECT}#{encoded}")
}

fn token_body(access: &str, id_token: Option<String>) -> String {
    let mut b =
        serde_json::json!({ "access_token": access, "token_type": "Bearer", "expires_in": 60 });
    if let Some(i) = id_token {
        b["id_token"] = i.into();
    }
    b.to_string()
}

// ---- implicit ---------------------------------------------------------------------------------

#[tokio::test]
async fn implicit_id_token_is_validated_with_its_nonce() {
    let f = public_fixture();
    let (url, pending) = f.client.implicit_request().scope("email").start().unwrap();
    let url = url::Url::parse(url.as_str()).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "id_token");
    assert!(!q.contains_key("response_mode"), "fragment is the default");
    assert!(!q.contains_key("code_challenge"), "no code, no PKCE");
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let token = id_token(
        &f.key,
        "alice",
        serde_json::json!({ "nonce": nonce, "email": "alice@example.com" }),
    );
    let verified = pending
        .callback(
            &f.client,
            &fragment(&[("id_token", &token), ("state", &state)]),
        )
        .await
        .unwrap();
    assert_eq!(verified.claims().sub, "alice");
    assert_eq!(verified.claims().get("email").unwrap(), "alice@example.com");
    assert_eq!(verified.id_token().secret(), token);
    assert!(!format!("{verified:?}").contains(&token));
}

#[tokio::test]
async fn implicit_id_token_with_a_wrong_nonce_is_refused() {
    let f = public_fixture();
    let (_, pending) = f.client.implicit_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let token = id_token(&f.key, "alice", serde_json::json!({ "nonce": "other" }));
    assert_err!(
        pending
            .callback(
                &f.client,
                &fragment(&[("id_token", &token), ("state", &state)]),
            )
            .await,
        Error::Validation(ValidationError::NonceMismatch)
    );
}

#[tokio::test]
async fn pending_implicit_survives_a_session_store_in_both_response_types() {
    let f = public_fixture();
    // `id_token`: stored as JSON (what a server-side session keeps), restored, then used.
    let (_, pending) = f.client.implicit_request().start().unwrap();
    let stored = serde_json::to_string(&pending).unwrap();
    let restored: PendingImplicit = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored.state().secret(), pending.state().secret());
    assert_eq!(
        restored.nonce().unwrap().secret(),
        pending.nonce().unwrap().secret()
    );
    let state = restored.state().secret().to_owned();
    let nonce = restored.nonce().unwrap().secret().to_owned();
    let token = id_token(&f.key, "alice", serde_json::json!({ "nonce": nonce }));
    let verified = restored
        .callback(
            &f.client,
            &fragment(&[("id_token", &token), ("state", &state)]),
        )
        .await
        .unwrap();
    assert_eq!(verified.claims().sub, "alice");

    // `id_token token`: the response type is part of the type, and survives too.
    let (_, pending) = f
        .client
        .implicit_request()
        .with_access_token()
        .start()
        .unwrap();
    let stored = serde_json::to_vec(&pending).unwrap();
    let restored: PendingImplicit<typed_oidc::flow::IdTokenToken> =
        serde_json::from_slice(&stored).unwrap();
    let state = restored.state().secret().to_owned();
    let nonce = restored.nonce().unwrap().secret().to_owned();
    let token = id_token(
        &f.key,
        "alice",
        serde_json::json!({ "nonce": nonce, "at_hash": hash("at-front") }),
    );
    let tokens = restored
        .callback(
            &f.client,
            &fragment(&[
                ("id_token", &token),
                ("access_token", "at-front"),
                ("token_type", "Bearer"),
                ("state", &state),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "at-front");
    // A stored flow is not a replay token: garbage is a typed serde error, not a panic.
    assert!(serde_json::from_str::<PendingImplicit>("{\"pending\":42}").is_err());
}

/// `id_token token` with an access token `at-front` and an ID token carrying `at_hash`
/// (none when `None`).
async fn implicit_with_token(
    f: &Fixture<Public>,
    at_hash: Option<String>,
) -> Result<Tokens<Online>, Error> {
    let (_, pending) = f
        .client
        .implicit_request()
        .with_access_token()
        .start()
        .unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let mut claims = serde_json::json!({ "nonce": nonce });
    if let Some(h) = at_hash {
        claims["at_hash"] = h.into();
    }
    let token = id_token(&f.key, "alice", claims);
    let redirect = fragment(&[
        ("id_token", &token),
        ("access_token", "at-front"),
        ("token_type", "Bearer"),
        ("expires_in", "3600"),
        ("refresh_token", "never-in-implicit"),
        ("state", &state),
    ]);
    pending.callback(&f.client, &redirect).await
}

#[tokio::test]
async fn implicit_id_token_token_without_at_hash_is_refused() {
    let f = public_fixture();
    let err = assert_err!(
        implicit_with_token(&f, None).await,
        Error::Validation(ValidationError::AtHashMissing)
    );
    assert!(!err.to_string().contains("at-front"));
}

#[tokio::test]
async fn implicit_id_token_token_checks_at_hash_and_yields_online_tokens() {
    let f = public_fixture();
    assert_err!(
        implicit_with_token(&f, Some(hash("another-token"))).await,
        Error::Validation(ValidationError::AtHashMismatch)
    );
    let tokens = implicit_with_token(&f, Some(hash("at-front")))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "at-front");
    assert!(tokens.expires_at().is_some());
    assert!(
        tokens.refresh_token_opt().is_none(),
        "implicit tokens are never refreshable"
    );
    // Nothing went to the token endpoint.
    assert!(f.op.seen("/token").is_empty());
}

#[tokio::test]
async fn implicit_form_post_and_missing_parameters() {
    let f = public_fixture();
    let (url, pending) = f
        .client
        .implicit_request()
        .with_access_token()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    assert!(url.as_str().contains("response_mode=form_post"));
    assert!(url.as_str().contains("response_type=id_token+token"));
    let state = pending.state().secret().to_owned();
    let body = format!("id_token=x.y.z&state={state}");
    assert_err!(
        pending.callback_form(&f.client, body.as_bytes()).await,
        Error::Callback(CallbackError::MissingParameter("access_token"))
    );

    let (_, pending) = f.client.implicit_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    assert_err!(
        pending
            .callback(&f.client, &fragment(&[("state", &state)]))
            .await,
        Error::Callback(CallbackError::MissingParameter("id_token"))
    );
}

#[tokio::test]
async fn implicit_refuses_query_mode_and_unsupported_response_types() {
    let f = public_fixture();
    assert_err!(
        f.client
            .implicit_request()
            .response_mode(ResponseMode::Query)
            .start(),
        Error::Config(ConfigError::InvalidValue {
            what: "response_mode",
            ..
        })
    );

    let mut md = metadata();
    md.response_types_supported = vec!["code".into(), "token id_token".into()];
    let client = builder().build(md, f.op.clone()).unwrap();
    assert_err!(
        client.implicit_request().start(),
        Error::Config(ConfigError::UnsupportedByProvider("response_type=id_token"))
    );
    // The order of the values in a listed response type does not matter.
    assert!(
        client
            .implicit_request()
            .with_access_token()
            .start()
            .is_ok()
    );
}

// ---- hybrid -----------------------------------------------------------------------------------

#[tokio::test]
async fn hybrid_bad_c_hash_fails_before_any_token_request() {
    let f = confidential_fixture();
    let (_, pending) = f
        .client
        .authorization_request()
        .start_hybrid(HybridResponseType::CodeIdToken)
        .unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let token = id_token(
        &f.key,
        "alice",
        serde_json::json!({ "nonce": nonce, "c_hash": hash("another-code") }),
    );
    assert_err!(
        pending
            .callback(
                &f.client,
                &fragment(&[("code", "code-1"), ("id_token", &token), ("state", &state)]),
            )
            .await,
        Error::Validation(ValidationError::CHashMismatch)
    );
    assert!(f.op.seen("/token").is_empty(), "no token request was sent");
}

#[tokio::test]
async fn hybrid_requires_c_hash_and_at_hash() {
    let f = confidential_fixture();
    for (rt, claims, expected) in [
        (
            HybridResponseType::CodeIdToken,
            serde_json::json!({}),
            ValidationError::CHashMissing,
        ),
        (
            HybridResponseType::CodeIdTokenToken,
            serde_json::json!({ "c_hash": hash("code-1") }),
            ValidationError::AtHashMissing,
        ),
    ] {
        let (_, pending) = f.client.authorization_request().start_hybrid(rt).unwrap();
        let mut claims = claims;
        claims["nonce"] = pending.nonce().unwrap().secret().into();
        let state = pending.state().secret().to_owned();
        let token = id_token(&f.key, "alice", claims);
        let err = pending
            .callback(
                &f.client,
                &fragment(&[
                    ("code", "code-1"),
                    ("id_token", &token),
                    ("access_token", "at-front"),
                    ("token_type", "Bearer"),
                    ("state", &state),
                ]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation(e) if *e == expected),
            "{rt:?}: {err:?}"
        );
    }
    assert!(f.op.seen("/token").is_empty());
}

/// Runs `code id_token token` through the callback with a front-channel token for
/// `front_sub`, then the exchange with a back-channel token for `back_sub`.
async fn hybrid_exchange(
    f: &Fixture<Confidential>,
    front_sub: &str,
    back_sub: &str,
) -> Result<Tokens<Offline>, Error> {
    let (url, pending) = f
        .client
        .authorization_request()
        .offline_access()
        .start_hybrid(HybridResponseType::CodeIdTokenToken)
        .unwrap();
    assert!(url.as_str().contains("response_type=code+id_token+token"));
    assert!(url.as_str().contains("code_challenge="));
    assert!(url.as_str().contains("prompt=consent"));
    // The pending flow survives a trip through a session store.
    let stored = serde_json::to_string(&pending).unwrap();
    let pending: PendingHybrid<Offline> = serde_json::from_str(&stored).unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let front = id_token(
        &f.key,
        front_sub,
        serde_json::json!({ "nonce": nonce, "c_hash": hash("code-1"), "at_hash": hash("at-front") }),
    );
    let received = pending
        .callback(
            &f.client,
            &fragment(&[
                ("code", "code-1"),
                ("id_token", &front),
                ("access_token", "at-front"),
                ("token_type", "Bearer"),
                ("state", &state),
            ]),
        )
        .await?;
    assert_eq!(received.front_channel_claims().unwrap().sub, front_sub);
    assert_eq!(
        received.front_channel_access_token().unwrap().secret(),
        "at-front"
    );
    let back = id_token(&f.key, back_sub, serde_json::json!({ "nonce": nonce }));
    let mut body: serde_json::Value =
        serde_json::from_str(&token_body("at-back", Some(back))).unwrap();
    body["refresh_token"] = "rt-1".into();
    f.op.answer(200, body.to_string());
    let tokens = received.exchange(&f.client).await;
    let sent = f.op.seen("/token").pop().unwrap();
    assert!(sent.body.contains("grant_type=authorization_code"));
    assert!(sent.body.contains("code=code-1"));
    assert!(sent.body.contains("code_verifier="));
    assert!(sent.authorization.unwrap().starts_with("Basic "));
    tokens
}

#[tokio::test]
async fn hybrid_exchange_yields_tokens_when_both_id_tokens_agree() {
    let f = confidential_fixture();
    let tokens = hybrid_exchange(&f, "alice", "alice").await.unwrap();
    assert_eq!(tokens.access_token().secret(), "at-back");
    assert_eq!(tokens.refresh_token().secret(), "rt-1");
    assert_eq!(tokens.id_token_claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn hybrid_back_channel_id_token_with_another_subject_is_refused() {
    let f = confidential_fixture();
    assert_err!(hybrid_exchange(&f, "alice", "mallory").await, Error::Validation(ValidationError::SubjectMismatch { expected, actual }) if expected == "alice" && actual == "mallory");
}

#[tokio::test]
async fn hybrid_request_rules() {
    let f = confidential_fixture();
    assert_err!(
        f.client
            .authorization_request()
            .without_openid()
            .start_hybrid(HybridResponseType::CodeIdToken),
        Error::Config(ConfigError::InvalidValue { what: "scope", .. })
    );
    assert_err!(
        f.client
            .authorization_request()
            .response_mode(ResponseMode::Query)
            .start_hybrid(HybridResponseType::CodeToken),
        Error::Config(ConfigError::InvalidValue {
            what: "response_mode",
            ..
        })
    );
    // `code token` without openid is plain OAuth 2.0: no nonce, no ID token expected.
    let (_, pending) = f
        .client
        .authorization_request()
        .without_openid()
        .start_hybrid(HybridResponseType::CodeToken)
        .unwrap();
    assert!(pending.nonce().is_none());
    // A form_post flow refuses a redirect and vice versa.
    let (_, pending) = f
        .client
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start_hybrid(HybridResponseType::CodeIdToken)
        .unwrap();
    assert_err!(
        pending.callback(&f.client, REDIRECT).await,
        Error::Callback(CallbackError::Malformed(_))
    );
    // The provider's response-mode list is honoured.
    let mut md = metadata();
    md.response_modes_supported = vec!["query".into(), "fragment".into()];
    let client = builder()
        .client_secret(ClientSecret::new("secret"))
        .build(md, f.op.clone())
        .unwrap();
    assert_err!(
        client
            .authorization_request()
            .response_mode(ResponseMode::FormPost)
            .start_hybrid(HybridResponseType::CodeIdToken),
        Error::Config(ConfigError::UnsupportedByProvider(
            "response_mode=form_post"
        ))
    );
}

#[tokio::test]
async fn iss_parameter_may_be_left_out_only_when_an_id_token_names_the_issuer() {
    let (op, key) = op_and_key();
    let mut md = metadata();
    md.authorization_response_iss_parameter_supported = true;
    let client = builder()
        .client_secret(ClientSecret::new("secret"))
        .build(md, op.clone())
        .unwrap();

    // Implicit: the ID token's validated `iss` stands in for the parameter (RFC 9207 §2.4)…
    let (_, pending) = client.implicit_request().start().unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let token = id_token(&key, "alice", serde_json::json!({ "nonce": nonce }));
    let ok = pending
        .callback(
            &client,
            &fragment(&[("id_token", &token), ("state", &state)]),
        )
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    // …but a parameter naming another issuer is still refused.
    let (_, pending) = client.implicit_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    assert_err!(
        pending
            .callback(
                &client,
                &fragment(&[
                    ("id_token", &token),
                    ("state", &state),
                    ("iss", "https://evil.example"),
                ]),
            )
            .await,
        Error::Callback(CallbackError::IssuerMismatch { .. })
    );

    // Hybrid `code token` has no front-channel ID token: the parameter is required.
    let (_, pending) = client
        .authorization_request()
        .start_hybrid(HybridResponseType::CodeToken)
        .unwrap();
    let state = pending.state().secret().to_owned();
    assert_err!(
        pending
            .callback(
                &client,
                &fragment(&[
                    ("code", "code-1"),
                    ("access_token", "at"),
                    ("token_type", "Bearer"),
                    ("state", &state),
                ]),
            )
            .await,
        Error::Callback(CallbackError::IssuerMissing)
    );
}

// ---- device authorization grant ---------------------------------------------------------------

/// A timer whose clock only moves when something sleeps; it records every sleep.
#[derive(Clone)]
struct FakeTimer {
    start: SystemTime,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl FakeTimer {
    fn at(start: SystemTime) -> Self {
        Self {
            start,
            slept: Arc::default(),
        }
    }
    fn sleeps(&self) -> Vec<u64> {
        let slept = self.slept.lock().unwrap();
        slept.iter().map(Duration::as_secs).collect()
    }
}

impl DeviceTimer for FakeTimer {
    async fn sleep(&self, duration: Duration) {
        self.slept.lock().unwrap().push(duration);
        // Yield once, as a real timer would, so cancellation gets a look in.
        tokio::task::yield_now().await;
    }
    fn now(&self) -> SystemTime {
        self.start + self.slept.lock().unwrap().iter().sum::<Duration>()
    }
}

const T0: u64 = 1_700_000_000;

/// A public client whose clock is fixed at `T0` (device polling without ID tokens).
fn device_fixture() -> (ScriptedOp, Client<ScriptedOp, Public>, FakeTimer) {
    let (op, _) = op_and_key();
    let client = builder()
        .clock(Arc::new(FixedClock::at_unix(T0)))
        .build(metadata(), op.clone())
        .unwrap();
    (
        op,
        client,
        FakeTimer::at(UNIX_EPOCH + Duration::from_secs(T0)),
    )
}

fn device_body(expires_in: serde_json::Value, interval: Option<u64>) -> String {
    let mut b = serde_json::json!({
        "device_code": "dc-secret-1",
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://op.example/device",
        "verification_uri_complete": "https://op.example/device?user_code=WDJB-MJHT",
        "expires_in": expires_in,
    });
    if let Some(i) = interval {
        b["interval"] = i.into();
    }
    b.to_string()
}

async fn start_device(
    op: &ScriptedOp,
    client: &Client<ScriptedOp, Public>,
    interval: Option<u64>,
) -> DeviceAuthorization {
    op.answer(200, device_body(600.into(), interval));
    client
        .device_authorization_request()
        .without_openid()
        .send(client)
        .await
        .unwrap()
}

#[tokio::test]
async fn device_start_reads_the_response_and_sends_client_id() {
    let (op, client, _) = device_fixture();
    // expires_in as a string and no interval are tolerated.
    op.answer(200, device_body("900".into(), None));
    let auth = client
        .device_authorization_request()
        .scope("profile")
        .extra("resource", "urn:example:api")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(auth.user_code(), "WDJB-MJHT");
    assert_eq!(
        auth.verification_uri().as_str(),
        "https://op.example/device"
    );
    assert_eq!(
        auth.verification_uri_complete().unwrap().as_str(),
        "https://op.example/device?user_code=WDJB-MJHT"
    );
    assert_eq!(auth.expires_in(), Duration::from_secs(900));
    assert_eq!(
        auth.expires_at(),
        UNIX_EPOCH + Duration::from_secs(T0 + 900)
    );
    assert_eq!(auth.interval(), Duration::from_secs(5), "RFC 8628 default");
    let debug = format!("{auth:?}");
    assert!(!debug.contains("dc-secret-1"), "{debug}");
    let sent = op.seen("/device").pop().unwrap();
    assert!(sent.authorization.is_none());
    assert!(sent.body.contains("client_id=rp"), "{}", sent.body);
    assert!(sent.body.contains("scope=openid+profile"), "{}", sent.body);
    assert!(sent.body.contains("resource=urn%3Aexample%3Aapi"));

    let request = auth.token_request(&client).unwrap();
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
    assert!(body.contains("device_code=dc-secret-1"));
    assert!(body.contains("client_id=rp"));
}

#[tokio::test]
async fn device_confidential_client_authenticates() {
    let (op, _) = op_and_key();
    let client = builder()
        .client_secret(ClientSecret::new("secret"))
        .build(metadata(), op.clone())
        .unwrap();
    let request = client
        .device_authorization_request()
        .http_request(&client)
        .unwrap();
    assert!(
        request
            .headers()
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
    assert!(!String::from_utf8_lossy(request.body()).contains("client_id"));
}

#[tokio::test]
async fn device_slow_down_adds_five_seconds_for_good() {
    let (op, client, timer) = device_fixture();
    let auth = start_device(&op, &client, Some(2)).await;
    assert_eq!(auth.interval(), Duration::from_secs(2));
    op.error("authorization_pending");
    op.error("slow_down");
    op.error("authorization_pending");
    op.error("slow_down");
    op.answer(200, token_body("at-device", None));
    let tokens = auth
        .wait_for_tokens_with(&client, &timer, std::future::pending())
        .await
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "at-device");
    assert_eq!(timer.sleeps(), vec![2, 2, 7, 7, 12]);
    assert_eq!(op.seen("/token").len(), 5);
}

#[tokio::test]
async fn device_poll_once_reports_each_state() {
    let (op, client, _) = device_fixture();
    let mut auth = start_device(&op, &client, None).await;
    op.error("authorization_pending");
    assert!(matches!(
        auth.poll_once(&client).await.unwrap(),
        DevicePoll::AuthorizationPending
    ));
    op.error("slow_down");
    assert!(matches!(
        auth.poll_once(&client).await.unwrap(),
        DevicePoll::SlowDown
    ));
    assert_eq!(auth.interval(), Duration::from_secs(10));
    op.error("invalid_grant");
    assert_err!(auth.poll_once(&client).await, Error::Provider(p) if p.error == "invalid_grant");
}

#[tokio::test]
async fn device_expired_token_and_access_denied_end_polling() {
    let (op, client, timer) = device_fixture();
    let auth = start_device(&op, &client, None).await;
    op.error("authorization_pending");
    op.error("expired_token");
    assert_err!(
        auth.wait_for_tokens_with(&client, &timer, std::future::pending())
            .await,
        Error::Device(DeviceError::ExpiredToken)
    );
    assert_eq!(op.seen("/token").len(), 2);

    let auth = start_device(&op, &client, None).await;
    op.answer(
        400,
        r#"{"error":"access_denied","error_description":"End-User denied the request"}"#,
    );
    let err = auth
        .wait_for_tokens_with(&client, &timer, std::future::pending())
        .await
        .unwrap_err();
    match err {
        Error::Device(DeviceError::AccessDenied(p)) => {
            assert_eq!(p.error, "access_denied");
            assert_eq!(
                p.error_description.as_deref(),
                Some("End-User denied the request")
            );
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
    assert_eq!(op.seen("/token").len(), 3);
}

#[tokio::test]
async fn device_polling_stops_when_the_codes_expire() {
    let (op, client, timer) = device_fixture();
    op.answer(200, device_body(12.into(), None));
    let auth = client
        .device_authorization_request()
        .without_openid()
        .send(&client)
        .await
        .unwrap();
    op.error("authorization_pending");
    op.error("authorization_pending");
    assert_err!(
        auth.wait_for_tokens_with(&client, &timer, std::future::pending())
            .await,
        Error::Device(DeviceError::ExpiredToken)
    );
    // 5 s, 5 s, then the 2 s left; no request after the deadline.
    assert_eq!(timer.sleeps(), vec![5, 5, 2]);
    assert_eq!(op.seen("/token").len(), 2);
}

#[tokio::test]
async fn device_polling_is_cancellable() {
    let (mut op, _, timer) = device_fixture();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    op.on_token = Some(Arc::new(move |n| {
        if n == 3
            && let Some(tx) = tx.lock().unwrap().take()
        {
            let _ = tx.send(());
        }
    }));
    let client = builder()
        .clock(Arc::new(FixedClock::at_unix(T0)))
        .build(metadata(), op.clone())
        .unwrap();
    let auth = start_device(&op, &client, None).await;
    for _ in 0..10 {
        op.error("authorization_pending");
    }
    assert_err!(
        auth.wait_for_tokens_with(&client, &timer, async {
            let _ = rx.await;
        })
        .await,
        Error::Device(DeviceError::Cancelled)
    );
    assert_eq!(op.seen("/token").len(), 3, "no request after cancellation");

    // Cancelled before the first poll: nothing is sent.
    op.answers.lock().unwrap().clear();
    let auth = start_device(&op, &client, None).await;
    let err = auth
        .wait_for_tokens_with(&client, &timer, std::future::ready(()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Device(DeviceError::Cancelled)));
    assert_eq!(op.seen("/token").len(), 3);
}

/// An `openid` device grant whose token response carries `id_token`.
async fn device_tokens(f: &Fixture<Public>, id_token: Option<String>) -> Result<Tokens, Error> {
    f.op.answer(200, device_body(600.into(), Some(1)));
    let auth = f
        .client
        .device_authorization_request()
        .send(&f.client)
        .await
        .unwrap();
    f.op.answer(200, token_body("at-1", id_token));
    let timer = FakeTimer::at(SystemTime::now());
    auth.wait_for_tokens_with(&f.client, &timer, std::future::pending())
        .await
}

#[tokio::test]
async fn device_validates_the_id_token_when_openid_was_requested() {
    let f = public_fixture();
    let foreign = id_token(
        &f.key,
        "alice",
        serde_json::json!({ "aud": "someone-else" }),
    );
    assert_err!(
        device_tokens(&f, Some(foreign)).await,
        Error::Validation(ValidationError::AudienceMissingClient { .. })
    );
    assert_err!(
        device_tokens(&f, None).await,
        Error::Response(typed_oidc::error::ResponseError::Invalid { .. })
    );
    let good = id_token(&f.key, "alice", serde_json::json!({}));
    let tokens = device_tokens(&f, Some(good)).await.unwrap();
    assert_eq!(tokens.id_token_claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn device_rejects_bad_responses_and_unadvertised_endpoints() {
    let (op, client, _) = device_fixture();
    let mut bad: serde_json::Value = serde_json::from_str(&device_body(600.into(), None)).unwrap();
    bad["verification_uri"] = "javascript:alert(1)".into();
    op.answer(200, bad.to_string());
    assert_err!(
        client.device_authorization_request().send(&client).await,
        Error::Response(typed_oidc::error::ResponseError::Invalid { .. })
    );
    op.error("invalid_client");
    assert_err!(client
        .device_authorization_request()
        .send(&client)
        .await, Error::Provider(p) if p.error == "invalid_client");
    let err = client
        .device_authorization_request()
        .scope("offline_access")
        .send(&client)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { .. })
    ));

    let mut md = metadata();
    md.device_authorization_endpoint = None;
    let client = builder().build(md, op.clone()).unwrap();
    assert_err!(
        client.device_authorization_request().send(&client).await,
        Error::Config(ConfigError::UnsupportedByProvider(
            "device_authorization_endpoint"
        ))
    );
}

#[tokio::test]
async fn device_interval_is_bounded_and_the_state_survives_a_session_store() {
    let (op, client, timer) = device_fixture();
    for (sent, kept) in [(0, 1), (1_000_000_000_000, 300)] {
        let auth = start_device(&op, &client, Some(sent)).await;
        assert_eq!(
            auth.interval(),
            Duration::from_secs(kept),
            "interval {sent}"
        );
    }
    let auth = start_device(&op, &client, None).await;
    let stored = serde_json::to_string(&auth).unwrap();
    let mut auth: DeviceAuthorization = serde_json::from_str(&stored).unwrap();
    assert_eq!(auth.user_code(), "WDJB-MJHT");
    op.error("slow_down");
    auth.poll_once(&client).await.unwrap();
    assert_eq!(auth.interval(), Duration::from_secs(10));
    op.answer(200, token_body("at-1", None));
    let tokens = auth
        .wait_for_tokens_with(&client, &timer, std::future::pending())
        .await
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "at-1");
    assert!(
        op.seen("/token")
            .last()
            .unwrap()
            .body
            .contains("device_code=dc-secret-1")
    );
    assert_eq!(timer.sleeps(), vec![10]);
}

/// The flows' futures are `Send`, so they can run on a multi-threaded runtime
/// (`tokio::spawn`, web-framework handlers).
#[allow(dead_code)]
fn futures_are_send(
    client: &Client<ScriptedOp, Public>,
    confidential: &Client<ScriptedOp>,
    device: DeviceAuthorization,
    implicit: PendingImplicit<typed_oidc::flow::IdTokenToken>,
    hybrid: PendingHybrid,
    timer: &FakeTimer,
) {
    fn send<T: Send>(_: T) {}
    send(device.wait_for_tokens_with(client, timer, std::future::pending()));
    send(implicit.callback(client, REDIRECT));
    send(hybrid.callback(confidential, REDIRECT));
    send(client.device_authorization_request().send(client));
}
