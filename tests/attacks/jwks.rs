//! Hostile key sets: RSA keys below 2048 bits (RFC 7518 §3.3, §3.5) or with a bad public
//! exponent (RFC 8017 §3.1; e = 1 makes signatures forgeable), EC points off their curve
//! (RFC 7518 §6.2.1, RFC 8725 §3.4; the invalid-curve class of GHSA-rvj9-8cvx-3vq9), curves
//! that do not fit the algorithm (RFC 7518 §3.4, RFC 7517 §4.4) and symmetric `oct` keys (RFC 7518 §6.4), which
//! must never verify an ID token (OpenID Connect Core §10.1: the HMAC key is the client
//! secret).

use serde_json::{Value, json};
use typed_oidc::error::{ConfigError, Error, JoseError, ValidationError};
use typed_oidc::jose::{JwkSet, JwsAlgorithm, PublicKey, SigningKey, b64};
use typed_oidc::{Client, ClientId, IdTokenValidator};

use crate::common::*;
use crate::mock::MockHttp;

const WEAK_RSA_JWK: &str = include_str!("../fixtures/jose/rsa1024.pub.jwk.json");
/// An RS256 ID token really signed by the 1024-bit key (see `fixtures/jose/gen_attacks.py`).
const WEAK_RSA_TOKEN: &str = include_str!("../fixtures/jose/rsa1024_rs256.jwt");

/// A confidential client (RS256, ES256, ES384, HS256) whose provider serves `doc` as its JWK Set.
fn client_serving(doc: &Value) -> (MockHttp, Client<MockHttp, typed_oidc::Confidential>) {
    let http = MockHttp::new();
    http.serve_json(doc.to_string());
    let client = confidential(
        &http,
        vec![
            JwsAlgorithm::RS256,
            JwsAlgorithm::ES256,
            JwsAlgorithm::ES384,
            JwsAlgorithm::HS256,
        ],
    );
    (http, client)
}

fn parse_set(doc: &Value) -> JwkSet {
    JwkSet::parse(doc.to_string().as_bytes()).unwrap()
}

fn unknown_key(e: &Error, kid: &str) -> bool {
    matches!(e, Error::Validation(ValidationError::UnknownKey { kid: Some(k), .. }) if k == kid)
}

#[tokio::test]
async fn a_1024_bit_rsa_key_is_never_used() {
    let weak: Value = serde_json::from_str(WEAK_RSA_JWK).unwrap();
    let token = WEAK_RSA_TOKEN.trim();
    // The fixture token really is signed by the weak key (checked with the crypto provider's
    // legacy verifier), so accepting the key would accept the token.
    let (input, sig) = token.rsplit_once('.').unwrap();
    let n = b64::decode(weak["n"].as_str().unwrap()).unwrap();
    let e = b64::decode(weak["e"].as_str().unwrap()).unwrap();
    aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            input.as_bytes(),
            &b64::decode(sig).unwrap(),
        )
        .unwrap();
    assert_eq!(n.len() * 8, 1024);

    let e_direct = PublicKey::from_rsa_components(&n, &e).unwrap_err();
    assert!(
        matches!(&e_direct, JoseError::InvalidKey(m) if m.contains("1024")),
        "{e_direct:?}"
    );

    let doc = json!({ "keys": [weak, keys().rsa.public_jwk()] });
    let set = parse_set(&doc);
    assert_eq!((set.keys().len(), set.skipped()), (1, 1));
    assert!(matches!(&set.skip_reasons()[0], JoseError::InvalidKey(m) if m.contains("1024")));
    let err = validator()
        .validate(token, &set, &Default::default())
        .unwrap_err();
    assert!(unknown_key(&err, "weak"), "{err:?}");

    let (http, client) = client_serving(&doc);
    let err = client_validate(&client, token).await.unwrap_err();
    assert!(unknown_key(&err, "weak"), "{err:?}");
    assert!(http.requests() >= 1);
}

/// The provider's P-256 JWK with `y` replaced.
fn p256_with_y(y: Vec<u8>) -> Value {
    let mut jwk = keys().p256.public_jwk();
    jwk["y"] = json!(b64::encode(&y));
    jwk
}

