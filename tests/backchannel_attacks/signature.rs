//! The JWS rules of §2.6: algorithm allow-list, `none`, signatures, keys, header `typ`,
//! `crit`, and malformed or encrypted tokens.
#![allow(unused_imports)]

use serde_json::{Map, Value, json};
use typed_oidc::backchannel::BackChannelError;
use typed_oidc::jose::{JwsAlgorithm, SigningKey, b64, sign_compact, sign_compact_hmac};
use typed_oidc::*;

use crate::common::*;
use crate::mock::MockHttp;

// ---- algorithm and signature ----------------------------------------------------------------

#[tokio::test]
async fn hs256_when_only_rs256_and_es256_are_registered() {
    let payload = claims().to_string();
    // MAC'd with the client secret: a valid HMAC, but HS256 is not in the allow-list.
    let t = sign_compact_hmac(
        SECRET.as_bytes(),
        JwsAlgorithm::HS256,
        header(Some("logout+jwt")),
        payload.as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(refuse(&t).await, LogoutTokenError::DisallowedAlg { ref alg } if alg == "HS256")
    );
    // Key confusion: MAC'd with the provider's public key document.
    let public = keys().provider.public_jwk().to_string();
    let t = sign_compact_hmac(
        public.as_bytes(),
        JwsAlgorithm::HS256,
        header(None),
        payload.as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        refuse(&t).await,
        LogoutTokenError::DisallowedAlg { .. }
    ));
    // PS256 with the provider's RSA key is a valid signature but not a registered alg.
    let t = sign_compact(
        &keys().provider,
        JwsAlgorithm::PS256,
        header(None),
        payload.as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(refuse(&t).await, LogoutTokenError::DisallowedAlg { ref alg } if alg == "PS256")
    );
}

#[tokio::test]
async fn hs256_is_honoured_only_when_allowed_explicitly() {
    let payload = claims().to_string();
    let t = sign_compact_hmac(
        SECRET.as_bytes(),
        JwsAlgorithm::HS256,
        header(None),
        payload.as_bytes(),
    )
    .unwrap();
    let h = handler().signing_algs(vec![JwsAlgorithm::HS256]);
    assert_eq!(
        post(&h, &client(), Some(FORM), &body(&t))
            .await
            .response
            .status(),
        200
    );
    // ... and then a wrong MAC key is a bad signature.
    let t = sign_compact_hmac(
        b"not-the-client-secret-0123456789",
        JwsAlgorithm::HS256,
        header(None),
        payload.as_bytes(),
    )
    .unwrap();
    let h = handler().signing_algs(vec![JwsAlgorithm::HS256]);
    assert!(matches!(
        refuse_with(&h, &client(), &t).await,
        BackChannelError::Token(LogoutTokenError::Signature)
    ));
}

