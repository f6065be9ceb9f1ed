//! JWS compact parsing (RFC 7515 §7.1) and ID-token validation on arbitrary input.
//!
//! Selector byte (first byte) mod 3:
//! * 0: the rest is a compact JWS: `Jws::parse`, then every key of the fixture set and the
//!   HMAC secret try to verify it, then `IdTokenValidator::validate`;
//! * 1: the rest is a claims payload, signed here with HS256 so that validation reaches the
//!   claims rules;
//! * 2: the same with EdDSA (a deterministic asymmetric signature).
//!
//! Invariants: nothing panics; a parsed JWS re-encodes to exactly the token (strict
//! base64url has one encoding per value); the signing input is the token up to its last
//! dot; the extracted header agrees with the header JSON; a validated token's claims are
//! the fixed issuer and client.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use typed_oidc::jose::{
    JwkSet, Jws, JwsAlgorithm, SigningKey, b64, sign_compact, sign_compact_hmac, verify_hmac,
};
use typed_oidc::{Expectations, IdTokenValidator};
use typed_oidc_fuzz as common;

static KEYS: LazyLock<JwkSet> = LazyLock::new(common::jwks);
static ED: LazyLock<SigningKey> = LazyLock::new(common::ed25519_key);
static CLIENT: LazyLock<typed_oidc::Client<common::FixtureHttp>> =
    LazyLock::new(|| common::client(false));

fn validator() -> &'static IdTokenValidator {
    CLIENT.id_token_validator()
}

fn check_parsed(token: &str) {
    let Ok(jws) = Jws::parse(token) else { return };
    // Round trip: three strict base64url parts re-encode to the very token.
    let (head, _) = token.rsplit_once('.').expect("a parsed JWS has dots");
    assert_eq!(jws.signing_input(), head);
    let reencoded = format!("{}.{}", jws.signing_input(), b64::encode(jws.signature()));
    assert_eq!(reencoded, token);
    let (h, p) = head.split_once('.').expect("three parts");
    assert_eq!(b64::encode(jws.payload()), p);
    let header_json = b64::decode(h).expect("header decoded once already");
    let again: Value = serde_json::from_slice(&header_json).expect("header is JSON");
    assert_eq!(
        again.get("alg").and_then(Value::as_str),
        Some(jws.header().alg.as_str())
    );
    assert_eq!(
        jws.header_json().get("kid").and_then(Value::as_str),
        jws.header().kid.as_deref()
    );

    for alg in JwsAlgorithm::ALL {
        // Key selection for every algorithm, not only the header's.
        for key in KEYS.candidates(alg, jws.header().kid.as_deref()) {
            assert!(key.key.supports(alg));
        }
    }
    if let Ok(alg) = jws.algorithm() {
        assert_eq!(JwsAlgorithm::parse(alg.as_str()), Ok(alg));
        for key in KEYS.candidates(alg, jws.header().kid.as_deref()) {
            assert!(key.allows(alg));
            let _ = key
                .key
                .verify(alg, jws.signing_input().as_bytes(), jws.signature());
        }
        let _ = verify_hmac(
            alg,
            common::CLIENT_SECRET.as_bytes(),
            jws.signing_input().as_bytes(),
            jws.signature(),
        );
    }
}

fn validate(token: &str) {
    if let Ok(claims) = validator().validate(token, &KEYS, &Expectations::default()) {
        assert_eq!(claims.iss.as_str(), common::ISSUER);
        assert!(claims.aud.iter().any(|a| a == common::CLIENT_ID));
    }
}

fn header() -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header
}

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    match selector % 3 {
        0 => {
            let Ok(token) = std::str::from_utf8(rest) else {
                return;
            };
            check_parsed(token);
            validate(token);
        }
        1 => {
            let token = sign_compact_hmac(
                common::CLIENT_SECRET.as_bytes(),
                JwsAlgorithm::HS256,
                header(),
                rest,
            )
            .expect("HS256 signing with a fixed key");
            check_parsed(&token);
            validate(&token);
        }
        _ => {
            let token = sign_compact(&ED, JwsAlgorithm::EdDSA, header(), rest)
                .expect("EdDSA signing with a fixed key");
            check_parsed(&token);
            validate(&token);
        }
    }
});
