//! Sans-IO behaviour of the code flow: PKCE, scope, authorization-URL building
//! (with proptest properties), callback parsing and token-response parsing.

use std::collections::HashMap;

use bytes::Bytes;
use proptest::prelude::*;
use typed_oidc::client_auth::basic_authorization;
use typed_oidc::error::{CallbackError, ConfigError, Error, ResponseError};
use typed_oidc::flow::{Prompt, ResponseMode};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::token::{TokenResponse, TokenType};
use typed_oidc::types::{CodeChallengeMethod, EndpointUrl};
use typed_oidc::*;

/// A transport that must never be called by these sans-IO tests.
#[derive(Clone)]
struct NoNetwork;

impl HttpClient for NoNetwork {
    async fn execute(
        &self,
        _: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        Err(TransportError::InvalidRequest(
            "no network in this test".into(),
        ))
    }
}

const ISSUER: &str = "https://op.example";

fn metadata(authz: &str) -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    md.authorization_endpoint = Some(EndpointUrl::new(authz).unwrap());
    md.token_endpoint = Some(EndpointUrl::new("https://op.example/token").unwrap());
    md
}

fn builder(authz: &str, iss_param: bool) -> (ClientBuilder<Public>, ProviderMetadata) {
    let mut md = metadata(authz);
    md.authorization_response_iss_parameter_supported = iss_param;
    let b = Client::builder(ClientId::new("client-1"))
        .redirect_uri(RedirectUrl::new("https://rp.example/cb?x=1").unwrap())
        .id_token_signing_algs(vec![typed_oidc::jose::JwsAlgorithm::RS256]);
    (b, md)
}

fn public_client(authz: &str, iss_param: bool) -> Client<NoNetwork, Public> {
    let (b, md) = builder(authz, iss_param);
    b.build(md, NoNetwork).unwrap()
}

fn confidential_client(authz: &str) -> Client<NoNetwork> {
    let (b, md) = builder(authz, false);
    b.client_secret(ClientSecret::new("s3cr3t"))
        .build(md, NoNetwork)
        .unwrap()
}

fn client() -> Client<NoNetwork, Public> {
    public_client("https://op.example/authorize", false)
}

fn query_map(url: &str) -> (Vec<(String, String)>, HashMap<String, String>) {
    let parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let map = pairs.iter().cloned().collect();
    (pairs, map)
}

