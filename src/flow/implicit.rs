//! The implicit flow (OpenID Connect Core 1.0 §3.2): `response_type=id_token` or
//! `id_token token`, answered in the redirect URI's fragment (the default) or by
//! `form_post`, plus the front-channel token parameters the hybrid flow shares
//! (§3.2.2.5, §3.3.2.5).
//!
//! `ImplicitRequest -> PendingImplicit -> VerifiedIdToken | Tokens<Online>`: the ID
//! token is validated (§3.2.2.11) before anything is returned, the nonce is always
//! sent and required, and `at_hash` is required when an access token comes with it.
//! Nothing the implicit flow returns can be refreshed.

use std::collections::HashMap;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::authorize::ResponseSpec;
use super::callback::take_param;
use super::{
    AuthorizationRequest, AuthorizationUrl, NoPkce, Online, Pending, Prompt, ResponseMode, Tokens,
};
use crate::client::{Client, ClientKind};
use crate::error::{CallbackError, Error, ResponseError};
use crate::http::HttpClient;
use crate::id_token::{Expectations, IdTokenClaims};
use crate::token::TokenResponse;
use crate::types::{IdToken, Nonce, RedirectUrl, Scope, State};

mod sealed {
    pub trait Sealed {}
}

/// The `response_type` of an implicit request: [`IdTokenOnly`] or [`IdTokenToken`].
pub trait ImplicitResponseType: sealed::Sealed + Send + Sync + 'static {
    /// The `response_type` value.
    const RESPONSE_TYPE: &'static str;
    #[doc(hidden)]
    const LABEL: &'static str;
    /// Whether an access token is issued along with the ID token.
    const WITH_TOKEN: bool;
}

/// Marker: `response_type=id_token` (OpenID Connect Core §3.2.2.1): authentication
/// only, no access token; the result is a [`VerifiedIdToken`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdTokenOnly;

/// Marker: `response_type=id_token token` (OpenID Connect Core §3.2.2.1): an ID token
/// and an access token; the result is [`Tokens<Online>`](Tokens).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdTokenToken;

impl sealed::Sealed for IdTokenOnly {}
impl sealed::Sealed for IdTokenToken {}

impl ImplicitResponseType for IdTokenOnly {
    const RESPONSE_TYPE: &'static str = "id_token";
    const LABEL: &'static str = "response_type=id_token";
    const WITH_TOKEN: bool = false;
}

impl ImplicitResponseType for IdTokenToken {
    const RESPONSE_TYPE: &'static str = "id_token token";
    const LABEL: &'static str = "response_type=id_token token";
    const WITH_TOKEN: bool = true;
}

/// An implicit-flow authentication request being configured (OpenID Connect Core
/// §3.2.2.1).
///
/// Created by [`Client::implicit_request`] for `response_type=id_token`;
/// [`with_access_token`](ImplicitRequest::with_access_token) asks for `id_token token`.
/// The scope always holds `openid`; there is no PKCE (no code is issued) and no
/// `offline_access` (the implicit flow never issues refresh tokens, §3.2.2.1).
/// The response mode defaults to `fragment`; `query` is refused.
#[must_use = "an implicit request does nothing until `start` is called"]
pub struct ImplicitRequest<R = IdTokenOnly> {
    inner: AuthorizationRequest<Online, NoPkce>,
    _response: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for ImplicitRequest<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ImplicitRequest").field(&self.inner).finish()
    }
}

impl<H, K: crate::client::ClientKind<Binding = crate::dpop::Bearer>> Client<H, K> {
    /// Starts an implicit-flow request (OpenID Connect Core §3.2): `response_type=id_token`,
    /// scope `openid`, fresh `state` and `nonce`, the client's redirect URI.
    pub fn implicit_request(&self) -> ImplicitRequest<IdTokenOnly> {
        ImplicitRequest {
            inner: self.authorization_request().without_pkce(),
            _response: PhantomData,
        }
    }
}

/// Builder methods that only pass their argument on to the shared authorization
/// request; each links to the method that documents it.
macro_rules! pass_on {
    ($($name:ident($arg:ident: $ty:ty)),* $(,)?) => {
        $(
            #[doc = concat!("See [`AuthorizationRequest::", stringify!($name), "`].")]
            pub fn $name(self, $arg: $ty) -> Self {
                self.map(|r| r.$name($arg))
            }
        )*
    };
}

impl<R> ImplicitRequest<R> {
    fn map(
        self,
        f: impl FnOnce(AuthorizationRequest<Online, NoPkce>) -> AuthorizationRequest<Online, NoPkce>,
    ) -> Self {
        Self {
            inner: f(self.inner),
            _response: PhantomData,
        }
    }

