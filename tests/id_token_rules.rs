//! ID-token validation rules (OpenID Connect Core 1.0 §3.1.3.7, §3.2.2.11, §3.3.2.12, §12.2)
//! through the public API: tokens are signed here, validated with [`IdTokenValidator`] and a
//! [`FixedClock`], and every rejection is checked for its exact error variant.
//!
//! Every error produced by these tests goes through [`reject`], which also checks that its
//! `Display`, `Debug` and source chain never contain the nonce, access token, authorization
//! code, client secret or token text used.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value, json};
use typed_oidc::error::{ConfigError, Error, JoseError, ValidationError};
use typed_oidc::jose::{
    JwkSet, JwsAlgorithm, SigningKey, b64, left_half_hash, sign_compact, sign_compact_hmac,
};
use typed_oidc::time::FixedClock;
use typed_oidc::{
    AccessToken, AuthorizationCode, ClientSecret, Expectations, IdTokenClaims, IdTokenValidator,
    Nonce,
};

const ISSUER: &str = "https://op.example.com";
const CLIENT: &str = "client-1";
/// The validator's "now", seconds since the epoch.
const NOW: i64 = 1_700_000_000;

const NONCE: &str = "nonce-SECRET-7f3a9c21d4e8b6";
const OTHER_NONCE: &str = "nonce-OTHER-SECRET-0b1c2d3e";
const ACCESS_TOKEN: &str = "at-SECRET-5b0d2e7c9a41f86e3d";
const CODE: &str = "code-SECRET-Qcb0Orv1zh30vL1MPRsbm";
const CLIENT_SECRET: &str = "cs-SECRET-a8f5f167f44f4964e6c998dee827110c";

/// Values that must never appear in an error message.
const SECRETS: [&str; 5] = [NONCE, OTHER_NONCE, ACCESS_TOKEN, CODE, CLIENT_SECRET];

// ---------------------------------------------------------------------------------------------
// Keys and token minting
// ---------------------------------------------------------------------------------------------

/// Generated once per test binary (RSA generation is slow-ish). The signing keys carry no `kid`;
/// [`mint`] adds one per token.
struct Keys {
    rsa: SigningKey,
    /// Another RSA key, used to sign with the kid of `rsa`.
    rsa_other: SigningKey,
    p256: SigningKey,
    p384: SigningKey,
    ed: SigningKey,
    /// The provider's published keys: `rsa` (no `alg` member, so it serves RS*/PS*),
    /// `p256`, `p384` and `ed`, with the kids of [`kid_for`].
    set: JwkSet,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = SigningKey::generate_rsa(2048).unwrap();
        let rsa_other = SigningKey::generate_rsa(2048).unwrap();
        let p256 = SigningKey::generate_ec_p256().unwrap();
        let p384 = SigningKey::generate_ec_p384().unwrap();
        let ed = SigningKey::generate_ed25519().unwrap();
        let mut rsa_jwk = rsa.clone().with_kid("rsa-1").public_jwk();
        rsa_jwk.as_object_mut().unwrap().remove("alg");
        let doc = json!({ "keys": [
            rsa_jwk,
            p256.clone().with_kid("p256-1").public_jwk(),
            p384.clone().with_kid("p384-1").public_jwk(),
            ed.clone().with_kid("ed-1").public_jwk(),
        ]});
        let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
        assert_eq!(set.keys().len(), 4);
        Keys {
            rsa,
            rsa_other,
            p256,
            p384,
            ed,
            set,
        }
    })
}

fn signer(alg: JwsAlgorithm) -> &'static SigningKey {
    let k = keys();
    match alg {
        JwsAlgorithm::ES256 => &k.p256,
        JwsAlgorithm::ES384 => &k.p384,
        JwsAlgorithm::EdDSA => &k.ed,
        _ => &k.rsa,
    }
}

/// The published kid of the key for `alg` (`None` for HS*).
fn kid_for(alg: JwsAlgorithm) -> Option<&'static str> {
    match alg {
        JwsAlgorithm::ES256 => Some("p256-1"),
        JwsAlgorithm::ES384 => Some("p384-1"),
        JwsAlgorithm::EdDSA => Some("ed-1"),
        a if a.is_symmetric() => None,
        _ => Some("rsa-1"),
    }
}

fn typ_jwt() -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("typ".into(), json!("JWT"));
    h
}

/// Signs `payload` with `key` (HS*: the client secret) under `header`, with `kid` in the
/// header when given.
fn mint_raw(
    key: &SigningKey,
    alg: JwsAlgorithm,
    header: Map<String, Value>,
    kid: Option<&str>,
    payload: &[u8],
) -> String {
    if alg.is_symmetric() {
        let mut header = header;
        if let Some(kid) = kid {
            header.insert("kid".into(), json!(kid));
        }
        return sign_compact_hmac(CLIENT_SECRET.as_bytes(), alg, header, payload).unwrap();
    }
    let key = match kid {
        Some(kid) => key.clone().with_kid(kid),
        None => key.clone(),
    };
    sign_compact(&key, alg, header, payload).unwrap()
}

/// A token for `claims`, signed with the provider key for `alg` and its published kid.
fn mint(alg: JwsAlgorithm, claims: &Value) -> String {
    mint_raw(
        signer(alg),
        alg,
        typ_jwt(),
        kid_for(alg),
        claims.to_string().as_bytes(),
    )
}

/// A token for `claims` with extra header members.
fn mint_with_header(alg: JwsAlgorithm, header: Value, claims: &Value) -> String {
    let mut h = typ_jwt();
    h.extend(header.as_object().unwrap().clone());
    mint_raw(
        signer(alg),
        alg,
        h,
        kid_for(alg),
        claims.to_string().as_bytes(),
    )
}

/// Valid claims for [`validator`] at [`NOW`], carrying [`NONCE`].
fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "alice",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW - 10,
        "nonce": NONCE,
        "email": "alice@example.com",
    })
}

