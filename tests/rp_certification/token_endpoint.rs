//! The "Client Authentication" group: what arrives at the token endpoint for each method
//! (RFC 6749 §2.3.1, OpenID Connect Core §9, RFC 7523 §2.2, §3).

use base64::Engine as _;
use serde_json::Value;
use typed_oidc::jose::{Jws, JwsAlgorithm, SigningKey, verify_hmac};
use typed_oidc::{AuthMethod, Client, ClientId, RedirectUrl};

use crate::common::*;
use crate::hostile_op::{Recorded, now};

/// The one token request of a code flow run with `client`.
async fn token_request<K: typed_oidc::BaseKind>(
    op: &HostileOp,
    client: &typed_oidc::Client<typed_oidc::http::HyperClient, K>,
) -> Recorded {
    let tokens = code_flow(op, client).await;
    assert_eq!(
        tokens.id_token_claims().unwrap().sub,
        SUB,
        "a token response with an ID token"
    );
    let requests = op.requests_to("/token");
    requests.last().cloned().unwrap()
}

/// Checks a client assertion's claims (RFC 7523 §3, OpenID Connect Core §9) and returns them.
fn check_assertion_claims(op: &HostileOp, jws: &Jws<'_>) -> Value {
    let claims: Value = serde_json::from_slice(jws.payload()).unwrap();
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["aud"], format!("{}/token", op.issuer()));
    assert!(
        claims["jti"].as_str().is_some_and(|j| j.len() >= 16),
        "{claims}"
    );
    let exp = claims["exp"].as_i64().unwrap();
    let iat = claims["iat"].as_i64().unwrap();
    assert!(exp > now() && exp <= now() + 600, "short-lived: exp {exp}");
    assert!(iat <= now() + 1 && iat < exp);
    claims
}

/// Checks the form of an assertion-authenticated request and returns the assertion.
fn assertion_of(sent: &Recorded) -> String {
    assert!(sent.header("authorization").is_none());
    assert!(sent.param("client_secret").is_none());
    assert_eq!(sent.param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(
        sent.param("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    sent.param("client_assertion").unwrap()
}

/// rp-token_endpoint-client_secret_basic: the credentials go in the `Authorization: Basic`
/// header, each form-encoded before base64 (RFC 6749 §2.3.1), and nowhere else.
#[tokio::test]
async fn rp_token_endpoint_client_secret_basic() {
    let op = op().await;
    let client = discover(&op, builder().auth_method(AuthMethod::ClientSecretBasic)).await;
    let sent = token_request(&op, &client).await;

    let header = sent.header("authorization").unwrap();
    let encoded = header.strip_prefix("Basic ").unwrap();
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap();
    let (user, password) = decoded.split_once(':').unwrap();
    // The secret's `&`, `:`, `+`, `/` and `=` are form-encoded, so the only `:` is the separator.
    assert!(
        !password.contains(':') && !password.contains('&'),
        "{password}"
    );
    let form_decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned()
    };
    assert_eq!(form_decode(user), CLIENT_ID);
    assert_eq!(form_decode(password), CLIENT_SECRET);
    assert!(sent.param("client_secret").is_none());
    assert!(sent.param("client_assertion").is_none());
}

/// rp-token_endpoint-client_secret_post: `client_id` and `client_secret` in the form body, no
/// `Authorization` header.
#[tokio::test]
async fn rp_token_endpoint_client_secret_post() {
    let op = op().await;
    let client = discover(&op, builder().auth_method(AuthMethod::ClientSecretPost)).await;
    let sent = token_request(&op, &client).await;
    assert!(sent.header("authorization").is_none());
    assert_eq!(
        sent.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(sent.param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(sent.param("client_secret").as_deref(), Some(CLIENT_SECRET));
    assert_eq!(
        sent.param("grant_type").as_deref(),
        Some("authorization_code")
    );
}

/// rp-token_endpoint-client_secret_jwt: an HS256 client assertion keyed with the secret; the
/// test verifies its MAC and claims, and that every request gets a fresh `jti`.
#[tokio::test]
async fn rp_token_endpoint_client_secret_jwt() {
    let op = op().await;
    let client = discover(&op, builder().auth_method(AuthMethod::ClientSecretJwt)).await;
    let mut jtis = Vec::new();
    for _ in 0..2 {
        let sent = token_request(&op, &client).await;
        let assertion = assertion_of(&sent);
        let jws = Jws::parse(&assertion).unwrap();
        assert_eq!(jws.header().alg, "HS256");
        verify_hmac(
            JwsAlgorithm::HS256,
            CLIENT_SECRET.as_bytes(),
            jws.signing_input().as_bytes(),
            jws.signature(),
        )
        .expect("the assertion is MACed with the client secret");
        assert!(
            verify_hmac(
                JwsAlgorithm::HS256,
                b"another-secret",
                jws.signing_input().as_bytes(),
                jws.signature()
            )
            .is_err()
        );
        let claims = check_assertion_claims(&op, &jws);
        jtis.push(claims["jti"].as_str().unwrap().to_owned());
    }
    assert_ne!(jtis[0], jtis[1], "jti is unique per assertion");
}

/// rp-token_endpoint-private_key_jwt: an assertion signed with the client's private key; the
/// test verifies it with the client's public key (ES256 and RS256 keys).
#[tokio::test]
async fn rp_token_endpoint_private_key_jwt() {
    let op = op().await;
    let keys = [
        (
            SigningKey::generate_ec_p256().unwrap().with_kid("rp-ec"),
            JwsAlgorithm::ES256,
        ),
        (
            SigningKey::from_pem(include_str!("../fixtures/jose/rsa2048_pkcs1.pem"))
                .unwrap()
                .with_kid("rp-rsa"),
            JwsAlgorithm::RS256,
        ),
    ];
    for (key, alg) in keys {
        let client = discover(
            &op,
            Client::builder(ClientId::new(CLIENT_ID))
                .private_key(key.clone())
                .assertion_alg(alg)
                .redirect_uri(RedirectUrl::new(REDIRECT_URI).unwrap()),
        )
        .await;
        assert_eq!(client.auth().method(), AuthMethod::PrivateKeyJwt);
        let sent = token_request(&op, &client).await;
        let assertion = assertion_of(&sent);
        let jws = Jws::parse(&assertion).unwrap();
        assert_eq!(jws.header().alg, alg.as_str());
        assert_eq!(jws.header().kid.as_deref(), key.kid());
        let public = key.public_key().unwrap();
        public
            .verify(alg, jws.signing_input().as_bytes(), jws.signature())
            .expect("the assertion is signed with the client's key");
        let other = SigningKey::generate_ec_p256()
            .unwrap()
            .public_key()
            .unwrap();
        assert!(
            other
                .verify(alg, jws.signing_input().as_bytes(), jws.signature())
                .is_err()
        );
        check_assertion_claims(&op, &jws);
    }
}
