//! Encoding attacks: every base64url segment must be the one canonical unpadded URL-safe
//! encoding (RFC 7515 §2, §7.1; RFC 4648 §3.5, §5), a compact JWS has exactly three parts
//! (RFC 7515 §7.1), and oversized tokens are refused before any decoding (resource
//! exhaustion).

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::json;
use typed_oidc::error::{Error, JoseError, ValidationError};
use typed_oidc::jose::{Jws, JwsAlgorithm, b64};

use crate::common::*;

/// A decoder that accepts what a lax JWT library accepts: either alphabet is not needed
/// here, only padding and non-zero trailing bits.
const LAX: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A genuine provider token whose header and payload segments both have a length that is
/// not a multiple of 4, so each of its three segments carries trailing bits.
fn token_with_trailing_bits() -> String {
    for h in 0..4 {
        for p in 0..4 {
            let token = sign(
                &keys().rsa,
                JwsAlgorithm::RS256,
                json!({ "x": "h".repeat(h) }),
                claims_with("pad", json!("p".repeat(p)))
                    .to_string()
                    .as_bytes(),
            );
            if token.split('.').all(|s| s.len() % 4 != 0) {
                assert!(validate(&validator(), &token).is_ok());
                return token;
            }
        }
    }
    panic!("no filler gives every segment trailing bits");
}

fn with_segment(token: &str, index: usize, f: impl Fn(&str) -> String) -> String {
    let parts: Vec<String> = token
        .split('.')
        .enumerate()
        .map(|(i, s)| if i == index { f(s) } else { s.to_owned() })
        .collect();
    parts.join(".")
}

fn assert_base64_error(token: &str, what: &str) {
    let e = refuse(token);
    assert!(matches!(e, Error::Jose(JoseError::Base64)), "{what}: {e:?}");
}

#[test]
fn padded_segments_are_refused() {
    let token = token_with_trailing_bits();
    for i in 0..3 {
        // The correctly padded form of the same octets (RFC 4648 §4 padding).
        let padded = with_segment(&token, i, |s| {
            let mut s = s.to_owned();
            while s.len() % 4 != 0 {
                s.push('=');
            }
            s
        });
        assert_ne!(padded, token);
        assert_base64_error(&padded, &format!("segment {i} padded"));
        // Stray padding.
        assert_base64_error(&with_segment(&token, i, |s| format!("{s}=")), "one =");
        assert_base64_error(&with_segment(&token, i, |s| format!("{s}%3D")), "%3D");
    }
}

#[test]
fn standard_alphabet_segments_are_refused() {
    let token = token_with_trailing_bits();
    let mut changed = 0;
    for i in 0..3 {
        // The same octets in the standard alphabet (RFC 4648 §4: `+` and `/`).
        let standard = with_segment(&token, i, |s| {
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(b64::decode(s).unwrap())
        });
        if standard != token {
            changed += 1;
            assert_base64_error(&standard, &format!("segment {i} in the standard alphabet"));
        }
        assert_base64_error(&with_segment(&token, i, |s| format!("+{s}")), "+");
        assert_base64_error(&with_segment(&token, i, |s| format!("/{s}")), "/");
    }
    // The signature's 256 random octets always use `-` or `_`.
    assert!(changed >= 1);
}

#[test]
fn whitespace_and_line_breaks_are_refused() {
    let token = token_with_trailing_bits();
    for ws in [" ", "\n", "\r\n", "\t", "\u{a0}", "\u{200b}"] {
        for i in 0..3 {
            let split = with_segment(&token, i, |s| {
                format!("{}{ws}{}", &s[..s.len() / 2], &s[s.len() / 2..])
            });
            assert_base64_error(&split, &format!("{ws:?} inside segment {i}"));
            // PEM-style line wrapping at 64 characters (RFC 7468 §2).
            let wrapped = with_segment(&token, i, |s| {
                s.as_bytes()
                    .chunks(64)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect::<Vec<_>>()
                    .join(ws)
            });
            if wrapped != token {
                assert_base64_error(&wrapped, &format!("{ws:?}-wrapped segment {i}"));
            }
        }
        assert_base64_error(&format!("{token}{ws}"), &format!("trailing {ws:?}"));
        assert_base64_error(&format!("{ws}{token}"), &format!("leading {ws:?}"));
    }
}

