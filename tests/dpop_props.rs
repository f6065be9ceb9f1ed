//! Property tests of DPoP (RFC 9449): the `htu` normalization of arbitrary http(s) URLs, and
//! the header, claims and signature of proofs made with `DpopKey::proof` for ES256, ES384,
//! PS256 and EdDSA keys, checked against independent computations (the `url` crate, SHA-256
//! from `sha2`, the RFC 7638 thumbprint built by hand). Also: malformed nonces and URLs are
//! typed errors, and arbitrary strings never panic.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Map, Value};
use sha2::Digest;
use typed_oidc::dpop::{DpopError, DpopKey, MAX_NONCE_LEN, access_token_hash, htu};
use typed_oidc::jose::{Jwk, JwsAlgorithm, b64};

// ---- fixtures --------------------------------------------------------------------------------

/// One key per algorithm, generated once (RSA generation is slow).
fn keys() -> &'static [DpopKey] {
    static KEYS: OnceLock<Vec<DpopKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            JwsAlgorithm::ES256,
            JwsAlgorithm::ES384,
            JwsAlgorithm::PS256,
            JwsAlgorithm::EdDSA,
        ]
        .into_iter()
        .map(|alg| DpopKey::generate_for(alg).unwrap())
        .collect()
    })
}

/// Every `jti` seen by any proof of this test binary.
fn seen_jtis() -> &'static Mutex<HashSet<String>> {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    SEEN.get_or_init(Mutex::default)
}

/// JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

// ---- URL generation --------------------------------------------------------------------------

/// A URL and what its `htu` must be made of.
#[derive(Debug, Clone)]
struct GenUrl {
    text: String,
    /// Lower-case scheme.
    scheme: String,
    /// Lower-case host as the WHATWG parser serializes it.
    host: String,
    /// The port, if it is not the scheme's default one.
    port: Option<u16>,
    has_userinfo: bool,
}

/// `s` with each ASCII letter's case chosen by `flips`.
fn recase(s: &str, flips: &[bool]) -> String {
    s.chars()
        .zip(flips.iter().cycle())
        .map(|(c, up)| {
            if *up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// (host as written, host as serialized).
fn host() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        4 => (
            proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4),
            proptest::collection::vec(any::<bool>(), 1..16),
        )
            .prop_filter("no punycode labels", |(labels, _)| {
                labels.iter().all(|l| !l.starts_with("xn--"))
            })
            .prop_map(|(labels, flips)| {
                // A last label of digits would make the WHATWG parser read an IPv4 address.
                let host = format!("{}.example", labels.join("."));
                (recase(&host, &flips), host)
            }),
        1 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(a, b, c, d)| {
            let ip = format!("{a}.{b}.{c}.{d}");
            (ip.clone(), ip)
        }),
        1 => Just(("[::1]".to_owned(), "[::1]".to_owned())),
        1 => Just(("[2001:DB8::A]".to_owned(), "[2001:db8::a]".to_owned())),
        1 => Just(("LOCALHOST".to_owned(), "localhost".to_owned())),
    ]
}

/// A path segment: plain, empty, a dot segment (also percent-encoded, which WHATWG treats as
/// a dot), or percent-encodings.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9_~!$&'()*+,;=:-]{1,8}",
        1 => Just(String::new()),
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => Just("%2e".to_owned()),
        1 => Just("%2E%2e".to_owned()),
        1 => Just(".%2E".to_owned()),
        2 => proptest::sample::select(vec!["%2F", "%41", "%7e", "%e2%82%ac", "%20", "%3F", "%23", "%40", "%25"])
            .prop_map(str::to_owned),
        1 => "[a-z]{1,3}%[0-9A-Fa-f]{2}[a-z]{0,3}",
        1 => Just("é€".to_owned()),
    ]
}

