//! UserInfo, introspection, revocation and logout against a scripted in-memory provider:
//! request shapes, the subject rule, signed-response verification, every error family,
//! unsupported endpoints and secret-free Debug output. No network.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Map, Value, json};
use typed_oidc::client_auth::ClientAuth;
use typed_oidc::error::{ConfigError, Error, JoseError, ResponseError, ValidationError};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use typed_oidc::revocation::RevocationErrorCode;
use typed_oidc::token::TokenType;
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

const ISSUER: &str = "https://op.example";
const CLIENT_ID: &str = "rp-client";
const SECRET: &str = "rp-secret-0123456789abcdef0123456789abcdef";
const ACCESS_TOKEN: &str = "at-0123456789-SECRET-access";
const REFRESH_TOKEN: &str = "rt-0123456789-SECRET-refresh";
const SUB: &str = "alice";

type Handler = dyn Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync;

/// A transport that answers from a function and records every request.
#[derive(Clone)]
struct Mock {
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<::http::Request<Vec<u8>>>>>,
}

impl Mock {
    fn new(
        handler: impl Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        Self {
            handler: Arc::new(handler),
            seen: Arc::default(),
        }
    }
    fn requests_to(&self, path: &str) -> Vec<::http::Request<Vec<u8>>> {
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

fn reply(
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

fn json_reply(status: u16, body: Value) -> ::http::Response<Bytes> {
    reply(status, Some("application/json"), body.to_string())
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn es256_key(kid: &str) -> SigningKey {
    SigningKey::generate_ec_p256().unwrap().with_kid(kid)
}

fn jwt(key: &SigningKey, claims: &Value) -> String {
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

fn metadata(with_endpoints: bool) -> ProviderMetadata {
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

fn client_with(mock: Mock, md: ProviderMetadata) -> Client<Mock> {
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
struct Op {
    mock: Mock,
    client: Client<Mock>,
    nonce: Arc<Mutex<Option<String>>>,
}

impl Op {
    fn new(
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

    async fn login(&self, openid: bool) -> Tokens {
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

fn validation(result: Result<UserInfo, Error>) -> ValidationError {
    match result {
        Err(Error::Validation(v)) => v,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

// ---- UserInfo ---------------------------------------------------------------------------

#[tokio::test]
async fn userinfo_sub_must_match_the_id_token() {
    let op = Op::new(es256_key("k1"), |_| {
        json_reply(200, json!({"sub": "mallory", "email": "m@example.com"}))
    });
    let tokens = op.login(true).await;
    let err = validation(op.client.userinfo(&tokens).send().await);
    assert_eq!(
        err,
        ValidationError::SubjectMismatch {
            expected: SUB.into(),
            actual: "mallory".into()
        }
    );
}

#[tokio::test]
async fn signed_userinfo_with_another_sub_is_refused_too() {
    let key = es256_key("k1");
    let signer = key.clone();
    let op = Op::new(key, move |_| {
        let body = jwt(
            &signer,
            &json!({"sub": "mallory", "iss": ISSUER, "aud": CLIENT_ID}),
        );
        reply(200, Some("application/jwt"), body)
    });
    let tokens = op.login(true).await;
    let err = validation(op.client.userinfo(&tokens).send().await);
    assert!(
        matches!(err, ValidationError::SubjectMismatch { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn userinfo_json_with_the_tokens_subject() {
    let op = Op::new(es256_key("k1"), |_| {
        json_reply(
            200,
            json!({"sub": SUB, "email": "alice@example.com", "email_verified": "true",
                   "updated_at": "2024-02-29T12:00:00Z", "https://example.com/roles": ["admin"]}),
        )
    });
    let tokens = op.login(true).await;
    let info = op.client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.signing_alg, None);
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(info.claims.email_verified, Some(true));
    assert_eq!(info.claims.updated_at, Some(1_709_208_000));
    assert_eq!(
        info.claims.get("https://example.com/roles"),
        Some(&json!(["admin"]))
    );
    let sent = op.mock.requests_to("/userinfo");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].headers()[::http::header::AUTHORIZATION],
        format!("Bearer {ACCESS_TOKEN}").as_str()
    );
}

#[tokio::test]
async fn userinfo_needs_an_id_token_or_an_explicit_subject() {
    let op = Op::new(es256_key("k1"), |_| json_reply(200, json!({"sub": SUB})));
    let tokens = op.login(false).await;
    assert!(tokens.id_token_claims().is_none());
    let err = op.client.userinfo(&tokens).send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config(ConfigError::InvalidValue { what: "tokens", .. })
        ),
        "{err:?}"
    );
    assert!(op.mock.requests_to("/userinfo").is_empty(), "nothing sent");

    let subject = SubjectId::new(SUB);
    let info = op
        .client
        .userinfo_for_subject(tokens.access_token(), &subject)
        .send()
        .await
        .unwrap();
    assert_eq!(info.claims.sub, subject);
    let err = op
        .client
        .userinfo_for_subject(tokens.access_token(), &SubjectId::new("bob"))
        .send()
        .await;
    assert!(matches!(
        validation(err),
        ValidationError::SubjectMismatch { .. }
    ));
}

#[tokio::test]
async fn userinfo_request_shapes() {
    let op = Op::new(es256_key("k1"), |_| json_reply(200, json!({"sub": SUB})));
    let token = AccessToken::new(ACCESS_TOKEN);
    let subject = SubjectId::new(SUB);

    let header = op.client.userinfo_for_subject(&token, &subject);
    let request = header.request().unwrap();
    assert_eq!(request.method(), ::http::Method::GET);
    assert_eq!(request.uri(), "https://op.example/userinfo");
    let auth = &request.headers()[::http::header::AUTHORIZATION];
    assert_eq!(auth, format!("Bearer {ACCESS_TOKEN}").as_str());
    assert!(auth.is_sensitive());
    assert!(request.body().is_empty());
    let accept = request.headers()[::http::header::ACCEPT].to_str().unwrap();
    assert!(accept.contains("application/json") && accept.contains("application/jwt"));

    let body = op
        .client
        .userinfo_for_subject(&token, &subject)
        .bearer_method(BearerMethod::FormBody)
        .request()
        .unwrap();
    assert_eq!(body.method(), ::http::Method::POST);
    assert!(body.headers().get(::http::header::AUTHORIZATION).is_none());
    assert_eq!(
        body.headers()[::http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        body.body(),
        format!("access_token={ACCESS_TOKEN}").as_bytes()
    );

    let unusable = AccessToken::new("line\nbreak");
    let err = op
        .client
        .userinfo_for_subject(&unusable, &subject)
        .request()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { .. })
    ));
    assert!(!err.to_string().contains("line"));
}

/// Runs a UserInfo request for `alice` against a provider serving `key` and `response`.
async fn userinfo_from(
    key: SigningKey,
    response: impl Fn() -> ::http::Response<Bytes> + Send + Sync + 'static,
) -> Result<UserInfo, Error> {
    let op = Op::new(key, move |_| response());
    let token = AccessToken::new(ACCESS_TOKEN);
    let subject = SubjectId::new(SUB);
    op.client
        .userinfo_for_subject(&token, &subject)
        .send()
        .await
}

/// A signed (`application/jwt`) UserInfo answer built by `body`.
async fn signed(
    key: SigningKey,
    body: impl Fn() -> String + Send + Sync + 'static,
) -> Result<UserInfo, Error> {
    userinfo_from(key, move || reply(200, Some("application/jwt"), body())).await
}

#[tokio::test]
async fn signed_userinfo_is_verified_with_the_provider_keys() {
    let key = es256_key("k1");
    let k = key.clone();
    let ok = signed(key.clone(), move || {
        jwt(
            &k,
            &json!({"sub": SUB, "iss": ISSUER, "aud": CLIENT_ID, "name": "Alice"}),
        )
    })
    .await
    .unwrap();
    assert_eq!(ok.signing_alg, Some(JwsAlgorithm::ES256));
    assert_eq!(ok.claims.name.as_deref(), Some("Alice"));

    // iss and aud are optional; aud may be an array.
    let k = key.clone();
    signed(key.clone(), move || jwt(&k, &json!({"sub": SUB})))
        .await
        .unwrap();
    let k = key.clone();
    signed(key.clone(), move || {
        jwt(&k, &json!({"sub": SUB, "aud": ["api", CLIENT_ID]}))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn signed_userinfo_with_a_bad_signature_is_refused() {
    let key = es256_key("k1");
    // Same kid, another key.
    let forger = es256_key("k1");
    let err = validation(signed(key.clone(), move || jwt(&forger, &json!({"sub": SUB}))).await);
    assert_eq!(err, ValidationError::Signature);

    // A genuine signature over other claims.
    let k = key.clone();
    let err = validation(
        signed(key.clone(), move || {
            let genuine = jwt(&k, &json!({"sub": "bob"}));
            let other = jwt(&k, &json!({"sub": SUB}));
            let parts: Vec<&str> = genuine.split('.').collect();
            let payload = other.split('.').nth(1).unwrap();
            format!("{}.{payload}.{}", parts[0], parts[2])
        })
        .await,
    );
    assert_eq!(err, ValidationError::Signature);
}

#[tokio::test]
async fn signed_userinfo_header_and_claim_rules() {
    let key = es256_key("k1");

    let k = key.clone();
    let err = validation(
        signed(key.clone(), move || {
            jwt(&k, &json!({"sub": SUB, "iss": "https://evil.example"}))
        })
        .await,
    );
    assert!(matches!(err, ValidationError::Issuer { .. }), "{err:?}");

    let k = key.clone();
    let err = validation(
        signed(key.clone(), move || {
            jwt(&k, &json!({"sub": SUB, "aud": "someone-else"}))
        })
        .await,
    );
    assert_eq!(
        err,
        ValidationError::AudienceMissingClient {
            client_id: CLIENT_ID.into()
        }
    );

    let k = key.clone();
    let err =
        validation(signed(key.clone(), move || jwt(&k, &json!({"sub": SUB, "aud": 7}))).await);
    assert_eq!(err, ValidationError::MissingClaim("aud"));

    // HS256 with the client secret is not on this client's allow-list (ES256 only).
    let err = validation(
        signed(key.clone(), || {
            let payload = json!({"sub": SUB}).to_string();
            sign_compact_hmac(
                SECRET.as_bytes(),
                JwsAlgorithm::HS256,
                Map::new(),
                payload.as_bytes(),
            )
            .unwrap()
        })
        .await,
    );
    assert!(
        matches!(err, ValidationError::DisallowedAlg { .. }),
        "{err:?}"
    );

    // alg none.
    let err = validation(
        signed(key.clone(), || {
            let b64 = |v: &Value| typed_oidc::jose::b64::encode(v.to_string().as_bytes());
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none"})),
                b64(&json!({"sub": SUB}))
            )
        })
        .await,
    );
    assert!(
        matches!(err, ValidationError::DisallowedAlg { .. }),
        "{err:?}"
    );

    // A key the provider does not publish.
    let stranger = es256_key("k2");
    let err = validation(signed(key.clone(), move || jwt(&stranger, &json!({"sub": SUB}))).await);
    assert!(matches!(err, ValidationError::UnknownKey { .. }), "{err:?}");

    // Not a JWS at all.
    let err = signed(key, || "definitely not a JWT".into())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Jose(JoseError::Malformed { .. })),
        "{err:?}"
    );
}

async fn userinfo_answer(
    response: impl Fn() -> ::http::Response<Bytes> + Send + Sync + 'static,
) -> Result<UserInfo, Error> {
    userinfo_from(es256_key("k1"), response).await
}

#[tokio::test]
async fn userinfo_content_types_and_bodies() {
    let err = userinfo_answer(|| reply(200, Some("text/html"), "<html>hi</html>"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Response(ResponseError::ContentType { content_type, expected, .. })
            if content_type == "text/html" && *expected == "application/json or application/jwt"),
        "{err:?}"
    );
    let err = userinfo_answer(|| reply(200, None, "{}"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::ContentType { .. })
    ));

    // A client that registered signed UserInfo refuses a plain JSON answer.
    let op = Op::new(es256_key("k1"), |_| json_reply(200, json!({"sub": SUB})));
    let token = AccessToken::new(ACCESS_TOKEN);
    let subject = SubjectId::new(SUB);
    let err = op
        .client
        .userinfo_for_subject(&token, &subject)
        .require_signed()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Response(ResponseError::ContentType { expected, .. })
            if *expected == "application/jwt"),
        "{err:?}"
    );

    for body in ["not json", "[1, 2]", "{\"sub\": \"alice\""] {
        let err =
            userinfo_answer(move || reply(200, Some("application/json; charset=utf-8"), body))
                .await
                .unwrap_err();
        assert!(
            matches!(err, Error::Response(ResponseError::Json { .. })),
            "{body}: {err:?}"
        );
    }
    let err = validation(userinfo_answer(|| json_reply(200, json!({"email": "a@b"}))).await);
    assert_eq!(err, ValidationError::MissingClaim("sub"));
    let err = validation(
        userinfo_answer(|| json_reply(200, json!({"sub": SUB, "email_verified": "maybe"}))).await,
    );
    assert_eq!(err, ValidationError::MissingClaim("email_verified"));

    let huge = format!("{{\"sub\":\"alice\",\"x\":\"{}\"}}", "a".repeat(300 * 1024));
    let err = userinfo_answer(move || reply(200, Some("application/json"), huge.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Response(ResponseError::Invalid { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn userinfo_error_responses_are_typed() {
    let bearer = |status: u16, challenge: &'static str| {
        move || {
            let mut r = reply(status, None, "");
            r.headers_mut()
                .insert(::http::header::WWW_AUTHENTICATE, challenge.parse().unwrap());
            r
        }
    };
    let err = userinfo_answer(bearer(
        401,
        r#"Bearer realm="op", error="invalid_token", error_description="The access token expired""#,
    ))
    .await
    .unwrap_err();
    let Error::Provider(p) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(p.error, "invalid_token");
    assert_eq!(
        p.error_description.as_deref(),
        Some("The access token expired")
    );
    assert_eq!(p.status, Some(401));

    let err = userinfo_answer(bearer(
        403,
        "Bearer error=insufficient_scope, scope=\"openid email\"",
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "insufficient_scope" && p.status == Some(403))
    );

    // A challenge without an error code (no token was accepted at all) is just a status.
    let err = userinfo_answer(bearer(401, "Bearer realm=\"op\""))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::UnexpectedStatus { status: 401, .. })
    ));

    // An RFC 6749 error document without a challenge.
    let err = userinfo_answer(|| json_reply(400, json!({"error": "invalid_request"})))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Provider(p) if p.error == "invalid_request"));

    let err = userinfo_answer(|| reply(500, Some("text/plain"), "boom"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::UnexpectedStatus { status: 500, .. })
    ));
}

// ---- Introspection ------------------------------------------------------------------------

fn form_of(request: &::http::Request<Vec<u8>>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.body())
        .into_owned()
        .collect()
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[tokio::test]
async fn introspection_request_shapes() {
    let op = Op::new(es256_key("k1"), |_| {
        json_reply(200, json!({"active": false}))
    });
    let rt = RefreshToken::new(REFRESH_TOKEN);

    let request = op
        .client
        .introspect(&rt)
        .token_type_hint(TokenTypeHint::RefreshToken)
        .request()
        .unwrap();
    assert_eq!(request.method(), ::http::Method::POST);
    assert_eq!(request.uri(), "https://op.example/introspect");
    assert_eq!(
        form_of(&request),
        vec![
            pair("token", REFRESH_TOKEN),
            pair("token_type_hint", "refresh_token")
        ]
    );
    assert!(
        request.headers()[::http::header::AUTHORIZATION]
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );

    // Its own client authentication.
    let post = ClientAuth::secret(
        ClientId::new("resource-server"),
        ClientSecret::new("rs-secret"),
        AuthMethod::ClientSecretPost,
    )
    .unwrap();
    let request = op.client.introspect(&rt).auth(post).request().unwrap();
    assert!(
        request
            .headers()
            .get(::http::header::AUTHORIZATION)
            .is_none()
    );
    assert_eq!(
        form_of(&request),
        vec![
            pair("token", REFRESH_TOKEN),
            pair("client_id", "resource-server"),
            pair("client_secret", "rs-secret"),
        ]
    );
    let request = op
        .client
        .introspect(&AccessToken::new(ACCESS_TOKEN))
        .auth(ClientAuth::public(ClientId::new("spa")))
        .token_type_hint(TokenTypeHint::Other("urn:example:token".into()))
        .request()
        .unwrap();
    assert_eq!(
        form_of(&request),
        vec![
            pair("token", ACCESS_TOKEN),
            pair("token_type_hint", "urn:example:token"),
            pair("client_id", "spa"),
        ]
    );
}

async fn introspect(response: ::http::Response<Bytes>) -> Result<Introspection, Error> {
    let op = Op::new(es256_key("k1"), |_| reply(500, None, ""));
    op.client
        .introspect(&AccessToken::new(ACCESS_TOKEN))
        .finish(&response)
}

#[tokio::test]
async fn introspection_responses() {
    // Inactive is a value; whatever else came with it is dropped (RFC 7662 §2.2).
    let inactive = introspect(json_reply(200, json!({"active": false, "sub": "alice"}))).await;
    assert_eq!(inactive.unwrap(), Introspection::Inactive);

    let active = introspect(json_reply(
        200,
        json!({
            "active": true, "scope": "openid api:read", "client_id": "rp-client",
            "username": "alice@example.com", "token_type": "bearer", "exp": 2_000_000_000,
            "iat": 1_700_000_000, "nbf": 1_700_000_000, "sub": "alice", "aud": "urn:example:api",
            "iss": ISSUER, "jti": "j-1", "cnf": {"x5t#S256": "abc"}
        }),
    ))
    .await
    .unwrap();
    let info = active.active().unwrap();
    assert!(active.is_active());
    assert_eq!(info.scope.as_ref().unwrap().to_string(), "openid api:read");
    assert_eq!(info.client_id.as_ref().unwrap().as_str(), CLIENT_ID);
    assert_eq!(info.username.as_deref(), Some("alice@example.com"));
    assert_eq!(info.token_type, Some(TokenType::Bearer));
    assert_eq!(
        (info.exp, info.iat, info.nbf),
        (
            Some(2_000_000_000),
            Some(1_700_000_000),
            Some(1_700_000_000)
        )
    );
    assert_eq!(info.sub.as_ref().unwrap().as_str(), SUB);
    assert_eq!(info.aud, vec!["urn:example:api".to_owned()]);
    assert_eq!(info.iss.as_deref(), Some(ISSUER));
    assert_eq!(info.jti.as_deref(), Some("j-1"));
    assert_eq!(info.extra["cnf"], json!({"x5t#S256": "abc"}));

    let minimal = introspect(json_reply(200, json!({"active": true, "aud": ["a", "b"]})))
        .await
        .unwrap();
    let info = minimal.active().unwrap();
    assert_eq!(info.aud, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(info.scope, None);

    for bad in [
        json!({}),
        json!({"active": "true"}),
        json!({"active": true, "exp": "soon"}),
        json!({"active": true, "aud": 5}),
        json!([true]),
    ] {
        let err = introspect(json_reply(200, bad.clone())).await.unwrap_err();
        assert!(
            matches!(err, Error::Response(ResponseError::Json { .. })),
            "{bad}: {err:?}"
        );
    }
    let err = introspect(json_reply(
        200,
        json!({"active": true, "scope": "bad\\scope"}),
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Response(ResponseError::Invalid { .. })),
        "{err:?}"
    );
    let err = introspect(reply(200, Some("text/html"), "<p>active</p>"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::ContentType { .. })
    ));
    let err = introspect(json_reply(401, json!({"error": "invalid_client"})))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_client" && p.status == Some(401))
    );
}

// ---- Revocation ---------------------------------------------------------------------------

async fn revoke(
    response: impl Fn() -> ::http::Response<Bytes> + Send + Sync + 'static,
) -> (Result<(), Error>, Mock) {
    let op = Op::new(es256_key("k1"), move |_| response());
    let result = op
        .client
        .revoke(&RefreshToken::new(REFRESH_TOKEN))
        .send()
        .await;
    (result, op.mock)
}

#[tokio::test]
async fn revocation_success_is_any_2xx() {
    let (ok, mock) = revoke(|| reply(200, None, "")).await;
    ok.unwrap();
    let sent = mock.requests_to("/revoke");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method(), ::http::Method::POST);
    assert_eq!(form_of(&sent[0]), vec![pair("token", REFRESH_TOKEN)]);
    assert!(
        sent[0]
            .headers()
            .contains_key(::http::header::AUTHORIZATION)
    );

    revoke(|| reply(200, Some("text/html"), "<p>done</p>"))
        .await
        .0
        .unwrap();
    revoke(|| reply(204, None, "")).await.0.unwrap();
    revoke(|| json_reply(200, json!({}))).await.0.unwrap();

    let op = Op::new(es256_key("k1"), |_| reply(200, None, ""));
    let at = AccessToken::new(ACCESS_TOKEN);
    let request = op
        .client
        .revoke(&at)
        .token_type_hint(TokenTypeHint::AccessToken)
        .request()
        .unwrap();
    assert_eq!(request.uri(), "https://op.example/revoke");
    assert_eq!(
        form_of(&request),
        vec![
            pair("token", ACCESS_TOKEN),
            pair("token_type_hint", "access_token")
        ]
    );
}

#[tokio::test]
async fn revocation_errors_are_typed() {
    let (err, _) = revoke(|| {
        json_reply(
            400,
            json!({"error": "unsupported_token_type", "error_description": "nope"}),
        )
    })
    .await;
    let err = err.unwrap_err();
    let Error::Provider(p) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        RevocationErrorCode::of(p),
        RevocationErrorCode::UnsupportedTokenType
    );
    assert_eq!(p.status, Some(400));

    let (err, _) = revoke(|| json_reply(401, json!({"error": "invalid_client"}))).await;
    let Err(Error::Provider(p)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        RevocationErrorCode::of(p),
        RevocationErrorCode::InvalidClient
    );
    let (err, _) = revoke(|| json_reply(400, json!({"error": "slow_down"}))).await;
    let Err(Error::Provider(p)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(RevocationErrorCode::of(p), RevocationErrorCode::Other);

    // RFC 7009 §2.2.1: 503 means "try later"; no error document.
    let (err, _) = revoke(|| reply(503, Some("text/plain"), "busy")).await;
    assert!(matches!(
        err,
        Err(Error::Response(ResponseError::UnexpectedStatus {
            status: 503,
            ..
        }))
    ));
}

// ---- Logout -------------------------------------------------------------------------------

#[test]
fn logout_url_keeps_the_endpoint_query_and_encodes_every_value() {
    let client = client_with(Mock::new(|_| reply(500, None, "")), metadata(true));
    let id_token = IdToken::new("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln");
    let url = client
        .logout_request()
        .id_token_hint(id_token.clone())
        .post_logout_redirect_uri(RedirectUrl::new("https://rp.example/bye?x=1&y=2").unwrap())
        .state(State::new("s p&=?#+é"))
        .logout_hint("alice@example.com")
        .ui_locales("fr-CA fr")
        .build()
        .unwrap();
    let raw = url.as_str();
    assert!(
        raw.starts_with("https://op.example/logout?tenant=acme&"),
        "{raw}"
    );
    assert!(
        !raw.contains(' ') && !raw.contains('#') && !raw.contains('é'),
        "{raw}"
    );
    let pairs: Vec<(String, String)> = url.to_url().unwrap().query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        vec![
            pair("tenant", "acme"),
            pair("id_token_hint", id_token.secret()),
            pair("client_id", CLIENT_ID),
            pair("post_logout_redirect_uri", "https://rp.example/bye?x=1&y=2"),
            pair("state", "s p&=?#+é"),
            pair("logout_hint", "alice@example.com"),
            pair("ui_locales", "fr-CA fr"),
        ]
    );
    let debug = format!("{url:?}");
    assert_eq!(debug, "LogoutUrl(https://op.example/logout?[redacted])");

    // Without settings: client_id only (and the endpoint's own, non-conflicting, parameters).
    let bare = client.logout_request().build().unwrap();
    let pairs: Vec<(String, String)> = bare.to_url().unwrap().query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        vec![
            pair("tenant", "acme"),
            pair("state", "stale"),
            pair("client_id", CLIENT_ID)
        ]
    );
}

