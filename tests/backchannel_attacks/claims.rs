//! The claims rules of §2.4/§2.6: events, nonce, sub/sid, jti and replay, iss, aud, times;
//! and the valid tokens that must pass.
#![allow(unused_imports)]

use serde_json::{Map, Value, json};
use typed_oidc::backchannel::BackChannelError;
use typed_oidc::jose::{JwsAlgorithm, SigningKey, b64, sign_compact, sign_compact_hmac};
use typed_oidc::*;

use crate::common::*;
use crate::mock::MockHttp;

// ---- baseline -------------------------------------------------------------------------------

#[tokio::test]
async fn a_valid_token_ends_exactly_the_named_session() {
    let (h, c) = (handler(), client());
    let answered = post(
        &h,
        &c,
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        &body(&token(&claims())),
    )
    .await;
    assert_eq!(answered.response.status(), 200);
    assert_eq!(answered.response.headers()["cache-control"], "no-store");
    assert!(answered.response.body().is_empty());
    let done = answered.outcome.unwrap();
    assert_eq!(done.sessions_ended, 1);
    assert_eq!(done.claims.sid.as_deref(), Some("sid-1"));
    assert!(!h.sessions().is_active("s-alice"));
    assert!(h.sessions().is_active("s-alice-2") && h.sessions().is_active("s-bob"));
}

#[tokio::test]
async fn sub_only_ends_every_session_of_the_user_and_sid_only_one() {
    let (h, c) = (handler(), client());
    let done = post(&h, &c, Some(FORM), &body(&token(&without("sid"))))
        .await
        .outcome
        .unwrap();
    assert_eq!(done.sessions_ended, 2);
    assert_eq!(
        h.sessions()
            .active()
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["s-bob"]
    );

    let h = handler();
    let mut c2 = without("sub");
    c2["sid"] = json!("sid-3");
    let done = post(&h, &c, Some(FORM), &body(&token(&c2)))
        .await
        .outcome
        .unwrap();
    assert_eq!(done.sessions_ended, 1);
    assert!(!h.sessions().is_active("s-bob"));
}

#[tokio::test]
async fn a_session_already_gone_is_still_a_success() {
    let (h, c) = (handler(), client());
    let answered = post(
        &h,
        &c,
        Some(FORM),
        &body(&token(&with("sid", json!("unknown-sid")))),
    )
    .await;
    assert_eq!(answered.response.status(), 200);
    assert_eq!(answered.outcome.unwrap().sessions_ended, 0);
}

#[tokio::test]
async fn typ_may_be_absent_or_the_full_media_type() {
    for typ in [None, Some("application/logout+jwt"), Some("LOGOUT+JWT")] {
        let t = sign_compact(
            &keys().provider,
            JwsAlgorithm::RS256,
            header(typ),
            claims().to_string().as_bytes(),
        )
        .unwrap();
        let answered = post(&handler(), &client(), Some(FORM), &body(&t)).await;
        assert_eq!(
            answered.response.status(),
            200,
            "typ {typ:?}: {:?}",
            answered.outcome
        );
    }
}