/// [`claims`] with `f` applied.
fn claims_with(f: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let mut c = claims();
    f(c.as_object_mut().unwrap());
    c
}

fn set(name: &str, value: Value) -> impl FnOnce(&mut Map<String, Value>) {
    let name = name.to_owned();
    move |c| {
        c.insert(name, value);
    }
}

fn remove(name: &'static str) -> impl FnOnce(&mut Map<String, Value>) {
    move |c| {
        c.remove(name);
    }
}

/// Flips one bit of the signature.
fn tamper_signature(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut sig = b64::decode(sig).unwrap();
    sig[0] ^= 0x01;
    format!("{input}.{}", b64::encode(&sig))
}

/// A token assembled by hand: raw header JSON, raw payload and raw signature.
fn raw_token(header: &str, payload: &[u8], signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(payload),
        b64::encode(signature)
    )
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

/// Rules for [`ISSUER`] / [`CLIENT`] at [`NOW`], every algorithm allowed, keyed with
/// [`CLIENT_SECRET`] for HS*.
fn validator() -> IdTokenValidator {
    IdTokenValidator::new(ISSUER, CLIENT, JwsAlgorithm::ALL.to_vec())
        .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)))
}

fn nonce() -> &'static Nonce {
    static N: OnceLock<Nonce> = OnceLock::new();
    N.get_or_init(|| Nonce::new(NONCE))
}

fn access_token() -> &'static AccessToken {
    static A: OnceLock<AccessToken> = OnceLock::new();
    A.get_or_init(|| AccessToken::new(ACCESS_TOKEN))
}

fn code() -> &'static AuthorizationCode {
    static C: OnceLock<AuthorizationCode> = OnceLock::new();
    C.get_or_init(|| AuthorizationCode::new(CODE))
}

/// Expectations carrying the nonce (as for an authorization-code login).
fn with_nonce() -> Expectations<'static> {
    Expectations {
        nonce: Some(nonce()),
        ..Expectations::default()
    }
}

/// Validates and requires success.
fn accept(v: &IdTokenValidator, token: &str, x: &Expectations<'_>) -> IdTokenClaims {
    match v.validate(token, &keys().set, x) {
        Ok(c) => c,
        Err(e) => panic!("expected the token to be accepted, got {e:?}"),
    }
}

/// Validates and requires an error, which must not leak any secret nor the token.
fn reject(v: &IdTokenValidator, token: &str, x: &Expectations<'_>) -> Error {
    reject_with(v, token, &keys().set, x)
}

fn reject_with(v: &IdTokenValidator, token: &str, set: &JwkSet, x: &Expectations<'_>) -> Error {
    let e = match v.validate(token, set, x) {
        Ok(c) => panic!("expected a rejection, got claims {c:?}"),
        Err(e) => e,
    };
    assert_no_leak(&e, token);
    e
}

/// `Display`, `Debug` and the `source` chain of `e` contain no secret and no token part.
fn assert_no_leak(e: &Error, token: &str) {
    let mut texts = vec![e.to_string(), format!("{e:?}"), format!("{e:#?}")];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    let mut forbidden: Vec<&str> = SECRETS.to_vec();
    if token.len() >= 8 {
        forbidden.push(token);
    }
    // The payload and signature segments (the header may be echoed in parts, e.g. `alg`).
    forbidden.extend(token.split('.').skip(1).filter(|p| p.len() >= 8));
    for text in &texts {
        for f in &forbidden {
            assert!(!text.contains(f), "error text {text:?} leaks {f:?}");
        }
    }
}

fn validation(e: Error) -> ValidationError {
    match e {
        Error::Validation(v) => v,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The validation rule a token breaks under [`validator`] and `x`.
fn broken_rule(token: &str, x: &Expectations<'_>) -> ValidationError {
    validation(reject(&validator(), token, x))
}

// ---------------------------------------------------------------------------------------------
// Algorithms and signatures
// ---------------------------------------------------------------------------------------------

#[test]
fn every_algorithm_round_trips() {
    let v = validator();
    for alg in JwsAlgorithm::ALL {
        let token = mint(alg, &claims());
        let c = match v.validate(&token, &keys().set, &with_nonce()) {
            Ok(c) => c,
            Err(e) => panic!("{alg}: {e:?}"),
        };
        assert_eq!(c.sub, "alice", "{alg}");
        assert_eq!(c.iss, ISSUER, "{alg}");
        assert_eq!(c.aud, vec![CLIENT.to_owned()], "{alg}");
        assert_eq!(c.nonce.as_deref(), Some(NONCE), "{alg}");
        assert_eq!(c.exp, NOW + 300);
        assert_eq!(c.iat, NOW - 10);
        assert_eq!(c.get("email"), Some(&json!("alice@example.com")));
        // Only this algorithm allowed.
        let only = IdTokenValidator::new(ISSUER, CLIENT, vec![alg])
            .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)))
            .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)));
        assert_eq!(accept(&only, &token, &with_nonce()), c, "{alg}");
    }
}

#[test]
fn tampered_signature_is_rejected() {
    for alg in [
        JwsAlgorithm::RS256,
        JwsAlgorithm::PS256,
        JwsAlgorithm::ES256,
        JwsAlgorithm::ES384,
        JwsAlgorithm::EdDSA,
        JwsAlgorithm::HS256,
        JwsAlgorithm::HS512,
    ] {
        let token = tamper_signature(&mint(alg, &claims()));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(rule, ValidationError::Signature),
            "{alg}: {rule:?}"
        );
    }
}