#[tokio::test]
async fn ec_points_off_the_curve_are_never_used() {
    let good = keys().p256.public_jwk();
    let y = b64::decode(good["y"].as_str().unwrap()).unwrap();
    let x = b64::decode(good["x"].as_str().unwrap()).unwrap();
    let mut flipped = y.clone();
    *flipped.last_mut().unwrap() ^= 0x01;
    let mut negated_wrongly = y.clone();
    negated_wrongly[0] ^= 0x80;
    let bad_ys = [flipped, negated_wrongly, vec![0; 32], vec![0xff; 32]];
    // A genuine ES256 token of the provider, naming the kid the hostile JWKs carry.
    let token = sign(
        &keys().p256,
        JwsAlgorithm::ES256,
        json!({}),
        claims().to_string().as_bytes(),
    );
    for y in bad_ys {
        let direct = PublicKey::from_ec_coordinates("P-256", &x, &y).unwrap_err();
        assert!(matches!(direct, JoseError::InvalidKey(_)), "{direct:?}");
        let doc = json!({ "keys": [p256_with_y(y)] });
        let set = parse_set(&doc);
        assert!(set.is_empty());
        assert!(
            matches!(set.skip_reasons(), [JoseError::InvalidKey(_)]),
            "{:?}",
            set.skip_reasons()
        );
        let (_, client) = client_serving(&doc);
        let err = client_validate(&client, &token).await.unwrap_err();
        assert!(unknown_key(&err, "p256-1"), "{err:?}");
    }
    // The point at infinity and the zero point have no affine form to send.
    let direct = PublicKey::from_ec_coordinates("P-256", &[0; 32], &[0; 32]).unwrap_err();
    assert!(matches!(direct, JoseError::InvalidKey(_)), "{direct:?}");
    // Control: the untouched JWK verifies the same token.
    let (_, client) = client_serving(&json!({ "keys": [good] }));
    assert_eq!(client_validate(&client, &token).await.unwrap().sub, "alice");
}

#[tokio::test]
async fn ec_keys_whose_curve_does_not_fit_the_alg_are_never_used() {
    let p384 = SigningKey::generate_ec_p384().unwrap().with_kid("ec-1");
    let p256_attacker = SigningKey::generate_ec_p256().unwrap().with_kid("ec-1");
    // A P-384 key announced for ES256.
    let mut mislabeled = p384.public_jwk();
    mislabeled["alg"] = json!("ES256");
    // P-384 coordinates labelled P-256, and P-256 coordinates labelled P-384.
    let mut p384_as_p256 = p384.public_jwk();
    p384_as_p256["crv"] = json!("P-256");
    let mut p256_as_p384 = keys().p256.public_jwk();
    p256_as_p384["crv"] = json!("P-384");
    let doc = json!({ "keys": [mislabeled, p384_as_p256, p256_as_p384] });
    let set = parse_set(&doc);
    assert_eq!((set.keys().len(), set.skipped()), (1, 2));
    assert!(matches!(
        set.skip_reasons(),
        [JoseError::InvalidKey(_), JoseError::InvalidKey(_)]
    ));

    let (_, client) = client_serving(&doc);
    // An ES256 token for kid ec-1: the only ec-1 key is on P-384, which cannot verify ES256.
    let es256 = sign(
        &p256_attacker,
        JwsAlgorithm::ES256,
        json!({}),
        claims().to_string().as_bytes(),
    );
    let err = client_validate(&client, &es256).await.unwrap_err();
    assert!(unknown_key(&err, "ec-1"), "{err:?}");
    // A genuine ES384 token of that key: its JWK says alg ES256, so it may not verify ES384.
    let es384 = sign(
        &p384,
        JwsAlgorithm::ES384,
        json!({}),
        claims().to_string().as_bytes(),
    );
    let err = client_validate(&client, &es384).await.unwrap_err();
    assert!(unknown_key(&err, "ec-1"), "{err:?}");
    // The P-256 key's kid with coordinates relabelled P-384 was skipped too.
    let es256 = sign(
        &keys().p256,
        JwsAlgorithm::ES256,
        json!({}),
        claims().to_string().as_bytes(),
    );
    let err = client_validate(&client, &es256).await.unwrap_err();
    assert!(unknown_key(&err, "p256-1"), "{err:?}");
    // Curves typed-oidc does not implement are skipped as unsupported.
    for (kty, crv) in [
        ("EC", "secp256k1"),
        ("EC", "P-521"),
        ("EC", "Ed25519"),
        ("OKP", "X25519"),
        ("OKP", "Ed448"),
    ] {
        let jwk = json!({ "kty": kty, "crv": crv, "kid": "x", "x": b64::encode(&[1; 32]), "y": b64::encode(&[2; 32]) });
        let set = parse_set(&json!({ "keys": [jwk] }));
        assert!(
            matches!(set.skip_reasons(), [JoseError::UnsupportedKeyType(_)]),
            "{crv}: {:?}",
            set.skip_reasons()
        );
    }
}

