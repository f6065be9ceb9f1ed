//! DPoP-bound tokens (RFC 9449 §5, §7, §10): the token types a DPoP client and a bearer
//! client accept, the proofs the server received at every endpoint, `dpop_jkt`, and the
//! `Authorization` scheme.

use std::collections::HashSet;

use typed_oidc::client_auth::AssertionAudience;
use typed_oidc::dpop::DpopError;
use typed_oidc::http::HyperClient;
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::token::TokenType;
use typed_oidc::{Client, ClientId, DpopKey, Error, IssuerUrl, RedirectUrl};

use crate::common::*;

#[tokio::test]
async fn bearer_token_type_answered_to_a_dpop_client_is_refused() {
    let (as_, fapi) = security_with(|b| b.token_type = Some("Bearer".into())).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Dpop(DpopError::TokenType { expected: "DPoP", received }) if received == "Bearer"
    );
    assert_eq!(count(&as_, USERINFO) + count(&as_, RESOURCE), 0);
}

#[tokio::test]
async fn lower_case_dpop_token_type_is_accepted() {
    let (as_, fapi) = security_with(|b| b.token_type = Some("dpop".into())).await;
    let tokens = login(&as_, &fapi)
        .await
        .expect("token_type is case-insensitive");
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
}

#[tokio::test]
async fn token_response_without_expires_in_is_accepted() {
    let (as_, fapi) = security_with(|b| b.expires_in = None).await;
    let tokens = login(&as_, &fapi).await.expect("expires_in is optional");
    assert_eq!(tokens.expires_at(), None);
}

