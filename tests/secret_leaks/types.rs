//! Every public type that holds a secret: built with canary secrets, then printed.

use super::*;
use endpoint_mock::reply;
use typed_oidc::cas::parse_service_response;
use typed_oidc::client_auth::ClientAuth;
use typed_oidc::genauth::ValidateToken;
use typed_oidc::grants::TokenTypeUri;
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::jose::{Jwk, JwkSet, Jws};
use typed_oidc::jwks::JwksCache;
use typed_oidc::token::TokenResponse;

/// A transport that answers 500 to everything and, unlike `Mock`, is `Debug`
/// (the GenAuth presets derive `Debug` over their transport).
#[derive(Clone, Debug)]
struct Refusing;

impl HttpClient for Refusing {
    async fn execute(
        &self,
        _: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        Ok(reply(500, None, ""))
    }
}

// The repository's P-256 test key, and the RFC 8037 Appendix A.1 Ed25519 example key.
const EC_JWK: &str = include_str!("../fixtures/jose/ec_p256.jwk.json");
const EC_D: &str = "JicqzCaPxbwFmoGDAL0GSyCYutZYBs3WLY3YXZ2YRig";
const ED_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const ED_JWK: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed-1"}"#;

/// The base64 lines of a PEM document (the key material), for `assert_free`'s `extra`.
fn pem_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(str::to_owned)
        .collect()
}

#[test]
fn secret_newtypes_redact_their_value() {
    debug_free("ClientSecret", &ClientSecret::new(CLIENT_SECRET), &[]);
    debug_free("AuthorizationCode", &AuthorizationCode::new(CODE), &[]);
    debug_free("AccessToken", &AccessToken::new(ACCESS), &[]);
    debug_free("RefreshToken", &RefreshToken::new(REFRESH), &[]);
    let raw = jwt(&signing_key(), &claims(Some(NONCE)));
    debug_free("IdToken", &IdToken::new(raw.clone()), &[&raw]);
    debug_free("State", &State::new(STATE), &[]);
    debug_free("Nonce", &Nonce::new(NONCE), &[]);
    debug_free("CodeVerifier", &CodeVerifier::parse(VERIFIER).unwrap(), &[]);
    let generated = CodeVerifier::generate();
    debug_free("CodeVerifier::generate", &generated, &[generated.secret()]);
    let state = State::random();
    debug_free("State::random", &state, &[state.secret()]);
    debug_free("CasTicket", &CasTicket::new(TICKET), &[]);
    // Options and collections of them too (the derive-through path).
    debug_free(
        "Vec<Option<RefreshToken>>",
        &vec![Some(RefreshToken::new(REFRESH)), None],
        &[],
    );
}

#[test]
fn private_keys_are_redacted() {
    for (label, key) in [
        ("RSA", SigningKey::generate_rsa(2048).unwrap()),
        ("P-256", SigningKey::generate_ec_p256().unwrap()),
        ("P-384", SigningKey::generate_ec_p384().unwrap()),
        ("Ed25519", SigningKey::generate_ed25519().unwrap()),
    ] {
        let key = key.with_kid("k-public-id");
        let pem = key.to_pkcs8_pem().unwrap();
        let lines = pem_lines(&pem);
        let extra: Vec<&str> = lines.iter().map(String::as_str).collect();
        debug_free(label, &key, &extra);
        let reloaded = SigningKey::from_pem(&pem).unwrap();
        debug_free(&format!("{label} from_pem"), &reloaded, &extra);
        // A client holding it, and the client's authentication.
        let auth = ClientAuth::private_key(ClientId::new(CLIENT_ID), reloaded.clone());
        debug_free(&format!("{label} ClientAuth"), &auth, &extra);
        let builder = Client::builder(ClientId::new(CLIENT_ID)).private_key(reloaded);
        debug_free(&format!("{label} ClientBuilder"), &builder, &extra);
        let client = builder
            .build(metadata(), Mock::new(|_| reply(500, None, "")))
            .unwrap();
        debug_free(&format!("{label} Client"), &client, &extra);
    }
    for (label, jwk, d) in [("EC JWK", EC_JWK, EC_D), ("OKP JWK", ED_JWK, ED_D)] {
        let key = SigningKey::from_jwk(jwk).unwrap();
        debug_free(label, &key, &[d]);
        // A verifier parsed from a JWK that carries private members keeps none of them.
        let parsed = Jwk::from_json(&serde_json::from_str(jwk).unwrap()).unwrap();
        debug_free(&format!("{label} as Jwk"), &parsed, &[d]);
        let set = JwkSet::parse(format!(r#"{{"keys":[{jwk}]}}"#).as_bytes()).unwrap();
        debug_free(&format!("{label} in a JwkSet"), &set, &[d]);
        debug_free(
            &format!("{label} in a JwksCache"),
            &JwksCache::fixed(set),
            &[d],
        );
    }
}

#[test]
fn client_configuration_is_redacted() {
    let auth = ClientAuth::secret(
        ClientId::new(CLIENT_ID),
        ClientSecret::new(CLIENT_SECRET),
        AuthMethod::ClientSecretBasic,
    )
    .unwrap();
    debug_free("ClientAuth secret", &auth, &[]);
    let validator = IdTokenValidator::new(ISSUER, CLIENT_ID, vec![JwsAlgorithm::HS256])
        .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)));
    debug_free("IdTokenValidator", &validator, &[]);
    debug_free("ClientBuilder", &builder(), &[]);
    let (_, client) = provider(&signing_key(), None, |_| reply(500, None, ""));
    debug_free("Client", &client, &[]);
    debug_free("Client clone", &client.clone(), &[]);
    debug_free("Client::auth", client.auth(), &[]);
    debug_free(
        "Client::id_token_validator",
        client.id_token_validator(),
        &[],
    );
}

