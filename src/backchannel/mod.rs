//! OpenID Connect Back-Channel Logout 1.0: validating a provider's `logout_token` and
//! answering its logout request.
//!
//! When an end-user's session at the provider ends, the provider POSTs a *Logout Token* — a
//! signed JWT much like an ID token — to every relying party's registered
//! `backchannel_logout_uri` (§2.5). This module gives the relying party three layers:
//!
//! * [`LogoutTokenValidator::validate`] (sans-IO) and [`Client::validate_logout_token`] (with
//!   the client's JWK Set cache and key-rotation refetch) check a token by §2.6:
//!   1. a compact JWS (an encrypted, five-part token is refused: this crate decrypts nothing)
//!      whose `alg` is in the allow-list — the client's ID-token algorithms by default, `none`
//!      never — and whose signature verifies with the provider's keys (or the client secret
//!      for HS*); a `typ` header, when present, is `logout+jwt` (§2.4 explicit typing,
//!      RFC 8725 §3.11); no `crit` or `cty`;
//!   2. `iss` is the provider's issuer; `aud` contains the `client_id` (other audiences only
//!      when trusted); `iat` is present and not in the future; `exp` is present and not
//!      passed — both with the client's clock and leeway;
//!   3. `jti` is present; `events` is a JSON object whose member
//!      [`BACKCHANNEL_LOGOUT_EVENT`] is a JSON object; `sub` and/or `sid` is present;
//!      `nonce` is absent (§2.4: its presence makes a logout token unusable as an ID token).
//!
//!   Each broken rule is one [`LogoutTokenError`] variant; none carries the token.
//! * [`ReplayCache`] refuses a `jti` seen before (§2.6 step 10); [`MemoryReplayCache`] is a
//!   bounded in-memory implementation.
//! * [`BackChannelLogout::handle`] is the endpoint itself, sans-IO: it takes the POST
//!   (method, content type, body bytes), validates, refuses replays, ends the sessions through
//!   a [`SessionStore`] (§2.7) and returns the `http::Response` to send (§2.8) together with
//!   the typed outcome. [`MemorySessionStore`] is an in-memory store.
//!
//! Front-channel logout (OpenID Connect Front-Channel Logout 1.0) is in
//! [`crate::frontchannel`].
//!
//! ```rust,no_run
//! use typed_oidc::backchannel::{BackChannelLogout, RpSession};
//! use typed_oidc::http::HyperClient;
//! use typed_oidc::{Client, IdTokenClaims};
//!
//! /// After a login: remember which provider session (`sid`) and end-user (`sub`) the
//! /// application's own session belongs to.
//! fn logged_in(logout: &BackChannelLogout, app_session: &str, claims: &IdTokenClaims) {
//!     logout.sessions().insert(RpSession::from_id_token(app_session, claims));
//! }
//!
//! /// The `POST /backchannel-logout` route: the request's method, headers and at most
//! /// `logout.body_limit()` bytes of body, read by the application's web server.
//! async fn backchannel_route(
//!     client: &Client<HyperClient>,
//!     logout: &BackChannelLogout,
//!     request: http::Request<Vec<u8>>,
//! ) -> http::Response<Vec<u8>> {
//!     let answered = logout.handle(client, &request).await;
//!     match &answered.outcome {
//!         Ok(done) => println!("provider ended {} session(s)", done.sessions_ended),
//!         Err(refused) => eprintln!("back-channel logout refused: {refused}"),
//!     }
//!     answered.into_response() // 200, or 400 with {"error":…,"error_description":…}
//! }
//! ```

mod handler;
mod replay;
mod sessions;

pub use handler::{BackChannelError, BackChannelLogout, BackChannelResponse, LoggedOut};
pub use replay::{MemoryReplayCache, ReplayCache};
pub use sessions::{MemorySessionStore, RpSession, SessionStore, StoreError};

use serde_json::{Map, Value};

use crate::client::{Client, ClientKind};
use crate::error::{ConfigError, Error, ValidationError};
use crate::http::HttpClient;
use crate::id_token::{IdTokenValidator, check_header_rules, numeric_date};
use crate::jose::{self, JoseError, JwkSet, Jws, JwsAlgorithm};
use crate::response::sanitize;
use crate::time::unix_secs;

/// The `typ` values of a logout token (Back-Channel Logout 1.0 §2.4 explicit typing).
const LOGOUT_TOKEN_TYPES: &[&str] = &["logout+jwt", "application/logout+jwt"];

