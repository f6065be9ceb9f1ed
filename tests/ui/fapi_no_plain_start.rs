//! Guarantee: a FAPI 2.0 authorization request can only be started by pushing it (RFC 9126,
//! FAPI 2.0 Security Profile §5.3.2.2). Its only `start` takes the `Fapi2` client and pushes;
//! there is no synchronous `start()` that builds a front-channel URL, and the generic
//! request's `start_pushed` / `start_auto` do not exist on it.
use typed_oidc::Fapi2;
use typed_oidc::http::HttpClient;

fn front_channel_url<H: HttpClient>(fapi: &Fapi2<H>) {
    let _url = fapi.authorization_request().start();
}

async fn other_starts<H: HttpClient>(fapi: &Fapi2<H>) {
    let _a = fapi.authorization_request().start_pushed(fapi).await;
    let _b = fapi.authorization_request().start_auto(fapi).await;
}

fn main() {}