#[test]
fn tampered_payload_is_rejected() {
    let token = mint(JwsAlgorithm::RS256, &claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let evil = claims_with(set("sub", json!("mallory")));
    parts[1] = b64::encode(evil.to_string().as_bytes());
    let rule = broken_rule(&parts.join("."), &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

#[test]
fn other_key_with_same_kid_is_rejected() {
    let token = mint_raw(
        &keys().rsa_other,
        JwsAlgorithm::RS256,
        typ_jwt(),
        Some("rsa-1"),
        claims().to_string().as_bytes(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

#[test]
fn embedded_header_key_is_never_trusted() {
    // RFC 8725 §3.10: a `jwk` header naming the attacker's own key must not be used.
    let attacker = &keys().rsa_other;
    let header = json!({ "jwk": attacker.public_jwk(), "jku": "https://evil.example/jwks" });
    let mut h = typ_jwt();
    h.extend(header.as_object().unwrap().clone());
    let token = mint_raw(
        attacker,
        JwsAlgorithm::RS256,
        h,
        Some("rsa-1"),
        claims().to_string().as_bytes(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

#[test]
fn hmac_keyed_with_public_key_is_rejected() {
    // Algorithm confusion: HS256 "signed" with the provider's public RSA modulus.
    let n = keys().rsa.public_jwk()["n"].as_str().unwrap().to_owned();
    let token = sign_compact_hmac(
        n.as_bytes(),
        JwsAlgorithm::HS256,
        typ_jwt(),
        claims().to_string().as_bytes(),
    )
    .unwrap();
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
    // And with HS* not allowed at all, it is the algorithm that is refused.
    let rs_only = IdTokenValidator::new(ISSUER, CLIENT, vec![JwsAlgorithm::RS256])
        .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)));
    let rule = validation(reject(&rs_only, &token, &with_nonce()));
    assert!(
        matches!(&rule, ValidationError::DisallowedAlg { alg } if alg == "HS256"),
        "{rule:?}"
    );
}

#[test]
fn algorithm_outside_allow_list_is_rejected() {
    let v = IdTokenValidator::new(ISSUER, CLIENT, vec![JwsAlgorithm::RS256])
        .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)))
        .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)));
    for alg in [
        JwsAlgorithm::RS512,
        JwsAlgorithm::PS256,
        JwsAlgorithm::ES256,
        JwsAlgorithm::EdDSA,
        JwsAlgorithm::HS256,
    ] {
        let token = mint(alg, &claims());
        let rule = validation(reject(&v, &token, &with_nonce()));
        assert!(
            matches!(&rule, ValidationError::DisallowedAlg { alg: a } if a == alg.as_str()),
            "{alg}: {rule:?}"
        );
    }
}

#[test]
fn alg_none_is_rejected_in_every_spelling() {
    let payload = claims().to_string();
    for none in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{none}","typ":"JWT"}}"#);
        // Unsecured JWS: empty signature (RFC 7515 Appendix A.5).
        let token = raw_token(&header, payload.as_bytes(), b"");
        assert!(token.ends_with('.'));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(&rule, ValidationError::DisallowedAlg { alg } if alg == none),
            "{none}: {rule:?}"
        );
    }
    // Other unknown names fare the same.
    let token = raw_token(r#"{"alg":"RS1"}"#, payload.as_bytes(), b"sig");
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(rule, ValidationError::DisallowedAlg { .. }),
        "{rule:?}"
    );
}

