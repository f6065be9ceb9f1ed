//! The GenAuth/Authing presets without network: prints the URLs they build for a sample
//! app and shows how the calls look. Run with `cargo run --example genauth`.

use typed_oidc::genauth::{GenAuth, ValidateToken};
use typed_oidc::http::HyperClient;
use typed_oidc::{ClientSecret, CodeChallengeMethod, CodeVerifier, IdToken, RedirectUrl, State};

fn main() -> Result<(), typed_oidc::Error> {
    let app = GenAuth::new("https://oidc1.authing.cn", "5f17a529f64fb009b794a2ff")?
        .app_secret(ClientSecret::new("your-app-secret"))
        .redirect_uri(RedirectUrl::new("https://baidu.com")?);

    // OpenID Connect: code + PKCE, GenAuth's default scope, refresh via offline_access.
    let oidc = app.oidc(HyperClient::new()?)?;
    let (url, pending) = oidc.authorization_request().offline_access().start()?;
    println!("OIDC authorize:   {url}");
    println!(
        "  (keep `pending` in the session; state {} chars)",
        pending.state().secret().len()
    );

    // OAuth 2.0: scope user, no nonce; the SDK's exact parameter set without PKCE.
    let oauth = app.oauth(HyperClient::new()?)?;
    let (url, _) = oauth
        .authorization_request()
        .without_pkce()
        .state(State::new("7400704296715694"))
        .start()?;
    println!("OAuth authorize:  {url}");
    let (url, _) = oauth.token_request(None, None)?;
    println!("OAuth implicit:   {url}");

    // SAML: links only.
    let saml = app.saml();
    println!("SAML login:       {}", saml.login_url());
    let back = RedirectUrl::new("https://authing.cn")?;
    println!("Easy logout:      {}", saml.logout_url(Some(&back)));

    // Expert (RP-initiated) logout.
    let logout = oidc
        .logout_request()
        .id_token_hint(IdToken::new("IDTOKEN"))
        .post_logout_redirect_uri(RedirectUrl::new("http://localhost:3000")?)
        .build()?;
    println!("OIDC logout:      {}", logout.as_str());

    // Online token check (sans-IO request; `oidc.validate_token(..).await` sends it).
    let id = IdToken::new("IDTOKEN");
    let check = oidc.validate_token_request(ValidateToken::IdToken(&id));
    println!("validate_token:   {} {}", check.method(), check.uri());

    // PKCE helpers (SDK generate_code_challenge / generate_code_challenge_digest).
    let verifier = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    println!(
        "PKCE S256:        {}",
        verifier.challenge(CodeChallengeMethod::S256).as_str()
    );

    println!(
        "\nWith a network, the calls look like:\n\
         let tokens = oidc.exchange(pending.callback(&redirect)?).await?;\n\
         let me = oidc.userinfo(&tokens).send().await?;            // POST /oidc/me\n\
         let info = oidc.introspect(tokens.access_token()).send().await?;\n\
         let tokens = oidc.refresh(&tokens).await?;\n\
         oidc.revoke(tokens.refresh_token()).send().await?;        // Ok on 2xx\n\
         let m2m = oidc.access_key_client(ak, sk)?.client_credentials().send().await?;"
    );
    Ok(())
}
