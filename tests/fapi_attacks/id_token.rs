//! Hostile ID tokens at the token endpoint of a Security Profile login (OpenID Connect Core
//! §3.1.3.7, FAPI 2.0 §5.4.1): each is refused with its rule, after exactly one token
//! request, and the access token that came with it is never used.

use typed_oidc::error::ValidationError as V;
use typed_oidc::{DpopBound, Error, Online, Tokens};

use crate::common::*;

/// A login whose ID token `f` spoils: its result, after one token request and no UserInfo.
async fn refused(f: impl FnOnce(&mut Behaviour)) -> Result<Tokens<Online, DpopBound>, Error> {
    let (as_, fapi) = security().await;
    as_.set(f);
    let result = login(&as_, &fapi).await;
    assert_eq!(count(&as_, TOKEN), 1);
    assert_eq!(count(&as_, USERINFO), 0);
    result
}

#[tokio::test]
async fn id_token_bad_iss() {
    let result = refused(|b| b.id_token_edit = set_claim("iss", "https://evil.example")).await;
    expect_err!(
        result,
        Error::Validation(V::Issuer { actual, .. }) if actual == "https://evil.example"
    );
}

#[tokio::test]
async fn id_token_missing_iss() {
    let result = refused(|b| b.id_token_edit = remove_claim("iss")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("iss")));
}

#[tokio::test]
async fn id_token_bad_aud() {
    let result = refused(|b| b.id_token_edit = set_claim("aud", "another-client")).await;
    expect_err!(
        result,
        Error::Validation(V::AudienceMissingClient { client_id }) if client_id == CLIENT_ID
    );
}

#[tokio::test]
async fn id_token_missing_aud() {
    let result = refused(|b| b.id_token_edit = remove_claim("aud")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("aud")));
}

#[tokio::test]
async fn id_token_expired() {
    let result = refused(|b| {
        b.id_token_edit = edit(|c| {
            c.insert("iat".into(), (now() - 7200).into());
            c.insert("exp".into(), (now() - 3600).into());
        })
    })
    .await;
    expect_err!(result, Error::Validation(V::Expired { .. }));
}

#[tokio::test]
async fn id_token_missing_exp() {
    let result = refused(|b| b.id_token_edit = remove_claim("exp")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("exp")));
}

#[tokio::test]
async fn id_token_bad_nonce() {
    let result = refused(|b| b.id_token_edit = set_claim("nonce", "another-login")).await;
    expect_err!(result, Error::Validation(V::NonceMismatch));
}

#[tokio::test]
async fn id_token_missing_nonce() {
    let result = refused(|b| b.id_token_edit = remove_claim("nonce")).await;
    expect_err!(result, Error::Validation(V::NonceMissing));
}

#[tokio::test]
async fn id_token_alg_none() {
    let result = refused(|b| b.id_token_sig = Sig::None).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "none");
}

/// RS256 is advertised by the provider and validly signed with its published key, but FAPI
/// 2.0 permits PS256, ES256 and EdDSA only.
#[tokio::test]
async fn id_token_rs256_validly_signed_is_refused() {
    let result = refused(|b| b.id_token_sig = Sig::Rs256).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "RS256");
}

/// HS256 keyed with the provider's public key (the RSA/HMAC confusion, RFC 8725 §2.1).
#[tokio::test]
async fn id_token_hs256_keyed_with_the_public_key() {
    let result = refused(|b| b.id_token_sig = Sig::Hs256WithPublicKey).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "HS256");
}

#[tokio::test]
async fn id_token_bad_signature() {
    let result = refused(|b| b.id_token_sig = Sig::Corrupt).await;
    expect_err!(result, Error::Validation(V::Signature));
}

/// The other FAPI algorithm, ES256, verifies (the control for the refusals above).
#[tokio::test]
async fn id_token_es256_is_accepted() {
    let (as_, fapi) = security_with(|b| b.id_token_sig = Sig::Es256).await;
    let tokens = login(&as_, &fapi).await.expect("ES256 ID token");
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
}
