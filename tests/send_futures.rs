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
}

#[test]
fn futures_are_send() {
    // The proof is that this file compiles; name the function so it is not optimised away.
    let _ = every_future_is_send::<typed_oidc::http::HyperClient>;
}
