//! DPoP nonces (RFC 9449 §8, §9) through a whole `Client<ScriptedHttp, Dpop<Confidential>>`
//! exchange: the client, built offline with a fixture `DpopKey`, sends a client credentials
//! grant, a protected resource request or a UserInfo request over an in-memory transport
//! whose answers come from the fuzz input, and retries once on `use_dpop_nonce`.
//!
//! Input: a selector byte, a first line with the target URL (the token endpoint, the
//! resource, the UserInfo endpoint; empty or unusable for an endpoint = the default one),
//! then a script of answers (`typed_oidc_fuzz::scripted`: status line, header lines such
//! as `DPoP-Nonce` and `WWW-Authenticate`, repeatable, empty line, body; answers separated
//! by a `----` line). Selector bits 0–1: client credentials with `client_secret_basic`,
//! client credentials with `private_key_jwt`, protected resource request, UserInfo; bits
//! 2–3: the DPoP key (ES256, EdDSA, ES384); bits 4–6: the resource request's method; bit 7:
//! once the script is used up, the transport fails instead of answering the endpoint's
//! plain success.
//!
//! Invariants: nothing panics; at most two requests are sent; every request carries one
//! proof that verifies with the key's public JWK from its own `dpop+jwt` header, whose
//! `htm` is the request method, whose `htu` is the request URI without query and fragment,
//! whose `iat` is the client clock, with a fresh `jti`, `ath` exactly on resource and
//! UserInfo requests; the first proof has no `nonce`; a second request is sent only after a
//! `use_dpop_nonce` answer (400 error document, 401 `DPoP` challenge) with exactly one valid
//! `DPoP-Nonce`, and its proof's `nonce` is that value (with a new client assertion); such
//! an answer strictly per RFC 6749 §5.2 / RFC 9110 §11.6.1 is always retried, and one
//! without a usable nonce is `DpopError::NonceMissing` / `InvalidNonce`; an `Ok` token grant
//! has token type `DPoP` and the last answer's access token, an `Ok` resource response is
//! the last answer, never a second nonce challenge; the next proof to the same origin
//! carries the last valid nonce received, a proof to another origin does not.
#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use typed_oidc::dpop::{DpopError, access_token_hash};
use typed_oidc::jose::{Jwk, Jws, JwsAlgorithm, SigningKey, from_json_no_duplicates};
use typed_oidc::time::FixedClock;
use typed_oidc::token::TokenType;
use typed_oidc::types::EndpointUrl;
use typed_oidc::{
    Client, ClientId, ClientSecret, Confidential, Dpop, DpopAccessToken, DpopKey, Error, SubjectId,
};
use typed_oidc_fuzz::scripted::{Answer, ScriptedHttp, parse_script};
use typed_oidc_fuzz::{self as common, block_on};

type DpopClient = Client<ScriptedHttp, Dpop<Confidential>>;

const ACCESS_TOKEN: &str = "fuzz-dpop-access-token";
const RESOURCE: &str = "https://rs.example/api/resource?x=1#frag";

static DPOP_KEYS: LazyLock<[DpopKey; 3]> = LazyLock::new(|| {
    [
        DpopKey::from_jwk(common::EC_P256_JWK).expect("EC P-256 DPoP key"),
        DpopKey::from_pem(common::ED25519_PEM, None).expect("Ed25519 DPoP key"),
        DpopKey::from_jwk(common::EC_P384_JWK).expect("EC P-384 DPoP key"),
    ]
});
static ASSERTION_KEY: LazyLock<SigningKey> = LazyLock::new(common::ed25519_key);

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TokenBasic,
    TokenJwt,
    Resource,
    UserInfo,
}

