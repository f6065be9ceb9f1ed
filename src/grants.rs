//! Grants at the token endpoint besides the authorization code and refresh:
//! client credentials (RFC 6749 §4.4), resource owner password credentials
//! (RFC 6749 §4.3, legacy), token exchange (RFC 8693), and any extension grant
//! (RFC 6749 §4.5) as the escape hatch.
//!
//! They are all one builder, [`GrantRequest`], started from the [`Client`]:
//!
//! | grant | started by | yields |
//! |---|---|---|
//! | client credentials | [`Client::client_credentials`] (confidential clients only) | [`Tokens<Online>`](Tokens) |
//! | password (legacy) | [`Client::password_grant`] | [`Tokens<Online>`](Tokens), or [`Tokens<Offline>`](Tokens) after `.offline_access()` |
//! | token exchange | [`Client::token_exchange`] | [`IssuedToken`] |
//! | any other | [`Client::extension_grant`] | [`Tokens<Online>`](Tokens), or [`Tokens<Offline>`](Tokens) after `.expect_refresh_token()` |
//!
//! Every grant shares the same parts: `scope` (RFC 6749 §3.3), RFC 8707
//! `resource` indicators, provider-specific `extra` parameters, the client's
//! token-endpoint authentication, and the token-response handling of the code
//! flow — so an ID token in the response passes the same validation rules
//! (OpenID Connect Core §3.1.3.7, without a nonce since no authorization request
//! carried one), and an `Offline` request fails unless a refresh token came back.
//!
//! Builder mistakes (an invalid scope token, a `resource` with a fragment, an
//! `extra` parameter the grant sets itself) are collected and reported by
//! `token_request` / `send`, so the builder chains without `?`.
//!
//! The provider's `grant_types_supported` is *not* consulted: RFC 8414 §2 makes
//! it informational and many providers omit grants they do support. Only the
//! token endpoint must be advertised; without one every grant fails with
//! [`ConfigError::UnsupportedByProvider`] before any request is made.

mod client_credentials;
mod extension;
mod password;
mod token_exchange;

pub use client_credentials::{ClientCredentials, ConfidentialOnly};
pub use extension::Extension;
pub use password::Password;
pub use token_exchange::{IssuedToken, TokenExchange, TokenTypeUri};

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};

use crate::client::{Client, ClientKind, Confidential};
use crate::dpop::TokenBinding;
use crate::error::{ConfigError, Error};
use crate::flow::{Access, Tokens, tokens_from_response};
use crate::http::HttpClient;
use crate::id_token::Expectations;
use crate::request::Form;
use crate::token::TokenResponse;
use crate::types::{Scope, ScopeToken};

mod sealed {
    pub trait Sealed {}
}

/// A grant a [`GrantRequest`] can send; it fixes what the request yields.
///
/// Implemented by [`ClientCredentials`], [`Password`], [`TokenExchange`] and
/// [`Extension`]; sealed.
pub trait Grant: sealed::Sealed + 'static {
    /// [`Online`](crate::Online) or [`Offline`](crate::Offline): whether the
    /// resulting tokens must hold a refresh token (and can refresh).
    type Access: Access;
    /// What [`GrantRequest::send`] returns, for a client whose tokens are bound by `B`.
    type Output<B: TokenBinding>;
    /// Parameters the grant sets itself, which `extra` cannot override.
    #[doc(hidden)]
    const OWN_PARAMS: &'static [&'static str];
    /// Whether `offline_access` may only be requested through the type.
    #[doc(hidden)]
    const TYPED_OFFLINE: bool;
    #[doc(hidden)]
    fn output<B: TokenBinding>(tokens: Tokens<Self::Access, B>) -> Result<Self::Output<B>, Error>;
}

/// What a grant does with an `id_token` member of its token response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdTokenRule {
    /// Neither validated nor kept: the tokens hold no ID token. The rule of
    /// client credentials, where there is no end-user an ID token could describe
    /// (RFC 6749 §4.4, OpenID Connect Core §3.1.3.3 applies to end-user grants only).
    Ignore,
    /// Validated when present (OpenID Connect Core §3.1.3.7, no nonce), absent allowed.
    ValidateIfPresent,
    /// Required and validated, as for an OpenID Connect request (`openid` scope).
    Require,
}

