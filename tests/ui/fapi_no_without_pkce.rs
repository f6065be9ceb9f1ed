//! Guarantee: a FAPI 2.0 request always uses PKCE with S256 (FAPI 2.0 Security Profile
//! §5.3.2.2): `FapiAuthorizationRequest` has neither `without_pkce()` nor `pkce_plain()`.
use typed_oidc::Fapi2;
use typed_oidc::http::HttpClient;

fn weaken<H: HttpClient>(fapi: &Fapi2<H>) {
    let _no_pkce = fapi.authorization_request().without_pkce();
    let _plain = fapi.authorization_request().pkce_plain();
}

fn main() {}
