//! Hot-path benchmarks of typed-oidc, each next to a *floor*: the same work written
//! directly on the primitives (rand, sha2, base64, url, serde_json, aws-lc-rs), run on the
//! same inputs in the same run, so the crate's overhead can be read as a ratio.
//!
//! Run with `cargo bench --bench core`. Every group has a `crate` and a `floor` function
//! (`id_token_validation` has one pair per algorithm); the outputs of both are checked to be
//! equivalent before anything is timed. Two groups carry one more reference function:
//! `authorization_url/floor_url_only` (the URL without the values kept for the callback) and
//! `token_response/floor_wiping` (the floor plus the zeroizing of the three tokens that the
//! crate's secret types do on drop). Ratios: divide the `mean` point estimates in
//! `target/criterion/<group>/<function>/new/estimates.json`.
//!
//! On a small shared machine, pin the run to one core (`taskset -c 1 cargo bench --bench core`):
//! unpinned, migrations and neighbours can put one benchmark's standard deviation at a third of
//! its mean and skew a ratio by as much.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, ParsedPublicKey, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::RngCore as _;
use secrecy::zeroize::Zeroize as _;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use typed_oidc::flow::Prompt;
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{JwkSet, JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use typed_oidc::time::FixedClock;
use typed_oidc::token::TokenResponse;
use typed_oidc::{
    ClientId, ClientSecret, CodeChallengeMethod, CodeVerifier, DpopKey, EndpointUrl, Expectations,
    IdTokenValidator, IssuerUrl, Nonce, ProviderMetadata, RedirectUrl, State,
};

const ISSUER: &str = "https://id.example.com";
const AUTHORIZE: &str = "https://id.example.com/oauth2/v1/authorize";
const CLIENT_ID: &str = "0oa8bench-client.apps.example.com";
const REDIRECT: &str = "https://app.example.com/auth/callback?tenant=acme";
const STATE: &str = "af0ifjsldkj-Qk3Xw7_Z2rT9mB4nV8cL1pY6eH0uJ5sA";
const NONCE: &str = "n-0S6_WzA2Mj-7Gq1Ls9Kd3Rf8Vb2Xc4Nm6Tp0Yh5Ue";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const LOGIN_HINT: &str = "jane.doe+work@example.com";
/// "now" for ID-token validation: the tokens below were issued at this instant.
const NOW: u64 = 1_750_000_000;

/// Keeps the whole run to a few minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_secs(1))
}

/// A transport for `Client::build`; the benchmarks never send a request.
struct NoHttp;

impl HttpClient for NoHttp {
    async fn execute(
        &self,
        _request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<bytes::Bytes>, TransportError> {
        Err(TransportError::InvalidRequest(
            "benchmarks make no requests".into(),
        ))
    }
}

// ---------------------------------------------------------------------------------------
// 1. PKCE
// ---------------------------------------------------------------------------------------

fn floor_pkce() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn pkce(c: &mut Criterion) {
    // Same shape and the same challenge function on both sides.
    let (v, ch) = floor_pkce();
    assert_eq!((v.len(), ch.len()), (43, 43));
    let fixed = CodeVerifier::parse(&v).expect("floor verifier is RFC 7636 syntax");
    assert_eq!(fixed.challenge(CodeChallengeMethod::S256).as_str(), ch);

    let mut g = c.benchmark_group("pkce");
    g.bench_function("crate", |b| {
        b.iter(|| {
            let verifier = CodeVerifier::generate();
            let challenge = verifier.challenge(black_box(CodeChallengeMethod::S256));
            (verifier, challenge)
        })
    });
    g.bench_function("floor", |b| b.iter(floor_pkce));
    g.finish();
}

// ---------------------------------------------------------------------------------------
// 2. Authorization URL
// ---------------------------------------------------------------------------------------

fn bench_client() -> typed_oidc::Client<NoHttp, typed_oidc::Public> {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).expect("issuer"));
    md.authorization_endpoint = Some(EndpointUrl::new(AUTHORIZE).expect("endpoint"));
    typed_oidc::Client::builder(ClientId::new(CLIENT_ID))
        .redirect_uri(RedirectUrl::new(REDIRECT).expect("redirect"))
        .build(md, NoHttp)
        .expect("client")
}