#[test]
fn empty_signature_with_real_alg_is_rejected() {
    let token = mint(JwsAlgorithm::RS256, &claims());
    let stripped = format!("{}.", token.rsplit_once('.').unwrap().0);
    let rule = broken_rule(&stripped, &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

#[test]
fn unknown_kid_is_rejected() {
    let token = mint_raw(
        &keys().rsa,
        JwsAlgorithm::RS256,
        typ_jwt(),
        Some("rotated-away"),
        claims().to_string().as_bytes(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(
            &rule,
            ValidationError::UnknownKey { kid: Some(k), alg } if k == "rotated-away" && alg == "RS256"
        ),
        "{rule:?}"
    );
    // A known kid whose key cannot serve the algorithm is no candidate either.
    let token = mint_raw(
        &keys().p256,
        JwsAlgorithm::ES256,
        typ_jwt(),
        Some("rsa-1"),
        claims().to_string().as_bytes(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(rule, ValidationError::UnknownKey { .. }),
        "{rule:?}"
    );
    // Nor is a key whose JWK `alg` names another algorithm.
    let pinned = {
        let jwk = keys().rsa.clone().with_kid("rsa-1").public_jwk(); // alg RS256
        JwkSet::parse(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
    };
    let token = mint(JwsAlgorithm::PS256, &claims());
    let rule = validation(reject_with(&validator(), &token, &pinned, &with_nonce()));
    assert!(
        matches!(&rule, ValidationError::UnknownKey { alg, .. } if alg == "PS256"),
        "{rule:?}"
    );
    // An empty key set knows no key.
    let token = mint(JwsAlgorithm::RS256, &claims());
    let rule = validation(reject_with(
        &validator(),
        &token,
        &JwkSet::default(),
        &with_nonce(),
    ));
    assert!(
        matches!(rule, ValidationError::UnknownKey { .. }),
        "{rule:?}"
    );
}

#[test]
fn absent_kid_is_accepted() {
    for alg in [
        JwsAlgorithm::RS256,
        JwsAlgorithm::ES256,
        JwsAlgorithm::EdDSA,
    ] {
        let token = mint_raw(
            signer(alg),
            alg,
            typ_jwt(),
            None,
            claims().to_string().as_bytes(),
        );
        // With one key in the set …
        let one = {
            let jwk = signer(alg).clone().with_kid("only").public_jwk();
            JwkSet::parse(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
        };
        let c = match validator().validate(&token, &one, &with_nonce()) {
            Ok(c) => c,
            Err(e) => panic!("{alg}: {e:?}"),
        };
        assert_eq!(c.sub, "alice");
        // … and among keys of other types.
        accept(&validator(), &token, &with_nonce());
    }
    // Without kid, a wrong key still fails on the signature, not as an unknown key.
    let token = mint_raw(
        &keys().rsa_other,
        JwsAlgorithm::RS256,
        typ_jwt(),
        None,
        claims().to_string().as_bytes(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

#[test]
fn hmac_without_client_secret_is_a_config_error() {
    let v = IdTokenValidator::new(ISSUER, CLIENT, vec![JwsAlgorithm::HS256])
        .with_clock(Arc::new(FixedClock::at_unix(NOW as u64)));
    let token = mint(JwsAlgorithm::HS256, &claims());
    let e = reject(&v, &token, &with_nonce());
    assert!(
        matches!(e, Error::Config(ConfigError::MissingCredential(_))),
        "{e:?}"
    );
}

#[test]
fn hmac_with_another_secret_is_rejected() {
    let v = validator().with_client_secret(Some(ClientSecret::new("another secret")));
    let token = mint(JwsAlgorithm::HS384, &claims());
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(matches!(rule, ValidationError::Signature), "{rule:?}");
}

// ---------------------------------------------------------------------------------------------
// Header rules
// ---------------------------------------------------------------------------------------------

#[test]
fn critical_header_extension_is_rejected() {
    // A well-formed `crit` naming an extension present in the header: the validator refuses it.
    let token = mint_with_header(
        JwsAlgorithm::RS256,
        json!({ "crit": ["urn:example:ext"], "urn:example:ext": true }),
        &claims(),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(&rule, ValidationError::CriticalHeader(name) if name == "urn:example:ext"),
        "{rule:?}"
    );
    // A malformed `crit` (names an absent member, or a registered one) fails in the JOSE parser.
    for crit in [
        json!({ "crit": ["urn:example:absent"] }),
        json!({ "crit": ["kid"] }),
        json!({ "crit": [] }),
        json!({ "crit": "urn:example:ext", "urn:example:ext": 1 }),
    ] {
        let token = mint_with_header(JwsAlgorithm::RS256, crit.clone(), &claims());
        let e = reject(&validator(), &token, &with_nonce());
        assert!(
            matches!(e, Error::Jose(JoseError::Malformed { .. })),
            "{crit}: {e:?}"
        );
    }
    // RFC 7797 unencoded payload.
    let token = mint_with_header(
        JwsAlgorithm::RS256,
        json!({ "b64": false, "crit": ["b64"] }),
        &claims(),
    );
    let e = reject(&validator(), &token, &with_nonce());
    assert!(
        matches!(e, Error::Jose(JoseError::Malformed { .. })),
        "{e:?}"
    );
}

#[test]
fn non_jwt_typ_is_rejected() {
    for typ in ["at+jwt", "JWE", "logout+jwt", "application/at+jwt"] {
        let token = mint_with_header(JwsAlgorithm::ES256, json!({ "typ": typ }), &claims());
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(&rule, ValidationError::UnexpectedType(t) if t == typ),
            "{typ}: {rule:?}"
        );
    }
    for typ in ["JWT", "jwt", "application/jwt", "application/JWT"] {
        let token = mint_with_header(JwsAlgorithm::ES256, json!({ "typ": typ }), &claims());
        accept(&validator(), &token, &with_nonce());
    }
    // No typ at all is fine too.
    let token = mint_raw(
        signer(JwsAlgorithm::ES256),
        JwsAlgorithm::ES256,
        Map::new(),
        kid_for(JwsAlgorithm::ES256),
        claims().to_string().as_bytes(),
    );
    accept(&validator(), &token, &with_nonce());
}

#[test]
fn nested_jwt_is_rejected() {
    let token = mint_with_header(JwsAlgorithm::RS256, json!({ "cty": "JWT" }), &claims());
    let e = reject(&validator(), &token, &with_nonce());
    assert!(
        matches!(e, Error::Validation(ValidationError::UnexpectedType(_))),
        "{e:?}"
    );
}

#[test]
fn duplicate_claim_names_are_rejected() {
    let payload = format!(
        r#"{{"iss":"{ISSUER}","sub":"alice","aud":"{CLIENT}","exp":{},"iat":{},"sub":"mallory"}}"#,
        NOW + 300,
        NOW
    );
    let token = mint_raw(
        &keys().rsa,
        JwsAlgorithm::RS256,
        typ_jwt(),
        Some("rsa-1"),
        payload.as_bytes(),
    );
    let e = reject(&validator(), &token, &Expectations::default());
    assert!(
        matches!(&e, Error::Jose(JoseError::DuplicateMember(name)) if name == "sub"),
        "{e:?}"
    );
    // Nested duplicates too.
    let payload = format!(
        r#"{{"iss":"{ISSUER}","sub":"alice","aud":"{CLIENT}","exp":{},"iat":{},"address":{{"country":"a","country":"b"}}}}"#,
        NOW + 300,
        NOW
    );
    let token = mint_raw(
        &keys().rsa,
        JwsAlgorithm::RS256,
        typ_jwt(),
        Some("rsa-1"),
        payload.as_bytes(),
    );
    let e = reject(&validator(), &token, &Expectations::default());
    assert!(
        matches!(e, Error::Jose(JoseError::DuplicateMember(_))),
        "{e:?}"
    );
    // And in the header.
    let header = r#"{"alg":"RS256","kid":"rsa-1","alg":"none"}"#;
    let token = raw_token(header, claims().to_string().as_bytes(), b"sig");
    let e = reject(&validator(), &token, &Expectations::default());
    assert!(
        matches!(&e, Error::Jose(JoseError::DuplicateMember(name)) if name == "alg"),
        "{e:?}"
    );
}

#[test]
fn malformed_tokens_are_jose_errors() {
    let token = mint(JwsAlgorithm::RS256, &claims());
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    for bad in [
        String::new(),
        "abc".to_owned(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}+"),
        format!("{}.{p}.{s}", b64::encode(b"[1]")),
        format!("{}.{p}.{s}", b64::encode(b"not json")),
    ] {
        let e = reject(&validator(), &bad, &Expectations::default());
        assert!(matches!(e, Error::Jose(_)), "{bad:?}: {e:?}");
    }
    // A payload that is not a JSON object, correctly signed.
    for payload in [&b"[]"[..], b"\"x\"", b"not json"] {
        let token = mint_raw(
            &keys().rsa,
            JwsAlgorithm::RS256,
            typ_jwt(),
            Some("rsa-1"),
            payload,
        );
        let e = reject(&validator(), &token, &Expectations::default());
        assert!(matches!(e, Error::Jose(_)), "{e:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Issuer, audience, azp
// ---------------------------------------------------------------------------------------------

#[test]
fn issuer_mismatch_is_rejected() {
    for iss in [
        "https://evil.example.com",
        "https://op.example.com/",
        "https://OP.example.com",
    ] {
        let token = mint(JwsAlgorithm::RS256, &claims_with(set("iss", json!(iss))));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(&rule, ValidationError::Issuer { expected, actual } if expected == ISSUER && actual == iss),
            "{iss}: {rule:?}"
        );
    }
}

#[test]
fn audience_without_client_is_rejected() {
    for aud in [
        json!("someone-else"),
        json!(["a", "b"]),
        json!(["client-10"]),
    ] {
        let token = mint(JwsAlgorithm::RS256, &claims_with(set("aud", aud.clone())));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(&rule, ValidationError::AudienceMissingClient { client_id } if client_id == CLIENT),
            "{aud}: {rule:?}"
        );
    }
}

#[test]
fn untrusted_extra_audience_is_rejected() {
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(|c| {
            c.insert("aud".into(), json!([CLIENT, "https://api.example.com"]));
            c.insert("azp".into(), json!(CLIENT));
        }),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(&rule, ValidationError::UntrustedAudience(a) if a == "https://api.example.com"),
        "{rule:?}"
    );
}

#[test]
fn trusted_extra_audience_with_azp_is_accepted() {
    let v = validator().with_trusted_audiences(vec!["https://api.example.com".into()]);
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(|c| {
            c.insert("aud".into(), json!([CLIENT, "https://api.example.com"]));
            c.insert("azp".into(), json!(CLIENT));
        }),
    );
    let c = accept(&v, &token, &with_nonce());
    assert_eq!(c.aud.len(), 2);
    assert_eq!(c.azp.as_deref(), Some(CLIENT));
}

#[test]
fn several_audiences_without_azp_are_rejected() {
    let v = validator().with_trusted_audiences(vec!["https://api.example.com".into()]);
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("aud", json!([CLIENT, "https://api.example.com"]))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(matches!(rule, ValidationError::AzpMissing), "{rule:?}");
}

#[test]
fn azp_other_than_client_is_rejected() {
    let v = validator().with_trusted_audiences(vec!["https://api.example.com".into()]);
    for aud in [json!(CLIENT), json!([CLIENT, "https://api.example.com"])] {
        let token = mint(
            JwsAlgorithm::RS256,
            &claims_with(|c| {
                c.insert("aud".into(), aud.clone());
                c.insert("azp".into(), json!("https://api.example.com"));
            }),
        );
        let rule = validation(reject(&v, &token, &with_nonce()));
        assert!(
            matches!(&rule, ValidationError::AzpMismatch { expected, actual }
                if expected == CLIENT && actual == "https://api.example.com"),
            "{aud}: {rule:?}"
        );
    }
    // A single audience with azp = client is fine.
    let token = mint(JwsAlgorithm::RS256, &claims_with(set("azp", json!(CLIENT))));
    accept(&v, &token, &with_nonce());
}

// ---------------------------------------------------------------------------------------------
// Time claims
// ---------------------------------------------------------------------------------------------

#[test]
fn expired_beyond_leeway_is_rejected() {
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(|c| {
            c.insert("exp".into(), json!(NOW - 61));
            c.insert("iat".into(), json!(NOW - 600));
        }),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(
            rule,
            ValidationError::Expired { exp, now, leeway: 60 } if exp == NOW - 61 && now == NOW
        ),
        "{rule:?}"
    );
    // Long expired.
    let token = mint(JwsAlgorithm::ES256, &claims_with(set("exp", json!(1))));
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::Expired { .. }), "{rule:?}");
}

#[test]
fn expired_within_leeway_is_accepted() {
    for exp in [NOW - 30, NOW - 60, NOW] {
        let token = mint(JwsAlgorithm::RS256, &claims_with(set("exp", json!(exp))));
        accept(&validator(), &token, &with_nonce());
    }
}

#[test]
fn zero_leeway_is_strict() {
    let v = validator().with_leeway(Duration::ZERO);
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("exp", json!(NOW - 30))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(rule, ValidationError::Expired { leeway: 0, .. }),
        "{rule:?}"
    );
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("exp", json!(NOW - 1))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(matches!(rule, ValidationError::Expired { .. }), "{rule:?}");
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("iat", json!(NOW + 1))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(rule, ValidationError::IssuedInFuture { .. }),
        "{rule:?}"
    );
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("nbf", json!(NOW + 1))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(rule, ValidationError::NotYetValid { .. }),
        "{rule:?}"
    );
    // exp = now is still valid; iat = nbf = now too.
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(|c| {
            c.insert("exp".into(), json!(NOW));
            c.insert("iat".into(), json!(NOW));
            c.insert("nbf".into(), json!(NOW));
        }),
    );
    accept(&v, &token, &with_nonce());
    // A wider leeway accepts more.
    let v = validator().with_leeway(Duration::from_secs(600));
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("exp", json!(NOW - 500))),
    );
    accept(&v, &token, &with_nonce());
}