/// An EMSA-PKCS1-v1_5 encoded SHA-256 digest of `input` (RFC 8017 §9.2) for a 256-octet
/// modulus: with e = 1 this *is* a valid signature under any modulus.
fn forged_rs256_signature(input: &[u8]) -> Vec<u8> {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input);
    let t_len = DIGEST_INFO.len() + hash.as_ref().len();
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, 256 - t_len - 3));
    em.push(0x00);
    em.extend_from_slice(&DIGEST_INFO);
    em.extend_from_slice(hash.as_ref());
    assert_eq!(em.len(), 256);
    em
}

#[tokio::test]
async fn rsa_keys_with_a_bad_exponent_are_never_used() {
    let jwk = keys().rsa.public_jwk();
    let n = b64::decode(jwk["n"].as_str().unwrap()).unwrap();
    // The attacker's forgery for e = 1: no private key needed.
    let header = json!({ "alg": "RS256", "kid": "bad-e", "typ": "JWT" }).to_string();
    let input = format!(
        "{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(claims().to_string().as_bytes())
    );
    let forged = format!(
        "{input}.{}",
        b64::encode(&forged_rs256_signature(input.as_bytes()))
    );
    for e in [
        vec![1u8],
        vec![2],
        vec![0],
        vec![1, 0, 0],
        vec![0, 1],
        vec![],
    ] {
        let direct = PublicKey::from_rsa_components(&n, &e).unwrap_err();
        assert!(
            matches!(direct, JoseError::InvalidKey(_)),
            "e={e:?}: {direct:?}"
        );
        let mut bad = jwk.clone();
        bad["kid"] = json!("bad-e");
        bad["e"] = json!(b64::encode(&e));
        let doc = json!({ "keys": [bad] });
        let set = parse_set(&doc);
        assert!(
            matches!(set.skip_reasons(), [JoseError::InvalidKey(_)]),
            "e={e:?}: {:?}",
            set.skip_reasons()
        );
        let (_, client) = client_serving(&doc);
        let err = client_validate(&client, &forged).await.unwrap_err();
        assert!(unknown_key(&err, "bad-e"), "e={e:?}: {err:?}");
    }
    // e = 3 is a legitimate (if unusual) exponent: the key is kept, and the forgery fails.
    let mut three = jwk.clone();
    three["kid"] = json!("bad-e");
    three["e"] = json!(b64::encode(&[3]));
    let (_, client) = client_serving(&json!({ "keys": [three] }));
    let err = client_validate(&client, &forged).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ValidationError::Signature)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_oct_key_in_the_jwks_never_verifies_an_id_token() {
    // The provider (or someone who can write to its JWKS) publishes a symmetric key, and the
    // attacker signs HS256 with it.
    let k = b"published-symmetric-key-0123456789abcdef";
    let doc = json!({ "keys": [
        { "kty": "oct", "kid": "hmac-1", "alg": "HS256", "use": "sig", "k": b64::encode(k) },
        keys().rsa.public_jwk(),
    ]});
    let set = parse_set(&doc);
    assert_eq!(set.keys().len(), 1);
    assert!(
        matches!(set.skip_reasons(), [JoseError::UnsupportedKeyType(t)] if t == "oct"),
        "{:?}",
        set.skip_reasons()
    );
    let token = hmac_token(
        k,
        json!({ "kid": "hmac-1" }),
        claims().to_string().as_bytes(),
    );
    // A client with its own secret verifies HS256 with that secret only.
    let (http, client) = client_serving(&doc);
    let err = client_validate(&client, &token).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ValidationError::Signature)),
        "{err:?}"
    );
    assert_eq!(
        http.requests(),
        0,
        "HS256 needs no key set: {:?}",
        uris(&http)
    );
    // Without a secret there is no HMAC key at all …
    let no_secret = IdTokenValidator::new(
        ISSUER,
        CLIENT,
        vec![JwsAlgorithm::HS256, JwsAlgorithm::RS256],
    );
    let err = no_secret
        .validate(&token, &set, &Default::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::MissingCredential(_))),
        "{err:?}"
    );
    // … and a public client does not even allow HS256.
    let http = MockHttp::new();
    http.serve_json(doc.to_string());
    let public_client = Client::builder(ClientId::new(CLIENT))
        .id_token_signing_algs(vec![JwsAlgorithm::RS256, JwsAlgorithm::HS256])
        .build(metadata(ISSUER), http.clone())
        .unwrap();
    let err = client_validate(&public_client, &token).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(ValidationError::DisallowedAlg { alg }) if alg == "HS256"),
        "{err:?}"
    );
}

