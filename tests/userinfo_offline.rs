//! UserInfo (OpenID Connect Core §5.3) against a scripted in-memory provider: the subject
//! rule, request shapes, signed-response verification and every error family. No network.

mod endpoint_mock;

use bytes::Bytes;
use endpoint_mock::*;
use serde_json::{Map, Value, json};
use typed_oidc::error::{ConfigError, Error, JoseError, ResponseError, ValidationError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact_hmac};
use typed_oidc::*;

fn validation(result: Result<UserInfo, Error>) -> ValidationError {
    match result {
        Err(Error::Validation(v)) => v,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

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

#[tokio::test]
async fn signed_userinfo_follows_a_key_rotation() {
    let old = es256_key("old");
    let new = es256_key("new");
    let published = std::sync::Arc::new(std::sync::Mutex::new(vec![old.public_jwk()]));
    let signer = std::sync::Arc::new(std::sync::Mutex::new(old.clone()));
    let (keys, current) = (published.clone(), signer.clone());
    let mock = Mock::new(move |request| match request.uri().path() {
        "/jwks" => json_reply(200, json!({ "keys": *keys.lock().unwrap() })),
        _ => {
            let key = current.lock().unwrap().clone();
            reply(
                200,
                Some("application/jwt"),
                jwt(&key, &json!({"sub": SUB})),
            )
        }
    });
    let client = client_with(mock.clone(), metadata(true));
    let token = AccessToken::new(ACCESS_TOKEN);
    let subject = SubjectId::new(SUB);
    let userinfo = || client.userinfo_for_subject(&token, &subject).send();

    userinfo().await.unwrap();
    assert_eq!(client.jwks().generation(), 1);

    // The provider rotates: new tokens name a key the cache has not seen yet.
    *published.lock().unwrap() = vec![old.public_jwk(), new.public_jwk()];
    *signer.lock().unwrap() = new;
    let info = userinfo().await.expect("verified after one refetch");
    assert_eq!(info.signing_alg, Some(JwsAlgorithm::ES256));
    assert_eq!(client.jwks().generation(), 2);
    assert_eq!(mock.requests_to("/jwks").len(), 2);
}