#[tokio::test]
async fn alg_none_in_every_spelling() {
    let payload = claims().to_string();
    for alg in ["none", "None", "NONE", "nOnE", "none ", ""] {
        let t = raw(
            &json!({ "alg": alg, "typ": "logout+jwt" }).to_string(),
            &payload,
            b"",
        );
        let e = refuse(&t).await;
        assert!(
            matches!(e, LogoutTokenError::DisallowedAlg { .. }),
            "alg {alg:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn bad_signature() {
    let t = token(&claims());
    let (input, sig) = t.rsplit_once('.').unwrap();
    let mut sig = b64::decode(sig).unwrap();
    sig[10] ^= 0x01;
    let flipped = format!("{input}.{}", b64::encode(&sig));
    assert!(matches!(
        refuse(&flipped).await,
        LogoutTokenError::Signature
    ));
    // The attacker's own RSA key under the provider's kid.
    let forged = sign_compact(
        &keys().attacker,
        JwsAlgorithm::RS256,
        header(None),
        claims().to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(refuse(&forged).await, LogoutTokenError::Signature));
    // Claims altered after signing.
    let (h, _, s) = (
        t.split('.').next().unwrap(),
        (),
        t.rsplit('.').next().unwrap(),
    );
    let altered = format!(
        "{h}.{}.{s}",
        b64::encode(with("sub", json!("bob")).to_string().as_bytes())
    );
    assert!(matches!(
        refuse(&altered).await,
        LogoutTokenError::Signature
    ));
    // Empty signature.
    assert!(matches!(
        refuse(&format!("{input}.")).await,
        LogoutTokenError::Signature
    ));
}

#[tokio::test]
async fn unknown_kid_refetches_the_key_set_once() {
    let http = provider_http();
    let c = client_on(&http);
    let stranger = SigningKey::generate_ec_p256()
        .unwrap()
        .with_kid("rotated-in");
    let t = sign_compact(
        &stranger,
        JwsAlgorithm::ES256,
        header(None),
        claims().to_string().as_bytes(),
    )
    .unwrap();
    // A first token fills the cache; an unknown kid then triggers exactly one refetch.
    c.validate_logout_token(&token(&claims())).await.unwrap();
    assert_eq!(http.requests(), 1);
    let e = refuse_with(&handler(), &c, &t).await;
    assert!(
        matches!(e, BackChannelError::Token(LogoutTokenError::UnknownKey { ref kid, .. }) if kid.as_deref() == Some("rotated-in")),
        "{e:?}"
    );
    assert_eq!(http.requests(), 2, "one refetch for the unknown kid");
    // Within the cooldown a second unknown kid does not fetch again.
    refuse_with(&handler(), &c, &t).await;
    assert_eq!(http.requests(), 2);
    // Key rotation: once the provider publishes the key, the next token (after the cooldown
    // of a fresh client) verifies.
    let http = MockHttp::new();
    http.serve_json(jwks_doc(&[&keys().provider, &stranger]));
    let answered = post(&handler(), &client_on(&http), Some(FORM), &body(&t)).await;
    assert_eq!(answered.response.status(), 200, "{:?}", answered.outcome);
}

#[tokio::test]
async fn unreachable_key_set_is_a_server_error() {
    let http = MockHttp::new();
    http.fail("connection refused");
    let c = client_on(&http);
    let t = token(&claims());
    let e = refuse_with(&handler(), &c, &t).await;
    assert!(
        matches!(e, BackChannelError::Token(LogoutTokenError::Keys(_))),
        "{e:?}"
    );
    assert_eq!(e.error_code(), "server_error");
}

// ---- header ---------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_typ() {
    for typ in [
        "JWT",
        "at+jwt",
        "application/jwt",
        "secevent+jwt",
        "logout+jwt2",
        "",
    ] {
        let t = sign_compact(
            &keys().provider,
            JwsAlgorithm::RS256,
            header(Some(typ)),
            claims().to_string().as_bytes(),
        )
        .unwrap();
        let e = refuse(&t).await;
        assert!(
            matches!(e, LogoutTokenError::UnexpectedType(_)),
            "typ {typ:?}: {e:?}"
        );
    }
    let mut h = header(Some("logout+jwt"));
    h.insert("cty".into(), json!("JWT"));
    let t = sign_compact(
        &keys().provider,
        JwsAlgorithm::RS256,
        h,
        claims().to_string().as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(refuse(&t).await, LogoutTokenError::UnexpectedType(ref s) if s.starts_with("cty"))
    );
}

#[tokio::test]
async fn unknown_critical_header() {
    let mut h = header(None);
    h.insert("crit".into(), json!(["exp-ext"]));
    h.insert("exp-ext".into(), json!(1));
    let t = sign_compact(
        &keys().provider,
        JwsAlgorithm::RS256,
        h,
        claims().to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        refuse(&t).await,
        LogoutTokenError::CriticalHeader(_)
    ));
}

// ---- malformed tokens -----------------------------------------------------------------------

#[tokio::test]
async fn malformed_jwt() {
    for t in [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        "e30.e30.",
        ".....",
    ] {
        let e = refuse(t).await;
        assert!(matches!(e, LogoutTokenError::Malformed(_)), "{t:?}: {e:?}");
    }
    assert!(matches!(
        refuse("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d").await,
        LogoutTokenError::Encrypted
    ));
    // Claims that are not a JSON object, or repeat a member.
    for payload in [
        "[1,2]",
        "\"x\"",
        "{\"iss\":",
        "{\"sub\":\"alice\",\"sub\":\"bob\"}",
    ] {
        let t = sign_compact(
            &keys().provider,
            JwsAlgorithm::RS256,
            header(None),
            payload.as_bytes(),
        )
        .unwrap();
        let e = refuse(&t).await;
        assert!(
            matches!(e, LogoutTokenError::Malformed(_)),
            "{payload}: {e:?}"
        );
    }
    // A duplicate `alg` in the header.
    let t = raw(
        r#"{"alg":"RS256","alg":"none"}"#,
        &claims().to_string(),
        b"sig",
    );
    assert!(matches!(refuse(&t).await, LogoutTokenError::Malformed(_)));
    // Far beyond the JWS size limit but within a generous body limit.
    let huge = format!("{}.{}.x", "a".repeat(200), "b".repeat(300_000));
    let h = handler().max_body_len(1 << 20);
    let e = refuse_with(&h, &client(), &huge).await;
    assert!(
        matches!(e, BackChannelError::Token(LogoutTokenError::Malformed(_))),
        "{e:?}"
    );
}
