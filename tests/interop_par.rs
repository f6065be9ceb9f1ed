//! Interop: Pushed Authorization Requests (RFC 9126) against the real test OpenID
//! Provider — the pushed request with each client-authentication method, the short
//! authorization URL through the scripted user agent, then the unchanged callback and
//! code exchange — plus the "required by the provider" and "unsupported" rules.

mod support;

use bytes::Bytes;
use support::clients::*;
use support::net::form_decode;
use support::user_agent_authorize;
use typed_oidc::error::{ConfigError, Error, ResponseError};
use typed_oidc::flow::{Access, AuthorizationUrl, PkceMode};
use typed_oidc::http::HyperClient;
use typed_oidc::jose::SigningKey;
use typed_oidc::*;

fn issuer() -> IssuerUrl {
    IssuerUrl::new(&support::shared().issuer).expect("provider issuer")
}

fn redirect() -> RedirectUrl {
    RedirectUrl::new(REDIRECT_URI).unwrap()
}

async fn metadata() -> ProviderMetadata {
    let http = HyperClient::new().unwrap();
    let response = typed_oidc::http::HttpClient::execute(
        &http,
        ProviderMetadata::discovery_request(&issuer(), Default::default()),
    )
    .await
    .unwrap();
    ProviderMetadata::from_response(&issuer(), &response).expect("test provider metadata")
}

fn build<K: typed_oidc::BaseKind>(
    builder: ClientBuilder<K>,
    md: ProviderMetadata,
) -> Client<HyperClient, K> {
    builder
        .redirect_uri(redirect())
        .build(md, HyperClient::new().unwrap())
        .expect("client")
}

/// The query parameters of an authorization URL.
fn query_of(url: &AuthorizationUrl) -> Vec<(String, String)> {
    form_decode(url.to_url().unwrap().query().unwrap_or_default())
}

/// Checks the short URL, runs the front channel and the unchanged back channel.
async fn login_pushed<A: Access, P: PkceMode, K: BaseKind>(
    client: &Client<HyperClient, K>,
    url: AuthorizationUrl,
    pending: Pending<A, P>,
) -> Tokens<A> {
    let params = query_of(&url);
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url:?}");
    assert_eq!(params[0].1, client.client_id().as_str());
    assert!(
        params[1]
            .1
            .starts_with("urn:ietf:params:oauth:request_uri:")
    );
    assert!(url.as_str().starts_with(&support::shared().url("/auth")));

    let nonce = pending.nonce().expect("openid request").secret().to_owned();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let tokens = pending
        .callback(&redirect)
        .expect("callback")
        .exchange(client)
        .await
        .expect("code exchange");
    let claims = tokens.id_token_claims().expect("claims");
    assert_eq!(claims.nonce.as_deref(), Some(nonce.as_str()));
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);
    tokens
}

#[tokio::test]
async fn pushed_request_with_every_client_authentication_method() {
    let md = metadata().await;
    assert!(md.pushed_authorization_request_endpoint.is_some());
    let key = SigningKey::from_jwk(CLIENT_KEY_RSA_JSON).unwrap();
    // client_secret_basic needs client_id in the body for this provider; the others
    // put it there themselves (and it must not appear twice).
    let clients = [
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET)),
        Client::builder(ClientId::new(POST_CLIENT_ID))
            .client_secret(ClientSecret::new(POST_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretPost),
        Client::builder(ClientId::new(JWT_CLIENT_ID))
            .client_secret(ClientSecret::new(JWT_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretJwt),
        Client::builder(ClientId::new(PKJWT_CLIENT_ID)).private_key(key),
    ];
    for builder in clients {
        let client = build(builder, md.clone());
        let method = client.auth().method();
        let (url, pending) = client
            .authorization_request()
            .scope("profile")
            .start_pushed(&client)
            .await
            .unwrap_or_else(|e| panic!("PAR with {method:?}: {e:?}"));
        login_pushed(&client, url, pending).await;
    }
}

#[tokio::test]
async fn pushed_request_from_a_public_client_with_offline_access() {
    let client = build(
        Client::builder(ClientId::new(PUBLIC_PKCE_ID)),
        metadata().await,
    );
    let (url, pending) = client
        .authorization_request()
        .offline_access()
        .start_pushed(&client)
        .await
        .expect("PAR with a public client");
    let tokens: Tokens<Offline> = login_pushed(&client, url, pending).await;
    assert!(!tokens.refresh_token().secret().is_empty());
}

#[tokio::test]
async fn required_par_is_used_by_start_auto_and_refused_by_start() {
    let mut md = metadata().await;
    md.require_pushed_authorization_requests = true;
    let client = build(Client::builder(ClientId::new(PUBLIC_PKCE_ID)), md);
    let err = client.authorization_request().start().unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::PushedAuthorizationRequired)),
        "{err:?}"
    );
    let (url, pending) = client
        .authorization_request()
        .start_auto(&client)
        .await
        .expect("start_auto pushes");
    login_pushed(&client, url, pending).await;
}