/// The member of the `events` claim that makes a JWT a Logout Token (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Longest `jti` accepted, in bytes; it is kept in the [`ReplayCache`] until the token expires.
pub const MAX_JTI_LEN: usize = 1024;

/// The claims of a validated Logout Token (Back-Channel Logout 1.0 §2.4).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LogoutTokenClaims {
    /// `iss`: the provider's issuer.
    pub iss: String,
    /// `aud`: the audiences (a single string on the wire becomes one element).
    pub aud: Vec<String>,
    /// `iat`, seconds since the epoch.
    pub iat: i64,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `jti`: the token's unique identifier, used to refuse replays.
    pub jti: String,
    /// `sub`: the end-user whose sessions end; all of them when `sid` is absent (§2.4).
    pub sub: Option<String>,
    /// `sid`: the provider session that ended (OpenID Connect Front-Channel Logout §3).
    pub sid: Option<String>,
    /// `events`, as sent (it contains [`BACKCHANNEL_LOGOUT_EVENT`]).
    pub events: Map<String, Value>,
    /// Every other claim, as sent (claims that are not understood are ignored, §2.4).
    pub additional: Map<String, Value>,
}

/// Why a Logout Token was refused (Back-Channel Logout 1.0 §2.6), one variant per rule.
///
/// No variant carries the token or a part of it; strings taken from the (unauthenticated)
/// header or claims are shortened and stripped of control characters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutTokenError {
    /// The token is not a well-formed compact JWS, or its claims are not a JSON object
    /// without duplicate members (RFC 7515 §7.1, RFC 7519 §7.2).
    #[error("malformed logout token: {0}")]
    Malformed(JoseError),
    /// The token is encrypted (a five-part JWE); this crate decrypts nothing.
    #[error("encrypted logout tokens are not supported")]
    Encrypted,
    /// The `alg` is not in the allow-list, or is `none` (§2.6 step 3, RFC 8725 §3.1).
    #[error("logout token signing algorithm {alg:?} is not allowed")]
    DisallowedAlg {
        /// The `alg` the header named, shortened.
        alg: String,
    },
    /// `typ` is present and is not `logout+jwt` (§2.4, RFC 8725 §3.11), or `cty` is present
    /// (the value, shortened; `cty …` for a `cty`).
    #[error("logout token typ {0:?} is not logout+jwt")]
    UnexpectedType(String),
    /// The header lists a `crit` extension this crate does not understand (RFC 7515 §4.1.11).
    #[error("unsupported critical header extension {0:?}")]
    CriticalHeader(String),
    /// No key of the provider's JWK Set fits the header (even after refetching the set).
    #[error("no provider key matches kid {kid:?} for alg {alg}")]
    UnknownKey {
        /// The `kid` the header named, shortened.
        kid: Option<String>,
        /// The `alg` the header named.
        alg: String,
    },
    /// The signature does not verify (§2.6 step 3).
    #[error("logout token signature verification failed")]
    Signature,
    /// The token is HMAC-signed but the client has no secret to verify it with.
    #[error("an HS* logout token needs the client secret")]
    MissingSecret,
    /// The provider's JWK Set could not be fetched (the inner error says why).
    #[error("the provider keys could not be fetched: {0}")]
    Keys(Box<Error>),
    /// A required claim (`iss`, `aud`, `iat`, `exp`, `jti`) is absent, empty or of the wrong
    /// JSON type, `sub` or `sid` is not a string, or `jti` is longer than [`MAX_JTI_LEN`].
    #[error("logout token claim {0} is missing or malformed")]
    MissingClaim(&'static str),
    /// `iss` is not the provider's issuer (§2.6 step 4).
    #[error("logout token issuer mismatch: expected {expected}, got {actual}")]
    Issuer {
        /// The issuer from the provider metadata.
        expected: String,
        /// The `iss` claim, shortened and without control characters.
        actual: String,
    },
    /// `aud` does not contain the client id (§2.6 step 4).
    #[error("logout token audience does not contain client id {client_id}")]
    AudienceMissingClient {
        /// This client's id.
        client_id: String,
    },
    /// `aud` contains an audience that is neither the client nor trusted (§2.6 step 4, as for
    /// ID tokens: OpenID Connect Core §3.1.3.7 item 3).
    #[error("logout token names the untrusted audience {0}")]
    UntrustedAudience(String),
    /// `exp` has passed, beyond the leeway (§2.6 step 4).
    #[error("logout token expired at {exp} (now {now}, leeway {leeway} s)")]
    Expired {
        /// `exp`, seconds since the epoch.
        exp: i64,
        /// The client clock, seconds since the epoch.
        now: i64,
        /// The allowed clock skew in seconds.
        leeway: u64,
    },
    /// `iat` lies in the future, beyond the leeway (§2.6 step 4).
    #[error("logout token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The client clock.
        now: i64,
    },
    /// A present `nbf` lies in the future, beyond the leeway (RFC 7519 §4.1.5).
    #[error("logout token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// The client clock.
        now: i64,
    },
    /// `events` is absent or not a JSON object (§2.6 step 5).
    #[error("logout token has no events object")]
    EventsMissing,
    /// `events` lacks the member [`BACKCHANNEL_LOGOUT_EVENT`] (§2.6 step 5).
    #[error("logout token events lack {BACKCHANNEL_LOGOUT_EVENT}")]
    LogoutEventMissing,
    /// The [`BACKCHANNEL_LOGOUT_EVENT`] member is not a JSON object (§2.4).
    #[error("logout token event {BACKCHANNEL_LOGOUT_EVENT} is not a JSON object")]
    LogoutEventNotObject,
    /// Neither `sub` nor `sid` is present (§2.6 step 6).
    #[error("logout token has neither sub nor sid")]
    NoSubjectOrSession,
    /// A `nonce` claim is present (§2.6 step 7): the token may be an ID token.
    #[error("logout token carries a nonce claim")]
    NoncePresent,
    /// The `jti` was seen before, within the token's lifetime (§2.6 step 10).
    #[error("logout token jti was already used")]
    Replayed,
}

