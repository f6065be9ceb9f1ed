// Client credentials exist only on confidential clients (RFC 6749 §4.4): a public
// client has no secret or key to authenticate the grant with.
use typed_oidc::http::HttpClient;
use typed_oidc::{Client, Public};

async fn machine_token<H: HttpClient>(client: &Client<H, Public>) {
    let _tokens = client.client_credentials().send().await;
}

fn main() {}
