//! The FAPI 2.0 authorization-code flow: `FapiAuthorizationRequest -> FapiPending ->
//! FapiCodeReceived -> Tokens<A, DpopBound>`, thin typestate wrappers over the generic flow
//! that leave out everything FAPI forbids.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::{Fapi2, FapiProfile};
use crate::dpop::DpopBound;
use crate::error::{ConfigError, Error};
use crate::flow::{
    Access, AuthorizationRequest, AuthorizationUrl, CodeReceived, Offline, Online, Pending, Pkce,
    Prompt, ResponseMode, Tokens,
};
use crate::http::HttpClient;
use crate::types::{IdToken, Nonce, RedirectUrl, Scope, State};

/// Parameters a FAPI flow sets itself (or forbids), which `extra` cannot touch.
const FAPI_RESERVED: &[&str] = &[
    "response_mode",
    "response_type",
    "request_uri",
    "code_challenge_method",
    "code_challenge",
];

/// A FAPI 2.0 authorization request being configured; created by
/// [`Fapi2::authorization_request`], finished by [`start`](Self::start), which always
/// pushes it (RFC 9126). `A` is [`Online`] or [`Offline`]; `P` the profile.
#[must_use = "an authorization request does nothing until `start` is called"]
pub struct FapiAuthorizationRequest<A = Online, P = super::SecurityProfile> {
    inner: AuthorizationRequest<A, Pkce>,
    errors: Vec<ConfigError>,
    _profile: PhantomData<fn() -> P>,
}

impl<A, P> std::fmt::Debug for FapiAuthorizationRequest<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FapiAuthorizationRequest")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<P> FapiAuthorizationRequest<Online, P> {
    pub(super) fn new(inner: AuthorizationRequest<Online, Pkce>) -> Self {
        Self {
            inner,
            errors: Vec::new(),
            _profile: PhantomData,
        }
    }

    /// Asks for a refresh token (`offline_access` with `prompt=consent`); the tokens become
    /// [`Offline`].
    pub fn offline_access(self) -> FapiAuthorizationRequest<Offline, P> {
        FapiAuthorizationRequest {
            inner: self.inner.offline_access(),
            errors: self.errors,
            _profile: PhantomData,
        }
    }
}

/// Forwards a builder call to the wrapped request.
macro_rules! forward {
    ($(#[$m:meta])* $name:ident($arg:ident: $ty:ty)) => {
        $(#[$m])*
        pub fn $name(self, $arg: $ty) -> Self {
            Self { inner: self.inner.$name($arg), ..self }
        }
    };
}

impl<A, P> FapiAuthorizationRequest<A, P> {
    forward!(
        /// Adds space-separated scope tokens (`offline_access` only through
        /// [`offline_access`](FapiAuthorizationRequest::offline_access)).
        scope(scope: &str)
    );
    forward!(
        /// Overrides the client's redirect URI for this request.
        redirect_uri(uri: RedirectUrl)
    );
    forward!(
        /// Adds a `prompt` value.
        prompt(prompt: Prompt)
    );
    forward!(
        /// Sets `max_age`.
        max_age(seconds: u64)
    );
    forward!(
        /// Sets `login_hint`.
        login_hint(hint: impl Into<String>)
    );
    forward!(
        /// Sets `ui_locales`.
        ui_locales(locales: impl Into<String>)
    );
    forward!(
        /// Sets `acr_values`.
        acr_values(values: impl Into<String>)
    );
    forward!(
        /// Sets `id_token_hint`.
        id_token_hint(token: IdToken)
    );
    forward!(
        /// Overrides the generated `state`.
        state(state: State)
    );
    forward!(
        /// Overrides the generated `nonce`.
        nonce(nonce: Nonce)
    );
    forward!(
        /// Sets the `claims` request parameter (OpenID Connect Core §5.5).
        claims(request: &serde_json::Value)
    );

    /// The plain OAuth 2.0 variant: no `openid` scope, no ID token; the RFC 9207 `iss`
    /// check is then what ties the response to this provider.
    pub fn without_openid(self) -> Self {
        Self {
            inner: self.inner.without_openid(),
            ..self
        }
    }

    /// Adds a provider-specific parameter (e.g. an RFC 8707 `resource`). What the profile
    /// fixes — `response_type`, `response_mode`, PKCE, `request_uri` — is refused at
    /// [`start`](Self::start).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        if FAPI_RESERVED.contains(&name.as_str()) {
            self.errors.push(ConfigError::InvalidValue {
                what: "extra parameter",
                detail: format!("{name} is fixed by the FAPI 2.0 profile"),
            });
            return self;
        }
        Self {
            inner: self.inner.extra(name, value),
            ..self
        }
    }
}

