//! The relying party's `backchannel_logout_uri` endpoint, sans-IO (Back-Channel Logout 1.0
//! §2.5, §2.7, §2.8).

use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Method, StatusCode};

use super::{
    LogoutTokenClaims, LogoutTokenError, LogoutTokenValidator, MemoryReplayCache,
    MemorySessionStore, ReplayCache, SessionStore, StoreError,
};
use crate::client::{Client, ClientKind};
use crate::http::HttpClient;
use crate::jose::JwsAlgorithm;
use crate::time::unix_secs;

/// Answers the provider's back-channel logout POSTs: validates the `logout_token`, refuses
/// replays through `R`, ends the sessions through `S` and builds the response (§2.8).
///
/// The handler does no I/O of its own besides what the client does to fetch the provider's
/// keys; the application reads the request (at most [`body_limit`](Self::body_limit) bytes)
/// and writes the response with whatever server it runs.
///
/// | request | response |
/// |---|---|
/// | valid, sessions ended (or none was left) | `200`, empty body |
/// | not `POST` | `405` with `Allow: POST` |
/// | body over the limit, not `application/x-www-form-urlencoded`, no or two `logout_token`s, a token that breaks a §2.6 rule or was seen before | `400` `{"error":"invalid_request","error_description":…}` |
/// | the key set, the replay cache or the session store failed | `400` `{"error":"server_error",…}` |
///
/// Every response carries `Cache-Control: no-store` (§2.8). The `error_description` is a
/// fixed text per rule ([`LogoutTokenError::description`]), never the token or its claims.
/// §2.8 asks for `400` whenever "the logout failed", so a failing store is a `400` too; `501`
/// (which earlier drafts used for failures) is never sent: an RP that mounts this handler
/// supports back-channel logout.
#[derive(Debug)]
pub struct BackChannelLogout<R = MemoryReplayCache, S = MemorySessionStore> {
    replay: R,
    sessions: S,
    algs: Option<Vec<JwsAlgorithm>>,
    trusted_audiences: Vec<String>,
    max_body_len: usize,
}

/// What the handler answered, and why.
#[derive(Debug)]
pub struct BackChannelResponse {
    /// The response to send to the provider.
    pub response: http::Response<Vec<u8>>,
    /// The logout performed, or why the request was refused (for the application's logs).
    pub outcome: Result<LoggedOut, BackChannelError>,
}

impl BackChannelResponse {
    /// The response to send.
    pub fn into_response(self) -> http::Response<Vec<u8>> {
        self.response
    }
}

/// A logout performed by [`BackChannelLogout::handle`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LoggedOut {
    /// The validated Logout Token.
    pub claims: LogoutTokenClaims,
    /// How many sessions the [`SessionStore`] ended.
    pub sessions_ended: usize,
}

