//! UserInfo responses (OpenID Connect Core §5.3.2, §5.3.3, RFC 6750 §3) through
//! `UserInfoRequest::finish` on a client built offline (its JWKS comes from an in-memory
//! transport holding the test suite's fixture keys).
//!
//! Selector byte mod 5: 0 the rest is a JSON body; 1 the rest is an `application/jwt` body;
//! 2 the rest is a claims payload signed here with HS256 (client secret); 3 the same signed
//! with the Ed25519 fixture key (verified through the JWKS); 4 a 401 whose
//! `WWW-Authenticate` header is the rest.
//!
//! Invariants: nothing panics; a success has the expected `sub`, a `signing_alg` exactly
//! for signed responses, claims that survive a serde round trip, and for signed responses
//! an `iss` (if any) equal to the issuer and an `aud` (if any) naming the client; a 401 is
//! never a success.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use typed_oidc::{AccessToken, Client, Error, SubjectId, UserInfo, UserInfoClaims};
use typed_oidc_fuzz::{self as common, FixtureHttp};

static CLIENT: LazyLock<Client<FixtureHttp>> = LazyLock::new(|| common::client(false));
static ED: LazyLock<SigningKey> = LazyLock::new(common::ed25519_key);

fn finish(response: &http::Response<bytes::Bytes>) -> Result<UserInfo, Error> {
    let token = AccessToken::new("fuzz-access-token");
    let subject = SubjectId::new(common::SUBJECT);
    let request = CLIENT.userinfo_for_subject(&token, &subject);
    common::block_on(request.finish(response))
}

fn header() -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header
}

fn check(result: &Result<UserInfo, Error>, signed: bool, payload: &[u8]) {
    let Ok(info) = result else { return };
    assert_eq!(info.claims.sub.as_str(), common::SUBJECT);
    assert_eq!(info.signing_alg.is_some(), signed);
    let json = serde_json::to_value(&info.claims).expect("claims serialize");
    let back: UserInfoClaims = serde_json::from_value(json).expect("serialized claims parse");
    assert_eq!(back, info.claims, "claims do not survive a round trip");
    if signed && let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(payload) {
        match obj.get("iss") {
            None | Some(Value::Null) => {}
            Some(iss) => assert_eq!(iss.as_str(), Some(common::ISSUER)),
        }
        match obj.get("aud") {
            None | Some(Value::Null) => {}
            Some(Value::String(aud)) => assert_eq!(aud, common::CLIENT_ID),
            Some(Value::Array(auds)) => {
                assert!(auds.iter().any(|a| a.as_str() == Some(common::CLIENT_ID)))
            }
            Some(other) => panic!("accepted aud {other}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    match selector % 5 {
        0 => {
            let result = finish(&common::response(200, Some("application/json"), rest));
            check(&result, false, rest);
        }
        1 => {
            let result = finish(&common::response(200, Some("application/jwt"), rest));
            // A raw JWT body can only verify with a key the fuzzer does not know; it may
            // still succeed if it reproduces a fixture signature, so check like a signed one.
            if let Ok(token) = std::str::from_utf8(rest)
                && let Ok(jws) = typed_oidc::jose::Jws::parse(token.trim())
            {
                check(&result, true, jws.payload());
            } else {
                assert!(result.is_err(), "a body that is no JWS was accepted");
            }
        }
        2 => {
            let token = sign_compact_hmac(
                common::CLIENT_SECRET.as_bytes(),
                JwsAlgorithm::HS256,
                header(),
                rest,
            )
            .expect("HS256 signing with a fixed key");
            let result = finish(&common::response(
                200,
                Some("application/jwt"),
                token.as_bytes(),
            ));
            check(&result, true, rest);
        }
        3 => {
            let token = sign_compact(&ED, JwsAlgorithm::EdDSA, header(), rest)
                .expect("EdDSA signing with a fixed key");
            let result = finish(&common::response(
                200,
                Some("application/jwt"),
                token.as_bytes(),
            ));
            check(&result, true, rest);
        }
        _ => {
            let Ok(value) = http::HeaderValue::from_bytes(rest) else {
                return;
            };
            let mut response = common::response(401, Some("application/json"), b"{}");
            response
                .headers_mut()
                .insert(http::header::WWW_AUTHENTICATE, value);
            let result = finish(&response);
            match result {
                Ok(_) => panic!("a 401 became a UserInfo"),
                Err(Error::Provider(p)) => {
                    assert!(!p.error.is_empty() && p.error.chars().count() <= 128);
                    assert!(!p.error.chars().any(char::is_control));
                }
                Err(_) => {}
            }
        }
    }
});