#[test]
fn non_canonical_trailing_bits_are_refused() {
    // RFC 4648 §3.5: the pad bits must be zero. Setting one gives another string that a lax
    // decoder maps to the very same octets — a second spelling of a signed token.
    let token = token_with_trailing_bits();
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for i in 0..3 {
        let tweaked = with_segment(&token, i, |s| {
            let last = *s.as_bytes().last().unwrap();
            let index = ALPHABET.iter().position(|c| *c == last).unwrap();
            let mut out = s[..s.len() - 1].to_owned();
            out.push(ALPHABET[index | 1] as char);
            out
        });
        assert_ne!(tweaked, token, "segment {i}");
        let original = token.split('.').nth(i).unwrap();
        let spelt = tweaked.split('.').nth(i).unwrap();
        assert_eq!(
            LAX.decode(original).unwrap(),
            LAX.decode(spelt).unwrap(),
            "segment {i}"
        );
        assert_base64_error(&tweaked, &format!("segment {i} with trailing bits set"));
    }
}

#[test]
fn wrong_segment_counts_are_refused() {
    let token = provider_token(&claims());
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    for bad in [
        String::new(),
        ".".to_owned(),
        h.to_owned(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}."),
        format!(".{h}.{p}.{s}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{p}.{p}.{s}"),
        format!("{h}..{p}.{s}"),
    ] {
        let e = refuse(&bad);
        assert!(
            matches!(e, Error::Jose(JoseError::Malformed { what: "JWS", .. })),
            "{} parts: {e:?}",
            bad.split('.').count()
        );
    }
}

#[test]
fn empty_segments_are_refused() {
    let token = provider_token(&claims());
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    // An empty header is no JSON object.
    for bad in ["..".to_owned(), format!(".{p}.{s}")] {
        let e = refuse(&bad);
        assert!(
            matches!(
                e,
                Error::Jose(JoseError::Json {
                    what: "JWS header",
                    ..
                })
            ),
            "{bad:?}: {e:?}"
        );
    }
    // An empty payload or signature does not verify.
    for bad in [format!("{h}..{s}"), format!("{h}.{p}."), format!("{h}..")] {
        let e = refuse(&bad);
        assert!(
            matches!(e, Error::Validation(ValidationError::Signature)),
            "{e:?}"
        );
    }
    // An empty payload the provider really signed is no claims set.
    let signed_empty = sign(&keys().rsa, JwsAlgorithm::RS256, json!({}), b"");
    assert!(signed_empty.contains(".."));
    let e = refuse(&signed_empty);
    assert!(matches!(e, Error::Jose(JoseError::Json { .. })), "{e:?}");
}

const MEGABYTES: usize = 8 * 1024 * 1024;

#[test]
fn multi_megabyte_tokens_are_refused_before_decoding() {
    let header = b64::encode(br#"{"alg":"RS256","kid":"rsa-1"}"#);
    let shaped = format!("{header}.{}.{}", "A".repeat(MEGABYTES), "A".repeat(342));
    // Not base64url at all, and no dots: any decoding attempt would say so.
    let garbage = "!".repeat(MEGABYTES);
    for token in [&shaped, &garbage] {
        let e = refuse(token);
        assert!(
            matches!(e, Error::Jose(JoseError::TooLarge { limit }) if limit == Jws::MAX_LEN),
            "{e:?}"
        );
    }
    // The refusal is a length check: a thousand of them take no time worth measuring.
    let v = validator();
    let start = Instant::now();
    for _ in 0..1000 {
        assert!(matches!(
            v.validate(&garbage, &keys().set, &Default::default()),
            Err(Error::Jose(JoseError::TooLarge { .. }))
        ));
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn the_size_limit_is_exact() {
    // One byte under the limit the token is decoded (and fails as base64); one over it is not.
    let at_limit = format!("{}..", "!".repeat(Jws::MAX_LEN - 2));
    assert_eq!(at_limit.len(), Jws::MAX_LEN);
    assert!(matches!(refuse(&at_limit), Error::Jose(JoseError::Base64)));
    let over = format!("{}..", "!".repeat(Jws::MAX_LEN - 1));
    assert!(matches!(
        refuse(&over),
        Error::Jose(JoseError::TooLarge { .. })
    ));
}

#[tokio::test]
async fn multi_megabyte_tokens_cost_the_client_no_request() {
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    let token = sign(
        &keys().rsa,
        JwsAlgorithm::RS256,
        json!({}),
        claims_with("blob", json!("x".repeat(MEGABYTES)))
            .to_string()
            .as_bytes(),
    );
    assert!(token.len() > MEGABYTES);
    let e = client_validate(&client, &token).await.unwrap_err();
    assert!(
        matches!(e, Error::Jose(JoseError::TooLarge { limit }) if limit == Jws::MAX_LEN),
        "{e:?}"
    );
    assert_eq!(http.requests(), 0, "{:?}", uris(&http));
}
