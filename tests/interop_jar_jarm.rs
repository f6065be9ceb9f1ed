//! Interop: signed request objects (JAR, RFC 9101) and JWT-secured authorization responses
//! (JARM) against the real test OpenID Provider (`features.requestObjects`,
//! `features.jwtResponseModes`): request objects by value and through PAR in every
//! algorithm the client's keys allow, a client that must use them, and every JARM response
//! mode in PS256 and ES256, errors included.

mod support;

use support::clients::*;
use support::recording::Recording;
use support::user_agent_authorize;
use typed_oidc::error::{ConfigError, Error};
use typed_oidc::flow::{Access, AuthorizationUrl, PkceMode, ResponseMode};
use typed_oidc::http::HyperClient;
use typed_oidc::jose::{Jws, JwsAlgorithm, SigningKey, b64};
use typed_oidc::*;

type Http = Recording<HyperClient>;

async fn discover<K: BaseKind>(builder: ClientBuilder<K>) -> Client<Http, K> {
    builder
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(
            &IssuerUrl::new(&support::shared().issuer).unwrap(),
            Recording::new(HyperClient::new().unwrap()),
        )
        .await
        .expect("discovery against the test provider")
}

/// `jar-client` (private_key_jwt, request objects required) with `key`, signing request
/// objects with `alg`.
async fn jar_client(key: &str, alg: JwsAlgorithm) -> Client<Http> {
    let key = SigningKey::from_jwk(key).unwrap();
    discover(
        Client::builder(ClientId::new(JAR_CLIENT_ID))
            .private_key(key)
            .assertion_alg(alg)
            .request_object_signing_alg(alg),
    )
    .await
}

fn params(url: &AuthorizationUrl) -> Vec<(String, String)> {
    url.to_url().unwrap().query_pairs().into_owned().collect()
}

/// The request object's header and claims (decoded, not verified).
fn request_object(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let mut parts = jwt.split('.');
    let mut part = || -> serde_json::Value {
        serde_json::from_slice(&b64::decode(parts.next().unwrap()).unwrap()).unwrap()
    };
    (part(), part())
}

async fn finish<A: Access, P: PkceMode>(
    client: &Client<Http>,
    url: AuthorizationUrl,
    pending: Pending<A, P>,
) -> Tokens<A> {
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let tokens = pending
        .callback_with(client, &redirect)
        .await
        .expect("callback")
        .exchange(client)
        .await
        .expect("code exchange");
    assert_eq!(tokens.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);
    tokens
}

#[tokio::test]
async fn request_objects_by_value_in_every_algorithm() {
    for (key, alg) in [
        (CLIENT_KEY_RSA_JSON, JwsAlgorithm::PS256),
        (CLIENT_KEY_RSA_JSON, JwsAlgorithm::RS256),
        (CLIENT_KEY_EC_JSON, JwsAlgorithm::ES256),
        (CLIENT_KEY_ED_JSON, JwsAlgorithm::EdDSA),
    ] {
        let client = jar_client(key, alg).await;
        let (url, pending) = client
            .authorization_request()
            .scope("profile")
            .max_age(600)
            .start()
            .expect("start");
        let query = params(&url);
        let names: Vec<&str> = query.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["response_type", "client_id", "scope", "request"],
            "{alg}"
        );
        let (header, claims) = request_object(&query[3].1);
        assert_eq!(header["alg"], alg.as_str());
        assert_eq!(header["typ"], "oauth-authz-req+jwt");
        assert_eq!(claims["iss"], JAR_CLIENT_ID);
        assert_eq!(claims["aud"], support::shared().issuer);
        assert_eq!(claims["max_age"], 600, "a JSON number inside");
        assert_eq!(claims["state"], pending.state().secret());
        assert!(claims["exp"].as_i64().unwrap() > claims["nbf"].as_i64().unwrap());
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        finish(&client, url, pending).await;
    }
}

#[tokio::test]
async fn request_object_through_par() {
    let client = jar_client(CLIENT_KEY_EC_JSON, JwsAlgorithm::ES256).await;
    let (url, pending) = client
        .authorization_request()
        .offline_access()
        .start_pushed(&client)
        .await
        .expect("PAR with a request object");
    let names: Vec<String> = params(&url).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["client_id", "request_uri"]);
    let par = client.http().to("/request").pop().unwrap();
    let body: Vec<String> = par.form().into_iter().map(|(n, _)| n).collect();
    assert!(body.contains(&"request".to_owned()), "{body:?}");
    for secret in ["state", "nonce", "code_challenge", "scope"] {
        assert!(
            !body.contains(&secret.to_owned()),
            "{secret} only inside: {body:?}"
        );
    }
    let tokens: Tokens<Offline> = finish(&client, url, pending).await;
    assert!(!tokens.refresh_token().secret().is_empty());
}

