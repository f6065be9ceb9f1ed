//! Hostile plain authorization responses to a Security Profile client (RFC 9207, RFC 6749
//! §4.1.2, FAPI 2.0 §5.3.2.2): refused at the callback, and no token request is sent.

use typed_oidc::error::{CallbackError as C, ProviderError};
use typed_oidc::fapi::FapiCodeReceived;
use typed_oidc::{Error, Online, SecurityProfile};

use crate::common::*;

/// The callback of a login against an AS set up by `f`, and that no token request followed.
async fn refused(
    f: impl FnOnce(&mut Behaviour),
) -> Result<FapiCodeReceived<Online, SecurityProfile>, Error> {
    let (as_, fapi) = security_with(f).await;
    refused_callback(&as_, &fapi).await
}

/// FAPI 2.0 requires `iss` in the response even from a provider whose metadata does not
/// advertise RFC 9207 (a plain client would accept its absence).
#[tokio::test]
async fn response_without_iss_is_refused_even_when_not_advertised() {
    let result = refused(|b| {
        b.iss_parameter_supported = false;
        b.response_iss = Iss::Missing;
    })
    .await;
    expect_err!(result, Error::Callback(C::IssuerMissing));
}

#[tokio::test]
async fn response_with_a_wrong_iss() {
    let result = refused(|b| b.response_iss = Iss::Wrong("https://evil.example".into())).await;
    expect_err!(
        result,
        Error::Callback(C::IssuerMismatch { actual, .. }) if actual == "https://evil.example"
    );
}

#[tokio::test]
async fn response_with_a_bad_state() {
    let result = refused(|b| b.response_state = Some("another-session".into())).await;
    expect_err!(result, Error::Callback(C::StateMismatch));
}

#[tokio::test]
async fn error_response_is_a_typed_provider_error() {
    let result = refused(|b| b.response_error = Some("access_denied")).await;
    expect_err!(
        result,
        Error::Provider(ProviderError { error, status: None, .. }) if error == "access_denied"
    );
}

/// The control: the untouched response passes and its code is exchanged once.
#[tokio::test]
async fn honest_response_is_accepted() {
    let (as_, fapi) = security().await;
    let tokens = login(&as_, &fapi).await.expect("login");
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);
    assert_eq!(count(&as_, PAR), 1);
    assert_eq!(count(&as_, TOKEN), 1);
}
