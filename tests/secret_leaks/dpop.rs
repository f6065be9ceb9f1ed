//! DPoP (RFC 9449) and FAPI 2.0 values: keys, DPoP-bound tokens, the FAPI builder, client
//! and flow values, and DPoP resource requests, built with canary secrets, then printed.

use std::time::SystemTime;

use super::*;
use endpoint_mock::reply;
use typed_oidc::fapi::Fapi2Builder;

/// The test provider's client keys (`tests/provider/`), with their private members.
pub const EC_KEY: &str = include_str!("../provider/client-key-ec.json");
pub const RSA_KEY: &str = include_str!("../provider/client-key.json");
pub const ED_KEY: &str = include_str!("../provider/client-key-ed.json");

/// The private members (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2) of a private JWK: the
/// key material that must never be printed.
pub fn private_members(jwk: &str) -> Vec<String> {
    let jwk: Value = serde_json::from_str(jwk).unwrap();
    let members: Vec<String> = ["d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .filter_map(|m| jwk.get(*m).and_then(Value::as_str).map(str::to_owned))
        .collect();
    assert!(!members.is_empty(), "no private member in {jwk}");
    members
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The base64 lines of a PEM document (the key material).
fn pem_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(str::to_owned)
        .collect()
}

/// A token response: `ACCESS` of `token_type`, `REFRESH`, and `id_token` if given.
pub fn token_body(token_type: &str, id_token: Option<&str>) -> Value {
    let mut body = json!({
        "access_token": ACCESS, "token_type": token_type, "expires_in": 600,
        "refresh_token": REFRESH,
    });
    if let Some(t) = id_token {
        body["id_token"] = t.into();
    }
    body
}

/// A DPoP provider: JWKS with `key`, a token endpoint issuing `DPoP` tokens (with
/// `id_token` if given), a PAR endpoint; every other path answers with `other`.
pub fn dpop_provider(
    key: &SigningKey,
    id_token: Option<String>,
    other: impl Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync + 'static,
) -> Mock {
    let jwk = key.public_jwk();
    Mock::new(move |request| match request.uri().path() {
        "/jwks" => json_reply(200, json!({ "keys": [jwk] })),
        "/token" => json_reply(200, token_body("DPoP", id_token.as_deref())),
        "/par" => json_reply(
            201,
            json!({"request_uri": "urn:ietf:params:oauth:request_uri:leak-par", "expires_in": 60}),
        ),
        _ => other(request),
    })
}

/// A confidential DPoP client (client secret) over `mock`, with `dpop` as its key.
pub fn dpop_client(mock: Mock, dpop: DpopKey) -> Client<Mock, Dpop<Confidential>> {
    builder().dpop(dpop).build(metadata(), mock).unwrap()
}

/// The value of form parameter `name` in the body of the first request to `path`.
fn form_param(mock: &Mock, path: &str, name: &str) -> String {
    let requests = mock.requests_to(path);
    let request = requests.first().expect("a request was sent");
    url::form_urlencoded::parse(request.body())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} sent to {path}"))
}

