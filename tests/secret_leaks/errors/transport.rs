//! Transport errors and provider error documents.

use super::*;

// ---- transport -------------------------------------------------------------------------------

/// A 127.0.0.1 server: `/token` resets the connection, `/userinfo` never answers,
/// `/introspect` sends a body above any small cap, `/revoke` closes mid-body.
async fn transport_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(30), async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                    if path.starts_with("/token") {
                        let _ = stream.set_zero_linger();
                    } else if path.starts_with("/userinfo") {
                        tokio::time::sleep(Duration::from_secs(20)).await;
                    } else if path.starts_with("/introspect") {
                        let body = format!("{{\"echo\":\"{ACCESS} {CLIENT_SECRET}\"}}");
                        let _ = stream
                            .write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    } else {
                        let _ = stream
                            .write_all(format!("HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{}", &REFRESH[..10]).as_bytes())
                            .await;
                    }
                });
            }
        })
        .await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn transport_errors_carry_no_secret() {
    let base = transport_server().await;
    let mut md = ProviderMetadata::new(IssuerUrl::new(&base).unwrap());
    let url = |p: &str| Some(EndpointUrl::new(&format!("{base}{p}")).unwrap());
    md.authorization_endpoint = url("/authorize");
    md.token_endpoint = url("/token");
    md.userinfo_endpoint = url("/userinfo");
    md.introspection_endpoint = url("/introspect");
    md.revocation_endpoint = url("/revoke");
    md.jwks_uri = url("/jwks");
    let http = HyperClient::builder()
        .timeout(Duration::from_millis(400))
        .max_response_bytes(16)
        .build()
        .unwrap();
    let client = builder().build(md, http.clone()).unwrap();

    // Io: the code exchange (code, verifier and Basic secret in the request) is reset.
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
        .start()
        .unwrap();
    let received = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap();
    leak_check!(
        "exchange reset",
        received.exchange(&client).await,
        Error::Transport(TransportError::Io(_))
    );
    // Timeout: UserInfo with the bearer token never answered.
    let access = AccessToken::new(ACCESS);
    leak_check!(
        "userinfo timeout",
        client
            .userinfo_for_subject(&access, &SubjectId::new(SUB))
            .send()
            .await,
        Error::Transport(TransportError::Timeout { .. })
    );
    // BodyTooLarge: introspection of the refresh token.
    leak_check!(
        "introspection cap",
        client.introspect(&RefreshToken::new(REFRESH)).send().await,
        Error::Transport(TransportError::BodyTooLarge { .. })
    );
    // Io while reading a body, at revocation.
    leak_check!(
        "revocation mid-body",
        client.revoke(&RefreshToken::new(REFRESH)).send().await,
        Error::Transport(TransportError::Io(_))
    );
    // Connect: nothing listens on the port any more.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let request = |uri: String| {
        ::http::Request::post(uri)
            .header("authorization", format!("Bearer {ACCESS}"))
            .body(format!("client_secret={CLIENT_SECRET}&code={CODE}").into_bytes())
            .unwrap()
    };
    leak_check!(
        "connect refused",
        http.execute(request(format!(
            "http://{closed}/token?code={CODE}&state={STATE}"
        )))
        .await,
        TransportError::Connect { .. }
    );
    // InsecureScheme and InvalidRequest: refused before any I/O.
    leak_check!(
        "insecure scheme",
        http.execute(request(format!("http://op.example/token?code={CODE}")))
            .await,
        TransportError::InsecureScheme { .. }
    );
    leak_check!(
        "userinfo in URI",
        http.execute(request(format!(
            "https://{CLIENT_ID}:{CLIENT_SECRET}@op.example/token"
        )))
        .await,
        TransportError::InvalidRequest(_)
    );
    leak_check!(
        "unsupported scheme",
        http.execute(request(format!("ftp://op.example/token?code={CODE}")))
            .await,
        TransportError::InvalidRequest(_)
    );
}

// ---- provider error documents echoing the request's secrets ----------------------------------