#[test]
fn rfc7636_appendix_b_vector() {
    let verifier = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    assert_eq!(
        verifier.challenge(CodeChallengeMethod::S256).as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(
        verifier.challenge(CodeChallengeMethod::Plain).as_str(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
}

#[test]
fn code_verifier_syntax_is_enforced() {
    assert!(CodeVerifier::parse(&"a".repeat(42)).is_err());
    assert!(CodeVerifier::parse(&"a".repeat(43)).is_ok());
    assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
    assert!(CodeVerifier::parse(&"a".repeat(129)).is_err());
    assert!(CodeVerifier::parse(&format!("{}+", "a".repeat(43))).is_err());
    assert!(CodeVerifier::parse(&format!("{}é", "a".repeat(43))).is_err());
    let generated = CodeVerifier::generate();
    assert_eq!(generated.secret().len(), 43);
    assert!(CodeVerifier::parse(generated.secret()).is_ok());
    assert_ne!(
        generated.secret(),
        CodeVerifier::generate().secret(),
        "fresh randomness each time"
    );
    assert_eq!(format!("{generated:?}"), "CodeVerifier([redacted])");
}

#[test]
fn scope_is_ordered_deduplicated_and_validated() {
    let s = Scope::parse("openid  profile openid email").unwrap();
    assert_eq!(s.to_string(), "openid profile email");
    assert!(s.has_openid() && !s.has_offline_access());
    assert!(Scope::parse("openid bad\"quote").is_err());
    assert!(Scope::parse("tab\there").is_err());
    assert!(Scope::parse("offline_access").unwrap().has_offline_access());
}

#[test]
fn basic_auth_encodes_per_rfc6749_2_3_1() {
    // `:` in the secret must be form-encoded before base64 (RFC 6749 §2.3.1).
    let v = basic_authorization(&ClientId::new("APPID"), &ClientSecret::new("SEC:RET"));
    assert_eq!(v.to_str().unwrap(), "Basic QVBQSUQ6U0VDJTNBUkVU");
    assert!(v.is_sensitive());
}

#[test]
fn authorization_url_has_every_parameter_once() {
    let c = confidential_client("https://op.example/authorize?tenant=acme&x=1");
    let (url, pending) = c
        .authorization_request()
        .scope("profile email")
        .prompt(Prompt::Login)
        .prompt(Prompt::SelectAccount)
        .max_age(300)
        .login_hint("alice@example.com")
        .ui_locales("de fr")
        .acr_values("urn:mace:incommon:iap:silver")
        .response_mode(ResponseMode::FormPost)
        .extra("x", "override")
        .extra("audience", "api://default")
        .start()
        .unwrap();
    let (pairs, map) = query_map(url.as_str());
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let mut dedup = names.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(
        dedup.len(),
        names.len(),
        "a parameter is repeated: {names:?}"
    );
    assert_eq!(map["tenant"], "acme");
    assert_eq!(map["x"], "override");
    assert_eq!(map["response_type"], "code");
    assert_eq!(map["client_id"], "client-1");
    assert_eq!(map["redirect_uri"], "https://rp.example/cb?x=1");
    assert_eq!(map["scope"], "openid profile email");
    assert_eq!(map["prompt"], "login select_account");
    assert_eq!(map["max_age"], "300");
    assert_eq!(map["login_hint"], "alice@example.com");
    assert_eq!(map["ui_locales"], "de fr");
    assert_eq!(map["response_mode"], "form_post");
    assert_eq!(map["audience"], "api://default");
    assert_eq!(map["code_challenge_method"], "S256");
    assert_eq!(map["state"], pending.state().secret());
    assert_eq!(map["nonce"], pending.nonce().unwrap().secret());
    assert_eq!(map["code_challenge"].len(), 43);
    assert!(
        !format!("{url:?}").contains(pending.state().secret()),
        "Debug of the URL hides state"
    );
}

#[test]
fn offline_access_adds_scope_and_prompt_consent() {
    let (url, pending) = client()
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let (_, map) = query_map(url.as_str());
    assert_eq!(map["scope"], "openid offline_access");
    assert_eq!(map["prompt"], "consent");
    assert!(pending.scope().has_offline_access());
}

#[test]
fn builder_refuses_invalid_combinations() {
    let c = client();
    let err = c
        .authorization_request()
        .scope("offline_access")
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { what: "scope", .. })
    ));
    let err = c
        .authorization_request()
        .extra("state", "x")
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { .. })
    ));
    let err = c
        .authorization_request()
        .prompt(Prompt::None)
        .prompt(Prompt::Login)
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { what: "prompt", .. })
    ));
    // A public client must use PKCE.
    let err = c
        .authorization_request()
        .without_pkce()
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::InvalidValue { what: "pkce", .. })
    ));
    // A confidential client may turn it off.
    let conf = confidential_client("https://op.example/authorize");
    let (url, _) = conf.authorization_request().without_pkce().start().unwrap();
    assert!(!url.as_str().contains("code_challenge"));
}

#[test]
fn callback_accepts_matching_state_and_returns_code() {
    let (_, pending) = client().authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback(&format!("https://rp.example/cb?x=1&code=abc&state={state}"))
        .unwrap();
    assert_eq!(received.code().secret(), "abc");
    // A framework often hands over only the path and query.
    let (_, pending) = client().authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    assert!(
        pending
            .callback(&format!("/cb?code=abc&state={state}"))
            .is_ok()
    );
}

#[test]
fn callback_rejects_state_mismatch_and_missing_state() {
    let (_, pending) = client().authorization_request().start().unwrap();
    let err = pending
        .callback("https://rp.example/cb?code=abc&state=forged")
        .unwrap_err();
    assert!(matches!(err, Error::Callback(CallbackError::StateMismatch)));
    let (_, pending) = client().authorization_request().start().unwrap();
    let err = pending
        .callback("https://rp.example/cb?code=abc")
        .unwrap_err();
    assert!(matches!(err, Error::Callback(CallbackError::StateMissing)));
}

#[test]
fn callback_rejects_repeated_parameters() {
    let (_, pending) = client().authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let err = pending
        .callback(&format!(
            "https://rp.example/cb?code=a&code=b&state={state}"
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Callback(CallbackError::RepeatedParameter(p)) if p == "code"));
}

#[test]
fn callback_error_response_is_typed_provider_error() {
    let (_, pending) = client().authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let err = pending
        .callback(&format!(
            "https://rp.example/cb?error=access_denied&error_description=User+said+no&error_uri=https%3A%2F%2Fop.example%2Fe&state={state}"
        ))
        .unwrap_err();
    let Error::Provider(p) = err else {
        panic!("expected provider error, got {err:?}")
    };
    assert_eq!(p.error, "access_denied");
    assert_eq!(p.error_description.as_deref(), Some("User said no"));
    assert_eq!(p.error_uri.as_deref(), Some("https://op.example/e"));
    assert_eq!(p.status, None);
}

