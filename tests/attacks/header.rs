//! Header attacks: keys named or supplied by the token itself (`jku`, `x5u`, `jwk`, `x5c`,
//! `kid`; RFC 8725 §3.10, RFC 7515 §4.1.2–§4.1.6, CVE-2018-0114, and "kid injection"
//! into key paths or SQL), `crit` (RFC 7515 §4.1.11), `b64` (RFC 7797 §3, §6), `typ` and `cty`
//! (RFC 8725 §2.8, §3.11, RFC 9068 §2.1, §4) and duplicate header members (RFC 7515 §5.2,
//! RFC 7493 §2.3).

use serde_json::json;
use typed_oidc::error::{Error, JoseError, ValidationError};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, b64};

use crate::common::*;
use crate::mock::MockHttp;

const EVIL_JKU: &str = "https://attacker.example/.well-known/jwks.json";
const EVIL_X5U: &str = "https://attacker.example/cert.pem";

/// Every request went to the provider's own `jwks_uri`, none to an attacker's URL.
fn assert_only_provider_keys_fetched(http: &MockHttp) {
    let seen = uris(http);
    for uri in &seen {
        assert_eq!(
            uri, JWKS_URI,
            "fetched something else than jwks_uri: {seen:?}"
        );
        assert!(!uri.contains("attacker"), "{seen:?}");
    }
}

fn attacker_token(alg: JwsAlgorithm, key: &SigningKey, extra: serde_json::Value) -> String {
    sign(key, alg, extra, claims().to_string().as_bytes())
}

#[tokio::test]
async fn jku_and_x5u_are_never_fetched() {
    let attacker = &keys().attacker; // kid "attacker", unknown to the provider
    let headers = [
        json!({ "jku": EVIL_JKU }),
        json!({ "x5u": EVIL_X5U }),
        json!({ "jku": EVIL_JKU, "x5u": EVIL_X5U }),
        json!({ "jku": EVIL_JKU, "jwk": attacker.public_jwk() }),
        // Pointing at the provider's own host does not make it trusted either.
        json!({ "jku": "https://op.example.com/attacker-keys" }),
    ];
    for extra in headers {
        let http = provider_http();
        let client = confidential(&http, vec![JwsAlgorithm::RS256]);
        let token = attacker_token(JwsAlgorithm::RS256, attacker, extra.clone());
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k == "attacker"),
            "{extra}: {e:?}"
        );
        // The initial fetch and one rotation refetch, both at jwks_uri.
        assert_only_provider_keys_fetched(&http);
        assert!(http.requests() >= 1, "{extra}");
    }
}

#[tokio::test]
async fn jku_with_the_provider_kid_is_refused_on_the_signature() {
    // The attacker names the provider's kid and hosts "its" key at jku: the provider's key
    // is used, and the attacker's signature fails.
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    let key = keys().attacker.clone().with_kid("rsa-1");
    let token = attacker_token(
        JwsAlgorithm::RS256,
        &key,
        json!({ "jku": EVIL_JKU, "x5u": EVIL_X5U }),
    );
    let e = client_validate(&client, &token).await.unwrap_err();
    assert!(
        matches!(e, Error::Validation(ValidationError::Signature)),
        "{e:?}"
    );
    assert_only_provider_keys_fetched(&http);
}

#[tokio::test]
async fn embedded_jwk_that_really_signed_the_token_is_never_used() {
    // RFC 8725 §3.10, CVE-2018-0114: the header carries the attacker's public key, and the
    // token verifies with it. Without a kid every published key of the type is tried.
    let rsa_attacker = keys().attacker.clone();
    let ec_attacker = SigningKey::generate_ec_p256().unwrap();
    let cases = [
        (JwsAlgorithm::RS256, rsa_attacker.clone(), None),
        (
            JwsAlgorithm::RS256,
            rsa_attacker.clone().with_kid("rsa-1"),
            Some("rsa-1"),
        ),
        (JwsAlgorithm::PS256, rsa_attacker.clone(), None),
        (JwsAlgorithm::ES256, ec_attacker.clone(), None),
        (
            JwsAlgorithm::ES256,
            ec_attacker.with_kid("p256-1"),
            Some("p256-1"),
        ),
    ];
    for (alg, key, kid) in cases {
        let key = match kid {
            Some(_) => key,
            None => strip_kid(&key),
        };
        let token = attacker_token(alg, &key, json!({ "jwk": key.public_jwk() }));
        let e = refuse(&token);
        if alg == JwsAlgorithm::PS256 {
            // The provider's only RSA key is published for RS256: there is no PS256 key to
            // try, and the embedded one is not taken instead.
            assert!(
                matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: None, alg }) if alg == "PS256"),
                "{alg}: {e:?}"
            );
        } else {
            assert!(
                matches!(e, Error::Validation(ValidationError::Signature)),
                "{alg} kid {kid:?}: {e:?}"
            );
        }
    }
    // With the attacker's own kid, that kid is simply unknown — through the client too, and
    // only jwks_uri is fetched.
    let token = attacker_token(
        JwsAlgorithm::RS256,
        &rsa_attacker,
        json!({ "jwk": rsa_attacker.public_jwk(), "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] }),
    );
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    let e = client_validate(&client, &token).await.unwrap_err();
    assert!(
        matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k == "attacker"),
        "{e:?}"
    );
    assert_only_provider_keys_fetched(&http);
}

