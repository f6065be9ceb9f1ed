//! A purpose-built hostile OpenID Provider on 127.0.0.1: a raw HTTP/1.1 server
//! (one request per connection, `connection: close`) whose every path is either
//! a well-behaved endpoint (discovery, JWKS, token, userinfo, introspection,
//! revocation) or a scripted misbehaviour set by the test. It records which
//! paths were requested and stops by itself after `LIFETIME`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact};

/// Upper bound on how long a server lives.
const LIFETIME: Duration = Duration::from_secs(90);

pub const CLIENT_ID: &str = "hostile-rp";
pub const SECRET: &str = "hostile-rp-secret-0123456789abcdef0123456789";
pub const ACCESS_TOKEN: &str = "at-hostile-0123456789";
pub const REFRESH_TOKEN: &str = "rt-hostile-0123456789";
pub const SUB: &str = "alice";

/// What the server does with a request for one path.
#[derive(Clone, Debug)]
pub enum Act {
    /// A complete response with `content-length`.
    Reply {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// A 200 JSON response of `total` bytes, announced with `content-length` or
    /// sent chunked; the bytes actually written are counted in `Server::big_sent`.
    Big { total: usize, chunked: bool },
    /// A 200 JSON response announcing 64 bytes and sending one per second.
    Drip,
    /// Accepts the connection, reads the request, closes without a byte.
    CloseAtOnce,
    /// Sends half a status line and headers, then closes.
    CloseMidHeaders,
    /// Announces 200 bytes of JSON, sends 20, then closes.
    CloseMidBody,
}

impl Act {
    pub fn reply(status: u16, content_type: Option<&str>, body: &[u8]) -> Self {
        let headers = content_type
            .map(|ct| vec![("content-type", ct.to_owned())])
            .unwrap_or_default();
        Act::Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    pub fn json(status: u16, body: &Value) -> Self {
        Self::reply(
            status,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Act::Reply { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }
}

struct State {
    routes: Mutex<HashMap<String, Act>>,
    hits: Mutex<Vec<String>>,
    nonce: Mutex<Option<String>>,
    key: SigningKey,
    issuer: String,
    big_sent: AtomicUsize,
    big_finished: AtomicBool,
    big_done: AtomicBool,
}

/// A handle on one running hostile provider.
#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

impl Server {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            routes: Mutex::default(),
            hits: Mutex::default(),
            nonce: Mutex::default(),
            key: SigningKey::generate_ec_p256().unwrap().with_kid("k1"),
            issuer: format!("http://127.0.0.1:{port}"),
            big_sent: AtomicUsize::new(0),
            big_finished: AtomicBool::new(false),
            big_done: AtomicBool::new(false),
        });
        let serving = Arc::clone(&state);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(LIFETIME, async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(handle(Arc::clone(&serving), stream));
                }
            })
            .await;
        });
        Server { state }
    }

    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.state.issuer)
    }

    /// Makes `path` misbehave (or behave differently) from now on.
    pub fn set(&self, path: &str, act: Act) {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), act);
    }

    /// Restores the well-behaved endpoint at `path`.
    pub fn heal(&self, path: &str) {
        self.state.routes.lock().unwrap().remove(path);
    }

    /// How many requests named `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }

    /// The nonce the next good token response puts in its ID token (`None`: no ID token).
    pub fn set_nonce(&self, nonce: Option<String>) {
        *self.state.nonce.lock().unwrap() = nonce;
    }

    pub fn big_sent(&self) -> usize {
        self.state.big_sent.load(Ordering::SeqCst)
    }

    /// Whether the big-body sender has stopped (finished or cut off).
    pub fn big_done(&self) -> bool {
        self.state.big_done.load(Ordering::SeqCst)
    }

    pub fn big_finished(&self) -> bool {
        self.state.big_finished.load(Ordering::SeqCst)
    }

    /// An ES256 ID token from this provider for `alice`.
    pub fn id_token(&self, nonce: Option<&str>) -> String {
        sign_id_token(&self.state.key, &self.state.issuer, nonce)
    }
}

