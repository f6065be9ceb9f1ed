//! The GenAuth/Authing presets: the SDK's documented samples reproduced, every preset
//! operation checked on the wire against a local capture server, and the OIDC preset's
//! full code + PKCE flow against the real test provider mounted at `/oidc` (HS256 ID token
//! verified with the client secret).

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use typed_oidc::client_auth::basic_authorization;
use typed_oidc::error::{ConfigError, ResponseError};
use typed_oidc::genauth::{GenAuth, TokenValidation, ValidateToken};
use typed_oidc::http::HyperClient;
use typed_oidc::*;

const HOST: &str = "https://oidc1.authing.cn";
const APP_ID: &str = "5f17a529f64fb009b794a2ff";
const SECRET: &str = "app-secret-0123456789";

fn sample_app() -> GenAuth {
    GenAuth::new(HOST, APP_ID)
        .unwrap()
        .app_secret(ClientSecret::new(SECRET))
        .redirect_uri(RedirectUrl::new("https://baidu.com").unwrap())
}

fn params(url: &str) -> BTreeSet<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn base(url: &str) -> &str {
    url.split('?').next().unwrap()
}

// ---- documented samples ------------------------------------------------------------------

#[test]
fn oauth_authorize_sample_has_the_same_parameter_set() {
    let oauth = sample_app().oauth(HyperClient::new().unwrap()).unwrap();
    let (url, _pending) = oauth
        .authorization_request()
        .without_pkce()
        .state(State::new("7400704296715694"))
        .start()
        .unwrap();
    let sample = "https://oidc1.authing.cn/oauth/auth?state=7400704296715694&scope=user&client_id=5f17a529f64fb009b794a2ff&redirect_uri=https%3A%2F%2Fbaidu.com&response_type=code";
    assert_eq!(base(url.as_str()), base(sample));
    assert_eq!(params(url.as_str()), params(sample));
}

#[test]
fn oauth_token_response_type_and_its_fragment() {
    let oauth = sample_app().oauth(HyperClient::new().unwrap()).unwrap();
    let (url, pending) = oauth.token_request(Some(State::new("s1")), None).unwrap();
    let p = params(url.as_str());
    assert!(p.contains(&("response_type".into(), "token".into())));
    assert!(p.contains(&("scope".into(), "user".into())));
    assert!(!p.iter().any(|(k, _)| k == "nonce" || k == "code_challenge"));
    let tokens = pending
        .callback(
            &oauth,
            "https://baidu.com/#access_token=AT&token_type=Bearer&expires_in=3600&state=s1",
        )
        .unwrap();
    assert_eq!(tokens.access_token().secret(), "AT");
    let (_, pending) = oauth.token_request(Some(State::new("s1")), None).unwrap();
    assert!(
        pending
            .callback(
                &oauth,
                "https://baidu.com/#access_token=AT&token_type=Bearer&state=x"
            )
            .is_err()
    );
}

#[test]
fn saml_sample_and_easy_logout() {
    let saml = sample_app().saml();
    assert_eq!(
        saml.login_url().as_str(),
        "https://oidc1.authing.cn/api/v2/saml-idp/5f17a529f64fb009b794a2ff"
    );
    // The SDK interpolates the redirect raw; here it is encoded (same parameter value).
    let logout = saml.logout_url(Some(&RedirectUrl::new("https://authing.cn").unwrap()));
    assert_eq!(
        logout.as_str(),
        "https://oidc1.authing.cn/login/profile/logout?redirect_uri=https%3A%2F%2Fauthing.cn"
    );
    assert_eq!(
        params(logout.as_str()),
        params("https://oidc1.authing.cn/login/profile/logout?redirect_uri=https://authing.cn")
    );
    assert_eq!(
        saml.logout_url(None).as_str(),
        "https://oidc1.authing.cn/login/profile/logout"
    );
}

