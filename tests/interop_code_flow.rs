//! Interop: the authorization-code flow against the real test OpenID Provider
//! (panva oidc-provider 9.x, started on 127.0.0.1 by the test suite itself).
//! Every test drives the crate's public API end to end over the default hyper
//! transport; the only scripted part is the user agent (login and consent).

mod support;

use support::clients::*;
use support::user_agent_authorize;
use typed_oidc::error::{Error, ProviderError};
use typed_oidc::flow::{Access, PkceMode, ResponseMode};
use typed_oidc::http::HyperClient;
use typed_oidc::jose::{JwsAlgorithm, SigningKey};
use typed_oidc::*;

fn issuer() -> IssuerUrl {
    IssuerUrl::new(&support::shared().issuer).expect("provider issuer")
}

fn redirect() -> RedirectUrl {
    RedirectUrl::new(REDIRECT_URI).unwrap()
}

async fn discover<K: typed_oidc::BaseKind>(builder: ClientBuilder<K>) -> Client<HyperClient, K> {
    let http = HyperClient::new().expect("hyper client");
    builder
        .redirect_uri(redirect())
        .discover(&issuer(), http)
        .await
        .expect("discovery against the test provider")
}

/// Runs the front channel with the scripted user agent and the back channel with the
/// crate; returns the tokens and the nonce that was sent.
async fn login<A: Access, P: PkceMode, K: typed_oidc::BaseKind>(
    client: &Client<HyperClient, K>,
    request: AuthorizationRequest<A, P>,
) -> (Tokens<A>, String) {
    let (url, pending) = request.start().expect("authorization request");
    let nonce = pending
        .nonce()
        .expect("openid request has a nonce")
        .secret()
        .to_owned();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let received = pending.callback(&redirect).expect("callback accepted");
    let tokens = received.exchange(client).await.expect("code exchange");
    (tokens, nonce)
}

fn assert_claims<A: Access>(tokens: &Tokens<A>, client_id: &str, nonce: &str) {
    let claims = tokens.id_token_claims().expect("validated ID token claims");
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);
    assert_eq!(claims.iss, support::shared().issuer);
    assert!(
        claims.aud.iter().any(|a| a == client_id),
        "aud {:?} lacks {client_id}",
        claims.aud
    );
    assert_eq!(claims.nonce.as_deref(), Some(nonce));
    assert!(!tokens.access_token().secret().is_empty());
}

fn id_token_alg<A: Access>(tokens: &Tokens<A>) -> String {
    let raw = tokens.id_token().unwrap().secret().to_owned();
    typed_oidc::jose::Jws::parse(&raw)
        .unwrap()
        .header()
        .alg
        .clone()
}

#[tokio::test]
async fn code_pkce_public_client() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    assert_eq!(client.auth().method(), AuthMethod::None);
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, PUBLIC_PKCE_ID, &nonce);
    assert_eq!(id_token_alg(&tokens), "RS256");
}

#[tokio::test]
async fn code_client_secret_basic() {
    let client = discover(
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretBasic),
    )
    .await;
    let (tokens, nonce) = login(
        &client,
        client.authorization_request().scope("profile email"),
    )
    .await;
    assert_claims(&tokens, BASIC_CLIENT_ID, &nonce);
}

#[tokio::test]
async fn code_client_secret_post() {
    let client = discover(
        Client::builder(ClientId::new(POST_CLIENT_ID))
            .client_secret(ClientSecret::new(POST_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretPost),
    )
    .await;
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, POST_CLIENT_ID, &nonce);
}

#[tokio::test]
async fn code_client_secret_jwt() {
    let client = discover(
        Client::builder(ClientId::new(JWT_CLIENT_ID))
            .client_secret(ClientSecret::new(JWT_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretJwt),
    )
    .await;
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, JWT_CLIENT_ID, &nonce);
}

#[tokio::test]
async fn code_private_key_jwt_rs256() {
    let key = SigningKey::from_jwk(CLIENT_KEY_RSA_JSON).expect("client RSA key");
    let client = discover(
        Client::builder(ClientId::new(PKJWT_CLIENT_ID))
            .private_key(key)
            .assertion_alg(JwsAlgorithm::RS256),
    )
    .await;
    assert_eq!(client.auth().method(), AuthMethod::PrivateKeyJwt);
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, PKJWT_CLIENT_ID, &nonce);
}

#[tokio::test]
async fn code_private_key_jwt_es256_without_pkce() {
    let key = SigningKey::from_jwk(CLIENT_KEY_EC_JSON).expect("client EC key");
    let client = discover(Client::builder(ClientId::new(PKJWT_CLIENT_ID)).private_key(key)).await;
    let (tokens, nonce) = login(&client, client.authorization_request().without_pkce()).await;
    assert_claims(&tokens, PKJWT_CLIENT_ID, &nonce);
}

