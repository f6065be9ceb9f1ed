//! Hostile transport, one level above `tests/transport.rs`: the crate's protocol
//! operations (discovery, the code exchange with ID-token validation, refresh,
//! UserInfo, the JWKS fetch, introspection, revocation) over the real
//! `HyperClient`, against a hand-written misbehaving provider on 127.0.0.1
//! (`hostile_transport/server.rs`). Each misbehaviour must give one specific typed
//! error, and the very same client value must work on the next, well-behaved call.
//!
//! No test reaches any address outside 127.0.0.1: the off-loopback `http://`
//! issuers are refused before any connection is attempted.

#![cfg(feature = "hyper-client")]

#[path = "hostile_transport/server.rs"]
mod server;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use serde_json::json;
use server::{Act, CLIENT_ID, SECRET, SUB, Server};
use typed_oidc::error::{ConfigError, Error, ProviderError, ResponseError};
use typed_oidc::http::{HttpClient, HyperClient, TransportError};
use typed_oidc::jose::{JoseError, JwsAlgorithm};
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

const MIB: usize = 1024 * 1024;
const DISCOVERY: &str = "/.well-known/openid-configuration";

/// The protocol operations under test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Discovery,
    Token,
    Refresh,
    UserInfo,
    Jwks,
    Introspection,
    Revocation,
}

impl Op {
    const ALL: [Op; 7] = [
        Op::Discovery,
        Op::Token,
        Op::Refresh,
        Op::UserInfo,
        Op::Jwks,
        Op::Introspection,
        Op::Revocation,
    ];

    fn path(self) -> &'static str {
        match self {
            Op::Discovery => DISCOVERY,
            Op::Token | Op::Refresh => "/token",
            Op::UserInfo => "/userinfo",
            Op::Jwks => "/jwks",
            Op::Introspection => "/introspect",
            Op::Revocation => "/revoke",
        }
    }

    /// The endpoint name the crate puts in its `ResponseError`s.
    fn endpoint(self) -> &'static str {
        match self {
            Op::Discovery => "discovery",
            Op::Token | Op::Refresh => "token",
            Op::UserInfo => "userinfo",
            Op::Jwks => "jwks",
            Op::Introspection => "introspection",
            Op::Revocation => "revocation",
        }
    }
}

/// One hostile provider, one `HyperClient` and one `Client` on it, with
/// refreshable tokens from a first (well-behaved) login.
struct Rig {
    server: Server,
    http: HyperClient,
    client: Client<HyperClient>,
    tokens: Tokens<Offline>,
}

fn builder() -> ClientBuilder<Confidential> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(SECRET))
        .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::ES256])
}

impl Rig {
    async fn new() -> Self {
        Self::with_http(HyperClient::builder().timeout(Duration::from_secs(20))).await
    }

    async fn with_http(http: typed_oidc::http::HyperClientBuilder) -> Self {
        let server = Server::start().await;
        let http = http.build().unwrap();
        let issuer = IssuerUrl::new(server.issuer()).unwrap();
        let client = builder().discover(&issuer, http.clone()).await.unwrap();
        let (_, pending) = client
            .authorization_request()
            .offline_access()
            .start()
            .unwrap();
        server.set_nonce(pending.nonce().map(|n| n.secret().to_owned()));
        let callback = format!(
            "https://rp.example/cb?code=first-code&state={}",
            pending.state().secret()
        );
        let tokens = pending
            .callback(&callback)
            .unwrap()
            .exchange(&client)
            .await
            .unwrap();
        assert_eq!(tokens.id_token_claims().unwrap().sub.as_str(), SUB);
        Rig {
            server,
            http,
            client,
            tokens,
        }
    }

    /// A new `Client` on the same transport and metadata, with an empty key cache.
    fn fresh_client(&self) -> Client<HyperClient> {
        builder()
            .build(self.client.metadata().clone(), self.http.clone())
            .unwrap()
    }

