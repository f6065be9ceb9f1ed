//! Every error variant the crate produces, provoked with input that carries secrets,
//! checked for secrets in its `Display`, `Debug` and `source()` chain.
//!
//! Covered, by family (P = provoked through the public API, C = constructed, because
//! nothing outside the crate can produce it):
//! * `TransportError`: InsecureScheme (P), InvalidRequest (P), Connect (P), Timeout (P),
//!   BodyTooLarge (P), Io (P) — through the code exchange, UserInfo, introspection and
//!   revocation over the real `HyperClient`.
//! * `ProviderError` (`Error::Provider`): an error document or `WWW-Authenticate`
//!   challenge echoing the request's secrets, at the token endpoint (code exchange,
//!   refresh, password, token exchange, client credentials), UserInfo, introspection,
//!   revocation, PAR, device authorization, and an authorization-response error (P).
//! * `ValidationError`: DisallowedAlg, UnknownKey, Signature (ES256 and HS256),
//!   CriticalHeader, Issuer, AudienceMissingClient, UntrustedAudience, AzpMissing,
//!   AzpMismatch, Expired, IssuedInFuture, IssuedTooLongAgo, NotYetValid, MissingClaim,
//!   NonceMismatch, NonceMissing, AtHashMismatch, AtHashMissing, CHashMismatch,
//!   CHashMissing, AuthTimeMissing, AuthTimeTooOld, AcrRejected, SubjectMismatch,
//!   UnexpectedType (all P).
//! * `JoseError`: Malformed, Base64, Json, TooLarge, DuplicateMember, UnsupportedAlgorithm,
//!   UnsupportedKeyType, InvalidKey, InvalidSignature, KeyAlgorithmMismatch (P),
//!   Crypto (C: only a failing crypto provider produces it).
//! * `ResponseError`: UnexpectedStatus, ContentType, Json, Invalid (P).
//! * `CallbackError`: Malformed, StateMissing, StateMismatch, RepeatedParameter,
//!   MissingParameter, IssuerMissing, IssuerMismatch, RedirectMismatch (P).
//! * `DiscoveryError`: IssuerMismatch (P), Invalid (C: no code path builds it today).
//! * `ConfigError`: InvalidUrl, InvalidValue, UnsupportedByProvider, MissingCredential,
//!   PushedAuthorizationRequired (P).
//! * `DeviceError`: AccessDenied, ExpiredToken (P), Cancelled (P).
//! * `CasError`: Malformed, TooLarge, DocType, TooDeep, UnexpectedRoot (P).
//! * `DpopError` (`errors/dpop.rs`, checked to be every variant): NonceMissing (token, PAR,
//!   UserInfo, resource), InvalidNonce (a caller's nonce, token endpoint, resource),
//!   InvalidUrl (`htu`, `proof`, a resource request), TokenType (Bearer answer to a DPoP
//!   client, DPoP answer to a bearer client), UnsupportedAlgorithm (P); and a second
//!   `use_dpop_nonce` echoing the requests' secrets (`ProviderError`, P).
//! * FAPI 2.0 and JARM paths (`errors/dpop.rs`): build refusals (`ConfigError`), a callback
//!   without `iss`, a PAR error echoing secrets, and JARM responses that are forged,
//!   misaddressed, expired, from another issuer, with the wrong state, error responses
//!   echoing the state and nonce, or not a JWT (P).

use std::time::Duration;

use super::*;
use endpoint_mock::reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use typed_oidc::CasError;
use typed_oidc::cas::parse_service_response;
use typed_oidc::device::DeviceError;
use typed_oidc::error::{
    CallbackError, ConfigError, DiscoveryError, ProviderError, ResponseError, ValidationError,
};
use typed_oidc::grants::TokenTypeUri;
use typed_oidc::http::{HttpClient, HyperClient, TransportError};
use typed_oidc::jose::{JoseError, JwkSet, Jws, sign_compact_hmac};
use typed_oidc::token::TokenResponse;

/// Unwraps the error of `$result`, asserts its variant, and checks it for secrets.
macro_rules! leak_check {
    ($label:expr, $result:expr, $pat:pat $(, $extra:expr)?) => {{
        let label: &str = &$label;
        let error = match $result {
            Ok(_) => panic!("{label}: unexpectedly succeeded"),
            Err(e) => e,
        };
        assert!(matches!(error, $pat), "{label}: wrong variant {error:?}");
        let extra: &[&str] = &[$($extra)?];
        error_free(label, &error, extra);
        error
    }};
}

/// An RFC 6749 §5.2 error document whose every text member echoes `secrets`.
fn echo(status: u16, secrets: &[&str]) -> ::http::Response<Bytes> {
    json_reply(
        status,
        json!({
            "error": "invalid_request",
            "error_description": format!("rejected: {}", secrets.join(", ")),
            "error_uri": format!("https://op.example/errors?echo={}", secrets.join("&")),
        }),
    )
}

mod dpop;
mod other;
mod tokens;
mod transport;
