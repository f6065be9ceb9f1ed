//! Integration tests of `typed_oidc::jose` through its public API only.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha384, Sha512};
use typed_oidc::jose::{
    JoseError, Jwk, JwkSet, Jws, JwsAlgorithm, PublicKey, SigningKey, b64, from_json_no_duplicates,
    left_half_hash, sign_compact, sign_compact_hmac, verify_hmac,
};

const FIX_RSA_PKCS1: &str = include_str!("fixtures/jose/rsa2048_pkcs1.pem");
const FIX_RSA_JWK: &str = include_str!("fixtures/jose/rsa2048.jwk.json");
const FIX_P256_SEC1: &str = include_str!("fixtures/jose/ec_p256_sec1.pem");
const FIX_P256_JWK: &str = include_str!("fixtures/jose/ec_p256.jwk.json");
const FIX_P384_SEC1: &str = include_str!("fixtures/jose/ec_p384_sec1.pem");
const FIX_P384_JWK: &str = include_str!("fixtures/jose/ec_p384.jwk.json");
const FIX_ED25519_PKCS8: &str = include_str!("fixtures/jose/ed25519_pkcs8.pem");
const FIX_RSA1024_PKCS8: &str = include_str!("fixtures/jose/rsa1024_pkcs8.pem");
const FIX_RSA1024_JWK: &str = include_str!("fixtures/jose/rsa1024.pub.jwk.json");

/// One generated key per family, shared by the tests (RSA generation is slow).
struct Keys {
    rsa: SigningKey,
    p256: SigningKey,
    p384: SigningKey,
    ed: SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        rsa: SigningKey::generate_rsa(2048).unwrap().with_kid("rsa-1"),
        p256: SigningKey::generate_ec_p256().unwrap().with_kid("p256-1"),
        p384: SigningKey::generate_ec_p384().unwrap().with_kid("p384-1"),
        ed: SigningKey::generate_ed25519().unwrap().with_kid("ed-1"),
    })
}

fn key_for(alg: JwsAlgorithm) -> &'static SigningKey {
    let k = keys();
    match alg.key_type() {
        "RSA" => &k.rsa,
        "OKP" => &k.ed,
        _ if alg == JwsAlgorithm::ES256 => &k.p256,
        _ => &k.p384,
    }
}

fn typ_jwt() -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("typ".into(), json!("JWT"));
    h
}

fn public_of(key: &SigningKey) -> Jwk {
    Jwk::from_json(&key.public_jwk()).unwrap()
}

/// Builds a compact token from raw header JSON, raw payload and raw signature bytes.
fn raw_token(header: &str, payload: &[u8], sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(payload),
        b64::encode(sig)
    )
}

const OK: Result<(), JoseError> = Ok(());
const BAD_SIG: Result<(), JoseError> = Err(JoseError::InvalidSignature);
const MISMATCH: Option<JoseError> = Some(JoseError::KeyAlgorithmMismatch);

fn invalid_key<T>(r: Result<T, JoseError>) -> bool {
    matches!(r, Err(JoseError::InvalidKey(_)))
}

#[test]
fn roundtrip_every_algorithm() {
    let payload = br#"{"iss":"https://op.example","sub":"alice"}"#;
    let secret = b"a shared client secret that is long enough for HS512 ......!!";
    for alg in JwsAlgorithm::ALL {
        let token = if alg.is_symmetric() {
            sign_compact_hmac(secret, alg, typ_jwt(), payload).unwrap()
        } else {
            sign_compact(key_for(alg), alg, typ_jwt(), payload).unwrap()
        };
        let jws = Jws::parse(&token).unwrap();
        assert_eq!(jws.header().alg, alg.as_str());
        assert_eq!(jws.header().typ.as_deref(), Some("JWT"));
        assert_eq!(jws.algorithm(), Ok(alg));
        assert_eq!(jws.payload(), payload);
        assert_eq!(
            jws.signing_input(),
            token.rsplit_once('.').unwrap().0,
            "{alg}"
        );
        let mut bad = jws.signature().to_vec();
        bad[0] ^= 1;
        if alg.is_symmetric() {
            assert_eq!(jws.header().kid, None);
            let input = jws.signing_input().as_bytes();
            assert_eq!(verify_hmac(alg, secret, input, jws.signature()), OK);
            assert_eq!(verify_hmac(alg, b"other", input, jws.signature()), BAD_SIG);
            assert_eq!(verify_hmac(alg, secret, input, &bad), BAD_SIG);
        } else {
            let signer = key_for(alg);
            assert_eq!(jws.header().kid.as_deref(), signer.kid());
            let jwk = public_of(signer);
            assert!(jwk.key.supports(alg));
            let input = jws.signing_input().as_bytes();
            assert_eq!(jwk.key.verify(alg, input, jws.signature()), OK, "{alg}");
            assert_eq!(jwk.key.verify(alg, input, &bad), BAD_SIG);
            assert_eq!(jwk.key.verify(alg, b"tampered", jws.signature()), BAD_SIG);
            assert_eq!(
                jwk.key
                    .verify(JwsAlgorithm::HS256, input, jws.signature())
                    .err(),
                MISMATCH
            );
            // The same key through SigningKey::public_key.
            let pk = signer.public_key().unwrap();
            assert_eq!(pk.verify(alg, input, jws.signature()), OK);
        }
    }
}

