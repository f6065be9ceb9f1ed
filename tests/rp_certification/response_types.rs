//! Response types, response modes, scope and nonce (certification groups "Response Type and
//! Response Mode", "scope Request Parameter", "nonce Request Parameter").

use sha2::{Digest, Sha256};
use typed_oidc::error::ProviderError;
use typed_oidc::error::ValidationError;
use typed_oidc::flow::ResponseMode;
use typed_oidc::jose::b64;
use typed_oidc::{Error, HybridResponseType};

use crate::common::*;

/// rp-response_type-code: an authentication request with `response_type=code`; the code is
/// exchanged (with the PKCE verifier) and the ID token from the token endpoint accepted.
#[tokio::test]
async fn rp_response_type_code() {
    let op = op().await;
    let client = client(&op).await;
    let tokens = code_flow(&op, &client).await;

    let auth = &op.authorization_requests()[0];
    assert_eq!(auth["response_type"], "code");
    assert_eq!(auth["redirect_uri"], REDIRECT_URI);
    assert_eq!(auth["scope"], "openid");
    assert_eq!(auth["code_challenge_method"], "S256");
    assert!(
        !auth.contains_key("response_mode"),
        "code uses the default query mode"
    );

    let token_requests = op.requests_to("/token");
    assert_eq!(token_requests.len(), 1);
    let sent = &token_requests[0];
    assert_eq!(sent.method, http::Method::POST);
    assert_eq!(
        sent.param("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(sent.param("redirect_uri").as_deref(), Some(REDIRECT_URI));
    assert!(sent.param("code").unwrap().starts_with("code-"));
    let verifier = sent.param("code_verifier").unwrap();
    let challenge = b64::encode(&Sha256::digest(verifier.as_bytes()));
    assert_eq!(
        auth["code_challenge"], challenge,
        "the verifier of the challenge was sent"
    );

    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.sub, SUB);
    assert_eq!(claims.iss, op.issuer());
    assert_eq!(claims.aud, vec![CLIENT_ID.to_owned()]);
    assert_eq!(claims.nonce.as_deref(), Some(auth["nonce"].as_str()));
    assert!(tokens.access_token().secret().starts_with("at-"));
}

/// rp-response_type-id_token: the implicit flow with `response_type=id_token`, answered in the
/// fragment; the ID token is validated and nothing is sent to the token endpoint.
#[tokio::test]
async fn rp_response_type_id_token() {
    let op = op().await;
    let client = client(&op).await;
    let (url, pending) = client.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    assert_eq!(response.mode, "fragment");
    let nonce = pending.nonce().unwrap().secret().to_owned();
    let verified = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();

    let auth = &op.authorization_requests()[0];
    assert_eq!(auth["response_type"], "id_token");
    assert!(!auth.contains_key("code_challenge"), "no code, no PKCE");
    assert_eq!(verified.claims().sub, SUB);
    assert_eq!(verified.claims().nonce.as_deref(), Some(nonce.as_str()));
    assert_eq!(
        verified.id_token().secret(),
        response.param("id_token").unwrap()
    );
    assert!(op.requests_to("/token").is_empty());
}

/// rp-response_type-id_token+token: implicit `id_token token`; the access token comes in the
/// fragment, bound to the ID token by `at_hash`.
#[tokio::test]
async fn rp_response_type_id_token_token() {
    let op = op().await;
    let client = client(&op).await;
    let (url, pending) = client
        .implicit_request()
        .with_access_token()
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    let tokens = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();

    assert_eq!(
        op.authorization_requests()[0]["response_type"],
        "id_token token"
    );
    assert_eq!(
        tokens.access_token().secret(),
        response.param("access_token").unwrap()
    );
    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.sub, SUB);
    assert!(claims.at_hash.is_some());
    assert!(tokens.expires_at().is_some());
    assert!(op.requests_to("/token").is_empty());
}

/// What a hybrid flow yielded: the front-channel response, its validated ID-token claims and
/// access token, and the tokens of the exchange.
struct Hybrid {
    response: AuthResponse,
    front_claims: Option<typed_oidc::IdTokenClaims>,
    front_access_token: Option<String>,
    tokens: typed_oidc::Tokens,
}

