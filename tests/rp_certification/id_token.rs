//! The "ID Token" group: key selection, required claims, issuer, audience, signatures and
//! the `at_hash` / `c_hash` rules (OpenID Connect Core §3.1.3.7, §3.2.2.9–11, §3.3.2.9–12).

use std::sync::Arc;

use serde_json::{Map, Value, json};
use typed_oidc::error::ValidationError;
use typed_oidc::http::HyperClient;
use typed_oidc::{Client, HybridResponseType};

use crate::common::*;
use crate::hostile_op::{Alg, Phase};

/// Edits every ID token minted in `phase` (all phases when `None`).
fn edit_id_token(
    op: &HostileOp,
    phase: Option<Phase>,
    f: impl Fn(&mut Map<String, Value>) + Send + Sync + 'static,
) {
    op.set(|b| {
        b.id_token_edit = Some(Arc::new(move |p, c| {
            if phase.is_none_or(|want| want == p) {
                f(c)
            }
        }))
    });
}

/// The implicit `id_token token` flow's result.
async fn implicit_token(
    op: &HostileOp,
    client: &Client<HyperClient>,
) -> Result<typed_oidc::Tokens, typed_oidc::Error> {
    let (url, pending) = client
        .implicit_request()
        .with_access_token()
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    pending.callback(client, &response.redirect_url()).await
}

/// The front channel of a hybrid flow (no exchange).
async fn hybrid_front(
    op: &HostileOp,
    client: &Client<HyperClient>,
    response_type: HybridResponseType,
) -> Result<typed_oidc::HybridReceived, typed_oidc::Error> {
    let (url, pending) = client
        .authorization_request()
        .start_hybrid(response_type)
        .unwrap();
    let response = op.authorize(url.as_str());
    pending.callback(client, &response.redirect_url()).await
}

/// rp-id_token-kid-absent-single-jwks: no `kid` in the header, one key in the set: that key
/// is used and the token accepted.
#[tokio::test]
async fn rp_id_token_kid_absent_single_jwks() {
    let op = op().await;
    let jwks = json!({ "keys": [op.rsa_jwk(0)] });
    op.set(|b| {
        b.kid_in_header = false;
        b.jwks = Some(jwks);
    });
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    let id_token = tokens.id_token().unwrap().secret();
    assert!(jose_header(id_token).get("kid").is_none());
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
}

/// rp-id_token-kid-absent-multiple-jwks: no `kid`, several keys for the algorithm. Either
/// outcome is allowed; typed-oidc tries every key that fits the algorithm (at most the keys
/// the provider itself published) and accepts the token the second one verifies, while a
/// token none of them verifies is still a signature failure.
#[tokio::test]
async fn rp_id_token_kid_absent_multiple_jwks() {
    let op = op().await;
    let jwks = json!({ "keys": [op.rsa_jwk(0), op.rsa_jwk(1), op.ec_jwk()] });
    op.set(|b| {
        b.kid_in_header = false;
        b.rsa_key = 1;
        b.jwks = Some(jwks);
    });
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    assert!(
        jose_header(tokens.id_token().unwrap().secret())
            .get("kid")
            .is_none()
    );
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);

    op.set(|b| b.bad_signature = true);
    let err = code_flow_error(&op, &client).await;
    assert!(matches!(rule(err), ValidationError::Signature));
}

