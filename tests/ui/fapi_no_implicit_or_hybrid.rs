//! Guarantee: FAPI 2.0 permits only the authorization code flow (Security Profile §5.3.2.2):
//! a `Fapi2` client has no `implicit_request()`, and a `FapiAuthorizationRequest` cannot be
//! started as a hybrid (`code id_token`, ...) request.
use typed_oidc::http::HttpClient;
use typed_oidc::{Fapi2, HybridResponseType};

fn implicit<H: HttpClient>(fapi: &Fapi2<H>) {
    let _request = fapi.implicit_request();
}

fn hybrid<H: HttpClient>(fapi: &Fapi2<H>) {
    let _started = fapi
        .authorization_request()
        .start_hybrid(HybridResponseType::CodeIdToken);
}

fn main() {}
