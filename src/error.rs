//! The crate's one error type and its families.
//!
//! [`Error`] has one variant per family — transport, provider error response,
//! validation, JOSE, malformed response, callback, discovery, configuration —
//! and each family is an enum a caller can `match` on to find the rule that
//! failed. No message ever contains a token, secret, code or verifier.

use std::fmt;

pub use crate::cas::CasError;
pub use crate::device::DeviceError;
pub use crate::dpop::DpopError;
pub use crate::http::TransportError;
pub use crate::jose::JoseError;

/// Every way a typed-oidc operation can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request did not reach the provider or its response could not be read.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// The provider answered with an RFC 6749 §5.2 / §4.1.2.1 error response.
    #[error("provider error: {0}")]
    Provider(#[from] ProviderError),
    /// A token failed one of the OpenID Connect validation rules.
    #[error("validation: {0}")]
    Validation(#[from] ValidationError),
    /// A JWS, JWK or JWK Set is malformed or unusable.
    #[error("JOSE: {0}")]
    Jose(#[from] JoseError),
    /// A provider response is not what the protocol requires (status, content type, JSON).
    #[error("response: {0}")]
    Response(#[from] ResponseError),
    /// The authorization response (redirect callback) is malformed or does not match the request.
    #[error("callback: {0}")]
    Callback(#[from] CallbackError),
    /// Discovery of the provider's metadata failed.
    #[error("discovery: {0}")]
    Discovery(#[from] DiscoveryError),
    /// The client or request is misconfigured, or the provider does not support what was asked.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// A device authorization (RFC 8628) was denied, expired or cancelled.
    #[error("device authorization: {0}")]
    Device(#[from] DeviceError),
    /// A DPoP proof could not be made, a `DPoP-Nonce` is malformed or missing, or a token
    /// type does not fit the client's binding (RFC 9449); see [`crate::dpop`].
    #[error("DPoP: {0}")]
    Dpop(#[from] DpopError),
    /// A CAS validation response is malformed, oversized or refused (CAS Protocol
    /// 3.0 §2.4.2, §2.5.2, §2.6.2); see [`crate::cas`].
    #[error("CAS: {0}")]
    Cas(#[from] CasError),
}

/// An OAuth 2.0 error response (RFC 6749 §4.1.2.1 and §5.2).
///
/// `error_description` and `error_uri` are provider text; they are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The `error` code, e.g. `invalid_grant` or `access_denied`.
    pub error: String,
    /// The optional human-readable `error_description`.
    pub error_description: Option<String>,
    /// The optional `error_uri`.
    pub error_uri: Option<String>,
    /// The HTTP status, when the error came in an HTTP response (not in a redirect).
    pub status: Option<u16>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(d) = &self.error_description {
            write!(f, ": {d}")?;
        }
        if let Some(u) = &self.error_uri {
            write!(f, " (see {u})")?;
        }
        if let Some(s) = self.status {
            write!(f, " [HTTP {s}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

/// A broken ID-token (or other JWT) validation rule, one variant per rule
/// (OpenID Connect Core 1.0 §3.1.3.7, §3.2.2.11, §3.3.2.12, §12.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The JWS `alg` is not in the allow-list (or is `none`).
    #[error("signing algorithm {alg:?} is not allowed")]
    DisallowedAlg {
        /// The `alg` the token named, shortened to 64 characters (header strings are
        /// unauthenticated input).
        alg: String,
    },
    /// No key in the provider's JWK Set matches the token header.
    #[error("no key matches kid {kid:?} for alg {alg}")]
    UnknownKey {
        /// The `kid` the token named, if any, shortened to 64 characters.
        kid: Option<String>,
        /// The `alg` the token named.
        alg: String,
    },
    /// The signature does not verify.
    #[error("signature verification failed")]
    Signature,
    /// The JWS header carries a `crit` extension this crate does not understand (its name,
    /// shortened to 64 characters).
    #[error("unsupported critical header extension {0:?}")]
    CriticalHeader(String),
    /// `iss` is not the provider's issuer.
    #[error("issuer mismatch: expected {expected}, got {actual}")]
    Issuer {
        /// The issuer from the provider metadata.
        expected: String,
        /// The `iss` claim.
        actual: String,
    },
    /// `aud` does not contain the client id.
    #[error("audience does not contain client id {client_id}")]
    AudienceMissingClient {
        /// This client's id.
        client_id: String,
    },
    /// `aud` contains an audience that is neither the client nor trusted.
    #[error("untrusted audience {0}")]
    UntrustedAudience(String),
    /// `azp` is required (several audiences) but absent.
    #[error("azp is required when the token has several audiences")]
    AzpMissing,
    /// `azp` is present but is not the client id.
    #[error("azp {actual} is not the client id {expected}")]
    AzpMismatch {
        /// This client's id.
        expected: String,
        /// The `azp` claim.
        actual: String,
    },
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired at {exp} (now {now}, leeway {leeway} s)")]
    Expired {
        /// `exp`, seconds since the epoch.
        exp: i64,
        /// The validator clock, seconds since the epoch.
        now: i64,
        /// The allowed clock skew in seconds.
        leeway: u64,
    },
    /// `iat` lies in the future (beyond the leeway).
    #[error("token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// `iat`, seconds since the epoch.
        iat: i64,
        /// The validator clock.
        now: i64,
    },
    /// `iat` is older than the configured minimum.
    #[error("token issued at {iat}, before the accepted minimum {min}")]
    IssuedTooLongAgo {
        /// `iat`.
        iat: i64,
        /// The minimum accepted `iat`.
        min: i64,
    },
    /// `nbf` lies in the future (beyond the leeway).
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// The validator clock.
        now: i64,
    },
    /// A required claim is absent or has the wrong JSON type.
    #[error("claim {0} is missing or malformed")]
    MissingClaim(&'static str),
    /// The `nonce` claim does not equal the nonce sent in the request.
    #[error("nonce mismatch")]
    NonceMismatch,
    /// A nonce was sent but the token has none.
    #[error("nonce missing from the token")]
    NonceMissing,
    /// `at_hash` does not match the access token.
    #[error("at_hash does not match the access token")]
    AtHashMismatch,
    /// `at_hash` is required (implicit/hybrid with an access token) but absent.
    #[error("at_hash is required but missing")]
    AtHashMissing,
    /// `c_hash` does not match the authorization code.
    #[error("c_hash does not match the authorization code")]
    CHashMismatch,
    /// `c_hash` is required but absent.
    #[error("c_hash is required but missing")]
    CHashMissing,
    /// `auth_time` is required (max_age was sent) but absent.
    #[error("auth_time is required because max_age was requested")]
    AuthTimeMissing,
    /// The end-user authenticated longer ago than `max_age` allows.
    #[error("authentication at {auth_time} is older than max_age {max_age} s (now {now})")]
    AuthTimeTooOld {
        /// `auth_time`.
        auth_time: i64,
        /// The requested `max_age`.
        max_age: u64,
        /// The validator clock.
        now: i64,
    },
    /// The `acr` hook rejected the token's `acr`.
    #[error("acr {0:?} rejected")]
    AcrRejected(Option<String>),
    /// A refreshed or second ID token names another subject than the first.
    #[error("subject changed from {expected} to {actual}")]
    SubjectMismatch {
        /// The subject of the original ID token.
        expected: String,
        /// The subject of the new token.
        actual: String,
    },
    /// A refreshed or second ID token has other audiences than the first (OpenID Connect
    /// Core §12.2: "its aud Claim Value MUST be the same").
    #[error("audience changed from {expected:?} to {actual:?}")]
    AudienceChanged {
        /// The audiences of the original ID token.
        expected: Vec<String>,
        /// The audiences of the new token.
        actual: Vec<String>,
    },
    /// A refreshed or second ID token has another (or a new, or no longer an) `azp`
    /// (OpenID Connect Core §12.2).
    #[error("azp changed from {expected:?} to {actual:?}")]
    AzpChanged {
        /// The `azp` of the original ID token.
        expected: Option<String>,
        /// The `azp` of the new token.
        actual: Option<String>,
    },
    /// A refreshed or second ID token carries an `auth_time` that is not the time of the
    /// original authentication (OpenID Connect Core §12.2).
    #[error("auth_time changed from {expected} to {actual}")]
    AuthTimeChanged {
        /// The `auth_time` of the original ID token.
        expected: i64,
        /// The `auth_time` of the new token.
        actual: i64,
    },
    /// The `typ` header names a type that is not a JWT, or a `cty` is present (the value,
    /// shortened to 64 characters; `cty …` for a `cty`).
    #[error("unexpected typ header {0:?}")]
    UnexpectedType(String),
}

/// A provider response that does not have the shape the protocol requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The status is not a success and the body is not an OAuth error document.
    #[error("{endpoint} answered HTTP {status}")]
    UnexpectedStatus {
        /// Which endpoint (e.g. `"token"`).
        endpoint: &'static str,
        /// The HTTP status code.
        status: u16,
    },
    /// The `Content-Type` is not what the endpoint must send.
    #[error("{endpoint} answered with content type {content_type:?}, expected {expected}")]
    ContentType {
        /// Which endpoint.
        endpoint: &'static str,
        /// The content type received (empty when absent).
        content_type: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The body is not valid JSON of the expected shape; `detail` is the serde path and message.
    #[error("{endpoint} returned malformed JSON: {detail}")]
    Json {
        /// Which endpoint.
        endpoint: &'static str,
        /// The parser's message (never the body itself).
        detail: String,
    },
    /// A required member is missing or invalid.
    #[error("{endpoint} response: {detail}")]
    Invalid {
        /// Which endpoint.
        endpoint: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// An authorization response that is malformed or belongs to another request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The callback URL or form body could not be parsed.
    #[error("malformed callback: {0}")]
    Malformed(String),
    /// The `state` parameter is absent.
    #[error("state parameter missing")]
    StateMissing,
    /// The `state` parameter does not match the pending request (possible CSRF).
    #[error("state mismatch")]
    StateMismatch,
    /// A parameter appears more than once.
    #[error("parameter {0} repeated")]
    RepeatedParameter(String),
    /// A required parameter (e.g. `code`) is absent.
    #[error("parameter {0} missing")]
    MissingParameter(&'static str),
    /// The RFC 9207 `iss` parameter is absent although the provider advertises it.
    #[error("iss parameter missing although the provider advertises RFC 9207")]
    IssuerMissing,
    /// The RFC 9207 `iss` parameter names another issuer (possible mix-up attack).
    #[error("iss parameter {actual} does not match issuer {expected}")]
    IssuerMismatch {
        /// The expected issuer.
        expected: String,
        /// The `iss` received, without control characters and shortened to 256 characters
        /// (it is unauthenticated input).
        actual: String,
    },
    /// The callback was delivered to another URL than the request's redirect URI.
    #[error("callback URL does not match the redirect URI")]
    RedirectMismatch,
}

/// A failure to discover or accept provider metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The metadata's `issuer` is not the issuer it was fetched for.
    #[error("metadata issuer {actual} does not match {expected}")]
    IssuerMismatch {
        /// The issuer discovery was started from.
        expected: String,
        /// The issuer in the document.
        actual: String,
    },
    /// A required metadata member is missing or invalid.
    #[error("metadata member {member}: {detail}")]
    Invalid {
        /// The member name.
        member: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// A misconfiguration, or a feature the provider does not support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL is malformed or has a forbidden scheme or part.
    #[error("invalid URL for {what}: {detail}")]
    InvalidUrl {
        /// What the URL is for.
        what: &'static str,
        /// Why it was refused.
        detail: String,
    },
    /// A value breaks the syntax its specification requires.
    #[error("invalid {what}: {detail}")]
    InvalidValue {
        /// What the value is.
        what: &'static str,
        /// Why it was refused.
        detail: String,
    },
    /// The provider does not advertise the endpoint or feature.
    #[error("the provider does not support {0}")]
    UnsupportedByProvider(&'static str),
    /// The client lacks what the operation needs (e.g. a secret for client_secret_jwt).
    #[error("client is missing {0}")]
    MissingCredential(&'static str),
    /// The provider requires pushed authorization requests (RFC 9126 §5,
    /// `require_pushed_authorization_requests`), so a plain authorization URL would
    /// be refused: use `AuthorizationRequest::start_pushed` or `start_auto`.
    #[error(
        "the provider requires pushed authorization requests (RFC 9126): use start_pushed or start_auto"
    )]
    PushedAuthorizationRequired,
}

/// Shorthand for `Result<T, typed_oidc::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
