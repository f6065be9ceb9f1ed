//! The OAuth 2.0 Device Authorization Grant (RFC 8628), for devices that cannot show a
//! browser: the device asks for a user code (§3.1, §3.2), the end-user enters it on
//! another device (§3.3), and the device polls the token endpoint (§3.4, §3.5).
//!
//! `DeviceAuthorizationRequest -> DeviceAuthorization -> Tokens<A>`:
//!
//! * [`Client::device_authorization_request`] configures the request (scope,
//!   `offline_access` for [`Offline`] tokens, extra parameters), and
//!   [`DeviceAuthorizationRequest::send`] posts it with the client's authentication (or
//!   just `client_id` for a public client);
//! * [`DeviceAuthorization`] holds `user_code`, `verification_uri`,
//!   `verification_uri_complete`, the expiry and the polling `interval` (5 s when the
//!   provider gives none);
//! * [`DeviceAuthorization::wait_for_tokens_with`] polls at that interval, adds 5 s on
//!   every `slow_down`, keeps going on `authorization_pending`, backs off exponentially
//!   on a timeout, and ends with the tokens — the ID token validated when `openid` was
//!   requested — or a typed [`DeviceError`] (`access_denied`, `expired_token`, cancelled).
//!   Sleeping and "now" come from a [`DeviceTimer`], so tests run in milliseconds.
//!
//! Every step also has a sans-IO form (`http_request` / `read_response`,
//! `token_request` / `read_token_response`).

use std::future::{Future, poll_fn};
use std::marker::PhantomData;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{Client, ClientKind};
use crate::dpop::{Bearer, TokenBinding};
use crate::error::{ConfigError, Error, ProviderError, ResponseError, TransportError};
use crate::flow::{Access, Offline, Online, Tokens, add_scope, set_extra, tokens_from_response};
use crate::http::HttpClient;
use crate::id_token::Expectations;
use crate::request::Form;
use crate::response::{json_body, require_success};
use crate::token::TokenResponse;
use crate::types::{Scope, ScopeToken};

/// The `grant_type` of the device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Why a device authorization ended without tokens (RFC 8628 §3.5), besides transport,
/// provider and validation errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// `access_denied`: the end-user declined the authorization request.
    #[error("the end-user denied the authorization: {0}")]
    AccessDenied(ProviderError),
    /// `expired_token`: the device code expired before the end-user approved it (said by
    /// the provider, or noticed by the client once `expires_in` had passed).
    #[error("the device code expired before the end-user approved it")]
    ExpiredToken,
    /// The caller's cancellation future completed; polling stopped.
    #[error("polling was cancelled")]
    Cancelled,
}

/// Sleeping and the current time for the polling loop, injectable so tests do not wait
/// (RFC 8628 §3.5 intervals are seconds long).
///
/// `now` should agree with the client's [`Clock`](crate::time::Clock), which dates the
/// device code's expiry when it is received.
pub trait DeviceTimer: Send + Sync {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The default [`DeviceTimer`]: `tokio::time::sleep` and the system clock.
#[cfg(feature = "hyper-client")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimer;

#[cfg(feature = "hyper-client")]
impl DeviceTimer for TokioTimer {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A device authorization request being configured (RFC 8628 §3.1).
///
/// `A` is [`Online`] or [`Offline`] (after
/// [`offline_access`](DeviceAuthorizationRequest::offline_access)). The scope starts as
/// `openid`.
#[must_use = "a device authorization request does nothing until it is sent"]
pub struct DeviceAuthorizationRequest<A = Online> {
    scope: Scope,
    extra: Vec<(String, String)>,
    errors: Vec<ConfigError>,
    _access: PhantomData<fn() -> A>,
}

impl<A> std::fmt::Debug for DeviceAuthorizationRequest<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorizationRequest")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl<H, K> Client<H, K> {
    /// Starts a device authorization request (RFC 8628 §3.1) with scope `openid`.
    pub fn device_authorization_request(&self) -> DeviceAuthorizationRequest<Online> {
        DeviceAuthorizationRequest {
            scope: Scope::openid(),
            extra: Vec::new(),
            errors: Vec::new(),
            _access: PhantomData,
        }
    }
}

/// Parameters the device request sets itself; `extra` cannot override them.
const RESERVED: &[&str] = &[
    "client_id",
    "scope",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

impl<A: Access> DeviceAuthorizationRequest<A> {
    /// Adds space-separated scope tokens. `offline_access` is refused here: use
    /// [`offline_access`](DeviceAuthorizationRequest::offline_access).
    pub fn scope(mut self, scope: &str) -> Self {
        add_scope(&mut self.scope, scope, &mut self.errors);
        self
    }
    /// Removes `openid`: a plain OAuth 2.0 grant, no ID token.
    pub fn without_openid(mut self) -> Self {
        self.scope.remove(Scope::OPENID);
        self
    }
    /// Adds a provider-specific parameter (e.g. RFC 8707 `resource`); a second value
    /// for the same name replaces the first. The client authentication parameters and
    /// `scope` cannot be overridden.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Err(e) = set_extra(&mut self.extra, RESERVED, name.into(), value.into()) {
            self.errors.push(e);
        }
        self
    }

