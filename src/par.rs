//! Pushed Authorization Requests (RFC 9126).
//!
//! The authorization request's parameters are POSTed to the provider's
//! `pushed_authorization_request_endpoint` with client authentication; the
//! provider answers with a `request_uri`, and the user agent is sent to the
//! authorization endpoint with only `client_id` and `request_uri` (RFC 9126 §4).
//! Nothing else changes: [`AuthorizationRequest::start_pushed`] returns the same
//! [`Pending`] as [`AuthorizationRequest::start`], so the callback and the code
//! exchange work unchanged.
//!
//! [`AuthorizationRequest::start_auto`] pushes exactly when the provider metadata
//! says `require_pushed_authorization_requests` (RFC 9126 §5), and
//! [`AuthorizationRequest::start`] refuses such a provider with
//! [`ConfigError::PushedAuthorizationRequired`] rather than build a URL it would
//! reject.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;

use crate::client::{Client, ClientKind};
use crate::client_auth::AuthMethod;
use crate::discovery::ProviderMetadata;
use crate::error::{ConfigError, Error, ResponseError};
use crate::flow::{
    Access, AuthorizationRequest, AuthorizationUrl, Online, Pending, Pkce, PkceMode,
};
use crate::http::HttpClient;
use crate::request::Form;
use crate::response::{json_body, require_success};
use crate::types::EndpointUrl;

/// The provider's answer to a pushed authorization request (RFC 9126 §2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedAuthorization {
    request_uri: String,
    expires_in: Duration,
}

#[derive(serde::Deserialize)]
struct PushedDocument {
    request_uri: String,
    expires_in: u64,
}

impl PushedAuthorization {
    /// Largest response accepted.
    pub const MAX_LEN: usize = 16 * 1024;

    /// `request_uri`: the one-time reference to the pushed request.
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// `expires_in`: how long the `request_uri` can be used; send the user agent
    /// to the authorization endpoint well within it.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// Parses the PAR endpoint's response: a 2xx (RFC 9126 §2.2 says 201) with a
    /// JSON object holding a non-empty `request_uri` and an integer `expires_in`;
    /// an RFC 6749 §5.2 error document (RFC 9126 §2.3) becomes [`Error::Provider`].
    pub fn from_response(response: &http::Response<Bytes>) -> Result<Self, Error> {
        const ENDPOINT: &str = "pushed authorization request";
        require_success(ENDPOINT, response)?;
        let doc: PushedDocument = json_body(ENDPOINT, response, Self::MAX_LEN)?;
        // It is copied into a URL: visible ASCII only (URIs are ASCII, RFC 3986 §2).
        if doc.request_uri.is_empty() || !doc.request_uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ResponseError::Invalid {
                endpoint: ENDPOINT,
                detail: "request_uri must be a non-empty URI".into(),
            }
            .into());
        }
        Ok(Self {
            request_uri: doc.request_uri,
            expires_in: Duration::from_secs(doc.expires_in),
        })
    }
}

/// An authorization request whose parameters were pushed (or are about to be):
/// turns the PAR response into the short authorization URL and the [`Pending`]
/// flow. The sans-IO half of [`AuthorizationRequest::start_pushed`].
pub struct PendingPush<A = Online, P = Pkce> {
    pending: Pending<A, P>,
    authorization_endpoint: EndpointUrl,
}

impl<A, P> std::fmt::Debug for PendingPush<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingPush")
            .field("pending", &self.pending)
            .field("authorization_endpoint", &self.authorization_endpoint)
            .finish()
    }
}

impl<A: Access, P: PkceMode> PendingPush<A, P> {
    /// Reads the PAR response and builds the authorization URL: the authorization
    /// endpoint with `client_id` and `request_uri` only (RFC 9126 §4). Returns the
    /// URL, the [`Pending`] flow (the same as a plain `start` gives) and the
    /// provider's answer, for its `expires_in`.
    pub fn finish(
        self,
        response: &http::Response<Bytes>,
    ) -> Result<(AuthorizationUrl, Pending<A, P>, PushedAuthorization), Error> {
        let pushed = PushedAuthorization::from_response(response)?;
        let url = AuthorizationUrl::from_params(
            &self.authorization_endpoint,
            &[
                ("client_id", Cow::Borrowed(self.pending.client_id.as_str())),
                ("request_uri", Cow::Borrowed(pushed.request_uri())),
            ],
        );
        Ok((url, self.pending, pushed))
    }
}

