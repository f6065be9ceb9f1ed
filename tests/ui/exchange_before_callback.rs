// A pending flow has not received (and checked) its callback yet: it has no `exchange`.
use typed_oidc::flow::Pending;
use typed_oidc::http::HttpClient;
use typed_oidc::{Client, Online, Pkce};

async fn login<H: HttpClient>(client: &Client<H>, pending: Pending<Online, Pkce>) {
    let _tokens = pending.exchange(client).await;
}

fn main() {}