#[test]
fn missing_exp_or_iat_is_rejected() {
    for claim in ["iat", "exp"] {
        let token = mint(JwsAlgorithm::RS256, &claims_with(remove(claim)));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(rule, ValidationError::MissingClaim(c) if c == claim),
            "{claim}: {rule:?}"
        );
        let token = mint(JwsAlgorithm::RS256, &claims_with(set(claim, Value::Null)));
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(rule, ValidationError::MissingClaim(c) if c == claim),
            "{claim} null: {rule:?}"
        );
    }
}

#[test]
fn malformed_dates_are_rejected() {
    let bad_values = [
        json!(NOW.to_string()),
        json!(NOW as f64 + 0.5),
        json!(-1),
        json!(true),
        json!([NOW]),
        json!(1e300),
        json!(u64::MAX),
    ];
    for claim in ["iat", "exp", "nbf", "auth_time"] {
        for bad in &bad_values {
            let token = mint(JwsAlgorithm::RS256, &claims_with(set(claim, bad.clone())));
            let rule = broken_rule(&token, &with_nonce());
            assert!(
                matches!(rule, ValidationError::MissingClaim(c) if c == claim),
                "{claim}={bad}: {rule:?}"
            );
        }
    }
}

#[test]
fn issued_in_future_is_rejected() {
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("iat", json!(NOW + 61))),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(rule, ValidationError::IssuedInFuture { iat, now } if iat == NOW + 61 && now == NOW),
        "{rule:?}"
    );
    // Within the leeway it is accepted.
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("iat", json!(NOW + 60))),
    );
    accept(&validator(), &token, &with_nonce());
}

