//! Interop: UserInfo, introspection, revocation and RP-initiated logout against the real
//! test OpenID Provider (panva oidc-provider 9.x, started on 127.0.0.1 by the test suite).
//! The front channel runs in the scripted user agent; everything else through the crate's
//! public API over the default hyper transport.

mod support;

use support::clients::*;
use support::{UserAgent, net};
use typed_oidc::client_auth::ClientAuth;
use typed_oidc::error::{Error, ProviderError};
use typed_oidc::flow::{Access, PkceMode, Prompt};
use typed_oidc::http::HyperClient;
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::revocation::RevocationErrorCode;
use typed_oidc::token::TokenType;
use typed_oidc::*;

fn issuer() -> IssuerUrl {
    IssuerUrl::new(&support::shared().issuer).expect("provider issuer")
}

async fn discover<K: typed_oidc::BaseKind>(builder: ClientBuilder<K>) -> Client<HyperClient, K> {
    let http = HyperClient::new().expect("hyper client");
    builder
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(&issuer(), http)
        .await
        .expect("discovery against the test provider")
}

async fn basic_client() -> Client<HyperClient> {
    discover(
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET)),
    )
    .await
}

/// Logs in with `ua` (whose cookie jar keeps the provider session) and exchanges the code.
async fn login_in<A: Access, P: PkceMode, K: typed_oidc::BaseKind>(
    ua: &mut UserAgent,
    client: &Client<HyperClient, K>,
    request: AuthorizationRequest<A, P>,
) -> Tokens<A> {
    let (url, pending) = request.start().expect("authorization request");
    let redirect = ua.navigate(url.as_str(), REDIRECT_URI).await.redirect();
    let received = pending.callback(&redirect).expect("callback accepted");
    received.exchange(client).await.expect("code exchange")
}

async fn login<A: Access, P: PkceMode, K: typed_oidc::BaseKind>(
    client: &Client<HyperClient, K>,
    request: AuthorizationRequest<A, P>,
) -> Tokens<A> {
    login_in(&mut UserAgent::new(), client, request).await
}

fn provider_error(err: &Error) -> &ProviderError {
    match err {
        Error::Provider(p) => p,
        other => panic!("expected a provider error, got {other:?}"),
    }
}

#[tokio::test]
async fn userinfo_with_header_and_with_form_body() {
    let client = basic_client().await;
    let tokens = login(
        &client,
        client
            .authorization_request()
            .scope("profile email address phone"),
    )
    .await;
    let id_sub = &tokens.id_token_claims().unwrap().sub;

    let header = client.userinfo(&tokens).send().await.expect("userinfo");
    assert_eq!(header.signing_alg, None);
    let c = &header.claims;
    assert_eq!(c.sub.as_str(), id_sub);
    assert_eq!(c.sub.as_str(), DEFAULT_ACCOUNT);
    assert_eq!(c.name.as_deref(), Some("Alice"));
    assert_eq!(c.given_name.as_deref(), Some("Alice"));
    assert_eq!(c.family_name.as_deref(), Some("Test"));
    assert_eq!(c.preferred_username.as_deref(), Some("alice"));
    assert_eq!(c.email.as_deref(), Some("alice@example.com"));
    assert_eq!(c.email_verified, Some(true));
    assert_eq!(c.phone_number.as_deref(), Some("+1 555 0100"));
    assert_eq!(c.phone_number_verified, Some(false));
    let address = c.address.as_ref().expect("address claim");
    assert_eq!(address.country.as_deref(), Some("Wonderland"));
    assert_eq!(address.locality.as_deref(), Some("Rabbit Hole"));

    let body = client
        .userinfo(&tokens)
        .bearer_method(BearerMethod::FormBody)
        .send()
        .await
        .expect("userinfo with the token in the body");
    assert_eq!(body, header);
}

#[tokio::test]
async fn userinfo_scope_limits_the_claims() {
    let client = basic_client().await;
    let tokens = login(&client, client.authorization_request()).await;
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    assert_eq!(info.claims.email, None);
    assert_eq!(info.claims.address, None);
}

#[tokio::test]
async fn signed_userinfo_is_verified() {
    let client = discover(
        Client::builder(ClientId::new(JWT_USERINFO_CLIENT_ID))
            .client_secret(ClientSecret::new(JWT_USERINFO_CLIENT_SECRET)),
    )
    .await;
    let tokens = login(
        &client,
        client.authorization_request().scope("profile email"),
    )
    .await;
    let info = client
        .userinfo(&tokens)
        .require_signed()
        .send()
        .await
        .expect("JWT userinfo");
    assert_eq!(info.signing_alg, Some(JwsAlgorithm::RS256));
    assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    assert_eq!(info.claims.email.as_deref(), Some("alice@example.com"));
    // The provider signs iss and aud into the response; both were checked and are kept.
    assert_eq!(info.claims.get("iss").unwrap(), &support::shared().issuer);
    assert!(client.jwks().generation() >= 1);
}