fn http_url() -> impl Strategy<Value = GenUrl> {
    (
        any::<bool>(),
        proptest::collection::vec(any::<bool>(), 5),
        proptest::option::of((
            "[a-zA-Z0-9._~-]{0,8}",
            proptest::option::of("[a-zA-Z0-9._~%-]{0,8}"),
        )),
        host(),
        prop_oneof![
            Just(PortChoice::None),
            Just(PortChoice::Default),
            (1u16..=65535).prop_map(PortChoice::Explicit),
        ],
        proptest::collection::vec(segment(), 0..6),
        any::<bool>(),
        proptest::option::of("[a-zA-Z0-9=&%/?._~-]{0,12}"),
        proptest::option::of("[a-zA-Z0-9=&%/?#._~-]{0,12}"),
    )
        .prop_map(
            |(
                https,
                flips,
                userinfo,
                (host_written, host),
                port,
                segments,
                slash,
                query,
                fragment,
            )| {
                let scheme = if https { "https" } else { "http" };
                let default = if https { 443 } else { 80 };
                let mut text = format!("{}://", recase(scheme, &flips));
                let has_userinfo = userinfo.is_some();
                if let Some((user, password)) = &userinfo {
                    text.push_str(user);
                    if let Some(p) = password {
                        text.push(':');
                        text.push_str(p);
                    }
                    text.push('@');
                }
                text.push_str(&host_written);
                let port = match port {
                    PortChoice::None => None,
                    PortChoice::Default => {
                        text.push_str(&format!(":{default}"));
                        None
                    }
                    PortChoice::Explicit(p) => {
                        text.push_str(&format!(":{p}"));
                        (p != default).then_some(p)
                    }
                };
                if !segments.is_empty() || slash {
                    text.push('/');
                    text.push_str(&segments.join("/"));
                }
                if let Some(q) = query {
                    text.push('?');
                    text.push_str(&q);
                }
                if let Some(f) = fragment {
                    text.push('#');
                    text.push_str(&f);
                }
                GenUrl {
                    text,
                    scheme: scheme.to_owned(),
                    host,
                    port,
                    has_userinfo,
                }
            },
        )
}

#[derive(Debug, Clone)]
enum PortChoice {
    None,
    Default,
    Explicit(u16),
}

/// What `htu` must equal: the `url` crate's parse with query, fragment and userinfo cleared.
fn reference_htu(url: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_query(None);
    parsed.set_fragment(None);
    parsed.set_username("").unwrap();
    parsed.set_password(None).unwrap();
    parsed.into()
}

fn is_dot_segment(s: &str) -> bool {
    let s = s.to_ascii_lowercase().replace("%2e", ".");
    s == "." || s == ".."
}

// ---- proof inputs ----------------------------------------------------------------------------

fn method() -> impl Strategy<Value = http::Method> {
    prop_oneof![
        4 => proptest::sample::select(vec![
            http::Method::GET,
            http::Method::POST,
            http::Method::PUT,
            http::Method::DELETE,
            http::Method::PATCH,
            http::Method::HEAD,
            http::Method::OPTIONS,
        ]),
        // Extension methods (RFC 9110 §9.1: a token, case-sensitive).
        1 => "[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,10}"
            .prop_map(|m| http::Method::from_bytes(m.as_bytes()).unwrap()),
    ]
}

/// RFC 9449 §8.1: `1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E`.
fn valid_nonce() -> impl Strategy<Value = String> {
    r"[!#-\[\]-~]{1,64}"
}

/// A string with at least one character outside NQCHAR (space, `"`, `\`, controls, DEL,
/// non-ASCII).
fn invalid_nonce() -> impl Strategy<Value = String> {
    (
        r"[!#-\[\]-~]{0,16}",
        prop_oneof![
            Just(' '),
            Just('"'),
            Just('\\'),
            Just('\u{7f}'),
            (0u8..0x20).prop_map(char::from),
            any::<char>().prop_filter("non-ASCII", |c| !c.is_ascii()),
        ],
        r"[!#-\[\]-~]{0,16}",
    )
        .prop_map(|(a, bad, b)| format!("{a}{bad}{b}"))
}

fn access_token() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9._~+/-]{1,80}=*",
        1 => "\\PC{1,40}",
    ]
}

fn instant() -> impl Strategy<Value = SystemTime> {
    (0u64..=4_102_444_800_000).prop_map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
}

