//! Shared steps: a hostile AS, a discovered FAPI client, the flow driven end to end.
#![allow(dead_code)]

use std::sync::Arc;

use serde_json::{Map, Value};
use typed_oidc::fapi::{Fapi2Builder, FapiCodeReceived, FapiPending};
use typed_oidc::flow::AuthorizationUrl;
use typed_oidc::http::HyperClient;
use typed_oidc::jose::SigningKey;
use typed_oidc::{
    ClientId, DpopBound, DpopKey, Error, Fapi2, FapiProfile, IssuerUrl, MessageSigning, Offline,
    Online, RedirectUrl, SecurityProfile, Tokens,
};

pub use crate::hostile_fapi::*;

/// A FAPI client over the real transport.
pub type Fapi<P = SecurityProfile> = Fapi2<HyperClient, P>;

/// The client's `private_key_jwt` key (fresh P-256: ES256 assertions).
pub fn client_key() -> SigningKey {
    SigningKey::generate_ec_p256().unwrap()
}

/// A client key from the test provider's fixtures (`client-key.json`: RSA, `-ec`: P-256,
/// `-ed`: Ed25519).
pub fn fixture_client_key(kind: &str) -> SigningKey {
    SigningKey::from_jwk(match kind {
        "rsa" => include_str!("../provider/client-key.json"),
        "ec" => include_str!("../provider/client-key-ec.json"),
        _ => include_str!("../provider/client-key-ed.json"),
    })
    .unwrap()
}

/// The FAPI builder for `key` and a fresh ES256 DPoP key, with the registered redirect URI.
pub fn builder(key: SigningKey) -> Fapi2Builder {
    builder_with(key, DpopKey::generate().unwrap())
}

/// The FAPI builder for `key` and `dpop`.
pub fn builder_with(key: SigningKey, dpop: DpopKey) -> Fapi2Builder {
    Fapi2::builder(ClientId::new(CLIENT_ID), key, dpop)
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
}

/// Discovers `as_` with `builder` over a fresh `HyperClient`.
pub async fn discover<P: FapiProfile>(
    as_: &HostileAs,
    builder: Fapi2Builder<P>,
) -> Result<Fapi<P>, Error> {
    builder
        .discover(
            &IssuerUrl::new(as_.issuer()).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
}

/// An AS set up by `f` (before discovery) and a Security Profile client.
pub async fn security_with(f: impl FnOnce(&mut Behaviour)) -> (HostileAs, Fapi) {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(f);
    let fapi = discover(&as_, builder(key)).await.expect("FAPI client");
    (as_, fapi)
}

/// A default AS and a Security Profile client.
pub async fn security() -> (HostileAs, Fapi) {
    security_with(|_| {}).await
}

/// An AS set up by `f` and a Message Signing client.
pub async fn signing_with(f: impl FnOnce(&mut Behaviour)) -> (HostileAs, Fapi<MessageSigning>) {
    let key = client_key();
    let as_ = HostileAs::start(&key).await;
    as_.set(f);
    let fapi = discover(&as_, builder(key).message_signing())
        .await
        .expect("FAPI client");
    (as_, fapi)
}

/// Pushes a request (scope `profile`) and runs the in-process authorization: the pending
/// flow and the redirect the AS sent.
pub async fn authorize<P: FapiProfile>(
    as_: &HostileAs,
    fapi: &Fapi<P>,
) -> Result<(FapiPending<Online, P>, String), Error> {
    let (url, pending): (AuthorizationUrl, _) = fapi
        .authorization_request()
        .scope("profile")
        .start(fapi)
        .await?;
    Ok((pending, as_.authorize(url.as_str()).redirect_url()))
}

/// Authorization and callback.
pub async fn callback<P: FapiProfile>(
    as_: &HostileAs,
    fapi: &Fapi<P>,
) -> Result<FapiCodeReceived<Online, P>, Error> {
    let (pending, redirect) = authorize(as_, fapi).await?;
    pending.callback(fapi, &redirect).await
}

/// Authorization and a callback that the test expects to be refused: its result, after
/// checking that no token request followed.
pub async fn refused_callback<P: FapiProfile>(
    as_: &HostileAs,
    fapi: &Fapi<P>,
) -> Result<FapiCodeReceived<Online, P>, Error> {
    let result = callback(as_, fapi).await;
    assert_eq!(
        count(as_, TOKEN),
        0,
        "no token request after a refused callback"
    );
    result
}

/// A login with `offline_access` and `scope`: refreshable tokens.
pub async fn offline_login(
    as_: &HostileAs,
    fapi: &Fapi,
    scope: &str,
) -> Tokens<Offline, DpopBound> {
    let request = fapi.authorization_request().scope(scope).offline_access();
    let (url, pending) = request.start(fapi).await.expect("pushed request");
    let redirect = as_.authorize(url.as_str()).redirect_url();
    let received = pending.callback(fapi, &redirect).await.expect("callback");
    received.exchange(fapi).await.expect("offline login")
}

/// Two `use_dpop_nonce` answers in a row, with valid nonces `n-1` and `n-2`.
pub fn two_nonce_challenges() -> [Answer; 2] {
    [b"n-1", b"n-2"].map(|n| Answer::UseDpopNonce(vec![n.to_vec()]))
}

/// The whole login: authorization, callback, code exchange.
pub async fn login<P: FapiProfile>(
    as_: &HostileAs,
    fapi: &Fapi<P>,
) -> Result<Tokens<Online, DpopBound>, Error> {
    callback(as_, fapi).await?.exchange(fapi).await
}

/// How many requests `as_` received on `path`.
pub fn count(as_: &HostileAs, path: &str) -> usize {
    as_.requests_to(path).len()
}

/// A claims edit hook.
pub fn edit(f: impl Fn(&mut Map<String, Value>) + Send + Sync + 'static) -> Option<Edit> {
    Some(Arc::new(f))
}

/// A text edit hook.
pub fn text_edit(f: impl Fn(String) -> String + Send + Sync + 'static) -> Option<TextEdit> {
    Some(Arc::new(f))
}

/// The verified proof of `exchange`, which must be present and valid.
pub fn valid_proof(exchange: &Exchange) -> &Checked {
    let proof = exchange.proof.as_ref().expect("a DPoP proof");
    assert!(
        proof.problems.is_empty(),
        "{} {}: {:?}",
        exchange.request.method,
        exchange.request.path,
        proof.problems
    );
    proof
}

/// An edit hook setting claim `name` to `value`.
pub fn set_claim(name: &'static str, value: impl Into<Value>) -> Option<Edit> {
    let value = value.into();
    edit(move |c| _ = c.insert(name.into(), value.clone()))
}

/// An edit hook removing claim `name`.
pub fn remove_claim(name: &'static str) -> Option<Edit> {
    edit(move |c| _ = c.remove(name))
}
