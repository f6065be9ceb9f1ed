//! Secret hygiene: no `{:?}`, `{:#?}` or `{}` output of a public type, and no
//! error (its `Display`, `Debug` and whole `source()` chain), ever contains a
//! secret value, nor its base64 / base64url / percent-encoded form.
//!
//! Every secret used here contains the marker `LEAKCANARY`, so a check for the
//! marker catches any of them verbatim; the encoded forms are checked one by one.
//! Private keys are checked by their PEM body and their JWK `d`.
//!
//! Covered types (`types.rs`): ClientSecret, AuthorizationCode, AccessToken,
//! RefreshToken, IdToken, State, Nonce, CodeVerifier, CasTicket, CasSuccess,
//! CasOutcome (failure message echoing a ticket), SigningKey (generated
//! RSA/EC/Ed25519, from_pem, from_jwk), Jwk (parsed from a private JWK), Jws,
//! ClientAuth (secret, private key), IdTokenValidator, Client, ClientBuilder
//! (secret, key), AuthorizationRequest (with id_token_hint), Expectations,
//! AuthorizationUrl (Debug), Pending, CodeReceived, Tokens<Online>,
//! Tokens<Offline>, IdTokenClaims, TokenResponse, PendingHybrid, HybridReceived,
//! ImplicitRequest, PendingImplicit, VerifiedIdToken, PendingPush, GrantRequest
//! (password, token exchange with subject and actor tokens), IssuedToken,
//! DeviceAuthorizationRequest, DeviceAuthorization, DevicePoll, LogoutRequest,
//! LogoutUrl (Debug), UserInfoRequest, IntrospectionRequest, RevocationRequest,
//! GenAuth, GenAuthOidc, GenAuthOAuth (and its access-key client), GenAuthCas,
//! GenAuthSaml, PendingOAuthToken, ValidateToken, and TokenValidation (a refusal
//! quoting the token, in `errors/other.rs`).
//!
//! DPoP and FAPI 2.0 (`dpop.rs`): DpopKey (from the test provider's EC, RSA and OKP
//! private JWKs, and generated P-256/P-384/RSA/Ed25519 keys, checked against their
//! private members / PKCS#8 PEM; its public JWK and a proof too), ClientBuilder<Dpop<_>>,
//! Client<_, Dpop<Confidential|Public>>, DpopAccessToken, Pending / CodeReceived of a
//! DPoP client, Tokens<Offline, DpopBound> (exchange and refresh) and
//! Tokens<Online, DpopBound> (sans-IO `token_request` + `finish`), UserInfoRequest and
//! ResourceRequest with a DPoP-bound token (secrets in the URL query, headers and body),
//! Fapi2Builder (both profiles), Fapi2<_, SecurityProfile|MessageSigning>,
//! FapiAuthorizationRequest, FapiPending, FapiCodeReceived (checked against the PKCE
//! verifier and client assertion learnt from the token request, and the pushed request
//! object), FAPI Tokens, and the FAPI UserInfo, resource, client-credentials,
//! introspection and revocation requests.
//!
//! Three leaks these tests found were fixed: userinfo in a resource URL reached
//! `ResourceRequest`'s `Debug` (`dpop::resource_request_debug_hides_url_userinfo`), a
//! `token_type` echoing secrets reached `DpopError::TokenType`
//! (`errors::dpop::token_type_echoing_secrets_carries_none`), and provider text echoing a
//! DPoP proof was not scrubbed (`errors::dpop::second_use_dpop_nonce_echoing_proofs_carries_none`).
//!
//! By design, and not checked: `AuthorizationUrl`'s and `LogoutUrl`'s `Display`
//! (and `as_str`) are the URL to send the user agent to, so they carry `state`,
//! `nonce` and `id_token_hint`; `CodeChallenge` is front-channel data (for the
//! `plain` method it equals the verifier, which is why S256 is the default); a
//! device authorization's `user_code` is printed (it is meant to be shown); the
//! serde forms of pending flows hold their secrets so a session can restore them.
//!
//! Covered errors (`errors/`), each provoked with input carrying secrets: see
//! the list at the top of that file.