#[tokio::test]
async fn es256_id_token() {
    let client = discover(
        Client::builder(ClientId::new(ES256_CLIENT_ID))
            .client_secret(ClientSecret::new(ES256_CLIENT_SECRET)),
    )
    .await;
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, ES256_CLIENT_ID, &nonce);
    assert_eq!(id_token_alg(&tokens), "ES256");
}

#[tokio::test]
async fn hs256_id_token_keyed_with_the_client_secret() {
    let client = discover(
        Client::builder(ClientId::new(HS256_CLIENT_ID))
            .client_secret(ClientSecret::new(HS256_CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretPost),
    )
    .await;
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, HS256_CLIENT_ID, &nonce);
    assert_eq!(id_token_alg(&tokens), "HS256");
}

#[tokio::test]
async fn eddsa_and_ps256_id_tokens() {
    for (id, secret, alg) in [
        (EDDSA_CLIENT_ID, EDDSA_CLIENT_SECRET, "EdDSA"),
        (PS256_CLIENT_ID, PS256_CLIENT_SECRET, "PS256"),
    ] {
        let client =
            discover(Client::builder(ClientId::new(id)).client_secret(ClientSecret::new(secret)))
                .await;
        let (tokens, nonce) = login(&client, client.authorization_request()).await;
        assert_claims(&tokens, id, &nonce);
        assert_eq!(id_token_alg(&tokens), alg);
    }
}

#[tokio::test]
async fn form_post_response_mode() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let (action, body) = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .form_post();
    assert!(action.starts_with(REDIRECT_URI));
    let tokens = pending
        .callback_form(body.as_bytes())
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    assert_claims(&tokens, PUBLIC_PKCE_ID, &nonce);
}

#[tokio::test]
async fn offline_access_yields_a_refresh_token_that_rotates() {
    let client = discover(
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET)),
    )
    .await;
    let (tokens, nonce) = login(&client, client.authorization_request().offline_access()).await;
    assert_claims(&tokens, BASIC_CLIENT_ID, &nonce);
    let first_refresh = tokens.refresh_token().secret().to_owned();
    assert!(!first_refresh.is_empty());
    assert!(tokens.expires_at().is_some());
    assert!(!tokens.is_expired(std::time::Duration::from_secs(0)));

    let refreshed = tokens.refresh(&client).await.expect("refresh");
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_ne!(
        refreshed.refresh_token().secret(),
        first_refresh,
        "the provider rotates refresh tokens"
    );
    let claims = refreshed.id_token_claims().unwrap();
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);

    // Replaying the rotated-out refresh token is refused with a typed provider error.
    let err = tokens.refresh(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider(ProviderError { error, .. }) if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(!err.to_string().contains(&first_refresh));
}

#[tokio::test]
async fn access_denied_is_a_typed_error() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    let (url, pending) = client
        .authorization_request()
        .login_hint(DENY_LOGIN_HINT)
        .start()
        .unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let err = pending.callback(&redirect).unwrap_err();
    let Error::Provider(p) = err else {
        panic!("expected access_denied, got {err:?}")
    };
    assert_eq!(p.error, "access_denied");
    assert!(p.error_description.is_some());
}

#[tokio::test]
async fn login_hint_selects_the_subject() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    let (url, pending) = client
        .authorization_request()
        .login_hint("bob")
        .start()
        .unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let tokens = pending
        .callback(&redirect)
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    assert_eq!(tokens.id_token_claims().unwrap().sub, "bob");
}

#[tokio::test]
async fn replayed_code_is_refused() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    let (url, pending) = client.authorization_request().start().unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let received = pending.callback(&redirect).unwrap();
    let request = received.token_request(&client).unwrap();
    let replay = request.clone();
    received.exchange(&client).await.unwrap();
    let response = typed_oidc::http::HttpClient::execute(client.http(), replay)
        .await
        .unwrap();
    let err = typed_oidc::token::TokenResponse::from_response(&response).unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn code_private_key_jwt_key_from_pem() {
    let pem = SigningKey::from_jwk(CLIENT_KEY_RSA_JSON)
        .unwrap()
        .to_pkcs8_pem()
        .unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let key = SigningKey::from_pem(&pem)
        .expect("PKCS#8 PEM")
        .with_kid("client-rsa");
    let client = discover(Client::builder(ClientId::new(PKJWT_CLIENT_ID)).private_key(key)).await;
    let (tokens, nonce) = login(&client, client.authorization_request()).await;
    assert_claims(&tokens, PKJWT_CLIENT_ID, &nonce);
}