#[test]
fn dpop_keys_are_redacted() {
    let access = AccessToken::new(ACCESS);
    // Keys loaded from private JWKs: none of their private members may show.
    for (label, json) in [("EC", EC_KEY), ("RSA", RSA_KEY), ("OKP", ED_KEY)] {
        let private = private_members(json);
        let extra = strs(&private);
        let key = DpopKey::from_jwk(json).unwrap();
        debug_free(&format!("DpopKey {label} from_jwk"), &key, &extra);
        debug_free(&format!("DpopKey {label} clone"), &key.clone(), &extra);
        let public = serde_json::to_string(key.public_jwk()).unwrap();
        assert_free(&format!("DpopKey {label} public_jwk"), &public, &extra);
        // A proof carries the public key and the token's hash, never the token or the key.
        let proof = key
            .proof(
                &::http::Method::GET,
                "https://rs.example/api",
                None,
                Some(access.secret()),
                SystemTime::now(),
            )
            .unwrap();
        assert_free(&format!("DpopKey {label} proof"), &proof, &extra);
        // The builder and the client that hold it.
        let builder = builder().dpop(key.clone());
        debug_free(&format!("ClientBuilder<Dpop> {label}"), &builder, &extra);
        let client = builder
            .build(metadata(), Mock::new(|_| reply(500, None, "")))
            .unwrap();
        debug_free(&format!("Client<Dpop> {label}"), &client, &extra);
        debug_free(
            &format!("Client<Dpop> {label} dpop_key"),
            client.dpop_key().unwrap(),
            &extra,
        );
    }
    // Generated keys, checked against their PKCS#8 PEM.
    for (label, key, alg) in [
        (
            "P-256",
            SigningKey::generate_ec_p256().unwrap(),
            JwsAlgorithm::ES256,
        ),
        (
            "P-384",
            SigningKey::generate_ec_p384().unwrap(),
            JwsAlgorithm::ES384,
        ),
        (
            "RSA",
            SigningKey::generate_rsa(2048).unwrap(),
            JwsAlgorithm::PS256,
        ),
        (
            "Ed25519",
            SigningKey::generate_ed25519().unwrap(),
            JwsAlgorithm::EdDSA,
        ),
    ] {
        let lines = pem_lines(&key.to_pkcs8_pem().unwrap());
        let extra = strs(&lines);
        let dpop = DpopKey::new(key, alg).unwrap();
        debug_free(&format!("DpopKey {label} new"), &dpop, &extra);
        let public = serde_json::to_string(dpop.public_jwk()).unwrap();
        assert_free(&format!("DpopKey {label} public_jwk"), &public, &extra);
        let client = Client::builder(ClientId::new(CLIENT_ID))
            .dpop(dpop)
            .build(metadata(), Mock::new(|_| reply(500, None, "")))
            .unwrap();
        debug_free(&format!("Client<Dpop<Public>> {label}"), &client, &extra);
    }
}

#[tokio::test]
async fn dpop_tokens_and_requests_are_redacted() {
    debug_free("DpopAccessToken", &DpopAccessToken::new(ACCESS), &[]);
    debug_free(
        "Vec<Option<DpopAccessToken>>",
        &vec![Some(DpopAccessToken::new(ACCESS)), None],
        &[],
    );

    let key = signing_key();
    let raw = jwt(&key, &claims(Some(NONCE)));
    let sig = raw.rsplit('.').next().unwrap().to_owned();
    let dpop_private = private_members(EC_KEY);
    let mut extra = vec![raw.as_str(), sig.as_str()];
    extra.extend(strs(&dpop_private));
    let mock = dpop_provider(&key, Some(raw.clone()), |_| reply(500, None, ""));
    let client = dpop_client(mock.clone(), DpopKey::from_jwk(EC_KEY).unwrap());

    // The code flow, through the transport: Tokens<Offline, DpopBound>.
    let (_, pending) = client
        .authorization_request()
        .offline_access()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
        .start()
        .unwrap();
    debug_free("Pending (DPoP)", &pending, &extra);
    let received = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap();
    debug_free("CodeReceived (DPoP)", &received, &extra);
    let tokens = received.exchange(&client).await.unwrap();
    assert_eq!(tokens.access_token().secret(), ACCESS);
    debug_free("Tokens<Offline, DpopBound>", &tokens, &extra);
    debug_free(
        "Tokens<Offline, DpopBound>::access_token",
        tokens.access_token(),
        &extra,
    );
    let refreshed = tokens.refresh(&client).await.unwrap();
    debug_free("Tokens<Offline, DpopBound> refreshed", &refreshed, &extra);

    // Sans-IO: the token request is built, the response handed back by the caller.
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .start()
        .unwrap();
    let received = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap();
    let request = received.token_request(&client).unwrap();
    assert!(request.headers().contains_key("dpop"));
    let response = json_reply(200, token_body("DPoP", Some(&raw)));
    let online = received.finish(&client, &response).await.unwrap();
    debug_free("Tokens<Online, DpopBound> (sans-IO)", &online, &extra);

    // Resource requests with the DPoP-bound token; the URL's query and the caller's
    // headers and body may carry secrets too.
    let subject = SubjectId::new(SUB);
    let bound = DpopAccessToken::new(ACCESS);
    debug_free(
        "UserInfoRequest (DPoP, tokens)",
        &client.userinfo(&online),
        &extra,
    );
    debug_free(
        "UserInfoRequest (DPoP, subject)",
        &client.userinfo_for_subject(&bound, &subject),
        &extra,
    );
    let resource = client
        .protected_resource_request(
            online.access_token(),
            ::http::Method::POST,
            &format!("https://rs.example/api?access_token={ACCESS}&r={REFRESH}#{STATE}"),
        )
        .header(
            ::http::HeaderName::from_static("x-api-key"),
            ::http::HeaderValue::from_static(CLIENT_SECRET),
        )
        .body(
            ::http::HeaderValue::from_static("application/x-www-form-urlencoded"),
            format!("password={PASSWORD}").into_bytes(),
        );
    debug_free("ResourceRequest (DPoP)", &resource, &extra);
    // A bearer client's resource request, for comparison.
    let (_, bearer) = provider(&key, None, |_| reply(500, None, ""));
    let access = AccessToken::new(ACCESS);
    debug_free(
        "ResourceRequest (Bearer)",
        &bearer.protected_resource_request(
            &access,
            ::http::Method::GET,
            &format!("https://rs.example/api?token={REFRESH}"),
        ),
        &extra,
    );
}