    /// The device authorization request (sans-IO): a form POST to the provider's
    /// `device_authorization_endpoint` with the scope and the client's authentication
    /// (`client_id` in the body for a public client, RFC 8628 §3.1).
    pub fn http_request<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        if let Some(e) = self.errors.first() {
            return Err(e.clone().into());
        }
        let endpoint = crate::discovery::ProviderMetadata::endpoint(
            &client.metadata().device_authorization_endpoint,
            "device_authorization_endpoint",
        )?;
        let mut form = Form::new();
        let scope = self.scope.to_string();
        form.set_opt("scope", (!scope.is_empty()).then_some(scope.as_str()));
        for (name, value) in &self.extra {
            form.set(name, value);
        }
        client.authenticated_post(endpoint, form)
    }

    /// Reads the device authorization response (RFC 8628 §3.2). `expires_in` is dated
    /// with the client's clock; a missing `interval` becomes 5 seconds.
    pub fn read_response<H, K>(
        self,
        client: &Client<H, K>,
        response: &http::Response<Bytes>,
    ) -> Result<DeviceAuthorization<A>, Error> {
        const ENDPOINT: &str = "device_authorization";
        require_success(ENDPOINT, response)?;
        let raw: RawDeviceResponse = json_body(ENDPOINT, response, MAX_RESPONSE_LEN)?;
        let invalid = |detail: &str| ResponseError::Invalid {
            endpoint: ENDPOINT,
            detail: detail.into(),
        };
        if raw.device_code.is_empty() || raw.user_code.is_empty() {
            return Err(invalid("device_code and user_code must not be empty").into());
        }
        let web_url = |s: &str| {
            Url::parse(s)
                .ok()
                .filter(|u| matches!(u.scheme(), "https" | "http"))
                .ok_or_else(|| invalid("verification URIs must be http(s) URLs"))
        };
        let verification_uri = web_url(&raw.verification_uri)?;
        let verification_uri_complete = match raw.verification_uri_complete.as_deref() {
            Some(s) => Some(web_url(s)?),
            None => None,
        };
        let expires_in = Duration::from_secs(raw.expires_in);
        let expires_at = client
            .core
            .validator
            .clock()
            .now()
            .checked_add(expires_in)
            .ok_or_else(|| invalid("expires_in out of range"))?;
        let interval = raw
            .interval
            .map_or(DEFAULT_INTERVAL, |s| bounded(Duration::from_secs(s)));
        Ok(DeviceAuthorization {
            device_code: raw.device_code.into(),
            user_code: raw.user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
            expires_at,
            interval,
            scope: self.scope,
            _access: PhantomData,
        })
    }

    /// Sends the device authorization request and reads the response.
    pub async fn send<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<DeviceAuthorization<A>, Error> {
        let request = self.http_request(client)?;
        let secrets = crate::response::RequestSecrets::of(&request);
        let response = client.http.execute(request).await?;
        self.read_response(client, &response)
            .map_err(|e| secrets.scrub(e))
    }
}

impl DeviceAuthorizationRequest<Online> {
    /// Asks for a refresh token: adds `offline_access` to the scope and makes the
    /// resulting tokens [`Offline`] (the grant fails if the provider issues none).
    pub fn offline_access(mut self) -> DeviceAuthorizationRequest<Offline> {
        self.scope.push(ScopeToken::offline_access());
        DeviceAuthorizationRequest {
            scope: self.scope,
            extra: self.extra,
            errors: self.errors,
            _access: PhantomData,
        }
    }
}