/// The hand-rolled equivalent of the URL `start()` builds: the S256 challenge, then one
/// pre-sized `String` with every value form-urlencoded, in the order the crate writes them.
fn floor_authorization_url(endpoint: &str, state: &str, nonce: &str, verifier: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let params: [(&str, &str); 10] = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile email"),
        ("state", state),
        ("nonce", nonce),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("prompt", "login"),
        ("login_hint", LOGIN_HINT),
    ];
    let capacity = endpoint.len()
        + params
            .iter()
            .map(|(n, v)| n.len() + 3 * v.len() + 2)
            .sum::<usize>();
    let mut out = String::with_capacity(capacity);
    out.push_str(endpoint);
    let mut sep = '?';
    for (name, value) in params {
        out.push(sep);
        sep = '&';
        out.push_str(name);
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
    }
    out
}

/// What a hand-rolled relying party keeps between the redirect and the callback: the
/// `state`, `nonce` and PKCE verifier, owned (the crate's `Pending` keeps these too).
struct FloorPending {
    state: String,
    nonce: String,
    verifier: String,
}

/// The floor of `start()`: the URL plus the owned values the callback needs.
fn floor_authorization_start(
    endpoint: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> (String, FloorPending) {
    let url = floor_authorization_url(endpoint, state, nonce, verifier);
    let pending = FloorPending {
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        verifier: verifier.to_owned(),
    };
    (url, pending)
}

fn authorization_url(c: &mut Criterion) {
    let client = bench_client();
    let start = || {
        client
            .authorization_request()
            .scope("profile email")
            .login_hint(LOGIN_HINT)
            .prompt(Prompt::Login)
            .state(State::new(black_box(STATE)))
            .nonce(Nonce::new(black_box(NONCE)))
            .code_verifier(CodeVerifier::parse(black_box(VERIFIER)).expect("verifier"))
            .start()
            .expect("start")
    };
    let (url, pending) = start();
    let (floor_url, floor_pending) = floor_authorization_start(AUTHORIZE, STATE, NONCE, VERIFIER);
    assert_eq!(url.as_str(), floor_url, "the floor must build the same URL");
    assert_eq!(pending.state().secret(), floor_pending.state);
    assert_eq!(
        pending.nonce().map(Nonce::secret),
        Some(floor_pending.nonce.as_str())
    );
    assert_eq!(floor_pending.verifier, VERIFIER);

    let mut g = c.benchmark_group("authorization_url");
    g.bench_function("crate", |b| b.iter(start));
    // The floor: URL plus the owned state, nonce and verifier, as `start()` returns them.
    g.bench_function("floor", |b| {
        b.iter(|| {
            floor_authorization_start(
                black_box(AUTHORIZE),
                black_box(STATE),
                black_box(NONCE),
                black_box(VERIFIER),
            )
        })
    });
    // For reference: the URL alone.
    g.bench_function("floor_url_only", |b| {
        b.iter(|| {
            floor_authorization_url(
                black_box(AUTHORIZE),
                black_box(STATE),
                black_box(NONCE),
                black_box(VERIFIER),
            )
        })
    });
    g.finish();
}

/// Times `parse` alone: outputs are kept in a batch and dropped outside the timed
/// section, so a type's drop work (the crate's secrets are wiped on drop) is not counted.
fn parse_only<T>(b: &mut criterion::Bencher<'_>, mut parse: impl FnMut() -> T) {
    b.iter_custom(|iters| {
        let mut total = std::time::Duration::ZERO;
        let mut left = iters;
        let mut batch = Vec::with_capacity(1024);
        while left > 0 {
            let n = left.min(1024);
            let start = std::time::Instant::now();
            for _ in 0..n {
                batch.push(parse());
            }
            total += start.elapsed();
            batch.clear();
            left -= n;
        }
        total
    });
}

// ---------------------------------------------------------------------------------------
// 3. Token response
// ---------------------------------------------------------------------------------------

/// Deterministic base64url filler of `len` characters.
fn b64_filler(len: usize, seed: u64) -> String {
    let mut x = seed | 1;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    let mut s = URL_SAFE_NO_PAD.encode(bytes);
    s.truncate(len);
    s
}

/// A JWT-shaped string of about `len` characters: header.payload.signature.
fn jwt_like(len: usize, seed: u64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"rsa-1","typ":"JWT"}"#);
    let signature = b64_filler(342, seed ^ 0x5151);
    let payload = b64_filler(len - header.len() - signature.len() - 2, seed);
    format!("{header}.{payload}.{signature}")
}

