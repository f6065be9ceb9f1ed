//! Token revocation (RFC 7009), and the token-type hints it shares with introspection.
//!
//! [`Client::revoke`] starts a [`RevocationRequest`]; [`TokenPost::request`] builds the
//! `http::Request` and [`TokenPost::finish`] reads the answer (sans-IO),
//! [`TokenPost::send`] does both over the client's transport. [`TokenPost`] is shared with
//! introspection, whose request has the same shape (RFC 7662 §2.1).
//!
//! The request carries client authentication like the token endpoint (RFC 7009 §2.1);
//! [`TokenPost::auth`] overrides the client's setting for providers that register a
//! different `revocation_endpoint_auth_method`.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;

use crate::client::{Client, ClientKind};
use crate::client_auth::ClientAuth;
use crate::discovery::ProviderMetadata;
use crate::error::{Error, ProviderError};
use crate::http::HttpClient;
use crate::request::Form;
use crate::response::require_success;
use crate::types::{AccessToken, EndpointUrl, RefreshToken};

/// A `token_type_hint` value (RFC 7009 §2.1, RFC 7662 §2.1; the "OAuth Token Type Hints"
/// registry of RFC 7009 §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TokenTypeHint {
    /// `access_token` (RFC 7009 §2.1).
    AccessToken,
    /// `refresh_token` (RFC 7009 §2.1).
    RefreshToken,
    /// Any other registered or provider-specific value.
    Other(String),
}

impl TokenTypeHint {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
            Self::Other(s) => s,
        }
    }
}

pub(crate) mod sealed {
    /// Reveals the token value to this crate only: users cannot name this trait, so the
    /// value stays reachable for them through the token's explicit `.secret()` alone.
    pub trait TokenValue {
        fn token_value(&self) -> &str;
    }

    /// Closes [`super::TokenEndpoint`] to this crate's endpoints.
    pub trait Sealed {}
}

/// A token the provider issued that can be sent to the revocation (RFC 7009 §2.1) or
/// introspection (RFC 7662 §2.1) endpoint: an [`AccessToken`] or a [`RefreshToken`].
pub trait AccessOrRefreshToken: sealed::TokenValue {}

impl sealed::TokenValue for AccessToken {
    fn token_value(&self) -> &str {
        self.secret()
    }
}
impl sealed::TokenValue for RefreshToken {
    fn token_value(&self) -> &str {
        self.secret()
    }
}
impl sealed::TokenValue for crate::types::DpopAccessToken {
    fn token_value(&self) -> &str {
        self.secret()
    }
}
impl AccessOrRefreshToken for AccessToken {}
/// A DPoP-bound token is sent as a form parameter here, not as a credential (RFC 9449 does
/// not change revocation or introspection).
impl AccessOrRefreshToken for crate::types::DpopAccessToken {}
impl AccessOrRefreshToken for RefreshToken {}

/// An endpoint that takes one token in an authenticated form POST: [`Revoke`] (RFC 7009)
/// or [`Introspect`](crate::introspection::Introspect) (RFC 7662).
pub trait TokenEndpoint: sealed::Sealed {
    /// What a successful answer yields.
    type Output;
    #[doc(hidden)]
    const METADATA: &'static str;
    #[doc(hidden)]
    fn url(metadata: &ProviderMetadata) -> &Option<EndpointUrl>;
    #[doc(hidden)]
    fn read(response: &http::Response<Bytes>) -> Result<Self::Output, Error>;
}

/// Marker: the revocation endpoint (RFC 7009).
#[derive(Clone, Copy, Debug)]
pub struct Revoke;

impl sealed::Sealed for Revoke {}
impl TokenEndpoint for Revoke {
    type Output = ();
    const METADATA: &'static str = "revocation_endpoint";
    fn url(metadata: &ProviderMetadata) -> &Option<EndpointUrl> {
        &metadata.revocation_endpoint
    }
    /// RFC 7009 §2.2: any 2xx is success whatever its body (the provider answers 200 for
    /// a token that was invalid or already revoked too).
    fn read(response: &http::Response<Bytes>) -> Result<(), Error> {
        require_success("revocation", response)
    }
}

/// The error codes a revocation endpoint answers with: RFC 7009 §2.2.1 adds
/// `unsupported_token_type` to those of RFC 6749 §5.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationErrorCode {
    /// `unsupported_token_type`: the provider cannot revoke this type of token (RFC 7009 §2.2.1).
    UnsupportedTokenType,
    /// `invalid_request` (RFC 6749 §5.2).
    InvalidRequest,
    /// `invalid_client`: client authentication failed (RFC 6749 §5.2).
    InvalidClient,
    /// `unauthorized_client` (RFC 6749 §5.2).
    UnauthorizedClient,
    /// Any other code; read it from [`ProviderError::error`].
    Other,
}