/// Largest device authorization response accepted.
const MAX_RESPONSE_LEN: usize = 64 * 1024;
/// The polling interval when the provider gives none (RFC 8628 §3.2).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What every `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Bounds on the interval, so a hostile provider can neither make the client hammer it
/// nor park it for ever.
const MIN_INTERVAL: Duration = Duration::from_secs(1);
const MAX_INTERVAL: Duration = Duration::from_secs(300);

/// `interval` within [`MIN_INTERVAL`, `MAX_INTERVAL`] (also for a deserialized value).
fn bounded(interval: Duration) -> Duration {
    interval.clamp(MIN_INTERVAL, MAX_INTERVAL)
}

#[serde_with::serde_as]
#[derive(Deserialize)]
struct RawDeviceResponse {
    device_code: String,
    user_code: String,
    /// `verification_url` is the name of a pre-RFC draft some providers still send.
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    /// A number, or a numeric string (tolerated, as for the token endpoint).
    #[serde_as(as = "serde_with::PickFirst<(_, serde_with::DisplayFromStr)>")]
    expires_in: u64,
    #[serde_as(as = "Option<serde_with::PickFirst<(_, serde_with::DisplayFromStr)>>")]
    #[serde(default)]
    interval: Option<u64>,
}

/// A device authorization the end-user has yet to approve (RFC 8628 §3.2), and the
/// state of polling for its tokens.
///
/// `Serialize + Deserialize` so a server can keep it between polls; the serialized form
/// holds the `device_code` in clear, so store it server-side or encrypted.
#[derive(Serialize, Deserialize)]
pub struct DeviceAuthorization<A = Online> {
    #[serde(with = "secret_string")]
    device_code: SecretString,
    user_code: String,
    verification_uri: Url,
    verification_uri_complete: Option<Url>,
    expires_in: Duration,
    expires_at: SystemTime,
    interval: Duration,
    scope: Scope,
    #[serde(skip)]
    _access: PhantomData<fn() -> A>,
}

impl<A> std::fmt::Debug for DeviceAuthorization<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &"[redacted]")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri.as_str())
            .field("expires_at", &self.expires_at)
            .field("interval", &self.interval)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// What one poll of the token endpoint gave (RFC 8628 §3.5).
#[derive(Debug)]
pub enum DevicePoll<A: Access, B: TokenBinding = Bearer> {
    /// `authorization_pending`: the end-user has not finished yet; poll again after the
    /// interval.
    AuthorizationPending,
    /// `slow_down`: the interval was increased by 5 seconds; poll again after it.
    SlowDown,
    /// The tokens, with the ID token validated when `openid` was requested.
    Complete(Box<Tokens<A, B>>),
}