#[tokio::test]
async fn start_auto_without_the_requirement_builds_a_plain_url() {
    let client = build(
        Client::builder(ClientId::new(PUBLIC_PKCE_ID)),
        metadata().await,
    );
    let (url, _pending) = client
        .authorization_request()
        .start_auto(&client)
        .await
        .unwrap();
    let params = query_of(&url);
    assert!(params.iter().any(|(n, _)| n == "code_challenge"));
    assert!(!params.iter().any(|(n, _)| n == "request_uri"));
}

#[tokio::test]
async fn a_refused_push_is_a_typed_provider_error() {
    let client = build(
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET)),
        metadata().await,
    );
    let err = client
        .authorization_request()
        .redirect_uri(RedirectUrl::new("http://127.0.0.1/not-registered").unwrap())
        .start_pushed(&client)
        .await
        .unwrap_err();
    let Error::Provider(p) = &err else {
        panic!("expected a provider error, got {err:?}")
    };
    assert_eq!(p.status, Some(400));
    assert!(p.error.starts_with("invalid_"), "{p:?}");

    let wrong = build(
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new("wrong-secret-for-par")),
        metadata().await,
    );
    let err = wrong
        .authorization_request()
        .start_pushed(&wrong)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_client"),
        "{err:?}"
    );
}

// ---- no provider needed ---------------------------------------------------------------------

fn hand_made(par: bool, required: bool) -> Client<HyperClient, Public> {
    let mut md = ProviderMetadata::new(IssuerUrl::new("https://op.example").unwrap());
    md.authorization_endpoint = Some(EndpointUrl::new("https://op.example/authorize").unwrap());
    md.pushed_authorization_request_endpoint =
        par.then(|| EndpointUrl::new("https://op.example/par").unwrap());
    md.require_pushed_authorization_requests = required;
    build(Client::builder(ClientId::new("rp")), md)
}

#[tokio::test]
async fn no_par_endpoint_is_unsupported_by_provider_before_any_request() {
    for required in [false, true] {
        let client = hand_made(false, required);
        let err = client
            .authorization_request()
            .start_pushed(&client)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Config(ConfigError::UnsupportedByProvider(
                    "pushed_authorization_request_endpoint"
                ))
            ),
            "{err:?}"
        );
    }
    let client = hand_made(false, true);
    let err = client
        .authorization_request()
        .start_auto(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::UnsupportedByProvider(_))),
        "{err:?}"
    );
}

#[test]
fn the_pushed_body_holds_the_whole_request_and_client_id_once() {
    let client = hand_made(true, false);
    let (request, push) = client
        .authorization_request()
        .scope("email")
        .extra("ui_locales", "de")
        .push_request(&client)
        .unwrap();
    assert_eq!(request.uri(), "https://op.example/par");
    assert_eq!(request.method(), ::http::Method::POST);
    let body = form_decode(std::str::from_utf8(request.body()).unwrap());
    let count = |name: &str| body.iter().filter(|(n, _)| n == name).count();
    for name in [
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "ui_locales",
        "client_id",
    ] {
        assert_eq!(count(name), 1, "{name} in {body:?}");
    }

    // 201 with request_uri + expires_in: the short URL and the same Pending.
    let response = ::http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(Bytes::from_static(
            br#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#,
        ))
        .unwrap();
    let (url, pending, pushed) = push.finish(&response).unwrap();
    assert_eq!(
        url.as_str(),
        "https://op.example/authorize?client_id=rp&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc"
    );
    assert_eq!(
        pushed.request_uri(),
        "urn:ietf:params:oauth:request_uri:abc"
    );
    assert_eq!(pushed.expires_in(), std::time::Duration::from_secs(60));
    let state = body.iter().find(|(n, _)| n == "state").unwrap();
    assert_eq!(pending.state().secret(), state.1);

    let err = client
        .authorization_request()
        .extra("request_uri", "urn:x")
        .push_request(&client)
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::InvalidValue { .. })),
        "{err:?}"
    );
}

#[test]
fn par_responses_are_checked() {
    let parse = |status: u16, body: &'static str| {
        PushedAuthorization::from_response(
            &::http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap(),
        )
    };
    assert!(parse(201, r#"{"request_uri":"urn:x","expires_in":5}"#).is_ok());
    assert!(parse(200, r#"{"request_uri":"urn:x","expires_in":5,"more":1}"#).is_ok());
    for bad in [
        r#"{"request_uri":"urn:x"}"#,
        r#"{"expires_in":5}"#,
        r#"{"request_uri":"","expires_in":5}"#,
        r#"{"request_uri":"urn:x y","expires_in":5}"#,
        r#"{"request_uri":"urn:x","expires_in":-1}"#,
        r#"[]"#,
    ] {
        let err = parse(201, bad).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Response(ResponseError::Json { .. } | ResponseError::Invalid { .. })
            ),
            "{bad}: {err:?}"
        );
    }
    let err = parse(400, r#"{"error":"invalid_request_object"}"#).unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_request_object"),
        "{err:?}"
    );
}