#[test]
fn key_algorithm_mismatches() {
    let k = keys();
    let h = Map::new;
    assert_eq!(
        sign_compact(&k.p256, JwsAlgorithm::ES384, h(), b"x").err(),
        MISMATCH
    );
    assert_eq!(
        sign_compact(&k.rsa, JwsAlgorithm::EdDSA, h(), b"x").err(),
        MISMATCH
    );
    assert_eq!(k.ed.sign(JwsAlgorithm::HS256, b"x").err(), MISMATCH);
    assert_eq!(
        sign_compact_hmac(b"k", JwsAlgorithm::RS256, h(), b"x").err(),
        MISMATCH
    );
    assert_eq!(
        verify_hmac(JwsAlgorithm::ES256, b"k", b"m", b"s").err(),
        MISMATCH
    );
    assert!(invalid_key(verify_hmac(
        JwsAlgorithm::HS256,
        b"",
        b"m",
        b"s"
    )));
    let p256 = public_of(&k.p256).key;
    assert!(p256.supports(JwsAlgorithm::ES256));
    for alg in JwsAlgorithm::ALL {
        assert_eq!(p256.supports(alg), alg == JwsAlgorithm::ES256);
    }
    assert_eq!(k.rsa.default_alg(), JwsAlgorithm::RS256);
    assert_eq!(k.p256.default_alg(), JwsAlgorithm::ES256);
    assert_eq!(k.p384.default_alg(), JwsAlgorithm::ES384);
    assert_eq!(k.ed.default_alg(), JwsAlgorithm::EdDSA);
    // ECDSA signatures are the fixed-size R || S form (RFC 7518 §3.4).
    assert_eq!(k.p256.sign(JwsAlgorithm::ES256, b"m").unwrap().len(), 64);
    assert_eq!(k.p384.sign(JwsAlgorithm::ES384, b"m").unwrap().len(), 96);
}

#[test]
fn rfc7515_a1_hs256_example() {
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
        .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
        .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let key = b64::decode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
    )
    .unwrap();
    let jws = Jws::parse(token).unwrap();
    assert_eq!(jws.header().alg, "HS256");
    assert_eq!(jws.header().typ.as_deref(), Some("JWT"));
    assert_eq!(
        jws.payload(),
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    );
    let alg = jws.algorithm().unwrap();
    assert_eq!(
        verify_hmac(alg, &key, jws.signing_input().as_bytes(), jws.signature()),
        OK
    );
}

#[test]
fn rfc8037_a4_ed25519_example() {
    let private = r#"{"kty":"OKP","crv":"Ed25519",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    let expected = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    let jwk = Jwk::from_json(&json!({
        "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    }))
    .unwrap();
    assert_eq!(jwk.key.kty(), "OKP");
    let jws = Jws::parse(expected).unwrap();
    assert_eq!(jws.payload(), b"Example of Ed25519 signing");
    assert_eq!(
        jwk.key.verify(
            JwsAlgorithm::EdDSA,
            jws.signing_input().as_bytes(),
            jws.signature()
        ),
        OK
    );
    // Ed25519 is deterministic: signing with the private JWK reproduces the example.
    let key = SigningKey::from_jwk(private).unwrap();
    assert_eq!(key.kid(), None);
    let token = sign_compact(
        &key,
        JwsAlgorithm::EdDSA,
        Map::new(),
        b"Example of Ed25519 signing",
    )
    .unwrap();
    assert_eq!(token, expected);
    assert_eq!(
        key.public_jwk()["x"],
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    );
}