/// Names no grant's `extra` may set: the grant type, client authentication
/// (RFC 6749 §2.3, RFC 7523 §2.2) and the parameters with their own methods.
const RESERVED: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "scope",
    "resource",
];

/// A token request for one grant, being configured (RFC 6749 §4.3.2, §4.4.2,
/// §4.5; RFC 8693 §2.1).
///
/// `G` is the grant ([`ClientCredentials`], [`Password`], [`TokenExchange`],
/// [`Extension`]); `H` and `K` are the client's transport and kind. Finish it
/// with [`send`](GrantRequest::send), or sans-IO with
/// [`token_request`](GrantRequest::token_request) and
/// [`finish`](GrantRequest::finish).
#[must_use = "a grant request does nothing until `send` is called"]
pub struct GrantRequest<'a, G, H, K = Confidential> {
    client: &'a Client<H, K>,
    grant_type: Cow<'static, str>,
    scope: Scope,
    resources: Vec<String>,
    /// The grant's own parameters, then `extra` ones; values may be secrets.
    params: Vec<(Cow<'static, str>, SecretString)>,
    id_token: IdTokenRule,
    errors: Vec<ConfigError>,
    _grant: PhantomData<fn() -> G>,
}

impl<G, H, K> fmt::Debug for GrantRequest<'_, G, H, K> {
    // Parameter values can be passwords or tokens: only their names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_ref()).collect();
        f.debug_struct("GrantRequest")
            .field("grant_type", &self.grant_type)
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .field("params", &names)
            .field("id_token", &self.id_token)
            .finish_non_exhaustive()
    }
}

impl<'a, G: Grant, H: HttpClient, K: ClientKind> GrantRequest<'a, G, H, K> {
    pub(crate) fn new(
        client: &'a Client<H, K>,
        grant_type: impl Into<Cow<'static, str>>,
        scope: Scope,
        id_token: IdTokenRule,
    ) -> Self {
        Self {
            client,
            grant_type: grant_type.into(),
            scope,
            resources: Vec::new(),
            params: Vec::new(),
            id_token,
            errors: Vec::new(),
            _grant: PhantomData,
        }
    }

