//! Tests of the default transport, `HyperClient`, against small servers that
//! each test starts on a loopback address and that stop by themselves (when the
//! test's runtime shuts down, or after `SERVER_LIFETIME` at the latest).
//!
//! No test contacts any address outside the loopback range: the one test that
//! names a public-looking host (`example.invalid`) checks that the request is
//! refused before any name lookup.

#![cfg(feature = "hyper-client")]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use typed_oidc::http::{HttpClient, HyperClient, TransportError};

/// Upper bound on how long any test server lives.
const SERVER_LIFETIME: Duration = Duration::from_secs(30);
const MIB: usize = 1024 * 1024;

// A throw-away CA and a leaf certificate for `localhost`, `127.0.0.1` and `::1`,
// valid 2020-2120, generated for these tests only. The key protects nothing.
const TEST_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBnTCCAUOgAwIBAgIUb+IlMGxnyRjHHQBqNkDHa2brPz4wCgYIKoZIzj0EAwIw
KjEoMCYGA1UEAwwfdHlwZWQtb2lkYyB0ZXN0IENBICh0ZXN0cyBvbmx5KTAgFw0y
MDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowKjEoMCYGA1UEAwwfdHlwZWQt
b2lkYyB0ZXN0IENBICh0ZXN0cyBvbmx5KTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABGi5/b7cSQ2mM0ZJTmAaLe0V2ma6qva0I9S4ydNxucKdlsl563OIL/ckOcCA
Dz8/xr0jlCK4mlSv78HKZm95vx6jRTBDMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYD
VR0PAQH/BAQDAgEGMB0GA1UdDgQWBBQ1KO9zzz8sR10y1wyl4Rt53jhO7DAKBggq
hkjOPQQDAgNIADBFAiEA8J/zhtU7/gi0KhdcZqEK/aR+r+KGLafO7Ycl0t26o8MC
IGLuqzlWjJFkUXuTm8rlkipRiqNk0A70PRa2sowERziY
-----END CERTIFICATE-----
";
const TEST_LEAF_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIByDCCAW6gAwIBAgIUc3ZDUut1UUPCd4+AVCyHCu7LoOAwCgYIKoZIzj0EAwIw
KjEoMCYGA1UEAwwfdHlwZWQtb2lkYyB0ZXN0IENBICh0ZXN0cyBvbmx5KTAgFw0y
MDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowFDESMBAGA1UEAwwJbG9jYWxo
b3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6UtRQCC9NzNR/1U1POsze+sO
64AgVUDYFNk+YbLC1WmcLUlLv6Q8W/XcZ1dbybBwm6bBr03KpNgBZc5sw+PE7KOB
hTCBgjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggr
BgEFBQcDATAsBgNVHREEJTAjgglsb2NhbGhvc3SHBH8AAAGHEAAAAAAAAAAAAAAA
AAAAAAEwHwYDVR0jBBgwFoAUNSjvc88/LEddMtcMpeEbed44TuwwCgYIKoZIzj0E
AwIDSAAwRQIhAMowdkD9eA3nKZxFdfjY/V2dPi5n2V849miklyCpLO73AiBbH1Tj
/XNv909WL+mqklu1yTMgA7fRabCIHgs90A3aWA==
-----END CERTIFICATE-----
";
const TEST_LEAF_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfmk8uT8CCAFFEC2B
UBUyksJ8Z5mv0wr+YYa/P59pyF6hRANCAATpS1FAIL03M1H/VTU86zN76w7rgCBV
QNgU2T5hssLVaZwtSUu/pDxb9dxnV1vJsHCbpsGvTcqk2AFlzmzD48Ts
-----END PRIVATE KEY-----
";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A client configuration that trusts only the test CA, so that the tests do
/// not depend on the platform's root store.
fn test_client_tls() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(TEST_CA_PEM.as_bytes()).unwrap())
        .unwrap();
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn builder() -> typed_oidc::http::HyperClientBuilder {
    HyperClient::builder().tls_config(test_client_tls())
}

