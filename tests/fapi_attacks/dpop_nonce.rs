//! DPoP nonces (RFC 9449 §8, §9): one `use_dpop_nonce` retry at each endpoint with the nonce
//! in a fresh proof (and a fresh client assertion), never a second one; missing and malformed
//! `DPoP-Nonce` headers; nonces handed out on success responses.

use typed_oidc::dpop::DpopError;
use typed_oidc::error::ProviderError;
use typed_oidc::{DpopBound, Error, Online, Tokens};

use crate::common::*;

/// A Security Profile client logged in at an AS that behaves as `f` says afterwards.
async fn logged_in(f: impl FnOnce(&mut Behaviour)) -> (HostileAs, Fapi, Tokens<Online, DpopBound>) {
    let (as_, fapi) = security().await;
    let tokens = login(&as_, &fapi).await.expect("login");
    as_.set(f);
    (as_, fapi, tokens)
}

/// A GET of the protected resource with the tokens' access token.
async fn resource(
    as_: &HostileAs,
    fapi: &Fapi,
    tokens: &Tokens<Online, DpopBound>,
) -> Result<http::Response<bytes::Bytes>, Error> {
    let url = as_.url("/resource?page=2");
    fapi.protected_resource_request(tokens.access_token(), http::Method::GET, &url)
        .send()
        .await
}

/// The `nonce` claims of the proofs `as_` received on `path`.
fn nonces(as_: &HostileAs, path: &str) -> Vec<Option<String>> {
    as_.requests_to(path)
        .iter()
        .map(|e| valid_proof(e).claim("nonce").map(str::to_owned))
        .collect()
}

fn statuses(as_: &HostileAs, path: &str) -> Vec<u16> {
    as_.requests_to(path).iter().map(|e| e.status).collect()
}

#[tokio::test]
async fn token_endpoint_nonce_is_retried_once_with_a_fresh_assertion() {
    let (as_, fapi) = security_with(|b| b.require_nonce = vec![TOKEN]).await;
    login(&as_, &fapi)
        .await
        .expect("login after one nonce retry");
    let token = as_.requests_to(TOKEN);
    assert_eq!(
        statuses(&as_, TOKEN),
        [400, 200],
        "use_dpop_nonce, then the retry"
    );
    assert_eq!(nonces(&as_, TOKEN), [None, Some(as_.nonce().to_owned())]);
    let jti = |c: &Option<Checked>| c.as_ref().unwrap().claim("jti").unwrap().to_owned();
    assert_ne!(
        jti(&token[0].assertion),
        jti(&token[1].assertion),
        "a fresh client assertion"
    );
    assert_ne!(jti(&token[0].proof), jti(&token[1].proof), "a fresh proof");
    assert!(token[1].assertion.as_ref().unwrap().problems.is_empty());
}

#[tokio::test]
async fn par_nonce_is_retried_once_and_kept_for_the_origin() {
    let (as_, fapi) = security_with(|b| b.require_nonce = vec![PAR, TOKEN]).await;
    login(&as_, &fapi).await.expect("login");
    assert_eq!(statuses(&as_, PAR), [400, 201]);
    let nonce = Some(as_.nonce().to_owned());
    assert_eq!(nonces(&as_, PAR), [None, nonce.clone()]);
    assert_eq!(
        nonces(&as_, TOKEN),
        [nonce],
        "same origin: the token request knew it"
    );
}

#[tokio::test]
async fn userinfo_nonce_challenge_is_retried_once() {
    let (as_, fapi, tokens) = logged_in(|b| b.require_nonce = vec![USERINFO]).await;
    let info = fapi.userinfo(&tokens).send().await.expect("userinfo");
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(statuses(&as_, USERINFO), [401, 200]);
    assert_eq!(nonces(&as_, USERINFO), [None, Some(as_.nonce().to_owned())]);
}

#[tokio::test]
async fn resource_nonce_challenge_is_retried_once() {
    let (as_, fapi, tokens) = logged_in(|b| b.require_nonce = vec![RESOURCE]).await;
    let response = resource(&as_, &fapi, &tokens).await.expect("resource");
    assert_eq!(response.status(), 200);
    assert_eq!(statuses(&as_, RESOURCE), [401, 200]);
    assert_eq!(nonces(&as_, RESOURCE), [None, Some(as_.nonce().to_owned())]);
}