    pass_on!(
        scope(scope: &str),
        redirect_uri(uri: RedirectUrl),
        response_mode(mode: ResponseMode),
        prompt(prompt: Prompt),
        max_age(seconds: u64),
        login_hint(hint: impl Into<String>),
        ui_locales(locales: impl Into<String>),
        acr_values(values: impl Into<String>),
        id_token_hint(token: IdToken),
        state(state: State),
        nonce(nonce: Nonce),
    );

    /// See [`AuthorizationRequest::claims`].
    pub fn claims(self, request: &serde_json::Value) -> Self {
        self.map(|r| r.claims(request))
    }

    /// See [`AuthorizationRequest::extra`].
    pub fn extra(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.extra(name, value))
    }
}

impl ImplicitRequest<IdTokenOnly> {
    /// Asks for an access token too: `response_type=id_token token`. The ID token must
    /// then carry a matching `at_hash` (OpenID Connect Core §3.2.2.10).
    pub fn with_access_token(self) -> ImplicitRequest<IdTokenToken> {
        ImplicitRequest {
            inner: self.inner,
            _response: PhantomData,
        }
    }
}

impl<R: ImplicitResponseType> ImplicitRequest<R> {
    /// Builds the authorization URL and the [`PendingImplicit`] flow that will receive
    /// the callback. Fails like [`AuthorizationRequest::start`], and also when the
    /// provider lists its response types without this one.
    pub fn start(self) -> Result<(AuthorizationUrl, PendingImplicit<R>), Error> {
        let spec = ResponseSpec {
            response_type: R::RESPONSE_TYPE,
            label: R::LABEL,
            code: false,
            id_token: true,
            default_mode: ResponseMode::Fragment,
        };
        let (url, pending) = self.inner.prepare(&spec)?;
        Ok((
            url,
            PendingImplicit {
                pending,
                _response: PhantomData,
            },
        ))
    }
}

/// An implicit request that was sent and awaits its callback.
///
/// Like [`Pending`] it is `Serialize + Deserialize` so a web application can keep it
/// in its server-side session; the serialized form holds the `state` and `nonce` in
/// clear, so store it server-side or encrypted.
#[derive(Serialize, Deserialize)]
pub struct PendingImplicit<R = IdTokenOnly> {
    pending: Pending<Online, NoPkce>,
    #[serde(skip)]
    _response: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for PendingImplicit<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PendingImplicit")
            .field(&self.pending)
            .finish()
    }
}

impl<R: ImplicitResponseType> PendingImplicit<R> {
    /// The `state` sent with the request.
    pub fn state(&self) -> &State {
        self.pending.state()
    }
    /// The `nonce` sent with the request (always present in the implicit flow).
    pub fn nonce(&self) -> Option<&Nonce> {
        self.pending.nonce()
    }
    /// The redirect URI the callback arrives at.
    pub fn redirect_uri(&self) -> &RedirectUrl {
        self.pending.redirect_uri()
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        self.pending.scope()
    }

    /// Reads and validates the authorization response (OpenID Connect Core §3.2.2.5,
    /// §3.2.2.8–§3.2.2.11): the callback checks of [`Pending::callback`] (`iss` —
    /// optional here, as the ID token's `iss` identifies the issuer (RFC 9207 §2.4) —,
    /// `state`, `error`), then the ID token with its nonce, and for `id_token token` the
    /// access token against a REQUIRED `at_hash`.
    async fn receive<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        params: HashMap<String, String>,
    ) -> Result<Received, Error> {
        let pending = self.pending;
        pending.check_client(client)?;
        let mut params = pending.unwrap_jarm(client, params).await?;
        pending.check_response(&mut params, true)?;
        let id_token = take_id_token(&mut params)?;
        let tokens = if R::WITH_TOKEN {
            Some(front_channel_tokens(params)?)
        } else {
            None
        };
        let expected = Expectations {
            nonce: pending.nonce.as_ref(),
            access_token: tokens.as_ref().map(|t| &t.access_token),
            require_at_hash: R::WITH_TOKEN,
            max_age: pending.max_age,
            ..Default::default()
        };
        let claims = client
            .validate_id_token(id_token.secret(), &expected)
            .await?;
        Ok(Received {
            id_token,
            claims,
            tokens,
            scope: pending.scope,
        })
    }
}

/// What a validated implicit response holds.
struct Received {
    id_token: IdToken,
    claims: IdTokenClaims,
    tokens: Option<TokenResponse>,
    scope: Scope,
}