#[tokio::test]
async fn es256_from_the_provider_verifies_and_exp_within_leeway_passes() {
    let t = sign_compact(
        &keys().provider_ec,
        JwsAlgorithm::ES256,
        header(None),
        with("exp", json!(NOW - 30)).to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(
        post(&handler(), &client(), Some(FORM), &body(&t))
            .await
            .response
            .status(),
        200
    );
}

// ---- events ---------------------------------------------------------------------------------

#[tokio::test]
async fn no_events_claim() {
    assert!(matches!(
        refuse(&token(&without("events"))).await,
        LogoutTokenError::EventsMissing
    ));
    assert!(matches!(
        refuse(&token(&with("events", json!(EVENT)))).await,
        LogoutTokenError::EventsMissing
    ));
    assert!(matches!(
        refuse(&token(&with("events", json!([EVENT])))).await,
        LogoutTokenError::EventsMissing
    ));
}

#[tokio::test]
async fn wrong_event() {
    let other = json!({ "http://schemas.openid.net/event/backchannel-logout/": {}, "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked": {} });
    assert!(matches!(
        refuse(&token(&with("events", other))).await,
        LogoutTokenError::LogoutEventMissing
    ));
    assert!(matches!(
        refuse(&token(&with("events", json!({})))).await,
        LogoutTokenError::LogoutEventMissing
    ));
    for value in [json!(true), json!("logout"), json!(null), json!([])] {
        let e = refuse(&token(&with("events", json!({ EVENT: value })))).await;
        assert!(matches!(e, LogoutTokenError::LogoutEventNotObject), "{e:?}");
    }
}

// ---- nonce, subject, jti --------------------------------------------------------------------

#[tokio::test]
async fn nonce_present() {
    for nonce in [json!("n-0S6_WzA2Mj"), json!(null), json!("")] {
        assert!(matches!(
            refuse(&token(&with("nonce", nonce))).await,
            LogoutTokenError::NoncePresent
        ));
    }
}

#[tokio::test]
async fn an_id_token_is_not_a_logout_token() {
    // An ID token of the same provider for the same client: no events (and typ JWT).
    let id_token = json!({ "iss": ISSUER, "aud": CLIENT, "sub": "alice", "iat": NOW, "exp": NOW + 300, "sid": "sid-1", "jti": "x" });
    let t = sign_compact(
        &keys().provider,
        JwsAlgorithm::RS256,
        header(Some("JWT")),
        id_token.to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        refuse(&t).await,
        LogoutTokenError::UnexpectedType(_)
    ));
    let t = sign_compact(
        &keys().provider,
        JwsAlgorithm::RS256,
        header(None),
        id_token.to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(refuse(&t).await, LogoutTokenError::EventsMissing));
}

#[tokio::test]
async fn no_sub_and_no_sid() {
    let mut c = without("sub");
    c.as_object_mut().unwrap().remove("sid");
    assert!(matches!(
        refuse(&token(&c)).await,
        LogoutTokenError::NoSubjectOrSession
    ));
    let c = with("sub", json!("")).as_object().unwrap().clone();
    let mut c = Value::Object(c);
    c["sid"] = json!(null);
    assert!(matches!(
        refuse(&token(&c)).await,
        LogoutTokenError::NoSubjectOrSession
    ));
    assert!(matches!(
        refuse(&token(&with("sid", json!(42)))).await,
        LogoutTokenError::MissingClaim("sid")
    ));
    assert!(matches!(
        refuse(&token(&with("sub", json!(["alice"])))).await,
        LogoutTokenError::MissingClaim("sub")
    ));
}

#[tokio::test]
async fn replayed_jti() {
    let (h, c) = (handler(), client());
    let t = token(&without("sid"));
    assert_eq!(
        post(&h, &c, Some(FORM), &body(&t)).await.response.status(),
        200
    );
    // Sessions ended already; the second delivery must still be refused as a replay.
    let before = h.sessions().active().len();
    let answered = post(&h, &c, Some(FORM), &body(&t)).await;
    check_refusal(&answered, &t, 400);
    assert!(matches!(
        answered.outcome,
        Err(BackChannelError::Token(LogoutTokenError::Replayed))
    ));
    assert_eq!(h.sessions().active().len(), before);
    // The same jti with other claims (re-signed) is the same token id: refused too.
    let mut other = without("sub");
    other["sid"] = json!("sid-3");
    let again = token(&other);
    let answered = post(&h, &c, Some(FORM), &body(&again)).await;
    assert!(matches!(
        answered.outcome,
        Err(BackChannelError::Token(LogoutTokenError::Replayed))
    ));
    assert!(h.sessions().is_active("s-bob"));
    // A fresh jti is accepted.
    let fresh = token(&with("jti", json!("jti-0002")));
    assert_eq!(
        post(&h, &c, Some(FORM), &body(&fresh))
            .await
            .response
            .status(),
        200
    );
}

#[tokio::test]
async fn a_refused_token_does_not_poison_the_replay_cache() {
    let (h, c) = (handler(), client());
    // Same jti, but forged: refused before the cache sees it.
    let mut forged = token(&claims());
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    refuse_with(&h, &c, &forged).await;
    assert!(h.replay_cache().is_empty());
    assert_eq!(
        post(&h, &c, Some(FORM), &body(&token(&claims())))
            .await
            .response
            .status(),
        200
    );
}