impl LogoutTokenError {
    /// A fixed, token-free description of the broken rule, for the `error_description` of
    /// the logout response (§2.8). Never contains claim or header values.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "the logout_token is not a well-formed signed JWT",
            Self::Encrypted => "encrypted logout tokens are not supported",
            Self::DisallowedAlg { .. } => "the logout_token signing algorithm is not allowed",
            Self::UnexpectedType(_) => "the logout_token typ header is not logout+jwt",
            Self::CriticalHeader(_) => "the logout_token header has an unsupported crit member",
            Self::UnknownKey { .. } => "no provider key matches the logout_token header",
            Self::Signature | Self::MissingSecret => "the logout_token signature does not verify",
            Self::Keys(_) => "the provider keys could not be fetched",
            Self::MissingClaim(_) => "a required logout_token claim is missing or malformed",
            Self::Issuer { .. } => "the logout_token issuer is not the expected issuer",
            Self::AudienceMissingClient { .. } | Self::UntrustedAudience(_) => {
                "the logout_token audience is not this client"
            }
            Self::Expired { .. } => "the logout_token has expired",
            Self::IssuedInFuture { .. } | Self::NotYetValid { .. } => {
                "the logout_token is not valid yet"
            }
            Self::EventsMissing | Self::LogoutEventMissing | Self::LogoutEventNotObject => {
                "the logout_token events claim lacks the back-channel logout event"
            }
            Self::NoSubjectOrSession => "the logout_token has neither sub nor sid",
            Self::NoncePresent => "the logout_token must not contain a nonce",
            Self::Replayed => "the logout_token was already used",
        }
    }
}

/// The rules a Logout Token is checked against (Back-Channel Logout 1.0 §2.6): the issuer,
/// client id, clock, leeway and HMAC secret of an [`IdTokenValidator`], plus an `alg`
/// allow-list and trusted extra audiences. Get the client's with
/// [`Client::logout_token_validator`].
#[derive(Clone, Debug)]
pub struct LogoutTokenValidator {
    rules: IdTokenValidator,
    algs: Vec<JwsAlgorithm>,
    trusted_audiences: Vec<String>,
}

impl LogoutTokenValidator {
    /// Rules taken from `rules`: its issuer, client id, clock, leeway, client secret and `alg`
    /// allow-list (the ID-token algorithms: the provider signs logout tokens with the same keys,
    /// §2.4). No extra audience is trusted.
    pub fn new(rules: IdTokenValidator) -> Self {
        let algs = rules.allowed_algs().to_vec();
        Self {
            rules,
            algs,
            trusted_audiences: Vec::new(),
        }
    }

    /// Replaces the `alg` allow-list (`none` cannot be expressed: [`JwsAlgorithm`] has no such
    /// value). HS* algorithms verify only when the client has a secret.
    pub fn with_algs(mut self, algs: Vec<JwsAlgorithm>) -> Self {
        self.algs = algs;
        self
    }