/// rp-id_token-iat: an ID token without `iat` is rejected.
#[tokio::test]
async fn rp_id_token_iat() {
    let op = op().await;
    edit_id_token(&op, None, |c| {
        c.remove("iat");
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    assert!(matches!(rule(err), ValidationError::MissingClaim("iat")));
}

/// rp-id_token-aud: an ID token for another client is rejected, in the code and implicit
/// flows.
#[tokio::test]
async fn rp_id_token_aud() {
    let op = op().await;
    edit_id_token(&op, None, |c| {
        c.insert("aud".into(), "some-other-client".into());
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    assert!(
        matches!(rule(err), ValidationError::AudienceMissingClient { ref client_id } if client_id == CLIENT_ID)
    );
    let (url, pending) = client.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    let err = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap_err();
    assert!(matches!(
        rule(err),
        ValidationError::AudienceMissingClient { .. }
    ));
}

/// rp-id_token-sub: an ID token without `sub` is rejected.
#[tokio::test]
async fn rp_id_token_sub() {
    let op = op().await;
    edit_id_token(&op, None, |c| {
        c.remove("sub");
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    assert!(matches!(rule(err), ValidationError::MissingClaim("sub")));
}

/// rp-id_token-issuer-mismatch: an `iss` other than the discovered issuer is rejected.
#[tokio::test]
async fn rp_id_token_issuer_mismatch() {
    let op = op().await;
    edit_id_token(&op, None, |c| {
        c.insert("iss".into(), "https://attacker.example".into());
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    match rule(err) {
        ValidationError::Issuer { expected, actual } => {
            assert_eq!(expected, op.issuer());
            assert_eq!(actual, "https://attacker.example");
        }
        other => panic!("expected ValidationError::Issuer, got {other:?}"),
    }
}

/// A code flow whose ID token is signed with `alg` and a corrupted signature: rejected.
async fn bad_signature(alg: Alg) {
    let op = op().await;
    op.set(|b| {
        b.alg = alg;
        b.bad_signature = true;
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    assert!(matches!(rule(err), ValidationError::Signature));
    // The same provider with a good signature is accepted: only the signature was wrong.
    op.set(|b| b.bad_signature = false);
    code_flow(&op, &client).await;
}

/// rp-id_token-bad-sig-rs256: an RS256 ID token whose signature does not verify is rejected.
#[tokio::test]
async fn rp_id_token_bad_sig_rs256() {
    bad_signature(Alg::Rs256).await;
}

/// rp-id_token-bad-sig-hs256: an HS256 ID token MACed with another secret is rejected.
#[tokio::test]
async fn rp_id_token_bad_sig_hs256() {
    bad_signature(Alg::Hs256).await;
}

/// rp-id_token-bad-sig-es256: an ES256 ID token whose signature does not verify is rejected.
#[tokio::test]
async fn rp_id_token_bad_sig_es256() {
    bad_signature(Alg::Es256).await;
}

/// A code flow with ID tokens signed with `alg`: accepted; returns the ID token's header.
async fn good_signature(alg: Alg) -> Value {
    let op = op().await;
    op.set(|b| b.alg = alg);
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
    // Implicit too: the front-channel token is verified the same way.
    let (url, pending) = client.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();
    jose_header(tokens.id_token().unwrap().secret())
}

/// rp-id_token-sig-rs256: RS256 ID tokens verified with the key from `jwks_uri`.
#[tokio::test]
async fn rp_id_token_sig_rs256() {
    let header = good_signature(Alg::Rs256).await;
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "rsa-0");
}

/// rp-id_token-sig-hs256: HS256 ID tokens verified with the client secret; the key set is
/// not needed for them.
#[tokio::test]
async fn rp_id_token_sig_hs256() {
    let header = good_signature(Alg::Hs256).await;
    assert_eq!(header["alg"], "HS256");
}

/// rp-id_token-sig-es256: ES256 ID tokens verified with the P-256 key from `jwks_uri`.
#[tokio::test]
async fn rp_id_token_sig_es256() {
    let header = good_signature(Alg::Es256).await;
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], "ec-0");
}

/// rp-id_token-bad-at_hash: an `at_hash` that does not match the access token is rejected
/// (implicit `id_token token` and hybrid `code id_token token`).
#[tokio::test]
async fn rp_id_token_bad_at_hash() {
    let op = op().await;
    edit_id_token(&op, Some(Phase::Authorization), |c| {
        c.insert("at_hash".into(), "bm90LXRoZS1oYXNo".into());
    });
    let client = client(&op).await;
    let err = implicit_token(&op, &client).await.unwrap_err();
    assert!(matches!(rule(err), ValidationError::AtHashMismatch));
    let err = hybrid_front(&op, &client, HybridResponseType::CodeIdTokenToken)
        .await
        .unwrap_err();
    assert!(matches!(rule(err), ValidationError::AtHashMismatch));
}

/// rp-id_token-missing-at_hash: with `id_token token` and `code id_token token` the
/// front-channel ID token must carry `at_hash`. At the token endpoint `at_hash` is optional
/// (OpenID Connect Core §3.1.3.8), so a code-flow ID token without it is accepted.
#[tokio::test]
async fn rp_id_token_missing_at_hash() {
    let op = op().await;
    edit_id_token(&op, None, |c| {
        c.remove("at_hash");
    });
    let client = client(&op).await;
    let err = implicit_token(&op, &client).await.unwrap_err();
    assert!(matches!(rule(err), ValidationError::AtHashMissing));
    let err = hybrid_front(&op, &client, HybridResponseType::CodeIdTokenToken)
        .await
        .unwrap_err();
    assert!(matches!(rule(err), ValidationError::AtHashMissing));

    let tokens = code_flow(&op, &client).await;
    assert!(tokens.id_token_claims().unwrap().at_hash.is_none());
}

/// rp-id_token-bad-c_hash: a `c_hash` that does not match the code is rejected before the
/// code is exchanged.
#[tokio::test]
async fn rp_id_token_bad_c_hash() {
    let op = op().await;
    edit_id_token(&op, Some(Phase::Authorization), |c| {
        c.insert("c_hash".into(), "bm90LXRoZS1oYXNo".into());
    });
    let client = client(&op).await;
    for response_type in [
        HybridResponseType::CodeIdToken,
        HybridResponseType::CodeIdTokenToken,
    ] {
        let err = hybrid_front(&op, &client, response_type).await.unwrap_err();
        assert!(matches!(rule(err), ValidationError::CHashMismatch));
    }
    assert!(
        op.requests_to("/token").is_empty(),
        "the code was never sent"
    );
}

/// rp-id_token-missing-c_hash: a hybrid front-channel ID token without `c_hash` is rejected.
#[tokio::test]
async fn rp_id_token_missing_c_hash() {
    let op = op().await;
    edit_id_token(&op, Some(Phase::Authorization), |c| {
        c.remove("c_hash");
    });
    let client = client(&op).await;
    for response_type in [
        HybridResponseType::CodeIdToken,
        HybridResponseType::CodeIdTokenToken,
    ] {
        let err = hybrid_front(&op, &client, response_type).await.unwrap_err();
        assert!(matches!(rule(err), ValidationError::CHashMissing));
    }
    assert!(op.requests_to("/token").is_empty());
}

/// rp-id_token-sig-none: the client is registered with `id_token_signed_response_alg=none`
/// and uses the code flow; the unsecured ID token from the token endpoint is accepted after
/// the claim checks. typed-oidc refuses `alg: none` unless the client opted in by name
/// (`insecure_unsigned_id_tokens_from_token_endpoint`), and even then only at the token
/// endpoint, never in the front channel.
#[tokio::test]
async fn rp_id_token_sig_none() {
    let op = op().await;
    op.set(|b| {
        b.alg = Alg::None;
        b.discovery_edit = Some(Arc::new(|d| {
            d.insert(
                "id_token_signing_alg_values_supported".into(),
                json!(["none"]),
            );
        }));
    });
    let registered = discover(
        &op,
        builder()
            .id_token_signing_algs(vec![typed_oidc::jose::JwsAlgorithm::RS256])
            .insecure_unsigned_id_tokens_from_token_endpoint(),
    )
    .await;
    let tokens = code_flow(&op, &registered).await;
    let id_token = tokens.id_token().unwrap().secret();
    assert_eq!(jose_header(id_token)["alg"], "none");
    assert!(id_token.ends_with('.'), "empty signature");
    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.sub, SUB);
    assert!(claims.nonce.is_some());
    assert!(op.requests_to("/jwks").is_empty(), "no key is needed");

    // The claim rules still apply to an unsecured token.
    edit_id_token(&op, None, |c| {
        c.insert("aud".into(), "some-other-client".into());
    });
    let err = code_flow_error(&op, &registered).await;
    assert!(matches!(
        rule(err),
        ValidationError::AudienceMissingClient { .. }
    ));
    op.set(|b| b.id_token_edit = None);

    // Never in the front channel, where anyone can forge it.
    let (url, pending) = registered.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    let err = pending
        .callback(&registered, &response.redirect_url())
        .await
        .unwrap_err();
    assert!(matches!(rule(err), ValidationError::DisallowedAlg { ref alg } if alg == "none"));

    // A client that did not opt in refuses it at the token endpoint too.
    let default_client = client(&op).await;
    let err = code_flow_error(&op, &default_client).await;
    assert!(matches!(rule(err), ValidationError::DisallowedAlg { ref alg } if alg == "none"));
}