fn client() -> HyperClient {
    builder().build().unwrap()
}

fn get(uri: &str) -> Request<Vec<u8>> {
    Request::get(uri).body(Vec::new()).unwrap()
}

fn vm_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What a test server saw of one request.
#[derive(Debug)]
struct Seen {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
}

type Reply = Response<Full<Bytes>>;

/// Serves HTTP/1.1 on 127.0.0.1 with `reply`, reporting each request on the
/// returned channel and counting accepted connections.
async fn serve(
    reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> (SocketAddr, mpsc::UnboundedReceiver<Seen>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (rx, connections) = spawn_hyper_server(listener, Arc::new(reply), None);
    (addr, rx, connections)
}

fn spawn_hyper_server(
    listener: TcpListener,
    reply: Arc<dyn Fn(&Seen) -> Reply + Send + Sync>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> (mpsc::UnboundedReceiver<Seen>, Arc<AtomicUsize>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&connections);
    tokio::spawn(async move {
        let _ = tokio::time::timeout(SERVER_LIFETIME, async {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (tx, reply, tls) = (tx.clone(), Arc::clone(&reply), tls.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (tx, reply) = (tx.clone(), Arc::clone(&reply));
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let seen = Seen {
                                method: parts.method,
                                uri: parts.uri,
                                headers: parts.headers,
                                body,
                            };
                            let response = reply(&seen);
                            let _ = tx.send(seen);
                            Ok::<_, Infallible>(response)
                        }
                    });
                    match tls {
                        None => {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(stream).await else {
                                return;
                            };
                            let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                            if h2 {
                                let _ =
                                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                                        .serve_connection(TokioIo::new(tls), service)
                                        .await;
                            } else {
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(tls), service)
                                    .await;
                            }
                        }
                    }
                });
            }
        })
        .await;
    });
    (rx, connections)
}

/// An HTTPS server on 127.0.0.1 presenting the test leaf certificate and
/// offering the given ALPN protocols.
async fn serve_tls(alpn: &[&[u8]]) -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
    let cert = CertificateDer::from_pem_slice(TEST_LEAF_PEM.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(TEST_LEAF_KEY_PEM.as_bytes()).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (rx, _) = spawn_hyper_server(listener, Arc::new(|_: &Seen| ok_json()), Some(acceptor));
    (addr, rx)
}

fn ok_json() -> Reply {
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"ok":true}"#)))
        .unwrap()
}

/// Starts a raw TCP server on 127.0.0.1 that hands its first connection to `f`.
async fn raw_server<F, Fut>(f: F) -> SocketAddr
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(SERVER_LIFETIME, async move {
            if let Ok((stream, _)) = listener.accept().await {
                f(stream).await;
            }
        })
        .await;
    });
    addr
}

/// Reads a request head (up to the blank line); requests in these tests have no body.
async fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
}

/// Proves the client still works: one successful request to a fresh server.
async fn assert_still_usable(client: &HyperClient) {
    let (addr, _rx, _) = serve(|_| ok_json()).await;
    let response = client
        .execute(get(&format!("http://{addr}/after-failure")))
        .await
        .expect("client must stay usable after a failure");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
}

#[test]
fn client_is_clone_send_sync_debug() {
    fn check<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    check::<HyperClient>();
    let debug = format!("{:?}", client());
    assert!(
        debug.contains("HyperClient") && debug.contains("max_response_bytes"),
        "{debug}"
    );
}

