//! Interop: the implicit and hybrid flows (OpenID Connect Core §3.2, §3.3) and the
//! device authorization grant (RFC 8628) against the real test OpenID Provider (panva
//! oidc-provider 9.x, started on 127.0.0.1 by the test suite itself). The crate's public
//! API runs every protocol step over the default hyper transport; the scripted user
//! agent plays the end-user (login, consent, device confirmation).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use support::clients::*;
use support::{AuthorizationResult, UserAgent, user_agent_authorize};
use typed_oidc::device::{DeviceError, DeviceTimer};
use typed_oidc::error::Error;
use typed_oidc::flow::{Access, AuthorizationUrl, HybridResponseType, PkceMode, ResponseMode};
use typed_oidc::http::HyperClient;
use typed_oidc::*;

fn issuer() -> IssuerUrl {
    IssuerUrl::new(&support::shared().issuer).expect("provider issuer")
}

async fn discover<K: typed_oidc::BaseKind>(builder: ClientBuilder<K>) -> Client<HyperClient, K> {
    let http = HyperClient::new().expect("hyper client");
    builder
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(&issuer(), http)
        .await
        .expect("discovery against the test provider")
}

async fn implicit_client() -> Client<HyperClient, Public> {
    discover(Client::builder(ClientId::new(IMPLICIT_CLIENT_ID))).await
}

async fn hybrid_client() -> Client<HyperClient> {
    discover(
        Client::builder(ClientId::new(HYBRID_CLIENT_ID))
            .client_secret(ClientSecret::new(HYBRID_CLIENT_SECRET)),
    )
    .await
}

/// Where the scripted user agent ended, as the client's callback sees it.
enum Callback {
    Redirect(String),
    FormPost(String),
}

async fn authorize(url: &AuthorizationUrl, mode: ResponseMode) -> Callback {
    let result = user_agent_authorize(url.as_str(), REDIRECT_URI).await;
    match mode {
        ResponseMode::FormPost => {
            let (action, body) = result.form_post();
            assert!(action.starts_with(REDIRECT_URI), "{action}");
            Callback::FormPost(body)
        }
        _ => {
            let redirect = result.redirect();
            assert!(
                redirect.starts_with(&format!("{REDIRECT_URI}#")),
                "front-channel tokens come in the fragment: {redirect}"
            );
            Callback::Redirect(redirect)
        }
    }
}

const MODES: [ResponseMode; 2] = [ResponseMode::Fragment, ResponseMode::FormPost];

// ---- implicit ---------------------------------------------------------------------------------

#[tokio::test]
async fn implicit_id_token_via_fragment_and_form_post() {
    let client = implicit_client().await;
    for mode in MODES {
        let mut request = client.implicit_request().scope("email");
        if mode == ResponseMode::FormPost {
            request = request.response_mode(mode);
        }
        let (url, pending) = request.start().unwrap();
        let nonce = pending.nonce().unwrap().secret().to_owned();
        let verified = match authorize(&url, mode).await {
            Callback::Redirect(r) => pending.callback(&client, &r).await,
            Callback::FormPost(b) => pending.callback_form(&client, b.as_bytes()).await,
        }
        .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let claims = verified.claims();
        assert_eq!(claims.sub, DEFAULT_ACCOUNT);
        assert_eq!(claims.iss, support::shared().issuer);
        assert_eq!(claims.nonce.as_deref(), Some(nonce.as_str()));
        // No access token issued: the scope's claims are in the ID token.
        assert_eq!(
            claims.get("email").and_then(|v| v.as_str()),
            Some("alice@example.com"),
            "{mode:?}"
        );
        assert!(claims.at_hash.is_none());
    }
}

