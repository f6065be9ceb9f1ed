//! Interop: DPoP (RFC 9449) against the real test OpenID Provider (panva oidc-provider 9.x,
//! `features.dPoP`): the code flow of a public client whose tokens are bound to its key
//! (`dpop_bound_access_tokens`), `dpop_jkt`, UserInfo and a protected-resource request with
//! `Authorization: DPoP` and `ath`, refresh-token binding, client credentials, PAR, and the
//! nonce dance against a provider that requires nonces (`OP_DPOP_NONCE=required`).

mod support;

use support::clients::*;
use support::recording::Recording;
use support::{TestProvider, user_agent_authorize};
use typed_oidc::dpop::{DpopError, access_token_hash};
use typed_oidc::error::Error;
use typed_oidc::flow::Access;
use typed_oidc::http::HyperClient;
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::token::TokenType;
use typed_oidc::*;

type Http = Recording<HyperClient>;

fn recording() -> Http {
    Recording::new(HyperClient::new().expect("hyper client"))
}

async fn discover<K: ClientKind>(
    op: &TestProvider,
    builder: ClientBuilder<K>,
    http: Http,
) -> Client<Http, K> {
    builder
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(&IssuerUrl::new(&op.issuer).unwrap(), http)
        .await
        .expect("discovery against the test provider")
}

/// The public DPoP client with a fresh key for `alg`.
async fn public_client(op: &TestProvider, alg: JwsAlgorithm) -> Client<Http, Dpop<Public>> {
    let key = DpopKey::generate_for(alg).expect("DPoP key");
    discover(
        op,
        Client::builder(ClientId::new(DPOP_PUBLIC_ID)).dpop(key),
        recording(),
    )
    .await
}

/// Front channel with the scripted user agent, then the code exchange.
async fn login<A: Access, K: ClientKind>(
    client: &Client<Http, K>,
    (url, pending): (flow::AuthorizationUrl, Pending<A>),
) -> Tokens<A, K::Binding> {
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    pending
        .callback(&redirect)
        .expect("callback")
        .exchange(client)
        .await
        .expect("code exchange")
}

fn query_param(url: &flow::AuthorizationUrl, name: &str) -> Option<String> {
    url.to_url()
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn bound_code_flow_userinfo_and_refresh_with_every_key_type() {
    let op = support::shared();
    for alg in [
        JwsAlgorithm::ES256,
        JwsAlgorithm::PS256,
        JwsAlgorithm::EdDSA,
    ] {
        let client = public_client(op, alg).await;
        let jkt = client.dpop_key().unwrap().thumbprint().to_owned();
        let start = client
            .authorization_request()
            .offline_access()
            .start()
            .unwrap();
        assert_eq!(
            query_param(&start.0, "dpop_jkt").as_deref(),
            Some(jkt.as_str())
        );
        let tokens: Tokens<Offline, DpopBound> = login(&client, start).await;
        assert_eq!(tokens.token_type(), &TokenType::DPoP, "{alg}");
        assert_eq!(tokens.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);

        // The token exchange carried a proof for the token endpoint, without ath.
        let token_request = client.http().to("/token").pop().unwrap();
        let claims = token_request.proof_claims().expect("a DPoP proof");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], format!("{}/token", op.issuer));
        assert!(claims.get("ath").is_none());

        let info = client
            .userinfo(&tokens)
            .send()
            .await
            .expect("userinfo with DPoP");
        assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
        let me = client.http().to("/me").pop().unwrap();
        assert_eq!(me.auth_scheme.as_deref(), Some("DPoP"));
        assert_eq!(
            me.proof_claims().unwrap()["ath"],
            access_token_hash(tokens.access_token().secret())
        );

        let fresh = tokens.refresh(&client).await.expect("refresh with DPoP");
        assert_eq!(fresh.token_type(), &TokenType::DPoP);
        assert_ne!(fresh.refresh_token(), tokens.refresh_token(), "rotated");
        let info = client
            .userinfo(&fresh)
            .send()
            .await
            .expect("userinfo after refresh");
        assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    }
}

#[tokio::test]
async fn tokens_are_bound_to_the_key_that_got_them() {
    let op = support::shared();
    let owner = public_client(op, JwsAlgorithm::ES256).await;
    let thief = public_client(op, JwsAlgorithm::ES256).await;
    let start = owner
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let tokens: Tokens<Offline, DpopBound> = login(&owner, start).await;

    // The access token with another key's proof: refused by the resource.
    let err = thief.userinfo(&tokens).send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_token" && p.status == Some(401)),
        "{err:?}"
    );
    // The refresh token with another key's proof: refused, and the grant survives it.
    let err = tokens.refresh(&thief).await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_grant"),
        "{err:?}"
    );
    tokens
        .refresh(&owner)
        .await
        .expect("the owner still refreshes");
}