#[test]
fn strict_base64url() {
    for bad in [
        "QQ==", "QQ=", "Q+8", "Q/8", "Q Q", "QQ\n", " QQ", "QR", "Q", "Q!",
    ] {
        assert_eq!(b64::decode(bad), Err(JoseError::Base64), "{bad:?}");
    }
    assert_eq!(b64::decode("-_8"), Ok(vec![0xfb, 0xff]));
    assert_eq!(b64::encode(&[0xfb, 0xff]), "-_8");
    assert_eq!(b64::decode(""), Ok(vec![]));

    let good = sign_compact_hmac(b"secret", JwsAlgorithm::HS256, Map::new(), b"hello?>").unwrap();
    assert!(Jws::parse(&good).is_ok());
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let mutations = [
        format!("{h}.{p}.{s}="),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}=.{s}"),
        format!("{h}.{}.{s}", p.replace('_', "/").replace('-', "+")),
        format!("{h}.{p}.{s}\n"),
        format!(" {h}.{p}.{s}"),
        format!("{h}.{p} .{s}"),
    ];
    assert!(
        p.contains('_') || p.contains('-'),
        "payload must exercise the URL alphabet"
    );
    for token in &mutations {
        assert_eq!(
            Jws::parse(token).err(),
            Some(JoseError::Base64),
            "{token:?}"
        );
    }
}

#[test]
fn wrong_number_of_parts() {
    for token in ["", "a", "a.b", "a.b.c.d", "e30.e30.e30.", "...."] {
        assert!(
            matches!(
                Jws::parse(token),
                Err(JoseError::Malformed { what: "JWS", .. })
            ),
            "{token:?}"
        );
    }
}

#[test]
fn header_must_be_an_object_with_string_alg() {
    let cases = [
        r#"[]"#,
        r#""HS256""#,
        r#"{}"#,
        r#"{"alg":null}"#,
        r#"{"alg":256}"#,
        r#"{"alg":"HS256","kid":7}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":["exp"]}"#,
        r#"{"alg":"HS256","crit":["alg"]}"#,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
    ];
    for header in cases {
        let token = raw_token(header, b"{}", b"sig");
        assert!(
            matches!(Jws::parse(&token), Err(JoseError::Malformed { .. })),
            "{header}: {:?}",
            Jws::parse(&token)
        );
    }
    let token = raw_token("{not json", b"{}", b"sig");
    assert!(matches!(Jws::parse(&token), Err(JoseError::Json { .. })));

    let token = raw_token(
        r#"{"alg":"RS256","kid":"k","jku":"https://evil","x5c":[],"exp":1,"crit":["exp"]}"#,
        b"{}",
        b"sig",
    );
    let jws = Jws::parse(&token).unwrap();
    let h = jws.header();
    assert!(h.has_jku && h.has_x5c && !h.has_jwk && !h.has_x5u);
    assert_eq!(h.crit.as_deref(), Some(&["exp".to_owned()][..]));
    assert_eq!(jws.header_json()["exp"], 1);
}