/// `key` without its kid (a `SigningKey` cannot drop one, so rebuild it from its PEM).
fn strip_kid(key: &SigningKey) -> SigningKey {
    SigningKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap()
}

const KID_INJECTIONS: [&str; 12] = [
    "../../../../../../../dev/null",
    "/dev/null",
    "/etc/passwd",
    "file:///etc/passwd",
    "' OR '1'='1",
    "rsa-1' --",
    "rsa-1\" OR \"\"=\"",
    "rsa-1\u{0}",
    "RSA-1",
    " rsa-1",
    "*",
    "https://attacker.example/jwks.json#rsa-1",
];

#[tokio::test]
async fn kid_injection_values_are_plain_unknown_kids() {
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    for kid in KID_INJECTIONS {
        let key = keys().attacker.clone().with_kid(kid);
        let token = attacker_token(JwsAlgorithm::RS256, &key, json!({}));
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), alg }) if k == kid && alg == "RS256"),
            "{kid:?}: {e:?}"
        );
    }
    assert_only_provider_keys_fetched(&http);
    // One initial fetch plus at most one rotation refetch (the cooldown holds the rest back).
    assert!(http.requests() <= 2, "{:?}", uris(&http));
}

#[test]
fn kid_naming_another_key_is_refused() {
    // The P-256 key's kid on an RS256 token: that key cannot verify RS256, so no candidate.
    let key = keys().attacker.clone().with_kid("p256-1");
    let e = refuse(&attacker_token(JwsAlgorithm::RS256, &key, json!({})));
    assert!(
        matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k == "p256-1"),
        "{e:?}"
    );
    // The RSA key's kid on an ES256 token likewise.
    let key = SigningKey::generate_ec_p256().unwrap().with_kid("rsa-1");
    let e = refuse(&attacker_token(JwsAlgorithm::ES256, &key, json!({})));
    assert!(
        matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k == "rsa-1"),
        "{e:?}"
    );
    // The empty kid names no key.
    let key = keys().attacker.clone().with_kid("");
    let e = refuse(&attacker_token(JwsAlgorithm::RS256, &key, json!({})));
    assert!(
        matches!(&e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k.is_empty()),
        "{e:?}"
    );
    // A kid that is not a string is malformed.
    for kid in [
        json!(1),
        json!(null),
        json!(["rsa-1"]),
        json!({ "$ne": "" }),
    ] {
        let header = json!({ "alg": "RS256", "kid": kid }).to_string();
        let token = sign_raw(
            &keys().attacker,
            JwsAlgorithm::RS256,
            &header,
            claims().to_string().as_bytes(),
        );
        let e = refuse(&token);
        assert!(
            matches!(
                e,
                Error::Jose(JoseError::Malformed {
                    what: "JWS header",
                    ..
                })
            ),
            "{kid}: {e:?}"
        );
    }
}

#[test]
fn kid_dev_null_with_an_empty_hmac_key_is_refused() {
    // The classic: kid points at /dev/null, so a confused library reads an empty key and
    // the attacker signs HS256 with the empty string.
    for kid in ["/dev/null", "../../../../dev/null", "rsa-1"] {
        let header = json!({ "alg": "HS256", "typ": "JWT", "kid": kid }).to_string();
        let input = format!(
            "{}.{}",
            b64::encode(header.as_bytes()),
            b64::encode(claims().to_string().as_bytes())
        );
        let token = format!(
            "{input}.{}",
            b64::encode(&hmac_sha256(b"", input.as_bytes()))
        );
        let e = refuse(&token);
        assert!(
            matches!(e, Error::Validation(ValidationError::Signature)),
            "{kid}: {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// crit and b64
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn crit_with_an_unknown_extension_is_refused() {
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256]);
    // Genuinely signed by the provider: the signature is fine, the extension is not understood.
    for (name, value) in [
        ("urn:attacker:skip-exp-check", json!(true)),
        ("exp", json!(NOW + 1_000_000)),
        ("http://openid.net/specs/extension", json!({ "a": 1 })),
        ("b64", json!(true)),
    ] {
        let mut extra = serde_json::Map::new();
        extra.insert("crit".into(), json!([name]));
        extra.insert(name.into(), value);
        let token = sign(
            &keys().rsa,
            JwsAlgorithm::RS256,
            extra.clone().into(),
            claims().to_string().as_bytes(),
        );
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::CriticalHeader(n)) if n == name),
            "{name}: {e:?}"
        );
        let token = hmac_token(
            SECRET.as_bytes(),
            extra.into(),
            claims().to_string().as_bytes(),
        );
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::CriticalHeader(n)) if n == name),
            "HS256 {name}: {e:?}"
        );
    }
}

