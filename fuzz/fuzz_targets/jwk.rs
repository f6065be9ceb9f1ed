//! JWK (RFC 7517 §4) and JWK Set (§5) parsing on arbitrary input.
//!
//! Invariants: nothing panics; when a set parses, usable plus skipped keys account for
//! every entry of `keys`; each usable key parses on its own with `Jwk::from_json`; a key
//! that `allows` an algorithm supports it and is never used for HMAC; an RSA key is 2048 to
//! 8192 bits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use typed_oidc::jose::{Jwk, JwkSet, JwsAlgorithm};

fn check_key(jwk: &Jwk) {
    for alg in JwsAlgorithm::ALL {
        if jwk.allows(alg) {
            assert!(jwk.key.supports(alg), "allows {alg} without supporting it");
            assert!(!alg.is_symmetric(), "a public key allows {alg}");
        }
    }
    let _ = jwk.key.kty();
    let _ = jwk.key.crv();
    if let Some(bits) = jwk.key.rsa_bits() {
        assert!(
            (2048..=8192).contains(&bits),
            "RSA key of {bits} bits accepted"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = JwkSet::parse(data) {
        for jwk in set.keys() {
            check_key(jwk);
        }
        assert_eq!(set.is_empty(), set.keys().is_empty());
        assert_eq!(set.skip_reasons().len(), set.skipped());
        // serde_json keeps the last of duplicate members; JwkSet::parse refuses a repeated
        // `keys`, so the array seen here is the one it read.
        if let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(data)
            && let Some(Value::Array(entries)) = doc.get("keys")
        {
            assert_eq!(entries.len(), set.keys().len() + set.skipped());
            let reparsed: Vec<Jwk> = entries
                .iter()
                .filter_map(|e| Jwk::from_json(e).ok())
                .collect();
            assert!(reparsed.len() >= set.keys().len());
        }
        for kid in set.keys().iter().filter_map(|k| k.kid.as_deref()) {
            assert!(set.contains_kid(kid));
        }
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data)
        && let Ok(jwk) = Jwk::from_json(&value)
    {
        check_key(&jwk);
        // A key alone is a one-key set.
        let set = JwkSet::from_keys(vec![jwk]);
        assert_eq!(set.keys().len(), 1);
    }
});