// ---- What the provider does not advertise --------------------------------------------------

#[tokio::test]
async fn endpoints_the_provider_does_not_advertise() {
    let mock = Mock::new(|_| reply(500, None, ""));
    let client = client_with(mock.clone(), metadata(false));
    let at = AccessToken::new(ACCESS_TOKEN);
    let sub = SubjectId::new(SUB);
    let unsupported = |r: Result<(), Error>| match r {
        Err(Error::Config(ConfigError::UnsupportedByProvider(name))) => name,
        other => panic!("expected UnsupportedByProvider, got {other:?}"),
    };
    assert_eq!(
        unsupported(
            client
                .userinfo_for_subject(&at, &sub)
                .send()
                .await
                .map(drop)
        ),
        "userinfo_endpoint"
    );
    assert_eq!(
        unsupported(client.introspect(&at).send().await.map(drop)),
        "introspection_endpoint"
    );
    assert_eq!(
        unsupported(client.revoke(&at).send().await),
        "revocation_endpoint"
    );
    assert_eq!(
        unsupported(client.logout_request().build().map(drop)),
        "end_session_endpoint"
    );
    assert!(
        mock.seen.lock().unwrap().is_empty(),
        "no request to a guessed URL"
    );
}

// ---- No secret in Debug or Display ----------------------------------------------------------