    fn retype<G2>(self) -> GrantRequest<'a, G2, H, K> {
        GrantRequest {
            client: self.client,
            grant_type: self.grant_type,
            scope: self.scope,
            resources: self.resources,
            params: self.params,
            id_token: self.id_token,
            errors: self.errors,
            _grant: PhantomData,
        }
    }

    /// Sets a parameter of the grant itself, replacing an earlier value.
    fn set_param(mut self, name: &'static str, value: String) -> Self {
        self.params.retain(|(n, _)| n != name);
        self.add_param(name, value)
    }

    /// Records a configuration error, reported when the request is built.
    fn push_error(&mut self, error: ConfigError) {
        self.errors.push(error);
    }

    /// Adds a parameter of the grant itself; a repeatable one may be added again.
    fn add_param(mut self, name: &'static str, value: String) -> Self {
        self.params
            .push((Cow::Borrowed(name), SecretString::from(value)));
        self
    }

    /// Adds space-separated scope tokens (RFC 6749 §3.3). For the password grant,
    /// `offline_access` is refused here: use its `offline_access()`, which also
    /// changes the type of the resulting tokens.
    pub fn scope(mut self, scope: &str) -> Self {
        let parsed = match Scope::parse(scope) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.errors.push(e);
                return self;
            }
        };
        for token in parsed.iter() {
            if G::TYPED_OFFLINE && token == Scope::OFFLINE_ACCESS {
                self.errors.push(ConfigError::InvalidValue {
                    what: "scope",
                    detail: "request offline_access with .offline_access(), which yields Tokens<Offline>"
                        .into(),
                });
            } else if let Ok(token) = ScopeToken::new(token) {
                self.scope.push(token);
            }
        }
        self
    }

    /// Adds an RFC 8707 `resource` indicator: the absolute URI (without fragment)
    /// of a protected resource the token is meant for. Repeatable; each is sent
    /// as its own `resource` parameter (RFC 8707 §2). RFC 8693 §2.1 uses the same
    /// parameter for token exchange.
    pub fn resource(mut self, uri: &str) -> Self {
        match url::Url::parse(uri) {
            Ok(parsed) if parsed.fragment().is_none() => {
                if !self.resources.iter().any(|r| r == uri) {
                    self.resources.push(uri.to_owned());
                }
            }
            Ok(_) => self.errors.push(ConfigError::InvalidValue {
                what: "resource",
                detail: "a resource indicator must not contain a fragment (RFC 8707 §2)".into(),
            }),
            Err(e) => self.errors.push(ConfigError::InvalidValue {
                what: "resource",
                detail: format!("not an absolute URI (RFC 8707 §2): {e}"),
            }),
        }
        self
    }

    /// Adds a provider-specific parameter; a later call with the same name
    /// replaces the value. The grant type, client authentication, `scope`,
    /// `resource` and the grant's own parameters cannot be set this way.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        if RESERVED.contains(&name.as_str()) || G::OWN_PARAMS.contains(&name.as_str()) {
            self.errors.push(ConfigError::InvalidValue {
                what: "extra parameter",
                detail: format!("{name} is set by the grant itself or has its own method"),
            });
            return self;
        }
        self.params.retain(|(n, _)| *n != name);
        self.params
            .push((Cow::Owned(name), SecretString::from(value.into())));
        self
    }

    /// The scope requested so far.
    pub fn requested_scope(&self) -> &Scope {
        &self.scope
    }

    fn form(&self) -> Result<Form, Error> {
        if let Some(e) = self.errors.first() {
            return Err(e.clone().into());
        }
        let mut form = Form::new();
        form.set("grant_type", &self.grant_type);
        for (name, value) in &self.params {
            form.set(name, value.expose_secret());
        }
        if !self.scope.is_empty() {
            form.set("scope", &self.scope.to_string());
        }
        for resource in &self.resources {
            form.set("resource", resource);
        }
        Ok(form)
    }

    /// The token request (sans-IO): the grant's form with the client's
    /// authentication, POSTed to the token endpoint. Fails with the first builder
    /// error, or [`ConfigError::UnsupportedByProvider`] without a token endpoint.
    pub fn token_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let form = self.form()?;
        self.client.token_post(self.client.token_endpoint()?, form)
    }

    /// Reads the token response (RFC 6749 §5.1/§5.2): an error document becomes
    /// [`Error::Provider`]; an ID token is handled by the grant's [`IdTokenRule`]
    /// (fetching the provider's keys if needed).
    pub async fn finish(
        self,
        response: &http::Response<Bytes>,
    ) -> Result<G::Output<K::Binding>, Error> {
        self.client.observe_token_endpoint_nonce(response);
        let parsed = TokenResponse::from_response(response)?;
        self.complete(parsed).await
    }

    /// Sends the request and reads the response: [`token_request`](Self::token_request),
    /// the round trip, then [`finish`](Self::finish).
    pub async fn send(self) -> Result<G::Output<K::Binding>, Error> {
        let form = self.form()?;
        let endpoint = self.client.token_endpoint()?;
        let (response, secrets) = self.client.send_token_post(endpoint, &form).await?;
        self.finish(&response).await.map_err(|e| secrets.scrub(e))
    }

    async fn complete(self, mut parsed: TokenResponse) -> Result<G::Output<K::Binding>, Error> {
        if self.id_token == IdTokenRule::Ignore {
            parsed.id_token = None;
        }
        let tokens = tokens_from_response::<G::Access, H, K>(
            self.client,
            parsed,
            Expectations::default(),
            self.id_token == IdTokenRule::Require,
            self.scope,
        )
        .await?;
        G::output(tokens)
    }
}
