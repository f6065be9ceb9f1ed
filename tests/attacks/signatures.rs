//! Signature forgeries that need no key: ECDSA "psychic signatures" (r = s = 0, CVE-2022-21449)
//! and other out-of-range or mis-encoded ECDSA values (RFC 7518 §3.4 requires the fixed-size
//! `R || S` form), degenerate RSA signatures (RFC 8017 §5.2.2, §8.2.2), and truncated or
//! re-labelled HMACs (RFC 7518 §3.2: the full-length MAC, never a comparison of only the
//! supplied length).

use serde_json::json;
use typed_oidc::error::{Error, ValidationError};
use typed_oidc::jose::{JwsAlgorithm, b64};

use crate::common::*;

/// The order n of the P-256 group (FIPS 186-4 D.1.2.3).
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn replace_signature(token: &str, sig: &[u8]) -> String {
    format!("{}.{}", token.rsplit_once('.').unwrap().0, b64::encode(sig))
}

fn assert_signature_refused(token: &str, what: &str) {
    let e = refuse(token);
    assert!(
        matches!(e, Error::Validation(ValidationError::Signature)),
        "{what}: {e:?}"
    );
}

/// An ASN.1 DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3) for a fixed-size `R || S`.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let first = v.iter().position(|b| *b != 0).unwrap_or(v.len() - 1);
        let mut body = v[first..].to_vec();
        if body[0] & 0x80 != 0 {
            body.insert(0, 0);
        }
        let mut out = vec![0x02, body.len() as u8];
        out.extend(body);
        out
    };
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[test]
fn ecdsa_psychic_and_out_of_range_signatures_are_refused() {
    // A genuine ES256 token of the provider; only its signature is replaced.
    let token = sign(
        &keys().p256,
        JwsAlgorithm::ES256,
        json!({}),
        claims().to_string().as_bytes(),
    );
    assert!(validate(&validator(), &token).is_ok());
    let real = b64::decode(token.rsplit_once('.').unwrap().1).unwrap();
    let (r, s) = real.split_at(32);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("r = s = 0", vec![0; 64]),
        ("r = s = n", [P256_ORDER, P256_ORDER].concat()),
        ("r = 0, real s", [&[0u8; 32][..], s].concat()),
        ("real r, s = 0", [r, &[0u8; 32][..]].concat()),
        ("r = n, real s", [&P256_ORDER[..], s].concat()),
        ("r = s = 0xff..", vec![0xff; 64]),
        ("DER-encoded", der_signature(&real)),
        ("63 octets", real[..63].to_vec()),
        ("65 octets", [&real[..], &[0]].concat()),
        ("r and s swapped", [s, r].concat()),
    ];
    for (what, sig) in cases {
        assert_signature_refused(&replace_signature(&token, &sig), what);
    }
}

#[test]
fn degenerate_rsa_signatures_are_refused() {
    let token = provider_token(&claims());
    let real = b64::decode(token.rsplit_once('.').unwrap().1).unwrap();
    assert_eq!(real.len(), 256);
    let n = b64::decode(keys().rsa.public_jwk()["n"].as_str().unwrap()).unwrap();
    let mut one = vec![0u8; 256];
    one[255] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("zero", vec![0; 256]),
        ("one", one),
        ("the modulus", n.clone()),
        ("all ones", vec![0xff; 256]),
        ("leading zero added", [&[0u8][..], &real[..]].concat()),
        ("first octet dropped", real[1..].to_vec()),
        ("one octet", vec![1]),
    ];
    for (what, sig) in cases {
        assert_signature_refused(&replace_signature(&token, &sig), what);
    }
}

#[test]
fn truncated_or_relabelled_hmacs_are_refused() {
    let token = hmac_token(
        SECRET.as_bytes(),
        json!({}),
        claims().to_string().as_bytes(),
    );
    assert!(validate(&validator(), &token).is_ok());
    let mac = b64::decode(token.rsplit_once('.').unwrap().1).unwrap();
    assert_eq!(mac.len(), 32);
    for len in [1, 8, 16, 31] {
        assert_signature_refused(
            &replace_signature(&token, &mac[..len]),
            &format!("{len}-octet prefix"),
        );
    }
    assert_signature_refused(
        &replace_signature(&token, &[&mac[..], &[0]].concat()),
        "33 octets",
    );
    // The HS256 MAC presented under HS384 / HS512 (re-signed header, same MAC).
    for alg in ["HS384", "HS512"] {
        let header = json!({ "alg": alg, "typ": "JWT" }).to_string();
        let relabelled = raw_token(&header, claims().to_string().as_bytes(), &mac);
        assert_signature_refused(&relabelled, alg);
        // Nor does a longer MAC's HS256-sized prefix pass.
        let input = relabelled.rsplit_once('.').unwrap().0;
        let hs256_of_input = hmac_sha256(SECRET.as_bytes(), input.as_bytes());
        assert_signature_refused(&replace_signature(&relabelled, &hs256_of_input), alg);
    }
}