#[test]
fn unencoded_payload_b64_false_is_refused() {
    // RFC 7797 §3: the signing input uses the payload octets as they are, so a payload that
    // looks base64url-encoded is read differently by a parser that ignores `b64`.
    let payload = claims().to_string();
    for header in [
        json!({ "alg": "HS256", "b64": false, "crit": ["b64"] }),
        json!({ "alg": "HS256", "b64": false }),
        json!({ "alg": "HS256", "b64": "false", "crit": ["b64"] }),
        json!({ "alg": "HS256", "b64": 0 }),
    ] {
        let header_b64 = b64::encode(header.to_string().as_bytes());
        let input = format!("{header_b64}.{payload}");
        let sig = b64::encode(&hmac_sha256(SECRET.as_bytes(), input.as_bytes()));
        // Detached (RFC 7515 Appendix F, as RFC 7797 §5.2 suggests) and attached with the
        // payload base64url-encoded after all.
        for token in [
            format!("{header_b64}..{sig}"),
            format!("{header_b64}.{}.{sig}", b64::encode(payload.as_bytes())),
        ] {
            let e = refuse(&token);
            assert!(
                matches!(
                    e,
                    Error::Jose(JoseError::Malformed {
                        what: "JWS header",
                        ..
                    })
                ),
                "{header}: {e:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// typ and cty
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tokens_of_other_types_are_refused_as_id_tokens() {
    // RFC 8725 §3.11 asks each kind of JWT to be explicitly typed so one cannot be passed off
    // as another, and RFC 9068 §2.1 types access tokens `at+jwt`; OpenID Connect Core defines
    // no typ for ID tokens (providers send `JWT` or nothing), so typed-oidc accepts absent,
    // `JWT` and `application/jwt` (RFC 7519 §5.1, case-insensitively) and refuses every other
    // type, in particular an access token replayed as an ID token (RFC 8725 §2.8).
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    let access_token_claims = json!({
        "iss": ISSUER, "sub": "alice", "aud": CLIENT, "client_id": CLIENT,
        "scope": "openid", "jti": "at-1", "exp": NOW + 300, "iat": NOW - 10,
    });
    for typ in [
        "at+jwt",
        "application/at+JWT",
        "JWE",
        "JOSE",
        "JOSE+JSON",
        "secevent+jwt",
        "dpop+jwt",
        "logout+jwt",
        "JWT ",
        "",
    ] {
        let token = sign(
            &keys().rsa,
            JwsAlgorithm::RS256,
            json!({ "typ": typ }),
            access_token_claims.to_string().as_bytes(),
        );
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::UnexpectedType(t)) if t == typ),
            "{typ:?}: {e:?}"
        );
    }
    for typ in [json!(1), json!(["JWT"]), json!(null)] {
        let header = json!({ "alg": "RS256", "kid": "rsa-1", "typ": typ }).to_string();
        let token = sign_raw(
            &keys().rsa,
            JwsAlgorithm::RS256,
            &header,
            claims().to_string().as_bytes(),
        );
        let e = client_validate(&client, &token).await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::Jose(JoseError::Malformed {
                    what: "JWS header",
                    ..
                })
            ),
            "{typ}: {e:?}"
        );
    }
    // The control: the same claims under typ JWT are an ID token.
    let token = sign(
        &keys().rsa,
        JwsAlgorithm::RS256,
        json!({ "typ": "JWT" }),
        access_token_claims.to_string().as_bytes(),
    );
    assert_eq!(client_validate(&client, &token).await.unwrap().sub, "alice");
}

