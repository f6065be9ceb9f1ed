//! Interop: OpenID Connect Back-Channel Logout 1.0 against the real test OpenID Provider
//! (panva oidc-provider 9.x, `features.backchannelLogout`, started on 127.0.0.1 by each test).
//!
//! Each test binds a hyper server on 127.0.0.1 first, starts the provider with
//! `OP_BACKCHANNEL_URI` pointing at it (which registers `bcl-client` with that
//! `backchannel_logout_uri` and `backchannel_logout_session_required`), logs in with the
//! scripted user agent and logs out at the provider's `end_session_endpoint`. The provider then
//! POSTs a `logout_token` to the test server, which answers with the crate's sans-IO
//! [`BackChannelLogout`] handler.

mod support;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use support::clients::*;
use support::{TestProvider, UserAgent};
use typed_oidc::backchannel::{BackChannelError, LoggedOut, RpSession, SessionStore, StoreError};
use typed_oidc::http::HyperClient;
use typed_oidc::*;

const BCL_CLIENT_ID: &str = "bcl-client";
const BCL_CLIENT_SECRET: &str = "bcl-secret-0123456789abcdef0123456789abcdef";
const BCL_PATH: &str = "/backchannel-logout";
/// The longest the test server accepts connections.
const SERVER_LIFETIME: Duration = Duration::from_secs(60);

/// What the test server saw and answered.
#[derive(Debug)]
struct Delivery {
    method: ::http::Method,
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
    status: u16,
    cache_control: Option<String>,
    outcome: Result<LoggedOut, String>,
}

type Deliveries = Arc<Mutex<Vec<Delivery>>>;