    /// Runs `op` with `client` (for discovery: with its transport).
    async fn run(&self, op: Op, client: &Client<HyperClient>) -> Result<(), Error> {
        match op {
            Op::Discovery => {
                let issuer = IssuerUrl::new(self.server.issuer()).unwrap();
                let discovered = builder().discover(&issuer, client.http().clone()).await?;
                assert_eq!(discovered.metadata().issuer.as_str(), self.server.issuer());
                Ok(())
            }
            Op::Token => {
                let (_, pending) = client.authorization_request().start()?;
                self.server
                    .set_nonce(pending.nonce().map(|n| n.secret().to_owned()));
                let callback = format!(
                    "https://rp.example/cb?code=a-code&state={}",
                    pending.state().secret()
                );
                let tokens = pending.callback(&callback)?.exchange(client).await?;
                assert_eq!(tokens.access_token().secret(), server::ACCESS_TOKEN);
                assert_eq!(tokens.id_token_claims().unwrap().sub.as_str(), SUB);
                Ok(())
            }
            Op::Refresh => {
                self.server.set_nonce(None);
                let fresh = self.tokens.refresh(client).await?;
                assert_eq!(fresh.access_token().secret(), server::ACCESS_TOKEN);
                Ok(())
            }
            Op::UserInfo => {
                let info = client.userinfo(&self.tokens).send().await?;
                assert_eq!(info.claims.sub.as_str(), SUB);
                Ok(())
            }
            Op::Jwks => {
                let token = self.server.id_token(None);
                let claims = client
                    .validate_id_token(&token, &Expectations::default())
                    .await?;
                assert_eq!(claims.sub.as_str(), SUB);
                Ok(())
            }
            Op::Introspection => {
                let info = client
                    .introspect(&AccessToken::new(server::ACCESS_TOKEN))
                    .send()
                    .await?;
                assert!(info.is_active());
                Ok(())
            }
            Op::Revocation => {
                client
                    .revoke(&AccessToken::new(server::ACCESS_TOKEN))
                    .send()
                    .await
            }
        }
    }

    /// Makes `op`'s endpoint do `act`, runs `op` once and returns its error; then
    /// heals the endpoint and proves the same client succeeds. JWKS cases use a
    /// client with an empty key cache (a cached set would never be refetched).
    async fn misbehave(&self, op: Op, act: Act) -> Error {
        let fresh;
        let client = if op == Op::Jwks {
            fresh = self.fresh_client();
            &fresh
        } else {
            &self.client
        };
        self.server.set(op.path(), act.clone());
        let error = match self.run(op, client).await {
            Ok(()) => panic!("{op:?} accepted {act:?}"),
            Err(e) => e,
        };
        self.server.heal(op.path());
        self.run(op, client)
            .await
            .unwrap_or_else(|e| panic!("{op:?}: client unusable after {act:?}: {e:?}"));
        error
    }
}

/// Peak (VmHWM) and current (VmRSS) resident memory of this process, in KiB.
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---- size cap ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_body_is_refused_without_buffering_it() {
    const TOTAL: usize = 256 * MIB;
    for op in [Op::Discovery, Op::Token, Op::Jwks] {
        for chunked in [true, false] {
            let rig = Rig::new().await;
            let before = memory_kib();
            let started = Instant::now();
            let error = rig
                .misbehave(
                    op,
                    Act::Big {
                        total: TOTAL,
                        chunked,
                    },
                )
                .await;
            let elapsed = started.elapsed();
            assert!(
                matches!(
                    error,
                    Error::Transport(TransportError::BodyTooLarge { limit }) if limit == MIB
                ),
                "{op:?} chunked={chunked}: {error:?}"
            );
            wait_until("the server to stop sending", || rig.server.big_done()).await;
            let after = memory_kib();
            let sent = rig.server.big_sent();
            eprintln!(
                "{op:?} chunked={chunked}: refused in {elapsed:?}; server wrote {:.1} of 256 MiB; (VmHWM, VmRSS) {before:?} -> {after:?} KiB",
                sent as f64 / MIB as f64
            );
            assert!(
                !rig.server.big_finished(),
                "{op:?}: the whole body was sent"
            );
            assert!(sent < TOTAL / 8, "{op:?}: the server sent {sent} bytes");
            let (Some((hwm_before, _)), Some((hwm_after, _))) = (before, after) else {
                panic!("/proc/self/status has no VmHWM/VmRSS");
            };
            let growth = hwm_after.saturating_sub(hwm_before);
            assert!(
                growth < 32 * 1024,
                "{op:?} chunked={chunked}: peak memory grew by {growth} KiB for a 256 MiB body"
            );
        }
    }
}