impl<A: Access, P: FapiProfile> FapiAuthorizationRequest<A, P> {
    /// Pushes the request (RFC 9126) — with a DPoP proof, `private_key_jwt` and, for
    /// Message Signing, as a signed request object — and returns the short authorization
    /// URL (`client_id` + `request_uri`) and the pending flow.
    pub async fn start<H: HttpClient>(
        self,
        fapi: &Fapi2<H, P>,
    ) -> Result<(AuthorizationUrl, FapiPending<A, P>), Error> {
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e.into());
        }
        let inner = if P::MESSAGE_SIGNING {
            self.inner.response_mode(ResponseMode::Jwt)
        } else {
            self.inner
        };
        let (url, mut pending) = inner.start_pushed(&fapi.client).await?;
        // FAPI 2.0 §5.3.2.2: the authorization response's `iss` is always checked.
        pending.iss_required = true;
        Ok((
            url,
            FapiPending {
                inner: pending,
                _profile: PhantomData,
            },
        ))
    }
}

/// A pushed FAPI 2.0 request awaiting its callback. `Serialize + Deserialize` like
/// [`Pending`], whose secrets it holds (keep it server-side).
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct FapiPending<A = Online, P = super::SecurityProfile> {
    inner: Pending<A, Pkce>,
    #[serde(skip)]
    _profile: PhantomData<fn() -> P>,
}

impl<A, P> std::fmt::Debug for FapiPending<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FapiPending")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<A: Access, P: FapiProfile> FapiPending<A, P> {
    /// The `state` sent with the request.
    pub fn state(&self) -> &State {
        self.inner.state()
    }
    /// The `nonce` sent (OpenID Connect requests).
    pub fn nonce(&self) -> Option<&Nonce> {
        self.inner.nonce()
    }
    /// The redirect URI the callback arrives at.
    pub fn redirect_uri(&self) -> &RedirectUrl {
        self.inner.redirect_uri()
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        self.inner.scope()
    }

    /// Consumes the redirect: for Message Signing the `response` JWT is verified first
    /// (JARM: signature with a FAPI algorithm, `iss`, `aud`, `exp`); then `iss` (required),
    /// `state` (constant time), an `error` response, and the `code`.
    pub async fn callback<H: HttpClient>(
        self,
        fapi: &Fapi2<H, P>,
        redirect: &str,
    ) -> Result<FapiCodeReceived<A, P>, Error> {
        let inner = self.inner.callback_with(&fapi.client, redirect).await?;
        Ok(FapiCodeReceived {
            inner,
            _profile: PhantomData,
        })
    }
}

/// A FAPI 2.0 callback that passed every check; only it can be exchanged.
pub struct FapiCodeReceived<A = Online, P = super::SecurityProfile> {
    inner: CodeReceived<A, Pkce>,
    _profile: PhantomData<fn() -> P>,
}

impl<A, P> std::fmt::Debug for FapiCodeReceived<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FapiCodeReceived")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<A: Access, P: FapiProfile> FapiCodeReceived<A, P> {
    /// Exchanges the code — with the PKCE verifier, `private_key_jwt` (`aud` = issuer) and a
    /// DPoP proof — and validates the ID token; the access token must come back as
    /// `token_type=DPoP`.
    pub async fn exchange<H: HttpClient>(
        self,
        fapi: &Fapi2<H, P>,
    ) -> Result<Tokens<A, DpopBound>, Error> {
        self.inner.exchange(&fapi.client).await
    }
}