/// Binds 127.0.0.1:0 and serves `handler` for `client` there (in a task that stops after
/// [`SERVER_LIFETIME`]); returns the server's `backchannel_logout_uri`.
async fn serve<R, S>(
    handler: Arc<BackChannelLogout<R, S>>,
    client: Arc<Mutex<Option<Client<HyperClient>>>>,
    deliveries: Deliveries,
) -> (String, tokio::task::JoinHandle<()>)
where
    R: ReplayCache + 'static,
    S: SessionStore + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}{BCL_PATH}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = tokio::time::timeout(SERVER_LIFETIME, async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (handler, client, deliveries) =
                    (handler.clone(), client.clone(), deliveries.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: ::http::Request<_>| {
                        let (handler, client, deliveries) =
                            (handler.clone(), client.clone(), deliveries.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let limit = handler.body_limit();
                            let Ok(body) = Limited::new(body, limit + 1).collect().await else {
                                let mut r = ::http::Response::new(Full::new(Bytes::new()));
                                *r.status_mut() = ::http::StatusCode::PAYLOAD_TOO_LARGE;
                                return Ok::<_, Infallible>(r);
                            };
                            let request =
                                ::http::Request::from_parts(parts, body.to_bytes().to_vec());
                            let client = client.lock().unwrap().clone().expect("client is set");
                            let answered = handler.handle(&client, &request).await;
                            let header = |r: &::http::HeaderMap, n| {
                                r.get(n)
                                    .and_then(|v: &::http::HeaderValue| v.to_str().ok())
                                    .map(str::to_owned)
                            };
                            deliveries.lock().unwrap().push(Delivery {
                                method: request.method().clone(),
                                path: request.uri().path().to_owned(),
                                content_type: header(request.headers(), "content-type"),
                                body: request.body().clone(),
                                status: answered.response.status().as_u16(),
                                cache_control: header(answered.response.headers(), "cache-control"),
                                outcome: answered.outcome.map_err(|e| format!("{e:?}")),
                            });
                            Ok(answered.response.map(|b| Full::new(Bytes::from(b))))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
        .await;
    });
    (uri, task)
}

async fn discover(provider: &TestProvider) -> Client<HyperClient> {
    Client::builder(ClientId::new(BCL_CLIENT_ID))
        .client_secret(ClientSecret::new(BCL_CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap())
        .discover(
            &IssuerUrl::new(&provider.issuer).unwrap(),
            HyperClient::new().unwrap(),
        )
        .await
        .expect("discovery against the test provider")
}

/// Logs in with `ua` and exchanges the code; returns the tokens.
async fn login(ua: &mut UserAgent, client: &Client<HyperClient>) -> Tokens<Online> {
    let (url, pending) = client.authorization_request().start().unwrap();
    let redirect = ua.navigate(url.as_str(), REDIRECT_URI).await.redirect();
    let received = pending.callback(&redirect).expect("callback accepted");
    received.exchange(client).await.expect("code exchange")
}

/// RP-initiated logout at the provider; the provider delivers the logout token before it
/// redirects back.
async fn logout(ua: &mut UserAgent, client: &Client<HyperClient>, tokens: &Tokens<Online>) {
    let url = client
        .logout_request()
        .id_token_hint(tokens.id_token().unwrap().clone())
        .post_logout_redirect_uri(RedirectUrl::new(POST_LOGOUT_REDIRECT_URI).unwrap())
        .build()
        .unwrap();
    let back = ua
        .navigate(url.as_str(), POST_LOGOUT_REDIRECT_URI)
        .await
        .redirect();
    assert!(back.starts_with(POST_LOGOUT_REDIRECT_URI), "{back}");
}

/// Waits (bounded) until the provider logged the delivery result of `client_id`.
async fn provider_log_line(provider: &TestProvider, prefix: &str) -> String {
    for _ in 0..50 {
        if let Some(line) = provider
            .stderr_log()
            .lines()
            .find(|l| l.starts_with(prefix))
        {
            return line.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the provider never logged {prefix:?}:\n{}",
        provider.stderr_log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_logout_ends_the_rp_session_by_sid_and_sub() {
    let handler = Arc::new(BackChannelLogout::default());
    let slot = Arc::new(Mutex::new(None));
    let deliveries: Deliveries = Arc::default();
    let (uri, server) = serve(handler.clone(), slot.clone(), deliveries.clone()).await;
    let provider = TestProvider::start_with_env(&[("OP_BACKCHANNEL_URI", &uri)]);
    let client = discover(&provider).await;
    assert!(client.metadata().backchannel_logout_supported);
    assert!(client.metadata().backchannel_logout_session_supported);
    *slot.lock().unwrap() = Some(client.clone());

    let mut ua = UserAgent::new();
    let tokens = login(&mut ua, &client).await;
    let claims = tokens.id_token_claims().unwrap().clone();
    let sid = claims
        .sid
        .clone()
        .expect("backchannel_logout_session_required: the ID token has a sid");
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);
    let sessions = handler.sessions();
    sessions.insert(RpSession::from_id_token("app-session-1", &claims));
    // Another end-user's session, and another provider session of the same end-user: kept.
    sessions.insert(RpSession {
        id: "other-user".into(),
        iss: claims.iss.clone(),
        sub: "bob".into(),
        sid: Some("other-sid".into()),
    });
    sessions.insert(RpSession {
        id: "same-user-other-sid".into(),
        iss: claims.iss.clone(),
        sub: claims.sub.clone(),
        sid: Some("another-sid".into()),
    });

    logout(&mut ua, &client, &tokens).await;
    assert_eq!(
        provider_log_line(&provider, "backchannel.").await,
        format!("backchannel.success {BCL_CLIENT_ID}")
    );

    let deliveries = std::mem::take(&mut *deliveries.lock().unwrap());
    assert_eq!(deliveries.len(), 1, "{deliveries:#?}");
    let d = &deliveries[0];
    assert_eq!(d.method, ::http::Method::POST);
    assert_eq!(d.path, BCL_PATH);
    assert_eq!(
        d.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(d.status, 200, "{:?}", d.outcome);
    assert_eq!(d.cache_control.as_deref(), Some("no-store"));
    let done = d.outcome.as_ref().expect("logout accepted");
    assert_eq!(done.sessions_ended, 1);
    assert_eq!(done.claims.sid.as_deref(), Some(sid.as_str()));
    assert_eq!(done.claims.sub.as_deref(), Some(DEFAULT_ACCOUNT));
    assert_eq!(done.claims.iss, provider.issuer);
    assert_eq!(done.claims.aud, vec![BCL_CLIENT_ID.to_owned()]);
    assert!(done.claims.exp > done.claims.iat);
    assert!(!done.claims.jti.is_empty());

    assert!(!sessions.is_active("app-session-1"));
    assert!(sessions.is_active("other-user"));
    assert!(sessions.is_active("same-user-other-sid"));
    let ended = sessions.ended();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].sid.as_deref(), Some(sid.as_str()));
    assert_eq!(ended[0].sub, DEFAULT_ACCOUNT);

    // What the provider sent, as documented in provider.mjs: explicitly typed, RS256.
    let token: String = url::form_urlencoded::parse(&d.body)
        .find_map(|(k, v)| (k == "logout_token").then(|| v.into_owned()))
        .unwrap();
    let jws = typed_oidc::jose::Jws::parse(&token).unwrap();
    assert_eq!(jws.header().typ.as_deref(), Some("logout+jwt"));
    assert_eq!(jws.header().alg, "RS256");

    // The same token again (a replay by anyone who saw it) is refused with 400.
    let replay = ::http::Request::builder()
        .method("POST")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(d.body.clone())
        .unwrap();
    let answered = handler.handle(&client, &replay).await;
    assert_eq!(answered.response.status(), 400);
    assert!(matches!(
        answered.outcome,
        Err(BackChannelError::Token(LogoutTokenError::Replayed))
    ));
    let body: serde_json::Value = serde_json::from_slice(answered.response.body()).unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(!String::from_utf8_lossy(answered.response.body()).contains(&token));
    server.abort();
}

/// A store whose database is down.
struct FailingStore;

impl SessionStore for FailingStore {
    fn end_sessions(
        &self,
        _logout: &LogoutTokenClaims,
    ) -> impl std::future::Future<Output = Result<usize, StoreError>> + Send {
        std::future::ready(Err(StoreError::new("session database unreachable")))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_session_store_answers_400_and_the_provider_sees_the_failure() {
    let handler = Arc::new(BackChannelLogout::new(
        MemoryReplayCache::new(16),
        FailingStore,
    ));
    let slot = Arc::new(Mutex::new(None));
    let deliveries: Deliveries = Arc::default();
    let (uri, server) = serve(handler.clone(), slot.clone(), deliveries.clone()).await;
    let provider = TestProvider::start_with_env(&[("OP_BACKCHANNEL_URI", &uri)]);
    let client = discover(&provider).await;
    *slot.lock().unwrap() = Some(client.clone());

    let mut ua = UserAgent::new();
    let tokens = login(&mut ua, &client).await;
    logout(&mut ua, &client, &tokens).await;
    let line = provider_log_line(&provider, "backchannel.").await;
    assert!(
        line.starts_with(&format!(
            "backchannel.error {BCL_CLIENT_ID} expected 200 OK"
        )),
        "{line}"
    );
    assert!(line.contains("400"), "{line}");

    let deliveries = std::mem::take(&mut *deliveries.lock().unwrap());
    assert_eq!(deliveries.len(), 1, "{deliveries:#?}");
    assert_eq!(deliveries[0].status, 400);
    let outcome = deliveries[0].outcome.as_ref().unwrap_err();
    assert!(outcome.starts_with("SessionStore("), "{outcome}");
    // The jti was released: the provider's retry of the same token is not a replay.
    assert!(handler.replay_cache().is_empty());
    server.abort();
}