fn decode_json(part: &str) -> Map<String, Value> {
    let bytes = b64::decode(part).expect("strict base64url");
    match serde_json::from_slice(&bytes).expect("JSON") {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The RFC 7638 §3 thumbprint computed by hand: the required members of the key type in
/// lexicographic order, no whitespace, SHA-256, base64url.
fn rfc7638_thumbprint(jwk: &Map<String, Value>) -> String {
    let m = |name: &str| jwk[name].as_str().unwrap().to_owned();
    let canonical = match m("kty").as_str() {
        "RSA" => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, m("e"), m("n")),
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            m("crv"),
            m("x"),
            m("y")
        ),
        "OKP" => format!(r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#, m("crv"), m("x")),
        other => panic!("unexpected kty {other}"),
    };
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()))
}

/// Checks every RFC 9449 §4.2 property of `proof`; returns its `jti`.
fn check_proof(
    key: &DpopKey,
    proof: &str,
    method: &http::Method,
    url: &str,
    nonce: Option<&str>,
    token: Option<&str>,
    now: SystemTime,
) -> Result<String, TestCaseError> {
    let parts: Vec<&str> = proof.split('.').collect();
    prop_assert_eq!(parts.len(), 3, "compact JWS: {}", proof);

    let header = decode_json(parts[0]);
    prop_assert_eq!(&header["typ"], "dpop+jwt");
    prop_assert_eq!(&header["alg"], key.alg().as_str());
    let jwk = header["jwk"].as_object().expect("jwk is an object");
    prop_assert_eq!(jwk, key.public_jwk());
    for private in PRIVATE_MEMBERS {
        prop_assert!(!jwk.contains_key(*private), "private member {private}");
    }

    let claims = decode_json(parts[1]);
    prop_assert_eq!(&claims["htm"], method.as_str());
    prop_assert_eq!(&claims["htu"], &htu(url).unwrap());
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    prop_assert_eq!(claims["iat"].as_u64(), Some(secs));
    prop_assert_eq!(claims.get("nonce").and_then(Value::as_str), nonce);
    let expected_ath = token.map(access_token_hash);
    prop_assert_eq!(
        claims.get("ath").and_then(Value::as_str),
        expected_ath.as_deref()
    );
    if let Some(t) = token {
        // ath: base64url(SHA-256(ASCII octets of the token)), computed independently.
        prop_assert_eq!(
            access_token_hash(t),
            URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(t.as_bytes()))
        );
    }
    let jti = claims["jti"].as_str().expect("jti is a string").to_owned();
    prop_assert!(jti.len() >= 16, "jti of fewer than 96 bits: {jti}");
    prop_assert!(b64::decode(&jti).is_ok(), "jti is not base64url: {jti}");

    // The signature verifies with the header's public key, and only over this input.
    let verifier = Jwk::from_json(&Value::Object(key.public_jwk().clone())).unwrap();
    let signing_input = &proof[..parts[0].len() + 1 + parts[1].len()];
    let signature = b64::decode(parts[2]).unwrap();
    prop_assert!(
        verifier
            .key
            .verify(key.alg(), signing_input.as_bytes(), &signature)
            .is_ok()
    );
    let mut tampered = signing_input.as_bytes().to_vec();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    prop_assert!(
        verifier
            .key
            .verify(key.alg(), &tampered, &signature)
            .is_err()
    );
    Ok(jti)
}