#[tokio::test]
async fn userinfo_refuses_an_unknown_token_with_a_typed_error() {
    let client = basic_client().await;
    let bogus = AccessToken::new("not-an-access-token-0123456789");
    let err = client
        .userinfo_for_subject(&bogus, &SubjectId::new(DEFAULT_ACCOUNT))
        .send()
        .await
        .unwrap_err();
    let p = provider_error(&err);
    assert_eq!(p.error, "invalid_token");
    assert_eq!(p.status, Some(401));
    assert!(!format!("{err} {err:?}").contains(bogus.secret()));
}

#[tokio::test]
async fn introspection_active_then_inactive_after_revocation() {
    let client = basic_client().await;
    let tokens = login(&client, client.authorization_request().scope("profile")).await;
    let at = tokens.access_token();

    let active = client
        .introspect(at)
        .token_type_hint(TokenTypeHint::AccessToken)
        .send()
        .await
        .expect("introspection");
    let info = active.active().expect("a fresh access token is active");
    assert_eq!(info.sub.as_ref().unwrap().as_str(), DEFAULT_ACCOUNT);
    assert_eq!(info.client_id.as_ref().unwrap().as_str(), BASIC_CLIENT_ID);
    assert_eq!(info.token_type, Some(TokenType::Bearer));
    assert_eq!(info.iss.as_deref(), Some(support::shared().issuer.as_str()));
    assert!(info.scope.as_ref().unwrap().has_openid());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(info.exp.unwrap() > now);
    assert!(info.iat.unwrap() <= now + 5);

    client
        .revoke(at)
        .token_type_hint(TokenTypeHint::AccessToken)
        .send()
        .await
        .expect("revocation");
    let after = client.introspect(at).send().await.expect("introspection");
    assert_eq!(after, Introspection::Inactive);

    // The provider no longer serves UserInfo for it either.
    let err = client.userinfo(&tokens).send().await.unwrap_err();
    assert_eq!(provider_error(&err).error, "invalid_token");
}

#[tokio::test]
async fn revoking_the_refresh_token_without_a_hint_ends_the_grant() {
    let client = basic_client().await;
    let tokens = login(&client, client.authorization_request().offline_access()).await;
    let rt = tokens.refresh_token();
    let before = client
        .introspect(rt)
        .token_type_hint(TokenTypeHint::RefreshToken)
        .send()
        .await
        .unwrap();
    assert!(before.is_active());

    client.revoke(rt).send().await.expect("revocation");
    assert!(!client.introspect(rt).send().await.unwrap().is_active());
    let err = tokens.refresh(&client).await.unwrap_err();
    assert_eq!(provider_error(&err).error, "invalid_grant");
}

#[tokio::test]
async fn revoking_an_unknown_token_is_still_success() {
    // RFC 7009 §2.2: invalid tokens do not cause an error response.
    let client = basic_client().await;
    client
        .revoke(&RefreshToken::new("never-issued-0123456789"))
        .token_type_hint(TokenTypeHint::RefreshToken)
        .send()
        .await
        .expect("200 for an unknown token");
}