impl Op {
    fn is_token(self) -> bool {
        matches!(self, Op::TokenBasic | Op::TokenJwt)
    }
    /// The plain success of the endpoint, answered once the script is used up.
    fn success(self) -> Answer {
        match self {
            Op::TokenBasic | Op::TokenJwt => Answer::simple(
                200,
                Some("application/json"),
                br#"{"access_token":"fallback-at","token_type":"DPoP","expires_in":300}"#,
            ),
            Op::Resource => Answer::simple(200, Some("text/plain"), b"ok"),
            Op::UserInfo => {
                Answer::simple(200, Some("application/json"), br#"{"sub":"fuzz-subject"}"#)
            }
        }
    }
}

fn client(
    op: Op,
    key: &DpopKey,
    token_endpoint: &str,
    userinfo: &str,
    http: ScriptedHttp,
) -> DpopClient {
    let mut md = common::metadata(false);
    md.token_endpoint = Some(EndpointUrl::new(token_endpoint).expect("endpoint"));
    md.userinfo_endpoint = Some(EndpointUrl::new(userinfo).expect("endpoint"));
    let clock = Arc::new(FixedClock(
        SystemTime::UNIX_EPOCH + Duration::from_secs(common::NOW),
    ));
    let builder = Client::builder(ClientId::new(common::CLIENT_ID));
    let built = if op == Op::TokenJwt {
        builder
            .private_key(ASSERTION_KEY.clone())
            .dpop(key.clone())
            .clock(clock)
            .build(md, http)
    } else {
        builder
            .client_secret(ClientSecret::new(common::CLIENT_SECRET))
            .dpop(key.clone())
            .clock(clock)
            .build(md, http)
    };
    built.expect("offline DPoP client builds")
}

// ---- the server side, as RFC 9449 and RFC 9110 define it ------------------------------------

/// RFC 9449 §8.1: exactly one `DPoP-Nonce` whose value is `1*NQCHAR` (at most the crate's
/// 1024 bytes). `Err(())` when present but unusable.
fn nonce_of(headers: &http::HeaderMap) -> Result<Option<String>, ()> {
    let values: Vec<&http::HeaderValue> = headers.get_all("dpop-nonce").iter().collect();
    match values.as_slice() {
        [] => Ok(None),
        [one] => {
            let b = one.as_bytes();
            let nqchar =
                |c: &u8| *c == 0x21 || (0x23..=0x5b).contains(c) || (0x5d..=0x7e).contains(c);
            if !b.is_empty() && b.len() <= typed_oidc::dpop::MAX_NONCE_LEN && b.iter().all(nqchar) {
                Ok(Some(String::from_utf8(b.to_vec()).expect("ASCII")))
            } else {
                Err(())
            }
        }
        _ => Err(()),
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// An auth-scheme and its auth-params.
type Challenge = (String, Vec<(String, String)>);

/// A strict RFC 9110 §11.6.1 parser of one `WWW-Authenticate` value (visible ASCII, SP and
/// HTAB only): the challenges with their auth-params (names lower-cased, values unquoted),
/// or `None` for anything outside the grammar.
fn strict_challenges(s: &[u8]) -> Option<Vec<Challenge>> {
    if !s.iter().all(|c| *c == b'\t' || (0x20..0x7f).contains(c)) {
        return None;
    }
    let n = s.len();
    let mut i = 0;
    let ows = |i: &mut usize| {
        while *i < n && (s[*i] == b' ' || s[*i] == b'\t') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| {
        let start = *i;
        while *i < n && is_tchar(s[*i]) {
            *i += 1;
        }
        String::from_utf8(s[start..*i].to_vec()).expect("ASCII")
    };
    // auth-param = token BWS "=" BWS ( token / quoted-string ); `None` (and `i` unchanged)
    // when what follows is not one.
    let auth_param = |i: &mut usize| -> Option<(String, String)> {
        let mut j = *i;
        let name = token(&mut j);
        if name.is_empty() {
            return None;
        }
        ows(&mut j);
        if j >= n || s[j] != b'=' {
            return None;
        }
        j += 1;
        ows(&mut j);
        let value = if j < n && s[j] == b'"' {
            j += 1;
            let mut v = Vec::new();
            loop {
                match s.get(j)? {
                    b'"' => break,
                    b'\\' => {
                        j += 1;
                        v.push(*s.get(j)?);
                    }
                    c => v.push(*c),
                }
                j += 1;
            }
            j += 1;
            String::from_utf8(v).expect("ASCII")
        } else {
            let v = token(&mut j);
            if v.is_empty() {
                return None;
            }
            v
        };
        *i = j;
        Some((name.to_ascii_lowercase(), value))
    };
    let mut out = Vec::new();
    loop {
        // Empty list elements are allowed.
        while i < n && matches!(s[i], b' ' | b'\t' | b',') {
            i += 1;
        }
        if i >= n {
            return Some(out);
        }
        let scheme = token(&mut i);
        if scheme.is_empty() {
            return None;
        }
        let mut params = Vec::new();
        let before_sp = i;
        while i < n && s[i] == b' ' {
            i += 1;
        }
        if i < n && s[i] != b',' {
            if i == before_sp {
                return None;
            }
            if let Some(p) = auth_param(&mut i) {
                params.push(p);
                // More auth-params after commas; an element that is not one starts the next
                // challenge.
                loop {
                    let mut j = i;
                    ows(&mut j);
                    if j >= n {
                        i = j;
                        break;
                    }
                    if s[j] != b',' {
                        return None;
                    }
                    while j < n && matches!(s[j], b' ' | b'\t' | b',') {
                        j += 1;
                    }
                    i = j;
                    match auth_param(&mut i) {
                        Some(p) => params.push(p),
                        None => break,
                    }
                }
            } else {
                // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
                let start = i;
                while i < n && (s[i].is_ascii_alphanumeric() || b"-._~+/".contains(&s[i])) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                while i < n && s[i] == b'=' {
                    i += 1;
                }
                ows(&mut i);
                if i < n && s[i] != b',' {
                    return None;
                }
            }
        }
        out.push((scheme, params));
    }
}

/// Whether a `DPoP` challenge says `error="use_dpop_nonce"` in a strictly valid value.
fn strict_dpop_challenge(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| strict_challenges(v.as_bytes()))
        .flatten()
        .any(|(scheme, params)| {
            scheme.eq_ignore_ascii_case("dpop")
                && params
                    .iter()
                    .any(|(k, v)| k == "error" && v == "use_dpop_nonce")
        })
}

/// An answer that is unmistakably a nonce request: HTTP 400 with an RFC 6749 §5.2 error
/// object (no duplicate members, string `error` exactly `use_dpop_nonce`, string or absent
/// `error_description` / `error_uri`), or HTTP 401 with a strictly valid `DPoP` challenge
/// with that error.
fn strictly_asks(status: u16, headers: &http::HeaderMap, body: &[u8]) -> bool {
    match status {
        400 => from_json_no_duplicates::<Map<String, Value>>(body).is_ok_and(|doc| {
            doc.get("error").and_then(Value::as_str) == Some("use_dpop_nonce")
                && ["error_description", "error_uri"]
                    .iter()
                    .all(|m| matches!(doc.get(*m), None | Some(Value::Null | Value::String(_))))
        }),
        401 => strict_dpop_challenge(headers),
        _ => false,
    }
}

/// An answer that could be read as a nonce request by a lenient parser: a 400 whose JSON
/// `error` (control characters aside) is `use_dpop_nonce`, or a 401 whose
/// `WWW-Authenticate` names `DPoP` and `use_dpop_nonce`.
///
/// Known leniencies of the crate's error-document reader (`serde_json` into a derived
/// struct, src/response.rs `provider_error`), tolerated here and reported: a JSON *array*
/// whose first element is the error (`["use_dpop_nonce"]`, serde's struct-as-sequence
/// form) counts as an RFC 6749 §5.2 error document, and members it does not know are
/// skipped without UTF-8 validation, so a body that is not valid JSON text can still be one.
fn loosely_asks(status: u16, headers: &http::HeaderMap, body: &[u8]) -> bool {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    match status {
        400 => match serde_json::from_slice::<Value>(body)
            .or_else(|_| serde_json::from_str::<Value>(&String::from_utf8_lossy(body)))
        {
            Ok(doc) => {
                let error = match &doc {
                    Value::Object(o) => o.get("error"),
                    Value::Array(items) => items.first(),
                    _ => None,
                };
                error.and_then(Value::as_str).map(clean).as_deref() == Some("use_dpop_nonce")
            }
            // Not JSON to `serde_json::Value` even so (e.g. a lone surrogate escape in a
            // skipped member): the error must at least be spelled out or escaped.
            Err(_) => {
                let has = |n: &[u8]| body.windows(n.len()).any(|w| w == n);
                has(b"use_dpop_nonce") || has(b"\\u")
            }
        },
        401 => headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                let v = v.replace('\\', "");
                v.to_ascii_lowercase().contains("dpop") && v.contains("use_dpop_nonce")
            }),
        _ => false,
    }
}

// ---- the proofs -----------------------------------------------------------------------------

/// The request URI without query and fragment, as RFC 9449 §4.2 `htu` (WHATWG-normalized,
/// user information dropped).
fn expected_htu(uri: &http::Uri) -> String {
    let mut url = url::Url::parse(&uri.to_string()).expect("a sent request has an absolute URI");
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.into()
}

/// Checks the one proof of `request` and returns its claims.
fn check_proof(
    key: &DpopKey,
    request: &http::Request<Vec<u8>>,
    with_ath: bool,
) -> Map<String, Value> {
    let proofs: Vec<&http::HeaderValue> = request.headers().get_all("dpop").iter().collect();
    assert_eq!(proofs.len(), 1, "a request carries exactly one DPoP proof");
    let proof = proofs[0].to_str().expect("a proof is ASCII");
    let jws = Jws::parse(proof).expect("a proof is a compact JWS");
    let header = jws.header_json();
    assert_eq!(header.get("typ").and_then(Value::as_str), Some("dpop+jwt"));
    assert_eq!(
        header.get("alg").and_then(Value::as_str),
        Some(key.alg().as_str())
    );
    let jwk = header
        .get("jwk")
        .expect("a proof header carries the public key");
    assert_eq!(jwk.as_object(), Some(key.public_jwk()));
    let public = Jwk::from_json(jwk).expect("the header key is a usable JWK");
    let alg = JwsAlgorithm::parse(&jws.header().alg).expect("alg");
    public
        .key
        .verify(alg, jws.signing_input().as_bytes(), jws.signature())
        .expect("a proof verifies with the key in its header");

    let claims: Map<String, Value> =
        serde_json::from_slice(jws.payload()).expect("proof claims are a JSON object");
    assert_eq!(
        claims.get("htm").and_then(Value::as_str),
        Some(request.method().as_str()),
        "htm is the request method"
    );
    let htu = claims.get("htu").and_then(Value::as_str).expect("htu");
    assert!(
        !htu.contains('?') && !htu.contains('#'),
        "htu {htu:?} has a query or fragment"
    );
    let parsed = url::Url::parse(htu).expect("htu is an absolute URL");
    assert!(parsed.query().is_none() && parsed.fragment().is_none());
    assert_eq!(
        htu,
        expected_htu(request.uri()),
        "htu is not the request URI"
    );
    assert_eq!(
        claims.get("iat").and_then(Value::as_i64),
        i64::try_from(common::NOW).ok(),
        "iat is the client clock"
    );
    assert!(
        claims
            .get("jti")
            .and_then(Value::as_str)
            .is_some_and(|j| j.len() >= 16),
        "a proof has a random jti"
    );
    let ath = claims.get("ath").and_then(Value::as_str);
    if with_ath {
        assert_eq!(ath, Some(access_token_hash(ACCESS_TOKEN).as_str()));
    } else {
        assert_eq!(ath, None, "a token request proof carries ath");
    }
    if let Some(nonce) = claims.get("nonce") {
        assert!(nonce.is_string(), "nonce claim is a string");
    }
    claims
}

/// A request's `client_assertion` form parameter, if any.
fn client_assertion(request: &http::Request<Vec<u8>>) -> Option<String> {
    url::form_urlencoded::parse(request.body())
        .find(|(k, _)| k == "client_assertion")
        .map(|(_, v)| v.into_owned())
}

/// `scheme://host:port` of an http(s) URL.
fn origin(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

/// The `nonce` claim of the proof a sans-IO request carries.
fn nonce_claim(request: &http::Request<Vec<u8>>) -> Option<String> {
    let proof = request.headers().get("dpop")?.to_str().ok()?;
    let jws = Jws::parse(proof).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(jws.payload()).ok()?;
    claims
        .get("nonce")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The outcome of one exchange, kept for the checks.
enum Outcome {
    Token(Result<typed_oidc::Tokens<typed_oidc::Online, typed_oidc::DpopBound>, Error>),
    Resource(Result<http::Response<Bytes>, Error>),
    UserInfo(Result<typed_oidc::UserInfo, Error>),
}

impl Outcome {
    fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Token(r) => r.as_ref().err(),
            Outcome::Resource(r) => r.as_ref().err(),
            Outcome::UserInfo(r) => r.as_ref().err(),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    let op = [Op::TokenBasic, Op::TokenJwt, Op::Resource, Op::UserInfo][usize::from(selector & 3)];
    let key = &DPOP_KEYS[usize::from((selector >> 2) & 3) % 3];
    let method = http::Method::from_bytes(METHODS[usize::from((selector >> 4) & 7)].as_bytes())
        .expect("method");
    let (line, script) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return;
    };
    let line = line.trim_end_matches('\r');
    let answers = parse_script(script, 3);
    let fallback = if selector & 0x80 == 0 {
        op.success()
    } else {
        Answer::Fail
    };
    let http = ScriptedHttp::new(answers.clone(), fallback.clone());
    let answer = |i: usize| answers.get(i).cloned().unwrap_or_else(|| fallback.clone());

    let endpoint = |default: &str| match EndpointUrl::new(line) {
        Ok(e) if line.starts_with("https://") => e.as_str().to_owned(),
        _ => default.to_owned(),
    };
    let token_endpoint = if op.is_token() {
        endpoint(&format!("{}/token", common::ISSUER))
    } else {
        format!("{}/token", common::ISSUER)
    };
    let userinfo_endpoint = if op == Op::UserInfo {
        endpoint(&format!("{}/userinfo", common::ISSUER))
    } else {
        format!("{}/userinfo", common::ISSUER)
    };
    let resource_url = if line.is_empty() { RESOURCE } else { line };
    let client = client(op, key, &token_endpoint, &userinfo_endpoint, http.clone());
    let token = DpopAccessToken::new(ACCESS_TOKEN);
    let subject = SubjectId::new(common::SUBJECT);

    let outcome = match op {
        Op::TokenBasic | Op::TokenJwt => {
            Outcome::Token(block_on(client.client_credentials().send()))
        }
        Op::Resource => Outcome::Resource(block_on(
            client
                .protected_resource_request(&token, method.clone(), resource_url)
                .send(),
        )),
        Op::UserInfo => Outcome::UserInfo(block_on(
            client.userinfo_for_subject(&token, &subject).send(),
        )),
    };
    let sent = http.sent();
    let target = match op {
        Op::TokenBasic | Op::TokenJwt => token_endpoint.as_str(),
        Op::Resource => resource_url,
        Op::UserInfo => userinfo_endpoint.as_str(),
    };

    // ---- what was sent ----
    assert!(sent.len() <= 2, "{} requests sent", sent.len());
    if sent.is_empty() {
        // Only a target URL the request cannot be built for (not absolute http(s), or not
        // an `http::Uri`, such as a host the WHATWG parser keeps but `http` refuses).
        match outcome.error() {
            Some(Error::Config(_) | Error::Dpop(DpopError::InvalidUrl(_))) => {}
            other => panic!("nothing sent for {op:?} to {target:?}: {other:?}"),
        }
        assert!(
            op == Op::Resource || target.parse::<http::Uri>().is_err(),
            "nothing sent to the usable endpoint {target:?}"
        );
        return;
    }
    let with_ath = !op.is_token();
    let claims: Vec<Map<String, Value>> =
        sent.iter().map(|r| check_proof(key, r, with_ath)).collect();
    for request in &sent {
        match op {
            Op::TokenBasic | Op::TokenJwt => assert_eq!(request.method(), http::Method::POST),
            Op::Resource => assert_eq!(request.method(), method),
            Op::UserInfo => {}
        }
        if with_ath {
            assert_eq!(
                request
                    .headers()
                    .get(http::header::AUTHORIZATION)
                    .map(|v| v.as_bytes()),
                Some(format!("DPoP {ACCESS_TOKEN}").as_bytes()),
                "a resource request presents the token with the DPoP scheme"
            );
        }
    }
    assert_eq!(
        claims[0].get("nonce"),
        None,
        "a fresh client's first proof has a nonce"
    );

    // ---- the first answer decides the second request ----
    let first = answer(0);
    let first_response = first.to_response();
    let (status, headers, body) = match &first_response {
        Some(r) => (r.status().as_u16(), r.headers().clone(), r.body().clone()),
        None => (0, http::HeaderMap::new(), Bytes::new()),
    };
    let first_nonce = nonce_of(&headers);
    if sent.len() == 2 {
        assert!(
            loosely_asks(status, &headers, &body),
            "retried after an answer that is no nonce request (status {status})"
        );
        let nonce = first_nonce
            .clone()
            .ok()
            .flatten()
            .expect("retried without a valid DPoP-Nonce");
        assert_eq!(
            claims[1].get("nonce").and_then(Value::as_str),
            Some(nonce.as_str()),
            "the retry's proof does not carry the nonce"
        );
        assert_ne!(
            claims[0].get("jti"),
            claims[1].get("jti"),
            "a proof was reused"
        );
        if op == Op::TokenJwt {
            let (a, b) = (client_assertion(&sent[0]), client_assertion(&sent[1]));
            assert!(
                a.is_some() && b.is_some(),
                "private_key_jwt without an assertion"
            );
            assert_ne!(a, b, "the retry reused the client assertion");
        }
    } else if first_response.is_some() && strictly_asks(status, &headers, &body) {
        // A nonce request that was not retried: only for want of a usable nonce.
        match (&first_nonce, outcome.error()) {
            (Ok(None), Some(Error::Dpop(DpopError::NonceMissing { .. }))) => {}
            (Err(()), Some(Error::Dpop(DpopError::InvalidNonce))) => {}
            (nonce, error) => panic!(
                "a use_dpop_nonce answer (status {status}, nonce {nonce:?}) was not retried: {error:?}"
            ),
        }
    }
    if first_response.is_none() {
        assert_eq!(sent.len(), 1, "retried after a transport failure");
        assert!(matches!(outcome.error(), Some(Error::Transport(_))));
    }

    // ---- the result ----
    let last = answer(sent.len() - 1).to_response();
    match &outcome {
        Outcome::Token(Ok(tokens)) => {
            assert_eq!(
                tokens.token_type(),
                &TokenType::DPoP,
                "a DPoP client got a non-DPoP token"
            );
            let last = last.expect("a success from a transport failure");
            assert!(
                last.status().is_success(),
                "a token from status {}",
                last.status()
            );
            let doc: Value =
                serde_json::from_slice(last.body()).expect("a token from a non-JSON body");
            assert_eq!(
                doc.get("access_token").and_then(Value::as_str),
                Some(tokens.access_token().secret()),
                "the token is not the last answer's"
            );
        }
        Outcome::Resource(Ok(response)) => {
            let last = last.expect("a resource response from a transport failure");
            assert_eq!(response.status(), last.status());
            assert_eq!(response.body(), last.body());
            assert!(
                !(last.status() == 401 && strict_dpop_challenge(last.headers())),
                "a second nonce challenge was returned as a response"
            );
        }
        Outcome::UserInfo(Ok(info)) => {
            let last = last.expect("UserInfo from a transport failure");
            assert!(last.status().is_success());
            assert_eq!(info.claims.sub.as_str(), common::SUBJECT);
        }
        _ => {}
    }

    // ---- the nonce store ----
    // The last valid nonce the exchange received is what the next proof to that origin
    // carries; a proof to another origin carries none (the client is fresh).
    let received: Vec<Option<String>> = (0..sent.len())
        .map(|i| {
            answer(i)
                .to_response()
                .and_then(|r| nonce_of(r.headers()).ok().flatten())
        })
        .collect();
    let remembered = received.into_iter().flatten().last();
    let next_token = client
        .client_credentials()
        .token_request()
        .expect("the token request builds");
    let next_resource = client
        .protected_resource_request(&token, http::Method::GET, target)
        .request();
    // A token endpoint may carry user information (the provider's data); a resource URL
    // never does: a bearer of credentials in the URL is refused before anything is built.
    let has_userinfo =
        url::Url::parse(target).is_ok_and(|u| !u.username().is_empty() || u.password().is_some());
    let next_resource = match next_resource {
        Ok(request) => Some(request),
        Err(Error::Config(_)) if has_userinfo => None,
        Err(e) => panic!("a request to a URL that was sent to does not build: {e:?}"),
    };
    let same_origin = origin(target) == origin(&token_endpoint);
    if let Some(next_resource) = &next_resource {
        assert_eq!(
            nonce_claim(next_resource),
            remembered,
            "the nonce was not remembered"
        );
    }
    if op.is_token() || same_origin {
        assert_eq!(nonce_claim(&next_token), remembered);
    } else {
        assert_eq!(nonce_claim(&next_token), None, "a nonce crossed origins");
    }
});