#[test]
fn builder_rejects_bad_settings() {
    assert!(matches!(
        builder().timeout(Duration::ZERO).build(),
        Err(TransportError::InvalidRequest(_))
    ));
    assert!(matches!(
        builder().user_agent("bad\nagent").build(),
        Err(TransportError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn json_roundtrip_keeps_method_headers_and_body() {
    let (addr, mut seen, _) = serve(|seen| {
        Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .header("x-echo-len", seen.body.len().to_string())
            .body(Full::new(Bytes::from_static(
                br#"{"access_token":"at","token_type":"Bearer"}"#,
            )))
            .unwrap()
    })
    .await;
    let client = client();
    let body = br#"{"grant_type":"authorization_code","code":"c0de"}"#.to_vec();
    let request = Request::post(format!("http://{addr}/token?x=1"))
        .header("content-type", "application/json")
        .header("authorization", "Basic Y2xpZW50OnNlY3JldA==")
        .body(body.clone())
        .unwrap();
    let response = client.execute(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.headers()["x-echo-len"],
        body.len().to_string().as_str()
    );
    assert_eq!(
        response.body().as_ref(),
        br#"{"access_token":"at","token_type":"Bearer"}"#
    );

    let first = seen.recv().await.unwrap();
    assert_eq!(first.method, http::Method::POST);
    assert_eq!(first.uri.path_and_query().unwrap().as_str(), "/token?x=1");
    assert_eq!(first.headers["authorization"], "Basic Y2xpZW50OnNlY3JldA==");
    assert_eq!(first.headers["content-type"], "application/json");
    assert_eq!(
        first.headers["content-length"],
        body.len().to_string().as_str()
    );
    assert_eq!(first.headers["accept"], "application/json");
    let agent = first.headers["user-agent"].to_str().unwrap();
    assert_eq!(agent, concat!("typed-oidc/", env!("CARGO_PKG_VERSION")));
    assert_eq!(first.headers["host"], addr.to_string().as_str());
    assert_eq!(first.body.as_ref(), body.as_slice());

    // Headers the caller set are kept, not replaced by the defaults.
    let request = Request::get(format!("http://{addr}/userinfo"))
        .header("accept", "application/jwt")
        .header("user-agent", "my-app/2")
        .body(Vec::new())
        .unwrap();
    client.execute(request).await.unwrap();
    let second = seen.recv().await.unwrap();
    assert_eq!(second.method, http::Method::GET);
    assert_eq!(second.headers["accept"], "application/jwt");
    assert_eq!(second.headers["user-agent"], "my-app/2");
    assert!(second.body.is_empty());
}

#[tokio::test]
async fn configured_user_agent_is_the_default() {
    let (addr, mut seen, _) = serve(|_| ok_json()).await;
    let client = builder().user_agent("rp/1.0").build().unwrap();
    client
        .execute(get(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(seen.recv().await.unwrap().headers["user-agent"], "rp/1.0");
}

#[tokio::test]
async fn redirect_is_returned_not_followed() {
    let (addr, mut seen, _) = serve(|seen| {
        if seen.uri.path() == "/start" {
            Response::builder()
                .status(302)
                .header("location", "/followed")
                .body(Full::new(Bytes::new()))
                .unwrap()
        } else {
            ok_json()
        }
    })
    .await;
    let client = client();
    let response = client
        .execute(get(&format!("http://{addr}/start")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/followed");
    assert_eq!(seen.recv().await.unwrap().uri.path(), "/start");
    // Nothing else arrived: the redirect was not followed.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(seen.try_recv().is_err(), "the client followed the redirect");
}

#[tokio::test]
async fn body_exactly_at_the_cap_is_accepted() {
    let (addr, _seen, _) = serve(|_| Response::new(Full::new(Bytes::from(vec![b'x'; 4096])))).await;
    let client = builder().max_response_bytes(4096).build().unwrap();
    let response = client
        .execute(get(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(response.body().len(), 4096);

    let client = builder().max_response_bytes(4095).build().unwrap();
    let error = client
        .execute(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit: 4095 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn content_length_above_the_cap_is_refused_before_reading() {
    // Announces 10 MiB, sends 1 KiB, then waits: only an early refusal can finish quickly.
    let addr = raw_server(|mut stream| async move {
        read_head(&mut stream).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            10 * MIB
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(&[b'a'; 1024]).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let client = builder().timeout(Duration::from_secs(5)).build().unwrap();
    let started = Instant::now();
    let error = client
        .execute(get(&format!("http://{addr}/jwks")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit } if limit == MIB),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_still_usable(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_above_the_cap_stops_reading_early() {
    const TOTAL: usize = 50 * MIB;
    const CHUNK: usize = 64 * 1024;
    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel::<(usize, bool)>();
    let addr = raw_server(|mut stream| async move {
        read_head(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        let mut sent = 0;
        let mut finished = false;
        if stream.write_all(head.as_bytes()).await.is_ok() {
            let mut frame = format!("{CHUNK:x}\r\n").into_bytes();
            frame.extend_from_slice(&[b'7'; CHUNK]);
            frame.extend_from_slice(b"\r\n");
            while sent < TOTAL {
                if stream.write_all(&frame).await.is_err() {
                    break;
                }
                sent += CHUNK;
            }
            finished = sent >= TOTAL && stream.write_all(b"0\r\n\r\n").await.is_ok();
        }
        let _ = sent_tx.send((sent, finished));
    })
    .await;

    let client = builder().timeout(Duration::from_secs(20)).build().unwrap();
    let rss_before = vm_rss_kib();
    let started = Instant::now();
    let error = client
        .execute(get(&format!("http://{addr}/big")))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let rss_after = vm_rss_kib();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit } if limit == MIB),
        "{error:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    let (sent, finished) = tokio::time::timeout(Duration::from_secs(10), sent_rx)
        .await
        .expect("the server must notice the closed connection")
        .unwrap();
    eprintln!(
        "chunked: client gave up after {elapsed:?}; server wrote {:.1} MiB of {} MiB before the connection closed; VmRSS {rss_before:?} -> {rss_after:?} KiB",
        sent as f64 / MIB as f64,
        TOTAL / MIB
    );
    assert!(
        !finished && sent < TOTAL,
        "the server sent the whole body ({sent} bytes)"
    );
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        let growth_kib = after.saturating_sub(before);
        assert!(
            growth_kib < 16 * 1024,
            "resident memory grew by {growth_kib} KiB while refusing a 50 MiB body"
        );
    }
    assert_still_usable(&client).await;
}

#[tokio::test]
async fn dripping_server_hits_the_total_timeout() {
    let addr = raw_server(|mut stream| async move {
        read_head(&mut stream).await;
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if stream.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let client = builder().timeout(Duration::from_secs(1)).build().unwrap();
    let started = Instant::now();
    let error = client
        .execute(get(&format!("http://{addr}/slow")))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: "total",
                millis: 1000
            }
        ),
        "{error:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(3),
        "took {elapsed:?}"
    );
    assert_still_usable(&client).await;
}

#[tokio::test]
async fn silent_tls_peer_hits_the_connect_timeout() {
    // Accepts TCP but never answers the TLS ClientHello: the connect timeout
    // covers the handshake, not only the TCP connect.
    let addr = raw_server(|mut stream| async move {
        let mut sink = [0u8; 4096];
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    let client = builder()
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .execute(get(&format!("https://{addr}/?secret=xyz")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: "connect",
                millis: 300
            }
        ),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_still_usable(&client).await;
}

fn assert_no_secret(error: &TransportError) {
    let display = error.to_string();
    let debug = format!("{error:?}");
    assert!(
        !display.contains("xyz") && !debug.contains("xyz"),
        "secret leaked: {display} / {debug}"
    );
    assert!(
        !display.contains("hunter2") && !debug.contains("hunter2"),
        "header leaked: {display}"
    );
}

fn secret_request(uri: String) -> Request<Vec<u8>> {
    Request::post(uri)
        .header("authorization", "Bearer hunter2")
        .body(b"client_secret=hunter2".to_vec())
        .unwrap()
}

#[tokio::test]
async fn reset_connection_gives_a_typed_error_without_secrets() {
    let addr = raw_server(|mut stream| async move {
        read_head(&mut stream).await;
        // SO_LINGER 0: closing sends a TCP RST instead of a FIN.
        let _ = stream.set_zero_linger();
        drop(stream);
    })
    .await;
    let client = client();
    let error = client
        .execute(secret_request(format!("http://{addr}/token?secret=xyz")))
        .await
        .unwrap_err();
    eprintln!("reset: {error}");
    assert!(
        matches!(
            error,
            TransportError::Io(_) | TransportError::Connect { .. }
        ),
        "{error:?}"
    );
    assert_no_secret(&error);
    assert_still_usable(&client).await;
}

#[tokio::test]
async fn refused_connection_gives_a_connect_error_without_secrets() {
    // A port that was just free: nothing listens there any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let client = client();
    let error = client
        .execute(secret_request(format!("http://{addr}/token?secret=xyz")))
        .await
        .unwrap_err();
    eprintln!("refused: {error}");
    match &error {
        TransportError::Connect { host, detail } => {
            assert_eq!(host, &addr.to_string());
            assert!(!detail.is_empty());
        }
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_no_secret(&error);
    assert_still_usable(&client).await;
}

/// Polls `fut` once: a request refused before any I/O is ready at once.
fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
    let mut fut = pin!(fut);
    fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_lookup() {
    let client = client();
    // Ready on the first poll: no name lookup or connect was even started.
    let refused = poll_once(client.execute(get("http://example.invalid/token?secret=xyz")));
    let Poll::Ready(Err(error)) = refused else {
        panic!("expected an immediate refusal, got {refused:?}")
    };
    assert!(
        matches!(&error, TransportError::InsecureScheme { host } if host == "example.invalid"),
        "{error:?}"
    );
    assert_no_secret(&error);

    for uri in [
        "ftp://127.0.0.1/",
        "/relative/path",
        "https://user:xyz@127.0.0.1/",
    ] {
        let refused = poll_once(client.execute(get(uri)));
        let Poll::Ready(Err(error)) = refused else {
            panic!("{uri}: expected an immediate refusal, got {refused:?}")
        };
        assert!(
            matches!(error, TransportError::InvalidRequest(_)),
            "{uri}: {error:?}"
        );
        assert_no_secret(&error);
    }
    // Look-alikes of loopback names are not loopback.
    for uri in [
        "http://localhost.example.invalid/",
        "http://127.0.0.1.example.invalid/",
    ] {
        let refused = poll_once(client.execute(get(uri)));
        assert!(
            matches!(
                refused,
                Poll::Ready(Err(TransportError::InsecureScheme { .. }))
            ),
            "{uri}: {refused:?}"
        );
    }
    assert_still_usable(&client).await;
}

#[tokio::test]
async fn localhost_and_ipv6_loopback_are_accepted_over_http() {
    let (addr, _seen, _) = serve(|_| ok_json()).await;
    let client = client();
    let response = client
        .execute(get(&format!("http://localhost:{}/", addr.port())))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let listener = match TcpListener::bind("[::1]:0").await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("skipping the [::1] part: cannot bind the IPv6 loopback address: {e}");
            return;
        }
    };
    let v6 = listener.local_addr().unwrap();
    let (_seen, _) = spawn_hyper_server(listener, Arc::new(|_: &Seen| ok_json()), None);
    let response = client
        .execute(get(&format!("http://[::1]:{}/", v6.port())))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_negotiates_http2_or_http1_by_alpn() {
    let client = client();

    let (addr, mut seen) = serve_tls(&[b"h2", b"http/1.1"]).await;
    for host in ["localhost".to_owned(), "127.0.0.1".to_owned()] {
        let response = client
            .execute(get(&format!(
                "https://{host}:{}/.well-known/openid-configuration",
                addr.port()
            )))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.version(), Version::HTTP_2, "{host}");
        assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
        let seen = seen.recv().await.unwrap();
        assert_eq!(seen.headers["accept"], "application/json");
        assert!(seen.headers.contains_key("user-agent"));
    }

    let (addr, _seen) = serve_tls(&[b"http/1.1"]).await;
    let response = client
        .execute(get(&format!("https://{addr}/jwks")))
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn default_roots_do_not_trust_an_unknown_ca() {
    let client = match HyperClient::new() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("skipping: this machine has no usable platform root certificates: {e}");
            return;
        }
    };
    let (addr, _seen) = serve_tls(&[b"h2", b"http/1.1"]).await;
    let error = client
        .execute(get(&format!("https://{addr}/?secret=xyz")))
        .await
        .unwrap_err();
    eprintln!("unknown CA: {error}");
    match &error {
        TransportError::Connect { detail, .. } => {
            assert!(detail.contains("certificate"), "{detail}")
        }
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_no_secret(&error);
    // The same default client talks plain http to loopback.
    assert_still_usable(&client).await;
}

/// One client, used from three runtimes one after the other (as happens with
/// a client kept in a `static` across `#[tokio::test]`s): connections pooled
/// by a runtime that has shut down must be discarded, not reused.
#[test]
fn one_client_across_successive_runtimes() {
    // The server runs on its own thread and runtime so it outlives the client's runtimes.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (addr, _seen, connections) = serve(|_| ok_json()).await;
            addr_tx.send(addr).unwrap();
            let _ = tokio::time::timeout(SERVER_LIFETIME, stop_rx).await;
            connections.load(Ordering::SeqCst)
        })
    });
    let addr = addr_rx.recv().unwrap();
    let client = client();
    let url = format!("http://{addr}/");

    let current_thread = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let multi_thread = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    };
    // Ten runtimes: more than the client keeps pools for, so old pools are evicted too.
    for round in 0..10 {
        let rt = if round % 2 == 0 {
            current_thread()
        } else {
            multi_thread()
        };
        rt.block_on(async {
            for _ in 0..2 {
                let response =
                    tokio::time::timeout(Duration::from_secs(5), client.execute(get(&url)))
                        .await
                        .unwrap_or_else(|_| panic!("round {round}: request hung"))
                        .unwrap_or_else(|e| panic!("round {round}: {e}"));
                assert_eq!(response.status(), StatusCode::OK);
            }
        });
        drop(rt);
    }
    let _ = stop_tx.send(());
    let connections = server.join().unwrap();
    eprintln!("successive runtimes: 20 requests over {connections} connections");
    // Each runtime needed at least one fresh connection.
    assert!(connections >= 10, "{connections}");
}

/// One client used from two runtimes that are both alive, the first of which
/// is idle (a current-thread runtime only runs its tasks inside `block_on`).
/// A connection opened by the first runtime is driven by a task of that
/// runtime; the second runtime must not be handed it, or its request would
/// wait for a runtime that nobody drives.
#[test]
fn one_client_in_two_live_runtimes() {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (addr, _seen, connections) = serve(|_| ok_json()).await;
            addr_tx.send(addr).unwrap();
            let _ = tokio::time::timeout(SERVER_LIFETIME, stop_rx).await;
            connections.load(Ordering::SeqCst)
        })
    });
    let addr = addr_rx.recv().unwrap();
    let client = client();
    let url = format!("http://{addr}/");
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let request = |rt: &tokio::runtime::Runtime, which: &str| {
        rt.block_on(async {
            let response = tokio::time::timeout(Duration::from_secs(3), client.execute(get(&url)))
                .await
                .unwrap_or_else(|_| panic!("{which}: request hung"))
                .unwrap_or_else(|e| panic!("{which}: {e}"));
            assert_eq!(response.status(), StatusCode::OK);
            // Let the connection go back to the pool.
            tokio::time::sleep(Duration::from_millis(50)).await;
        })
    };
    let first = runtime();
    let second = runtime();
    request(&first, "first runtime");
    request(&second, "second runtime, first idle");
    request(&first, "first runtime again, second idle");
    drop(first);
    request(&second, "second runtime, first gone");
    drop(second);
    let _ = stop_tx.send(());
    let connections = server.join().unwrap();
    eprintln!("two live runtimes: 4 requests over {connections} connections");
}