#[test]
fn rfc9207_iss_is_checked_and_required_when_advertised() {
    let c = public_client("https://op.example/authorize", true);
    let (_, pending) = c.authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let err = pending
        .callback(&format!("https://rp.example/cb?code=a&state={state}"))
        .unwrap_err();
    assert!(matches!(err, Error::Callback(CallbackError::IssuerMissing)));

    let (_, pending) = c.authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let err = pending
        .callback(&format!(
            "https://rp.example/cb?code=a&state={state}&iss=https%3A%2F%2Fevil.example"
        ))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Callback(CallbackError::IssuerMismatch { .. })
    ));

    let (_, pending) = c.authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    assert!(
        pending
            .callback(&format!(
                "https://rp.example/cb?code=a&state={state}&iss=https%3A%2F%2Fop.example"
            ))
            .is_ok()
    );

    // Not advertised: a wrong iss is still refused (mix-up), absence is fine.
    let (_, pending) = client().authorization_request().start().unwrap();
    let state = pending.state().secret().to_owned();
    let err = pending
        .callback(&format!(
            "https://rp.example/cb?code=a&state={state}&iss=https%3A%2F%2Fevil.example"
        ))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Callback(CallbackError::IssuerMismatch { .. })
    ));
}

#[test]
fn fragment_and_form_post_modes_read_the_right_place() {
    let (_, pending) = client()
        .authorization_request()
        .response_mode(ResponseMode::Fragment)
        .start()
        .unwrap();
    let state = pending.state().secret().to_owned();
    assert!(
        pending
            .callback(&format!("https://rp.example/cb#code=abc&state={state}"))
            .is_ok()
    );

    let (_, pending) = client()
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback_form(format!("code=xyz&state={state}").as_bytes())
        .unwrap();
    assert_eq!(received.code().secret(), "xyz");

    let (_, pending) = client()
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    assert!(matches!(
        pending
            .callback("https://rp.example/cb?code=a")
            .unwrap_err(),
        Error::Callback(CallbackError::Malformed(_))
    ));
}

#[test]
fn pending_survives_a_session_round_trip() {
    let (_, pending) = client()
        .authorization_request()
        .offline_access()
        .start()
        .unwrap();
    let state = pending.state().secret().to_owned();
    let stored = serde_json::to_string(&pending).unwrap();
    let restored: Pending<Offline, Pkce> = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored.state().secret(), state);
    assert!(
        restored
            .callback(&format!("https://rp.example/cb?code=c&state={state}"))
            .is_ok()
    );
    // A PKCE flow cannot be restored without its verifier.
    let mut v: serde_json::Value = serde_json::from_str(&stored).unwrap();
    v["pkce"].as_object_mut().unwrap().remove("code_verifier");
    assert!(serde_json::from_value::<Pending<Offline, Pkce>>(v).is_err());
}

#[test]
fn token_request_carries_code_redirect_and_verifier() {
    let c = confidential_client("https://op.example/authorize");
    let (url, pending) = c.authorization_request().start().unwrap();
    let (_, map) = query_map(url.as_str());
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback(&format!(
            "https://rp.example/cb?code=the-code&state={state}"
        ))
        .unwrap();
    let req = received.token_request(&c).unwrap();
    assert_eq!(req.method(), ::http::Method::POST);
    assert_eq!(req.uri(), "https://op.example/token");
    let body: HashMap<String, String> = url::form_urlencoded::parse(req.body())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["code"], "the-code");
    assert_eq!(body["redirect_uri"], "https://rp.example/cb?x=1");
    let verifier = CodeVerifier::parse(&body["code_verifier"]).unwrap();
    assert_eq!(
        verifier.challenge(CodeChallengeMethod::S256).as_str(),
        map["code_challenge"]
    );
    assert!(
        req.headers()[::http::header::AUTHORIZATION]
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
    assert!(!body.contains_key("client_secret"));
}

