//! Clients, accounts and keys registered at the test provider (`tests/provider/provider.mjs`).
//! Keep in sync with the `clients` array there. All secrets and keys are public TEST fixtures.

/// The one redirect URI registered for every client that has one.
pub const REDIRECT_URI: &str = "http://127.0.0.1/cb";
/// The one post-logout redirect URI registered for every client that has one.
pub const POST_LOGOUT_REDIRECT_URI: &str = "http://127.0.0.1/logged-out";

/// Public client (`token_endpoint_auth_method: none`); PKCE S256 is mandatory.
pub const PUBLIC_PKCE_ID: &str = "public-pkce";

/// `client_secret_basic`; also allowed the (test-only) `password` grant.
pub const BASIC_CLIENT_ID: &str = "basic-client";
pub const BASIC_CLIENT_SECRET: &str = "basic-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_post`.
pub const POST_CLIENT_ID: &str = "post-client";
pub const POST_CLIENT_SECRET: &str = "post-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_jwt` (HS256 assertion keyed with the secret).
pub const JWT_CLIENT_ID: &str = "jwt-client";
pub const JWT_CLIENT_SECRET: &str = "jwt-secret-0123456789abcdef0123456789abcdef";

/// `private_key_jwt`; its registered `jwks` holds the public halves of [`CLIENT_KEY_RSA_JSON`]
/// (kid `client-rsa`), [`CLIENT_KEY_EC_JSON`] (kid `client-ec`) and [`CLIENT_KEY_ED_JSON`]
/// (kid `client-ed`), so RS256/PS256, ES256 and EdDSA/Ed25519 assertions are accepted.
pub const PKJWT_CLIENT_ID: &str = "pkjwt-client";

/// `client_secret_basic`, ID tokens signed ES256 (provider key kid `ec1`).
pub const ES256_CLIENT_ID: &str = "es256-client";
pub const ES256_CLIENT_SECRET: &str = "es256-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_post`, ID tokens signed HS256 with the client secret.
pub const HS256_CLIENT_ID: &str = "hs256-client";
pub const HS256_CLIENT_SECRET: &str = "hs256-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_basic`, ID tokens signed EdDSA / Ed25519 (provider key kid `ed1`).
pub const EDDSA_CLIENT_ID: &str = "eddsa-client";
pub const EDDSA_CLIENT_SECRET: &str = "eddsa-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_basic`, ID tokens signed PS256 (provider key kid `rsa1`).
pub const PS256_CLIENT_ID: &str = "ps256-client";
pub const PS256_CLIENT_SECRET: &str = "ps256-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_basic`, `userinfo_signed_response_alg: RS256` (userinfo answers a JWT,
/// content-type `application/jwt`).
pub const JWT_USERINFO_CLIENT_ID: &str = "jwt-userinfo-client";
pub const JWT_USERINFO_CLIENT_SECRET: &str = "jwt-userinfo-secret-0123456789abcdef0123456789abcdef";

/// Public implicit client: response types `id_token` and `id_token token` (fragment).
pub const IMPLICIT_CLIENT_ID: &str = "implicit-client";

/// `client_secret_basic` hybrid client: `code id_token`, `code token`, `code id_token token`,
/// `code`; grants authorization_code, implicit, refresh_token.
pub const HYBRID_CLIENT_ID: &str = "hybrid-client";
pub const HYBRID_CLIENT_SECRET: &str = "hybrid-secret-0123456789abcdef0123456789abcdef";

/// `client_secret_basic`, client_credentials only (no redirect URI). DPoP is optional for it:
/// with a `DPoP` proof the token is DPoP-bound (`token_type: DPoP`), without one `Bearer`.
pub const CC_CLIENT_ID: &str = "cc-client";
pub const CC_CLIENT_SECRET: &str = "cc-secret-0123456789abcdef0123456789abcdef";

/// Public device-authorization-grant client (RFC 8628), plus refresh_token.
pub const DEVICE_CLIENT_ID: &str = "device-client";

