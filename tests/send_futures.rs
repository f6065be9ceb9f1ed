//! Every async operation must be spawnable on a multi-thread runtime: its future is
//! `Send`. These functions only need to compile; the test runs them never.

use std::future::Future;

use typed_oidc::http::HttpClient;
use typed_oidc::*;

fn assert_send<F: Future + Send>(f: F) -> F {
    f
}

#[allow(dead_code, clippy::too_many_arguments)]
async fn every_future_is_send<H: HttpClient + Clone + 'static>(
    confidential: Client<H>,
    public: Client<H, Public>,
    issuer: IssuerUrl,
    http: H,
    pending: Pending<Offline, Pkce>,
    received: CodeReceived<Online, NoPkce>,
    tokens: Tokens<Offline>,
    token: AccessToken,
    fronts: FrontChannel,
) {
    let _ = assert_send(Client::builder(ClientId::new("c")).discover(&issuer, http)).await;
    let _ = assert_send(received.exchange(&confidential)).await;
    let _ = assert_send(tokens.refresh(&confidential)).await;
    let _ = assert_send(tokens.refresh(&public)).await;
    let _ = assert_send(confidential.validate_id_token("x.y.z", &Expectations::default())).await;
    let _ = assert_send(confidential.userinfo(&tokens).send()).await;
    let _ = assert_send(confidential.introspect(&token).send()).await;
    let _ = assert_send(confidential.revoke(&token).send()).await;
    let _ = assert_send(confidential.client_credentials().send()).await;
    let _ = assert_send(public.password_grant("u", "p").send()).await;
    let _ = assert_send(pending.callback("x").unwrap().exchange(&public)).await;
    let _ = assert_send(fronts.implicit.callback(&public, "x")).await;
    let _ = assert_send(fronts.implicit_token.callback(&public, "x")).await;
    if let Ok(received) = assert_send(fronts.hybrid.callback(&confidential, "x")).await {
        let _ = assert_send(received.exchange(&confidential)).await;
    }
    let _ = assert_send(public.device_authorization_request().send(&public)).await;
    let _ = assert_send(fronts.device.wait_for_tokens(&public)).await;
}

/// The pending values of the front-channel flows and the device grant.
#[allow(dead_code)]
struct FrontChannel {
    implicit: PendingImplicit,
    implicit_token: PendingImplicit<typed_oidc::flow::IdTokenToken>,
    hybrid: PendingHybrid<Offline, Pkce>,
    device: typed_oidc::device::DeviceAuthorization,
}

#[test]
fn futures_are_send() {
    // The proof is that this file compiles; name the function so it is not optimised away.
    let _ = every_future_is_send::<typed_oidc::http::HyperClient>;
}
