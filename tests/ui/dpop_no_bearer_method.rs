//! Guarantee: a DPoP-bound token is always sent in the `Authorization: DPoP` header with its
//! proof (RFC 9449 §7.1): a DPoP client's `UserInfoRequest` has no `bearer_method(..)`, so it
//! cannot be moved into the form body (RFC 6750 §2.2) or anywhere else.
use typed_oidc::http::HttpClient;
use typed_oidc::{BearerMethod, Client, Confidential, Dpop, DpopBound, Online, Tokens};

fn form_body<H: HttpClient>(
    dpop_client: &Client<H, Dpop<Confidential>>,
    tokens: &Tokens<Online, DpopBound>,
) {
    let _request = dpop_client
        .userinfo(tokens)
        .bearer_method(BearerMethod::FormBody);
}

fn main() {}