#[test]
fn duplicate_header_member_rejected() {
    let token = raw_token(r#"{"alg":"HS256","alg":"none"}"#, b"{}", b"sig");
    assert_eq!(
        Jws::parse(&token).err(),
        Some(JoseError::DuplicateMember("alg".into()))
    );
    let token = raw_token(
        r#"{"alg":"HS256","kid":"a","x":{"kid":1},"kid":"b"}"#,
        b"{}",
        b"s",
    );
    assert_eq!(
        Jws::parse(&token).err(),
        Some(JoseError::DuplicateMember("kid".into()))
    );
    // Claims go through the same check.
    #[derive(serde::Deserialize, Debug)]
    struct Claims {
        #[allow(dead_code)]
        sub: String,
    }
    assert_eq!(
        from_json_no_duplicates::<Claims>(br#"{"sub":"a","sub":"b"}"#).err(),
        Some(JoseError::DuplicateMember("sub".into()))
    );
    assert!(from_json_no_duplicates::<Claims>(br#"{"sub":"a"}"#).is_ok());
    assert!(matches!(
        from_json_no_duplicates::<Claims>(br#"{"sub":5}"#),
        Err(JoseError::Json { .. })
    ));
}

#[test]
fn none_and_unknown_algorithms_rejected() {
    for name in [
        "none", "None", "NONE", "nOnE", "hs256", "Rs256", "ES512", "", "EdDSA ",
    ] {
        assert_eq!(
            JwsAlgorithm::parse(name),
            Err(JoseError::UnsupportedAlgorithm(name.into())),
            "{name:?}"
        );
        assert!(name.parse::<JwsAlgorithm>().is_err());
    }
    for alg in JwsAlgorithm::ALL {
        assert_eq!(JwsAlgorithm::parse(alg.as_str()), Ok(alg));
        assert_eq!(alg.to_string(), alg.as_str());
        assert_eq!(serde_json::to_value(alg).unwrap(), json!(alg.as_str()));
        assert_eq!(
            serde_json::from_value::<JwsAlgorithm>(json!(alg.as_str())).unwrap(),
            alg
        );
    }
    // An unsecured JWS parses (it is well-formed) but its algorithm is refused.
    let token = format!(
        "{}.{}.",
        b64::encode(br#"{"alg":"none"}"#),
        b64::encode(b"{}")
    );
    let jws = Jws::parse(&token).unwrap();
    assert!(jws.signature().is_empty());
    assert_eq!(
        jws.algorithm(),
        Err(JoseError::UnsupportedAlgorithm("none".into()))
    );
}

#[test]
fn too_large_rejected_before_decoding() {
    // Not even base64: the length check must come first.
    let token = "!".repeat(Jws::MAX_LEN + 1);
    assert_eq!(
        Jws::parse(&token).err(),
        Some(JoseError::TooLarge {
            limit: Jws::MAX_LEN
        })
    );
    let doc = vec![b'!'; JwkSet::MAX_LEN + 1];
    assert_eq!(
        JwkSet::parse(&doc).err(),
        Some(JoseError::TooLarge {
            limit: JwkSet::MAX_LEN
        })
    );
    // At the limit, the token is decoded (and fails as base64).
    let header = b64::encode(br#"{"alg":"HS256"}"#);
    let token = format!(
        "{header}.{}.e30",
        "!".repeat(Jws::MAX_LEN - header.len() - 5)
    );
    assert_eq!(token.len(), Jws::MAX_LEN);
    assert_eq!(Jws::parse(&token).err(), Some(JoseError::Base64));
}

/// A real 1024-bit RSA public key (RFC 7518 §3.3 requires 2048 bits or more).
fn rsa1024_jwk() -> Value {
    serde_json::from_str(FIX_RSA1024_JWK).unwrap()
}

fn off_curve(jwk: &Value) -> Value {
    let mut bad = jwk.clone();
    let mut y = b64::decode(bad["y"].as_str().unwrap()).unwrap();
    let last = y.len() - 1;
    y[last] ^= 1;
    bad["y"] = json!(b64::encode(&y));
    bad["kid"] = json!("off-curve");
    bad
}

#[test]
fn jwks_skips_unusable_keys() {
    let k = keys();
    let rsa = k.rsa.public_jwk();
    let p256 = k.p256.public_jwk();
    let doc = json!({
        "keys": [
            rsa,
            {"kty":"oct","k":"c2VjcmV0","kid":"sym"},
            {"kty":"FOO","kid":"unknown"},
            {"kty":"EC","crv":"P-521","x":"AA","y":"AA"},
            {"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty":"EC","crv":"P-256","x": p256["x"]},
            {"kty":"RSA","n": rsa["n"], "e":"AAEAAQ="},
            {"kty":"RSA","n": rsa["n"], "e":"Ag"},
            rsa1024_jwk(),
            off_curve(&p256),
            {"kty":"EC","crv":"P-256","x":"AQ","y":"AQ"},
            {"kty":"RSA","kid":7,"n": rsa["n"], "e":"AQAB"},
            {"kty":"RSA","key_ops":["verify","verify"],"n": rsa["n"], "e":"AQAB"},
            "not an object",
            p256,
            k.ed.public_jwk(),
        ],
        "other": {"ignored": true}
    });
    let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 3, "{set:?}");
    assert_eq!(set.skipped(), 13);
    assert_eq!(set.skip_reasons().len(), 13);
    assert!(matches!(
        set.skip_reasons()[0],
        JoseError::UnsupportedKeyType(_)
    ));
    // RSA-1024 and the off-curve point are skipped as invalid keys.
    assert!(matches!(set.skip_reasons()[7], JoseError::InvalidKey(ref m) if m.contains("1024")));
    assert!(matches!(set.skip_reasons()[8], JoseError::InvalidKey(_)));
    assert!(!set.contains_kid("weak"));
    assert!(!set.contains_kid("off-curve"));
    assert!(set.contains_kid("rsa-1") && set.contains_kid("p256-1") && set.contains_kid("ed-1"));
    assert!(!set.is_empty());
    // Direct parse errors name the problem.
    assert!(invalid_key(Jwk::from_json(&rsa1024_jwk())));
    assert!(invalid_key(Jwk::from_json(&off_curve(
        &k.p256.public_jwk()
    ))));
    // Private members are ignored: a private JWK yields its public key.
    let private: Value = serde_json::from_str(FIX_P256_JWK).unwrap();
    assert_eq!(
        Jwk::from_json(&private).unwrap().kid.as_deref(),
        Some("ec-p256-fixture")
    );
}

#[test]
fn jwks_document_shape() {
    for doc in [
        &b"[]"[..],
        b"{}",
        b"{\"keys\":{}}",
        b"{\"keys\":null}",
        b"\"keys\"",
        b"{\"keys\":[]} trailing",
        b"not json",
    ] {
        assert!(
            JwkSet::parse(doc).is_err(),
            "{}",
            String::from_utf8_lossy(doc)
        );
    }
    assert_eq!(
        JwkSet::parse(br#"{"keys":[],"keys":[]}"#).err(),
        Some(JoseError::DuplicateMember("keys".into()))
    );
    let empty = JwkSet::parse(br#"{"keys":[]}"#).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.skipped(), 0);
    // A duplicate member inside one key skips that key only.
    let ed = keys().ed.public_jwk();
    let doc = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":{x},"x":{x}}},{ed}]}}"#,
        x = ed["x"],
    );
    let set = JwkSet::parse(doc.as_bytes()).unwrap();
    assert_eq!((set.keys().len(), set.skipped()), (1, 1));
    assert_eq!(
        set.skip_reasons()[0],
        JoseError::DuplicateMember("x".into())
    );
}

#[test]
fn candidates_filtering() {
    let k = keys();
    let with = |key: &SigningKey, extra: Value| {
        let mut jwk = key.public_jwk();
        let obj = jwk.as_object_mut().unwrap();
        obj.remove("alg");
        obj.remove("use");
        obj.remove("kid");
        for (name, value) in extra.as_object().unwrap() {
            obj.insert(name.clone(), value.clone());
        }
        jwk
    };
    let doc = json!({"keys": [
        with(&k.rsa, json!({"kid":"r1","alg":"RS256","use":"sig"})),
        with(&k.rsa, json!({"kid":"r2"})),
        with(&k.rsa, json!({"kid":"enc","use":"enc"})),
        with(&k.rsa, json!({"kid":"ops","key_ops":["encrypt"]})),
        with(&k.rsa, json!({"kid":"ops2","key_ops":["sign","verify"]})),
        with(&k.rsa, json!({"kid":"oaep","alg":"RSA-OAEP"})),
        with(&k.p256, json!({"kid":"e1"})),
        with(&k.p384, json!({"kid":"e2","alg":"ES384"})),
        with(&k.ed, json!({"kid":"o1","use":"sig"})),
        with(&k.rsa, json!({})),
    ]});
    let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
    assert_eq!(set.skipped(), 0);
    let kids = |alg: JwsAlgorithm, kid: Option<&str>| -> Vec<Option<String>> {
        set.candidates(alg, kid).map(|j| j.kid.clone()).collect()
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        kids(JwsAlgorithm::RS256, None),
        [some("r1"), some("r2"), some("ops2"), None]
    );
    assert_eq!(
        kids(JwsAlgorithm::PS512, None),
        [some("r2"), some("ops2"), None]
    );
    assert_eq!(kids(JwsAlgorithm::RS256, Some("r1")), [some("r1")]);
    assert!(kids(JwsAlgorithm::PS256, Some("r1")).is_empty());
    assert!(kids(JwsAlgorithm::RS256, Some("e1")).is_empty());
    assert!(kids(JwsAlgorithm::RS256, Some("enc")).is_empty());
    assert!(kids(JwsAlgorithm::RS256, Some("nope")).is_empty());
    assert_eq!(kids(JwsAlgorithm::ES256, None), [some("e1")]);
    assert_eq!(kids(JwsAlgorithm::ES384, None), [some("e2")]);
    assert!(kids(JwsAlgorithm::ES384, Some("e1")).is_empty());
    assert_eq!(kids(JwsAlgorithm::EdDSA, None), [some("o1")]);
    assert!(kids(JwsAlgorithm::HS256, None).is_empty());
    assert!(set.contains_kid("oaep"));
    assert!(!set.contains_kid("r3"));
}

#[test]
fn at_hash_and_c_hash() {
    // OpenID Connect Core 1.0 Appendix A.3 / A.4 examples (RS256).
    assert_eq!(
        left_half_hash(
            JwsAlgorithm::RS256,
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(
        left_half_hash(
            JwsAlgorithm::RS256,
            "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
        ),
        "LDktKdoQak3Pk0cnXxCltA"
    );
    let value = "dNZX1hEZ9wBCzNL40Upu646bdzQA";
    let s256 = Sha256::digest(value);
    let s384 = Sha384::digest(value);
    let s512 = Sha512::digest(value);
    for alg in JwsAlgorithm::ALL {
        let expected = match alg.as_str() {
            a if a.ends_with("256") => b64::encode(&s256[..16]),
            a if a.ends_with("384") => b64::encode(&s384[..24]),
            _ => b64::encode(&s512[..32]),
        };
        assert_eq!(left_half_hash(alg, value), expected, "{alg}");
    }
    assert_eq!(
        left_half_hash(JwsAlgorithm::EdDSA, value),
        "8xltSlOGYrWy8W9yNvRlEth1i_bXW-JROWPLvCv5zog"
    );
}

fn assert_signs_and_verifies(key: &SigningKey, alg: JwsAlgorithm) {
    let token = sign_compact(key, alg, Map::new(), b"payload").unwrap();
    let jws = Jws::parse(&token).unwrap();
    let jwk = Jwk::from_json(&key.public_jwk()).unwrap();
    assert_eq!(jwk.alg.as_deref(), Some(key.default_alg().as_str()));
    assert_eq!(jwk.use_.as_deref(), Some("sig"));
    assert_eq!(
        jwk.key
            .verify(alg, jws.signing_input().as_bytes(), jws.signature()),
        OK
    );
}

#[test]
fn pem_export_and_reload() {
    let k = keys();
    for (key, alg) in [
        (&k.rsa, JwsAlgorithm::PS384),
        (&k.p256, JwsAlgorithm::ES256),
        (&k.p384, JwsAlgorithm::ES384),
        (&k.ed, JwsAlgorithm::EdDSA),
    ] {
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let reloaded = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(reloaded.kid(), None);
        assert_eq!(reloaded.kty(), key.kty());
        // Same key: the reloaded public JWK equals the original one (without kid).
        let mut original = key.public_jwk();
        original.as_object_mut().unwrap().remove("kid");
        assert_eq!(reloaded.public_jwk(), original);
        assert_signs_and_verifies(&reloaded, alg);
    }
}

#[test]
fn pem_fixtures_and_private_jwks_agree() {
    let pairs = [
        (FIX_RSA_PKCS1, FIX_RSA_JWK, JwsAlgorithm::PS256, "RSA"),
        (FIX_P256_SEC1, FIX_P256_JWK, JwsAlgorithm::ES256, "EC"),
        (FIX_P384_SEC1, FIX_P384_JWK, JwsAlgorithm::ES384, "EC"),
    ];
    for (pem, jwk, alg, kty) in pairs {
        let from_pem = SigningKey::from_pem(pem).unwrap();
        let from_jwk = SigningKey::from_jwk(jwk).unwrap();
        assert_eq!(from_pem.kty(), kty);
        assert!(from_jwk.kid().is_some_and(|kid| kid.ends_with("-fixture")));
        assert_eq!(from_jwk.default_alg(), alg);
        let pub_pem = from_pem.public_jwk();
        let pub_jwk = from_jwk.public_jwk();
        for member in ["n", "e", "crv", "x", "y"] {
            assert_eq!(pub_pem.get(member), pub_jwk.get(member), "{member}");
        }
        assert_signs_and_verifies(&from_pem, alg);
        assert_signs_and_verifies(&from_jwk, alg);
        // The two loaders see the same key: one verifies what the other signed.
        let token = sign_compact(&from_jwk, alg, Map::new(), b"x").unwrap();
        let jws = Jws::parse(&token).unwrap();
        assert_eq!(jws.header().kid.as_deref(), from_jwk.kid());
        let pk: PublicKey = Jwk::from_json(&pub_pem).unwrap().key;
        assert_eq!(
            pk.verify(alg, jws.signing_input().as_bytes(), jws.signature()),
            OK
        );
    }
    let ed = SigningKey::from_pem(FIX_ED25519_PKCS8).unwrap();
    assert_eq!(ed.default_alg(), JwsAlgorithm::EdDSA);
    assert_signs_and_verifies(&ed, JwsAlgorithm::EdDSA);
}

#[test]
fn bad_private_keys_rejected() {
    assert!(invalid_key(SigningKey::from_pem(FIX_RSA1024_PKCS8)));
    for pem in [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(invalid_key(SigningKey::from_pem(pem)));
    }
    // Inconsistent EC JWK: x/y of another key.
    let mut jwk: Value = serde_json::from_str(FIX_P256_JWK).unwrap();
    jwk["x"] = keys().p256.public_jwk()["x"].clone();
    assert!(invalid_key(SigningKey::from_jwk(&jwk.to_string())));
    // Corrupted RSA CRT parameter.
    let mut jwk: Value = serde_json::from_str(FIX_RSA_JWK).unwrap();
    jwk["dp"] = json!("AQAB");
    assert!(invalid_key(SigningKey::from_jwk(&jwk.to_string())));
    let mut jwk: Value = serde_json::from_str(FIX_RSA_JWK).unwrap();
    jwk.as_object_mut().unwrap().remove("qi");
    assert!(invalid_key(SigningKey::from_jwk(&jwk.to_string())));
    assert!(matches!(
        SigningKey::from_jwk(r#"{"kty":"oct","k":"AA"}"#),
        Err(JoseError::UnsupportedKeyType(_))
    ));
    assert!(matches!(
        SigningKey::from_jwk(r#"{"kty":"OKP","crv":"Ed25519","d":"AA","d":"AA"}"#),
        Err(JoseError::DuplicateMember(_))
    ));
    assert!(invalid_key(SigningKey::generate_rsa(1024)));
}

#[test]
fn no_secrets_in_debug_or_errors() {
    let k = keys();
    let private: Value = serde_json::from_str(FIX_P256_JWK).unwrap();
    let fixture = SigningKey::from_jwk(FIX_P256_JWK).unwrap();
    for key in [&k.rsa, &k.p256, &k.p384, &k.ed, &fixture] {
        let debug = format!("{key:?}");
        assert!(debug.starts_with("SigningKey { kty: "), "{debug}");
        assert!(debug.contains("[redacted]"));
        assert!(debug.len() < 80, "{debug}");
        let pem = key.to_pkcs8_pem().unwrap();
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!debug.contains(&line[..16]));
        }
        let jwk = key.public_jwk();
        for member in ["n", "x", "y"] {
            if let Some(v) = jwk.get(member).and_then(Value::as_str) {
                assert!(!debug.contains(&v[..12]), "{debug}");
            }
        }
    }
    let d = private["d"].as_str().unwrap();
    assert!(!format!("{fixture:?}").contains(&d[..10]));
    assert_eq!(
        format!("{:?}", k.p256),
        r#"SigningKey { kty: "EC", kid: Some("p256-1"), [redacted] }"#
    );
    let pk_debug = format!("{:?}", public_of(&k.rsa).key);
    assert_eq!(pk_debug, "PublicKey { kty: \"RSA\", bits: 2048 }");

    // Parsed tokens do not show payload or signature in Debug, and errors do not echo input.
    let token =
        sign_compact_hmac(b"s", JwsAlgorithm::HS256, Map::new(), b"secret-payload").unwrap();
    let jws = Jws::parse(&token).unwrap();
    assert!(!format!("{jws:?}").contains("secret"));
    let token = raw_token(r#"{"alg":"HS256","kid":["secret-kid-value"]}"#, b"{}", b"s");
    let err = Jws::parse(&token).unwrap_err();
    assert!(!err.to_string().contains("secret-kid-value"), "{err}");
    #[derive(serde::Deserialize, Debug)]
    struct C {
        #[allow(dead_code)]
        exp: u64,
    }
    let err = from_json_no_duplicates::<C>(br#"{"exp":"secret-claim-value"}"#).unwrap_err();
    assert!(!err.to_string().contains("secret-claim-value"), "{err}");
    let long_alg = "X".repeat(10_000);
    let err = JwsAlgorithm::parse(&long_alg).unwrap_err();
    assert!(err.to_string().len() < 200);
}

#[test]
fn key_edge_cases() {
    let k = keys();
    let rsa = k.rsa.public_jwk();
    // A redundant leading zero in n is tolerated (harmless); the size is that of the value.
    let mut n = b64::decode(rsa["n"].as_str().unwrap()).unwrap();
    n.insert(0, 0);
    let padded = json!({"kty":"RSA","n": b64::encode(&n), "e":"AQAB"});
    let key = Jwk::from_json(&padded).unwrap().key;
    assert_eq!(
        (key.kty(), key.rsa_bits(), key.crv()),
        ("RSA", Some(2048), None)
    );
    let sig = k.rsa.sign(JwsAlgorithm::RS512, b"m").unwrap();
    assert_eq!(key.verify(JwsAlgorithm::RS512, b"m", &sig), OK);
    // Signed with PKCS#1 v1.5, checked as PSS: refused.
    assert_eq!(key.verify(JwsAlgorithm::PS512, b"m", &sig), BAD_SIG);
    // Too large a modulus, even exponent.
    assert!(invalid_key(PublicKey::from_rsa_components(
        &[0xff; 1025],
        &[1, 0, 1]
    )));
    assert!(invalid_key(PublicKey::from_rsa_components(&n, &[1, 0, 0])));
    assert!(invalid_key(PublicKey::from_rsa_components(&n, &[1])));
    // ECDSA signatures must be R || S, not ASN.1 DER; truncated HMACs fail.
    let p256 = public_of(&k.p256).key;
    assert_eq!(p256.crv(), Some("P-256"));
    let mut sig = k.p256.sign(JwsAlgorithm::ES256, b"m").unwrap();
    assert_eq!(p256.verify(JwsAlgorithm::ES256, b"m", &sig), OK);
    sig.push(0);
    assert_eq!(p256.verify(JwsAlgorithm::ES256, b"m", &sig), BAD_SIG);
    let token = sign_compact_hmac(b"k", JwsAlgorithm::HS384, Map::new(), b"{}").unwrap();
    let jws = Jws::parse(&token).unwrap();
    let input = jws.signing_input().as_bytes();
    let short = &jws.signature()[..jws.signature().len() - 1];
    assert_eq!(
        verify_hmac(JwsAlgorithm::HS384, b"k", input, short),
        BAD_SIG
    );
    assert_eq!(
        verify_hmac(JwsAlgorithm::HS512, b"k", input, jws.signature()),
        BAD_SIG
    );
    // Ed25519 keys must be 32 octets.
    assert!(invalid_key(PublicKey::from_ed25519(&[1; 31])));
    assert!(matches!(
        PublicKey::from_ec_coordinates("P-521", &[1; 66], &[1; 66]),
        Err(JoseError::UnsupportedKeyType(_))
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    #[test]
    fn b64_roundtrips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        proptest::prop_assert_eq!(b64::decode(&b64::encode(&bytes)), Ok(bytes));
    }

    #[test]
    fn parsers_never_panic(input in "[A-Za-z0-9_\\-.={}\":,\\[\\] ]{0,300}") {
        let _ = Jws::parse(&input);
        let _ = JwkSet::parse(input.as_bytes());
        let _ = SigningKey::from_jwk(&input);
        let _ = SigningKey::from_pem(&input);
        let _ = b64::decode(&input);
    }

    #[test]
    fn structured_headers_never_panic(header in "\\{(\"[a-z]{1,4}\":(\"[A-Za-z0-9]{0,6}\"|[0-9]{1,3}|true|null|\\[\\]),?){0,5}\\}") {
        let token = raw_token(&header, b"{}", b"sig");
        if let Ok(jws) = Jws::parse(&token) {
            let _ = jws.algorithm();
        }
    }
}
