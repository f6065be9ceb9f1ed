//! Guarantee: FAPI 2.0 forbids the resource owner password credentials grant (Security
//! Profile §5.3.2.2, RFC 9700 §2.4): a `Fapi2` client has no `password_grant(..)`.
use typed_oidc::Fapi2;
use typed_oidc::http::HttpClient;

fn password<H: HttpClient>(fapi: &Fapi2<H>) {
    let _grant = fapi.password_grant("alice", "hunter2");
}

fn main() {}
