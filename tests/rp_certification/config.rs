//! The "Discovery" and "Key Rotation" groups (OpenID Connect Discovery §4, Core §10.1.1),
//! and refresh (Core §12.2).

use std::sync::Arc;

use serde_json::json;
use typed_oidc::error::{DiscoveryError, ValidationError};
use typed_oidc::http::HyperClient;
use typed_oidc::{Client, ClientId, Error, IssuerUrl, RedirectUrl};

use crate::common::*;
use crate::hostile_op::{Alg, Phase};

/// rp-discovery-openid-configuration: the provider configuration is read from
/// `/.well-known/openid-configuration` and used: every endpoint the flow calls comes from it.
#[tokio::test]
async fn rp_discovery_openid_configuration() {
    let op = op().await;
    let client = client(&op).await;
    let fetched = op.requests_to("/.well-known/openid-configuration");
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].method, http::Method::GET);

    let md = client.metadata();
    let i = op.issuer();
    assert_eq!(md.issuer.as_str(), i);
    let endpoint =
        |e: &Option<typed_oidc::types::EndpointUrl>| e.as_ref().unwrap().as_str().to_owned();
    assert_eq!(
        endpoint(&md.authorization_endpoint),
        format!("{i}/authorize")
    );
    assert_eq!(endpoint(&md.token_endpoint), format!("{i}/token"));
    assert_eq!(endpoint(&md.userinfo_endpoint), format!("{i}/userinfo"));
    assert_eq!(endpoint(&md.jwks_uri), format!("{i}/jwks"));
    assert_eq!(md.response_types_supported.len(), 6);
    assert!(md.response_modes_supported.iter().any(|m| m == "form_post"));

    let tokens = try_code_flow(&op, &client, "profile").await.unwrap();
    client.userinfo(&tokens).send().await.unwrap();
    for path in ["/token", "/jwks", "/userinfo"] {
        assert_eq!(op.requests_to(path).len(), 1, "{path} used once");
    }
}

/// rp-discovery-jwks_uri-keys: the keys come from the `jwks_uri` the configuration names
/// (here not the usual path), fetched once and used for ID tokens and signed UserInfo.
#[tokio::test]
async fn rp_discovery_jwks_uri_keys() {
    let op = op().await;
    let jwks_uri = format!("{}/jwks/published-elsewhere", op.issuer());
    let uri = jwks_uri.clone();
    op.set(|b| {
        b.discovery_edit = Some(Arc::new(move |d| {
            d.insert("jwks_uri".into(), uri.clone().into());
        }));
        b.userinfo_signed = Some(Alg::Es256);
    });
    let client = client(&op).await;
    assert_eq!(
        client.metadata().jwks_uri.as_ref().unwrap().as_str(),
        jwks_uri
    );
    let tokens = code_flow(&op, &client).await;
    let info = client
        .userinfo(&tokens)
        .require_signed()
        .send()
        .await
        .unwrap();
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(op.requests_to("/jwks/published-elsewhere").len(), 1);
    assert!(op.requests_to("/jwks").is_empty());
}

