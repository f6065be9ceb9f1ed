//! Guarantee: the response mode of a FAPI 2.0 request is fixed by the profile (the query
//! for the Security Profile, `jwt` (JARM) for Message Signing): `FapiAuthorizationRequest`
//! has no `response_mode(..)`.
use typed_oidc::Fapi2;
use typed_oidc::flow::ResponseMode;
use typed_oidc::http::HttpClient;

fn fragment<H: HttpClient>(fapi: &Fapi2<H>) {
    let _request = fapi
        .authorization_request()
        .response_mode(ResponseMode::Fragment);
}

fn main() {}