/// Why a back-channel logout request was refused or failed (§2.5, §2.8).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackChannelError {
    /// The method is not `POST` (§2.5).
    #[error("method {0} is not allowed; the provider must POST")]
    MethodNotAllowed(Method),
    /// The body is longer than the handler's limit.
    #[error("request body longer than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The content type is not `application/x-www-form-urlencoded` (§2.5); the value received,
    /// shortened (empty when absent).
    #[error("content type {0:?} is not application/x-www-form-urlencoded")]
    ContentType(String),
    /// The form body is not UTF-8, or has no `logout_token` or several (§2.5).
    #[error("malformed request body: {0}")]
    MalformedBody(&'static str),
    /// The Logout Token broke a rule of §2.6 or was seen before.
    #[error(transparent)]
    Token(#[from] LogoutTokenError),
    /// The [`ReplayCache`] failed.
    #[error("replay cache: {0}")]
    ReplayCache(StoreError),
    /// The [`SessionStore`] failed; the token's `jti` was forgotten again, so the provider's
    /// retry is accepted.
    #[error("session store: {0}")]
    SessionStore(StoreError),
}

impl BackChannelError {
    /// The HTTP status of the response (§2.8): `405` for a wrong method, else `400`.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The `error` code of the response body (RFC 6749 §5.2 vocabulary): `server_error` when
    /// the relying party's own keys, cache or store failed, else `invalid_request`.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::Token(LogoutTokenError::Keys(_))
            | Self::ReplayCache(_)
            | Self::SessionStore(_) => "server_error",
            _ => "invalid_request",
        }
    }

    /// The fixed `error_description` of the response body; never a value from the request.
    pub fn description(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed(_) => "the back-channel logout endpoint accepts POST only",
            Self::BodyTooLarge { .. } => "the request body is too large",
            Self::ContentType(_) => "the content type must be application/x-www-form-urlencoded",
            Self::MalformedBody(detail) => detail,
            Self::Token(e) => e.description(),
            Self::ReplayCache(_) | Self::SessionStore(_) => "the logout could not be completed",
        }
    }

    fn response(&self) -> http::Response<Vec<u8>> {
        let body = serde_json::json!({
            "error": self.error_code(),
            "error_description": self.description(),
        });
        let mut response = respond(self.status(), serde_json::to_vec(&body).unwrap_or_default());
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if matches!(self, Self::MethodNotAllowed(_)) {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

fn respond(status: StatusCode, body: Vec<u8>) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl Default for BackChannelLogout {
    fn default() -> Self {
        Self::new(MemoryReplayCache::default(), MemorySessionStore::default())
    }
}

impl<R: ReplayCache, S: SessionStore> BackChannelLogout<R, S> {
    /// Default body limit: 64 KiB (a logout token is a few kilobytes).
    pub const DEFAULT_MAX_BODY_LEN: usize = 64 * 1024;

    /// A handler refusing replays through `replay` and ending sessions in `sessions`, with the
    /// client's ID-token `alg` allow-list.
    pub fn new(replay: R, sessions: S) -> Self {
        Self {
            replay,
            sessions,
            algs: None,
            trusted_audiences: Vec::new(),
            max_body_len: Self::DEFAULT_MAX_BODY_LEN,
        }
    }

    /// Replaces the `alg` allow-list (default: the client's ID-token algorithms).
    pub fn signing_algs(mut self, algs: Vec<JwsAlgorithm>) -> Self {
        self.algs = Some(algs);
        self
    }

    /// Audiences besides the client that may appear in `aud` (default: none).
    pub fn trusted_audiences(mut self, audiences: Vec<String>) -> Self {
        self.trusted_audiences = audiences;
        self
    }

    /// The longest body accepted (default [`DEFAULT_MAX_BODY_LEN`](Self::DEFAULT_MAX_BODY_LEN)).
    /// Read at most this many bytes (plus one, to notice a longer body) from the connection.
    pub fn max_body_len(mut self, limit: usize) -> Self {
        self.max_body_len = limit;
        self
    }

    /// The longest body accepted.
    pub fn body_limit(&self) -> usize {
        self.max_body_len
    }

    /// The replay cache.
    pub fn replay_cache(&self) -> &R {
        &self.replay
    }

    /// The session store.
    pub fn sessions(&self) -> &S {
        &self.sessions
    }

    /// The Logout Token rules for `client`, with this handler's allow-list and audiences.
    pub fn validator<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
    ) -> LogoutTokenValidator {
        let validator = client
            .logout_token_validator()
            .with_trusted_audiences(self.trusted_audiences.clone());
        match &self.algs {
            Some(algs) => validator.with_algs(algs.clone()),
            None => validator,
        }
    }

    /// Handles one back-channel logout request (§2.5–§2.8) for `client`: see the table on
    /// [`BackChannelLogout`].
    pub async fn handle<H: HttpClient, K: ClientKind, B: AsRef<[u8]> + Sync>(
        &self,
        client: &Client<H, K>,
        request: &http::Request<B>,
    ) -> BackChannelResponse {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("(not visible ASCII)"));
        self.handle_parts(
            client,
            request.method(),
            content_type,
            request.body().as_ref(),
        )
        .await
    }

    /// [`handle`](Self::handle) on the parts of the request: its method, `Content-Type` value
    /// and body.
    pub async fn handle_parts<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
        method: &Method,
        content_type: Option<&str>,
        body: &[u8],
    ) -> BackChannelResponse {
        let outcome = self.process(client, method, content_type, body).await;
        let response = match &outcome {
            Ok(_) => respond(StatusCode::OK, Vec::new()),
            Err(e) => e.response(),
        };
        BackChannelResponse { response, outcome }
    }

    async fn process<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
        method: &Method,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<LoggedOut, BackChannelError> {
        if method != Method::POST {
            return Err(BackChannelError::MethodNotAllowed(method.clone()));
        }
        if body.len() > self.max_body_len {
            return Err(BackChannelError::BodyTooLarge {
                limit: self.max_body_len,
            });
        }
        check_content_type(content_type)?;
        let token = logout_token(body)?;
        let validator = self.validator(client);
        let claims = validator.validate_with(client, &token).await?;

        let rules = validator.rules();
        let now = unix_secs(rules.clock().now());
        let leeway = i64::try_from(rules.leeway().as_secs()).unwrap_or(i64::MAX);
        let fresh = self
            .replay
            .insert_if_absent(
                &claims.iss,
                &claims.jti,
                claims.exp.saturating_add(leeway),
                now,
            )
            .await
            .map_err(BackChannelError::ReplayCache)?;
        if !fresh {
            return Err(LogoutTokenError::Replayed.into());
        }
        match self.sessions.end_sessions(&claims).await {
            Ok(sessions_ended) => Ok(LoggedOut {
                claims,
                sessions_ended,
            }),
            Err(e) => {
                // Let the provider's retry of this very token through (§2.8: it may retry).
                let _ = self.replay.remove(&claims.iss, &claims.jti).await;
                Err(BackChannelError::SessionStore(e))
            }
        }
    }
}