#[tokio::test]
async fn use_dpop_nonce_without_a_nonce_at_the_token_endpoint() {
    let (as_, fapi) = security_with(|b| b.script(TOKEN, [Answer::UseDpopNonce(vec![])])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Dpop(DpopError::NonceMissing { endpoint: "token" })
    );
    assert_eq!(count(&as_, TOKEN), 1, "nothing to retry with");
}

#[tokio::test]
async fn use_dpop_nonce_without_a_nonce_at_par() {
    let (as_, fapi) = security_with(|b| b.script(PAR, [Answer::UseDpopNonce(vec![])])).await;
    expect_err!(
        authorize(&as_, &fapi).await,
        Error::Dpop(DpopError::NonceMissing {
            endpoint: "pushed authorization request"
        })
    );
    assert_eq!(count(&as_, PAR), 1);
}

#[tokio::test]
async fn use_dpop_nonce_without_a_nonce_at_the_resource() {
    let (as_, fapi, tokens) =
        logged_in(|b| b.script(RESOURCE, [Answer::UseDpopNonce(vec![])])).await;
    expect_err!(
        resource(&as_, &fapi, &tokens).await,
        Error::Dpop(DpopError::NonceMissing {
            endpoint: "resource"
        })
    );
    assert_eq!(count(&as_, RESOURCE), 1);
}

/// `use_dpop_nonce` at the token endpoint with these `DPoP-Nonce` values: `InvalidNonce`, and
/// no retry.
async fn malformed_nonce(values: Vec<Vec<u8>>) {
    let (as_, fapi) = security_with(|b| b.script(TOKEN, [Answer::UseDpopNonce(values)])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Dpop(DpopError::InvalidNonce)
    );
    assert_eq!(
        count(&as_, TOKEN),
        1,
        "a malformed nonce is not retried with"
    );
}

#[tokio::test]
async fn malformed_nonce_with_a_space() {
    malformed_nonce(vec![b"abc def".to_vec()]).await;
}

#[tokio::test]
async fn malformed_nonce_with_a_quote() {
    malformed_nonce(vec![br#"abc"def"#.to_vec()]).await;
}

#[tokio::test]
async fn malformed_nonce_with_a_backslash() {
    malformed_nonce(vec![br"abc\def".to_vec()]).await;
}

#[tokio::test]
async fn malformed_nonce_non_ascii() {
    malformed_nonce(vec!["nonce-é".as_bytes().to_vec()]).await;
}

#[tokio::test]
async fn malformed_nonce_of_2_kib() {
    malformed_nonce(vec![vec![b'n'; 2048]]).await;
}

#[tokio::test]
async fn malformed_nonce_in_two_headers() {
    malformed_nonce(vec![b"first".to_vec(), b"second".to_vec()]).await;
}

#[tokio::test]
async fn second_use_dpop_nonce_at_the_token_endpoint_is_the_providers_error() {
    let (as_, fapi) = security_with(|b| b.script(TOKEN, two_nonce_challenges())).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Provider(ProviderError { error, status: Some(400), .. }) if error == "use_dpop_nonce"
    );
    assert_eq!(
        count(&as_, TOKEN),
        2,
        "exactly one retry, never a third request"
    );
    assert_eq!(nonces(&as_, TOKEN), [None, Some("n-1".to_owned())]);
}

#[tokio::test]
async fn second_use_dpop_nonce_at_par_is_the_providers_error() {
    let (as_, fapi) = security_with(|b| b.script(PAR, two_nonce_challenges())).await;
    expect_err!(
        authorize(&as_, &fapi).await,
        Error::Provider(ProviderError { error, status: Some(400), .. }) if error == "use_dpop_nonce"
    );
    assert_eq!(count(&as_, PAR), 2);
}

#[tokio::test]
async fn second_use_dpop_nonce_at_userinfo_is_the_providers_error() {
    let (as_, fapi, tokens) = logged_in(|b| b.script(USERINFO, two_nonce_challenges())).await;
    expect_err!(
        fapi.userinfo(&tokens).send().await,
        Error::Provider(ProviderError { error, status: Some(401), .. }) if error == "use_dpop_nonce"
    );
    assert_eq!(count(&as_, USERINFO), 2);
}

#[tokio::test]
async fn second_use_dpop_nonce_at_the_resource_is_the_providers_error() {
    let (as_, fapi, tokens) = logged_in(|b| b.script(RESOURCE, two_nonce_challenges())).await;
    expect_err!(
        resource(&as_, &fapi, &tokens).await,
        Error::Provider(ProviderError { error, status: Some(401), .. }) if error == "use_dpop_nonce"
    );
    assert_eq!(count(&as_, RESOURCE), 2);
}

/// After the retry, a second `use_dpop_nonce` whose nonce is malformed: `InvalidNonce`.
#[tokio::test]
async fn second_use_dpop_nonce_with_a_malformed_nonce() {
    let (as_, fapi) = security_with(|b| {
        b.script(
            TOKEN,
            [
                Answer::UseDpopNonce(vec![b"n-1".to_vec()]),
                Answer::UseDpopNonce(vec![b"bad nonce".to_vec()]),
            ],
        )
    })
    .await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Dpop(DpopError::InvalidNonce)
    );
    assert_eq!(count(&as_, TOKEN), 2);
}

