//! Interop: the token-endpoint grants besides the code flow — client credentials
//! (RFC 6749 §4.4), password (§4.3, legacy), token exchange (RFC 8693) and a generic
//! extension grant — against the real test OpenID Provider (panva oidc-provider 9.x,
//! started on 127.0.0.1 by the test suite), plus their sans-IO rules.

mod support;

use bytes::Bytes;
use support::clients::*;
use support::net::{basic_auth, form_decode, form_urlencode, post_form};
use typed_oidc::error::{ConfigError, Error, ResponseError};
use typed_oidc::http::HyperClient;
use typed_oidc::*;

fn issuer() -> IssuerUrl {
    IssuerUrl::new(&support::shared().issuer).expect("provider issuer")
}

async fn confidential(id: &str, secret: &str) -> Client<HyperClient, Confidential> {
    Client::builder(ClientId::new(id))
        .client_secret(ClientSecret::new(secret))
        .discover(&issuer(), HyperClient::new().expect("hyper client"))
        .await
        .expect("discovery against the test provider")
}

/// The provider's introspection answer for `token`, asked by `id` with Basic auth.
async fn introspect(token: &str, id: &str, secret: &str) -> serde_json::Value {
    let response = post_form(
        &support::shared().url("/token/introspection"),
        &[("authorization", &basic_auth(id, secret))],
        &form_urlencode(&[("token", token)]),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn is_provider_error(err: &Error, code: &str) -> bool {
    matches!(err, Error::Provider(p) if p.error == code)
}

// ---- client credentials -----------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_with_a_resource_indicator() {
    let client = confidential(CC_CLIENT_ID, CC_CLIENT_SECRET).await;
    let tokens = client
        .client_credentials()
        .scope(API_SCOPES)
        .resource(API_RESOURCE)
        .send()
        .await
        .expect("client credentials grant");
    assert_eq!(tokens.scope().to_string(), API_SCOPES);
    assert_eq!(tokens.token_type(), &token::TokenType::Bearer);
    assert!(tokens.id_token().is_none() && tokens.id_token_claims().is_none());
    assert!(tokens.refresh_token_opt().is_none());
    assert!(!tokens.is_expired(std::time::Duration::ZERO));

    // The token is for the API named by the resource indicator, issued to this client.
    let info = introspect(
        tokens.access_token().secret(),
        CC_CLIENT_ID,
        CC_CLIENT_SECRET,
    )
    .await;
    assert_eq!(info["active"], true);
    assert_eq!(info["aud"], API_RESOURCE);
    assert_eq!(info["client_id"], CC_CLIENT_ID);
    assert_eq!(info["scope"], API_SCOPES);
}

#[tokio::test]
async fn client_credentials_with_a_wrong_secret_is_a_typed_invalid_client() {
    let wrong = "not-the-secret-0123456789";
    let client = confidential(CC_CLIENT_ID, wrong).await;
    let err = client.client_credentials().send().await.unwrap_err();
    assert!(is_provider_error(&err, "invalid_client"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(wrong));
}

// ---- password (legacy) ------------------------------------------------------------------------

#[tokio::test]
async fn password_grant_validates_the_id_token_without_a_nonce() {
    let client = confidential(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
    let tokens: Tokens<Online> = client
        .password_grant(PASSWORD_USERNAME, PASSWORD_PASSWORD)
        .send()
        .await
        .expect("password grant");
    let claims = tokens
        .id_token_claims()
        .expect("openid: validated ID token");
    assert_eq!(claims.sub, PASSWORD_USERNAME);
    assert_eq!(claims.iss, support::shared().issuer);
    assert!(claims.aud.iter().any(|a| a == BASIC_CLIENT_ID));
    assert!(claims.nonce.is_none());
    assert!(tokens.scope().has_openid());
}

#[tokio::test]
async fn password_grant_with_offline_access_yields_refreshable_tokens() {
    let client = confidential(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
    let tokens: Tokens<Offline> = client
        .password_grant(PASSWORD_USERNAME, PASSWORD_PASSWORD)
        .offline_access()
        .send()
        .await
        .expect("password grant with offline_access");
    assert!(!tokens.refresh_token().secret().is_empty());
    assert!(tokens.scope().has_offline_access());

    let refreshed = tokens.refresh(&client).await.expect("refresh");
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_eq!(
        refreshed.id_token_claims().expect("claims").sub,
        PASSWORD_USERNAME
    );
}

#[tokio::test]
async fn password_grant_with_a_wrong_password_is_invalid_grant() {
    let client = confidential(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
    let wrong = "not-wonderland-7421";
    let err = client
        .password_grant(PASSWORD_USERNAME, wrong)
        .send()
        .await
        .unwrap_err();
    assert!(is_provider_error(&err, "invalid_grant"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(wrong));
}

// ---- token exchange ---------------------------------------------------------------------------

/// An opaque access token for alice, issued to basic-client by the password grant.
async fn subject_token() -> AccessToken {
    let basic = confidential(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
    let tokens = basic
        .password_grant(PASSWORD_USERNAME, PASSWORD_PASSWORD)
        .send()
        .await
        .expect("password grant for the subject token");
    tokens.access_token().clone()
}

#[tokio::test]
async fn token_exchange_issues_a_new_access_token_for_the_subject() {
    let subject = subject_token().await;
    let client = confidential(TE_CLIENT_ID, TE_CLIENT_SECRET).await;
    let issued = client
        .token_exchange(subject.secret(), TokenTypeUri::AccessToken)
        .requested_token_type(TokenTypeUri::AccessToken)
        .audience("urn:example:backend")
        .scope("openid")
        .send()
        .await
        .expect("token exchange");
    assert_eq!(issued.issued_token_type(), &TokenTypeUri::AccessToken);
    assert_eq!(issued.token_type(), &token::TokenType::Bearer);
    assert_ne!(issued.token().secret(), subject.secret());
    assert!(issued.tokens().expires_at().is_some());
    assert!(issued.tokens().id_token().is_none());

    let info = introspect(issued.token().secret(), TE_CLIENT_ID, TE_CLIENT_SECRET).await;
    assert_eq!(info["active"], true);
    assert_eq!(info["sub"], PASSWORD_USERNAME);
    assert_eq!(info["client_id"], TE_CLIENT_ID);
}

#[tokio::test]
async fn token_exchange_errors_are_typed() {
    let client = confidential(TE_CLIENT_ID, TE_CLIENT_SECRET).await;
    let err = client
        .token_exchange("not-a-token-issued-here", TokenTypeUri::AccessToken)
        .send()
        .await
        .unwrap_err();
    assert!(is_provider_error(&err, "invalid_grant"), "{err:?}");

    let subject = subject_token().await;
    let err = client
        .token_exchange(subject.secret(), TokenTypeUri::AccessToken)
        .scope("openid email")
        .send()
        .await
        .unwrap_err();
    assert!(is_provider_error(&err, "invalid_scope"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(subject.secret()));
}

// ---- extension grant --------------------------------------------------------------------------

#[tokio::test]
async fn extension_grant_is_a_working_escape_hatch() {
    // The provider's password grant, driven through the generic builder.
    let client = confidential(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
    let tokens: Tokens<Offline> = client
        .extension_grant("password")
        .extra("username", PASSWORD_USERNAME)
        .extra("password", PASSWORD_PASSWORD)
        .scope("openid offline_access")
        .id_token_rule(IdTokenRule::Require)
        .expect_refresh_token()
        .send()
        .await
        .expect("extension grant");
    assert_eq!(tokens.id_token_claims().unwrap().sub, PASSWORD_USERNAME);
    assert!(!tokens.refresh_token().secret().is_empty());

    // RFC 6749 §5.2 errors come back typed through the escape hatch too.
    let err = client
        .extension_grant("urn:example:grant-type:unknown")
        .send()
        .await
        .unwrap_err();
    assert!(is_provider_error(&err, "unsupported_grant_type"), "{err:?}");
}

// ---- sans-IO rules (no provider needed) ---------------------------------------------------------

/// A client on hand-made metadata; the transport is never used by these tests.
fn offline_client(token_endpoint: Option<&str>) -> Client<HyperClient, Confidential> {
    let mut metadata = ProviderMetadata::new(IssuerUrl::new("https://op.example").unwrap());
    metadata.token_endpoint = token_endpoint.map(|u| EndpointUrl::new(u).unwrap());
    Client::builder(ClientId::new("rp"))
        .client_secret(ClientSecret::new("rp-secret"))
        .build(metadata, HyperClient::new().unwrap())
        .unwrap()
}

fn body_of(request: &::http::Request<Vec<u8>>) -> Vec<(String, String)> {
    form_decode(std::str::from_utf8(request.body()).unwrap())
}

fn json_response(status: u16, body: &str) -> ::http::Response<Bytes> {
    ::http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn no_token_endpoint_is_unsupported_by_provider_before_any_request() {
    // A request would need the network (op.example); the error comes first.
    let client = offline_client(None);
    for err in [
        client.client_credentials().send().await.unwrap_err(),
        client.password_grant("u", "p").send().await.unwrap_err(),
        client
            .token_exchange("t", TokenTypeUri::Jwt)
            .send()
            .await
            .unwrap_err(),
        client.extension_grant("x").send().await.unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::Config(ConfigError::UnsupportedByProvider("token_endpoint"))
            ),
            "{err:?}"
        );
    }
}

#[test]
fn the_token_request_carries_every_parameter_once_with_client_authentication() {
    let client = offline_client(Some("https://op.example/token"));
    let request = client
        .client_credentials()
        .scope("api:read")
        .scope("api:write api:read")
        .resource("https://a.example/api")
        .resource("urn:example:b")
        .extra("tenant", "one")
        .extra("tenant", "two")
        .audience("https://api.example")
        .audience("urn:example:billing")
        .token_request()
        .unwrap();
    assert_eq!(request.method(), ::http::Method::POST);
    assert_eq!(request.uri(), "https://op.example/token");
    assert!(
        request
            .headers()
            .contains_key(::http::header::AUTHORIZATION)
    );
    let pairs = body_of(&request);
    let get = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(get("grant_type"), ["client_credentials"]);
    assert_eq!(get("scope"), ["api:read api:write"]);
    assert_eq!(get("resource"), ["https://a.example/api", "urn:example:b"]);
    assert_eq!(get("tenant"), ["two"]);
    assert_eq!(
        get("audience"),
        ["https://api.example", "urn:example:billing"]
    );
    assert!(get("client_secret").is_empty());

    let request = client
        .token_exchange("subject", TokenTypeUri::IdToken)
        .actor_token("actor", TokenTypeUri::AccessToken)
        .audience("a")
        .audience("b")
        .token_request()
        .unwrap();
    let pairs = body_of(&request);
    let expected = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", "subject"),
        (
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:id_token",
        ),
        ("actor_token", "actor"),
        (
            "actor_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("audience", "a"),
        ("audience", "b"),
    ];
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(pairs, expected);
}

#[test]
fn builder_mistakes_are_reported_by_token_request() {
    let client = offline_client(Some("https://op.example/token"));
    let refused = [
        client
            .client_credentials()
            .resource("https://api.example/#frag")
            .token_request(),
        client
            .client_credentials()
            .resource("relative/path")
            .token_request(),
        client
            .client_credentials()
            .scope("bad\"scope")
            .token_request(),
        client
            .client_credentials()
            .extra("client_secret", "x")
            .token_request(),
        client
            .client_credentials()
            .extra("grant_type", "x")
            .token_request(),
        client
            .client_credentials()
            .extra("audience", "x")
            .token_request(),
        client.client_credentials().audience(" ").token_request(),
        client
            .password_grant("u", "p")
            .extra("password", "x")
            .token_request(),
        client
            .password_grant("u", "p")
            .scope("offline_access")
            .token_request(),
        client
            .token_exchange("t", TokenTypeUri::Jwt)
            .extra("subject_token", "u")
            .token_request(),
        client.extension_grant("has space").token_request(),
        client.extension_grant("").token_request(),
    ];
    for result in refused {
        assert!(
            matches!(result, Err(Error::Config(ConfigError::InvalidValue { .. }))),
            "{result:?}"
        );
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let client = offline_client(Some("https://op.example/token"));
    let request = client
        .password_grant("alice", "pw-3141592653")
        .extra("otp", "otp-2718281828");
    let debug = format!("{request:?}");
    assert!(
        debug.contains("password") && debug.contains("otp"),
        "{debug}"
    );
    assert!(!debug.contains("pw-3141592653") && !debug.contains("otp-2718281828"));
    let exchange = client.token_exchange("subject-1618033988", TokenTypeUri::AccessToken);
    assert!(!format!("{exchange:?}").contains("subject-1618033988"));
}

fn assert_invalid_response(err: &Error) {
    assert!(
        matches!(err, Error::Response(ResponseError::Invalid { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn responses_are_checked_per_grant() {
    let client = offline_client(Some("https://op.example/token"));
    // RFC 8693 §2.2.1: issued_token_type is required.
    let plain = r#"{"access_token":"at","token_type":"Bearer","expires_in":60}"#;
    let err = client
        .token_exchange("t", TokenTypeUri::AccessToken)
        .finish(&json_response(200, plain))
        .await
        .unwrap_err();
    assert_invalid_response(&err);

    let issued = client
        .token_exchange("t", TokenTypeUri::AccessToken)
        .requested_token_type(TokenTypeUri::Other("urn:example:tt".into()))
        .finish(&json_response(
            200,
            r#"{"access_token":"x","token_type":"N_A","issued_token_type":"urn:example:tt"}"#,
        ))
        .await
        .unwrap();
    assert_eq!(
        issued.issued_token_type(),
        &TokenTypeUri::Other("urn:example:tt".into())
    );
    assert_eq!(issued.token_type(), &token::TokenType::NotApplicable);

    // openid password grant: the ID token is required.
    let err = client
        .password_grant("u", "p")
        .finish(&json_response(200, plain))
        .await
        .unwrap_err();
    assert_invalid_response(&err);
    // ... but not without openid.
    let tokens = client
        .password_grant("u", "p")
        .without_openid()
        .finish(&json_response(200, plain))
        .await
        .unwrap();
    assert!(tokens.id_token().is_none());
    // offline_access: the refresh token is required.
    let err = client
        .password_grant("u", "p")
        .without_openid()
        .offline_access()
        .finish(&json_response(200, plain))
        .await
        .unwrap_err();
    assert_invalid_response(&err);

    // Client credentials ignore an ID token (not validated, not kept), even a bogus one.
    let with_id = r#"{"access_token":"at","token_type":"Bearer","id_token":"not.a.jwt"}"#;
    let tokens = client
        .client_credentials()
        .finish(&json_response(200, with_id))
        .await
        .unwrap();
    assert!(tokens.id_token().is_none());
    // Every other grant validates one that comes.
    let err = client
        .extension_grant("urn:example:g")
        .finish(&json_response(200, with_id))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Jose(_) | Error::Validation(_)),
        "{err:?}"
    );

    // RFC 6749 §5.2 error documents are typed.
    let err = client
        .client_credentials()
        .finish(&json_response(
            400,
            r#"{"error":"invalid_scope","error_description":"nope"}"#,
        ))
        .await
        .unwrap_err();
    assert!(is_provider_error(&err, "invalid_scope"), "{err:?}");
}

#[test]
fn token_type_uris_round_trip() {
    for t in [
        TokenTypeUri::AccessToken,
        TokenTypeUri::RefreshToken,
        TokenTypeUri::IdToken,
        TokenTypeUri::Saml1,
        TokenTypeUri::Saml2,
        TokenTypeUri::Jwt,
        TokenTypeUri::Other("urn:example:x".into()),
    ] {
        assert_eq!(TokenTypeUri::parse(t.as_str()), t);
        assert_eq!(t.to_string(), t.as_str());
    }
}

#[test]
fn grant_and_par_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = offline_client(Some("https://op.example/token"));
    assert_send(&client.client_credentials().send());
    assert_send(&client.password_grant("u", "p").offline_access().send());
    assert_send(&client.token_exchange("t", TokenTypeUri::Jwt).send());
    assert_send(&client.extension_grant("x").expect_refresh_token().send());
    assert_send(&client.authorization_request().start_pushed(&client));
    assert_send(&client.authorization_request().start_auto(&client));
}