fn sign_id_token(key: &SigningKey, issuer: &str, nonce: Option<&str>) -> String {
    let mut claims = json!({
        "iss": issuer, "sub": SUB, "aud": CLIENT_ID,
        "iat": now(), "exp": now() + 600,
    });
    if let Some(n) = nonce {
        claims["nonce"] = n.into();
    }
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    sign_compact(
        key,
        JwsAlgorithm::ES256,
        header,
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

/// The well-behaved answer for `path`.
fn good(state: &State, path: &str) -> Act {
    let iss = &state.issuer;
    match path {
        "/.well-known/openid-configuration" => Act::json(
            200,
            &json!({
                "issuer": iss,
                "authorization_endpoint": format!("{iss}/authorize"),
                "token_endpoint": format!("{iss}/token"),
                "userinfo_endpoint": format!("{iss}/userinfo"),
                "jwks_uri": format!("{iss}/jwks"),
                "introspection_endpoint": format!("{iss}/introspect"),
                "revocation_endpoint": format!("{iss}/revoke"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["ES256"],
            }),
        ),
        "/jwks" => Act::json(200, &json!({ "keys": [state.key.public_jwk()] })),
        "/token" => {
            let mut body = json!({
                "access_token": ACCESS_TOKEN,
                "token_type": "Bearer",
                "expires_in": 600,
                "refresh_token": REFRESH_TOKEN,
            });
            let nonce = state.nonce.lock().unwrap().clone();
            if let Some(nonce) = nonce {
                body["id_token"] = sign_id_token(&state.key, iss, Some(&nonce)).into();
            }
            Act::json(200, &body)
        }
        "/userinfo" => Act::json(200, &json!({ "sub": SUB, "name": "Alice" })),
        "/introspect" => Act::json(200, &json!({ "active": true, "sub": SUB })),
        "/revoke" => Act::reply(200, None, b""),
        _ => Act::json(404, &json!({ "error": "not_found" })),
    }
}

/// Reads one request; returns its path (without the query), or `None` if the
/// client went away first.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if data.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let target = head.split_whitespace().nth(1)?.to_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut have = data.len() - head_end;
    while have < length.min(1024 * 1024) {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => have += n,
        }
    }
    Some(target.split('?').next().unwrap_or_default().to_owned())
}

async fn handle(state: Arc<State>, mut stream: TcpStream) {
    let Some(path) = read_request(&mut stream).await else {
        return;
    };
    state.hits.lock().unwrap().push(path.clone());
    let scripted = state.routes.lock().unwrap().get(&path).cloned();
    let act = scripted.unwrap_or_else(|| good(&state, &path));
    match act {
        Act::Reply {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Status\r\nconnection: close\r\ncontent-length: {}\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let mut out = head.into_bytes();
            out.extend_from_slice(&body);
            let _ = stream.write_all(&out).await;
            let _ = stream.shutdown().await;
        }
        Act::Big { total, chunked } => {
            send_big(&state, &mut stream, total, chunked).await;
            state.big_done.store(true, Ordering::SeqCst);
        }
        Act::Drip => {
            let head = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..64 {
                if stream.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Act::CloseAtOnce => drop(stream),
        Act::CloseMidHeaders => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: applic")
                .await;
            let _ = stream.flush().await;
            drop(stream);
        }
        Act::CloseMidBody => {
            let head = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(br#"{"issuer":"http://12"#).await;
            let _ = stream.flush().await;
            drop(stream);
        }
    }
}

/// Streams `total` bytes of a JSON string from one reused 64 KiB buffer, so the
/// server itself holds no more than that.
async fn send_big(state: &State, stream: &mut TcpStream, total: usize, chunked: bool) {
    const CHUNK: usize = 64 * 1024;
    let framing = if chunked {
        "transfer-encoding: chunked".to_owned()
    } else {
        format!("content-length: {total}")
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut frame = Vec::with_capacity(CHUNK + 16);
    if chunked {
        frame.extend_from_slice(format!("{CHUNK:x}\r\n").as_bytes());
    }
    frame.extend_from_slice(&[b'7'; CHUNK]);
    if chunked {
        frame.extend_from_slice(b"\r\n");
    }
    let mut sent = 0;
    while sent < total {
        if stream.write_all(&frame).await.is_err() {
            return;
        }
        sent += CHUNK;
        state.big_sent.store(sent, Ordering::SeqCst);
    }
    if !chunked || stream.write_all(b"0\r\n\r\n").await.is_ok() {
        state.big_finished.store(true, Ordering::SeqCst);
    }
}
