//! Hostile JWT-secured authorization responses (JARM §4.4) to a Message Signing client:
//! each is refused at the callback with its rule, before `state` or `code` are read, and no
//! token request is sent.

use typed_oidc::error::{CallbackError as C, ValidationError as V};
use typed_oidc::fapi::FapiCodeReceived;
use typed_oidc::jose::JoseError;
use typed_oidc::{Error, MessageSigning, Online};

use crate::common::*;

/// The callback of a Message Signing login against an AS set up by `f`, and that no token
/// request followed.
async fn refused(
    f: impl FnOnce(&mut Behaviour),
) -> Result<FapiCodeReceived<Online, MessageSigning>, Error> {
    let (as_, fapi) = signing_with(f).await;
    refused_callback(&as_, &fapi).await
}

#[tokio::test]
async fn jarm_missing_iss() {
    let result = refused(|b| b.jarm_edit = remove_claim("iss")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("iss")));
}

#[tokio::test]
async fn jarm_missing_aud() {
    let result = refused(|b| b.jarm_edit = remove_claim("aud")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("aud")));
}

#[tokio::test]
async fn jarm_missing_exp() {
    let result = refused(|b| b.jarm_edit = remove_claim("exp")).await;
    expect_err!(result, Error::Validation(V::MissingClaim("exp")));
}

#[tokio::test]
async fn jarm_wrong_iss() {
    let result = refused(|b| b.jarm_edit = set_claim("iss", "https://evil.example")).await;
    expect_err!(
        result,
        Error::Validation(V::Issuer { actual, .. }) if actual == "https://evil.example"
    );
}

#[tokio::test]
async fn jarm_wrong_aud() {
    let result = refused(|b| b.jarm_edit = set_claim("aud", "other")).await;
    expect_err!(
        result,
        Error::Validation(V::AudienceMissingClient { client_id }) if client_id == CLIENT_ID
    );
}

#[tokio::test]
async fn jarm_expired() {
    let result = refused(|b| b.jarm_edit = set_claim("exp", now() - 3600)).await;
    expect_err!(result, Error::Validation(V::Expired { .. }));
}

#[tokio::test]
async fn jarm_bad_signature() {
    let result = refused(|b| b.jarm_sig = Sig::Corrupt).await;
    expect_err!(result, Error::Validation(V::Signature));
}

#[tokio::test]
async fn jarm_alg_none() {
    let result = refused(|b| b.jarm_sig = Sig::None).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "none");
}

/// RS256, advertised in `authorization_signing_alg_values_supported` and validly signed, is
/// not a FAPI algorithm.
#[tokio::test]
async fn jarm_rs256_validly_signed_is_refused() {
    let result = refused(|b| b.jarm_sig = Sig::Rs256).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "RS256");
}

/// HS256 keyed with the provider's public key (the RSA/HMAC confusion, RFC 8725 §2.1).
#[tokio::test]
async fn jarm_hs256_keyed_with_the_public_key() {
    let result = refused(|b| b.jarm_sig = Sig::Hs256WithPublicKey).await;
    expect_err!(result, Error::Validation(V::DisallowedAlg { alg }) if alg == "HS256");
}

#[tokio::test]
async fn jarm_encrypted_response_is_refused() {
    let result = refused(|b| b.jarm = Jarm::Encrypted).await;
    expect_err!(
        result,
        Error::Jose(JoseError::Malformed {
            what: "JARM response",
            ..
        })
    );
}

#[tokio::test]
async fn jarm_missing_response_parameter() {
    let result = refused(|b| b.jarm = Jarm::Absent).await;
    expect_err!(result, Error::Callback(C::MissingParameter("response")));
}

/// Plain `code` / `state` / `iss` parameters where a JWT was asked for are not read.
#[tokio::test]
async fn jarm_plain_parameters_instead_of_a_jwt() {
    let result = refused(|b| b.jarm = Jarm::Plain).await;
    expect_err!(result, Error::Callback(C::MissingParameter("response")));
}

/// A signed payload with `iss` twice: which one a parser keeps must not matter, it is refused.
#[tokio::test]
async fn jarm_duplicate_claims() {
    let result = refused(|b| {
        b.jarm_payload_edit = text_edit(|p| p.replacen('{', r#"{"iss":"https://evil.example","#, 1))
    })
    .await;
    expect_err!(result, Error::Jose(JoseError::DuplicateMember(name)) if name == "iss");
}

/// The JWT is verified before `state` is read: a bad signature AND a bad state fail on the
/// signature.
#[tokio::test]
async fn jarm_signature_is_checked_before_state() {
    let result = refused(|b| {
        b.jarm_sig = Sig::Corrupt;
        b.response_state = Some("another-session".into());
    })
    .await;
    expect_err!(result, Error::Validation(V::Signature));
}

/// Likewise the claims: an expired JARM with a bad state fails on `exp`.
#[tokio::test]
async fn jarm_expiry_is_checked_before_state() {
    let result = refused(|b| {
        b.jarm_edit = set_claim("exp", now() - 3600);
        b.response_state = Some("another-session".into());
    })
    .await;
    expect_err!(result, Error::Validation(V::Expired { .. }));
}

/// Only after the JWT verifies is `state` checked: a valid JARM with a bad state.
#[tokio::test]
async fn jarm_valid_jwt_with_a_bad_state() {
    let result = refused(|b| b.response_state = Some("another-session".into())).await;
    expect_err!(result, Error::Callback(C::StateMismatch));
}

/// The control: the pushed request is a signed request object (the AS verified it) with
/// `response_mode=jwt` and `dpop_jkt` inside, and the JARM answer is accepted.
#[tokio::test]
async fn message_signing_login_is_accepted() {
    let (as_, fapi) = signing_with(|_| {}).await;
    let tokens = login(&as_, &fapi).await.expect("Message Signing login");
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
    let par = as_.requests_to(PAR);
    assert_eq!(par.len(), 1);
    let mut outer: Vec<String> = par[0].request.form().into_iter().map(|(k, _)| k).collect();
    outer.sort();
    assert_eq!(
        outer,
        [
            "client_assertion",
            "client_assertion_type",
            "client_id",
            "request"
        ]
    );
    let pushed = &as_.pushed()[0];
    assert_eq!(pushed["response_mode"], "jwt");
    assert_eq!(pushed["dpop_jkt"], fapi.dpop_key().thumbprint());
    assert_eq!(count(&as_, TOKEN), 1);
}

/// Parameters outside the JWT are ignored: an injected `code` and `state` next to a valid
/// `response` change nothing, the JWT's code is the one exchanged.
#[tokio::test]
async fn jarm_parameters_outside_the_jwt_are_ignored() {
    let (as_, fapi) = signing_with(|b| {
        b.extra_response_params = vec![
            ("code".into(), "attacker-code".into()),
            ("state".into(), "attacker-state".into()),
        ]
    })
    .await;
    login(&as_, &fapi).await.expect("the JWT's parameters win");
    let token = as_.requests_to(TOKEN);
    assert_eq!(token.len(), 1);
    let code = token[0].request.param("code").unwrap();
    assert!(code.starts_with("code-"), "exchanged {code}");
}
