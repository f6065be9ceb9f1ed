//! Malformed responses, callbacks, configuration, discovery, device and CAS errors.

use super::*;

// ---- malformed responses ---------------------------------------------------------------------

#[tokio::test]
async fn response_errors_carry_no_secret() {
    for (label, body) in [
        (
            "expires_in string",
            json!({"access_token": ACCESS, "token_type": "Bearer", "expires_in": REFRESH}),
        ),
        (
            "token_type number",
            json!({"access_token": ACCESS, "token_type": 7, "refresh_token": REFRESH}),
        ),
        (
            "access_token array",
            json!({"access_token": [ACCESS], "token_type": "Bearer"}),
        ),
        (
            "refresh_token number",
            json!({"access_token": ACCESS, "token_type": "Bearer", "refresh_token": 5}),
        ),
        (
            "missing token_type",
            json!({"access_token": ACCESS, "refresh_token": REFRESH}),
        ),
        (
            "missing access_token",
            json!({"token_type": "Bearer", "refresh_token": REFRESH}),
        ),
        (
            "bad scope",
            json!({"access_token": ACCESS, "token_type": "Bearer", "scope": format!("a \"{REFRESH}\\")}),
        ),
        (
            "id_token number",
            json!({"access_token": ACCESS, "token_type": "Bearer", "id_token": 1}),
        ),
    ] {
        leak_check!(
            label,
            TokenResponse::from_json(body.to_string().as_bytes()),
            Error::Response(ResponseError::Json { .. } | ResponseError::Invalid { .. })
        );
    }
    for (label, body) in [
        (
            "truncated",
            format!(r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}"#),
        ),
        (
            "duplicate",
            format!(
                r#"{{"access_token":"{ACCESS}","access_token":"{REFRESH}","token_type":"Bearer"}}"#
            ),
        ),
        (
            "trailing",
            format!(r#"{{"access_token":"{ACCESS}","token_type":"Bearer"}} {REFRESH}"#),
        ),
        (
            "bad escape",
            format!(r#"{{"access_token":"{ACCESS}\q{REFRESH}","token_type":"Bearer"}}"#),
        ),
    ] {
        leak_check!(
            label,
            TokenResponse::from_json(body.as_bytes()),
            Error::Response(ResponseError::Json { .. } | ResponseError::Invalid { .. })
        );
    }
    // Through an endpoint: a non-JSON error page and a 500 echoing the code.
    let key = signing_key();
    let html = format!("<html>code {CODE} secret {CLIENT_SECRET}</html>");
    for (label, response, expect_status) in [
        (
            "html 200",
            reply(200, Some("text/html"), html.clone()),
            false,
        ),
        (
            "html 500",
            reply(500, Some("text/html"), html.clone()),
            true,
        ),
        (
            "json 200 wrong shape",
            reply(
                200,
                Some("application/json"),
                format!(r#"{{"sub":["{ACCESS}"],"active":"{REFRESH}"}}"#),
            ),
            false,
        ),
    ] {
        let response_clone = response.clone();
        let (_, client) = provider(&key, None, move |_| response_clone.clone());
        let access = AccessToken::new(ACCESS);
        let e = leak_check!(
            format!("userinfo {label}"),
            client
                .userinfo_for_subject(&access, &SubjectId::new(SUB))
                .send()
                .await,
            Error::Response(_) | Error::Validation(ValidationError::MissingClaim("sub"))
        );
        assert_eq!(
            matches!(e, Error::Response(ResponseError::UnexpectedStatus { .. })),
            expect_status,
            "{label}: {e:?}"
        );
        leak_check!(
            format!("introspection {label}"),
            client.introspect(&access).send().await,
            Error::Response(_)
        );
    }
}

// ---- callbacks -------------------------------------------------------------------------------

#[test]
fn callback_errors_carry_no_secret() {
    let mock = Mock::new(|_| reply(500, None, ""));
    let mut md = metadata();
    let client = builder().build(md.clone(), mock.clone()).unwrap();
    let pending = || {
        client
            .authorization_request()
            .state(State::new(STATE))
            .nonce(Nonce::new(NONCE))
            .start()
            .unwrap()
            .1
    };
    let other_state = "other-LEAKCANARY-state";
    for (label, url) in [
        ("malformed", format!("not a url {CODE} {STATE}")),
        (
            "state missing",
            format!("https://rp.example/cb?code={CODE}"),
        ),
        (
            "state mismatch",
            format!("https://rp.example/cb?code={CODE}&state={other_state}"),
        ),
        (
            "repeated",
            format!("https://rp.example/cb?code={CODE}&code={ACCESS}&state={STATE}"),
        ),
        (
            "missing code",
            format!("https://rp.example/cb?state={STATE}"),
        ),
        (
            "issuer mismatch",
            format!("https://rp.example/cb?code={CODE}&state={STATE}&iss=https://evil.example"),
        ),
    ] {
        leak_check!(label, pending().callback(&url), Error::Callback(_));
    }
    for (label, body) in [
        (
            "form state mismatch",
            format!("code={CODE}&state={other_state}"),
        ),
        (
            "form repeated",
            format!("code={CODE}&state={STATE}&state={other_state}"),
        ),
        ("form malformed", format!("code={CODE}&state=%FF{STATE}")),
    ] {
        let e = match pending().callback_form(body.as_bytes()) {
            Ok(_) => panic!("{label} accepted"),
            Err(e) => e,
        };
        assert!(matches!(e, Error::Callback(_)), "{label}: {e:?}");
        error_free(label, &e, &[]);
    }
    // Not produced by any code path today (the callback's own URL is not compared):
    // constructed.
    error_free(
        "RedirectMismatch",
        &Error::Callback(CallbackError::RedirectMismatch),
        &[],
    );
    // RFC 9207: the provider advertises `iss`, the callback has none.
    md.authorization_response_iss_parameter_supported = true;
    let client = builder().build(md, mock).unwrap();
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .start()
        .unwrap();
    leak_check!(
        "issuer missing",
        pending.callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}")),
        Error::Callback(CallbackError::IssuerMissing)
    );
}

// ---- configuration, discovery, device, CAS ---------------------------------------------------

#[tokio::test]
async fn configuration_and_discovery_errors_carry_no_secret() {
    leak_check!(
        "issuer with query",
        IssuerUrl::new(&format!(
            "https://op.example/?client_secret={CLIENT_SECRET}"
        )),
        ConfigError::InvalidUrl { .. }
    );
    leak_check!(
        "issuer with credentials and bad scheme",
        IssuerUrl::new(&format!("ftp://{CLIENT_ID}:{CLIENT_SECRET}@op.example")),
        ConfigError::InvalidUrl { .. }
    );
    leak_check!(
        "redirect with fragment",
        RedirectUrl::new(&format!("https://rp.example/cb#{CODE}")),
        ConfigError::InvalidUrl { .. }
    );
    leak_check!(
        "endpoint unparsable",
        EndpointUrl::new(&format!("https://[{ACCESS}]/token")),
        ConfigError::InvalidUrl { .. }
    );
    leak_check!(
        "verifier syntax",
        CodeVerifier::parse(&format!("{VERIFIER}!")),
        ConfigError::InvalidValue { .. }
    );
    leak_check!(
        "GenAuth host",
        GenAuth::new(&format!("https://tenant.example/?k={CLIENT_SECRET}"), "app"),
        ConfigError::InvalidUrl { .. }
    );
    // A flow parameter the flow owns, overridden with a secret.
    let mock = Mock::new(|_| reply(500, None, ""));
    let client = builder().build(metadata(), mock.clone()).unwrap();
    leak_check!(
        "extra overriding state",
        client.authorization_request().extra("state", STATE).start(),
        Error::Config(ConfigError::InvalidValue { .. })
    );
    // Unsupported endpoint, missing credential, PAR required.
    let mut md = metadata();
    md.userinfo_endpoint = None;
    md.require_pushed_authorization_requests = true;
    let bare = builder().build(md.clone(), mock.clone()).unwrap();
    let access = AccessToken::new(ACCESS);
    leak_check!(
        "userinfo unsupported",
        bare.userinfo_for_subject(&access, &SubjectId::new(SUB))
            .send()
            .await,
        Error::Config(ConfigError::UnsupportedByProvider(_))
    );
    leak_check!(
        "PAR required",
        bare.authorization_request()
            .state(State::new(STATE))
            .start(),
        Error::Config(ConfigError::PushedAuthorizationRequired)
    );
    leak_check!(
        "missing credential",
        Client::builder(ClientId::new(CLIENT_ID))
            .private_key(signing_key())
            .auth_method(AuthMethod::ClientSecretJwt)
            .build(md, mock.clone()),
        Error::Config(ConfigError::MissingCredential(_))
    );

    // Discovery: the issuer check, and the (never built today) Invalid variant.
    let response = json_reply(200, json!({"issuer": "https://evil.example"}));
    leak_check!(
        "discovery issuer mismatch",
        ProviderMetadata::from_response(&IssuerUrl::new(ISSUER).unwrap(), &response),
        Error::Discovery(DiscoveryError::IssuerMismatch { .. })
    );
    error_free(
        "DiscoveryError::Invalid",
        &Error::Discovery(DiscoveryError::Invalid {
            member: "jwks_uri",
            detail: "not an https URL".into(),
        }),
        &[],
    );
}

#[derive(Clone, Copy)]
struct NoWait;

impl typed_oidc::device::DeviceTimer for NoWait {
    fn sleep(&self, _: Duration) -> impl std::future::Future<Output = ()> + Send {
        std::future::ready(())
    }
    fn now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }
}

#[tokio::test]
async fn device_errors_carry_no_secret() {
    let device_reply = || {
        json_reply(
            200,
            json!({
                "device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
                "verification_uri": "https://op.example/device", "expires_in": 600, "interval": 1,
            }),
        )
    };
    for (label, error) in [
        ("access_denied", "access_denied"),
        ("expired", "expired_token"),
    ] {
        let mock = Mock::new(move |request| match request.uri().path() {
            "/device" => device_reply(),
            _ => json_reply(
                400,
                json!({"error": error, "error_description": format!("device code {DEVICE_CODE} / {CLIENT_SECRET}")}),
            ),
        });
        let client = builder().build(metadata(), mock).unwrap();
        let mut device = client
            .device_authorization_request()
            .without_openid()
            .send(&client)
            .await
            .unwrap();
        leak_check!(
            label,
            device.poll_once(&client).await,
            Error::Device(DeviceError::AccessDenied(_) | DeviceError::ExpiredToken)
        );
    }
    let mock = Mock::new(move |request| match request.uri().path() {
        "/device" => device_reply(),
        _ => json_reply(400, json!({"error": "authorization_pending"})),
    });
    let client = builder().build(metadata(), mock).unwrap();
    let device = client
        .device_authorization_request()
        .without_openid()
        .send(&client)
        .await
        .unwrap();
    leak_check!(
        "cancelled",
        device
            .wait_for_tokens_with(&client, &NoWait, std::future::ready(()))
            .await,
        Error::Device(DeviceError::Cancelled)
    );
}

#[test]
fn cas_errors_carry_no_secret() {
    let ns = r#"xmlns:cas="http://www.yale.edu/tp/cas""#;
    for (label, body) in [
        (
            "malformed",
            format!(
                "<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>{TICKET}</cas:usr>"
            ),
        ),
        (
            "too large",
            format!(
                "<cas:serviceResponse {ns}><cas:authenticationFailure code=\"X\">{}</cas:authenticationFailure></cas:serviceResponse>",
                TICKET.repeat(5000)
            ),
        ),
        (
            "doctype",
            format!("<!DOCTYPE x [<!ENTITY t \"{TICKET}\">]><cas:serviceResponse {ns}/>"),
        ),
        (
            "too deep",
            format!(
                "<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>a</cas:user>{}{TICKET}",
                "<x>".repeat(40)
            ),
        ),
        (
            "unexpected root",
            format!("<html><body>Ticket {TICKET} not recognized; {PGT_IOU}</body></html>"),
        ),
        (
            "unknown ticket text",
            format!(
                "<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>alice</cas:user><cas:proxyGrantingTicket>{PGT_IOU}</cas:proxyGrantingTicket><cas:proxyGrantingTicket>{TICKET}</cas:proxyGrantingTicket></cas:authenticationSuccess></cas:serviceResponse>"
            ),
        ),
    ] {
        match parse_service_response(body.as_bytes()) {
            Err(e) => error_free(label, &e, &[]),
            Ok(outcome) => debug_free(label, &outcome, &[]),
        }
    }
    let variants: Vec<CasError> = [
        format!("<cas:serviceResponse {ns}><cas:user>{TICKET}"),
        "x".repeat(70 * 1024),
        format!("<!DOCTYPE x><cas:serviceResponse {ns}/>"),
        format!(
            "<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>{TICKET}</cas:user>{}",
            "<x>".repeat(40)
        ),
        format!("<html>{TICKET}</html>"),
    ]
    .iter()
    .map(|b| parse_service_response(b.as_bytes()).expect_err(b.get(..40).unwrap_or(b)))
    .collect();
    assert!(
        matches!(variants[0], CasError::Malformed(_)),
        "{:?}",
        variants[0]
    );
    assert!(
        matches!(variants[1], CasError::TooLarge { .. }),
        "{:?}",
        variants[1]
    );
    assert!(
        matches!(variants[2], CasError::DocType),
        "{:?}",
        variants[2]
    );
    assert!(
        matches!(variants[3], CasError::TooDeep { .. }),
        "{:?}",
        variants[3]
    );
    assert!(
        matches!(variants[4], CasError::UnexpectedRoot(_)),
        "{:?}",
        variants[4]
    );
    for (i, e) in variants.iter().enumerate() {
        error_free(&format!("CasError #{i}"), e, &[]);
    }
}

#[tokio::test]
async fn genauth_token_validation_carries_no_secret() {
    let app = GenAuth::new("https://tenant.genauth.example", "app-id-1")
        .unwrap()
        .app_secret(ClientSecret::new(CLIENT_SECRET));
    let access = AccessToken::new(ACCESS);
    let raw = jwt(&signing_key(), &claims(Some(NONCE)));
    let id_token = IdToken::new(raw.clone());
    for token in [
        typed_oidc::genauth::ValidateToken::AccessToken(&access),
        typed_oidc::genauth::ValidateToken::IdToken(&id_token),
    ] {
        let echoed = match token {
            typed_oidc::genauth::ValidateToken::AccessToken(t) => t.secret().to_owned(),
            typed_oidc::genauth::ValidateToken::IdToken(t) => t.secret().to_owned(),
        };
        // GenAuth's own refusal object, quoting the token.
        let message = echoed.clone();
        let oidc = app
            .oidc(Mock::new(move |_| {
                json_reply(
                    200,
                    json!({"code": 400, "message": format!("token {message} is invalid")}),
                )
            }))
            .unwrap();
        let outcome = oidc.validate_token(token).await.unwrap();
        assert!(
            matches!(
                outcome,
                typed_oidc::genauth::TokenValidation::Invalid { .. }
            ),
            "{outcome:?}"
        );
        debug_free("TokenValidation::Invalid", &outcome, &[&echoed]);
        // An RFC 6749 error document quoting it.
        let message = echoed.clone();
        let oidc = app
            .oidc(Mock::new(move |_| {
                json_reply(400, json!({"error": "invalid_token", "error_description": format!("token {message}")}))
            }))
            .unwrap();
        leak_check!(
            "GenAuth validate_token",
            oidc.validate_token(token).await,
            Error::Provider(ProviderError { .. }),
            &echoed
        );
    }
}
