//! The "UserInfo Endpoint", "Claims Request Parameter" and "Claims Types" groups (OpenID
//! Connect Core §5.3, §5.5, §5.6.2).

use std::sync::Arc;

use serde_json::{Value, json};
use typed_oidc::BearerMethod;
use typed_oidc::error::ValidationError;
use typed_oidc::jose::{Jws, JwsAlgorithm, SigningKey, sign_compact};

use crate::common::*;
use crate::hostile_op::Alg;

/// rp-userinfo-bad-sub-claim: a UserInfo `sub` other than the ID token's is rejected.
#[tokio::test]
async fn rp_userinfo_bad_sub_claim() {
    let op = op().await;
    op.set(|b| {
        b.userinfo_edit = Some(Arc::new(|c| {
            c.insert("sub".into(), "mallory-9999".into());
        }))
    });
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    let err = client.userinfo(&tokens).send().await.unwrap_err();
    match rule(err) {
        ValidationError::SubjectMismatch { expected, actual } => {
            assert_eq!(expected, SUB);
            assert_eq!(actual, "mallory-9999");
        }
        other => panic!("expected SubjectMismatch, got {other:?}"),
    }
    assert_eq!(op.requests_to("/userinfo").len(), 1);
}

/// rp-userinfo-bearer-header: the access token in `Authorization: Bearer`, on a GET with no
/// body (RFC 6750 §2.1).
#[tokio::test]
async fn rp_userinfo_bearer_header() {
    let op = op().await;
    let client = client(&op).await;
    let tokens = try_code_flow(&op, &client, "profile").await.unwrap();
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(info.claims.name.as_deref(), Some("Alice Example"));
    assert_eq!(info.signing_alg, None);

    let sent = &op.requests_to("/userinfo")[0];
    assert_eq!(sent.method, http::Method::GET);
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", tokens.access_token().secret()))
    );
    assert!(sent.body.is_empty());
}

/// rp-userinfo-bearer-body: the access token as a form-encoded body parameter on a POST
/// (RFC 6750 §2.2), and not in a header.
#[tokio::test]
async fn rp_userinfo_bearer_body() {
    let op = op().await;
    let client = client(&op).await;
    let tokens = try_code_flow(&op, &client, "email").await.unwrap();
    let info = client
        .userinfo(&tokens)
        .bearer_method(BearerMethod::FormBody)
        .send()
        .await
        .unwrap();
    assert_eq!(info.claims.email.as_deref(), Some("alice@example.com"));

    let sent = &op.requests_to("/userinfo")[0];
    assert_eq!(sent.method, http::Method::POST);
    assert!(sent.header("authorization").is_none());
    assert_eq!(
        sent.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        sent.form(),
        vec![(
            "access_token".to_owned(),
            tokens.access_token().secret().to_owned()
        )]
    );
}

/// rp-userinfo-sig: a signed UserInfo response (`application/jwt`) is verified with the
/// provider's keys; a corrupted signature is rejected.
#[tokio::test]
async fn rp_userinfo_sig() {
    let op = op().await;
    op.set(|b| b.userinfo_signed = Some(Alg::Rs256));
    let client = client(&op).await;
    let tokens = try_code_flow(&op, &client, "profile").await.unwrap();
    let info = client
        .userinfo(&tokens)
        .require_signed()
        .send()
        .await
        .unwrap();
    assert_eq!(info.signing_alg, Some(JwsAlgorithm::RS256));
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(info.claims.name.as_deref(), Some("Alice Example"));

    op.set(|b| b.bad_signature = true);
    let err = client.userinfo(&tokens).send().await.unwrap_err();
    assert!(matches!(rule(err), ValidationError::Signature));
}

/// rp-claims_request-id_token: `name` asked for in the ID token with the `claims` request
/// parameter (OpenID Connect Core §5.5), in the code and implicit flows.
#[tokio::test]
async fn rp_claims_request_id_token() {
    let op = op().await;
    let client = client(&op).await;
    let request = json!({ "id_token": { "name": { "essential": true } } });
    let (url, pending) = client
        .authorization_request()
        .claims(&request)
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    let tokens = pending
        .callback(&response.redirect_url())
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    let sent: Value = serde_json::from_str(&op.authorization_requests()[0]["claims"]).unwrap();
    assert_eq!(sent, request);
    // Anything but a JSON object is refused before a request is made.
    let err = client
        .authorization_request()
        .claims(&json!(["name"]))
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        typed_oidc::Error::Config(typed_oidc::error::ConfigError::InvalidValue {
            what: "claims",
            ..
        })
    ));
    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(
        claims.get("name").and_then(Value::as_str),
        Some("Alice Example")
    );
    assert!(claims.get("email").is_none(), "only what was asked for");

    let (url, pending) = client.implicit_request().claims(&request).start().unwrap();
    let response = op.authorize(url.as_str());
    let verified = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();
    assert_eq!(
        verified.claims().get("name").and_then(Value::as_str),
        Some("Alice Example")
    );
}

