//! Guarantee: a FAPI 2.0 client refreshes only tokens from a flow that asked for
//! `offline_access`: `Fapi2::refresh` takes `&Tokens<Offline, DpopBound>`, so DPoP-bound
//! `Tokens<Online, DpopBound>` are refused.
use typed_oidc::http::HttpClient;
use typed_oidc::{DpopBound, Fapi2, Online, Tokens};

async fn renew<H: HttpClient>(fapi: &Fapi2<H>, online_tokens: Tokens<Online, DpopBound>) {
    let _fresh = fapi.refresh(&online_tokens).await;
}

fn main() {}