#[tokio::test]
async fn implicit_id_token_token_via_fragment_and_form_post() {
    let client = implicit_client().await;
    for mode in MODES {
        let mut request = client.implicit_request().with_access_token();
        if mode == ResponseMode::FormPost {
            request = request.response_mode(mode);
        }
        let (url, pending) = request.start().unwrap();
        let tokens: Tokens<Online> = match authorize(&url, mode).await {
            Callback::Redirect(r) => pending.callback(&client, &r).await,
            Callback::FormPost(b) => pending.callback_form(&client, b.as_bytes()).await,
        }
        .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let claims = tokens.id_token_claims().unwrap();
        assert_eq!(claims.sub, DEFAULT_ACCOUNT);
        assert!(claims.at_hash.is_some(), "{mode:?}: at_hash is required");
        assert!(!tokens.access_token().secret().is_empty());
        assert!(tokens.expires_at().is_some());
        assert!(tokens.refresh_token_opt().is_none());
    }
}

#[tokio::test]
async fn implicit_access_denied_is_a_typed_error() {
    let client = implicit_client().await;
    let (url, pending) = client
        .implicit_request()
        .login_hint(DENY_LOGIN_HINT)
        .start()
        .unwrap();
    let Callback::Redirect(redirect) = authorize(&url, ResponseMode::Fragment).await else {
        unreachable!()
    };
    let err = pending.callback(&client, &redirect).await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "access_denied"),
        "{err:?}"
    );
}

// ---- hybrid -----------------------------------------------------------------------------------

/// Runs a hybrid flow: front channel by the user agent, validation and exchange by the
/// crate. Checks what each response type promises and returns the tokens.
async fn hybrid<A: Access, P: PkceMode>(
    client: &Client<HyperClient>,
    request: AuthorizationRequest<A, P>,
    response_type: HybridResponseType,
    mode: ResponseMode,
) -> Tokens<A> {
    let request = if mode == ResponseMode::FormPost {
        request.response_mode(mode)
    } else {
        request
    };
    let (url, pending) = request.start_hybrid(response_type).unwrap();
    assert!(
        url.as_str().contains(&format!(
            "response_type={}",
            response_type.as_str().replace(' ', "+")
        )),
        "{url}"
    );
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let received = match authorize(&url, mode).await {
        Callback::Redirect(r) => pending.callback(client, &r).await,
        Callback::FormPost(b) => pending.callback_form(client, b.as_bytes()).await,
    }
    .unwrap_or_else(|e| panic!("{response_type:?} {mode:?}: {e}"));
    let front_sub = match received.front_channel_claims() {
        Some(claims) => {
            assert!(claims.c_hash.is_some(), "{response_type:?}");
            assert_eq!(
                claims.at_hash.is_some(),
                response_type.has_token(),
                "{response_type:?}"
            );
            assert_eq!(claims.nonce.as_deref(), Some(nonce.as_str()));
            Some(claims.sub.clone())
        }
        None => {
            assert!(!response_type.has_id_token());
            None
        }
    };
    assert_eq!(
        received.front_channel_access_token().is_some(),
        response_type.has_token()
    );
    let tokens = received
        .exchange(client)
        .await
        .unwrap_or_else(|e| panic!("{response_type:?} {mode:?} exchange: {e}"));
    let back = tokens.id_token_claims().unwrap();
    assert_eq!(back.sub, DEFAULT_ACCOUNT);
    if let Some(front) = front_sub {
        assert_eq!(back.sub, front);
    }
    tokens
}

#[tokio::test]
async fn hybrid_all_response_types_via_fragment_and_form_post() {
    let client = hybrid_client().await;
    for response_type in [
        HybridResponseType::CodeIdToken,
        HybridResponseType::CodeToken,
        HybridResponseType::CodeIdTokenToken,
    ] {
        for mode in MODES {
            let tokens = hybrid(&client, client.authorization_request(), response_type, mode).await;
            assert!(!tokens.access_token().secret().is_empty());
        }
    }
}

#[tokio::test]
async fn hybrid_offline_access_refreshes() {
    let client = hybrid_client().await;
    let tokens = hybrid(
        &client,
        client.authorization_request().offline_access(),
        HybridResponseType::CodeIdToken,
        ResponseMode::Fragment,
    )
    .await;
    let refreshed = tokens.refresh(&client).await.expect("refresh");
    assert_ne!(
        refreshed.refresh_token().secret(),
        tokens.refresh_token().secret()
    );
    assert_eq!(refreshed.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);
}