// ---- time ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_provider_dripping_one_byte_per_second_hits_the_total_timeout() {
    let rig = Rig::with_http(HyperClient::builder().timeout(Duration::from_millis(1500))).await;
    for op in [Op::Discovery, Op::Token, Op::UserInfo] {
        let started = Instant::now();
        let error = rig.misbehave(op, Act::Drip).await;
        let elapsed = started.elapsed();
        assert!(
            matches!(
                error,
                Error::Transport(TransportError::Timeout {
                    phase: "total",
                    millis: 1500
                })
            ),
            "{op:?}: {error:?}"
        );
        assert!(
            elapsed >= Duration::from_millis(1450) && elapsed < Duration::from_secs(4),
            "{op:?} took {elapsed:?}"
        );
    }
}

// ---- redirects -----------------------------------------------------------------------------

#[tokio::test]
async fn redirects_are_not_followed_and_their_target_never_hears_of_it() {
    let rig = Rig::new().await;
    // A second server as the redirect target, and a path on the provider itself.
    let elsewhere = Server::start().await;
    for op in Op::ALL {
        for status in [301u16, 302, 303, 307, 308] {
            for target in [elsewhere.url(op.path()), rig.server.url("/moved")] {
                // The body is a perfectly good JSON document: a 3xx must not be read as one.
                let act = Act::json(status, &json!({"issuer": rig.server.issuer(), "keys": []}))
                    .with_header("location", &target);
                let error = rig.misbehave(op, act).await;
                assert!(
                    matches!(
                        &error,
                        Error::Response(ResponseError::UnexpectedStatus { endpoint, status: s })
                            if *endpoint == op.endpoint() && *s == status
                    ),
                    "{op:?} {status}: {error:?}"
                );
            }
        }
    }
    assert_eq!(rig.server.hits("/moved"), 0, "a redirect was followed");
    for op in Op::ALL {
        assert_eq!(
            elsewhere.hits(op.path()),
            0,
            "{op:?}: a redirect was followed"
        );
    }
}

// ---- plain http off loopback -----------------------------------------------------------------

/// Polls `fut` once: what is refused before any I/O is ready at once.
fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
    let mut fut = pin!(fut);
    fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
}

const OFF_LOOPBACK: [&str; 8] = [
    "http://op.example",
    "http://10.1.2.3",
    "http://10.1.2.3:8080/tenant",
    "HTTP://OP.EXAMPLE/",
    "http://192.168.0.1",
    "http://[2001:db8::1]",
    "http://0.0.0.0",
    "http://localhost.op.example",
];

#[test]
fn http_issuers_and_endpoints_off_loopback_are_refused() {
    for url in OFF_LOOPBACK {
        let started = Instant::now();
        let error = IssuerUrl::new(url).unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidUrl { what: "issuer", .. }),
            "{url}: {error:?}"
        );
        assert!(
            matches!(
                EndpointUrl::new(&format!("{url}/token")),
                Err(ConfigError::InvalidUrl {
                    what: "endpoint",
                    ..
                })
            ),
            "{url}"
        );
        assert!(started.elapsed() < Duration::from_millis(50), "{url}");
    }
    // Loopback stays allowed over http (RFC 8252 §7.3), so the refusal is about the host.
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost",
        "http://[::1]:9",
    ] {
        IssuerUrl::new(url).unwrap();
    }
}