fn token_body() -> Vec<u8> {
    let body = json!({
        "access_token": jwt_like(800, 1),
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": b64_filler(96, 2),
        "scope": "openid profile email",
        "id_token": jwt_like(900, 3),
    });
    serde_json::to_vec(&body).expect("json")
}

#[derive(serde::Deserialize)]
struct FloorTokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
    id_token: Option<String>,
}

fn token_response(c: &mut Criterion) {
    let body = token_body();
    let parsed = TokenResponse::from_json(&body).expect("crate parse");
    let floor: FloorTokenResponse = serde_json::from_slice(&body).expect("floor parse");
    assert_eq!(parsed.access_token.secret(), floor.access_token);
    assert_eq!(floor.token_type, "Bearer");
    assert_eq!(parsed.expires_in.map(|d| d.as_secs()), floor.expires_in);
    assert_eq!(
        parsed.refresh_token.as_ref().map(|t| t.secret()),
        floor.refresh_token.as_deref()
    );
    assert_eq!(parsed.scope.as_ref().map(ToString::to_string), floor.scope);
    assert_eq!(
        parsed.id_token.as_ref().map(|t| t.secret()),
        floor.id_token.as_deref()
    );
    assert!(parsed.extra.is_empty());

    let mut g = c.benchmark_group("token_response");
    // Parse and drop: the crate's drop wipes the three tokens (zeroize), the floor's only frees.
    g.bench_function("crate", |b| {
        b.iter(|| TokenResponse::from_json(black_box(&body)).expect("parse"))
    });
    g.bench_function("floor", |b| {
        b.iter(|| serde_json::from_slice::<FloorTokenResponse>(black_box(&body)).expect("parse"))
    });
    // Parsing alone: both outputs are dropped outside the timed section, so the
    // crate's wipe-on-drop (a security cost paid when the tokens die) is not counted.
    g.bench_function("crate_parse_only", |b| {
        parse_only(b, || {
            TokenResponse::from_json(black_box(&body)).expect("parse")
        })
    });
    g.bench_function("floor_parse_only", |b| {
        parse_only(b, || {
            serde_json::from_slice::<FloorTokenResponse>(black_box(&body)).expect("parse")
        })
    });
    // The floor plus what the crate's drop does on top: wiping the three tokens.
    g.bench_function("floor_wiping", |b| {
        b.iter(|| {
            let mut parsed =
                serde_json::from_slice::<FloorTokenResponse>(black_box(&body)).expect("parse");
            // `str::zeroize`, as the crate's `SecretString`s do: each byte once (`String::zeroize`
            // would wipe the bytes and then the whole capacity again).
            parsed.access_token.as_mut_str().zeroize();
            for token in [&mut parsed.refresh_token, &mut parsed.id_token]
                .into_iter()
                .flatten()
            {
                token.as_mut_str().zeroize();
            }
            parsed
        })
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------
// 4. ID-token validation, and the keys for 5.
// ---------------------------------------------------------------------------------------

const HMAC_SECRET: &str = "Kq8vT2sW9xY4zA7bC1dE5fG3hJ6kL0mN-client-secret";

/// The DER of a PKCS#8 PEM document (what `SigningKey::to_pkcs8_pem` writes).
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).expect("pem base64")
}

/// PKCS#1 `RSAPublicKey` DER from big-endian `n` and `e` (both below 64 KiB).
fn rsa_public_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn int(out: &mut Vec<u8>, v: &[u8]) {
        let pad = v.first().is_some_and(|b| b & 0x80 != 0);
        out.push(0x02);
        len(out, v.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    fn len(out: &mut Vec<u8>, l: usize) {
        match l {
            0..0x80 => out.push(l as u8),
            0x80..0x100 => out.extend_from_slice(&[0x81, l as u8]),
            _ => out.extend_from_slice(&[0x82, (l >> 8) as u8, l as u8]),
        }
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    int(&mut body, n);
    int(&mut body, e);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(0x30);
    len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

struct Keys {
    rsa: SigningKey,
    ec: SigningKey,
    /// Pre-parsed public keys for the floors.
    rsa_public: ParsedPublicKey,
    ec_public: ParsedPublicKey,
    hmac: hmac::Key,
    /// `{"keys":[RSA (signs), RSA (other), EC P-256]}`.
    jwks_json: Vec<u8>,
}

fn keys() -> Keys {
    let rsa = SigningKey::generate_rsa(2048)
        .expect("rsa")
        .with_kid("rsa-2025-06");
    let rsa_other = SigningKey::generate_rsa(2048)
        .expect("rsa")
        .with_kid("rsa-2025-01");
    let ec = SigningKey::generate_ec_p256()
        .expect("ec")
        .with_kid("ec-2025-06");

    let rsa_pair = RsaKeyPair::from_pkcs8(&pem_der(&rsa.to_pkcs8_pem().expect("pem"))).expect("p8");
    let rsa_public = ParsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        rsa_pair.public_key().as_ref(),
    )
    .expect("rsa public");
    let ec_pair = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &pem_der(&ec.to_pkcs8_pem().expect("pem")),
    )
    .expect("p8");
    let ec_public = ParsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        ec_pair.public_key().as_ref(),
    )
    .expect("ec public");

    let jwks = json!({ "keys": [rsa.public_jwk(), rsa_other.public_jwk(), ec.public_jwk()] });
    Keys {
        rsa,
        ec,
        rsa_public,
        ec_public,
        hmac: hmac::Key::new(hmac::HMAC_SHA256, HMAC_SECRET.as_bytes()),
        jwks_json: serde_json::to_vec(&jwks).expect("json"),
    }
}

fn claims() -> Vec<u8> {
    let now = NOW as i64;
    serde_json::to_vec(&json!({
        "iss": ISSUER,
        "sub": "00u1a2b3c4d5e6f7g8h9",
        "aud": CLIENT_ID,
        "exp": now + 3600,
        "iat": now,
        "auth_time": now - 20,
        "nonce": NONCE,
        "azp": CLIENT_ID,
        "amr": ["pwd", "mfa"],
        "sid": "sess-7c1f0a5e-2b3d-4e6f-8a9b-0c1d2e3f4a5b",
        "name": "Jane Doe",
        "given_name": "Jane",
        "family_name": "Doe",
        "preferred_username": "jane.doe@example.com",
        "email": "jane.doe@example.com",
        "email_verified": true,
        "locale": "en-US",
    }))
    .expect("json")
}

/// What the floor verifies a signature with.
enum FloorKey<'k> {
    Public(&'k ParsedPublicKey),
    Hmac(&'k hmac::Key),
}

/// Split, decode signature and payload, one signature check with a pre-parsed key, parse the
/// payload into a `serde_json::Value`.
fn floor_validate(token: &str, key: &FloorKey<'_>) -> Value {
    let (signing_input, signature) = token.rsplit_once('.').expect("three parts");
    let (_, payload) = signing_input.split_once('.').expect("three parts");
    let signature = URL_SAFE_NO_PAD.decode(signature).expect("b64");
    let payload = URL_SAFE_NO_PAD.decode(payload).expect("b64");
    match key {
        FloorKey::Public(k) => k
            .verify_sig(signing_input.as_bytes(), &signature)
            .expect("sig"),
        FloorKey::Hmac(k) => hmac::verify(k, signing_input.as_bytes(), &signature).expect("mac"),
    }
    serde_json::from_slice(&payload).expect("json")
}

fn id_token_validation(c: &mut Criterion) {
    let keys = keys();
    let jwks = JwkSet::parse(&keys.jwks_json).expect("jwks");
    assert_eq!((jwks.keys().len(), jwks.skipped()), (3, 0));
    let validator = IdTokenValidator::new(
        ISSUER,
        CLIENT_ID,
        vec![
            JwsAlgorithm::RS256,
            JwsAlgorithm::ES256,
            JwsAlgorithm::HS256,
        ],
    )
    .with_client_secret(Some(ClientSecret::new(HMAC_SECRET)))
    .with_clock(Arc::new(FixedClock::at_unix(NOW)));
    let nonce = Nonce::new(NONCE);
    let expected = Expectations {
        nonce: Some(&nonce),
        ..Expectations::default()
    };

    let payload = claims();
    let mut header = Map::new();
    header.insert("typ".into(), Value::String("JWT".into()));
    let cases = [
        (
            "RS256",
            sign_compact(&keys.rsa, JwsAlgorithm::RS256, header.clone(), &payload).expect("sign"),
            FloorKey::Public(&keys.rsa_public),
        ),
        (
            "ES256",
            sign_compact(&keys.ec, JwsAlgorithm::ES256, header.clone(), &payload).expect("sign"),
            FloorKey::Public(&keys.ec_public),
        ),
        (
            "HS256",
            sign_compact_hmac(
                HMAC_SECRET.as_bytes(),
                JwsAlgorithm::HS256,
                header.clone(),
                &payload,
            )
            .expect("sign"),
            FloorKey::Hmac(&keys.hmac),
        ),
    ];

    let mut g = c.benchmark_group("id_token_validation");
    for (alg, token, floor_key) in &cases {
        let claims = validator.validate(token, &jwks, &expected).expect("valid");
        let value = floor_validate(token, floor_key);
        assert_eq!(value["sub"].as_str(), Some(claims.sub.as_str()));
        assert_eq!(claims.get("email"), value.get("email"));

        g.bench_function(format!("crate_{alg}"), |b| {
            b.iter(|| {
                validator
                    .validate(black_box(token), &jwks, &expected)
                    .expect("valid")
            })
        });
        g.bench_function(format!("floor_{alg}"), |b| {
            b.iter(|| floor_validate(black_box(token), floor_key))
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------
// 5. JWKS parsing
// ---------------------------------------------------------------------------------------

/// A plain `Value` parse, then one `ParsedPublicKey` per key (RS256 for RSA, ES256 for EC).
fn floor_jwks(json: &[u8]) -> Vec<ParsedPublicKey> {
    let doc: Value = serde_json::from_slice(json).expect("json");
    let b64 = |v: &Value, name: &str| URL_SAFE_NO_PAD.decode(v[name].as_str().expect("member"));
    doc["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| match k["kty"].as_str() {
            Some("RSA") => {
                let der = rsa_public_der(&b64(k, "n").expect("n"), &b64(k, "e").expect("e"));
                ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &der).expect("rsa")
            }
            _ => {
                let mut point = vec![0x04];
                point.extend(b64(k, "x").expect("x"));
                point.extend(b64(k, "y").expect("y"));
                ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &point).expect("ec")
            }
        })
        .collect()
}

fn jwks_parse(c: &mut Criterion) {
    let json = keys().jwks_json;
    assert_eq!(JwkSet::parse(&json).expect("jwks").keys().len(), 3);
    assert_eq!(floor_jwks(&json).len(), 3);

    let mut g = c.benchmark_group("jwks_parse");
    g.bench_function("crate", |b| {
        b.iter(|| JwkSet::parse(black_box(&json)).expect("jwks"))
    });
    g.bench_function("floor", |b| b.iter(|| floor_jwks(black_box(&json))));
    g.finish();
}

// ---------------------------------------------------------------------------------------
// 6. DPoP proofs (RFC 9449 §4.2)
// ---------------------------------------------------------------------------------------

const TOKEN_URL: &str = "https://id.example.com/oauth2/v1/token";

/// The same proof written on the primitives: a header encoded once, the claims with
/// serde_json, base64url, one ES256 signature with a parsed key pair.
struct FloorDpop {
    pair: EcdsaKeyPair,
    header_b64: String,
}

impl FloorDpop {
    fn new(key: &SigningKey) -> Self {
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &pem_der(&key.to_pkcs8_pem().expect("pem")),
        )
        .expect("p8");
        let mut jwk = key.public_jwk();
        if let Value::Object(o) = &mut jwk {
            o.retain(|k, _| matches!(k.as_str(), "crv" | "kty" | "x" | "y"));
        }
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        Self {
            pair,
            header_b64: URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("json")),
        }
    }

    fn proof(&self, htm: &str, htu: &str, iat: u64) -> String {
        let mut jti = [0u8; 24];
        rand::rng().fill_bytes(&mut jti);
        let claims =
            json!({ "jti": URL_SAFE_NO_PAD.encode(jti), "htm": htm, "htu": htu, "iat": iat });
        let mut out = format!(
            "{}.{}",
            self.header_b64,
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"))
        );
        let sig = self
            .pair
            .sign(&aws_lc_rs::rand::SystemRandom::new(), out.as_bytes())
            .expect("sign");
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig.as_ref()));
        out
    }
}