/// Public client (`token_endpoint_auth_method: none`, PKCE S256 mandatory) with
/// `dpop_bound_access_tokens: true`: every token request (code, refresh) must carry a DPoP
/// proof (RFC 9449), else `invalid_grant`; tokens come back as `token_type: DPoP` and refresh
/// tokens are bound to the proof key.
pub const DPOP_PUBLIC_ID: &str = "dpop-public";

/// `private_key_jwt` (same `jwks` as [`PKJWT_CLIENT_ID`]) with
/// `require_signed_request_object: true` (JAR, RFC 9101): every authorization request (also
/// through PAR) must be a signed `request` object; any enabled alg (PS256, ES256, RS256,
/// EdDSA/Ed25519) with a key of the client JWKS. `request_uri` by reference is not supported.
pub const JAR_CLIENT_ID: &str = "jar-client";

/// `client_secret_basic`, `authorization_signed_response_alg: PS256` (JARM, provider key kid
/// `rsa1`). Only `response_mode=jwt|query.jwt|fragment.jwt|form_post.jwt` gives a signed
/// response; plain `query` still works.
pub const JARM_CLIENT_ID: &str = "jarm-client";
pub const JARM_CLIENT_SECRET: &str = "jarm-secret-0123456789abcdef0123456789abcdef";

/// Like [`JARM_CLIENT_ID`] with `authorization_signed_response_alg: ES256` (kid `ec1`).
pub const JARM_ES256_CLIENT_ID: &str = "jarm-es256-client";
pub const JARM_ES256_CLIENT_SECRET: &str = "jarm-es256-secret-0123456789abcdef0123456789abcdef";

/// FAPI 2.0 Security Profile client (the provider's `fapi.profile` is `2.0` for `fapi2-*`):
/// `private_key_jwt` (same `jwks` as [`PKJWT_CLIENT_ID`]; assertion `aud` must be exactly the
/// issuer string), `require_pushed_authorization_requests: true`, PKCE S256 and `redirect_uri`
/// required, `dpop_bound_access_tokens: true`, ID tokens PS256 (kid `rsa1`); grants
/// authorization_code, refresh_token, client_credentials.
pub const FAPI2_CLIENT_ID: &str = "fapi2-client";

/// FAPI 2.0 Message Signing client: like [`FAPI2_CLIENT_ID`] plus
/// `require_signed_request_object: true` (request object in the PAR body, must carry `exp`,
/// `nbf`, `aud` with `exp - nbf` in (0, 3600]), `authorization_signed_response_alg: PS256`
/// (JARM, kid `rsa1`) and ID tokens ES256 (kid `ec1`).
pub const FAPI2_MS_CLIENT_ID: &str = "fapi2-ms-client";

/// Value of the provider env var `OP_DPOP_NONCE` that makes DPoP nonces mandatory; start such
/// a provider with `TestProvider::start_with_env(&[DPOP_NONCE_REQUIRED_ENV])` or
/// `TestProvider::shared_with_env(&[DPOP_NONCE_REQUIRED_ENV])`.
pub const DPOP_NONCE_REQUIRED_ENV: (&str, &str) = ("OP_DPOP_NONCE", "required");

/// Resource indicator (RFC 8707) of an API whose access tokens are opaque (introspectable).
pub const API_RESOURCE: &str = "urn:example:api";
/// Resource indicator of an API whose access tokens are JWTs (RS256, `typ: at+jwt`); the
/// provider's introspection endpoint does not accept those.
pub const JWT_API_RESOURCE: &str = "urn:example:jwt-api";
/// Scopes both APIs know.
pub const API_SCOPES: &str = "api:read api:write";