#[tokio::test]
async fn keys_published_for_encryption_never_verify() {
    let token = provider_token(&claims());
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt", "wrapKey"])),
        ("alg", json!("RSA-OAEP")),
    ] {
        let mut jwk = keys().rsa.public_jwk();
        jwk[member] = value.clone();
        let (_, client) = client_serving(&json!({ "keys": [jwk] }));
        let err = client_validate(&client, &token).await.unwrap_err();
        assert!(unknown_key(&err, "rsa-1"), "{member}={value}: {err:?}");
    }
}

#[tokio::test]
async fn the_key_cache_keeps_only_usable_keys_of_a_hostile_set() {
    // Every hostile key of this file in one document, served to the JWKS cache itself.
    let weak: Value = serde_json::from_str(WEAK_RSA_JWK).unwrap();
    let y = b64::decode(keys().p256.public_jwk()["y"].as_str().unwrap()).unwrap();
    let mut off_curve_y = y.clone();
    off_curve_y[31] ^= 1;
    let mut e_one = keys().rsa.public_jwk();
    e_one["kid"] = json!("e-1");
    e_one["e"] = json!("AQ");
    let doc = json!({ "keys": [
        weak,
        p256_with_y(off_curve_y),
        e_one,
        { "kty": "oct", "kid": "hmac-1", "k": b64::encode(b"0123456789abcdef0123456789abcdef") },
        "DUPLICATE",
        keys().rsa.public_jwk(),
    ]});
    let http = MockHttp::new();
    // A key with a duplicate member, which `json!` cannot build.
    let mut duplicate = keys().rsa.public_jwk().to_string();
    duplicate.insert_str(1, r#""kid":"dup","#);
    duplicate.insert_str(1, r#""kid":"dup2","#);
    let doc = doc.to_string().replace(r#""DUPLICATE""#, &duplicate);
    http.serve_json(doc);
    let cache =
        typed_oidc::jwks::JwksCache::new(Some(typed_oidc::EndpointUrl::new(JWKS_URI).unwrap()));
    let view = cache.keys(&http).await.unwrap();
    let kids: Vec<Option<&str>> = view.keys.keys().iter().map(|k| k.kid.as_deref()).collect();
    assert_eq!(kids, vec![Some("rsa-1")]);
    let reasons = view.keys.skip_reasons();
    assert!(
        matches!(
            reasons,
            [
                JoseError::InvalidKey(_),
                JoseError::InvalidKey(_),
                JoseError::InvalidKey(_),
                JoseError::UnsupportedKeyType(_),
                JoseError::DuplicateMember(_),
            ]
        ),
        "{reasons:?}"
    );
    assert_eq!(uris(&http), vec![JWKS_URI.to_owned()]);
}