/// Runs a hybrid flow end to end.
async fn hybrid(op: &HostileOp, response_type: HybridResponseType) -> Hybrid {
    let client = client(op).await;
    let (url, pending) = client
        .authorization_request()
        .start_hybrid(response_type)
        .unwrap();
    let response = op.authorize(url.as_str());
    assert_eq!(response.mode, "fragment");
    let received = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();
    assert_eq!(Some(received.code().secret()), response.param("code"));
    let front_claims = received.front_channel_claims().cloned();
    let front_access_token = received
        .front_channel_access_token()
        .map(|t| t.secret().to_owned());
    assert!(
        op.requests_to("/token").is_empty(),
        "nothing sent before the exchange"
    );
    let tokens = received.exchange(&client).await.unwrap();
    Hybrid {
        response,
        front_claims,
        front_access_token,
        tokens,
    }
}

/// rp-response_type-code+id_token: hybrid; the front-channel ID token (with `c_hash`) is
/// validated, then the code is exchanged.
#[tokio::test]
async fn rp_response_type_code_id_token() {
    let op = op().await;
    let h = hybrid(&op, HybridResponseType::CodeIdToken).await;
    let front = h.front_claims.unwrap();
    assert_eq!(front.sub, SUB);
    assert!(front.c_hash.is_some());
    assert!(h.front_access_token.is_none());
    assert!(h.response.param("access_token").is_none());
    assert_eq!(h.tokens.id_token_claims().unwrap().sub, SUB);
    assert_eq!(
        op.authorization_requests()[0]["response_type"],
        "code id_token"
    );
    assert_eq!(op.requests_to("/token").len(), 1);
}

/// rp-response_type-code+token: hybrid with a front-channel access token and no
/// front-channel ID token; the code is exchanged for the ID token.
#[tokio::test]
async fn rp_response_type_code_token() {
    let op = op().await;
    let h = hybrid(&op, HybridResponseType::CodeToken).await;
    assert!(h.front_claims.is_none());
    assert!(h.response.param("id_token").is_none());
    assert_eq!(
        h.front_access_token.as_deref(),
        h.response.param("access_token")
    );
    assert_eq!(h.tokens.id_token_claims().unwrap().sub, SUB);
    assert_eq!(
        op.authorization_requests()[0]["response_type"],
        "code token"
    );
}

/// rp-response_type-code+id_token+token: hybrid with all three; `c_hash` and `at_hash` bind
/// the code and the access token to the front-channel ID token.
#[tokio::test]
async fn rp_response_type_code_id_token_token() {
    let op = op().await;
    let h = hybrid(&op, HybridResponseType::CodeIdTokenToken).await;
    let front = h.front_claims.unwrap();
    assert!(front.c_hash.is_some() && front.at_hash.is_some());
    assert!(h.front_access_token.is_some());
    assert_eq!(
        h.front_access_token.as_deref(),
        h.response.param("access_token")
    );
    assert_eq!(h.tokens.id_token_claims().unwrap().sub, SUB);
    assert_eq!(
        op.authorization_requests()[0]["response_type"],
        "code id_token token"
    );
}

/// rp-response_mode-form_post: `response_mode=form_post`; the response arrives as a POSTed
/// form body (code flow and implicit flow).
#[tokio::test]
async fn rp_response_mode_form_post() {
    let op = op().await;
    let client = client(&op).await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    assert_eq!(response.mode, "form_post");
    let tokens = pending
        .callback_form(&response.form_body())
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    assert_eq!(op.authorization_requests()[0]["response_mode"], "form_post");
    assert_eq!(tokens.id_token_claims().unwrap().sub, SUB);

    let (url, pending) = client
        .implicit_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    let verified = pending
        .callback_form(&client, &response.form_body())
        .await
        .unwrap();
    assert_eq!(verified.claims().sub, SUB);
}