    /// Audiences besides the client that may appear in `aud` (default: none).
    pub fn with_trusted_audiences(mut self, audiences: Vec<String>) -> Self {
        self.trusted_audiences = audiences;
        self
    }

    /// The `alg` allow-list.
    pub fn algs(&self) -> &[JwsAlgorithm] {
        &self.algs
    }

    /// The issuer, client id, clock and leeway in force.
    pub fn rules(&self) -> &IdTokenValidator {
        &self.rules
    }

    /// Checks `token` against `keys` (the provider's JWK Set; the client secret for HS*) by
    /// Back-Channel Logout 1.0 §2.6 steps 2–9, returning its claims. Replays are not checked
    /// here: see [`ReplayCache`] and [`BackChannelLogout`].
    ///
    /// # Errors
    ///
    /// One [`LogoutTokenError`] variant per broken rule (all but
    /// [`LogoutTokenError::Keys`] and [`LogoutTokenError::Replayed`]).
    pub fn validate(
        &self,
        token: &str,
        keys: &JwkSet,
    ) -> Result<LogoutTokenClaims, LogoutTokenError> {
        if token.split('.').count() == 5 {
            return Err(LogoutTokenError::Encrypted);
        }
        let jws = Jws::parse(token).map_err(LogoutTokenError::Malformed)?;
        let alg = self.check_header(&jws)?;
        self.verify_signature(&jws, alg, keys)?;
        let claims =
            jose::object_no_duplicates(jws.payload()).map_err(LogoutTokenError::Malformed)?;
        self.check_claims(claims)
    }

    /// Like [`validate`](Self::validate) with the provider keys of `client`: its cached JWK
    /// Set, fetched when needed and once more for a key it does not hold (key rotation,
    /// OpenID Connect Core §10.1.1).
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate), and [`LogoutTokenError::Keys`] when the key set
    /// cannot be fetched.
    pub async fn validate_with<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
        token: &str,
    ) -> Result<LogoutTokenClaims, LogoutTokenError> {
        let outcome = client
            .with_provider_keys(token, |keys| match self.validate(token, keys) {
                // Reported as the crate's error so that the key cache refetches the set.
                Err(LogoutTokenError::UnknownKey { kid, alg }) => {
                    Err(ValidationError::UnknownKey { kid, alg }.into())
                }
                other => Ok(other),
            })
            .await;
        match outcome {
            Ok(result) => result,
            Err(Error::Validation(ValidationError::UnknownKey { kid, alg })) => {
                Err(LogoutTokenError::UnknownKey { kid, alg })
            }
            Err(other) => Err(LogoutTokenError::Keys(Box::new(other))),
        }
    }

    fn check_header(&self, jws: &Jws<'_>) -> Result<JwsAlgorithm, LogoutTokenError> {
        let header = jws.header();
        let disallowed = || LogoutTokenError::DisallowedAlg {
            alg: jose::clip(&header.alg),
        };
        let alg = JwsAlgorithm::parse(&header.alg).map_err(|_| disallowed())?;
        if !self.algs.contains(&alg) {
            return Err(disallowed());
        }
        check_header_rules(header, LOGOUT_TOKEN_TYPES).map_err(|e| match e {
            ValidationError::CriticalHeader(name) => LogoutTokenError::CriticalHeader(name),
            ValidationError::UnexpectedType(typ) => LogoutTokenError::UnexpectedType(typ),
            other => LogoutTokenError::UnexpectedType(other.to_string()),
        })?;
        Ok(alg)
    }

    fn verify_signature(
        &self,
        jws: &Jws<'_>,
        alg: JwsAlgorithm,
        keys: &JwkSet,
    ) -> Result<(), LogoutTokenError> {
        self.rules
            .verify_signature(jws, alg, keys)
            .map_err(|e| match e {
                Error::Validation(ValidationError::UnknownKey { kid, alg }) => {
                    LogoutTokenError::UnknownKey { kid, alg }
                }
                Error::Config(ConfigError::MissingCredential(_)) => LogoutTokenError::MissingSecret,
                _ => LogoutTokenError::Signature,
            })
    }

    fn check_claims(
        &self,
        mut claims: Map<String, Value>,
    ) -> Result<LogoutTokenClaims, LogoutTokenError> {
        use LogoutTokenError as E;
        // §2.6 step 7 first: a token with a nonce may be an ID token and is never a logout token.
        if claims.contains_key("nonce") {
            return Err(E::NoncePresent);
        }
        let issuer = self.rules.issuer();
        let iss = match claims.remove("iss") {
            Some(Value::String(iss)) if iss == issuer => iss,
            Some(Value::String(iss)) if !iss.is_empty() => {
                return Err(E::Issuer {
                    expected: issuer.to_owned(),
                    actual: sanitize(&jose::clip(&iss), 256).unwrap_or_default(),
                });
            }
            _ => return Err(E::MissingClaim("iss")),
        };
        let aud = audiences(claims.remove("aud"))?;
        let client_id = self.rules.client_id();
        if !aud.iter().any(|a| a == client_id) {
            return Err(E::AudienceMissingClient {
                client_id: client_id.to_owned(),
            });
        }
        if let Some(other) = aud
            .iter()
            .find(|a| *a != client_id && !self.trusted_audiences.contains(a))
        {
            return Err(E::UntrustedAudience(
                sanitize(&jose::clip(other), 256).unwrap_or_default(),
            ));
        }
        let date = |claims: &mut Map<String, Value>, name: &'static str| {
            numeric_date(claims.remove(name).as_ref(), name).map_err(|_| E::MissingClaim(name))
        };
        let iat = date(&mut claims, "iat")?.ok_or(E::MissingClaim("iat"))?;
        let exp = date(&mut claims, "exp")?.ok_or(E::MissingClaim("exp"))?;
        let nbf = date(&mut claims, "nbf")?;
        let now = unix_secs(self.rules.clock().now());
        let leeway = self.rules.leeway();
        let leeway_secs = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
        if now > exp.saturating_add(leeway_secs) {
            return Err(E::Expired {
                exp,
                now,
                leeway: leeway.as_secs(),
            });
        }
        if iat > now.saturating_add(leeway_secs) {
            return Err(E::IssuedInFuture { iat, now });
        }
        if let Some(nbf) = nbf
            && nbf > now.saturating_add(leeway_secs)
        {
            return Err(E::NotYetValid { nbf, now });
        }
        let jti = match claims.remove("jti") {
            Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => jti,
            _ => return Err(E::MissingClaim("jti")),
        };
        let events = match claims.remove("events") {
            Some(Value::Object(events)) => events,
            _ => return Err(E::EventsMissing),
        };
        match events.get(BACKCHANNEL_LOGOUT_EVENT) {
            Some(Value::Object(_)) => {}
            Some(_) => return Err(E::LogoutEventNotObject),
            None => return Err(E::LogoutEventMissing),
        }
        let mut optional = |name: &'static str| match claims.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(E::MissingClaim(name)),
        };
        let sub = optional("sub")?;
        let sid = optional("sid")?;
        if sub.is_none() && sid.is_none() {
            return Err(E::NoSubjectOrSession);
        }
        Ok(LogoutTokenClaims {
            iss,
            aud,
            iat,
            exp,
            jti,
            sub,
            sid,
            events,
            additional: claims,
        })
    }
}