/// A bearer client (`private_key_jwt`, no DPoP key) at the same server: it sends no proofs,
/// accepts `token_type: "bearer"` and presents the token as `Bearer`; a `DPoP` token type
/// is refused to it.
#[tokio::test]
async fn bearer_client_accepts_lower_case_bearer() {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(|b| b.token_type = Some("bearer".into()));
    let client = Client::builder(ClientId::new(CLIENT_ID))
        .private_key(key)
        .assertion_audience(AssertionAudience::Issuer)
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(
            &IssuerUrl::new(as_.issuer()).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
        .unwrap();
    let login = async || {
        let request = client.authorization_request();
        let (url, pending) = request.start_pushed(&client).await.unwrap();
        let redirect = as_.authorize(url.as_str()).redirect_url();
        pending.callback(&redirect).unwrap().exchange(&client).await
    };
    let tokens = login().await.expect("bearer");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    client
        .userinfo(&tokens)
        .send()
        .await
        .expect("userinfo with Bearer");
    for e in as_.exchanges() {
        assert!(
            e.proof.is_none(),
            "a bearer client sent a proof to {}",
            e.request.path
        );
    }
    let auth = as_.requests_to(USERINFO)[0]
        .request
        .header("authorization")
        .unwrap();
    assert!(auth.starts_with("Bearer "));

    as_.set(|b| b.token_type = Some("DPoP".into()));
    expect_err!(
        login().await,
        Error::Dpop(DpopError::TokenType { expected: "Bearer", received }) if received == "DPoP"
    );
}

/// Every endpoint a FAPI client talks to, with a DPoP key for `alg`; every proof the server
/// received is checked here again.
async fn proofs_are_correct_everywhere(alg: JwsAlgorithm) {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    let dpop = DpopKey::generate_for(alg).unwrap();
    let fapi = discover(&as_, builder_with(key, dpop)).await.unwrap();
    let tokens = offline_login(&as_, &fapi, "profile api").await;
    fapi.userinfo(&tokens).send().await.expect("userinfo");
    let get = as_.url("/resource?page=2&q=x#fragment");
    let response = fapi
        .protected_resource_request(tokens.access_token(), http::Method::GET, &get)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let fresh = fapi.refresh(&tokens).await.expect("refresh");
    let post = fapi
        .protected_resource_request(fresh.access_token(), http::Method::POST, &as_.url(RESOURCE))
        .body(
            http::HeaderValue::from_static("application/json"),
            b"{}".to_vec(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    fapi.client_credentials()
        .scope("api")
        .send()
        .await
        .expect("client credentials");

    let mut jtis = HashSet::new();
    let exchanges: Vec<Exchange> = as_
        .exchanges()
        .into_iter()
        .filter(|e| [PAR, TOKEN, USERINFO, RESOURCE].contains(&e.request.path.as_str()))
        .collect();
    assert_eq!(
        exchanges.len(),
        7,
        "PAR, code, userinfo, GET, refresh, POST, client credentials"
    );
    for e in &exchanges {
        let proof = valid_proof(e);
        assert!(e.status < 300, "{} answered {}", e.request.path, e.status);
        assert_eq!(proof.claim("htm"), Some(e.request.method.as_str()));
        let htu = proof.claim("htu").unwrap();
        assert_eq!(htu, as_.url(&e.request.path));
        assert!(
            !htu.contains(['?', '#']),
            "htu {htu} has a query or fragment"
        );
        assert!(
            jtis.insert(proof.claim("jti").unwrap().to_owned()),
            "jti reused"
        );
        let jwk = proof.header["jwk"].as_object().unwrap();
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            assert!(
                !jwk.contains_key(member),
                "private member {member} in the proof"
            );
        }
        assert_eq!(jwk, fapi.dpop_key().public_jwk());
        assert_eq!(proof.jkt.as_deref(), Some(fapi.dpop_key().thumbprint()));
        assert_eq!(proof.header["alg"], alg.as_str());
        let authorization = e.request.header("authorization");
        match e.request.path.as_str() {
            USERINFO | RESOURCE => {
                let token = authorization
                    .as_deref()
                    .unwrap()
                    .strip_prefix("DPoP ")
                    .unwrap();
                assert_eq!(proof.claim("ath"), Some(sha256_b64(token).as_str()));
            }
            _ => {
                assert_eq!(proof.claim("ath"), None, "no ath without an access token");
                assert_eq!(authorization, None);
            }
        }
    }
    let get = as_.requests_to(RESOURCE);
    assert_eq!(
        get[0].request.query.as_deref(),
        Some("page=2&q=x"),
        "the query is sent, the fragment not"
    );
}

#[tokio::test]
async fn recorded_proofs_are_correct_for_every_dpop_alg() {
    for alg in [
        JwsAlgorithm::ES256,
        JwsAlgorithm::PS256,
        JwsAlgorithm::EdDSA,
    ] {
        proofs_are_correct_everywhere(alg).await;
    }
}

/// RFC 9449 §10: the pushed `dpop_jkt` is the thumbprint of the key the proofs carry.
#[tokio::test]
async fn dpop_jkt_in_the_pushed_request_is_the_key_thumbprint() {
    let (as_, fapi) = security().await;
    login(&as_, &fapi).await.expect("login");
    let par = as_.requests_to(PAR);
    let jkt = par[0]
        .request
        .param("dpop_jkt")
        .expect("dpop_jkt in the pushed body");
    assert_eq!(jkt, fapi.dpop_key().thumbprint());
    assert_eq!(
        Some(jkt.as_str()),
        valid_proof(&par[0]).jkt.as_deref(),
        "computed by the server"
    );
    assert_eq!(as_.pushed()[0]["dpop_jkt"], jkt);
}

/// The DPoP-bound token goes in `Authorization: DPoP …` at UserInfo and the resource, and
/// no request ever carries a `Bearer` credential.
#[tokio::test]
async fn dpop_token_is_never_sent_as_bearer() {
    let (as_, fapi) = security().await;
    let tokens = login(&as_, &fapi).await.expect("login");
    fapi.userinfo(&tokens).send().await.expect("userinfo");
    fapi.protected_resource_request(tokens.access_token(), http::Method::GET, &as_.url(RESOURCE))
        .send()
        .await
        .unwrap();
    let expected = format!("DPoP {}", tokens.access_token().secret());
    for path in [USERINFO, RESOURCE] {
        let sent = as_.requests_to(path);
        assert_eq!(sent.len(), 1);
        assert_eq!(
            sent[0].request.header("authorization").as_deref(),
            Some(expected.as_str())
        );
    }
    for e in as_.exchanges() {
        let authorization = e.request.header("authorization").unwrap_or_default();
        assert!(
            !authorization.to_ascii_lowercase().starts_with("bearer"),
            "{}",
            e.request.path
        );
        assert!(!String::from_utf8_lossy(&e.request.body).contains(tokens.access_token().secret()));
    }
}

/// A refresh answered with `token_type: Bearer` is refused; the tokens in hand stay usable.
#[tokio::test]
async fn refresh_downgraded_to_bearer_is_refused() {
    let (as_, fapi) = security().await;
    let tokens = offline_login(&as_, &fapi, "").await;
    as_.set(|b| b.token_type = Some("Bearer".into()));
    expect_err!(
        fapi.refresh(&tokens).await,
        Error::Dpop(DpopError::TokenType { expected: "DPoP", received }) if received == "Bearer"
    );
    fapi.userinfo(&tokens)
        .send()
        .await
        .expect("the old tokens still work");
}

#[tokio::test]
async fn client_credentials_downgraded_to_bearer_is_refused() {
    let (as_, fapi) = security_with(|b| b.token_type = Some("Bearer".into())).await;
    expect_err!(
        fapi.client_credentials().scope("api").send().await,
        Error::Dpop(DpopError::TokenType { expected: "DPoP", received }) if received == "Bearer"
    );
    assert_eq!(count(&as_, TOKEN), 1);
}

/// A token endpoint URL with a query: the request goes there with it, the proof's `htu`
/// leaves it out (RFC 9449 §4.2).
#[tokio::test]
async fn htu_of_a_token_endpoint_with_a_query_has_no_query() {
    let (as_, fapi) = security_with(|b| {
        b.discovery_edit = edit(|d| {
            let token = format!("{}?tenant=t1", d["token_endpoint"].as_str().unwrap());
            d.insert("token_endpoint".into(), token.into());
        })
    })
    .await;
    login(&as_, &fapi).await.expect("login");
    let token = as_.requests_to(TOKEN);
    assert_eq!(token[0].request.query.as_deref(), Some("tenant=t1"));
    assert_eq!(
        valid_proof(&token[0]).claim("htu"),
        Some(as_.url(TOKEN).as_str())
    );
}