/// rp-response_mode-form_post-error: an error response POSTed with `form_post` becomes the
/// provider's error, typed.
#[tokio::test]
async fn rp_response_mode_form_post_error() {
    let op = op().await;
    let client = client(&op).await;
    let (url, pending) = client
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let response = op.authorize_error(url.as_str(), "access_denied", "The user said no");
    let err = pending.callback_form(&response.form_body()).unwrap_err();
    match err {
        Error::Provider(ProviderError {
            error,
            error_description,
            status,
            ..
        }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(error_description.as_deref(), Some("The user said no"));
            assert_eq!(status, None, "it came in a redirect, not an HTTP response");
        }
        other => panic!("expected Error::Provider, got {other:?}"),
    }
    assert!(op.requests_to("/token").is_empty());
}

/// rp-scope-userinfo-claims: `scope=openid profile email`; the claims come from UserInfo, or
/// in the ID token when no access token is issued (`response_type=id_token`).
#[tokio::test]
async fn rp_scope_userinfo_claims() {
    let op = op().await;
    let client = client(&op).await;
    let tokens = try_code_flow(&op, &client, "profile email").await.unwrap();
    assert_eq!(
        op.authorization_requests()[0]["scope"],
        "openid profile email"
    );
    let info = client.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), SUB);
    assert_eq!(info.claims.name.as_deref(), Some("Alice Example"));
    assert_eq!(info.claims.given_name.as_deref(), Some("Alice"));
    assert_eq!(info.claims.email.as_deref(), Some("alice@example.com"));
    assert_eq!(info.claims.email_verified, Some(true));

    let (url, pending) = client
        .implicit_request()
        .scope("profile email")
        .start()
        .unwrap();
    let response = op.authorize(url.as_str());
    let verified = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();
    let claims = verified.claims();
    assert_eq!(
        claims.get("name").and_then(|v| v.as_str()),
        Some("Alice Example")
    );
    assert_eq!(
        claims.get("email").and_then(|v| v.as_str()),
        Some("alice@example.com")
    );
}

/// rp-nonce-invalid: the ID token carries another nonce than the one sent: rejected, in the
/// code flow (token endpoint) and in the implicit flow.
#[tokio::test]
async fn rp_nonce_invalid() {
    let op = op().await;
    op.set(|b| {
        b.id_token_edit = Some(std::sync::Arc::new(|_, c| {
            c.insert("nonce".into(), "a-nonce-from-another-request".into());
        }))
    });
    let client = client(&op).await;
    let err = code_flow_error(&op, &client).await;
    assert!(matches!(rule(err), ValidationError::NonceMismatch));

    let (url, pending) = client.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    let err = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap_err();
    assert!(matches!(rule(err), ValidationError::NonceMismatch));
}

/// rp-nonce-unless-code-flow: implicit and hybrid requests always carry a nonce, and the ID
/// token must return it; a token without it is rejected.
#[tokio::test]
async fn rp_nonce_unless_code_flow() {
    let op = op().await;
    let client = client(&op).await;
    let (url, pending) = client.implicit_request().start().unwrap();
    let sent = pending.nonce().unwrap().secret().to_owned();
    let response = op.authorize(url.as_str());
    let verified = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap();
    assert_eq!(op.authorization_requests()[0]["nonce"], sent);
    assert_eq!(verified.claims().nonce.as_deref(), Some(sent.as_str()));

    let (url, pending) = client
        .authorization_request()
        .start_hybrid(HybridResponseType::CodeIdToken)
        .unwrap();
    let sent = pending.nonce().unwrap().secret().to_owned();
    let response = op.authorize(url.as_str());
    let tokens = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    assert_eq!(op.authorization_requests()[1]["nonce"], sent);
    assert_eq!(
        tokens.id_token_claims().unwrap().nonce.as_deref(),
        Some(sent.as_str())
    );

    // The provider drops the nonce: refused.
    op.set(|b| {
        b.id_token_edit = Some(std::sync::Arc::new(|_, c| {
            c.remove("nonce");
        }))
    });
    let (url, pending) = client.implicit_request().start().unwrap();
    let response = op.authorize(url.as_str());
    let err = pending
        .callback(&client, &response.redirect_url())
        .await
        .unwrap_err();
    assert!(matches!(rule(err), ValidationError::NonceMissing));
}