#[test]
fn min_iat_is_enforced() {
    let v = validator().with_min_iat(Some(NOW - 100));
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("iat", json!(NOW - 200))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(rule, ValidationError::IssuedTooLongAgo { iat, min } if iat == NOW - 200 && min == NOW - 100),
        "{rule:?}"
    );
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("iat", json!(NOW - 100))),
    );
    accept(&v, &token, &with_nonce());
}

#[test]
fn not_yet_valid_is_rejected() {
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("nbf", json!(NOW + 120))),
    );
    let rule = broken_rule(&token, &with_nonce());
    assert!(
        matches!(rule, ValidationError::NotYetValid { nbf, now } if nbf == NOW + 120 && now == NOW),
        "{rule:?}"
    );
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("nbf", json!(NOW + 30))),
    );
    let c = accept(&validator(), &token, &with_nonce());
    assert_eq!(c.nbf, Some(NOW + 30));
}

// ---------------------------------------------------------------------------------------------
// Required and malformed claims
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_or_malformed_identity_claims_are_rejected() {
    let cases: Vec<(&'static str, Value)> = vec![
        ("iss", claims_with(remove("iss"))),
        ("iss", claims_with(set("iss", json!("")))),
        ("iss", claims_with(set("iss", json!(42)))),
        ("sub", claims_with(remove("sub"))),
        ("sub", claims_with(set("sub", json!("")))),
        ("sub", claims_with(set("sub", json!({ "id": 1 })))),
        ("aud", claims_with(remove("aud"))),
        ("aud", claims_with(set("aud", json!([])))),
        ("aud", claims_with(set("aud", json!("")))),
        ("aud", claims_with(set("aud", json!([CLIENT, 7])))),
        ("nonce", claims_with(set("nonce", json!(12345)))),
        ("azp", claims_with(set("azp", json!([CLIENT])))),
        ("amr", claims_with(set("amr", json!("pwd")))),
        ("at_hash", claims_with(set("at_hash", json!(1)))),
    ];
    for (claim, c) in cases {
        let token = mint(JwsAlgorithm::RS256, &c);
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(rule, ValidationError::MissingClaim(n) if n == claim),
            "{claim}: {rule:?}"
        );
    }
}

#[test]
fn claims_from_object_reads_every_member() {
    let obj = claims_with(|c| {
        c.insert("aud".into(), json!([CLIENT, "other"]));
        c.insert("auth_time".into(), json!(NOW - 5));
        c.insert("acr".into(), json!("urn:acr:silver"));
        c.insert("amr".into(), json!(["pwd", "otp"]));
        c.insert("azp".into(), json!(CLIENT));
        c.insert("sid".into(), json!("session-1"));
        c.insert("nbf".into(), json!(NOW - 20));
    });
    let Value::Object(map) = obj else {
        unreachable!()
    };
    let c = IdTokenClaims::from_object(map).unwrap();
    assert_eq!(c.aud, vec![CLIENT.to_owned(), "other".to_owned()]);
    assert_eq!(c.auth_time, Some(NOW - 5));
    assert_eq!(c.acr.as_deref(), Some("urn:acr:silver"));
    assert_eq!(c.amr, Some(vec!["pwd".to_owned(), "otp".to_owned()]));
    assert_eq!(c.sid.as_deref(), Some("session-1"));
    assert_eq!(c.nbf, Some(NOW - 20));
    assert_eq!(c.get("email"), Some(&json!("alice@example.com")));
    assert_eq!(c.get("iss"), None, "registered claims are not repeated");
}

// ---------------------------------------------------------------------------------------------
// Nonce, at_hash, c_hash
// ---------------------------------------------------------------------------------------------

#[test]
fn nonce_expected_but_absent_is_rejected() {
    let token = mint(JwsAlgorithm::RS256, &claims_with(remove("nonce")));
    let rule = broken_rule(&token, &with_nonce());
    assert!(matches!(rule, ValidationError::NonceMissing), "{rule:?}");
    // Without an expected nonce, its absence is fine.
    accept(&validator(), &token, &Expectations::default());
}

