//! Token revocation (RFC 7009), and the token-type hints it shares with introspection.
//!
//! [`Client::revoke`] starts a [`RevocationRequest`]; [`RevocationRequest::request`]
//! builds the `http::Request` and [`RevocationRequest::finish`] reads the answer
//! (sans-IO), [`RevocationRequest::send`] does both over the client's transport.
//!
//! The request carries client authentication like the token endpoint (RFC 7009 §2.1);
//! [`RevocationRequest::auth`] overrides the client's setting for providers that register
//! a different `revocation_endpoint_auth_method`.

use std::fmt;

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

mod sealed {
    /// Reveals the token value to this crate only: users cannot name this trait, so the
    /// value stays reachable for them through the token's explicit `.secret()` alone.
    pub trait TokenValue {
        fn token_value(&self) -> &str;
    }
}

/// A token the provider issued that can be sent to the revocation (RFC 7009 §2.1) or
/// introspection (RFC 7662 §2.1) endpoint: an [`AccessToken`] or a [`RefreshToken`].
pub trait IssuedToken: sealed::TokenValue {}

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
impl IssuedToken for AccessToken {}
impl IssuedToken for RefreshToken {}

/// The authenticated form POST shared by revocation (RFC 7009 §2.1) and introspection
/// (RFC 7662 §2.1): `token`, the optional `token_type_hint`, and client authentication
/// with `auth` or, when `None`, the client's own setting.
pub(crate) fn token_post<H: HttpClient, K: ClientKind>(
    client: &Client<H, K>,
    endpoint: &Option<EndpointUrl>,
    endpoint_name: &'static str,
    token: &str,
    hint: Option<&TokenTypeHint>,
    auth: Option<&ClientAuth>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let endpoint = ProviderMetadata::endpoint(endpoint, endpoint_name)?;
    let mut form = Form::new();
    form.set("token", token)
        .set_opt("token_type_hint", hint.map(TokenTypeHint::as_str));
    client.authenticated_post_with(auth.unwrap_or(client.auth()), endpoint, form)
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
    pub fn revoke<'a, T: IssuedToken>(&'a self, token: &'a T) -> RevocationRequest<'a, H, K> {
        RevocationRequest {
            client: self,
            token: token.token_value(),
            hint: None,
            auth: None,
        }
    }
}

/// A revocation request being configured (RFC 7009 §2.1). Created by [`Client::revoke`].
#[must_use = "a revocation request does nothing until it is sent"]
pub struct RevocationRequest<'a, H, K> {
    client: &'a Client<H, K>,
    token: &'a str,
    hint: Option<TokenTypeHint>,
    auth: Option<ClientAuth>,
}

impl<H, K> fmt::Debug for RevocationRequest<'_, H, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationRequest")
            .field("token", &"[redacted]")
            .field("token_type_hint", &self.hint)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl<H: HttpClient, K: ClientKind> RevocationRequest<'_, H, K> {
    /// Sends `token_type_hint` (RFC 7009 §2.1), which helps the provider find the token.
    pub fn token_type_hint(mut self, hint: TokenTypeHint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Authenticates with `auth` instead of the client's own setting, e.g. for a provider
    /// that registered another `revocation_endpoint_auth_method` (RFC 8414 §2).
    pub fn auth(mut self, auth: ClientAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The revocation request (sans-IO): a form POST of `token` and `token_type_hint` to
    /// the `revocation_endpoint`, with client authentication.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnsupportedByProvider`](crate::error::ConfigError::UnsupportedByProvider)
    /// when the provider advertises no `revocation_endpoint`; a configuration error when the
    /// client authentication cannot be built.
    pub fn request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        token_post(
            self.client,
            &self.client.metadata().revocation_endpoint,
            "revocation_endpoint",
            self.token,
            self.hint.as_ref(),
            self.auth.as_ref(),
        )
    }

    /// Reads the revocation response (RFC 7009 §2.2): any 2xx is success whatever its
    /// body (the provider also answers 200 for a token that was invalid or already
    /// revoked); an error document becomes [`Error::Provider`] (see
    /// [`RevocationErrorCode::of`]), any other status
    /// [`ResponseError::UnexpectedStatus`](crate::error::ResponseError::UnexpectedStatus).
    pub fn finish(&self, response: &http::Response<Bytes>) -> Result<(), Error> {
        require_success("revocation", response)
    }

    /// Sends the request and reads the response.
    pub async fn send(self) -> Result<(), Error> {
        let response = self.client.http().execute(self.request()?).await?;
        self.finish(&response)
    }
}
