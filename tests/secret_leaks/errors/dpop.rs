//! DPoP (RFC 9449) errors — every `DpopError` variant — and the errors of the new DPoP, FAPI
//! 2.0 and JARM code paths, provoked with input that carries secrets.

use std::collections::BTreeSet;
use std::time::SystemTime;

use super::*;
use crate::dpop::{EC_KEY, RSA_KEY, dpop_client, dpop_provider, token_body};
use endpoint_mock::reply;
use typed_oidc::dpop::{DpopError, htu};
use typed_oidc::error::{CallbackError, ProviderError, ValidationError};

/// The name of a `DpopError` variant, for the coverage check.
fn variant(e: &DpopError) -> &'static str {
    match e {
        DpopError::NonceMissing { .. } => "NonceMissing",
        DpopError::InvalidNonce => "InvalidNonce",
        DpopError::InvalidUrl(_) => "InvalidUrl",
        DpopError::TokenType { .. } => "TokenType",
        DpopError::UnsupportedAlgorithm(_) => "UnsupportedAlgorithm",
        _ => panic!("a DpopError variant this suite does not know: {e:?}; add it here"),
    }
}

/// Every `DpopError` variant; keep in sync with `src/dpop/mod.rs`.
const DPOP_VARIANTS: &[&str] = &[
    "InvalidNonce",
    "InvalidUrl",
    "NonceMissing",
    "TokenType",
    "UnsupportedAlgorithm",
];

