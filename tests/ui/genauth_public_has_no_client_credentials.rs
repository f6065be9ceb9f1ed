// A public GenAuth app (auth method `none`) holds no secret, so its client has no
// client-credentials grant; machine-to-machine calls use `access_key_client` with an AK/SK.
use typed_oidc::genauth::GenAuth;
use typed_oidc::http::HyperClient;

fn main() {
    let app = GenAuth::new("https://example.genauth.ai", "app-id").unwrap();
    let oidc = app.public_oidc(HyperClient::new().unwrap()).unwrap();
    let _grant = oidc.client().client_credentials();
}