#[tokio::test]
async fn provider_errors_echoing_secrets_carry_none() {
    let key = signing_key();
    let (_, client) = provider(&key, None, |_| reply(500, None, ""));
    let md = metadata();
    let failing = |secrets: &'static [&'static str]| {
        let mock = Mock::new(move |request| {
            if request.uri().path() == "/userinfo" {
                let mut r = reply(401, None, "");
                r.headers_mut().insert(
                    "www-authenticate",
                    format!(
                        "Bearer error=\"invalid_token\", error_description=\"token {} is expired\"",
                        secrets.join(" ")
                    )
                    .parse()
                    .unwrap(),
                );
                return r;
            }
            echo(400, secrets)
        });
        builder().build(md.clone(), mock).unwrap()
    };

    // Code exchange: the provider echoes the code, the verifier and the client secret.
    let c = failing(&[CODE, VERIFIER, CLIENT_SECRET]);
    let (_, pending) = c
        .authorization_request()
        .state(State::new(STATE))
        .code_verifier(CodeVerifier::parse(VERIFIER).unwrap())
        .start()
        .unwrap();
    let received = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={STATE}"))
        .unwrap();
    leak_check!(
        "exchange",
        received.exchange(&c).await,
        Error::Provider(ProviderError { .. })
    );

    // Refresh: echoes the refresh token.
    let (_, pending) = client
        .authorization_request()
        .without_openid()
        .offline_access()
        .start()
        .unwrap();
    let state = pending.state().secret().to_owned();
    let tokens = pending
        .callback(&format!("https://rp.example/cb?code={CODE}&state={state}"))
        .unwrap()
        .exchange(&client)
        .await
        .unwrap();
    let c = failing(&[REFRESH, CLIENT_SECRET]);
    leak_check!(
        "refresh",
        tokens.refresh(&c).await,
        Error::Provider(ProviderError { .. })
    );

    // Password, token exchange, client credentials.
    let c = failing(&[PASSWORD, CLIENT_SECRET]);
    leak_check!(
        "password grant",
        c.password_grant("alice", PASSWORD).send().await,
        Error::Provider(ProviderError { .. })
    );
    let c = failing(&[SUBJECT_TOKEN, ACTOR_TOKEN]);
    leak_check!(
        "token exchange",
        c.token_exchange(SUBJECT_TOKEN, TokenTypeUri::AccessToken)
            .actor_token(ACTOR_TOKEN, TokenTypeUri::AccessToken)
            .send()
            .await,
        Error::Provider(ProviderError { .. })
    );
    let c = failing(&[CLIENT_SECRET]);
    leak_check!(
        "client credentials",
        c.client_credentials().send().await,
        Error::Provider(ProviderError { .. })
    );

    // UserInfo (WWW-Authenticate), introspection, revocation.
    let c = failing(&[ACCESS]);
    let access = AccessToken::new(ACCESS);
    leak_check!(
        "userinfo",
        c.userinfo_for_subject(&access, &SubjectId::new(SUB))
            .send()
            .await,
        Error::Provider(ProviderError { .. })
    );
    leak_check!(
        "introspection",
        c.introspect(&access).send().await,
        Error::Provider(ProviderError { .. })
    );
    leak_check!(
        "revocation",
        c.revoke(&access).send().await,
        Error::Provider(ProviderError { .. })
    );

    // private_key_jwt: the provider echoes the client assertion it was sent.
    let echo_assertion = Mock::new(|request| {
        let assertion = url::form_urlencoded::parse(request.body())
            .find(|(k, _)| k == "client_assertion")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        assert!(assertion.len() > 40, "no client assertion sent");
        json_reply(
            401,
            json!({"error": "invalid_client", "error_description": format!("bad assertion {assertion}")}),
        )
    });
    let key_client = Client::builder(ClientId::new(CLIENT_ID))
        .private_key(signing_key())
        .build(md.clone(), echo_assertion)
        .unwrap();
    let e = leak_check!(
        "client assertion echoed",
        key_client.client_credentials().send().await,
        Error::Provider(ProviderError { .. })
    );
    assert!(e.to_string().contains("[redacted]"), "{e}");

    // PAR and device authorization.
    let c = failing(&[STATE, NONCE, CLIENT_SECRET]);
    leak_check!(
        "par",
        c.authorization_request()
            .state(State::new(STATE))
            .nonce(Nonce::new(NONCE))
            .start_pushed(&c)
            .await,
        Error::Provider(ProviderError { .. })
    );
    let c = failing(&[CLIENT_SECRET]);
    leak_check!(
        "device authorization",
        c.device_authorization_request().send(&c).await,
        Error::Provider(ProviderError { .. })
    );

    // An authorization-response error whose description echoes the state.
    let (_, pending) = client
        .authorization_request()
        .state(State::new(STATE))
        .start()
        .unwrap();
    leak_check!(
        "authorization response error",
        pending.callback(&format!(
            "https://rp.example/cb?error=access_denied&error_description=state+{STATE}+denied&state={STATE}"
        )),
        Error::Provider(ProviderError { .. })
    );
}