/// Records which `DpopError` variants were provoked.
#[derive(Default)]
struct Seen(BTreeSet<&'static str>);

impl Seen {
    fn error(&mut self, e: &Error) {
        match e {
            Error::Dpop(d) => {
                self.0.insert(variant(d));
            }
            other => panic!("expected a DPoP error, got {other:?}"),
        }
    }
    fn dpop(&mut self, e: &DpopError) {
        self.0.insert(variant(e));
    }
}

/// Form and query parameters that carry credentials or flow secrets.
const SECRET_PARAMS: &[&str] = &[
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "refresh_token",
    "token",
    "access_token",
    "state",
    "nonce",
    "request",
];

/// Every secret a request carried, for a provider to echo: its secret form body and
/// query values, its `Authorization` credentials and its `DPoP` proof.
fn request_secrets(request: &::http::Request<Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    let query = request.uri().query().unwrap_or_default().as_bytes();
    for bytes in [query, request.body().as_slice()] {
        out.extend(
            url::form_urlencoded::parse(bytes)
                .filter(|(k, _)| SECRET_PARAMS.contains(&k.as_ref()))
                .map(|(_, v)| v.into_owned()),
        );
    }
    for name in ["authorization", "dpop"] {
        if let Some(v) = request.headers().get(name).and_then(|v| v.to_str().ok()) {
            out.push(v.to_owned());
        }
    }
    out
}

/// An RFC 6749 §5.2 `use_dpop_nonce` error document echoing everything the request
/// carried (and the canaries), with `nonce` as `DPoP-Nonce` when given.
fn use_dpop_nonce(
    request: &::http::Request<Vec<u8>>,
    nonce: Option<&str>,
) -> ::http::Response<Bytes> {
    let echoed = request_secrets(request).join(" ");
    let mut r = json_reply(
        400,
        json!({
            "error": "use_dpop_nonce",
            "error_description": format!("nonce required; got {echoed} {CODE} {VERIFIER}"),
            "error_uri": format!("https://op.example/e?{echoed}"),
        }),
    );
    if let Some(n) = nonce {
        r.headers_mut().insert("dpop-nonce", n.parse().unwrap());
    }
    r
}

/// A `401` with a `DPoP error="use_dpop_nonce"` challenge (RFC 9449 §9) echoing the
/// request's token, with `nonce` as `DPoP-Nonce` when given.
fn resource_nonce(
    request: &::http::Request<Vec<u8>>,
    nonce: Option<&str>,
) -> ::http::Response<Bytes> {
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .replace('"', "");
    let mut r = reply(401, None, format!("token {token} needs a nonce"));
    r.headers_mut().insert(
        "www-authenticate",
        format!("DPoP error=\"use_dpop_nonce\", error_description=\"{token} {ACCESS}\"")
            .parse()
            .unwrap(),
    );
    if let Some(n) = nonce {
        r.headers_mut().insert("dpop-nonce", n.parse().unwrap());
    }
    r
}

/// The DPoP proofs a mock received, as extra secrets to look for.
fn proofs(mock: &Mock) -> Vec<String> {
    mock.seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.headers().get("dpop"))
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn code_received<K: ClientKind>(client: &Client<Mock, K>) -> CodeReceived<Online, Pkce> {
    let (_, pending) = client
        .authorization_request()
        .without_openid()
        .state(State::new(STATE))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
        .start()
        .unwrap();
    pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap()
}

fn ec_key() -> DpopKey {
    DpopKey::from_jwk(EC_KEY).unwrap()
}

#[tokio::test]
async fn dpop_errors_carry_no_secret() {
    let mut seen = Seen::default();
    let key = ec_key();
    let now = SystemTime::now();

    // InvalidUrl: from `htu`, from `proof`, and from a resource request.
    for (label, url) in [
        (
            "htu ftp",
            format!("ftp://{CLIENT_ID}:{CLIENT_SECRET}@op.example/{ACCESS}?code={CODE}#{STATE}"),
        ),
        ("htu no host", format!("https://{CLIENT_SECRET}@/{ACCESS}")),
        ("htu relative", format!("/token/{REFRESH}?code={CODE}")),
        ("htu urn", format!("urn:x:{ACCESS}:{REFRESH}")),
    ] {
        let e = leak_check!(label, htu(&url), DpopError::InvalidUrl(_));
        seen.dpop(&e);
        let e = leak_check!(
            format!("proof {label}"),
            key.proof(&::http::Method::GET, &url, None, Some(ACCESS), now),
            Error::Dpop(DpopError::InvalidUrl(_))
        );
        seen.error(&e);
    }
    let mock = dpop_provider(&signing_key(), None, |_| reply(500, None, ""));
    let client = dpop_client(mock, ec_key());
    let bound = DpopAccessToken::new(ACCESS);
    let resource = || {
        client.protected_resource_request(
            &bound,
            ::http::Method::GET,
            &format!("ftp://rs.example/{REFRESH}?token={CODE}"),
        )
    };
    let e = leak_check!(
        "resource ftp request",
        resource().request(),
        Error::Dpop(DpopError::InvalidUrl(_))
    );
    seen.error(&e);
    let e = leak_check!(
        "resource ftp send",
        resource().send().await,
        Error::Dpop(DpopError::InvalidUrl(_))
    );
    seen.error(&e);

    // InvalidNonce: a caller's nonce, and providers' malformed `DPoP-Nonce` values.
    let e = leak_check!(
        "proof nonce",
        key.proof(
            &::http::Method::POST,
            "https://op.example/token",
            Some(&format!("{ACCESS} {REFRESH}")),
            Some(ACCESS),
            now
        ),
        Error::Dpop(DpopError::InvalidNonce)
    );
    seen.error(&e);
    let bad_nonce = format!("{CODE}\"{VERIFIER}");
    let mock = Mock::new(move |r| use_dpop_nonce(r, Some(&bad_nonce)));
    let client = dpop_client(mock.clone(), ec_key());
    let e = leak_check!(
        "token endpoint invalid nonce",
        code_received(&client).exchange(&client).await,
        Error::Dpop(DpopError::InvalidNonce)
    );
    error_free("token endpoint invalid nonce", &e, &strs(&proofs(&mock)));
    seen.error(&e);
    let bad_nonce = format!("n {ACCESS}");
    let mock = Mock::new(move |r| resource_nonce(r, Some(&bad_nonce)));
    let client = dpop_client(mock, ec_key());
    let e = leak_check!(
        "resource invalid nonce",
        client
            .protected_resource_request(&bound, ::http::Method::GET, "https://rs.example/api")
            .send()
            .await,
        Error::Dpop(DpopError::InvalidNonce)
    );
    seen.error(&e);

    // NonceMissing: `use_dpop_nonce` without a `DPoP-Nonce`, at every endpoint.
    let mock = Mock::new(|r| match r.uri().path() {
        "/userinfo" => resource_nonce(r, None),
        _ => use_dpop_nonce(r, None),
    });
    let client = dpop_client(mock.clone(), ec_key());
    let e = leak_check!(
        "token endpoint nonce missing",
        code_received(&client).exchange(&client).await,
        Error::Dpop(DpopError::NonceMissing { endpoint: "token" })
    );
    seen.error(&e);
    let e = leak_check!(
        "PAR nonce missing",
        client
            .authorization_request()
            .state(State::new(STATE))
            .nonce(Nonce::new(NONCE))
            .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
            .start_pushed(&client)
            .await,
        Error::Dpop(DpopError::NonceMissing { .. })
    );
    seen.error(&e);
    let e = leak_check!(
        "userinfo nonce missing",
        client
            .userinfo_for_subject(&bound, &SubjectId::new(SUB))
            .send()
            .await,
        Error::Dpop(DpopError::NonceMissing {
            endpoint: "userinfo"
        })
    );
    seen.error(&e);
    let mock = Mock::new(|r| resource_nonce(r, None));
    let client = dpop_client(mock, ec_key());
    let e = leak_check!(
        "resource nonce missing",
        client
            .protected_resource_request(
                &bound,
                ::http::Method::GET,
                &format!("https://rs.example/api?token={REFRESH}")
            )
            .send()
            .await,
        Error::Dpop(DpopError::NonceMissing {
            endpoint: "resource"
        })
    );
    seen.error(&e);

    // TokenType: a Bearer answer to a proof, and a DPoP answer to a bearer client.
    let key_for_ids = signing_key();
    let jwk = key_for_ids.public_jwk();
    let bearer_answer = Mock::new(move |r| match r.uri().path() {
        "/jwks" => json_reply(200, json!({ "keys": [jwk] })),
        _ => json_reply(200, token_body("Bearer", None)),
    });
    let client = dpop_client(bearer_answer, ec_key());
    let e = leak_check!(
        "DPoP client, Bearer token",
        code_received(&client).exchange(&client).await,
        Error::Dpop(DpopError::TokenType {
            expected: "DPoP",
            ..
        })
    );
    seen.error(&e);
    let dpop_answer = Mock::new(|_| json_reply(200, token_body("DPoP", None)));
    let bearer_client = builder().build(metadata(), dpop_answer).unwrap();
    let e = leak_check!(
        "Bearer client, DPoP token",
        code_received(&bearer_client).exchange(&bearer_client).await,
        Error::Dpop(DpopError::TokenType {
            expected: "Bearer",
            ..
        })
    );
    seen.error(&e);

    // UnsupportedAlgorithm: the provider lists no algorithm the key signs with.
    let mut md = metadata();
    md.dpop_signing_alg_values_supported = vec!["RS256".into(), "PS256".into()];
    let e = leak_check!(
        "UnsupportedAlgorithm",
        builder()
            .dpop(ec_key())
            .build(md, Mock::new(|_| reply(500, None, ""))),
        Error::Dpop(DpopError::UnsupportedAlgorithm("ES256"))
    );
    seen.error(&e);

    assert_eq!(
        seen.0.into_iter().collect::<Vec<_>>(),
        DPOP_VARIANTS,
        "every DpopError variant provoked"
    );
}

/// A `token_type` the provider makes up is quoted (64 characters) in
/// `DpopError::TokenType`, but without the request's secrets or the tokens of the same
/// response, should the provider echo them there.
#[tokio::test]
async fn token_type_echoing_secrets_carries_none() {
    for (label, token_type) in [
        ("code", CODE),
        ("verifier", VERIFIER),
        ("access token", ACCESS),
    ] {
        let mock = Mock::new(move |_| json_reply(200, token_body(token_type, None)));
        let client = dpop_client(mock, ec_key());
        leak_check!(
            format!("token_type echoing the {label}"),
            code_received(&client).exchange(&client).await,
            Error::Dpop(DpopError::TokenType { .. })
        );
    }
}

/// The retry after `use_dpop_nonce` is answered with `use_dpop_nonce` again, echoing both
/// requests' secrets: a provider error, scrubbed of the code, verifier, client secret and
/// the DPoP-bound token.
async fn second_use_dpop_nonce(check_proofs: bool) {
    let mock = Mock::new(|r| match r.uri().path() {
        "/userinfo" | "/api" => resource_nonce(r, Some("nonce-1")),
        _ => use_dpop_nonce(r, Some("nonce-1")),
    });
    let client = dpop_client(mock.clone(), ec_key());
    let sent = |mock: &Mock| {
        if check_proofs {
            proofs(mock)
        } else {
            Vec::new()
        }
    };
    let e = leak_check!(
        "token endpoint, second use_dpop_nonce",
        code_received(&client).exchange(&client).await,
        Error::Provider(ProviderError { .. })
    );
    error_free(
        "token endpoint, second use_dpop_nonce",
        &e,
        &strs(&sent(&mock)),
    );
    let bound = DpopAccessToken::new(ACCESS);
    let e = leak_check!(
        "userinfo, second use_dpop_nonce",
        client
            .userinfo_for_subject(&bound, &SubjectId::new(SUB))
            .send()
            .await,
        Error::Provider(ProviderError { .. })
    );
    error_free("userinfo, second use_dpop_nonce", &e, &strs(&sent(&mock)));
    let e = leak_check!(
        "resource, second use_dpop_nonce",
        client
            .protected_resource_request(&bound, ::http::Method::GET, "https://rs.example/api")
            .send()
            .await,
        Error::Provider(ProviderError { .. })
    );
    error_free("resource, second use_dpop_nonce", &e, &strs(&sent(&mock)));
}

#[tokio::test]
async fn second_use_dpop_nonce_echoing_secrets_carries_none() {
    second_use_dpop_nonce(false).await;
}

/// As above, and the provider also echoes the `DPoP` proofs it received: they are scrubbed
/// like the client assertion (a proof is replayable until its `iat` window closes).
#[tokio::test]
async fn second_use_dpop_nonce_echoing_proofs_carries_none() {
    second_use_dpop_nonce(true).await;
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// FAPI 2.0 and JARM: configuration refusals, a callback without `iss`, and JWT-secured
/// responses that are forged, misaddressed or error responses echoing the flow's secrets.
#[tokio::test]
async fn fapi_and_jarm_errors_carry_no_secret() {
    let key = signing_key();
    let mut md = metadata();
    md.id_token_signing_alg_values_supported = vec!["ES256".into()];
    md.authorization_signing_alg_values_supported = vec!["ES256".into()];
    let rsa = SigningKey::from_jwk(RSA_KEY).unwrap();
    let fapi_builder = || {
        Fapi2::builder(ClientId::new(CLIENT_ID), rsa.clone(), ec_key())
            .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
    };
    // Configuration: a non-FAPI algorithm, a provider without PAR or private_key_jwt.
    leak_check!(
        "FAPI RS256 assertions",
        fapi_builder()
            .assertion_alg(JwsAlgorithm::RS256)
            .build(md.clone(), Mock::new(|_| reply(500, None, ""))),
        Error::Config(_)
    );
    let mut no_par = md.clone();
    no_par.pushed_authorization_request_endpoint = None;
    leak_check!(
        "FAPI without PAR",
        fapi_builder().build(no_par, Mock::new(|_| reply(500, None, ""))),
        Error::Config(_)
    );
    let mut secret_only = md.clone();
    secret_only.token_endpoint_auth_methods_supported = vec!["client_secret_basic".into()];
    leak_check!(
        "FAPI without private_key_jwt",
        fapi_builder().build(secret_only, Mock::new(|_| reply(500, None, ""))),
        Error::Config(_)
    );

    // Security Profile: the callback must carry `iss`; a PAR error echoing secrets.
    let mock = dpop_provider(&key, None, |_| reply(500, None, ""));
    let fapi = fapi_builder().build(md.clone(), mock).unwrap();
    let pending = fapi
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .start(&fapi)
        .await
        .unwrap()
        .1;
    leak_check!(
        "FAPI callback without iss",
        pending
            .callback(
                &fapi,
                &format!("https://rp.example/cb?code={CODE}&state={STATE}")
            )
            .await,
        Error::Callback(CallbackError::IssuerMissing)
    );
    let failing_par =
        Mock::new(|r| echo(400, &[request_secrets(r).join(" ").as_str(), STATE, NONCE]));
    let fapi_failing = fapi_builder()
        .build(md.clone(), failing_par.clone())
        .unwrap();
    let e = leak_check!(
        "FAPI PAR error",
        fapi_failing
            .authorization_request()
            .state(State::new(STATE))
            .nonce(Nonce::new(NONCE))
            .start(&fapi_failing)
            .await,
        Error::Provider(_)
    );
    let mut sent = proofs(&failing_par);
    sent.extend(
        failing_par
            .requests_to("/par")
            .iter()
            .flat_map(request_secrets),
    );
    error_free("FAPI PAR error", &e, &strs(&sent));

    // Message Signing: JARM responses.
    let mock = dpop_provider(&key, None, |_| reply(500, None, ""));
    let fapi = fapi_builder()
        .message_signing()
        .build(md.clone(), mock)
        .unwrap();
    let fapi = &fapi;
    let pending = move || async move {
        fapi.authorization_request()
            .state(State::new(STATE))
            .nonce(Nonce::new(NONCE))
            .start(fapi)
            .await
            .unwrap()
            .1
    };
    let good = json!({
        "iss": ISSUER, "aud": CLIENT_ID, "exp": now() + 60, "code": CODE, "state": STATE,
    });
    let forger = es256_key("k1");
    let claims = |changes: Value| {
        let mut c = good.clone();
        for (k, v) in changes.as_object().unwrap() {
            c[k] = v.clone();
        }
        jwt(&key, &c)
    };
    type Check = fn(&Error) -> bool;
    let cases: Vec<(&str, String, Check)> = vec![
        ("JARM forged signature", jwt(&forger, &good), |e| {
            matches!(
                e,
                Error::Validation(ValidationError::UnknownKey { .. } | ValidationError::Signature)
            )
        }),
        (
            "JARM wrong audience",
            claims(json!({"aud": "other"})),
            |e| {
                matches!(
                    e,
                    Error::Validation(ValidationError::AudienceMissingClient { .. })
                )
            },
        ),
        ("JARM expired", claims(json!({"exp": now() - 3600})), |e| {
            matches!(e, Error::Validation(ValidationError::Expired { .. }))
        }),
        (
            "JARM wrong issuer",
            claims(json!({"iss": "https://evil.example"})),
            |e| matches!(e, Error::Validation(ValidationError::Issuer { .. })),
        ),
        (
            "JARM state mismatch",
            claims(json!({"state": format!("x{STATE}")})),
            |e| matches!(e, Error::Callback(CallbackError::StateMismatch)),
        ),
        (
            "JARM error response echoing secrets",
            jwt(
                &key,
                &json!({
                    "iss": ISSUER, "aud": CLIENT_ID, "exp": now() + 60, "state": STATE,
                    "error": "access_denied",
                    "error_description": format!("denied {STATE} {NONCE}"),
                }),
            ),
            |e| matches!(e, Error::Provider(p) if p.error == "access_denied"),
        ),
        ("JARM not a JWT", format!("{CODE}.{STATE}"), |e| {
            matches!(e, Error::Jose(_))
        }),
    ];
    for (label, response, check) in cases {
        let signature = response.rsplit('.').next().unwrap_or_default().to_owned();
        let e = match pending()
            .await
            .callback(fapi, &format!("https://rp.example/cb?response={response}"))
            .await
        {
            Ok(_) => panic!("{label}: accepted"),
            Err(e) => e,
        };
        assert!(check(&e), "{label}: wrong error {e:?}");
        error_free(label, &e, &[&response, &signature]);
    }
}
