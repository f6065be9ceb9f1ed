//! Algorithm attacks: unsecured `alg: none` tokens (RFC 8725 §2.1, §3.2; CVE-2018-1000531)
//! and RSA/HMAC algorithm confusion (RFC 8725 §2.1, §3.1; CVE-2015-9235, CVE-2016-10555,
//! CVE-2016-5431, CVE-2022-29217).

use base64::Engine as _;
use serde_json::json;
use typed_oidc::error::{ConfigError, Error, JoseError, ValidationError};
use typed_oidc::jose::{JwsAlgorithm, b64};
use typed_oidc::{ClientSecret, IdTokenValidator};

use crate::common::*;

const NONE_SPELLINGS: [&str; 6] = ["none", "None", "NONE", "nOnE", "none ", "NoNe"];

/// Unsecured-JWS signatures to try: empty (RFC 7515 Appendix A.5), junk, and the genuine
/// signature of a real provider token (a signature stripping/reuse attempt).
fn none_signatures() -> Vec<Vec<u8>> {
    let real = provider_token(&claims());
    let real_sig = b64::decode(real.rsplit_once('.').unwrap().1).unwrap();
    vec![Vec::new(), b"forged".to_vec(), real_sig]
}

#[test]
fn alg_none_in_any_case_with_any_signature_is_refused_by_the_validator() {
    let payload = claims().to_string();
    for none in NONE_SPELLINGS {
        for sig in none_signatures() {
            for extra in ["", r#","kid":"rsa-1""#] {
                let header = format!(r#"{{"alg":"{none}","typ":"JWT"{extra}}}"#);
                let token = raw_token(&header, payload.as_bytes(), &sig);
                let e = refuse(&token);
                assert!(
                    matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == none),
                    "alg {none:?}, {} signature octets: {e:?}",
                    sig.len()
                );
            }
        }
    }
}

#[tokio::test]
async fn alg_none_through_the_client_is_refused_without_fetching_keys() {
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256]);
    let payload = claims().to_string();
    for none in NONE_SPELLINGS {
        for sig in none_signatures() {
            let header = format!(r#"{{"alg":"{none}","kid":"rsa-1"}}"#);
            let token = raw_token(&header, payload.as_bytes(), &sig);
            let e = client_validate(&client, &token).await.unwrap_err();
            assert!(
                matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == none),
                "{none:?}: {e:?}"
            );
        }
    }
    assert_eq!(http.requests(), 0, "{:?}", uris(&http));
}

#[test]
fn alg_that_is_not_a_string_is_refused() {
    let payload = claims().to_string();
    for header in [
        r#"{"alg":null}"#,
        r#"{"alg":["none"]}"#,
        r#"{"alg":{"name":"RS256"}}"#,
        r#"{"alg":256}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        let e = refuse(&raw_token(header, payload.as_bytes(), b""));
        assert!(
            matches!(
                &e,
                Error::Jose(JoseError::Malformed {
                    what: "JWS header",
                    ..
                })
            ),
            "{header}: {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// HS256 keyed with the provider's RSA public key
// ---------------------------------------------------------------------------------------------

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes.iter().position(|b| *b != 0).unwrap();
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(big_endian: &[u8]) -> Vec<u8> {
    let first = big_endian
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(big_endian.len());
    let mut content = Vec::new();
    if big_endian.get(first).is_some_and(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&big_endian[first..]);
    der_tlv(0x02, &content)
}

/// `RSAPublicKey` (RFC 8017 Appendix A.1.1).
fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    der_tlv(0x30, &[der_uint(n), der_uint(e)].concat())
}

/// `SubjectPublicKeyInfo` for rsaEncryption (RFC 5280 §4.1, RFC 3279 §2.3.1).
fn spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    const RSA_ENCRYPTION: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let algorithm = der_tlv(0x30, &[&RSA_ENCRYPTION[..], &[0x05, 0x00]].concat());
    let bits = der_tlv(0x03, &[&[0u8][..], &pkcs1_der(n, e)].concat());
    der_tlv(0x30, &[algorithm, bits].concat())
}

/// PEM (RFC 7468 §2) with 64-character lines.
fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Every form of the provider's public RSA key an attacker might try as the HMAC secret:
/// the ones a confused library would load as "the key" for HS256.
fn public_key_forms() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = keys().rsa.public_jwk();
    let n = b64::decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = b64::decode(jwk["e"].as_str().unwrap()).unwrap();
    let spki = spki_der(&n, &e);
    let pkcs1 = pkcs1_der(&n, &e);
    vec![
        ("SPKI PEM", pem("PUBLIC KEY", &spki).into_bytes()),
        (
            "SPKI PEM without final newline",
            pem("PUBLIC KEY", &spki).trim_end().as_bytes().to_vec(),
        ),
        ("PKCS#1 PEM", pem("RSA PUBLIC KEY", &pkcs1).into_bytes()),
        ("SPKI DER", spki),
        ("PKCS#1 DER", pkcs1),
        ("JWK JSON", jwk.to_string().into_bytes()),
        (
            "JWK Set JSON",
            json!({ "keys": [jwk] }).to_string().into_bytes(),
        ),
        ("modulus octets", n),
        (
            "modulus base64url",
            jwk["n"].as_str().unwrap().as_bytes().to_vec(),
        ),
    ]
}

