//! Self-test of the test harness (`tests/support`) against the real test OpenID Provider
//! (`tests/provider/provider.mjs`). Every request here is built by hand, so these tests also
//! document how the provider behaves, for the engineers writing the crate's interop tests.

mod support;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use support::clients::*;
use support::net::{basic_auth, form_urlencode, get, get_json, post_form};
use support::{AuthorizationResult, TestProvider, UserAgent, user_agent_authorize};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A fixed RFC 7636 verifier (43 unreserved chars) and its S256 challenge.
fn pkce_pair() -> (String, String) {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned();
    let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
    // RFC 7636 Appendix B test vector.
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    (verifier, challenge)
}

fn authorize_url(op: &TestProvider, params: &[(&str, &str)]) -> String {
    format!("{}?{}", op.url("/auth"), form_urlencode(params))
}

/// The decoded payload of a compact JWS (no signature check: that is the crate's job).
fn jwt_payload(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).expect("a compact JWS");
    serde_json::from_slice(&B64URL.decode(payload).expect("base64url payload"))
        .expect("JSON payload")
}

fn jwt_header(jwt: &str) -> serde_json::Value {
    let header = jwt.split('.').next().expect("a compact JWS");
    serde_json::from_slice(&B64URL.decode(header).expect("base64url header")).expect("JSON header")
}

/// Authorization-code flow for the public PKCE client up to the code.
async fn public_pkce_code(
    op: &TestProvider,
    ua: &mut UserAgent,
    extra: &[(&str, &str)],
) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let mut params = vec![
        ("client_id", PUBLIC_PKCE_ID),
        ("response_type", "code"),
        ("scope", "openid"),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "state-123"),
        ("nonce", "nonce-456"),
    ];
    params.extend_from_slice(extra);
    let result = ua.navigate(&authorize_url(op, &params), REDIRECT_URI).await;
    assert_eq!(
        result.param("state").as_deref(),
        Some("state-123"),
        "{result:?}"
    );
    let code = result
        .param("code")
        .unwrap_or_else(|| panic!("no code in {result:?}"));
    (code, verifier)
}