impl<A: Access, P: PkceMode> AuthorizationRequest<A, P> {
    /// The pushed authorization request (sans-IO, RFC 9126 §2.1): every parameter
    /// [`start`](Self::start) would put in the URL, POSTed to the provider's
    /// `pushed_authorization_request_endpoint` with the client's authentication.
    /// `client_id` is always in the body (some providers require it there even with
    /// HTTP Basic authentication), never twice.
    ///
    /// Fails like `start`, and with [`ConfigError::UnsupportedByProvider`] when the
    /// provider advertises no PAR endpoint, or a [`ConfigError`] when `client` is
    /// not the client this request was made by or an `extra` parameter is
    /// `request_uri` (RFC 9126 §2.1 forbids it).
    // The (request, continuation) pair is the crate's sans-IO shape; an alias would hide it.
    #[allow(clippy::type_complexity)]
    pub fn push_request<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<(http::Request<Vec<u8>>, PendingPush<A, P>), Error> {
        let par_endpoint = self.par_endpoint(client)?;
        let (form, pending, authorization_endpoint) = self.push_form(client)?;
        let request = client.token_post(par_endpoint, form)?;
        Ok((
            request,
            PendingPush {
                pending,
                authorization_endpoint,
            },
        ))
    }

    /// `client`'s PAR endpoint, after checking that `client` made this request.
    fn par_endpoint<'c, H, K>(&self, client: &'c Client<H, K>) -> Result<&'c EndpointUrl, Error> {
        let own = self.client_core();
        if own.auth.client_id != client.core.auth.client_id
            || own.metadata.issuer.as_str() != client.core.metadata.issuer.as_str()
        {
            return Err(ConfigError::InvalidValue {
                what: "client",
                detail: "this request was made by another client or for another issuer".into(),
            }
            .into());
        }
        Ok(ProviderMetadata::endpoint(
            &client.core.metadata.pushed_authorization_request_endpoint,
            "pushed_authorization_request_endpoint",
        )?)
    }

    /// The pushed request body: every parameter (or, with request objects, the signed
    /// `request`, RFC 9126 §3) without `client_id` when the authentication puts it there.
    #[allow(clippy::type_complexity)]
    fn push_form<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<(Form, Pending<A, P>, EndpointUrl), Error> {
        // Every method but Basic puts client_id in the body itself.
        let auth_sets_client_id = client.auth().method() != AuthMethod::ClientSecretBasic;
        let core = self.client_core_arc();
        let (pushed, pending) = self.start_with(|endpoint, params| {
            if params.iter().any(|(name, _)| *name == "request_uri") {
                return Err(Error::from(ConfigError::InvalidValue {
                    what: "extra parameter",
                    detail: "request_uri cannot be pushed (RFC 9126 §2.1)".into(),
                }));
            }
            let params = crate::jar::wrap_params(&core, params, true)?;
            let mut form = Form::new();
            for (name, value) in params.iter() {
                if !(*name == "client_id" && auth_sets_client_id) {
                    form.set(name, value);
                }
            }
            Ok((form, endpoint.clone()))
        })?;
        let (form, authorization_endpoint) = pushed?;
        Ok((form, pending, authorization_endpoint))
    }

    /// Pushes the authorization request (RFC 9126) and returns the short
    /// authorization URL and the [`Pending`] flow — the same pair as
    /// [`start`](Self::start), so the callback and exchange do not change. See
    /// [`push_request`](Self::push_request) for the failures.
    ///
    /// ```no_run
    /// # async fn run(client: typed_oidc::DefaultClient) -> Result<(), typed_oidc::Error> {
    /// let (url, pending) = client.authorization_request().start_pushed(&client).await?;
    /// // redirect to `url`, then `pending.callback(..)?.exchange(&client)` as usual
    /// # Ok(()) }
    /// ```
    pub async fn start_pushed<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<(AuthorizationUrl, Pending<A, P>), Error> {
        let par_endpoint = self.par_endpoint(client)?;
        let (form, pending, authorization_endpoint) = self.push_form(client)?;
        let (response, secrets) = client.send_token_post(par_endpoint, &form).await?;
        let push = PendingPush {
            pending,
            authorization_endpoint,
        };
        let (url, pending, _) = push.finish(&response).map_err(|e| secrets.scrub(e))?;
        Ok((url, pending))
    }

    /// [`start_pushed`](Self::start_pushed) when the provider metadata says
    /// `require_pushed_authorization_requests` (RFC 9126 §5), else
    /// [`start`](Self::start) without any request.
    pub async fn start_auto<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<(AuthorizationUrl, Pending<A, P>), Error> {
        if self
            .client_core()
            .metadata
            .require_pushed_authorization_requests
        {
            self.start_pushed(client).await
        } else {
            self.start()
        }
    }
}
