// The SAML preset only builds login and logout links: SAML assertions go to the
// application's service provider, so there is no code exchange or refresh on it.
use typed_oidc::genauth::GenAuth;

fn main() {
    let app = GenAuth::new("https://example.genauth.ai", "app-id").unwrap();
    let saml = app.saml();
    let _tokens = saml.exchange(());
}