impl RevocationErrorCode {
    /// The code of a provider error returned by the revocation endpoint.
    pub fn of(error: &ProviderError) -> Self {
        match error.error.as_str() {
            "unsupported_token_type" => Self::UnsupportedTokenType,
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "unauthorized_client" => Self::UnauthorizedClient,
            _ => Self::Other,
        }
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a revocation request for `token` (RFC 7009 §2.1), without a
    /// `token_type_hint` and with the client's own authentication until set otherwise.
    /// Revoking a refresh token also revokes the access tokens of the same grant when the
    /// provider supports that (RFC 7009 §2.1).
    pub fn revoke<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> RevocationRequest<'a, H, K> {
        TokenPost::new(self, token)
    }
}

/// A revocation request being configured (RFC 7009 §2.1). Created by [`Client::revoke`].
pub type RevocationRequest<'a, H, K> = TokenPost<'a, H, K, Revoke>;

/// A request that POSTs one token, with client authentication, to a [`TokenEndpoint`]:
/// a [`RevocationRequest`] (RFC 7009 §2.1) or an
/// [`IntrospectionRequest`](crate::introspection::IntrospectionRequest) (RFC 7662 §2.1).
#[must_use = "a request does nothing until it is sent"]
pub struct TokenPost<'a, H, K, E> {
    client: &'a Client<H, K>,
    token: &'a str,
    hint: Option<TokenTypeHint>,
    auth: Option<ClientAuth>,
    _endpoint: PhantomData<fn() -> E>,
}

impl<H, K, E: TokenEndpoint> fmt::Debug for TokenPost<'_, H, K, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPost")
            .field("endpoint", &E::METADATA)
            .field("token", &"[redacted]")
            .field("token_type_hint", &self.hint)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl<'a, H: HttpClient, K: ClientKind, E: TokenEndpoint> TokenPost<'a, H, K, E> {
    /// A request for `token` without a `token_type_hint`, with the client's own
    /// authentication.
    pub(crate) fn new<T: AccessOrRefreshToken>(client: &'a Client<H, K>, token: &'a T) -> Self {
        Self {
            client,
            token: token.token_value(),
            hint: None,
            auth: None,
            _endpoint: PhantomData,
        }
    }

    /// Sends `token_type_hint` (RFC 7009 §2.1, RFC 7662 §2.1), which helps the provider
    /// find the token.
    pub fn token_type_hint(mut self, hint: TokenTypeHint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Authenticates with `auth` instead of the client's own setting: a provider may
    /// register another `revocation_endpoint_auth_method` or
    /// `introspection_endpoint_auth_method` (RFC 8414 §2), and a resource server
    /// introspects with credentials of its own (RFC 7662 §2.1).
    pub fn auth(mut self, auth: ClientAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The request (sans-IO): a form POST of `token` and `token_type_hint` to the
    /// endpoint, with client authentication.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnsupportedByProvider`](crate::error::ConfigError::UnsupportedByProvider)
    /// when the provider does not advertise the endpoint; a configuration error when the
    /// client authentication cannot be built.
    pub fn request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let endpoint = ProviderMetadata::endpoint(E::url(self.client.metadata()), E::METADATA)?;
        let mut form = Form::new();
        form.set("token", self.token).set_opt(
            "token_type_hint",
            self.hint.as_ref().map(TokenTypeHint::as_str),
        );
        let auth = self.auth.as_ref().unwrap_or(self.client.auth());
        self.client.authenticated_post_with(auth, endpoint, form)
    }

    /// Reads the answer. Revocation: any 2xx is success whatever the body (RFC 7009
    /// §2.2). Introspection: see
    /// [`Introspection::from_response`](crate::introspection::Introspection::from_response).
    /// An error document becomes [`Error::Provider`] (for revocation see
    /// [`RevocationErrorCode::of`]), any other failure status
    /// [`ResponseError::UnexpectedStatus`](crate::error::ResponseError::UnexpectedStatus).
    pub fn finish(&self, response: &http::Response<Bytes>) -> Result<E::Output, Error> {
        E::read(response)
    }

    /// Sends the request and reads the answer.
    pub async fn send(self) -> Result<E::Output, Error> {
        let request = self.request()?;
        let secrets = crate::response::RequestSecrets::of(&request);
        let response = self.client.http().execute(request).await?;
        self.finish(&response).map_err(|e| secrets.scrub(e))
    }
}
