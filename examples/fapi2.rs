//! A FAPI 2.0 login (Security Profile, then Message Signing) against the bundled real OpenID
//! Provider, which runs its FAPI 2.0 profile for the `fapi2-*` clients and requires DPoP
//! nonces here.
//!
//! ```text
//! cargo run --example fapi2
//! ```
//!
//! Every request the profile demands is made by the types: the authorization request is
//! pushed (PAR) with PKCE S256 and `dpop_jkt`, the client authenticates with
//! `private_key_jwt` (`aud` = issuer), every token and resource request carries a DPoP proof
//! (with the provider's nonce, after one `use_dpop_nonce` retry), the callback's `iss` is
//! required, and — for Message Signing — the pushed request is a signed request object and
//! the response a verified JARM JWT. Only the browser is scripted.

#[path = "../tests/support/mod.rs"]
mod support;

use support::clients::{
    CLIENT_KEY_EC_JSON, CLIENT_KEY_RSA_JSON, DPOP_NONCE_REQUIRED_ENV, FAPI2_CLIENT_ID,
    FAPI2_MS_CLIENT_ID, REDIRECT_URI,
};
use typed_oidc::fapi::FapiProfile;
use typed_oidc::http::HyperClient;
use typed_oidc::jose::SigningKey;
use typed_oidc::{ClientId, DpopKey, Fapi2, IssuerUrl, RedirectUrl};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = support::TestProvider::start_with_env(&[DPOP_NONCE_REQUIRED_ENV]);
    println!("OpenID Provider (FAPI 2.0 profile) at {}", provider.issuer);
    let issuer = IssuerUrl::new(&provider.issuer)?;

    // Security Profile: an RSA client key (PS256 assertions), an ES256 DPoP key.
    let fapi = Fapi2::builder(
        ClientId::new(FAPI2_CLIENT_ID),
        SigningKey::from_jwk(CLIENT_KEY_RSA_JSON)?,
        DpopKey::generate()?,
    )
    .redirect_uri(RedirectUrl::new(REDIRECT_URI)?)
    .discover(&issuer, HyperClient::new()?)
    .await?;
    println!(
        "DPoP key thumbprint (jkt): {}",
        fapi.dpop_key().thumbprint()
    );
    login("Security Profile", &fapi).await?;

    // Message Signing: the same, plus a signed request object and a JARM response.
    let fapi = Fapi2::builder(
        ClientId::new(FAPI2_MS_CLIENT_ID),
        SigningKey::from_jwk(CLIENT_KEY_EC_JSON)?,
        DpopKey::generate()?,
    )
    .message_signing()
    .redirect_uri(RedirectUrl::new(REDIRECT_URI)?)
    .discover(&issuer, HyperClient::new()?)
    .await?;
    login("Message Signing", &fapi).await?;
    drop(provider);
    Ok(())
}

async fn login<P: FapiProfile>(
    name: &str,
    fapi: &Fapi2<HyperClient, P>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (url, pending) = fapi
        .authorization_request()
        .scope("profile")
        .offline_access()
        .start(fapi)
        .await?;
    println!("\n[{name}] pushed; the browser goes to {url}");
    let callback = support::user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let tokens = pending
        .callback(fapi, &callback)
        .await?
        .exchange(fapi)
        .await?;
    println!(
        "[{name}] token_type {:?}, verified ID-token claims:\n{}",
        tokens.token_type(),
        serde_json::to_string_pretty(tokens.id_token_claims().ok_or("no ID token")?)?
    );
    let info = fapi.userinfo(&tokens).send().await?;
    println!("[{name}] UserInfo (DPoP): name {:?}", info.claims.name);
    let refreshed = fapi.refresh(&tokens).await?;
    println!(
        "[{name}] refreshed with DPoP, subject still {}",
        refreshed
            .id_token_claims()
            .map(|c| c.sub.as_str())
            .unwrap_or("?")
    );
    Ok(())
}