// ---- device authorization grant ---------------------------------------------------------------

/// Real sleeps, 50 times shorter than asked, so the provider sees genuine polling while
/// the test takes well under a second per poll; records what was asked.
#[derive(Clone, Default)]
struct QuickTimer {
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl DeviceTimer for QuickTimer {
    async fn sleep(&self, duration: Duration) {
        self.asked.lock().unwrap().push(duration);
        tokio::time::sleep(duration / 50).await;
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

async fn device_client() -> Client<HyperClient, Public> {
    let http = HyperClient::new().expect("hyper client");
    Client::builder(ClientId::new(DEVICE_CLIENT_ID))
        .discover(&issuer(), http)
        .await
        .expect("discovery")
}

/// The end-user's side: opens `verification_uri_complete` and follows the provider's
/// pages (confirmation, login, consent) to the end.
async fn approve(uri: &str) -> AuthorizationResult {
    // The device flow never redirects to the client; the prefix is never reached.
    UserAgent::new()
        .navigate(uri, "http://127.0.0.1/never")
        .await
}

#[tokio::test]
async fn device_flow_approved_while_the_crate_polls() {
    let client = device_client().await;
    let auth = client
        .device_authorization_request()
        .scope("profile")
        .offline_access()
        .send(&client)
        .await
        .expect("device authorization");
    assert!(!auth.user_code().is_empty());
    assert_eq!(auth.interval(), Duration::from_secs(5), "RFC 8628 default");
    assert!(auth.expires_at() > SystemTime::now());
    let complete = auth
        .verification_uri_complete()
        .expect("verification_uri_complete")
        .to_string();
    assert!(complete.starts_with(auth.verification_uri().as_str()));

    let timer = QuickTimer::default();
    let polling = auth.wait_for_tokens_with(&client, &timer, std::future::pending());
    let user = async {
        // Let the crate poll (and hear authorization_pending) before the user shows up.
        tokio::time::sleep(Duration::from_millis(250)).await;
        approve(&complete).await
    };
    let (tokens, page) = tokio::join!(polling, user);
    match page {
        AuthorizationResult::Page { status, body, .. } => {
            assert_eq!(status, 200);
            assert!(body.contains("Device sign-in success"), "{body}");
        }
        other => panic!("expected the success page, got {other:?}"),
    }
    let tokens: Tokens<Offline> = tokens.expect("device tokens");
    assert!(
        timer.asked.lock().unwrap().len() >= 2,
        "polled at least once before the approval"
    );
    let claims = tokens
        .id_token_claims()
        .expect("openid: validated ID token");
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);
    assert_eq!(claims.aud, vec![DEVICE_CLIENT_ID.to_owned()]);
    let refreshed = tokens.refresh(&client).await.expect("refresh");
    assert_eq!(refreshed.id_token_claims().unwrap().sub, DEFAULT_ACCOUNT);
}

#[tokio::test]
async fn device_flow_denied_by_the_user_is_a_typed_error() {
    let client = device_client().await;
    let auth = client
        .device_authorization_request()
        .extra("login_hint", DENY_LOGIN_HINT)
        .send(&client)
        .await
        .expect("device authorization");
    let complete = auth.verification_uri_complete().unwrap().to_string();
    approve(&complete).await;
    let err = auth
        .wait_for_tokens_with(&client, &QuickTimer::default(), std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Device(DeviceError::AccessDenied(p)) if p.error == "access_denied"),
        "{err:?}"
    );
}

#[tokio::test]
async fn device_flow_polling_can_be_cancelled() {
    let client = device_client().await;
    let auth = client
        .device_authorization_request()
        .send(&client)
        .await
        .expect("device authorization");
    let err = auth
        .wait_for_tokens_with(
            &client,
            &QuickTimer::default(),
            tokio::time::sleep(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Device(DeviceError::Cancelled)),
        "{err:?}"
    );
}
