//! Interop: the FAPI 2.0 client mode against the real test OpenID Provider running its
//! FAPI 2.0 profile for the `fapi2-*` clients (`features.fapi`, PAR required, PKCE S256,
//! `private_key_jwt` with `aud` = issuer only, DPoP-bound tokens) and requiring DPoP nonces
//! (`OP_DPOP_NONCE=required`): the Security Profile and Message Signing (JAR + JARM) flows with
//! every FAPI key type, refresh, UserInfo, client credentials, the plain OAuth variant, and
//! what the provider does to a client that is not FAPI-shaped.

mod support;

use support::clients::*;
use support::recording::Recording;
use support::{TestProvider, user_agent_authorize};
use typed_oidc::error::Error;
use typed_oidc::fapi::{FapiPending, FapiProfile};
use typed_oidc::flow::{Access, AuthorizationUrl};
use typed_oidc::http::HyperClient;
use typed_oidc::jose::{Jws, JwsAlgorithm, SigningKey, b64};
use typed_oidc::token::TokenType;
use typed_oidc::*;

type Http = Recording<HyperClient>;

fn op() -> &'static TestProvider {
    TestProvider::shared_with_env(&[DPOP_NONCE_REQUIRED_ENV])
}

async fn fapi<P: FapiProfile>(builder: fapi::Fapi2Builder<P>) -> Fapi2<Http, P> {
    builder
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(
            &IssuerUrl::new(&op().issuer).unwrap(),
            Recording::new(HyperClient::new().unwrap()),
        )
        .await
        .expect("FAPI 2.0 client against the test provider")
}

fn security(id: &str, key: &str, dpop: JwsAlgorithm) -> fapi::Fapi2Builder {
    Fapi2::builder(
        ClientId::new(id),
        SigningKey::from_jwk(key).unwrap(),
        DpopKey::generate_for(dpop).unwrap(),
    )
}

async fn login<A: Access, P: FapiProfile>(
    client: &Fapi2<Http, P>,
    (url, pending): (AuthorizationUrl, FapiPending<A, P>),
) -> Tokens<A, DpopBound> {
    let query: Vec<String> = url
        .to_url()
        .unwrap()
        .query_pairs()
        .map(|(n, _)| n.into_owned())
        .collect();
    assert_eq!(
        query,
        ["client_id", "request_uri"],
        "only the pushed reference"
    );
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    pending
        .callback(client, &redirect)
        .await
        .expect("callback")
        .exchange(client)
        .await
        .expect("code exchange")
}