#[tokio::test]
async fn protected_resource_request_carries_token_and_proof() {
    let op = support::shared();
    let client = public_client(op, JwsAlgorithm::ES256).await;
    let start = client.authorization_request().start().unwrap();
    let tokens: Tokens<Online, DpopBound> = login(&client, start).await;
    let url = format!("{}/me?unused=1#frag", op.issuer);
    let response = client
        .protected_resource_request(tokens.access_token(), ::http::Method::GET, &url)
        .header(
            ::http::header::ACCEPT,
            ::http::HeaderValue::from_static("application/json"),
        )
        .send()
        .await
        .expect("resource request");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["sub"], DEFAULT_ACCOUNT);
    let sent = client.http().to("/me").pop().unwrap();
    let claims = sent.proof_claims().unwrap();
    assert_eq!(claims["htm"], "GET");
    assert_eq!(
        claims["htu"],
        format!("{}/me", op.issuer),
        "no query, no fragment"
    );
    assert!(!sent.uri.contains('#'));
}

#[tokio::test]
async fn client_credentials_and_introspection_of_a_bound_token() {
    let op = support::shared();
    let key = DpopKey::generate().unwrap();
    let client = discover(
        op,
        Client::builder(ClientId::new(CC_CLIENT_ID))
            .client_secret(ClientSecret::new(CC_CLIENT_SECRET))
            .dpop(key.clone()),
        recording(),
    )
    .await;
    let tokens = client
        .client_credentials()
        .scope(API_SCOPES)
        .resource(API_RESOURCE)
        .send()
        .await
        .expect("client credentials with DPoP");
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
    let info = client
        .introspect(tokens.access_token())
        .send()
        .await
        .expect("introspection");
    let active = info.active().expect("active");
    assert_eq!(active.token_type, Some(TokenType::DPoP));
    assert_eq!(active.extra["cnf"]["jkt"], key.thumbprint());
}

#[tokio::test]
async fn pushed_request_with_a_proof_binds_the_code() {
    let op = support::shared();
    let client = public_client(op, JwsAlgorithm::ES256).await;
    let (url, pending) = client
        .authorization_request()
        .start_pushed(&client)
        .await
        .expect("PAR with DPoP");
    let par = client.http().to("/request").pop().unwrap();
    assert_eq!(
        par.proof_claims().unwrap()["htu"],
        format!("{}/request", op.issuer)
    );
    assert_eq!(
        par.form_param("dpop_jkt").as_deref(),
        Some(client.dpop_key().unwrap().thumbprint())
    );
    let tokens: Tokens<Online, DpopBound> = login(&client, (url, pending)).await;
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
}

#[tokio::test]
async fn a_provider_requiring_nonces_gets_one_retry_per_endpoint() {
    let op = TestProvider::shared_with_env(&[DPOP_NONCE_REQUIRED_ENV]);
    let client = public_client(op, JwsAlgorithm::ES256).await;
    let (url, pending) = client
        .authorization_request()
        .offline_access()
        .start_pushed(&client)
        .await
        .expect("PAR after a nonce retry");
    let par = client.http().to("/request");
    assert_eq!(par.len(), 2, "one use_dpop_nonce answer, one retry");
    assert_eq!(par[0].status, Some(400));
    assert!(par[0].proof_claims().unwrap().get("nonce").is_none());
    assert_eq!(par[1].status, Some(201));
    assert_eq!(
        par[1].proof_claims().unwrap()["nonce"].as_str(),
        par[0].nonce.as_deref(),
        "the retry carries the nonce the provider sent"
    );
    assert_ne!(
        par[0].form_param("client_id"),
        None,
        "public clients send client_id"
    );

    // The token endpoint shares the origin: its first proof already has the nonce.
    let tokens: Tokens<Offline, DpopBound> = login(&client, (url, pending)).await;
    let token = client.http().to("/token");
    assert_eq!(
        token.len(),
        1,
        "the remembered nonce made a retry unnecessary"
    );
    assert!(token[0].proof_claims().unwrap().get("nonce").is_some());

    let info = client.userinfo(&tokens).send().await.expect("userinfo");
    assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    tokens.refresh(&client).await.expect("refresh");
}