/// Credentials in the resource URL's userinfo (`https://user:secret@host/`) are the
/// caller's: `protected_resource_request` refuses such a URL, and `Debug` never prints them
/// (it shows scheme, host and path only).
#[test]
fn resource_request_debug_hides_url_userinfo() {
    let mock = dpop_provider(&signing_key(), None, |_| reply(500, None, ""));
    let client = dpop_client(mock, DpopKey::from_jwk(EC_KEY).unwrap());
    let bound = DpopAccessToken::new(ACCESS);
    let request = client.protected_resource_request(
        &bound,
        ::http::Method::GET,
        &format!("https://{CLIENT_ID}:{CLIENT_SECRET}@rs.example/api"),
    );
    debug_free("ResourceRequest with userinfo", &request, &[]);
}

/// A FAPI 2.0 provider: `dpop_provider` plus ES256 for ID tokens and JARM.
fn fapi_metadata() -> ProviderMetadata {
    let mut md = metadata();
    md.id_token_signing_alg_values_supported = vec!["ES256".into()];
    md.authorization_signing_alg_values_supported = vec!["ES256".into()];
    md.token_endpoint_auth_methods_supported = vec!["private_key_jwt".into()];
    md
}

fn fapi_builder() -> Fapi2Builder {
    Fapi2::builder(
        ClientId::new(CLIENT_ID),
        SigningKey::from_jwk(RSA_KEY).unwrap(),
        DpopKey::from_jwk(EC_KEY).unwrap(),
    )
    .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
}