#[test]
fn oidc_authorize_with_offline_access_carries_prompt_consent() {
    let oidc = sample_app().oidc(HyperClient::new().unwrap()).unwrap();
    let (url, _pending) = oidc
        .authorization_request_with_scope("profile")
        .offline_access()
        .without_pkce()
        .response_mode(flow::ResponseMode::Query)
        .state(State::new("7400704296715694"))
        .nonce(Nonce::new("5485323897342262"))
        .start()
        .unwrap();
    // Python order (wire doc §4 item 4) and the JS-generated docs sample: same set.
    let sample = "https://oidc1.authing.cn/oidc/auth?nonce=5485323897342262&state=7400704296715694&scope=openid+profile+offline_access&client_id=5f17a529f64fb009b794a2ff&redirect_uri=https%3A%2F%2Fbaidu.com&response_type=code&response_mode=query&prompt=consent";
    assert_eq!(base(url.as_str()), base(sample));
    assert_eq!(params(url.as_str()), params(sample));
}

#[test]
fn oidc_default_scope_and_pkce_rfc7636_vector() {
    let oidc = sample_app().oidc(HyperClient::new().unwrap()).unwrap();
    let verifier = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    assert_eq!(
        verifier.challenge(CodeChallengeMethod::S256).as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let (url, _pending) = oidc
        .authorization_request()
        .code_verifier(verifier)
        .start()
        .unwrap();
    let p = params(url.as_str());
    for (k, v) in [
        ("scope", "openid profile email phone address"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ] {
        assert!(p.contains(&(k.into(), v.into())), "{k} in {p:?}");
    }
    // CSPRNG state and nonce: 32 bytes base64url, not 10 lowercase letters.
    let state = &p.iter().find(|(k, _)| k == "state").unwrap().1;
    assert_eq!(state.len(), 43);
    // Hybrid response types come from the generic machinery.
    let (url, _p) = oidc
        .authorization_request()
        .start_hybrid(HybridResponseType::CodeIdTokenToken)
        .unwrap();
    assert!(url.as_str().contains("response_type=code+id_token+token"));
}

#[test]
fn basic_header_follows_rfc6749() {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64, so the `:` in the
    // secret becomes %3A (the SDK sends base64("APPID:SEC:RET") = QVBQSUQ6U0VDOlJFVA==).
    let value = basic_authorization(&ClientId::new("APPID"), &ClientSecret::new("SEC:RET"));
    assert_eq!(value.to_str().unwrap(), "Basic QVBQSUQ6U0VDJTNBUkVU");
}

#[test]
fn app_host_and_app_id_are_checked_and_encoded() {
    assert!(GenAuth::new("oidc1.authing.cn", APP_ID).is_err());
    assert!(GenAuth::new("https://h.example?x=1", APP_ID).is_err());
    assert!(GenAuth::new(HOST, "").is_err());
    let app = GenAuth::new("https://h.example/", "a/b?c").unwrap();
    assert_eq!(
        app.saml().login_url().as_str(),
        "https://h.example/api/v2/saml-idp/a%2Fb%3Fc"
    );
    // No secret: the token-bearing presets refuse to build.
    assert!(app.oidc(HyperClient::new().unwrap()).is_err());
    let md = sample_app().oidc_metadata().unwrap();
    assert_eq!(md.issuer.as_str(), "https://oidc1.authing.cn/oidc");
    assert_eq!(
        md.jwks_uri.unwrap().as_str(),
        "https://oidc1.authing.cn/oidc/.well-known/jwks.json"
    );
    assert_eq!(
        md.end_session_endpoint.unwrap().as_str(),
        "https://oidc1.authing.cn/oidc/session/end"
    );
}

#[test]
fn expert_logout_url() {
    let oidc = sample_app().oidc(HyperClient::new().unwrap()).unwrap();
    let url = oidc
        .logout_request()
        .id_token_hint(IdToken::new("IDTOKEN"))
        .post_logout_redirect_uri(RedirectUrl::new("http://localhost:3000").unwrap())
        .build()
        .unwrap();
    let sample = "https://oidc1.authing.cn/oidc/session/end?id_token_hint=IDTOKEN&post_logout_redirect_uri=http://localhost:3000";
    assert_eq!(base(url.as_str()), base(sample));
    let got = params(url.as_str());
    for pair in params(sample) {
        assert!(got.contains(&pair), "{pair:?} in {got:?}");
    }
}

// ---- capture server ----------------------------------------------------------------------

#[derive(Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn form(&self) -> BTreeSet<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

fn form(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Serves one canned answer per connection on 127.0.0.1, then stops by itself (or after
/// 20 s); returns the origin and what it saw.
async fn capture(
    answers: Vec<(u16, &'static str, String)>,
) -> (String, tokio::task::JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        let serve = async {
            for (status, content_type, answer) in answers {
                let (mut sock, _) = listener.accept().await.unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "connection closed early");
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap().split(' ');
                let method = first.next().unwrap().to_owned();
                let target = first.next().unwrap().to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "body truncated");
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
                seen.push(Seen {
                    method,
                    target,
                    headers,
                    body,
                });
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len(),
                );
                sock.write_all(reply.as_bytes()).await.unwrap();
                let _ = sock.shutdown().await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(20), serve).await;
        seen
    });
    (origin, task)
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

fn local_app(origin: &str) -> GenAuth {
    GenAuth::new(origin, "app1")
        .unwrap()
        .app_secret(ClientSecret::new("s3cret:x"))
        .redirect_uri(RedirectUrl::new("http://127.0.0.1/cb").unwrap())
}

/// Asserts the client authentication of a captured form POST.
fn assert_auth(seen: &Seen, method: AuthMethod, id: &str, secret: &str) {
    let body = seen.form();
    match method {
        AuthMethod::ClientSecretPost => {
            assert!(seen.header("authorization").is_none(), "{seen:?}");
            assert!(body.contains(&("client_id".into(), id.into())), "{seen:?}");
            assert!(
                body.contains(&("client_secret".into(), secret.into())),
                "{seen:?}"
            );
        }
        AuthMethod::ClientSecretBasic => {
            let expected = basic_authorization(&ClientId::new(id), &ClientSecret::new(secret));
            assert_eq!(
                seen.header("authorization"),
                expected.to_str().ok(),
                "{seen:?}"
            );
            assert!(!body.iter().any(|(k, _)| k == "client_secret"), "{seen:?}");
        }
        AuthMethod::None => {
            assert!(seen.header("authorization").is_none(), "{seen:?}");
            assert!(body.contains(&("client_id".into(), id.into())), "{seen:?}");
            assert!(!body.iter().any(|(k, _)| k == "client_secret"), "{seen:?}");
        }
        other => panic!("not tested: {other:?}"),
    }
}

#[tokio::test]
async fn oauth_code_exchange_and_refresh_on_the_wire() {
    for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
        let (origin, server) = capture(vec![
            (
                200,
                JSON,
                r#"{"access_token":"AT1","token_type":"Bearer","expires_in":1209599,"refresh_token":"RT1","scope":"user offline_access"}"#.into(),
            ),
            (
                200,
                JSON,
                r#"{"access_token":"AT2","token_type":"Bearer","expires_in":"3600"}"#.into(),
            ),
        ])
        .await;
        let oauth = local_app(&origin)
            .token_endpoint_auth_method(method)
            .oauth(HyperClient::new().unwrap())
            .unwrap();
        let (url, pending) = oauth
            .authorization_request()
            .offline_access()
            .start()
            .unwrap();
        assert!(url.as_str().starts_with(&format!("{origin}/oauth/auth?")));
        assert!(!url.as_str().contains("nonce="));
        let state = pending.state().secret().to_owned();
        let received = pending
            .callback(&format!("http://127.0.0.1/cb?code=C1&state={state}"))
            .unwrap();
        let tokens = oauth.exchange(received).await.unwrap();
        assert_eq!(tokens.refresh_token().secret(), "RT1");
        let refreshed = oauth.refresh(&tokens).await.unwrap();
        assert_eq!(refreshed.access_token().secret(), "AT2");
        assert_eq!(refreshed.refresh_token().secret(), "RT1");

        let seen = server.await.unwrap();
        assert_eq!(seen.len(), 2);
        for s in &seen {
            assert_eq!(
                (s.method.as_str(), s.target.as_str()),
                ("POST", "/oauth/token")
            );
            assert_eq!(s.header("content-type"), Some(FORM));
            assert_auth(s, method, "app1", "s3cret:x");
        }
        let code = seen[0].form();
        for pair in form(&[
            ("grant_type", "authorization_code"),
            ("code", "C1"),
            ("redirect_uri", "http://127.0.0.1/cb"),
        ]) {
            assert!(code.contains(&pair), "{pair:?} in {code:?}");
        }
        assert!(
            code.iter()
                .any(|(k, v)| k == "code_verifier" && v.len() == 43)
        );
        let refresh = seen[1].form();
        for pair in form(&[("grant_type", "refresh_token"), ("refresh_token", "RT1")]) {
            assert!(refresh.contains(&pair), "{pair:?} in {refresh:?}");
        }
    }
}

#[tokio::test]
async fn oidc_endpoints_on_the_wire() {
    for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
        let (origin, server) = capture(vec![
            (200, JSON, r#"{"sub":"u1","name":"Alice","email":null}"#.into()),
            (
                200,
                JSON,
                r#"{"active":true,"sub":"u1","client_id":"app1","scope":"openid","token_type":"Bearer"}"#.into(),
            ),
            (200, "text/plain", String::new()),
            (400, JSON, r#"{"error":"invalid_client"}"#.into()),
            (200, JSON, r#"{"sub":"u1","aud":"app1","iss":"x"}"#.into()),
            (200, JSON, r#"{"code":400,"message":"id_token 不合法"}"#.into()),
            (
                200,
                JSON,
                r#"{"access_token":"M2M","token_type":"Bearer","expires_in":7200,"scope":"api"}"#.into(),
            ),
        ])
        .await;
        // The token endpoint keeps the default (post); the other two use `method`.
        let oidc = local_app(&origin)
            .introspection_endpoint_auth_method(method)
            .revocation_endpoint_auth_method(method)
            .token_endpoint_auth_method(AuthMethod::ClientSecretBasic)
            .oidc(HyperClient::new().unwrap())
            .unwrap();
        let at = AccessToken::new("AT a&b");
        let info = oidc
            .userinfo_for_subject(&at, &SubjectId::new("u1"))
            .send()
            .await
            .unwrap();
        assert_eq!(info.claims.sub.as_str(), "u1");
        let intro = oidc
            .introspect(&at)
            .token_type_hint(TokenTypeHint::AccessToken)
            .send()
            .await
            .unwrap();
        assert!(intro.is_active());
        oidc.revoke(&at).send().await.unwrap();
        let refused = oidc.revoke(&at).send().await.unwrap_err();
        assert!(matches!(refused, Error::Provider(ref e) if e.error == "invalid_client"));
        let id = IdToken::new("h.p&x=1.s");
        match oidc
            .validate_token(ValidateToken::IdToken(&id))
            .await
            .unwrap()
        {
            TokenValidation::Valid(claims) => assert_eq!(claims["sub"], "u1"),
            other => panic!("{other:?}"),
        }
        match oidc
            .validate_token(ValidateToken::AccessToken(&at))
            .await
            .unwrap()
        {
            TokenValidation::Invalid { code, message } => {
                assert_eq!(code, Some(400));
                assert_eq!(message, "id_token 不合法");
            }
            other => panic!("{other:?}"),
        }
        let m2m = oidc
            .access_key_client(ClientId::new("AK"), ClientSecret::new("SK"))
            .unwrap();
        let tokens = m2m.client_credentials().scope("api").send().await.unwrap();
        assert_eq!(tokens.access_token().secret(), "M2M");

        let seen = server.await.unwrap();
        assert_eq!(seen.len(), 7);
        // UserInfo: POST /oidc/me, Bearer header, empty body.
        assert_eq!(
            (seen[0].method.as_str(), seen[0].target.as_str()),
            ("POST", "/oidc/me")
        );
        assert_eq!(seen[0].header("authorization"), Some("Bearer AT a&b"));
        assert_eq!(seen[0].body, "");
        // Introspection and revocation with their own auth method.
        assert_eq!(
            (seen[1].method.as_str(), seen[1].target.as_str()),
            ("POST", "/oidc/token/introspection")
        );
        assert!(seen[1].form().contains(&("token".into(), "AT a&b".into())));
        assert!(
            seen[1]
                .form()
                .contains(&("token_type_hint".into(), "access_token".into()))
        );
        for s in &seen[1..4] {
            assert_eq!(s.header("content-type"), Some(FORM));
            assert_auth(s, method, "app1", "s3cret:x");
        }
        for s in &seen[2..4] {
            assert_eq!(
                (s.method.as_str(), s.target.as_str()),
                ("POST", "/oidc/token/revocation")
            );
            assert!(s.form().contains(&("token".into(), "AT a&b".into())));
        }
        // validate_token: GET, value encoded (the SDK leaks `&` into the query).
        assert_eq!(seen[4].method, "GET");
        assert_eq!(
            seen[4].target,
            "/api/v2/oidc/validate_token?id_token=h.p%26x%3D1.s"
        );
        assert!(seen[4].header("authorization").is_none());
        assert_eq!(
            seen[5].target,
            "/api/v2/oidc/validate_token?access_token=AT+a%26b"
        );
        // Client credentials: AK/SK in the body although the app uses Basic.
        assert_eq!(
            (seen[6].method.as_str(), seen[6].target.as_str()),
            ("POST", "/oidc/token")
        );
        assert!(seen[6].header("authorization").is_none());
        let body = seen[6].form();
        for pair in form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "AK"),
            ("client_secret", "SK"),
            ("scope", "api"),
        ]) {
            assert!(body.contains(&pair), "{pair:?} in {body:?}");
        }
    }
}

#[tokio::test]
async fn http_status_is_checked() {
    let (origin, server) = capture(vec![
        (500, "text/html", "<html>oops</html>".into()),
        (502, JSON, r#"{"unexpected":true}"#.into()),
    ])
    .await;
    let oidc = local_app(&origin)
        .oidc(HyperClient::new().unwrap())
        .unwrap();
    let at = AccessToken::new("AT");
    let revoke = oidc.revoke(&at).send().await.unwrap_err();
    assert!(
        matches!(
            revoke,
            Error::Response(ResponseError::UnexpectedStatus { status: 500, .. })
        ),
        "{revoke:?}"
    );
    let check = oidc
        .validate_token(ValidateToken::AccessToken(&at))
        .await
        .unwrap_err();
    assert!(
        matches!(
            check,
            Error::Response(ResponseError::UnexpectedStatus { status: 502, .. })
        ),
        "{check:?}"
    );
    server.await.unwrap();
}

/// A public app (token endpoint auth method `none`): `client_id` and the PKCE verifier,
/// never a secret, at the token, introspection and revocation endpoints; and a
/// confidential app whose introspection and revocation are set to `none`.
#[tokio::test]
async fn public_app_and_auth_method_none_on_the_wire() {
    let (origin, server) = capture(vec![
        (
            200,
            JSON,
            r#"{"access_token":"AT1","token_type":"Bearer","expires_in":60,"refresh_token":"RT1"}"#
                .into(),
        ),
        (
            200,
            JSON,
            r#"{"access_token":"AT2","token_type":"Bearer","expires_in":60}"#.into(),
        ),
        (200, JSON, r#"{"active":false}"#.into()),
        (200, "text/plain", String::new()),
        (200, JSON, r#"{"sub":"u1"}"#.into()),
        (200, JSON, r#"{"active":true,"sub":"u1"}"#.into()),
        (200, "text/plain", String::new()),
    ])
    .await;
    // `app_secret` is given but a public preset never sends it.
    let app = local_app(&origin);
    let oauth = app.public_oauth(HyperClient::new().unwrap()).unwrap();
    let (url, pending) = oauth
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    assert!(url.as_str().contains("code_challenge_method=S256"));
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback(&format!("http://127.0.0.1/cb?code=C1&state={state}"))
        .unwrap();
    let tokens = oauth.exchange(received).await.unwrap();
    let refreshed = oauth.refresh(&tokens).await.unwrap();
    assert_eq!(refreshed.access_token().secret(), "AT2");
    let inactive = oauth
        .introspect(refreshed.refresh_token())
        .send()
        .await
        .unwrap();
    assert!(!inactive.is_active());

    let public_oidc = app.public_oidc(HyperClient::new().unwrap()).unwrap();
    assert_eq!(public_oidc.client().auth().method(), AuthMethod::None);
    public_oidc
        .revoke(refreshed.access_token())
        .send()
        .await
        .unwrap();
    let info = public_oidc
        .userinfo_for_subject(refreshed.access_token(), &SubjectId::new("u1"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.claims.sub.as_str(), "u1");

    let confidential = app
        .introspection_endpoint_auth_method(AuthMethod::None)
        .revocation_endpoint_auth_method(AuthMethod::None)
        .oidc(HyperClient::new().unwrap())
        .unwrap();
    let at = AccessToken::new("AT3");
    assert!(
        confidential
            .introspect(&at)
            .send()
            .await
            .unwrap()
            .is_active()
    );
    confidential.revoke(&at).send().await.unwrap();

    let seen = server.await.unwrap();
    assert_eq!(seen.len(), 7);
    let targets: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.target.as_str()))
        .collect();
    assert_eq!(
        targets,
        [
            ("POST", "/oauth/token"),
            ("POST", "/oauth/token"),
            ("POST", "/oauth/token/introspection"),
            ("POST", "/oidc/token/revocation"),
            ("POST", "/oidc/me"),
            ("POST", "/oidc/token/introspection"),
            ("POST", "/oidc/token/revocation"),
        ]
    );
    for (i, s) in seen.iter().enumerate() {
        if i == 4 {
            assert_eq!(s.header("authorization"), Some("Bearer AT2"));
            continue;
        }
        assert_eq!(s.header("content-type"), Some(FORM), "{s:?}");
        assert_auth(s, AuthMethod::None, "app1", "s3cret:x");
        assert!(!s.body.contains("s3cret"), "{s:?}");
    }
    let code = seen[0].form();
    for pair in form(&[
        ("grant_type", "authorization_code"),
        ("code", "C1"),
        ("redirect_uri", "http://127.0.0.1/cb"),
    ]) {
        assert!(code.contains(&pair), "{pair:?} in {code:?}");
    }
    assert!(
        code.iter()
            .any(|(k, v)| k == "code_verifier" && v.len() == 43)
    );
    assert!(
        seen[1]
            .form()
            .contains(&("refresh_token".into(), "RT1".into()))
    );
    assert!(seen[2].form().contains(&("token".into(), "RT1".into())));
    assert!(seen[3].form().contains(&("token".into(), "AT2".into())));
    assert!(seen[6].form().contains(&("token".into(), "AT3".into())));
}

#[test]
fn public_presets_verify_id_tokens_with_the_jwks_only() {
    let app = sample_app();
    let oidc = app.public_oidc(HyperClient::new().unwrap()).unwrap();
    assert_eq!(oidc.client().auth().method(), AuthMethod::None);
    assert!(oidc.client().auth().client_secret().is_none());
    assert_eq!(
        oidc.client().id_token_validator().allowed_algs(),
        [typed_oidc::jose::JwsAlgorithm::RS256]
    );
    // The confidential preset keeps GenAuth's default HS256 with the app secret.
    let confidential = app.oidc(HyperClient::new().unwrap()).unwrap();
    assert_eq!(
        confidential.client().id_token_validator().allowed_algs(),
        [typed_oidc::jose::JwsAlgorithm::HS256]
    );
    // No app secret is needed for a public app.
    let no_secret = GenAuth::new(HOST, APP_ID).unwrap();
    assert!(no_secret.public_oidc(HyperClient::new().unwrap()).is_ok());
    assert!(matches!(
        no_secret.oidc(HyperClient::new().unwrap()).unwrap_err(),
        Error::Config(ConfigError::MissingCredential(_))
    ));
}

// ---- the real provider under /oidc -------------------------------------------------------

#[tokio::test]
async fn oidc_preset_full_flow_against_the_provider_mounted_at_oidc() {
    use support::clients::*;
    let op = support::TestProvider::start_with_mount("/oidc");
    let app = GenAuth::new(&op.origin, HS256_CLIENT_ID)
        .unwrap()
        .app_secret(ClientSecret::new(HS256_CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap());
    // Metadata built without network has the provider's issuer …
    let oidc = app.oidc(HyperClient::new().unwrap()).unwrap();
    assert_eq!(oidc.client().metadata().issuer.as_str(), op.issuer);
    // … and discovery finds the same one.
    let discovered = app
        .discover_oidc(HyperClient::new().unwrap())
        .await
        .unwrap();
    assert_eq!(discovered.client().metadata().issuer.as_str(), op.issuer);

    let (url, pending) = oidc
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    assert!(url.as_str().contains("prompt=consent"));
    let redirect = support::user_agent_authorize(url.as_str(), REDIRECT_URI)
        .await
        .redirect();
    let received = pending.callback(&redirect).unwrap();
    let tokens = oidc.exchange(received).await.unwrap();

    // The ID token is HS256, verified with the client secret (no JWKS fetch).
    let id_token = tokens.id_token().unwrap().secret().to_owned();
    let header = id_token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.sub, DEFAULT_ACCOUNT);
    assert_eq!(claims.iss, op.issuer);

    let info = oidc.userinfo(&tokens).send().await.unwrap();
    assert_eq!(info.claims.sub.as_str(), DEFAULT_ACCOUNT);
    let intro = oidc.introspect(tokens.access_token()).send().await.unwrap();
    assert!(intro.is_active());
    let refreshed = oidc.refresh(&tokens).await.unwrap();
    oidc.revoke(refreshed.refresh_token()).send().await.unwrap();
    let after = oidc
        .introspect(refreshed.refresh_token())
        .send()
        .await
        .unwrap();
    assert!(!after.is_active());
}

// ---- CAS preset --------------------------------------------------------------------------

#[test]
fn cas_preset_urls() {
    let cas = sample_app().cas(HyperClient::new().unwrap()).unwrap();
    assert_eq!(
        cas.login_url("https://baidu.com/a?b=c").unwrap(),
        "https://oidc1.authing.cn/cas-idp/5f17a529f64fb009b794a2ff/login?service=https%3A%2F%2Fbaidu.com%2Fa%3Fb%3Dc"
    );
    assert_eq!(
        cas.logout_url(Some("https://baidu.com")),
        "https://oidc1.authing.cn/cas-idp/5f17a529f64fb009b794a2ff/logout?service=https%3A%2F%2Fbaidu.com"
    );
}

#[tokio::test]
async fn cas_preset_validates_tickets_v1_v2_v3_on_the_wire() {
    let v2 = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>alice</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
    let v3 = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">not recognized</cas:authenticationFailure></cas:serviceResponse>"#;
    let (origin, server) = capture(vec![
        (200, "text/plain", "yes\nalice\n".into()),
        (200, "text/xml", v2.into()),
        (200, "text/xml", v3.into()),
    ])
    .await;
    let cas = local_app(&origin).cas(HyperClient::new().unwrap()).unwrap();
    let ticket = typed_oidc::cas::CasTicket::new("ST-1-abc");
    let service = "https://app.example/cb";
    let one = cas.validate_ticket_v1(&ticket, service).await.unwrap();
    assert!(matches!(one, typed_oidc::cas::CasOutcome::Success(ref s) if s.user == "alice"));
    let two = cas.validate_ticket_v2(&ticket, service).await.unwrap();
    assert!(matches!(two, typed_oidc::cas::CasOutcome::Success(ref s) if s.user == "alice"));
    let three = cas.validate_ticket_v3(&ticket, service).await.unwrap();
    assert!(
        matches!(three, typed_oidc::cas::CasOutcome::Failure(ref f) if f.code == "INVALID_TICKET")
    );
    let seen = server.await.unwrap();
    let paths: Vec<&str> = seen
        .iter()
        .map(|s| s.target.split('?').next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/cas-idp/app1/validate",
            "/cas-idp/app1/serviceValidate",
            "/cas-idp/app1/p3/serviceValidate"
        ]
    );
    for s in &seen {
        assert_eq!(s.method, "GET");
        let query = s.target.split_once('?').unwrap().1;
        let q: BTreeSet<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(q, form(&[("service", service), ("ticket", "ST-1-abc")]));
    }
}