#[tokio::test]
async fn a_client_that_must_sign_requests_is_refused_without_them() {
    let client = discover(
        Client::builder(ClientId::new(JAR_CLIENT_ID))
            .private_key(SigningKey::from_jwk(CLIENT_KEY_RSA_JSON).unwrap()),
    )
    .await;
    let (url, pending) = client.authorization_request().start().unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let err = pending.callback(&redirect).unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_request"
            && p.error_description.as_deref().is_some_and(|d| d.contains("Request Object"))),
        "{err:?}"
    );
    // Metadata that requires signed requests makes the client refuse before sending one.
    let mut md = client.metadata().clone();
    md.require_signed_request_object = true;
    let strict = Client::builder(ClientId::new(JAR_CLIENT_ID))
        .private_key(SigningKey::from_jwk(CLIENT_KEY_RSA_JSON).unwrap())
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .build(md, HyperClient::new().unwrap())
        .unwrap();
    let err = strict.authorization_request().start().unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::MissingCredential(_))),
        "{err:?}"
    );
}

async fn jarm_client(id: &str, secret: &str) -> Client<Http> {
    discover(Client::builder(ClientId::new(id)).client_secret(ClientSecret::new(secret))).await
}

#[tokio::test]
async fn every_jarm_response_mode_in_ps256_and_es256() {
    for (id, secret, alg) in [
        (JARM_CLIENT_ID, JARM_CLIENT_SECRET, "PS256"),
        (JARM_ES256_CLIENT_ID, JARM_ES256_CLIENT_SECRET, "ES256"),
    ] {
        let client = jarm_client(id, secret).await;
        for mode in [
            ResponseMode::Jwt,
            ResponseMode::QueryJwt,
            ResponseMode::FragmentJwt,
            ResponseMode::FormPostJwt,
        ] {
            let (url, pending) = client
                .authorization_request()
                .response_mode(mode)
                .start()
                .unwrap();
            let result = user_agent_authorize(url.as_str(), REDIRECT_URI).await;
            let response = result.param("response").expect("one response JWT");
            assert_eq!(result.param("state"), None, "nothing outside the JWT");
            assert_eq!(Jws::parse(&response).unwrap().header().alg, alg);
            let received = if mode == ResponseMode::FormPostJwt {
                let (_, body) = result.form_post();
                pending.callback_form_with(&client, body.as_bytes()).await
            } else {
                pending.callback_with(&client, &result.redirect()).await
            };
            let tokens = received
                .unwrap_or_else(|e| panic!("{id} {mode:?}: {e:?}"))
                .exchange(&client)
                .await
                .expect("code exchange");
            assert_eq!(tokens.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);
        }
    }
}

#[tokio::test]
async fn a_jarm_error_response_is_a_typed_provider_error() {
    let client = jarm_client(JARM_CLIENT_ID, JARM_CLIENT_SECRET).await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::Jwt)
        .login_hint(DENY_LOGIN_HINT)
        .start()
        .unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let err = pending.callback_with(&client, &redirect).await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "access_denied"
            && p.error_description.as_deref() == Some("End-User denied the request")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_jarm_flow_refuses_the_keyless_callback() {
    let client = jarm_client(JARM_CLIENT_ID, JARM_CLIENT_SECRET).await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::QueryJwt)
        .start()
        .unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let err = pending.callback(&redirect).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config(ConfigError::InvalidValue {
                what: "callback",
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn hs256_request_object_with_a_jarm_response() {
    let client = discover(
        Client::builder(ClientId::new(JARM_CLIENT_ID))
            .client_secret(ClientSecret::new(JARM_CLIENT_SECRET))
            .request_object_signing_alg(JwsAlgorithm::HS256),
    )
    .await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::Jwt)
        .start_pushed(&client)
        .await
        .expect("PAR with an HS256 request object");
    let par = client.http().to("/request").pop().unwrap();
    let (header, _) = request_object(&par.form_param("request").unwrap());
    assert_eq!(header["alg"], "HS256");
    finish(&client, url, pending).await;
}