#[tokio::test]
async fn introspection_and_revocation_have_their_own_client_auth() {
    let client = basic_client().await;
    let tokens = login(&client, client.authorization_request()).await;
    let at = tokens.access_token();

    // Another registered client introspects the token (a resource server would).
    let rs = ClientAuth::secret(
        ClientId::new(CC_CLIENT_ID),
        ClientSecret::new(CC_CLIENT_SECRET),
        AuthMethod::ClientSecretBasic,
    )
    .unwrap();
    let seen = client.introspect(at).auth(rs.clone()).send().await.unwrap();
    assert_eq!(
        seen.active().unwrap().client_id.as_ref().unwrap().as_str(),
        BASIC_CLIENT_ID
    );

    // The test provider lets only the client a token was issued to revoke it; another
    // client gets the same 200 as for an unknown token (RFC 7009 §2.2) and nothing changes.
    client.revoke(at).auth(rs.clone()).send().await.unwrap();
    assert!(client.introspect(at).send().await.unwrap().is_active());

    // The override is really used: a wrong secret is refused at both endpoints.
    let wrong = ClientAuth::secret(
        ClientId::new(BASIC_CLIENT_ID),
        ClientSecret::new("wrong-secret-0123456789"),
        AuthMethod::ClientSecretPost,
    )
    .unwrap();
    let err = client
        .introspect(at)
        .auth(wrong.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(provider_error(&err).error, "invalid_client");
    let err = client.revoke(at).auth(wrong).send().await.unwrap_err();
    let p = provider_error(&err);
    assert_eq!(
        RevocationErrorCode::of(p),
        RevocationErrorCode::InvalidClient
    );
    assert!(!format!("{err:?}").contains("wrong-secret"));
    assert!(client.introspect(at).send().await.unwrap().is_active());
}

#[tokio::test]
async fn jwt_access_tokens_give_typed_errors() {
    // A client-credentials JWT access token, fetched by hand (grants are tested elsewhere).
    let p = support::shared();
    let response = net::post_form(
        &p.url("/token"),
        &[(
            "authorization",
            &net::basic_auth(CC_CLIENT_ID, CC_CLIENT_SECRET),
        )],
        &net::form_urlencode(&[
            ("grant_type", "client_credentials"),
            ("resource", JWT_API_RESOURCE),
            ("scope", "api:read"),
        ]),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let jwt = AccessToken::new(response.json()["access_token"].as_str().unwrap());

    let cc = discover(
        Client::builder(ClientId::new(CC_CLIENT_ID))
            .client_secret(ClientSecret::new(CC_CLIENT_SECRET)),
    )
    .await;
    let err = cc.introspect(&jwt).send().await.unwrap_err();
    let pe = provider_error(&err);
    assert_eq!(pe.error, "unsupported_token_type");
    assert_eq!(pe.status, Some(400));
    let err = cc.revoke(&jwt).send().await.unwrap_err();
    assert_eq!(
        RevocationErrorCode::of(provider_error(&err)),
        RevocationErrorCode::UnsupportedTokenType
    );
    assert!(!format!("{err} {err:?}").contains(jwt.secret()));
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_session() {
    let client = basic_client().await;
    let mut ua = UserAgent::new();
    let tokens = login_in(&mut ua, &client, client.authorization_request()).await;

    // Single sign-on works while the session lives.
    let (url, pending) = client
        .authorization_request()
        .prompt(Prompt::None)
        .start()
        .unwrap();
    let redirect = ua.navigate(url.as_str(), REDIRECT_URI).await.redirect();
    pending.callback(&redirect).expect("silent login");

    let logout = client
        .logout_request()
        .id_token_hint(tokens.id_token().unwrap().clone())
        .post_logout_redirect_uri(RedirectUrl::new(POST_LOGOUT_REDIRECT_URI).unwrap())
        .state(State::new("after logout & more"))
        .logout_hint(DEFAULT_ACCOUNT)
        .ui_locales("en-GB en")
        .build()
        .expect("logout URL");
    assert!(!format!("{logout:?}").contains(tokens.id_token().unwrap().secret()));
    let back = ua
        .navigate(logout.as_str(), POST_LOGOUT_REDIRECT_URI)
        .await
        .redirect();
    let back = url::Url::parse(&back).unwrap();
    assert_eq!(back.path(), "/logged-out");
    let state: Vec<_> = back.query_pairs().filter(|(k, _)| k == "state").collect();
    assert_eq!(state.len(), 1);
    assert_eq!(state[0].1, "after logout & more");

    // The session is gone: prompt=none now needs a login.
    let (url, pending) = client
        .authorization_request()
        .prompt(Prompt::None)
        .start()
        .unwrap();
    let redirect = ua.navigate(url.as_str(), REDIRECT_URI).await.redirect();
    let err = pending.callback(&redirect).unwrap_err();
    assert_eq!(provider_error(&err).error, "login_required");
}

#[tokio::test]
async fn logout_with_client_id_only_shows_the_signed_out_page() {
    let client = discover(Client::builder(ClientId::new(PUBLIC_PKCE_ID))).await;
    let mut ua = UserAgent::new();
    login_in(&mut ua, &client, client.authorization_request()).await;
    let logout = client.logout_request().build().unwrap();
    let page = ua.navigate(logout.as_str(), POST_LOGOUT_REDIRECT_URI).await;
    match page {
        support::AuthorizationResult::Page { status, body, .. } => {
            assert_eq!(status, 200);
            assert!(body.contains("Signed out"), "{body}");
        }
        other => panic!("expected the signed-out page, got {other:?}"),
    }
}