#[test]
fn nested_jwts_are_refused() {
    let inner = provider_token(&claims());
    // Announced nesting (RFC 7519 §5.2): any cty is refused.
    for cty in ["JWT", "jwt", "application/jwt", "JOSE"] {
        let token = sign(
            &keys().rsa,
            JwsAlgorithm::RS256,
            json!({ "cty": cty }),
            inner.as_bytes(),
        );
        let e = refuse(&token);
        assert!(
            matches!(&e, Error::Validation(ValidationError::UnexpectedType(t)) if t == &format!("cty {cty}")),
            "{cty}: {e:?}"
        );
    }
    // Unannounced: the payload is itself a (valid) JWS, raw or as a JSON string; it is not a
    // claims object, so it is not unwrapped.
    for payload in [inner.clone(), json!(inner).to_string()] {
        let token = sign(
            &keys().rsa,
            JwsAlgorithm::RS256,
            json!({}),
            payload.as_bytes(),
        );
        let e = refuse(&token);
        assert!(matches!(e, Error::Jose(JoseError::Json { .. })), "{e:?}");
    }
    // A JWE-shaped (five-part) token is not a JWS.
    let e = refuse(&format!("{inner}.{}", inner.split('.').nth(1).unwrap()));
    assert!(
        matches!(e, Error::Jose(JoseError::Malformed { what: "JWS", .. })),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate header members
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_header_members_are_refused_even_when_signed() {
    let payload = claims().to_string();
    for (header, dup) in [
        (r#"{"alg":"RS256","kid":"rsa-1","alg":"none"}"#, "alg"),
        (r#"{"alg":"none","kid":"rsa-1","alg":"RS256"}"#, "alg"),
        // The same name spelt with an escape (a parser differential on unescaping).
        (r#"{"alg":"RS256","kid":"rsa-1","\u0061lg":"HS256"}"#, "alg"),
        (r#"{"alg":"RS256","kid":"rsa-1","kid":"attacker"}"#, "kid"),
        (
            r#"{"alg":"RS256","kid":"rsa-1","typ":"JWT","typ":"at+jwt"}"#,
            "typ",
        ),
        (
            r#"{"alg":"RS256","kid":"rsa-1","crit":["x"],"x":1,"crit":[]}"#,
            "crit",
        ),
        (
            r#"{"alg":"RS256","kid":"rsa-1","b64":true,"b64":false}"#,
            "b64",
        ),
        // Nested inside a header member.
        (
            r#"{"alg":"RS256","kid":"rsa-1","jwk":{"kty":"RSA","kty":"oct"}}"#,
            "kty",
        ),
    ] {
        let token = sign_raw(&keys().rsa, JwsAlgorithm::RS256, header, payload.as_bytes());
        let e = refuse(&token);
        assert!(
            matches!(&e, Error::Jose(JoseError::DuplicateMember(n)) if n == dup),
            "{header}: {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile header strings in errors
// ---------------------------------------------------------------------------------------------

/// A string from the token, as an error carries it: at most 64 characters of the original
/// (then `…`), so that an unsigned header cannot put kilobytes into every log line.
fn clipped_from(carried: &str, original: &str) -> bool {
    let kept = carried.strip_suffix('…').unwrap_or(carried);
    kept.chars().count() <= 64 && original.starts_with(kept)
}

#[test]
fn hostile_header_strings_are_clipped_in_errors() {
    let long = format!("{}\n{}", "k".repeat(100), "x".repeat(50_000));
    let payload = claims().to_string();
    let cases: Vec<(String, &str)> = vec![
        (json!({ "alg": long, "typ": "JWT" }).to_string(), "alg"),
        (json!({ "alg": "RS256", "kid": long }).to_string(), "kid"),
        (
            json!({ "alg": "RS256", "kid": "rsa-1", "typ": long }).to_string(),
            "typ",
        ),
        (
            json!({ "alg": "RS256", "kid": "rsa-1", "cty": long }).to_string(),
            "cty",
        ),
        (
            json!({ "alg": "RS256", "kid": "rsa-1", "crit": [long], long.clone(): 1 }).to_string(),
            "crit",
        ),
    ];
    for (header, what) in cases {
        let token = raw_token(&header, payload.as_bytes(), b"sig");
        let e = refuse(&token);
        let ok = match (&e, what) {
            (Error::Validation(ValidationError::DisallowedAlg { alg }), "alg") => {
                clipped_from(alg, &long)
            }
            (Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }), "kid") => {
                clipped_from(k, &long)
            }
            (Error::Validation(ValidationError::UnexpectedType(t)), "typ") => {
                clipped_from(t, &long)
            }
            (Error::Validation(ValidationError::UnexpectedType(t)), "cty") => t
                .strip_prefix("cty ")
                .is_some_and(|t| clipped_from(t, &long)),
            (Error::Validation(ValidationError::CriticalHeader(n)), "crit") => {
                clipped_from(n, &long)
            }
            _ => false,
        };
        assert!(
            ok,
            "{what}: {}",
            &format!("{e:?}")[..200.min(format!("{e:?}").len())]
        );
        assert!(
            e.to_string().len() < 512,
            "{what}: {} bytes",
            e.to_string().len()
        );
        assert!(!e.to_string().contains('\n'), "{what}");
    }
}
