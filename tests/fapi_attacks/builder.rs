//! What the FAPI 2.0 builder refuses (FAPI 2.0 §5.3, §5.4), and the client assertions the
//! server received from the clients it builds.

use typed_oidc::dpop::DpopError;
use typed_oidc::error::ConfigError;
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::{DpopKey, Error};

use crate::common::*;

/// Discovery only: a refused build sends nothing else.
fn only_discovery(as_: &HostileAs) {
    let paths: Vec<String> = as_
        .exchanges()
        .into_iter()
        .map(|e| e.request.path)
        .collect();
    assert_eq!(paths, ["/.well-known/openid-configuration"]);
}

#[tokio::test]
async fn provider_without_a_par_endpoint_is_refused() {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(|b| b.par_endpoint = false);
    expect_err!(
        discover(&as_, builder(key)).await,
        Error::Config(ConfigError::UnsupportedByProvider(
            "pushed_authorization_request_endpoint"
        ))
    );
    only_discovery(&as_);
}

#[tokio::test]
async fn provider_without_private_key_jwt_is_refused() {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(|b| b.auth_methods = vec!["client_secret_basic", "tls_client_auth"]);
    expect_err!(
        discover(&as_, builder(key)).await,
        Error::Config(ConfigError::UnsupportedByProvider(what))
            if *what == "token_endpoint_auth_method private_key_jwt"
    );
    only_discovery(&as_);
}

/// ES384 is a DPoP algorithm the provider accepts, but not a FAPI one.
#[tokio::test]
async fn non_fapi_dpop_key_alg_is_refused() {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    let dpop = DpopKey::generate_for(JwsAlgorithm::ES384).unwrap();
    expect_err!(
        discover(&as_, builder_with(key, dpop)).await,
        Error::Config(ConfigError::InvalidValue {
            what: "DPoP key",
            ..
        })
    );
    only_discovery(&as_);
}

#[tokio::test]
async fn non_fapi_assertion_alg_is_refused() {
    let key = fixture_client_key("rsa");
    let as_ = HostileAs::start(&key).await;
    expect_err!(
        discover(&as_, builder(key).assertion_alg(JwsAlgorithm::RS256)).await,
        Error::Config(ConfigError::InvalidValue {
            what: "assertion_alg",
            ..
        })
    );
    only_discovery(&as_);
}

/// A FAPI DPoP algorithm the provider does not list in `dpop_signing_alg_values_supported`.
#[tokio::test]
async fn dpop_alg_the_provider_does_not_accept_is_refused() {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(|b| b.dpop_signing_algs = vec!["ES256", "PS256"]);
    let dpop = DpopKey::generate_for(JwsAlgorithm::EdDSA).unwrap();
    expect_err!(
        discover(&as_, builder_with(key, dpop)).await,
        Error::Dpop(DpopError::UnsupportedAlgorithm("EdDSA"))
    );
    only_discovery(&as_);
}

/// For an RSA, a P-256 and an Ed25519 client key, the assertions the server received at PAR
/// and at the token endpoint verify with the registered key, name exactly the issuer as
/// `aud` (one string) and use PS256, ES256 and EdDSA.
#[tokio::test]
async fn client_assertions_name_the_issuer_with_a_fapi_alg() {
    for (kind, alg) in [("rsa", "PS256"), ("ec", "ES256"), ("ed", "EdDSA")] {
        let key = fixture_client_key(kind);
        let as_ = HostileAs::start(&key).await;
        let fapi = discover(&as_, builder(key)).await.unwrap();
        login(&as_, &fapi).await.expect("login");
        let sent: Vec<Exchange> = [PAR, TOKEN]
            .iter()
            .flat_map(|p| as_.requests_to(p))
            .collect();
        assert_eq!(sent.len(), 2);
        for e in sent {
            let assertion = e.assertion.expect("private_key_jwt");
            assert!(
                assertion.problems.is_empty(),
                "{kind}: {:?}",
                assertion.problems
            );
            assert_eq!(assertion.claims["aud"], serde_json::json!(as_.issuer()));
            assert_eq!(assertion.header["alg"], alg);
        }
    }
}
