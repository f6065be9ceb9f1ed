// Tokens from a flow that did not ask for offline_access cannot refresh.
use typed_oidc::http::HttpClient;
use typed_oidc::{Client, Online, Tokens};

async fn renew<H: HttpClient>(client: &Client<H>, tokens: Tokens<Online>) {
    let _fresh = tokens.refresh(client).await;
}

fn main() {}