impl<A: Access> DeviceAuthorization<A> {
    /// The code the end-user enters at the verification URI.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }
    /// Where the end-user enters the code.
    pub fn verification_uri(&self) -> &Url {
        &self.verification_uri
    }
    /// The verification URI with the code in it, if the provider gave one (e.g. for a
    /// QR code).
    pub fn verification_uri_complete(&self) -> Option<&Url> {
        self.verification_uri_complete.as_ref()
    }
    /// The lifetime of the codes, as sent (`expires_in`).
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }
    /// When the codes expire, by the client's clock at receipt.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
    /// The current polling interval: the provider's (default 5 s), plus 5 s per
    /// `slow_down` so far.
    pub fn interval(&self) -> Duration {
        self.interval
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    fn grant_form(&self) -> Form {
        let mut form = Form::new();
        form.set("grant_type", DEVICE_CODE_GRANT_TYPE)
            .set("device_code", self.device_code.expose_secret());
        form
    }

    /// One device access token request (sans-IO, RFC 8628 §3.4), with the client's
    /// authentication (`client_id` in the body for a public client).
    pub fn token_request<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        client.token_post(client.token_endpoint()?, self.grant_form())
    }

    /// Reads the answer to [`token_request`](Self::token_request) (RFC 8628 §3.5).
    pub async fn read_token_response<H: HttpClient, K: ClientKind>(
        &mut self,
        client: &Client<H, K>,
        response: &http::Response<Bytes>,
    ) -> Result<DevicePoll<A, K::Binding>, Error> {
        client.observe_token_endpoint_nonce(response);
        self.outcome(client, TokenResponse::from_response(response))
            .await
    }

    /// Polls the token endpoint once.
    pub async fn poll_once<H: HttpClient, K: ClientKind>(
        &mut self,
        client: &Client<H, K>,
    ) -> Result<DevicePoll<A, K::Binding>, Error> {
        let form = self.grant_form();
        let result = match client
            .send_token_post(client.token_endpoint()?, &form)
            .await
        {
            Ok((response, secrets)) => {
                TokenResponse::from_response(&response).map_err(|e| secrets.scrub(e))
            }
            Err(e) => Err(e),
        };
        self.outcome(client, result).await
    }

    async fn outcome<H: HttpClient, K: ClientKind>(
        &mut self,
        client: &Client<H, K>,
        result: Result<TokenResponse, Error>,
    ) -> Result<DevicePoll<A, K::Binding>, Error> {
        match result {
            Ok(parsed) => {
                let openid = self.scope.has_openid();
                let tokens = tokens_from_response(
                    client,
                    parsed,
                    Expectations::default(),
                    openid,
                    self.scope.clone(),
                )
                .await?;
                Ok(DevicePoll::Complete(Box::new(tokens)))
            }
            Err(Error::Provider(p)) => match p.error.as_str() {
                "authorization_pending" => Ok(DevicePoll::AuthorizationPending),
                "slow_down" => {
                    self.interval = bounded(self.interval.saturating_add(SLOW_DOWN_STEP));
                    Ok(DevicePoll::SlowDown)
                }
                "access_denied" => Err(DeviceError::AccessDenied(p).into()),
                "expired_token" => Err(DeviceError::ExpiredToken.into()),
                _ => Err(Error::Provider(p)),
            },
            Err(e) => Err(e),
        }
    }

    /// Polls until the end-user approves or denies, the codes expire, or `cancel`
    /// completes (RFC 8628 §3.4, §3.5).
    ///
    /// Waits the interval before each request; `slow_down` adds 5 s to it for good; a
    /// transport timeout doubles it (the exponential backoff §3.5 asks for); no request
    /// is sent once `expires_at` has passed by `timer`'s clock. Dropping the returned
    /// future also stops polling. Pass [`std::future::pending()`] to never cancel.
    pub async fn wait_for_tokens_with<H, K, T, C>(
        mut self,
        client: &Client<H, K>,
        timer: &T,
        cancel: C,
    ) -> Result<Tokens<A, K::Binding>, Error>
    where
        H: HttpClient,
        K: ClientKind,
        T: DeviceTimer,
        C: Future<Output = ()>,
    {
        let polling = async {
            loop {
                let left = self
                    .expires_at
                    .duration_since(timer.now())
                    .unwrap_or_default();
                if left.is_zero() {
                    return Err(DeviceError::ExpiredToken.into());
                }
                timer.sleep(bounded(self.interval).min(left)).await;
                if timer.now() >= self.expires_at {
                    return Err(DeviceError::ExpiredToken.into());
                }
                match self.poll_once(client).await {
                    Ok(DevicePoll::Complete(tokens)) => return Ok(*tokens),
                    Ok(_) => {}
                    Err(Error::Transport(TransportError::Timeout { .. })) => {
                        self.interval = bounded(self.interval.saturating_mul(2));
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let mut polling = pin!(polling);
        let mut cancel = pin!(cancel);
        poll_fn(|cx| {
            if cancel.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(DeviceError::Cancelled.into()));
            }
            polling.as_mut().poll(cx)
        })
        .await
    }

    /// [`wait_for_tokens_with`](Self::wait_for_tokens_with) on [`TokioTimer`], never
    /// cancelled except by dropping the future.
    #[cfg(feature = "hyper-client")]
    pub async fn wait_for_tokens<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<Tokens<A, K::Binding>, Error> {
        self.wait_for_tokens_with(client, &TokioTimer, std::future::pending())
            .await
    }
}

/// Serde for a secret string: written in clear (see [`DeviceAuthorization`]), never
/// printed.
mod secret_string {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}