#[tokio::test]
async fn fapi_values_are_redacted() {
    let key = signing_key();
    let raw = jwt(&key, &claims(Some(NONCE)));
    let sig = raw.rsplit('.').next().unwrap().to_owned();
    let (rsa, ec) = (private_members(RSA_KEY), private_members(EC_KEY));
    let mut extra = vec![raw.as_str(), sig.as_str()];
    extra.extend(strs(&rsa));
    extra.extend(strs(&ec));

    debug_free("Fapi2Builder<SecurityProfile>", &fapi_builder(), &extra);
    debug_free(
        "Fapi2Builder<MessageSigning>",
        &fapi_builder().message_signing(),
        &extra,
    );

    // Security Profile: PAR, PKCE, private_key_jwt, DPoP.
    let mock = dpop_provider(&key, Some(raw.clone()), |_| reply(500, None, ""));
    let fapi = fapi_builder().build(fapi_metadata(), mock.clone()).unwrap();
    debug_free("Fapi2<SecurityProfile>", &fapi, &extra);
    debug_free("Fapi2 clone", &fapi.clone(), &extra);
    debug_free("Fapi2::dpop_key", fapi.dpop_key(), &extra);
    let request = fapi
        .authorization_request()
        .offline_access()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .id_token_hint(IdToken::new(raw.clone()));
    debug_free("FapiAuthorizationRequest", &request, &extra);
    let (url, pending) = request.start(&fapi).await.unwrap();
    debug_free("AuthorizationUrl (FAPI)", &url, &extra);
    assert_free("AuthorizationUrl (FAPI) Display", &url.to_string(), &extra);
    let pending_debug = [format!("{pending:?}"), format!("{pending:#?}")];
    debug_free("FapiPending", &pending, &extra);
    let iss = url::form_urlencoded::byte_serialize(ISSUER.as_bytes()).collect::<String>();
    let received = pending
        .callback(
            &fapi,
            &format!("https://rp.example/cb?code={CODE}&state={STATE}&iss={iss}"),
        )
        .await
        .unwrap();
    let received_debug = [format!("{received:?}"), format!("{received:#?}")];
    debug_free("FapiCodeReceived", &received, &extra);
    let tokens = received.exchange(&fapi).await.unwrap();
    debug_free("Tokens<Offline, DpopBound> (FAPI)", &tokens, &extra);
    // The generated PKCE verifier, learnt from the token request, was in neither value.
    let verifier = form_param(&mock, "/token", "code_verifier");
    let assertion = form_param(&mock, "/token", "client_assertion");
    for text in pending_debug.iter().chain(&received_debug) {
        assert_free(
            "FapiPending / FapiCodeReceived",
            text,
            &[&verifier, &assertion],
        );
    }
    let refreshed = fapi.refresh(&tokens).await.unwrap();
    debug_free(
        "Tokens<Offline, DpopBound> (FAPI) refreshed",
        &refreshed,
        &extra,
    );
    debug_free("UserInfoRequest (FAPI)", &fapi.userinfo(&refreshed), &extra);
    debug_free(
        "ResourceRequest (FAPI)",
        &fapi.protected_resource_request(
            refreshed.access_token(),
            ::http::Method::GET,
            &format!("https://rs.example/accounts?token={ACCESS}"),
        ),
        &extra,
    );
    debug_free(
        "GrantRequest<ClientCredentials> (FAPI)",
        &fapi.client_credentials(),
        &extra,
    );
    debug_free(
        "IntrospectionRequest (FAPI)",
        &fapi.introspect(refreshed.refresh_token()),
        &extra,
    );
    debug_free(
        "RevocationRequest (FAPI)",
        &fapi.revoke(refreshed.refresh_token()),
        &extra,
    );

    // Message Signing: a signed request object is pushed, the answer is a JARM response.
    let mock = dpop_provider(&key, Some(raw.clone()), |_| reply(500, None, ""));
    let fapi = fapi_builder()
        .message_signing()
        .build(fapi_metadata(), mock.clone())
        .unwrap();
    debug_free("Fapi2<MessageSigning>", &fapi, &extra);
    let (_, pending) = fapi
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .start(&fapi)
        .await
        .unwrap();
    let request_object = form_param(&mock, "/par", "request");
    let mut extra_ms = extra.clone();
    extra_ms.push(&request_object);
    debug_free("FapiPending<MessageSigning>", &pending, &extra_ms);
    let response = jwt(
        &key,
        &json!({
            "iss": ISSUER, "aud": CLIENT_ID, "exp": now() + 60,
            "code": CODE, "state": STATE,
        }),
    );
    extra_ms.push(&response);
    let received = pending
        .callback(&fapi, &format!("https://rp.example/cb?response={response}"))
        .await
        .unwrap();
    debug_free("FapiCodeReceived<MessageSigning>", &received, &extra_ms);
    let tokens = received.exchange(&fapi).await.unwrap();
    debug_free(
        "Tokens<Online, DpopBound> (Message Signing)",
        &tokens,
        &extra_ms,
    );
}