/// rp-claims_request-userinfo: `name` asked for from UserInfo with the `claims` parameter
/// (scope `openid` only, so nothing else comes).
#[tokio::test]
async fn rp_claims_request_userinfo() {
    let op = op().await;
    let client = client(&op).await;
    let request = json!({ "userinfo": { "name": null } });
    let (url, pending) = client
        .authorization_request()
        .claims(&request)
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    let tokens = pending
        .callback(&response.redirect_url())
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    assert!(tokens.id_token_claims().unwrap().get("name").is_none());
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.name.as_deref(), Some("Alice Example"));
    assert_eq!(info.claims.email, None);
}

/// rp-claims-aggregated: the UserInfo response carries aggregated claims (`_claim_names`,
/// `_claim_sources` with a `JWT` from another claims provider, §5.6.2). typed-oidc accepts
/// the response and hands both members over untouched; it does not verify or merge the
/// aggregated JWT (only the application knows the claims provider's keys), which the
/// application can then do with `typed_oidc::jose`, as here.
#[tokio::test]
async fn rp_claims_aggregated() {
    let op = op().await;
    let claims_provider = SigningKey::generate_ec_p256().unwrap().with_kid("cp-1");
    let mut header = serde_json::Map::new();
    header.insert("typ".into(), "JWT".into());
    let aggregated = sign_compact(
        &claims_provider,
        JwsAlgorithm::ES256,
        header,
        json!({
            "iss": "https://claims.example",
            "sub": SUB,
            "address": { "country": "Wonderland" },
            "phone_number": "+1 555 0100",
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let jwt = aggregated.clone();
    op.set(|b| {
        b.userinfo_edit = Some(Arc::new(move |c| {
            c.insert(
                "_claim_names".into(),
                json!({ "address": "src1", "phone_number": "src1" }),
            );
            c.insert("_claim_sources".into(), json!({ "src1": { "JWT": jwt } }));
        }))
    });
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(
        info.claims.address, None,
        "not merged into the standard claims"
    );
    assert_eq!(
        info.claims.get("_claim_names"),
        Some(&json!({ "address": "src1", "phone_number": "src1" }))
    );
    let source = info.claims.get("_claim_sources").unwrap()["src1"]["JWT"]
        .as_str()
        .unwrap();
    assert_eq!(source, aggregated);

    // Understanding them: verify the claims provider's JWT and read the claims it names.
    let jws = Jws::parse(source).unwrap();
    claims_provider
        .public_key()
        .unwrap()
        .verify(
            JwsAlgorithm::ES256,
            jws.signing_input().as_bytes(),
            jws.signature(),
        )
        .unwrap();
    let agg: Value = serde_json::from_slice(jws.payload()).unwrap();
    assert_eq!(agg["address"]["country"], "Wonderland");
    assert_eq!(agg["phone_number"], "+1 555 0100");
}

/// rp-claims-distributed: the UserInfo response names claims held at another endpoint,
/// with an access token for it (§5.6.2). typed-oidc accepts the response and exposes the
/// references; it never fetches them by itself (that would send a bearer token to a URL
/// the response chose), and the distributed access token never shows in `Debug`.
#[tokio::test]
async fn rp_claims_distributed() {
    const SOURCE_TOKEN: &str = "distributed-source-token-SECRET-8d1f";
    let op = op().await;
    let endpoint = format!("{}/distributed-claims", op.issuer());
    let e = endpoint.clone();
    op.set(|b| {
        b.userinfo_edit = Some(Arc::new(move |c| {
            c.insert(
                "_claim_names".into(),
                json!({ "payment_info": "src1", "shipping_address": "src1" }),
            );
            c.insert(
                "_claim_sources".into(),
                json!({ "src1": { "endpoint": e, "access_token": SOURCE_TOKEN } }),
            );
        }))
    });
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(
        info.claims.get("_claim_names").unwrap()["payment_info"],
        "src1"
    );
    let source = &info.claims.get("_claim_sources").unwrap()["src1"];
    assert_eq!(source["endpoint"], endpoint.as_str());
    assert_eq!(source["access_token"], SOURCE_TOKEN);
    assert!(
        op.requests_to("/distributed-claims").is_empty(),
        "not fetched automatically"
    );
    let shown = format!("{info:?}");
    assert!(!shown.contains(SOURCE_TOKEN), "{shown}");
    assert!(shown.contains("_claim_sources"), "{shown}");
}