#[path = "secret_leaks/dpop.rs"]
mod dpop;
mod endpoint_mock;
#[path = "secret_leaks/errors/mod.rs"]
mod errors;
#[path = "secret_leaks/types.rs"]
mod types;

use std::fmt::{Debug, Display};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use endpoint_mock::{Mock, es256_key, json_reply, now};
use serde_json::{Map, Value, json};
use typed_oidc::jose::{JwsAlgorithm, SigningKey, sign_compact};
use typed_oidc::types::EndpointUrl;
use typed_oidc::*;

pub const ISSUER: &str = "https://op.example";
pub const CLIENT_ID: &str = "leak-rp";
pub const CLIENT_SECRET: &str = "cs-LEAKCANARY-client-secret-6b1f0a9e";
pub const CODE: &str = "code-LEAKCANARY-authz-91ce";
pub const ACCESS: &str = "at-LEAKCANARY-access-3d7e";
pub const REFRESH: &str = "rt-LEAKCANARY-refresh-58aa";
pub const VERIFIER: &str = "verifier-LEAKCANARY-pkce-0123456789abcdefghijklmnop";
pub const STATE: &str = "state-LEAKCANARY-0c4d";
pub const NONCE: &str = "nonce-LEAKCANARY-77e2";
pub const PASSWORD: &str = "pw-LEAKCANARY-hunter2";
pub const DEVICE_CODE: &str = "dc-LEAKCANARY-device-code";
pub const SUBJECT_TOKEN: &str = "st-LEAKCANARY-subject-token";
pub const ACTOR_TOKEN: &str = "act-LEAKCANARY-actor-token";
pub const TICKET: &str = "ST-LEAKCANARY-ticket-1";
pub const PGT_IOU: &str = "PGTIOU-LEAKCANARY-iou-1";
pub const ACCESS_KEY_SECRET: &str = "sk-LEAKCANARY-genauth-access-key";
pub const SUB: &str = "alice";

/// Every plain secret above.
pub const ALL: &[&str] = &[
    CLIENT_SECRET,
    CODE,
    ACCESS,
    REFRESH,
    VERIFIER,
    STATE,
    NONCE,
    PASSWORD,
    DEVICE_CODE,
    SUBJECT_TOKEN,
    ACTOR_TOKEN,
    TICKET,
    PGT_IOU,
    ACCESS_KEY_SECRET,
];

/// The forms a secret may travel in: verbatim, base64, base64url, percent-encoded,
/// and `client_id:secret` in Basic authentication.
fn encodings(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
    ];
    for id in [CLIENT_ID, "ak-genauth"] {
        forms.push(STANDARD.encode(format!("{id}:{secret}")));
    }
    forms
}

/// Fails if `text` contains the marker, any encoded form of a known secret, or any
/// of the `extra` secrets (raw tokens, key material).
#[track_caller]
pub fn assert_free(label: &str, text: &str, extra: &[&str]) {
    assert!(
        !text.contains("LEAKCANARY"),
        "{label}: a secret leaked into:\n{text}"
    );
    for secret in ALL {
        for form in encodings(secret) {
            assert!(
                !text.contains(&form),
                "{label}: an encoded secret ({form}) leaked into:\n{text}"
            );
        }
    }
    for secret in extra.iter().filter(|s| s.len() >= 8) {
        assert!(
            !text.contains(secret),
            "{label}: secret material ({secret}) leaked into:\n{text}"
        );
    }
}

/// Checks `{:?}` and `{:#?}`.
#[track_caller]
pub fn debug_free<T: Debug + ?Sized>(label: &str, value: &T, extra: &[&str]) {
    assert_free(&format!("{label} {{:?}}"), &format!("{value:?}"), extra);
    assert_free(&format!("{label} {{:#?}}"), &format!("{value:#?}"), extra);
}