/// rp-discovery-issuer-not-matching-config: a configuration whose `issuer` is not the
/// issuer it was fetched for is refused.
#[tokio::test]
async fn rp_discovery_issuer_not_matching_config() {
    let op = op().await;
    let other = format!("{}/another-tenant", op.issuer());
    let o = other.clone();
    op.set(|b| {
        b.discovery_edit = Some(Arc::new(move |d| {
            d.insert("issuer".into(), o.clone().into());
        }))
    });
    let err = builder()
        .discover(
            &IssuerUrl::new(op.issuer()).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
        .unwrap_err();
    match err {
        Error::Discovery(DiscoveryError::IssuerMismatch { expected, actual }) => {
            assert_eq!(expected, op.issuer());
            assert_eq!(actual, other);
        }
        other => panic!("expected DiscoveryError::IssuerMismatch, got {other:?}"),
    }
}

/// Rotates the OP's signing key: only `rsa-1` is published and signs from now on.
fn rotate(op: &HostileOp) {
    let jwks = json!({ "keys": [op.rsa_jwk(1)] });
    op.set(|b| {
        b.jwks = Some(jwks);
        b.rsa_key = 1;
    });
}

/// rp-key-rotation-op-sign-key: two logins, the OP rotates its signing key in between; the
/// second ID token names a `kid` the cache lacks, so the key set is fetched again.
#[tokio::test]
async fn rp_key_rotation_op_sign_key() {
    let op = op().await;
    let jwks = json!({ "keys": [op.rsa_jwk(0)] });
    op.set(|b| b.jwks = Some(jwks));
    let client = client(&op).await;
    let first = code_flow(&op, &client).await;
    assert_eq!(
        jose_header(first.id_token().unwrap().secret())["kid"],
        "rsa-0"
    );
    assert_eq!(op.requests_to("/jwks").len(), 1);

    rotate(&op);
    let second = code_flow(&op, &client).await;
    assert_eq!(
        jose_header(second.id_token().unwrap().secret())["kid"],
        "rsa-1"
    );
    assert_eq!(second.id_token_claims().unwrap().sub, SUB);
    assert_eq!(
        op.requests_to("/jwks").len(),
        2,
        "refetched once for the new kid"
    );
}

/// rp-key-rotation-op-sign-key-native: the same for a native (public, PKCE, loopback
/// redirect) client that already holds the old key set: one login, one refetch.
#[tokio::test]
async fn rp_key_rotation_op_sign_key_native() {
    let op = op().await;
    let jwks = json!({ "keys": [op.rsa_jwk(0)] });
    op.set(|b| b.jwks = Some(jwks));
    let native: Client<HyperClient, typed_oidc::Public> = discover(
        &op,
        Client::builder(ClientId::new(CLIENT_ID))
            .redirect_uri(RedirectUrl::new("http://127.0.0.1/callback").unwrap()),
    )
    .await;
    let held = native.jwks().keys(native.http()).await.unwrap();
    assert!(held.keys.contains_kid("rsa-0"));

    rotate(&op);
    let tokens = code_flow(&op, &native).await;
    assert_eq!(
        jose_header(tokens.id_token().unwrap().secret())["kid"],
        "rsa-1"
    );
    assert_eq!(op.requests_to("/jwks").len(), 2);
    let sent = &op.requests_to("/token")[0];
    assert!(sent.header("authorization").is_none(), "a public client");
    assert_eq!(sent.param("client_id").as_deref(), Some(CLIENT_ID));
    assert!(sent.param("code_verifier").is_some());
}

/// A refresh whose ID token changes `claim` to `value` (OpenID Connect Core §12.2: `iss`
/// and `sub` must be those of the original ID token); the error.
async fn refresh_with_changed(claim: &'static str, value: &'static str) -> ValidationError {
    let op = op().await;
    let client = client(&op).await;
    let tokens = offline_code_flow(&op, &client).await;
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
    // An honest refresh first: accepted.
    let refreshed = tokens.refresh(&client).await.unwrap();
    assert_eq!(refreshed.id_token_claims().unwrap().sub, SUB);

    op.set(|b| {
        b.id_token_edit = Some(Arc::new(move |phase, c| {
            if phase == Phase::Refresh {
                c.insert(claim.into(), value.into());
            }
        }))
    });
    let err = refreshed.refresh(&client).await.unwrap_err();
    // The tokens in hand are untouched.
    assert_eq!(refreshed.id_token_claims().unwrap().sub, SUB);
    assert_eq!(op.requests_to("/token").len(), 3);
    rule(err)
}

/// Refresh: a refreshed ID token from another issuer is rejected.
#[tokio::test]
async fn refresh_id_token_with_changed_iss() {
    match refresh_with_changed("iss", "https://other-issuer.example").await {
        ValidationError::Issuer { actual, .. } => {
            assert_eq!(actual, "https://other-issuer.example")
        }
        other => panic!("expected ValidationError::Issuer, got {other:?}"),
    }
}

/// Refresh: a refreshed ID token for another subject is rejected.
#[tokio::test]
async fn refresh_id_token_with_changed_sub() {
    match refresh_with_changed("sub", "mallory-9999").await {
        ValidationError::SubjectMismatch { expected, actual } => {
            assert_eq!(expected, SUB);
            assert_eq!(actual, "mallory-9999");
        }
        other => panic!("expected ValidationError::SubjectMismatch, got {other:?}"),
    }
}