fn dpop_proof(c: &mut Criterion) {
    let signing = SigningKey::generate_ec_p256().expect("ec");
    let key = DpopKey::new(signing.clone(), JwsAlgorithm::ES256).expect("dpop key");
    let floor = FloorDpop::new(&signing);
    let now = std::time::UNIX_EPOCH + Duration::from_secs(NOW);
    let post = http::Method::POST;
    // Both proofs verify with the same public key and have the same header.
    let crate_proof = key.proof(&post, TOKEN_URL, None, None, now).expect("proof");
    let floor_proof = floor.proof("POST", TOKEN_URL, NOW);
    assert_eq!(crate_proof.split('.').next(), floor_proof.split('.').next());
    let public = signing.public_key().expect("public");
    for proof in [&crate_proof, &floor_proof] {
        let (input, sig) = proof.rsplit_once('.').expect("parts");
        public
            .verify(
                JwsAlgorithm::ES256,
                input.as_bytes(),
                &URL_SAFE_NO_PAD.decode(sig).expect("b64"),
            )
            .expect("verifies");
    }

    let mut g = c.benchmark_group("dpop_proof");
    g.bench_function("crate_ES256", |b| {
        b.iter(|| {
            key.proof(&post, black_box(TOKEN_URL), None, None, now)
                .expect("proof")
        })
    });
    g.bench_function("crate_ES256_nonce_ath", |b| {
        b.iter(|| {
            key.proof(
                &post,
                black_box(TOKEN_URL),
                Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
                Some(VERIFIER),
                now,
            )
            .expect("proof")
        })
    });
    g.bench_function("floor_ES256", |b| {
        b.iter(|| floor.proof("POST", black_box(TOKEN_URL), NOW))
    });
    g.finish();
}