#[tokio::test]
async fn a_discovery_request_off_loopback_never_leaves_the_process() {
    let http = HyperClient::new().unwrap();
    for url in OFF_LOOPBACK {
        // What `discover` would send for that issuer, if one could be built.
        let request = ::http::Request::get(format!(
            "{}/.well-known/openid-configuration",
            url.trim_end_matches('/')
        ))
        .body(Vec::new())
        .unwrap();
        match poll_once(http.execute(request)) {
            Poll::Ready(Err(TransportError::InsecureScheme { host })) => {
                assert!(
                    url.to_ascii_lowercase()
                        .contains(&host.to_ascii_lowercase())
                )
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn metadata_naming_plain_http_endpoints_off_loopback_is_refused() {
    let rig = Rig::new().await;
    let iss = rig.server.issuer().to_owned();
    for (member, value) in [
        ("token_endpoint", "http://10.1.2.3/token"),
        ("jwks_uri", "http://op.example/jwks"),
        ("userinfo_endpoint", "http://192.168.0.1/me"),
        ("issuer", "http://op.example"),
    ] {
        let mut doc = json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/authorize"),
            "token_endpoint": format!("{iss}/token"),
            "jwks_uri": format!("{iss}/jwks"),
            "response_types_supported": ["code"],
        });
        doc[member] = value.into();
        let error = rig.misbehave(Op::Discovery, Act::json(200, &doc)).await;
        assert!(
            matches!(
                &error,
                Error::Response(ResponseError::Json {
                    endpoint: "discovery",
                    ..
                })
            ),
            "{member}: {error:?}"
        );
    }
}

// ---- content types and bodies ----------------------------------------------------------------

const HTML_PAGE: &[u8] = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>";

#[tokio::test]
async fn wrong_content_types_are_typed_errors() {
    let rig = Rig::new().await;
    for op in [
        Op::Discovery,
        Op::Token,
        Op::UserInfo,
        Op::Jwks,
        Op::Introspection,
    ] {
        for (content_type, body) in [
            (Some("text/html; charset=utf-8"), HTML_PAGE),
            (Some("application/xml"), b"<error>nope</error>".as_slice()),
            (Some("text/plain"), br#"{"sub":"alice"}"#.as_slice()),
            (None, br#"{"sub":"alice","keys":[]}"#.as_slice()),
        ] {
            let error = rig.misbehave(op, Act::reply(200, content_type, body)).await;
            let expected = content_type
                .map(|c| c.split(';').next().unwrap())
                .unwrap_or("");
            assert!(
                matches!(
                    &error,
                    Error::Response(ResponseError::ContentType { endpoint, content_type, .. })
                        if *endpoint == op.endpoint() && content_type == expected
                ),
                "{op:?} {content_type:?}: {error:?}"
            );
        }
    }
}

#[tokio::test]
async fn non_json_bodies_are_typed_errors() {
    let rig = Rig::new().await;
    for op in [
        Op::Discovery,
        Op::Token,
        Op::UserInfo,
        Op::Jwks,
        Op::Introspection,
    ] {
        for body in [
            HTML_PAGE,
            br#"{"issuer": "http://127.0.0.1:1", "keys": [{"kty""#.as_slice(),
            b"[1, 2, 3]".as_slice(),
            b"42".as_slice(),
            b"".as_slice(),
            b"{} trailing".as_slice(),
        ] {
            let error = rig
                .misbehave(op, Act::reply(200, Some("application/json"), body))
                .await;
            let ok = match op {
                Op::Jwks => matches!(
                    &error,
                    Error::Jose(JoseError::Json {
                        what: "JWK Set",
                        ..
                    })
                ),
                _ => matches!(
                    &error,
                    Error::Response(ResponseError::Json { endpoint, .. }) if *endpoint == op.endpoint()
                ),
            };
            assert!(ok, "{op:?} {:?}: {error:?}", String::from_utf8_lossy(body));
        }
    }
}

// ---- server errors -------------------------------------------------------------------------

#[tokio::test]
async fn server_errors_are_typed_errors() {
    let rig = Rig::new().await;
    for op in Op::ALL {
        for status in [500u16, 502, 503] {
            // No body, an HTML page, a JSON body that is not an OAuth error document.
            for act in [
                Act::reply(status, None, b""),
                Act::reply(status, Some("text/html"), HTML_PAGE).with_header("retry-after", "120"),
                Act::json(status, &json!({"message": "upstream down"})),
            ] {
                let error = rig.misbehave(op, act).await;
                assert!(
                    matches!(
                        &error,
                        Error::Response(ResponseError::UnexpectedStatus { endpoint, status: s })
                            if *endpoint == op.endpoint() && *s == status
                    ),
                    "{op:?} {status}: {error:?}"
                );
            }
            // An RFC 6749 §5.2 error document with Retry-After.
            let act = Act::json(
                status,
                &json!({"error": "temporarily_unavailable", "error_description": "try later"}),
            )
            .with_header("retry-after", "120");
            let error = rig.misbehave(op, act).await;
            assert!(
                matches!(
                    &error,
                    Error::Provider(ProviderError { error, status: Some(s), .. })
                        if error == "temporarily_unavailable" && *s == status
                ),
                "{op:?} {status}: {error:?}"
            );
        }
    }
}

// ---- connection resets ---------------------------------------------------------------------

#[tokio::test]
async fn connection_resets_are_typed_transport_errors() {
    let rig = Rig::new().await;
    for op in Op::ALL {
        for act in [Act::CloseAtOnce, Act::CloseMidHeaders, Act::CloseMidBody] {
            let error = rig.misbehave(op, act.clone()).await;
            assert!(
                matches!(&error, Error::Transport(TransportError::Io(_))),
                "{op:?} {act:?}: {error:?}"
            );
        }
    }
}