#[test]
fn the_key_forms_are_the_real_provider_key() {
    // The DER encodings built here must be the provider's key, or the test below proves
    // nothing: a real RS256 token verifies with them under the crypto provider.
    let token = provider_token(&claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = b64::decode(sig).unwrap();
    let forms = public_key_forms();
    for name in ["PKCS#1 DER", "SPKI DER"] {
        let der = &forms.iter().find(|(n, _)| *n == name).unwrap().1;
        let key = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            der,
        );
        key.verify(input.as_bytes(), &sig)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
}

#[test]
fn hs256_keyed_with_the_public_key_is_refused_even_when_hs256_is_allowed() {
    // The client has a secret and allows HS256: the HMAC key is the secret and nothing else,
    // so every form of the public key fails as a signature.
    for (form, secret) in public_key_forms() {
        for extra in [json!({}), json!({ "kid": "rsa-1" })] {
            let token = hmac_token(&secret, extra.clone(), claims().to_string().as_bytes());
            let e = refuse(&token);
            assert!(
                matches!(e, Error::Validation(ValidationError::Signature)),
                "{form} {extra}: {e:?}"
            );
        }
    }
}

#[test]
fn hs256_keyed_with_the_public_key_without_a_client_secret_is_refused() {
    let no_secret = IdTokenValidator::new(
        ISSUER,
        CLIENT,
        vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256],
    )
    .with_clock(std::sync::Arc::new(typed_oidc::time::FixedClock::at_unix(
        NOW as u64,
    )));
    let rs_only = IdTokenValidator::new(ISSUER, CLIENT, vec![JwsAlgorithm::RS256])
        .with_clock(std::sync::Arc::new(typed_oidc::time::FixedClock::at_unix(
            NOW as u64,
        )))
        .with_client_secret(Some(ClientSecret::new(SECRET)));
    for (form, secret) in public_key_forms() {
        let token = hmac_token(
            &secret,
            json!({ "kid": "rsa-1" }),
            claims().to_string().as_bytes(),
        );
        let e = validate(&no_secret, &token).unwrap_err();
        assert!(
            matches!(e, Error::Config(ConfigError::MissingCredential(_))),
            "{form}: {e:?}"
        );
        let e = validate(&rs_only, &token).unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == "HS256"),
            "{form}: {e:?}"
        );
    }
}

#[tokio::test]
async fn hs256_keyed_with_the_public_key_is_refused_by_clients() {
    // A public client cannot keep HS256 in its allow-list (it has no secret) …
    let http = provider_http();
    let public_client = typed_oidc::Client::builder(typed_oidc::ClientId::new(CLIENT))
        .id_token_signing_algs(vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256])
        .clock(std::sync::Arc::new(typed_oidc::time::FixedClock::at_unix(
            NOW as u64,
        )))
        .build(metadata(ISSUER), http.clone())
        .unwrap();
    // … and a confidential one verifies HS256 with its secret only.
    let confidential_client = confidential(&http, vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256]);
    for (form, secret) in public_key_forms() {
        let token = hmac_token(
            &secret,
            json!({ "kid": "rsa-1" }),
            claims().to_string().as_bytes(),
        );
        let e = client_validate(&public_client, &token).await.unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == "HS256"),
            "public, {form}: {e:?}"
        );
        let e = client_validate(&confidential_client, &token)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Validation(ValidationError::Signature)),
            "confidential, {form}: {e:?}"
        );
    }
    // HS* tokens never make the client fetch (or use) the provider's public keys.
    assert_eq!(http.requests(), 0, "{:?}", uris(&http));
    // The same client accepts an HS256 token keyed with its real secret: the refusals above
    // are about the key, not about HS256.
    let genuine = hmac_token(
        SECRET.as_bytes(),
        json!({}),
        claims().to_string().as_bytes(),
    );
    let c = client_validate(&confidential_client, &genuine)
        .await
        .unwrap();
    assert_eq!(c.sub, "alice");
}

#[test]
fn the_unsigned_token_endpoint_opt_in_accepts_only_the_exact_unsecured_form() {
    // `with_unsigned_from_token_endpoint` (OpenID Connect Core §2, for clients registered
    // with id_token_signed_response_alg=none) admits `"alg":"none"` with an empty signature
    // from the token endpoint, and nothing else: no other spelling, no signature, and no
    // unsecured token from anywhere else.
    let opted_in = validator().with_unsigned_from_token_endpoint(true);
    let from_token_endpoint = typed_oidc::Expectations {
        from_token_endpoint: true,
        ..Default::default()
    };
    let payload = claims().to_string();
    let exact = raw_token(r#"{"alg":"none"}"#, payload.as_bytes(), b"");
    assert_eq!(
        opted_in
            .validate(&exact, &keys().set, &from_token_endpoint)
            .unwrap()
            .sub,
        "alice"
    );
    for none in NONE_SPELLINGS.iter().filter(|n| **n != "none") {
        let token = raw_token(&format!(r#"{{"alg":"{none}"}}"#), payload.as_bytes(), b"");
        let e = opted_in
            .validate(&token, &keys().set, &from_token_endpoint)
            .unwrap_err();
        assert!(
            matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == none),
            "{none:?}: {e:?}"
        );
    }
    for sig in none_signatures().into_iter().filter(|s| !s.is_empty()) {
        let token = raw_token(r#"{"alg":"none"}"#, payload.as_bytes(), &sig);
        let e = opted_in
            .validate(&token, &keys().set, &from_token_endpoint)
            .unwrap_err();
        assert!(
            matches!(e, Error::Validation(ValidationError::Signature)),
            "{} signature octets: {e:?}",
            sig.len()
        );
    }
    // Not from the token endpoint (front channel, `validate_id_token`): refused as ever.
    let e = validate(&opted_in, &exact).unwrap_err();
    assert!(
        matches!(&e, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == "none"),
        "{e:?}"
    );
}
