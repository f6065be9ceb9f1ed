//! Guarantee: a DPoP-bound access token (RFC 9449 §5, `token_type=DPoP`) is never sent as a
//! `Bearer` credential: a `DpopAccessToken` is not an `AccessToken`, so a bearer client's
//! `userinfo_for_subject` and `protected_resource_request` refuse it, and its `userinfo`
//! refuses `Tokens<_, DpopBound>`.
use typed_oidc::http::HttpClient;
use typed_oidc::{Client, DpopBound, Online, SubjectId, Tokens};

fn as_bearer<H: HttpClient>(
    bearer_client: &Client<H>,
    dpop_tokens: &Tokens<Online, DpopBound>,
    subject: &SubjectId,
) {
    let _userinfo = bearer_client.userinfo_for_subject(dpop_tokens.access_token(), subject);
    let _resource = bearer_client.protected_resource_request(
        dpop_tokens.access_token(),
        http::Method::GET,
        "https://rs.example/api",
    );
    let _with_tokens = bearer_client.userinfo(dpop_tokens);
}

fn main() {}
