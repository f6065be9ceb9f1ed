//! Requests to protected resources with the client's access token (RFC 6750 §2.1 for
//! bearer tokens, RFC 9449 §7 for DPoP-bound ones).
//!
//! [`Client::protected_resource_request`] starts a request to any URL of a resource server;
//! the token goes in the `Authorization` header with the scheme of the client's binding
//! (`Bearer`, or `DPoP` with a proof that carries the token's hash `ath`). The answer is
//! returned as it is, whatever its status: the resource's semantics are the caller's. Only
//! the DPoP nonce exchange is handled here: a `401` with `WWW-Authenticate: DPoP
//! error="use_dpop_nonce"` is retried once with the nonce the server sent (RFC 9449 §9).

use std::fmt;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};

use crate::client::{Client, ClientKind};
use crate::dpop::TokenBinding;
use crate::error::{ConfigError, Error, ProviderError};
use crate::http::HttpClient;

/// `Authorization: <scheme> <token>` for binding `B`, marked sensitive.
pub(crate) fn authorization<B: TokenBinding>(
    token: &str,
) -> Result<http::HeaderValue, ConfigError> {
    let mut value =
        http::HeaderValue::try_from(format!("{} {token}", B::SCHEME)).map_err(|_| {
            ConfigError::InvalidValue {
                what: "access token",
                detail: "not usable in an HTTP header (RFC 6750 §2.1)".into(),
            }
        })?;
    value.set_sensitive(true);
    Ok(value)
}

impl<H, K> Client<H, K> {
    /// For a DPoP client, adds a proof with `ath` for `access_token` to a resource request
    /// (RFC 9449 §7.1), carrying the nonce last received from its origin.
    pub(crate) fn attach_resource_proof(
        &self,
        request: &mut http::Request<Vec<u8>>,
        access_token: &str,
    ) -> Result<(), Error> {
        match &self.core.dpop {
            Some(dpop) => dpop.attach(
                request,
                Some(access_token),
                self.core.validator.clock().now(),
            ),
            None => Ok(()),
        }
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a request to a protected resource at `url` with `access_token`: an
    /// [`AccessToken`](crate::AccessToken) sent as `Bearer` by a bearer client, a
    /// [`DpopAccessToken`](crate::DpopAccessToken) sent as `DPoP` with a proof by a DPoP
    /// client (RFC 9449 §7.1).
    pub fn protected_resource_request<'a>(
        &'a self,
        access_token: &'a <K::Binding as TokenBinding>::Token,
        method: http::Method,
        url: &str,
    ) -> ResourceRequest<'a, H, K> {
        let uri = url::Url::parse(url)
            .map_err(|e| ConfigError::InvalidUrl {
                what: "protected resource",
                detail: e.to_string(),
            })
            .and_then(|mut u| {
                // A credential in the URL would end up in logs; the transport refuses it too.
                if !u.username().is_empty() || u.password().is_some() {
                    return Err(ConfigError::InvalidUrl {
                        what: "protected resource",
                        detail: "the URL must not contain user information".into(),
                    });
                }
                u.set_fragment(None);
                u.as_str()
                    .parse::<http::Uri>()
                    .map_err(|e| ConfigError::InvalidUrl {
                        what: "protected resource",
                        detail: e.to_string(),
                    })
            });
        ResourceRequest {
            client: self,
            access_token: <K::Binding as TokenBinding>::secret(access_token),
            method,
            uri,
            headers: http::HeaderMap::new(),
            body: Vec::new(),
        }
    }
}

/// A request to a protected resource being configured; see
/// [`Client::protected_resource_request`].
#[must_use = "a resource request does nothing until it is sent"]
pub struct ResourceRequest<'a, H, K> {
    client: &'a Client<H, K>,
    access_token: &'a str,
    method: http::Method,
    uri: Result<http::Uri, ConfigError>,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl<H, K> fmt::Debug for ResourceRequest<'_, H, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceRequest")
            .field("method", &self.method)
            .field(
                "uri",
                &self.uri.as_ref().map(|u| {
                    format!(
                        "{}://{}{}",
                        u.scheme_str().unwrap_or_default(),
                        u.authority().map(|a| a.as_str()).unwrap_or_default(),
                        u.path()
                    )
                }),
            )
            .field("access_token", &"[redacted]")
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<H: HttpClient, K: ClientKind> ResourceRequest<'_, H, K> {
    /// Adds a request header (`Authorization` and `DPoP` are the crate's own and are
    /// replaced).
    pub fn header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the request body and its `Content-Type`.
    pub fn body(mut self, content_type: http::HeaderValue, body: Vec<u8>) -> Self {
        self.headers.insert(CONTENT_TYPE, content_type);
        self.body = body;
        self
    }

    fn unproven_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let uri = self.uri.clone()?;
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers.clone();
        request.headers_mut().insert(
            AUTHORIZATION,
            crate::resource::authorization::<K::Binding>(self.access_token)?,
        );
        Ok(request)
    }

    /// The request (sans-IO), with a proof for a DPoP client (carrying the nonce last
    /// received from the resource's origin).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] for a URL that is not absolute, and DPoP errors.
    pub fn request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = self.unproven_request()?;
        self.client
            .attach_resource_proof(&mut request, self.access_token)?;
        Ok(request)
    }

    /// Sends the request and returns the resource's response, whatever its status — except
    /// that a DPoP client retries once on `use_dpop_nonce` (RFC 9449 §9), and a second such
    /// answer is [`Error::Provider`] (`use_dpop_nonce`).
    ///
    /// # Errors
    ///
    /// Transport errors, [`ConfigError::InvalidUrl`], and
    /// [`DpopError::NonceMissing`](crate::dpop::DpopError::NonceMissing) /
    /// [`DpopError::InvalidNonce`](crate::dpop::DpopError::InvalidNonce) for a nonce
    /// request without a usable nonce.
    pub async fn send(self) -> Result<http::Response<Bytes>, Error> {
        let (response, _) = crate::dpop::execute(
            self.client.http(),
            self.client.core.dpop.as_ref(),
            "resource",
            Some(self.access_token),
            || self.client.core.validator.clock().now(),
            || self.unproven_request(),
        )
        .await?;
        if self.client.core.dpop.is_some()
            && response.status() == http::StatusCode::UNAUTHORIZED
            && crate::challenge::dpop_nonce_challenge(&response)
        {
            return Err(ProviderError {
                error: "use_dpop_nonce".into(),
                error_description: Some(
                    "the resource server asked for a DPoP nonce again after the retry".into(),
                ),
                error_uri: None,
                status: Some(401),
            }
            .into());
        }
        Ok(response)
    }
}