#[test]
fn different_nonce_is_rejected() {
    for other in [OTHER_NONCE, "", &NONCE[..NONCE.len() - 1]] {
        let token = mint(
            JwsAlgorithm::RS256,
            &claims_with(set("nonce", json!(other))),
        );
        let rule = broken_rule(&token, &with_nonce());
        assert!(
            matches!(rule, ValidationError::NonceMismatch),
            "{other:?}: {rule:?}"
        );
    }
}

#[test]
fn at_hash_is_checked() {
    for alg in [
        JwsAlgorithm::RS256,
        JwsAlgorithm::PS384,
        JwsAlgorithm::ES384,
        JwsAlgorithm::EdDSA,
        JwsAlgorithm::HS512,
    ] {
        let with_at = Expectations {
            nonce: Some(nonce()),
            access_token: Some(access_token()),
            ..Expectations::default()
        };
        // Correct.
        let good = left_half_hash(alg, ACCESS_TOKEN);
        let token = mint(alg, &claims_with(set("at_hash", json!(good))));
        let c = accept(&validator(), &token, &with_at);
        assert_eq!(c.at_hash.as_deref(), Some(good.as_str()));
        // Wrong: the hash of another token, and the right hash with another algorithm.
        let other_alg = if alg == JwsAlgorithm::RS256 {
            JwsAlgorithm::RS512
        } else {
            JwsAlgorithm::RS256
        };
        for wrong in [
            left_half_hash(alg, "another access token"),
            left_half_hash(other_alg, ACCESS_TOKEN),
        ] {
            let token = mint(alg, &claims_with(set("at_hash", json!(wrong))));
            let rule = broken_rule(&token, &with_at);
            assert!(
                matches!(rule, ValidationError::AtHashMismatch),
                "{alg}: {rule:?}"
            );
        }
    }
}

#[test]
fn required_at_hash_missing_is_rejected() {
    let x = Expectations {
        nonce: Some(nonce()),
        access_token: Some(access_token()),
        require_at_hash: true,
        ..Expectations::default()
    };
    let token = mint(JwsAlgorithm::RS256, &claims());
    let rule = broken_rule(&token, &x);
    assert!(matches!(rule, ValidationError::AtHashMissing), "{rule:?}");
    // Not required: an absent at_hash is fine (code flow, OIDC Core §3.1.3.8).
    let x = Expectations {
        require_at_hash: false,
        ..x
    };
    accept(&validator(), &token, &x);
}

#[test]
fn c_hash_is_checked() {
    let with_code = Expectations {
        nonce: Some(nonce()),
        code: Some(code()),
        ..Expectations::default()
    };
    let good = left_half_hash(JwsAlgorithm::ES256, CODE);
    let token = mint(
        JwsAlgorithm::ES256,
        &claims_with(set("c_hash", json!(good))),
    );
    accept(&validator(), &token, &with_code);

    let wrong = left_half_hash(JwsAlgorithm::ES256, "another code");
    let token = mint(
        JwsAlgorithm::ES256,
        &claims_with(set("c_hash", json!(wrong))),
    );
    let rule = broken_rule(&token, &with_code);
    assert!(matches!(rule, ValidationError::CHashMismatch), "{rule:?}");
    // The at_hash of the code is no c_hash of the access token.
    let x = Expectations {
        access_token: Some(access_token()),
        code: Some(code()),
        ..with_code
    };
    let token = mint(
        JwsAlgorithm::ES256,
        &claims_with(|c| {
            c.insert(
                "at_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, CODE)),
            );
            c.insert(
                "c_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, ACCESS_TOKEN)),
            );
        }),
    );
    let rule = broken_rule(&token, &x);
    assert!(matches!(rule, ValidationError::AtHashMismatch), "{rule:?}");
}

#[test]
fn required_c_hash_missing_is_rejected() {
    let x = Expectations {
        nonce: Some(nonce()),
        code: Some(code()),
        require_c_hash: true,
        ..Expectations::default()
    };
    let token = mint(JwsAlgorithm::RS256, &claims());
    let rule = broken_rule(&token, &x);
    assert!(matches!(rule, ValidationError::CHashMissing), "{rule:?}");
}

// ---------------------------------------------------------------------------------------------
// max_age / auth_time, acr
// ---------------------------------------------------------------------------------------------

#[test]
fn max_age_requires_auth_time() {
    let x = Expectations {
        nonce: Some(nonce()),
        max_age: Some(300),
        ..Expectations::default()
    };
    let token = mint(JwsAlgorithm::RS256, &claims());
    let rule = broken_rule(&token, &x);
    assert!(matches!(rule, ValidationError::AuthTimeMissing), "{rule:?}");
}

#[test]
fn max_age_rejects_old_authentication() {
    let x = Expectations {
        nonce: Some(nonce()),
        max_age: Some(300),
        ..Expectations::default()
    };
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("auth_time", json!(NOW - 1000))),
    );
    let rule = broken_rule(&token, &x);
    assert!(
        matches!(
            rule,
            ValidationError::AuthTimeTooOld { auth_time, max_age: 300, now }
                if auth_time == NOW - 1000 && now == NOW
        ),
        "{rule:?}"
    );
    // 300 s + 60 s leeway: 361 s ago is too old, 360 s is not.
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("auth_time", json!(NOW - 361))),
    );
    let rule = broken_rule(&token, &x);
    assert!(
        matches!(rule, ValidationError::AuthTimeTooOld { .. }),
        "{rule:?}"
    );
    // A huge max_age does not overflow.
    let huge = Expectations {
        max_age: Some(u64::MAX),
        ..x
    };
    accept(&validator(), &token, &huge);
}

#[test]
fn max_age_accepts_fresh_authentication() {
    let x = Expectations {
        nonce: Some(nonce()),
        max_age: Some(300),
        ..Expectations::default()
    };
    for auth_time in [NOW - 100, NOW - 360, NOW] {
        let token = mint(
            JwsAlgorithm::RS256,
            &claims_with(set("auth_time", json!(auth_time))),
        );
        let c = accept(&validator(), &token, &x);
        assert_eq!(c.auth_time, Some(auth_time));
    }
}