#[tokio::test]
async fn code_flow_values_are_redacted() {
    let key = signing_key();
    let raw = jwt(&key, &claims(Some(NONCE)));
    let (_, client) = provider(&key, Some(raw.clone()), |_| reply(500, None, ""));
    let sig = raw.rsplit('.').next().unwrap().to_owned();
    let extra = [raw.as_str(), sig.as_str()];

    let request = client
        .authorization_request()
        .offline_access()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .id_token_hint(IdToken::new(raw.clone()))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap());
    debug_free("AuthorizationRequest", &request, &extra);
    let (nonce, access, code) = (
        Nonce::new(NONCE),
        AccessToken::new(ACCESS),
        AuthorizationCode::new(CODE),
    );
    let expectations = Expectations {
        nonce: Some(&nonce),
        access_token: Some(&access),
        code: Some(&code),
        ..Default::default()
    };
    debug_free("Expectations", &expectations, &extra);
    let (url, pending) = request.start().unwrap();
    debug_free("AuthorizationUrl", &url, &extra);
    debug_free("Pending", &pending, &extra);
    let received = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap();
    debug_free("CodeReceived", &received, &extra);
    let tokens = received.exchange(&client).await.unwrap();
    debug_free("Tokens<Offline>", &tokens, &extra);
    debug_free("IdTokenClaims", tokens.id_token_claims().unwrap(), &extra);
    let refreshed = tokens.refresh(&client).await.unwrap();
    debug_free("Tokens<Offline> refreshed", &refreshed, &extra);

    let response = TokenResponse::from_json(
        json!({
            "access_token": ACCESS, "token_type": "Bearer", "refresh_token": REFRESH,
            "id_token": raw, "expires_in": 60,
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    debug_free("TokenResponse", &response, &extra);
    debug_free("Jws", &Jws::parse(&raw).unwrap(), &extra);

    // Online tokens from a flow without offline_access.
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .start()
        .unwrap();
    let online = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    debug_free("Tokens<Online>", &online, &extra);

    // Endpoint requests holding a token.
    let subject = SubjectId::new(SUB);
    let access = AccessToken::new(ACCESS);
    let refresh = RefreshToken::new(REFRESH);
    debug_free(
        "UserInfoRequest",
        &client.userinfo_for_subject(&access, &subject),
        &extra,
    );
    debug_free(
        "UserInfoRequest (tokens)",
        &client.userinfo(&online),
        &extra,
    );
    debug_free("IntrospectionRequest", &client.introspect(&refresh), &extra);
    debug_free("RevocationRequest", &client.revoke(&access), &extra);

    // Logout with an id_token_hint and a state.
    let logout = client
        .logout_request()
        .id_token_hint(IdToken::new(raw.clone()))
        .state(State::new(STATE));
    debug_free("LogoutRequest", &logout, &extra);
    let url = logout.build().unwrap();
    debug_free("LogoutUrl", &url, &extra);
}

#[tokio::test]
async fn front_channel_flow_values_are_redacted() {
    let key = signing_key();
    let (_, client) = provider(&key, None, |_| reply(500, None, ""));

    // Hybrid `code id_token`: the front-channel ID token binds the code with c_hash.
    let mut c = claims(Some(NONCE));
    c["c_hash"] = half_hash(CODE).into();
    let front = jwt(&key, &c);
    let extra = [front.as_str()];
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .start_hybrid(HybridResponseType::CodeIdToken)
        .unwrap();
    debug_free("PendingHybrid", &pending, &extra);
    let received = pending
        .callback(
            &client,
            &format!("https://rp.example/cb#code={CODE}&state={STATE}&id_token={front}"),
        )
        .await
        .unwrap();
    debug_free("HybridReceived", &received, &extra);

    // Implicit `id_token`.
    let implicit_token = jwt(&key, &claims(Some(NONCE)));
    let extra = [implicit_token.as_str()];
    let request = client
        .implicit_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .id_token_hint(IdToken::new(implicit_token.clone()));
    debug_free("ImplicitRequest", &request, &extra);
    let (_, pending) = request.start().unwrap();
    debug_free("PendingImplicit", &pending, &extra);
    let verified = pending
        .callback(
            &client,
            &format!("https://rp.example/cb#state={STATE}&id_token={implicit_token}"),
        )
        .await
        .unwrap();
    debug_free("VerifiedIdToken", &verified, &extra);

    // Pushed authorization request.
    let (http_request, pushed) = client
        .authorization_request()
        .state(State::new(STATE))
        .nonce(Nonce::new(NONCE))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
        .push_request(&client)
        .unwrap();
    assert!(!http_request.body().is_empty());
    debug_free("PendingPush", &pushed, &[]);
}

#[tokio::test]
async fn grant_and_device_values_are_redacted() {
    let key = signing_key();
    let (_, client) = provider(&key, None, |request| match request.uri().path() {
        "/device" => json_reply(
            200,
            json!({
                "device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
                "verification_uri": "https://op.example/device", "expires_in": 600,
            }),
        ),
        _ => reply(500, None, ""),
    });

    let password = client.password_grant("alice", PASSWORD);
    debug_free("GrantRequest<Password>", &password, &[]);
    let exchange = client
        .token_exchange(SUBJECT_TOKEN, TokenTypeUri::AccessToken)
        .actor_token(ACTOR_TOKEN, TokenTypeUri::AccessToken);
    debug_free("GrantRequest<TokenExchange>", &exchange, &[]);
    let issued = exchange.send().await.unwrap();
    debug_free("IssuedToken", &issued, &[]);
    let credentials = client.client_credentials();
    debug_free("GrantRequest<ClientCredentials>", &credentials, &[]);

    let request = client.device_authorization_request().without_openid();
    debug_free("DeviceAuthorizationRequest", &request, &[]);
    let mut device = request.send(&client).await.unwrap();
    debug_free("DeviceAuthorization", &device, &[]);
    let poll = device.poll_once(&client).await.unwrap();
    debug_free("DevicePoll", &poll, &[]);
}

#[tokio::test]
async fn cas_values_are_redacted() {
    let success = format!(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
             <cas:authenticationSuccess>
               <cas:user>alice</cas:user>
               <cas:proxyGrantingTicket>{PGT_IOU}</cas:proxyGrantingTicket>
             </cas:authenticationSuccess>
           </cas:serviceResponse>"#
    );
    let outcome = parse_service_response(success.as_bytes()).unwrap();
    debug_free("CasOutcome::Success", &outcome, &[]);
    let failure = format!(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
             <cas:authenticationFailure code="INVALID_TICKET">Ticket '{TICKET}' not recognized; PGT {PGT_IOU}</cas:authenticationFailure>
           </cas:serviceResponse>"#
    );
    let outcome = parse_service_response(failure.as_bytes()).unwrap();
    debug_free("CasOutcome::Failure", &outcome, &[]);
    let cas = CasClient::new(
        "https://cas.example/cas",
        Mock::new(|_| reply(500, None, "")),
    )
    .unwrap();
    debug_free("CasClient", &cas, &[]);
}

#[test]
fn genauth_presets_are_redacted() {
    let app = GenAuth::new("https://tenant.genauth.example", "app-id-1")
        .unwrap()
        .app_secret(ClientSecret::new(CLIENT_SECRET));
    debug_free("GenAuth", &app, &[]);
    let mock = Refusing;
    let oidc = app.oidc(mock.clone()).unwrap();
    debug_free("GenAuthOidc", &oidc, &[]);
    let access_key_client = oidc
        .access_key_client(
            ClientId::new("ak-genauth"),
            ClientSecret::new(ACCESS_KEY_SECRET),
        )
        .unwrap();
    debug_free("GenAuth access-key client", &access_key_client, &[]);
    let access = AccessToken::new(ACCESS);
    debug_free("ValidateToken", &ValidateToken::AccessToken(&access), &[]);
    let oauth = app.oauth(mock.clone()).unwrap();
    debug_free("GenAuthOAuth", &oauth, &[]);
    let (_, pending) = oauth
        .token_request(
            Some(State::new(STATE)),
            Some(RedirectUrl::new("https://rp.example/cb").unwrap()),
        )
        .unwrap();
    debug_free("PendingOAuthToken", &pending, &[]);
    debug_free("GenAuthCas", &app.cas(mock).unwrap(), &[]);
    debug_free("GenAuthSaml", &app.saml(), &[]);
}