impl PendingImplicit<IdTokenOnly> {
    /// Consumes the redirect the provider sent the user agent to (the fragment by
    /// default; see [`Pending::callback`] for the accepted forms) and validates the ID
    /// token (OpenID Connect Core §3.2.2.11).
    pub async fn callback<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        redirect: &str,
    ) -> Result<VerifiedIdToken, Error> {
        let params = self.pending.redirect_params(redirect)?;
        self.receive(client, params)
            .await
            .map(VerifiedIdToken::from)
    }

    /// Consumes a `form_post` callback body and validates the ID token.
    pub async fn callback_form<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        body: &[u8],
    ) -> Result<VerifiedIdToken, Error> {
        let params = self.pending.form_params(body)?;
        self.receive(client, params)
            .await
            .map(VerifiedIdToken::from)
    }
}

impl PendingImplicit<IdTokenToken> {
    /// Consumes the redirect the provider sent the user agent to and validates the ID
    /// token and, through its REQUIRED `at_hash`, the access token (OpenID Connect Core
    /// §3.2.2.9–§3.2.2.11). The tokens are [`Online`]: never refreshable, and a
    /// `refresh_token` in the response is ignored (RFC 6749 §4.2.2).
    pub async fn callback<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        redirect: &str,
    ) -> Result<Tokens<Online>, Error> {
        let params = self.pending.redirect_params(redirect)?;
        let received = self.receive(client, params).await?;
        received.into_tokens(client)
    }

    /// Consumes a `form_post` callback body; as [`callback`](Self::callback).
    pub async fn callback_form<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        body: &[u8],
    ) -> Result<Tokens<Online>, Error> {
        let params = self.pending.form_params(body)?;
        let received = self.receive(client, params).await?;
        received.into_tokens(client)
    }
}

impl Received {
    fn into_tokens<H, K>(self, client: &Client<H, K>) -> Result<Tokens<Online>, Error> {
        let parsed = self
            .tokens
            .ok_or(CallbackError::MissingParameter("access_token"))?;
        Ok(Tokens::from_parts(
            parsed,
            None,
            Some(self.id_token),
            Some(self.claims),
            self.scope,
            client,
        ))
    }
}

/// An ID token from the implicit flow's `response_type=id_token`, validated per OpenID
/// Connect Core §3.2.2.11 (signature, issuer, audience, times, nonce).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VerifiedIdToken {
    id_token: IdToken,
    claims: IdTokenClaims,
    scope: Scope,
}

impl From<Received> for VerifiedIdToken {
    fn from(r: Received) -> Self {
        Self {
            id_token: r.id_token,
            claims: r.claims,
            scope: r.scope,
        }
    }
}

impl VerifiedIdToken {
    /// The raw ID token (e.g. for `id_token_hint` at logout).
    pub fn id_token(&self) -> &IdToken {
        &self.id_token
    }
    /// The validated claims; with no access token issued, the provider puts the
    /// requested scope's claims here (OpenID Connect Core §5.4).
    pub fn claims(&self) -> &IdTokenClaims {
        &self.claims
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Removes the (non-empty) `id_token` parameter of an authorization response.
pub(crate) fn take_id_token(
    params: &mut HashMap<String, String>,
) -> Result<IdToken, CallbackError> {
    take_param(params, "id_token").map(IdToken::new)
}

/// The token parameters of an authorization response (OpenID Connect Core §3.2.2.5:
/// `access_token`, `token_type`, `expires_in`, `scope`), read by the token-response
/// parser so they obey the same rules as at the token endpoint (RFC 6749 §5.1).
pub(crate) fn front_channel_tokens(
    params: HashMap<String, String>,
) -> Result<TokenResponse, Error> {
    for name in ["access_token", "token_type"] {
        if !params.contains_key(name) {
            return Err(CallbackError::MissingParameter(name).into());
        }
    }
    let object: serde_json::Map<String, serde_json::Value> = params
        .into_iter()
        .map(|(name, value)| (name, serde_json::Value::String(value)))
        .collect();
    let json = serde_json::Value::Object(object).to_string();
    TokenResponse::from_json(json.as_bytes()).map_err(|e| match e {
        Error::Response(ResponseError::Invalid { detail, .. }) => ResponseError::Invalid {
            endpoint: "authorization",
            detail,
        }
        .into(),
        Error::Response(ResponseError::Json { detail, .. }) => ResponseError::Json {
            endpoint: "authorization",
            detail,
        }
        .into(),
        other => other,
    })
}
