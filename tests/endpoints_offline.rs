//! Introspection, revocation and logout against a scripted in-memory provider: request
//! shapes, responses, typed errors, unsupported endpoints and secret-free Debug output
//! (UserInfo's are in `userinfo_offline.rs`). No network.

mod endpoint_mock;

use bytes::Bytes;
use endpoint_mock::*;
use serde_json::json;
use typed_oidc::client_auth::ClientAuth;
use typed_oidc::error::{ConfigError, Error, ResponseError};
use typed_oidc::revocation::RevocationErrorCode;
use typed_oidc::token::TokenType;
use typed_oidc::*;

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