#[test]
fn acr_hook_decides() {
    let v = validator().with_acr_check(Arc::new(|acr: Option<&str>| acr == Some("urn:acr:gold")));
    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("acr", json!("urn:acr:bronze"))),
    );
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(&rule, ValidationError::AcrRejected(Some(a)) if a == "urn:acr:bronze"),
        "{rule:?}"
    );
    let token = mint(JwsAlgorithm::RS256, &claims());
    let rule = validation(reject(&v, &token, &with_nonce()));
    assert!(
        matches!(rule, ValidationError::AcrRejected(None)),
        "{rule:?}"
    );

    let token = mint(
        JwsAlgorithm::RS256,
        &claims_with(set("acr", json!("urn:acr:gold"))),
    );
    let c = accept(&v, &token, &with_nonce());
    assert_eq!(c.acr.as_deref(), Some("urn:acr:gold"));
}

// ---------------------------------------------------------------------------------------------
// Refreshed ID tokens (OIDC Core §12.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn previous_claims_must_match() {
    let first = accept(
        &validator(),
        &mint(JwsAlgorithm::RS256, &claims()),
        &with_nonce(),
    );
    // A refreshed token may lack the nonce; same iss and sub are accepted.
    let refreshed = mint(JwsAlgorithm::RS256, &claims_with(remove("nonce")));
    let x = Expectations {
        previous: Some(&first),
        ..Expectations::default()
    };
    accept(&validator(), &refreshed, &x);

    let other_sub = mint(
        JwsAlgorithm::RS256,
        &claims_with(|c| {
            c.remove("nonce");
            c.insert("sub".into(), json!("bob"));
        }),
    );
    let rule = broken_rule(&other_sub, &x);
    assert!(
        matches!(&rule, ValidationError::SubjectMismatch { expected, actual }
            if expected == "alice" && actual == "bob"),
        "{rule:?}"
    );

    // The original came from another issuer (e.g. the provider's issuer URL changed).
    let Value::Object(map) = claims_with(set("iss", json!("https://old-op.example.com"))) else {
        unreachable!()
    };
    let old = IdTokenClaims::from_object(map).unwrap();
    let x = Expectations {
        previous: Some(&old),
        ..Expectations::default()
    };
    let rule = broken_rule(&refreshed, &x);
    assert!(
        matches!(&rule, ValidationError::Issuer { expected, actual }
            if expected == "https://old-op.example.com" && actual == ISSUER),
        "{rule:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets never leak
// ---------------------------------------------------------------------------------------------

#[test]
fn errors_never_contain_secrets() {
    // `reject` checks every error above; here the errors that handle secrets most directly,
    // with the secret values also placed where a careless message would pick them up.
    let x = Expectations {
        nonce: Some(nonce()),
        access_token: Some(access_token()),
        code: Some(code()),
        require_at_hash: true,
        require_c_hash: true,
        ..Expectations::default()
    };
    // Secret values are put only where no error message has a reason to quote them (claim
    // values compared by hash or in constant time, malformed parts); claims an error does name
    // by design (`iss`, `aud`, `azp`, `sub`, `acr`, header `alg` / `typ`) are left out.
    let tokens = [
        mint(
            JwsAlgorithm::RS256,
            &claims_with(set("nonce", json!(OTHER_NONCE))),
        ),
        mint(
            JwsAlgorithm::RS256,
            &claims_with(set("at_hash", json!(ACCESS_TOKEN))),
        ),
        mint(
            JwsAlgorithm::RS256,
            &claims_with(|c| {
                c.insert(
                    "at_hash".into(),
                    json!(left_half_hash(JwsAlgorithm::RS256, ACCESS_TOKEN)),
                );
                c.insert("c_hash".into(), json!(CODE));
            }),
        ),
        mint(JwsAlgorithm::HS256, &claims()),
        tamper_signature(&mint(JwsAlgorithm::HS256, &claims())),
        mint(
            JwsAlgorithm::RS256,
            &claims_with(set("iat", json!(ACCESS_TOKEN))),
        ),
        mint(
            JwsAlgorithm::RS256,
            &claims_with(set("nonce", json!([NONCE]))),
        ),
        mint_raw(
            &keys().rsa,
            JwsAlgorithm::RS256,
            typ_jwt(),
            Some("rsa-1"),
            format!(r#"{{"nonce":"{NONCE}","nonce":"{OTHER_NONCE}"}}"#).as_bytes(),
        ),
        mint_raw(
            &keys().rsa,
            JwsAlgorithm::RS256,
            typ_jwt(),
            Some("rsa-1"),
            format!(r#"{{"iss":"{ISSUER}","sub":{NONCE}}}"#).as_bytes(),
        ),
        mint_raw(
            &keys().rsa,
            JwsAlgorithm::RS256,
            typ_jwt(),
            Some("rsa-1"),
            format!(r#"["{ACCESS_TOKEN}"]"#).as_bytes(),
        ),
        format!("{NONCE}.{ACCESS_TOKEN}.{CODE}"),
        format!("{}.{}", b64::encode(CLIENT_SECRET.as_bytes()), NONCE),
    ];
    for token in &tokens {
        // With the secret (every rule) and without (HS* tokens fail on configuration).
        reject(&validator(), token, &x);
        reject(&validator().with_client_secret(None), token, &x);
    }
    // The validator's own Debug output keeps the client secret hidden.
    let dbg = format!("{:?}", validator());
    assert!(!dbg.contains(CLIENT_SECRET), "{dbg}");
    let dbg = format!("{x:?}");
    for s in [NONCE, ACCESS_TOKEN, CODE] {
        assert!(!dbg.contains(s), "{dbg}");
    }
}