#[tokio::test]
async fn jti_missing_empty_or_oversized() {
    assert!(matches!(
        refuse(&token(&without("jti"))).await,
        LogoutTokenError::MissingClaim("jti")
    ));
    assert!(matches!(
        refuse(&token(&with("jti", json!("")))).await,
        LogoutTokenError::MissingClaim("jti")
    ));
    assert!(matches!(
        refuse(&token(&with("jti", json!(7)))).await,
        LogoutTokenError::MissingClaim("jti")
    ));
    let long = "j".repeat(typed_oidc::backchannel::MAX_JTI_LEN + 1);
    assert!(matches!(
        refuse(&token(&with("jti", json!(long)))).await,
        LogoutTokenError::MissingClaim("jti")
    ));
}

// ---- iss, aud, times ------------------------------------------------------------------------

#[tokio::test]
async fn wrong_iss() {
    for iss in [
        "https://op.attacker.example",
        "https://op.example.com/",
        "HTTPS://OP.EXAMPLE.COM",
    ] {
        let e = refuse(&token(&with("iss", json!(iss)))).await;
        assert!(
            matches!(e, LogoutTokenError::Issuer { ref actual, .. } if actual == iss),
            "{e:?}"
        );
    }
    assert!(matches!(
        refuse(&token(&without("iss"))).await,
        LogoutTokenError::MissingClaim("iss")
    ));
    assert!(matches!(
        refuse(&token(&with("iss", json!([ISSUER])))).await,
        LogoutTokenError::MissingClaim("iss")
    ));
}

#[tokio::test]
async fn wrong_aud() {
    for aud in [
        json!("other-client"),
        json!(["other-client"]),
        json!("RP-CLIENT"),
    ] {
        assert!(matches!(
            refuse(&token(&with("aud", aud))).await,
            LogoutTokenError::AudienceMissingClient { .. }
        ));
    }
    for aud in [json!([]), json!(""), json!(null), json!([CLIENT, 5])] {
        assert!(matches!(
            refuse(&token(&with("aud", aud))).await,
            LogoutTokenError::MissingClaim("aud")
        ));
    }
    assert!(matches!(
        refuse(&token(&without("aud"))).await,
        LogoutTokenError::MissingClaim("aud")
    ));
    // A second audience is refused unless trusted.
    let two = token(&with("aud", json!([CLIENT, "https://api.example"])));
    assert!(
        matches!(refuse(&two).await, LogoutTokenError::UntrustedAudience(ref a) if a == "https://api.example")
    );
    let h = handler().trusted_audiences(vec!["https://api.example".into()]);
    assert_eq!(
        post(&h, &client(), Some(FORM), &body(&two))
            .await
            .response
            .status(),
        200
    );
}

#[tokio::test]
async fn expired() {
    let e = refuse(&token(&with("exp", json!(NOW - 61)))).await;
    assert!(
        matches!(e, LogoutTokenError::Expired { exp, now: NOW, leeway: 60 } if exp == NOW - 61),
        "{e:?}"
    );
    assert!(matches!(
        refuse(&token(&without("exp"))).await,
        LogoutTokenError::MissingClaim("exp")
    ));
    for exp in [json!("1700000100"), json!(1.7e9), json!(-1)] {
        assert!(matches!(
            refuse(&token(&with("exp", exp))).await,
            LogoutTokenError::MissingClaim("exp")
        ));
    }
}

#[tokio::test]
async fn iat_missing_or_in_the_future() {
    assert!(matches!(
        refuse(&token(&without("iat"))).await,
        LogoutTokenError::MissingClaim("iat")
    ));
    assert!(matches!(
        refuse(&token(&with("iat", json!(NOW + 61)))).await,
        LogoutTokenError::IssuedInFuture { .. }
    ));
    assert!(matches!(
        refuse(&token(&with("nbf", json!(NOW + 3600)))).await,
        LogoutTokenError::NotYetValid { .. }
    ));
}