fn response(status: u16, content_type: &str, body: &str) -> ::http::Response<Bytes> {
    ::http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[test]
fn token_response_tolerates_string_expires_in_and_case() {
    let r = TokenResponse::from_response(&response(
        201,
        "application/json; charset=utf-8",
        r#"{"access_token":"at","token_type":"bearer","expires_in":"3600","refresh_token":"rt","scope":"openid email","custom":1}"#,
    ))
    .unwrap();
    assert_eq!(r.token_type, TokenType::Bearer);
    assert_eq!(r.expires_in, Some(std::time::Duration::from_secs(3600)));
    assert_eq!(r.refresh_token.unwrap().secret(), "rt");
    assert_eq!(r.extra["custom"], 1);
    assert_eq!(
        TokenResponse::from_json(br#"{"access_token":"a","token_type":"BEARER","expires_in":60}"#)
            .unwrap()
            .token_type,
        TokenType::Bearer
    );
}

#[test]
fn token_error_and_malformed_responses_are_typed() {
    let err = TokenResponse::from_response(&response(
        400,
        "application/json",
        r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
    ))
    .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.error == "invalid_grant" && p.status == Some(400))
    );

    let err = TokenResponse::from_response(&response(502, "text/html", "<html>bad gateway</html>"))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::UnexpectedStatus { status: 502, .. })
    ));

    let err = TokenResponse::from_response(&response(200, "text/html", "{}")).unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::ContentType { .. })
    ));

    let err = TokenResponse::from_response(&response(
        200,
        "application/json",
        r#"{"access_token":"super-secret-value","token_type":7}"#,
    ))
    .unwrap_err();
    assert!(matches!(err, Error::Response(ResponseError::Json { .. })));
    assert!(!err.to_string().contains("super-secret-value"));

    let err = TokenResponse::from_response(&response(
        200,
        "application/json",
        r#"{"token_type":"Bearer"}"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::Invalid { .. })
    ));

    let err = TokenResponse::from_json(
        br#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Response(ResponseError::Json { .. })));

    let err = TokenResponse::from_json(
        br#"{"access_token":"a","token_type":"Bearer","expires_in":"soon"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Response(ResponseError::Json { .. })));
}

#[test]
fn discovery_urls_follow_both_specs() {
    let i = IssuerUrl::new("https://op.example/tenant/a").unwrap();
    assert_eq!(
        i.openid_configuration_url().as_str(),
        "https://op.example/tenant/a/.well-known/openid-configuration"
    );
    assert_eq!(
        i.oauth_authorization_server_url().as_str(),
        "https://op.example/.well-known/oauth-authorization-server/tenant/a"
    );
    assert!(
        IssuerUrl::new("http://op.example").is_err(),
        "plain http only on loopback"
    );
    assert!(IssuerUrl::new("http://127.0.0.1:8080").is_ok());
    assert!(IssuerUrl::new("https://op.example?x=1").is_err());
    assert!(RedirectUrl::new("https://rp.example/cb#frag").is_err());
}

fn param_value() -> impl Strategy<Value = String> {
    // Arbitrary Unicode, including characters that must be percent-encoded.
    proptest::collection::vec(any::<char>(), 0..24).prop_map(|v| v.into_iter().collect())
}

fn param_name() -> impl Strategy<Value = String> {
    "[a-z_]{1,12}".prop_filter("not a flow parameter", |n| {
        ![
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
            "scope",
            "login_hint",
        ]
        .contains(&n.as_str())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For arbitrary (non-ASCII included) values and endpoints that already carry a
    /// query, the built URL parses back to exactly the parameters set, each once,
    /// plus the endpoint's own query.
    #[test]
    fn built_url_round_trips(
        base_query in proptest::collection::btree_map("[a-z]{1,6}", "[a-zA-Z0-9 %/&=é]{0,8}", 0..4),
        extras in proptest::collection::btree_map(param_name(), param_value(), 0..6),
        hint in param_value(),
    ) {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &base_query { ser.append_pair(k, v); }
        let q = ser.finish();
        let endpoint = if q.is_empty() { "https://op.example/authorize".to_owned() } else { format!("https://op.example/authorize?{q}") };
        let c = public_client(&endpoint, false);
        let mut req = c.authorization_request().login_hint(hint.clone());
        for (k, v) in &extras { req = req.extra(k.clone(), v.clone()); }
        let (url, pending) = req.start().unwrap();
        let (pairs, map) = query_map(url.as_str());
        let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        let total = names.len();
        names.sort();
        names.dedup();
        prop_assert_eq!(names.len(), total, "repeated parameter in {}", url.as_str());
        for (k, v) in &extras { prop_assert_eq!(&map[k], v); }
        for (k, v) in &base_query {
            if !extras.contains_key(k) && !is_flow_param(k) && k != "login_hint" { prop_assert_eq!(&map[k], v); }
        }
        prop_assert_eq!(&map["login_hint"], &hint);
        prop_assert_eq!(&map["state"], pending.state().secret());
        prop_assert_eq!(&map["client_id"], "client-1");
        let expected: usize = base_query.keys().filter(|k| !extras.contains_key(*k) && !["login_hint"].contains(&k.as_str()) && !is_flow_param(k)).count()
            + extras.len() + 8 /* response_type client_id redirect_uri scope state nonce code_challenge method */ + 1 /* login_hint */;
        prop_assert_eq!(total, expected);
    }
}

fn is_flow_param(k: &str) -> bool {
    [
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "scope",
    ]
    .contains(&k)
}