/// Account the scripted login uses when the request has no `login_hint`.
pub const DEFAULT_ACCOUNT: &str = "alice";
/// `login_hint` value that makes the scripted interaction deny the request
/// (`error=access_denied`, `error_description=End-User denied the request`).
pub const DENY_LOGIN_HINT: &str = "deny";
/// Resource owner credentials accepted by the test-only `password` grant (for `basic-client`).
pub const PASSWORD_USERNAME: &str = "alice";
pub const PASSWORD_PASSWORD: &str = "wonderland";

/// Private RSA 2048 JWK (kid `client-rsa`) for `pkjwt-client` assertions.
pub const CLIENT_KEY_RSA_JSON: &str = include_str!("../provider/client-key.json");
/// Private P-256 JWK (kid `client-ec`) for `pkjwt-client` assertions.
pub const CLIENT_KEY_EC_JSON: &str = include_str!("../provider/client-key-ec.json");
/// Private Ed25519 JWK (kid `client-ed`, `kty: OKP`) for EdDSA / Ed25519 assertions and request
/// objects of the `private_key_jwt` clients (`pkjwt-client`, `jar-client`, `fapi2-client`,
/// `fapi2-ms-client`).
pub const CLIENT_KEY_ED_JSON: &str = include_str!("../provider/client-key-ed.json");
/// The provider's PRIVATE signing JWKS (kids `rsa1`, `ec1`, `ed1`), for tests that forge or
/// pin tokens (e.g. a hostile fake provider serving correctly signed but invalid ID tokens).
pub const PROVIDER_PRIVATE_JWKS_JSON: &str = include_str!("../provider/keys.json");

/// A registered client, for table-driven tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestClient {
    /// `client_id`.
    pub id: &'static str,
    /// `client_secret`, if any.
    pub secret: Option<&'static str>,
    /// `token_endpoint_auth_method`.
    pub auth_method: &'static str,
    /// `id_token_signed_response_alg` (`None` for clients that never get an ID token).
    pub id_token_alg: Option<&'static str>,
}

/// Every client that can run the authorization-code flow, with its auth method and ID token
/// algorithm.
pub const CODE_FLOW_CLIENTS: &[TestClient] = &[
    TestClient {
        id: PUBLIC_PKCE_ID,
        secret: None,
        auth_method: "none",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: BASIC_CLIENT_ID,
        secret: Some(BASIC_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: POST_CLIENT_ID,
        secret: Some(POST_CLIENT_SECRET),
        auth_method: "client_secret_post",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: JWT_CLIENT_ID,
        secret: Some(JWT_CLIENT_SECRET),
        auth_method: "client_secret_jwt",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: PKJWT_CLIENT_ID,
        secret: None,
        auth_method: "private_key_jwt",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: ES256_CLIENT_ID,
        secret: Some(ES256_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("ES256"),
    },
    TestClient {
        id: HS256_CLIENT_ID,
        secret: Some(HS256_CLIENT_SECRET),
        auth_method: "client_secret_post",
        id_token_alg: Some("HS256"),
    },
    TestClient {
        id: EDDSA_CLIENT_ID,
        secret: Some(EDDSA_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("EdDSA"),
    },
    TestClient {
        id: PS256_CLIENT_ID,
        secret: Some(PS256_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("PS256"),
    },
    TestClient {
        id: JWT_USERINFO_CLIENT_ID,
        secret: Some(JWT_USERINFO_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("RS256"),
    },
    TestClient {
        id: HYBRID_CLIENT_ID,
        secret: Some(HYBRID_CLIENT_SECRET),
        auth_method: "client_secret_basic",
        id_token_alg: Some("RS256"),
    },
];

/// `client_secret_basic`, token exchange (RFC 8693) only: the test-only grant registered in
/// the token exchange block of `tests/provider/provider.mjs`, which trades an opaque access
/// token the provider issued (e.g. by the password grant) for a new one for the same end-user.
pub const TE_CLIENT_ID: &str = "te-client";
pub const TE_CLIENT_SECRET: &str = "te-secret-0123456789abcdef0123456789abcdef";
/// Grant type of token exchange (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