/// The client assertion of a recorded token or PAR request: its `aud` and `alg`.
fn assertion(exchange: &support::recording::Exchange) -> (serde_json::Value, String) {
    let jwt = exchange
        .form_param("client_assertion")
        .expect("private_key_jwt");
    let alg = Jws::parse(&jwt).unwrap().header().alg.clone();
    let claims: serde_json::Value =
        serde_json::from_slice(&b64::decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
    (claims["aud"].clone(), alg)
}

#[tokio::test]
async fn security_profile_with_every_key_type() {
    for (key, assertion_alg, dpop) in [
        (CLIENT_KEY_RSA_JSON, "PS256", JwsAlgorithm::ES256),
        (CLIENT_KEY_EC_JSON, "ES256", JwsAlgorithm::PS256),
        (CLIENT_KEY_ED_JSON, "EdDSA", JwsAlgorithm::EdDSA),
    ] {
        let client = fapi(security(FAPI2_CLIENT_ID, key, dpop)).await;
        let start = client
            .authorization_request()
            .scope("profile")
            .offline_access()
            .start(&client)
            .await
            .expect("pushed request");
        let tokens = login(&client, start).await;
        assert_eq!(tokens.token_type(), &TokenType::DPoP);
        let id_token = tokens.id_token().unwrap().secret().to_owned();
        assert_eq!(Jws::parse(&id_token).unwrap().header().alg, "PS256");

        // PAR and token requests: private_key_jwt with aud = issuer, a FAPI algorithm, DPoP
        // proofs, and one nonce retry at the shared origin.
        let par = client.http().to("/request");
        let token = client.http().to("/token");
        assert_eq!(par.len(), 2, "use_dpop_nonce, then the retry");
        assert_eq!(token.len(), 1, "the nonce was already known");
        for e in par.iter().chain(&token) {
            let (aud, alg) = assertion(e);
            assert_eq!(aud, op().issuer.as_str());
            assert_eq!(alg, assertion_alg);
            assert!(e.dpop.is_some());
        }
        assert_ne!(
            par[0].form_param("client_assertion"),
            par[1].form_param("client_assertion"),
            "a fresh assertion on retry"
        );
        let pushed = par[1].form();
        assert!(
            pushed
                .iter()
                .any(|(n, v)| n == "code_challenge_method" && v == "S256")
        );
        assert!(
            pushed
                .iter()
                .any(|(n, v)| n == "dpop_jkt" && v == client.dpop_key().thumbprint())
        );

        let info = client.userinfo(&tokens).send().await.expect("userinfo");
        assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
        let fresh = client.refresh(&tokens).await.expect("refresh");
        assert_eq!(fresh.token_type(), &TokenType::DPoP);
        assert_eq!(fresh.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);
    }
}

#[tokio::test]
async fn message_signing_pushes_a_request_object_and_verifies_jarm() {
    let client = fapi(
        security(FAPI2_MS_CLIENT_ID, CLIENT_KEY_RSA_JSON, JwsAlgorithm::ES256).message_signing(),
    )
    .await;
    let (url, pending) = client
        .authorization_request()
        .scope("email")
        .start(&client)
        .await
        .expect("pushed request object");
    let par = client.http().to("/request").pop().unwrap();
    let names: Vec<String> = par.form().into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"request".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"state".to_owned()),
        "state only inside the request object"
    );
    let request = par.form_param("request").unwrap();
    let object: serde_json::Value =
        serde_json::from_slice(&b64::decode(request.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(object["response_mode"], "jwt");
    assert_eq!(object["aud"], op().issuer.as_str());
    let window = object["exp"].as_i64().unwrap() - object["nbf"].as_i64().unwrap();
    assert!(
        window > 0 && window <= 3600,
        "FAPI 2.0 request object lifetime"
    );

    let result = user_agent_authorize(url.as_str(), REDIRECT_URI).await;
    let response = result.param("response").expect("a JARM response");
    assert_eq!(Jws::parse(&response).unwrap().header().alg, "PS256");
    let tokens = pending
        .callback(&client, &result.redirect())
        .await
        .expect("JARM callback")
        .exchange(&client)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().unwrap().secret().to_owned();
    assert_eq!(Jws::parse(&id_token).unwrap().header().alg, "ES256");
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
}

#[tokio::test]
async fn plain_oauth_variant_and_client_credentials() {
    let client = fapi(security(
        FAPI2_CLIENT_ID,
        CLIENT_KEY_EC_JSON,
        JwsAlgorithm::ES256,
    ))
    .await;
    let start = client
        .authorization_request()
        .without_openid()
        .scope("api:read")
        .extra("resource", API_RESOURCE)
        .start(&client)
        .await
        .expect("pushed OAuth request");
    assert!(start.1.nonce().is_none());
    let tokens = login(&client, start).await;
    assert!(tokens.id_token().is_none());
    assert_eq!(tokens.token_type(), &TokenType::DPoP);

    let m2m = client
        .client_credentials()
        .send()
        .await
        .expect("client credentials with DPoP");
    assert_eq!(m2m.token_type(), &TokenType::DPoP);
    let info = client.introspect(m2m.access_token()).send().await.unwrap();
    assert_eq!(
        info.active().expect("active").extra["cnf"]["jkt"],
        client.dpop_key().thumbprint()
    );
}

#[tokio::test]
async fn the_provider_refuses_what_the_fapi_mode_cannot_send() {
    // The same registration through the generic client, without PAR: refused by the
    // provider's FAPI 2.0 profile — which the FAPI mode makes impossible to send.
    let plain = Client::builder(ClientId::new(FAPI2_CLIENT_ID))
        .private_key(SigningKey::from_jwk(CLIENT_KEY_RSA_JSON).unwrap())
        .dpop(DpopKey::generate().unwrap())
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(
            &IssuerUrl::new(&op().issuer).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
        .unwrap();
    let (url, pending) = plain.authorization_request().start().unwrap();
    let redirect = user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let err = pending.callback(&redirect).unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_request"
            && p.error_description.as_deref().is_some_and(|d| d.contains("Pushed Authorization Request"))),
        "{err:?}"
    );
    // Pushed, but with the assertion's aud at the token endpoint (the generic default):
    // refused as client authentication, which the FAPI mode never sends.
    let err = plain
        .authorization_request()
        .start_pushed(&plain)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_client"),
        "{err:?}"
    );
}