// ---------------------------------------------------------------------------------------
// 7. JARM response validation
// ---------------------------------------------------------------------------------------

fn jarm_validation(c: &mut Criterion) {
    let keys = keys();
    let jwks = JwkSet::parse(&keys.jwks_json).expect("jwks");
    let validator = IdTokenValidator::new(ISSUER, CLIENT_ID, vec![JwsAlgorithm::RS256])
        .with_clock(Arc::new(FixedClock::at_unix(NOW)));
    let algs = [JwsAlgorithm::RS256, JwsAlgorithm::ES256];
    let payload = serde_json::to_vec(&json!({
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "exp": NOW + 120,
        "code": "SplxlOBeZQQYbYS6WxSbIA-2fBcBrr8Ke7AdnFjNJXw",
        "state": STATE,
    }))
    .expect("json");
    let cases = [
        (
            "RS256",
            sign_compact(&keys.rsa, JwsAlgorithm::RS256, Map::new(), &payload).expect("sign"),
            FloorKey::Public(&keys.rsa_public),
        ),
        (
            "ES256",
            sign_compact(&keys.ec, JwsAlgorithm::ES256, Map::new(), &payload).expect("sign"),
            FloorKey::Public(&keys.ec_public),
        ),
    ];
    let floor = |token: &str, key: &FloorKey<'_>| {
        let v = floor_validate(token, key);
        assert!(v["iss"] == ISSUER && v["aud"] == CLIENT_ID && v["exp"].as_u64() > Some(NOW));
        v
    };
    let mut g = c.benchmark_group("jarm_validation");
    for (alg, token, floor_key) in &cases {
        let params = validator.validate_jarm(token, &jwks, &algs).expect("valid");
        assert_eq!(params["state"], floor(token, floor_key)["state"]);
        g.bench_function(format!("crate_{alg}"), |b| {
            b.iter(|| {
                validator
                    .validate_jarm(black_box(token), &jwks, &algs)
                    .expect("valid")
            })
        });
        g.bench_function(format!("floor_{alg}"), |b| {
            b.iter(|| floor(black_box(token), floor_key))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = pkce, authorization_url, token_response, id_token_validation, jwks_parse,
        dpop_proof, jarm_validation
}
criterion_main!(benches);
