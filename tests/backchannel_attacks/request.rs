//! The HTTP request of §2.5 (method, content type, form body, size) and the front-channel
//! logout rules (Front-Channel Logout 1.0 §2).
#![allow(unused_imports)]

use serde_json::{Map, Value, json};
use typed_oidc::backchannel::BackChannelError;
use typed_oidc::jose::{JwsAlgorithm, SigningKey, b64, sign_compact, sign_compact_hmac};
use typed_oidc::*;

use crate::common::*;
use crate::mock::MockHttp;

// ---- the HTTP request -----------------------------------------------------------------------

#[tokio::test]
async fn malformed_bodies() {
    let (h, c) = (handler(), client());
    let t = token(&claims());
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "missing"),
        (b"token=abc".to_vec(), "missing"),
        (b"logout_token=".to_vec(), "missing"),
        (
            format!("logout_token={t}&logout_token={t}").into_bytes(),
            "repeated",
        ),
        (b"logout_token=\xff\xfe\xfd".to_vec(), "UTF-8"),
    ];
    for (bytes, what) in cases {
        let answered = post(&h, &c, Some(FORM), &bytes).await;
        check_refusal(&answered, &t, 400);
        match answered.outcome {
            Err(BackChannelError::MalformedBody(d)) => assert!(d.contains(what), "{d}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(h.sessions().active().len(), 3);
    assert!(h.replay_cache().is_empty());
}

#[tokio::test]
async fn wrong_content_type() {
    let (h, c) = (handler(), client());
    let t = token(&claims());
    let json_body = json!({ "logout_token": t }).to_string();
    for ct in [
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let answered = post(&h, &c, ct, json_body.as_bytes()).await;
        check_refusal(&answered, &t, 400);
        assert!(
            matches!(answered.outcome, Err(BackChannelError::ContentType(_))),
            "{ct:?}"
        );
        // Even a well-formed form body is refused under the wrong type.
        let answered = post(&h, &c, ct, &body(&t)).await;
        assert!(matches!(
            answered.outcome,
            Err(BackChannelError::ContentType(_))
        ));
    }
    assert_eq!(h.sessions().active().len(), 3);
}

#[tokio::test]
async fn only_post_is_allowed() {
    let (h, c) = (handler(), client());
    let t = token(&claims());
    for method in [
        ::http::Method::GET,
        ::http::Method::PUT,
        ::http::Method::DELETE,
        ::http::Method::HEAD,
    ] {
        let answered = h.handle_parts(&c, &method, Some(FORM), &body(&t)).await;
        check_refusal(&answered, &t, 405);
        assert_eq!(answered.response.headers()["allow"], "POST");
    }
    // Through the http::Request entry point too.
    let request = ::http::Request::builder()
        .method("GET")
        .uri(format!("/bcl?logout_token={t}"))
        .body(Vec::new())
        .unwrap();
    assert_eq!(h.handle(&c, &request).await.response.status(), 405);
    assert_eq!(h.sessions().active().len(), 3);
}

#[tokio::test]
async fn oversized_body() {
    let (h, c) = (handler(), client());
    let t = token(&claims());
    let mut big = body(&t);
    big.extend(std::iter::repeat_n(b'a', h.body_limit()));
    let answered = post(&h, &c, Some(FORM), &big).await;
    check_refusal(&answered, &t, 400);
    assert!(matches!(
        answered.outcome,
        Err(BackChannelError::BodyTooLarge {
            limit: BackChannelLogout::<MemoryReplayCache, MemorySessionStore>::DEFAULT_MAX_BODY_LEN
        })
    ));
    // A custom, smaller limit.
    let h = handler().max_body_len(64);
    let answered = post(&h, &c, Some(FORM), &body(&t)).await;
    assert!(matches!(
        answered.outcome,
        Err(BackChannelError::BodyTooLarge { limit: 64 })
    ));
}

#[tokio::test]
async fn validate_logout_token_directly() {
    let c = client();
    let claims = c.validate_logout_token(&token(&claims())).await.unwrap();
    assert_eq!(claims.jti, "jti-0001");
    assert_eq!(claims.events.len(), 1);
    // The sans-IO validator with an explicit key set.
    let set = typed_oidc::jose::JwkSet::parse(jwks_doc(&[&keys().provider]).as_bytes()).unwrap();
    let v = c.logout_token_validator();
    assert_eq!(v.algs(), [JwsAlgorithm::RS256, JwsAlgorithm::ES256]);
    assert!(
        v.validate(&token(&with("nonce", json!("n"))), &set)
            .is_err()
    );
    assert!(
        v.validate(&token(&with("extra", json!({ "ignored": true }))), &set)
            .is_ok()
    );
}

// ---- front-channel logout (OpenID Connect Front-Channel Logout 1.0 §2) -----------------------

#[test]
fn front_channel_logout_checks_iss_and_returns_sid() {
    let c = client();
    let iss = url::form_urlencoded::byte_serialize(ISSUER.as_bytes()).collect::<String>();
    let uri: ::http::Uri = format!("/fc-logout?iss={iss}&sid=sid-1").parse().unwrap();
    assert_eq!(
        c.front_channel_logout(&uri, true).unwrap().sid(),
        Some("sid-1")
    );
    let absolute: ::http::Uri = format!("https://rp.example/fc?sid=sid-9&iss={iss}&x=1")
        .parse()
        .unwrap();
    assert_eq!(
        c.front_channel_logout(&absolute, false)
            .unwrap()
            .into_sid()
            .as_deref(),
        Some("sid-9")
    );
    assert_eq!(
        c.front_channel_logout(&"/fc".parse().unwrap(), false)
            .unwrap()
            .sid(),
        None
    );

    use FrontChannelLogoutError as E;
    let check = |q: &str, required: bool| c.front_channel_logout_query(q, required);
    assert_eq!(check("", true), Err(E::MissingParameter("iss")));
    assert_eq!(
        check(&format!("iss={iss}"), true),
        Err(E::MissingParameter("sid"))
    );
    assert_eq!(
        check(&format!("iss={iss}&sid="), false),
        Err(E::MissingParameter("sid"))
    );
    assert_eq!(check("sid=sid-1", false), Err(E::MissingParameter("iss")));
    assert_eq!(
        check(&format!("iss={iss}&iss={iss}&sid=s"), true),
        Err(E::RepeatedParameter("iss"))
    );
    match check("iss=https%3A%2F%2Fop.attacker.example%0A&sid=s", true) {
        Err(E::IssuerMismatch { expected, actual }) => {
            assert_eq!(expected, ISSUER);
            assert_eq!(actual, "https://op.attacker.example");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        check(&format!("iss={iss}&sid=%C3%28"), true),
        Err(E::Malformed(_))
    ));

    let r = FrontChannelLogout::response();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache, no-store");
    assert_eq!(r.headers()["pragma"], "no-cache");
}