/// `aud`: a non-empty string or a non-empty array of non-empty strings.
fn audiences(value: Option<Value>) -> Result<Vec<String>, LogoutTokenError> {
    let missing = || LogoutTokenError::MissingClaim("aud");
    match value {
        Some(Value::String(s)) if !s.is_empty() => Ok(vec![s]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) if !s.is_empty() => Ok(s),
                _ => Err(missing()),
            })
            .collect(),
        _ => Err(missing()),
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// The rules this client checks Logout Tokens with: its issuer, client id, clock, leeway,
    /// secret and ID-token `alg` allow-list (Back-Channel Logout 1.0 §2.6). The ID-token
    /// trusted audiences are not carried over; add them with
    /// [`LogoutTokenValidator::with_trusted_audiences`].
    pub fn logout_token_validator(&self) -> LogoutTokenValidator {
        LogoutTokenValidator::new(self.core.validator.clone())
    }

    /// Validates a Logout Token (Back-Channel Logout 1.0 §2.6) with this client's rules and
    /// provider keys (fetched when needed and once more for an unknown key). Replays are not
    /// checked: [`BackChannelLogout::handle`] does that with a [`ReplayCache`].
    ///
    /// # Errors
    ///
    /// One [`LogoutTokenError`] variant per broken rule; [`LogoutTokenError::Keys`] when the
    /// provider's key set cannot be fetched.
    pub async fn validate_logout_token(
        &self,
        token: &str,
    ) -> Result<LogoutTokenClaims, LogoutTokenError> {
        self.logout_token_validator()
            .validate_with(self, token)
            .await
    }
}
