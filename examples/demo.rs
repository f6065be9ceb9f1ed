//! The main demo: a complete OpenID Connect login against the bundled real
//! OpenID Provider (panva `oidc-provider`, started here on 127.0.0.1), run
//! headlessly, printing the verified ID-token claims.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! The flow is the one a web application runs; only the user agent (the browser
//! that logs in and consents) is scripted.

#[path = "../tests/support/mod.rs"]
mod support;

use typed_oidc::http::HyperClient;
use typed_oidc::{Client, ClientId, ClientSecret, IssuerUrl, Pending, RedirectUrl};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Start the test provider (installs its npm packages on first run).
    let provider = support::TestProvider::start();
    println!("OpenID Provider listening at {}", provider.issuer);

    // 2. A confidential client, configured by discovery.
    let client = Client::builder(ClientId::new(support::clients::BASIC_CLIENT_ID))
        .client_secret(ClientSecret::new(support::clients::BASIC_CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(support::clients::REDIRECT_URI)?)
        .discover(&IssuerUrl::new(&provider.issuer)?, HyperClient::new()?)
        .await?;

    // 3. Authorization request: PKCE (S256), state and nonce are generated; asking for
    //    offline access makes the tokens refreshable, in the type.
    let (url, pending) = client
        .authorization_request()
        .scope("profile email")
        .offline_access()
        .start()?;
    println!(
        "Authorization URL: {}",
        url.as_str().split('?').next().unwrap_or_default()
    );

    // A web app would keep `pending` in its session between redirect and callback.
    let session = serde_json::to_string(&pending)?;
    let pending: Pending<typed_oidc::Offline, typed_oidc::Pkce> = serde_json::from_str(&session)?;

    // 4. The browser logs in and consents; the provider redirects back.
    let callback = support::user_agent_authorize(url.as_str(), support::clients::REDIRECT_URI)
        .await
        .redirect();

    // 5. The callback is checked (iss, state), the code exchanged (with the PKCE
    //    verifier), and the ID token validated (signature, iss, aud, exp, iat, nonce, at_hash).
    let tokens = pending.callback(&callback)?.exchange(&client).await?;
    let claims = tokens.id_token_claims().ok_or("no ID token")?;
    println!(
        "Verified ID-token claims:\n{}",
        serde_json::to_string_pretty(claims)?
    );

    // 6. Offline tokens can refresh; the new ID token must keep iss and sub.
    let refreshed = tokens.refresh(&client).await?;
    println!(
        "Refreshed: new access token issued, subject still {}",
        refreshed
            .id_token_claims()
            .map(|c| c.sub.as_str())
            .unwrap_or("?")
    );
    println!("Tokens (Debug never shows secrets): {refreshed:?}");
    drop(provider);
    Ok(())
}