#[tokio::test]
async fn discovery_and_jwks() {
    let op = support::shared();
    let config = get_json(&op.discovery_url()).await;
    assert_eq!(config["issuer"], op.issuer.as_str());
    assert_eq!(config["jwks_uri"], op.url("/jwks").as_str());
    assert_eq!(config["token_endpoint"], op.url("/token").as_str());
    assert_eq!(config["userinfo_endpoint"], op.url("/me").as_str());
    assert_eq!(
        config["end_session_endpoint"],
        op.url("/session/end").as_str()
    );
    assert_eq!(
        config["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    // RFC 9207: the provider adds `iss` to every authorization response.
    assert_eq!(
        config["authorization_response_iss_parameter_supported"],
        true
    );

    let jwks = get_json(&op.url("/jwks")).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["rsa1", "ec1", "ed1"]);
    for key in jwks["keys"].as_array().unwrap() {
        assert!(
            key.get("d").is_none(),
            "private key material published: {key}"
        );
    }
}

#[tokio::test]
async fn public_pkce_code_flow_and_token_exchange() {
    let op = support::shared();
    let (verifier, challenge) = pkce_pair();
    let url = authorize_url(
        op,
        &[
            ("client_id", PUBLIC_PKCE_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", "s1"),
            ("nonce", "n1"),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    let redirect = result.clone().redirect();
    assert!(redirect.starts_with("http://127.0.0.1/cb?"), "{redirect}");
    assert!(redirect.contains("code="), "{redirect}");
    assert_eq!(result.param("state").as_deref(), Some("s1"));
    assert_eq!(result.param("iss").as_deref(), Some(op.issuer.as_str()));
    let code = result.param("code").unwrap();

    let token_url = op.url("/token");
    let exchange = form_urlencode(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", PUBLIC_PKCE_ID),
        ("code_verifier", &verifier),
    ]);
    let response = post_form(&token_url, &[], &exchange).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let tokens = response.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["access_token"].is_string());
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let id_token = tokens["id_token"].as_str().expect("an id_token");
    assert_eq!(jwt_header(id_token)["kid"], "rsa1");
    let claims = jwt_payload(id_token);
    assert_eq!(claims["iss"], op.issuer.as_str());
    assert_eq!(claims["aud"], PUBLIC_PKCE_ID);
    assert_eq!(claims["sub"], DEFAULT_ACCOUNT);
    assert_eq!(claims["nonce"], "n1");

    // The access token works at userinfo.
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let userinfo = get(&op.url("/me"), &[("authorization", &bearer)]).await;
    assert_eq!(userinfo.status, 200, "{}", userinfo.body);
    assert_eq!(userinfo.json()["sub"], DEFAULT_ACCOUNT);

    // The code is single-use, and replaying it revokes what it produced.
    let replay = post_form(&token_url, &[], &exchange).await;
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
    let userinfo = get(&op.url("/me"), &[("authorization", &bearer)]).await;
    assert_eq!(userinfo.status, 401, "{}", userinfo.body);
}

#[tokio::test]
async fn public_client_without_pkce_is_refused() {
    let op = support::shared();
    let url = authorize_url(
        op,
        &[
            ("client_id", PUBLIC_PKCE_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s"),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    assert_eq!(
        result.param("error").as_deref(),
        Some("invalid_request"),
        "{result:?}"
    );
}

#[tokio::test]
async fn login_hint_deny_ends_in_access_denied() {
    let op = support::shared();
    let (_, challenge) = pkce_pair();
    let url = authorize_url(
        op,
        &[
            ("client_id", PUBLIC_PKCE_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", "s2"),
            ("login_hint", DENY_LOGIN_HINT),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    assert_eq!(
        result.param("error").as_deref(),
        Some("access_denied"),
        "{result:?}"
    );
    assert_eq!(
        result.param("error_description").as_deref(),
        Some("End-User denied the request")
    );
    assert_eq!(result.param("state").as_deref(), Some("s2"));
    assert!(result.param("code").is_none());
}

#[tokio::test]
async fn login_hint_picks_the_account() {
    let op = support::shared();
    let mut ua = UserAgent::new();
    let (code, verifier) = public_pkce_code(op, &mut ua, &[("login_hint", "bob")]).await;
    let response = post_form(
        &op.url("/token"),
        &[],
        &form_urlencode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", PUBLIC_PKCE_ID),
            ("code_verifier", &verifier),
        ]),
    )
    .await;
    assert_eq!(
        jwt_payload(response.json()["id_token"].as_str().unwrap())["sub"],
        "bob"
    );
}

#[tokio::test]
async fn offline_access_needs_prompt_consent_and_refresh_tokens_rotate() {
    let op = support::shared();
    let token_url = op.url("/token");
    let auth = basic_auth(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let code_for = |prompt: Option<&'static str>| {
        let mut params = vec![
            ("client_id", BASIC_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid offline_access"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s3"),
        ];
        if let Some(p) = prompt {
            params.push(("prompt", p));
        }
        authorize_url(op, &params)
    };
    let exchange = |code: String| {
        form_urlencode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
    };

    // Without prompt=consent the provider silently drops offline_access.
    let result = user_agent_authorize(&code_for(None), REDIRECT_URI).await;
    let tokens = post_form(
        &token_url,
        &[("authorization", &auth)],
        &exchange(result.param("code").unwrap()),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert!(
        tokens.json().get("refresh_token").is_none(),
        "{}",
        tokens.body
    );
    assert_eq!(tokens.json()["scope"], "openid");

    // With prompt=consent it is granted and a refresh token issued.
    let result = user_agent_authorize(&code_for(Some("consent")), REDIRECT_URI).await;
    let tokens = post_form(
        &token_url,
        &[("authorization", &auth)],
        &exchange(result.param("code").unwrap()),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let tokens = tokens.json();
    assert_eq!(tokens["scope"], "openid offline_access");
    let first = tokens["refresh_token"]
        .as_str()
        .expect("a refresh_token")
        .to_owned();

    // Refreshing rotates the refresh token...
    let refresh =
        |rt: &str| form_urlencode(&[("grant_type", "refresh_token"), ("refresh_token", rt)]);
    let refreshed = post_form(&token_url, &[("authorization", &auth)], &refresh(&first)).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let refreshed = refreshed.json();
    let second = refreshed["refresh_token"]
        .as_str()
        .expect("a rotated refresh_token")
        .to_owned();
    assert_ne!(first, second);
    assert!(
        refreshed["id_token"].is_string(),
        "refresh also returns an id_token"
    );

    // ...and replaying the rotated one fails and revokes the grant (the new one dies too).
    let replay = post_form(&token_url, &[("authorization", &auth)], &refresh(&first)).await;
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
    let after = post_form(&token_url, &[("authorization", &auth)], &refresh(&second)).await;
    assert_eq!(after.status, 400, "{}", after.body);
    assert_eq!(after.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn response_mode_form_post() {
    let op = support::shared();
    let url = authorize_url(
        op,
        &[
            ("client_id", BASIC_CLIENT_ID),
            ("response_type", "code"),
            ("response_mode", "form_post"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s&\"4"),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    assert!(
        matches!(result, AuthorizationResult::FormPost { .. }),
        "{result:?}"
    );
    assert!(result.param("code").is_some());
    assert_eq!(
        result.param("state").as_deref(),
        Some("s&\"4"),
        "HTML entities decoded"
    );
    assert_eq!(result.param("iss").as_deref(), Some(op.issuer.as_str()));
    let (action, _body) = result.form_post();
    assert_eq!(action, REDIRECT_URI);
}

#[tokio::test]
async fn unregistered_redirect_uri_ends_on_an_error_page() {
    let op = support::shared();
    let url = authorize_url(
        op,
        &[
            ("client_id", BASIC_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", "http://127.0.0.1/evil"),
        ],
    );
    match user_agent_authorize(&url, REDIRECT_URI).await {
        AuthorizationResult::Page { status, body, .. } => {
            assert_eq!(status, 400);
            let error: serde_json::Value =
                serde_json::from_str(&body).expect("renderError answers JSON");
            assert_eq!(error["error"], "invalid_redirect_uri");
        }
        other => panic!("expected the provider's error page, got {other:?}"),
    }
}

#[tokio::test]
async fn implicit_id_token_in_fragment() {
    let op = support::shared();
    let url = authorize_url(
        op,
        &[
            ("client_id", IMPLICIT_CLIENT_ID),
            ("response_type", "id_token"),
            ("scope", "openid email"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s5"),
            ("nonce", "n5"),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    let redirect = result.clone().redirect();
    assert!(redirect.starts_with("http://127.0.0.1/cb#"), "{redirect}");
    let claims = jwt_payload(&result.param("id_token").unwrap());
    assert_eq!(claims["nonce"], "n5");
    // No access token issued, so the scope's claims are in the ID token.
    assert_eq!(claims["email"], "alice@example.com");
}

#[tokio::test]
async fn password_grant_for_basic_client() {
    let op = support::shared();
    let body = form_urlencode(&[
        ("grant_type", "password"),
        ("username", PASSWORD_USERNAME),
        ("password", PASSWORD_PASSWORD),
        ("scope", "openid offline_access"),
    ]);
    let auth = basic_auth(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let response = post_form(&op.url("/token"), &[("authorization", &auth)], &body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let tokens = response.json();
    assert!(tokens["refresh_token"].is_string());
    assert_eq!(
        jwt_payload(tokens["id_token"].as_str().unwrap())["sub"],
        "alice"
    );

    let wrong = body.replace("wonderland", "nope");
    let response = post_form(&op.url("/token"), &[("authorization", &auth)], &wrong).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn client_credentials_with_resource_indicator() {
    let op = support::shared();
    let auth = basic_auth(CC_CLIENT_ID, CC_CLIENT_SECRET);
    let body = form_urlencode(&[
        ("grant_type", "client_credentials"),
        ("scope", API_SCOPES),
        ("resource", API_RESOURCE),
    ]);
    let response = post_form(&op.url("/token"), &[("authorization", &auth)], &body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let tokens = response.json();
    assert_eq!(tokens["scope"], API_SCOPES);
    let access_token = tokens["access_token"].as_str().unwrap();

    // Opaque token of urn:example:api: introspectable.
    let introspect = form_urlencode(&[("token", access_token)]);
    let response = post_form(
        &op.url("/token/introspection"),
        &[("authorization", &auth)],
        &introspect,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let info = response.json();
    assert_eq!(info["active"], true);
    assert_eq!(info["aud"], API_RESOURCE);
    assert_eq!(info["client_id"], CC_CLIENT_ID);

    // Revoke, then it is inactive.
    let response = post_form(
        &op.url("/token/revocation"),
        &[("authorization", &auth)],
        &introspect,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let response = post_form(
        &op.url("/token/introspection"),
        &[("authorization", &auth)],
        &introspect,
    )
    .await;
    assert_eq!(response.json()["active"], false);

    // Without a resource indicator the API scopes are not granted.
    let body = form_urlencode(&[("grant_type", "client_credentials"), ("scope", API_SCOPES)]);
    let response = post_form(&op.url("/token"), &[("authorization", &auth)], &body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.json().get("scope").is_none(), "{}", response.body);
}

#[tokio::test]
async fn rp_initiated_logout_with_the_same_user_agent() {
    let op = support::shared();
    let mut ua = UserAgent::new();
    let (code, verifier) = public_pkce_code(op, &mut ua, &[]).await;
    let tokens = post_form(
        &op.url("/token"),
        &[],
        &form_urlencode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", PUBLIC_PKCE_ID),
            ("code_verifier", &verifier),
        ]),
    )
    .await
    .json();
    let id_token = tokens["id_token"].as_str().unwrap();

    // The session cookie makes prompt=none succeed (SSO) in the same user agent.
    let (_, challenge) = pkce_pair();
    let silent = authorize_url(
        op,
        &[
            ("client_id", PUBLIC_PKCE_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("prompt", "none"),
        ],
    );
    let result = ua.navigate(&silent, REDIRECT_URI).await;
    assert!(result.param("code").is_some(), "{result:?}");

    let logout = format!(
        "{}?{}",
        op.url("/session/end"),
        form_urlencode(&[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", POST_LOGOUT_REDIRECT_URI),
            ("state", "bye"),
        ])
    );
    let result = ua.navigate(&logout, POST_LOGOUT_REDIRECT_URI).await;
    let redirect = result.clone().redirect();
    assert!(redirect.starts_with(POST_LOGOUT_REDIRECT_URI), "{redirect}");
    assert_eq!(result.param("state").as_deref(), Some("bye"));

    // Signed out: prompt=none now fails with login_required.
    let result = ua.navigate(&silent, REDIRECT_URI).await;
    assert_eq!(
        result.param("error").as_deref(),
        Some("login_required"),
        "{result:?}"
    );
}

#[tokio::test]
async fn device_authorization_grant() {
    let op = support::shared();
    let response = post_form(
        &op.url("/device/auth"),
        &[],
        &form_urlencode(&[("client_id", DEVICE_CLIENT_ID), ("scope", "openid")]),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let device = response.json();
    let complete = device["verification_uri_complete"].as_str().unwrap();
    let device_code = device["device_code"].as_str().unwrap();

    let poll = form_urlencode(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code),
        ("client_id", DEVICE_CLIENT_ID),
    ]);
    let pending = post_form(&op.url("/token"), &[], &poll).await;
    assert_eq!(pending.json()["error"], "authorization_pending");

    // The user opens verification_uri_complete: the confirm page auto-submits, login and
    // consent are scripted, and it ends on the success page.
    match user_agent_authorize(complete, "http://127.0.0.1/never").await {
        AuthorizationResult::Page {
            status: 200, body, ..
        } => assert!(body.contains("Device sign-in success"), "{body}"),
        other => panic!("expected the device success page, got {other:?}"),
    }
    let tokens = post_form(&op.url("/token"), &[], &poll).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert_eq!(
        jwt_payload(tokens.json()["id_token"].as_str().unwrap())["aud"],
        DEVICE_CLIENT_ID
    );
}

#[tokio::test]
async fn id_token_algorithms_per_client() {
    let op = support::shared();
    for (client, secret, alg, kid) in [
        (ES256_CLIENT_ID, ES256_CLIENT_SECRET, "ES256", Some("ec1")),
        (EDDSA_CLIENT_ID, EDDSA_CLIENT_SECRET, "EdDSA", Some("ed1")),
        (PS256_CLIENT_ID, PS256_CLIENT_SECRET, "PS256", Some("rsa1")),
    ] {
        let url = authorize_url(
            op,
            &[
                ("client_id", client),
                ("response_type", "code"),
                ("scope", "openid"),
                ("redirect_uri", REDIRECT_URI),
            ],
        );
        let code = user_agent_authorize(&url, REDIRECT_URI)
            .await
            .param("code")
            .unwrap();
        let response = post_form(
            &op.url("/token"),
            &[("authorization", &basic_auth(client, secret))],
            &form_urlencode(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ]),
        )
        .await;
        assert_eq!(response.status, 200, "{client}: {}", response.body);
        let header = jwt_header(response.json()["id_token"].as_str().unwrap());
        assert_eq!(header["alg"], alg, "{client}");
        assert_eq!(header["kid"].as_str(), kid, "{client}");
    }

    // HS256 (client_secret_post): MAC'd with the client secret, no kid.
    let url = authorize_url(
        op,
        &[
            ("client_id", HS256_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
        ],
    );
    let code = user_agent_authorize(&url, REDIRECT_URI)
        .await
        .param("code")
        .unwrap();
    let response = post_form(
        &op.url("/token"),
        &[],
        &form_urlencode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", HS256_CLIENT_ID),
            ("client_secret", HS256_CLIENT_SECRET),
        ]),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let header = jwt_header(response.json()["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "HS256");
    assert!(header.get("kid").is_none(), "{header}");
}

#[tokio::test]
async fn mounted_provider_under_a_path_prefix() {
    let op = TestProvider::start_with_mount("/oidc");
    assert!(op.issuer.ends_with("/oidc"), "{}", op.issuer);
    let config = get_json(&op.discovery_url()).await;
    assert_eq!(config["issuer"], op.issuer.as_str());
    assert_eq!(config["authorization_endpoint"], op.url("/auth").as_str());
    assert_eq!(config["jwks_uri"], op.url("/jwks").as_str());
    let outside = get(
        &format!("{}/.well-known/openid-configuration", op.origin),
        &[],
    )
    .await;
    assert_eq!(outside.status, 404);

    let mut ua = UserAgent::new();
    let (code, verifier) = public_pkce_code(&op, &mut ua, &[]).await;
    let response = post_form(
        &op.url("/token"),
        &[],
        &form_urlencode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", PUBLIC_PKCE_ID),
            ("code_verifier", &verifier),
        ]),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        jwt_payload(response.json()["id_token"].as_str().unwrap())["iss"],
        op.issuer.as_str()
    );
    assert!(
        ua.trace.iter().all(|hop| hop.contains("/oidc/")),
        "{:#?}",
        ua.trace
    );
}

// ---- the harness's own HTML/cookie helpers ------------------------------------------------------

#[test]
fn html_unescape_decodes_entities() {
    assert_eq!(
        support::html_unescape("a&amp;b&quot;c&#39;d&#x2F;e&lt;&gt;&unknown;&"),
        "a&b\"c'd/e<>&unknown;&"
    );
}

#[test]
fn auto_submit_form_is_parsed() {
    let html = r#"<form method="post" action="http://127.0.0.1/cb?x=1&amp;y=2">
    <input type="hidden" name="code" value="a&amp;b"/>
<input type="hidden" name="state" value="&#39;s&quot;"/>
    <noscript><button autofocus type="submit">Continue</button></noscript></form>
    <script>document.forms[0].submit()</script>"#;
    let form = support::auto_submit_form(html).expect("form");
    assert_eq!(form.action, "http://127.0.0.1/cb?x=1&y=2");
    assert_eq!(form.method, "post");
    assert_eq!(
        form.fields,
        vec![
            ("code".into(), "a&b".into()),
            ("state".into(), "'s\"".into())
        ]
    );
    assert!(
        support::auto_submit_form("<form action=x></form>").is_none(),
        "not auto-submitting"
    );
}

#[test]
fn cookie_jar_paths_and_deletion() {
    let at = |s: &str| url::Url::parse(s).unwrap();
    let u = at("http://127.0.0.1:9/auth/abc");
    let mut jar = support::CookieJar::default();
    jar.store(
        &u,
        "_interaction=1; path=/interaction/abc; httponly; samesite=lax",
    );
    jar.store(
        &u,
        "_session=s; path=/; expires=Wed, 01 Jan 2031 00:00:00 GMT",
    );
    jar.store(&u, "d=1");
    assert_eq!(
        jar.header_for(&at("http://127.0.0.1:9/interaction/abc"))
            .unwrap(),
        "_interaction=1; _session=s"
    );
    assert_eq!(
        jar.header_for(&at("http://127.0.0.1:9/interaction/abcd"))
            .unwrap(),
        "_session=s"
    );
    assert_eq!(
        jar.header_for(&at("http://127.0.0.1:9/auth/x")).unwrap(),
        "d=1; _session=s"
    );
    jar.store(
        &u,
        "_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT",
    );
    assert!(jar.header_for(&at("http://127.0.0.1:9/")).is_none());
    assert!(jar.header_for(&at("http://localhost:9/auth/x")).is_none());
}

#[tokio::test]
async fn hybrid_code_id_token_in_fragment() {
    let op = support::shared();
    let url = authorize_url(
        op,
        &[
            ("client_id", HYBRID_CLIENT_ID),
            ("response_type", "code id_token"),
            ("scope", "openid"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s6"),
            ("nonce", "n6"),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    assert!(
        result
            .clone()
            .redirect()
            .starts_with("http://127.0.0.1/cb#"),
        "{result:?}"
    );
    let code = result.param("code").expect("code");
    let claims = jwt_payload(&result.param("id_token").expect("id_token"));
    assert_eq!(claims["nonce"], "n6");
    // c_hash = base64url(left half of SHA-256(code)) for RS256.
    let digest = Sha256::digest(code.as_bytes());
    assert_eq!(claims["c_hash"], B64URL.encode(&digest[..16]).as_str());
}

#[tokio::test]
async fn jwt_userinfo_and_resource_bound_access_tokens() {
    let op = support::shared();
    let auth = basic_auth(JWT_USERINFO_CLIENT_ID, JWT_USERINFO_CLIENT_SECRET);
    let code_tokens = |resource: Option<&'static str>| {
        let auth = auth.clone();
        async move {
            let mut params = vec![
                ("client_id", JWT_USERINFO_CLIENT_ID),
                ("response_type", "code"),
                ("scope", "openid email api:read"),
                ("redirect_uri", REDIRECT_URI),
            ];
            if let Some(r) = resource {
                params.push(("resource", r));
            }
            let code = user_agent_authorize(&authorize_url(op, &params), REDIRECT_URI)
                .await
                .param("code")
                .unwrap();
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
            ];
            // With `openid` in scope the token endpoint issues a userinfo token unless the
            // resource is named again here (RFC 8707 §2.2).
            if let Some(r) = resource {
                form.push(("resource", r));
            }
            let body = form_urlencode(&form);
            let response = post_form(&op.url("/token"), &[("authorization", &auth)], &body).await;
            assert_eq!(response.status, 200, "{}", response.body);
            response.json()
        }
    };

    // No resource: an opaque access token for userinfo, which answers a signed JWT.
    let tokens = code_tokens(None).await;
    assert_eq!(
        tokens["scope"], "openid email",
        "API scopes need a resource: {tokens}"
    );
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let userinfo = get(&op.url("/me"), &[("authorization", &bearer)]).await;
    assert_eq!(userinfo.status, 200, "{}", userinfo.body);
    assert!(
        userinfo
            .header("content-type")
            .unwrap()
            .starts_with("application/jwt")
    );
    let claims = jwt_payload(&userinfo.body);
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["aud"], JWT_USERINFO_CLIENT_ID);

    // resource=urn:example:jwt-api: a JWT access token for the API, refused by userinfo and
    // not introspectable.
    let tokens = code_tokens(Some(JWT_API_RESOURCE)).await;
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(access_token)["typ"], "at+jwt");
    assert_eq!(jwt_payload(access_token)["aud"], JWT_API_RESOURCE);
    let bearer = format!("Bearer {access_token}");
    let userinfo = get(&op.url("/me"), &[("authorization", &bearer)]).await;
    assert_eq!(userinfo.status, 401, "{}", userinfo.body);
    let introspection = post_form(
        &op.url("/token/introspection"),
        &[("authorization", &auth)],
        &form_urlencode(&[("token", access_token)]),
    )
    .await;
    assert_eq!(introspection.status, 400, "{}", introspection.body);
    assert_eq!(introspection.json()["error"], "unsupported_token_type");
}

#[tokio::test]
async fn par_wants_client_id_in_the_body_even_with_basic_auth() {
    let op = support::shared();
    let auth = basic_auth(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let mut params = vec![
        ("response_type", "code"),
        ("scope", "openid"),
        ("redirect_uri", REDIRECT_URI),
    ];
    let response = post_form(
        &op.url("/request"),
        &[("authorization", &auth)],
        &form_urlencode(&params),
    )
    .await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(response.json()["error"], "invalid_request");

    params.push(("client_id", BASIC_CLIENT_ID));
    let response = post_form(
        &op.url("/request"),
        &[("authorization", &auth)],
        &form_urlencode(&params),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let request_uri = response.json()["request_uri"].as_str().unwrap().to_owned();
    let url = authorize_url(
        op,
        &[
            ("client_id", BASIC_CLIENT_ID),
            ("request_uri", &request_uri),
        ],
    );
    let result = user_agent_authorize(&url, REDIRECT_URI).await;
    assert!(result.param("code").is_some(), "{result:?}");
}