#[tokio::test]
async fn debug_and_display_hold_no_token() {
    let op = Op::new(es256_key("k1"), |_| {
        json_reply(200, json!({"sub": "mallory"}))
    });
    let tokens = op.login(true).await;
    let id_token = tokens.id_token().unwrap().secret().to_owned();
    let rt = RefreshToken::new(REFRESH_TOKEN);
    let secret_auth = ClientAuth::secret(
        ClientId::new("rs"),
        ClientSecret::new("rs-secret-value"),
        AuthMethod::ClientSecretBasic,
    )
    .unwrap();
    let state = State::new("logout-state-value");

    let mut shown = vec![
        format!("{:?}", op.client.userinfo(&tokens)),
        format!(
            "{:?}",
            op.client
                .userinfo(&tokens)
                .bearer_method(BearerMethod::FormBody)
        ),
        format!("{:?}", op.client.introspect(&rt).auth(secret_auth.clone())),
        format!("{:?}", op.client.revoke(&rt).auth(secret_auth)),
        format!("{:?}", op.client.revoke(tokens.access_token())),
    ];
    let logout = op
        .client
        .logout_request()
        .id_token_hint(tokens.id_token().unwrap().clone())
        .state(state.clone());
    shown.push(format!("{logout:?}"));
    shown.push(format!("{:?}", logout.build().unwrap()));
    let err = op.client.userinfo(&tokens).send().await.unwrap_err();
    shown.push(format!("{err} {err:?}"));
    let err = op
        .client
        .userinfo_for_subject(&AccessToken::new("bad\ntoken"), &SubjectId::new(SUB))
        .send()
        .await
        .unwrap_err();
    shown.push(format!("{err} {err:?}"));

    for text in &shown {
        for secret in [
            ACCESS_TOKEN,
            REFRESH_TOKEN,
            id_token.as_str(),
            "rs-secret-value",
            SECRET,
            state.secret(),
            "bad\ntoken",
        ] {
            assert!(!text.contains(secret), "{text} shows a secret");
        }
    }
}