// ---- properties ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// `htu` drops query, fragment and userinfo, lower-cases scheme and host, drops the
    /// default port and dot segments, equals the `url` crate's normalization, and is
    /// idempotent.
    #[test]
    fn htu_normalizes(url in http_url()) {
        let h = htu(&url.text).unwrap();
        prop_assert!(!h.contains('?'), "{} -> {}", url.text, h);
        prop_assert!(!h.contains('#'), "{} -> {}", url.text, h);
        prop_assert!(!h.contains('@'), "{} -> {}", url.text, h);
        prop_assert_eq!(&h, &reference_htu(&url.text));
        prop_assert_eq!(htu(&h).unwrap(), h.clone(), "not idempotent");

        let authority = match url.port {
            Some(p) => format!("{}:{p}", url.host),
            None => url.host.clone(),
        };
        let prefix = format!("{}://{authority}/", url.scheme);
        prop_assert!(h.starts_with(&prefix), "{} -> {} (expected prefix {})", url.text, h, prefix);

        let parsed = url::Url::parse(&h).unwrap();
        prop_assert_eq!(parsed.scheme(), url.scheme.as_str());
        prop_assert_eq!(parsed.username(), "");
        prop_assert_eq!(parsed.password(), None);
        prop_assert_eq!(parsed.query(), None);
        prop_assert_eq!(parsed.fragment(), None);
        prop_assert_eq!(parsed.port(), url.port);
        let host = parsed.host_str().unwrap();
        prop_assert_eq!(host, host.to_ascii_lowercase());
        prop_assert!(
            !parsed.path().split('/').any(is_dot_segment),
            "dot segment left in {}", h
        );
        if url.has_userinfo {
            let at_host = format!("@{}", url.host);
            prop_assert!(!h.contains(&at_host), "userinfo left in {}", h);
        }
    }

    /// Arbitrary strings never panic `htu`; what it accepts is an http(s) URL with a host
    /// and without query, fragment or userinfo, and `htu` of it is itself.
    #[test]
    fn htu_total_on_arbitrary_strings(
        s in prop_oneof![
            "\\PC{0,40}",
            any::<String>(),
            "(?i:https?)://\\PC{0,30}",
            "(?i:https?):[/\\\\]{0,3}[a-z@:.\\[\\]%0-9/?#]{0,20}",
        ]
    ) {
        if let Ok(h) = htu(&s) {
            let parsed = url::Url::parse(&h).unwrap();
            prop_assert!(matches!(parsed.scheme(), "http" | "https"));
            prop_assert!(parsed.host().is_some());
            prop_assert!(!h.contains('?') && !h.contains('#'));
            prop_assert_eq!(parsed.username(), "");
            prop_assert_eq!(parsed.password(), None);
            prop_assert_eq!(htu(&h).unwrap(), h);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Proofs for arbitrary requests: header, claims and signature per RFC 9449 §4.2,
    /// and a fresh `jti` every time.
    #[test]
    fn proofs_are_well_formed(
        k in 0usize..4,
        method in method(),
        url in http_url(),
        nonce in proptest::option::of(valid_nonce()),
        token in proptest::option::of(access_token()),
        now in instant(),
    ) {
        let key = &keys()[k];
        let a = key
            .proof(&method, &url.text, nonce.as_deref(), token.as_deref(), now)
            .unwrap();
        let b = key
            .proof(&method, &url.text, nonce.as_deref(), token.as_deref(), now)
            .unwrap();
        prop_assert_ne!(&a, &b, "two identical requests gave the same proof");
        let jti_a = check_proof(key, &a, &method, &url.text, nonce.as_deref(), token.as_deref(), now)?;
        let jti_b = check_proof(key, &b, &method, &url.text, nonce.as_deref(), token.as_deref(), now)?;
        let mut seen = seen_jtis().lock().unwrap();
        prop_assert!(seen.insert(jti_a.clone()), "jti {} reused", jti_a);
        prop_assert!(seen.insert(jti_b.clone()), "jti {} reused", jti_b);
    }

    /// Nonces outside RFC 9449 §8.1 (`1*NQCHAR`) are refused before anything is signed.
    #[test]
    fn invalid_nonces_are_refused(k in 0usize..4, nonce in invalid_nonce(), url in http_url()) {
        let result = keys()[k].proof(&http::Method::POST, &url.text, Some(&nonce), None, SystemTime::now());
        prop_assert!(
            matches!(result, Err(typed_oidc::Error::Dpop(DpopError::InvalidNonce))),
            "{:?} -> {:?}", nonce, result
        );
    }

    /// Non-absolute URLs and other schemes are `InvalidUrl`, from `htu` and from `proof`.
    #[test]
    fn non_http_urls_are_refused(
        url in prop_oneof![
            // Relative references.
            "(/|\\./|\\.\\./)?[a-z0-9/._-]{0,12}(\\?[a-z=]{0,5})?",
            "//[a-z]{1,8}\\.example/[a-z]{0,6}",
            // Other schemes, any case.
            "(?i:ftp|ws|wss|file|mailto|data|javascript|urn|ldap|httpx|htt|https\\+x)://?[a-z]{1,8}(/[a-z]{0,6})?",
            "(?i:urn|mailto|data|tel|about):[a-z:@,]{1,12}",
            // http(s) without a host.
            Just("https://".to_owned()),
            Just("http://:80/x".to_owned()),
            Just("https://user@/x".to_owned()),
        ],
        token in proptest::option::of(access_token()),
    ) {
        let h = htu(&url);
        prop_assert!(matches!(h, Err(DpopError::InvalidUrl(_))), "{:?} -> {:?}", url, h);
        let result = keys()[0].proof(&http::Method::GET, &url, None, token.as_deref(), SystemTime::now());
        prop_assert!(
            matches!(result, Err(typed_oidc::Error::Dpop(DpopError::InvalidUrl(_)))),
            "{:?} -> {:?}", url, result
        );
    }

    /// Arbitrary URL and nonce strings never panic `proof`; an accepted pair yields a
    /// well-formed proof.
    #[test]
    fn proof_total_on_arbitrary_strings(
        url in prop_oneof!["\\PC{0,40}", "(?i:https?)://\\PC{0,30}", http_url().prop_map(|u| u.text)],
        nonce in proptest::option::of(prop_oneof![any::<String>(), valid_nonce()]),
        token in proptest::option::of(any::<String>()),
    ) {
        let now = SystemTime::now();
        let key = &keys()[0];
        if let Ok(proof) = key.proof(&http::Method::GET, &url, nonce.as_deref(), token.as_deref(), now) {
            check_proof(key, &proof, &http::Method::GET, &url, nonce.as_deref(), token.as_deref(), now)?;
        }
    }
}

// ---- edge cases ------------------------------------------------------------------------------

#[test]
fn nonce_length_and_emptiness() {
    let key = &keys()[0];
    let url = "https://op.example/token";
    let post = http::Method::POST;
    let now = SystemTime::now();
    for bad in [
        String::new(),
        "a".repeat(MAX_NONCE_LEN + 1),
        "~".repeat(4096),
    ] {
        assert!(
            matches!(
                key.proof(&post, url, Some(&bad), None, now),
                Err(typed_oidc::Error::Dpop(DpopError::InvalidNonce))
            ),
            "nonce of {} bytes accepted",
            bad.len()
        );
    }
    // The longest nonce accepted, and every NQCHAR.
    let longest = "!".repeat(MAX_NONCE_LEN);
    let proof = key.proof(&post, url, Some(&longest), None, now).unwrap();
    check_proof(key, &proof, &post, url, Some(&longest), None, now).unwrap();
    let all: String = (0x21u8..=0x7e)
        .filter(|b| *b != b'"' && *b != b'\\')
        .map(char::from)
        .collect();
    let proof = key.proof(&post, url, Some(&all), None, now).unwrap();
    check_proof(key, &proof, &post, url, Some(&all), None, now).unwrap();
}

#[test]
fn thumbprints_follow_rfc_7638() {
    for key in keys() {
        assert_eq!(key.thumbprint(), rfc7638_thumbprint(key.public_jwk()));
        // 32 bytes of SHA-256, base64url without padding.
        assert_eq!(key.thumbprint().len(), 43);
    }
    // A key loaded from a private JWK: the thumbprint covers the public members only, and
    // the header JWK carries none of the private or optional ones (`d`, `kid`, `use`).
    let json = include_str!("provider/client-key-ec.json");
    let key = DpopKey::from_jwk(json).unwrap();
    assert_eq!(key.alg(), JwsAlgorithm::ES256);
    let full: Map<String, Value> = serde_json::from_str(json).unwrap();
    let mut names: Vec<&str> = key.public_jwk().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["crv", "kty", "x", "y"]);
    for name in names {
        assert_eq!(key.public_jwk()[name], full[name]);
    }
    assert_eq!(key.thumbprint(), rfc7638_thumbprint(&full));
}

#[test]
fn thumbprint_of_the_rfc_7638_example_key_shape() {
    // RFC 7638 §3.1's example value, through the hand-built canonical form used above.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let mut jwk = Map::new();
    jwk.insert("kty".into(), "RSA".into());
    jwk.insert("n".into(), n.into());
    jwk.insert("e".into(), "AQAB".into());
    jwk.insert("alg".into(), "RS256".into());
    jwk.insert("kid".into(), "2011-04-29".into());
    assert_eq!(
        rfc7638_thumbprint(&jwk),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}