/// Checks `{}`, `{:?}` and `{:#?}`.
#[track_caller]
pub fn all_free<T: Debug + Display + ?Sized>(label: &str, value: &T, extra: &[&str]) {
    debug_free(label, value, extra);
    assert_free(&format!("{label} {{}}"), &format!("{value}"), extra);
}

/// Checks an error's `Display`, `Debug`, `{:#?}` and every error in its `source()` chain.
#[track_caller]
pub fn error_free(label: &str, error: &(dyn std::error::Error + 'static), extra: &[&str]) {
    let mut current = Some(error);
    let mut depth = 0;
    while let Some(e) = current {
        let label = format!("{label} (source #{depth})");
        assert_free(&label, &e.to_string(), extra);
        assert_free(&label, &format!("{e:?}"), extra);
        assert_free(&label, &format!("{e:#?}"), extra);
        current = e.source();
        depth += 1;
        assert!(depth < 16, "{label}: source chain too long");
    }
}

// ---- a scripted provider ---------------------------------------------------------------------

pub fn metadata() -> ProviderMetadata {
    let mut md = ProviderMetadata::new(IssuerUrl::new(ISSUER).unwrap());
    let url = |p: &str| Some(EndpointUrl::new(&format!("{ISSUER}{p}")).unwrap());
    md.authorization_endpoint = url("/authorize");
    md.token_endpoint = url("/token");
    md.jwks_uri = url("/jwks");
    md.userinfo_endpoint = url("/userinfo");
    md.introspection_endpoint = url("/introspect");
    md.revocation_endpoint = url("/revoke");
    md.end_session_endpoint = url("/logout");
    md.device_authorization_endpoint = url("/device");
    md.pushed_authorization_request_endpoint = url("/par");
    md
}

pub fn builder() -> ClientBuilder<Confidential> {
    Client::builder(ClientId::new(CLIENT_ID))
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new("https://rp.example/cb").unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::ES256, JwsAlgorithm::HS256])
}

/// An ES256 JWT with `claims` (and `typ: JWT`).
pub fn jwt(key: &SigningKey, claims: &Value) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    sign_compact(
        key,
        JwsAlgorithm::ES256,
        header,
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

/// The usual good claims for an ID token from `ISSUER` to this client.
pub fn claims(nonce: Option<&str>) -> Value {
    let mut c = json!({
        "iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "iat": now(), "exp": now() + 600,
    });
    if let Some(n) = nonce {
        c["nonce"] = n.into();
    }
    c
}

/// `base64url(left half of SHA-256(value))`: `at_hash` / `c_hash` for ES256.
pub fn half_hash(value: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// A provider whose token endpoint issues `ACCESS`/`REFRESH` and, when `id_token` is
/// set, that ID token; its JWKS serves `key`; every other path answers with `other`.
pub fn provider(
    key: &SigningKey,
    id_token: Option<String>,
    other: impl Fn(&::http::Request<Vec<u8>>) -> ::http::Response<Bytes> + Send + Sync + 'static,
) -> (Mock, Client<Mock>) {
    let jwk = key.public_jwk();
    let mock = Mock::new(move |request| match request.uri().path() {
        "/jwks" => json_reply(200, json!({ "keys": [jwk] })),
        "/token" => {
            let mut body = json!({
                "access_token": ACCESS, "token_type": "Bearer", "expires_in": 600,
                "refresh_token": REFRESH,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            });
            if let Some(t) = &id_token {
                body["id_token"] = t.clone().into();
            }
            json_reply(200, body)
        }
        _ => other(request),
    });
    let client = builder().build(metadata(), mock.clone()).unwrap();
    (mock, client)
}

pub fn signing_key() -> SigningKey {
    es256_key("k1")
}