/// A `DPoP-Nonce` on a successful token response goes in the next proof to that origin.
#[tokio::test]
async fn nonce_from_a_success_response_is_used_next() {
    let (as_, fapi) = security_with(|b| b.success_nonce = Some(b"from-token-200".to_vec())).await;
    let tokens = login(&as_, &fapi).await.expect("login");
    fapi.userinfo(&tokens).send().await.expect("userinfo");
    resource(&as_, &fapi, &tokens).await.expect("resource");
    assert_eq!(nonces(&as_, USERINFO), [Some("from-token-200".to_owned())]);
    assert_eq!(nonces(&as_, RESOURCE), [Some("from-token-200".to_owned())]);
}

/// A malformed `DPoP-Nonce` on a successful token response is ignored: the tokens are kept
/// and no nonce is sent afterwards.
#[tokio::test]
async fn malformed_nonce_on_a_success_response_is_ignored() {
    let (as_, fapi) = security_with(|b| b.success_nonce = Some(b"bad \"nonce\"".to_vec())).await;
    let tokens = login(&as_, &fapi).await.expect("the tokens are kept");
    assert!(!tokens.access_token().secret().is_empty());
    fapi.userinfo(&tokens).send().await.expect("userinfo");
    assert_eq!(nonces(&as_, USERINFO), [None]);
}

/// Nonces are per origin (RFC 9449 §8): the token endpoint's nonce is not sent to a resource
/// server at another origin.
#[tokio::test]
async fn nonce_is_not_sent_to_another_origin() {
    let (as_, fapi) = security_with(|b| b.success_nonce = Some(b"as-origin-only".to_vec())).await;
    let tokens = login(&as_, &fapi).await.expect("login");
    let other = HostileAs::start(&client_key()).await;
    let url = other.url(RESOURCE);
    let response = fapi
        .protected_resource_request(tokens.access_token(), http::Method::GET, &url)
        .send()
        .await
        .expect("the other server's answer, whatever it is");
    assert_eq!(
        response.status(),
        401,
        "the other server does not know the token"
    );
    assert_eq!(nonces(&other, RESOURCE), [None]);
    resource(&as_, &fapi, &tokens).await.unwrap();
    assert_eq!(nonces(&as_, RESOURCE), [Some("as-origin-only".to_owned())]);
}

/// The length limit is [`typed_oidc::dpop::MAX_NONCE_LEN`] bytes: a nonce of exactly that
/// length is retried with, one byte more is refused.
#[tokio::test]
async fn nonce_length_limit_is_exact() {
    let limit = typed_oidc::dpop::MAX_NONCE_LEN;
    let (as_, fapi) =
        security_with(|b| b.script(TOKEN, [Answer::UseDpopNonce(vec![vec![b'n'; limit]])])).await;
    login(&as_, &fapi).await.expect("a nonce at the limit");
    assert_eq!(nonces(&as_, TOKEN), [None, Some("n".repeat(limit))]);
    malformed_nonce(vec![vec![b'n'; limit + 1]]).await;
}
