//! Guarantee: a DPoP client never receives an access token through the front channel, where
//! no proof can bind it (RFC 9449 §10): `Client<H, Dpop<K>>` has no `implicit_request()`.
use typed_oidc::http::HttpClient;
use typed_oidc::{Client, Dpop, Public};

fn implicit<H: HttpClient>(dpop_client: &Client<H, Dpop<Public>>) {
    let _request = dpop_client.implicit_request();
}

fn main() {}