#[tokio::test]
async fn a_resource_asking_for_a_nonce_with_401_is_retried_once() {
    let op = TestProvider::shared_with_env(&[DPOP_NONCE_REQUIRED_ENV]);
    let key = DpopKey::generate_for(JwsAlgorithm::EdDSA).unwrap();
    let client = discover(
        op,
        Client::builder(ClientId::new(DPOP_PUBLIC_ID)).dpop(key.clone()),
        recording(),
    )
    .await;
    let start = client.authorization_request().start().unwrap();
    let tokens: Tokens<Online, DpopBound> = login(&client, start).await;
    let token = client.http().to("/token");
    assert_eq!(token.len(), 2, "the token endpoint asked for a nonce first");
    assert_eq!(token[0].status, Some(400));

    // A second client with the same key but no nonce yet: the resource answers 401 with a
    // `DPoP error="use_dpop_nonce"` challenge, and the one retry succeeds.
    let fresh = discover(
        op,
        Client::builder(ClientId::new(DPOP_PUBLIC_ID)).dpop(key),
        recording(),
    )
    .await;
    let response = fresh
        .protected_resource_request(
            tokens.access_token(),
            ::http::Method::GET,
            &format!("{}/me", op.issuer),
        )
        .send()
        .await
        .expect("resource request after a nonce retry");
    assert_eq!(response.status(), 200);
    let me = fresh.http().to("/me");
    assert_eq!(me.len(), 2, "{me:?}");
    assert_eq!(me[0].status, Some(401));
    assert!(me[0].proof_claims().unwrap().get("nonce").is_none());
    assert_eq!(
        me[1].proof_claims().unwrap()["nonce"].as_str(),
        me[0].nonce.as_deref()
    );
    assert!(me.iter().all(|e| e.auth_scheme.as_deref() == Some("DPoP")));
    // UserInfo through its own API, with the nonce now known: one request.
    fresh.http().clear();
    let info = fresh.userinfo(&tokens).send().await.expect("userinfo");
    assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    assert_eq!(fresh.http().to("/me").len(), 1);
}

#[tokio::test]
async fn a_bearer_answer_to_a_proof_is_refused_and_bearer_clients_stay_bearer() {
    let op = support::shared();
    // basic-client is not registered for bound tokens; without a proof it gets Bearer.
    let bearer = discover(
        op,
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET)),
        recording(),
    )
    .await;
    let start = bearer.authorization_request().start().unwrap();
    let tokens: Tokens = login(&bearer, start).await;
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert!(bearer.http().to("/token").pop().unwrap().dpop.is_none());
    // The same client with DPoP gets bound tokens.
    let dpop = discover(
        op,
        Client::builder(ClientId::new(BASIC_CLIENT_ID))
            .client_secret(ClientSecret::new(BASIC_CLIENT_SECRET))
            .dpop(DpopKey::generate().unwrap()),
        recording(),
    )
    .await;
    let start = dpop.authorization_request().start().unwrap();
    let tokens: Tokens<Online, DpopBound> = login(&dpop, start).await;
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
    // The provider advertises the algorithms it takes; an unlisted one is refused up front.
    let mut md = dpop.metadata().clone();
    md.dpop_signing_alg_values_supported = vec!["ES256".into()];
    let err = Client::builder(ClientId::new(DPOP_PUBLIC_ID))
        .dpop(DpopKey::generate_for(JwsAlgorithm::EdDSA).unwrap())
        .build(md, recording())
        .unwrap_err();
    assert!(
        matches!(err, Error::Dpop(DpopError::UnsupportedAlgorithm("EdDSA"))),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_dpop_client_cannot_ask_for_unbound_front_channel_tokens() {
    let client = public_client(support::shared(), JwsAlgorithm::ES256).await;
    for rt in [
        flow::HybridResponseType::CodeToken,
        flow::HybridResponseType::CodeIdTokenToken,
    ] {
        let err = client.authorization_request().start_hybrid(rt).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Config(typed_oidc::error::ConfigError::InvalidValue {
                    what: "response_type",
                    ..
                })
            ),
            "{err:?}"
        );
    }
    // `code id_token` returns no access token from the front channel: allowed.
    assert!(
        client
            .authorization_request()
            .start_hybrid(flow::HybridResponseType::CodeIdToken)
            .is_ok()
    );
}