/// §2.5: the body is `application/x-www-form-urlencoded` (parameters such as `charset` are
/// allowed; the media type is compared case-insensitively, RFC 9110 §8.3.1).
fn check_content_type(content_type: Option<&str>) -> Result<(), BackChannelError> {
    let value = content_type.unwrap_or_default();
    let media_type = value.split(';').next().unwrap_or_default().trim();
    if media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(BackChannelError::ContentType(crate::jose::clip(value)))
    }
}

/// The single, non-empty `logout_token` of the form body (§2.5).
fn logout_token(body: &[u8]) -> Result<String, BackChannelError> {
    if std::str::from_utf8(body).is_err() {
        return Err(BackChannelError::MalformedBody(
            "the request body is not UTF-8",
        ));
    }
    let mut found = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == "logout_token" {
            if found.is_some() {
                return Err(BackChannelError::MalformedBody(
                    "the logout_token parameter is repeated",
                ));
            }
            found = Some(value.into_owned());
        }
    }
    found
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or(BackChannelError::MalformedBody(
            "the logout_token parameter is missing",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/x-www-form-urlencoded")).is_ok());
        assert!(
            check_content_type(Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8")).is_ok()
        );
        assert!(check_content_type(Some("application/json")).is_err());
        assert!(check_content_type(Some("")).is_err());
        assert!(check_content_type(None).is_err());
    }

    #[test]
    fn form_bodies() {
        assert_eq!(logout_token(b"logout_token=a.b.c&x=1").unwrap(), "a.b.c");
        assert!(matches!(
            logout_token(b"logout_token=a&logout_token=b"),
            Err(BackChannelError::MalformedBody(_))
        ));
        assert!(logout_token(b"x=1").is_err());
        assert!(logout_token(b"logout_token=").is_err());
        assert!(logout_token(b"logout_token=\xff\xfe").is_err());
    }
}
