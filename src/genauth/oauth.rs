//! The GenAuth OAuth 2.0 preset: the generic [`Client`] over the app's `/oauth`
//! metadata — scope `user`, no `openid`, so no nonce and no ID token.

use serde::{Deserialize, Serialize};

use super::{GenAuth, GenAuthEndpoints};
use crate::client::{BaseKind, ClientKind, Confidential};
use crate::error::Error;
use crate::flow::{
    AuthorizationRequest, AuthorizationUrl, NoPkce, Online, Pending, Pkce, ResponseMode, Tokens,
};
use crate::flow::{ResponseSpec, front_channel_tokens};
use crate::http::HttpClient;
use crate::types::{RedirectUrl, Scope, State};

/// GenAuth's OAuth 2.0 protocol (`{app_host}/oauth/…`). Made by [`GenAuth::oauth`].
/// Authorization requests carry scope `user` and no nonce; `response_type` is `code`
/// ([`authorization_request`](Self::authorization_request)) or `token`
/// ([`token_request`](Self::token_request)). `K` is [`Confidential`] for an app with a
/// secret and [`Public`](crate::Public) for a public app ([`GenAuth::public_oauth`]).
#[derive(Clone, Debug)]
pub struct GenAuthOAuth<H, K = Confidential> {
    pub(super) endpoints: GenAuthEndpoints<H, K>,
}

impl<H: HttpClient, K: BaseKind> GenAuthOAuth<H, K> {
    pub(super) fn new(endpoints: GenAuthEndpoints<H, K>) -> Self {
        Self { endpoints }
    }

    /// A `response_type=code` request with scope `user` (no `openid`, no nonce) and PKCE
    /// S256 (SDK `build_authorize_url` in `oauth` mode); `without_pkce()` gives the
    /// SDK's exact parameter set.
    pub fn authorization_request(&self) -> AuthorizationRequest<Online, Pkce> {
        self.endpoints
            .client
            .authorization_request()
            .without_openid()
            .scope(GenAuth::DEFAULT_OAUTH_SCOPE)
    }

    /// A `response_type=token` request (RFC 6749 §4.2) with scope `user`, answered in the
    /// redirect URI's fragment. Prefer the code flow: RFC 9700 §2.1.2 deprecates this one.
    ///
    /// # Errors
    ///
    /// As [`AuthorizationRequest::start`].
    pub fn token_request(
        &self,
        state: Option<State>,
        redirect_uri: Option<RedirectUrl>,
    ) -> Result<(AuthorizationUrl, PendingOAuthToken), Error> {
        let mut request = self.authorization_request().without_pkce();
        if let Some(s) = state {
            request = request.state(s);
        }
        if let Some(r) = redirect_uri {
            request = request.redirect_uri(r);
        }
        let spec = ResponseSpec {
            response_type: "token",
            label: "response_type=token",
            code: false,
            id_token: false,
            default_mode: ResponseMode::Fragment,
        };
        let (url, pending) = request.prepare(&spec)?;
        Ok((url, PendingOAuthToken { pending }))
    }
}

/// A `response_type=token` request that awaits its callback. `Serialize + Deserialize`
/// like [`Pending`]; the serialized form holds the `state` in clear.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingOAuthToken {
    pending: Pending<Online, NoPkce>,
}

impl PendingOAuthToken {
    /// The `state` sent with the request.
    pub fn state(&self) -> &State {
        self.pending.state()
    }

    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        self.pending.scope()
    }

    /// Reads the redirect's fragment (RFC 6749 §4.2.2): checks `iss` when present,
    /// `state` in constant time and an `error` response, then reads `access_token`,
    /// `token_type`, `expires_in` and `scope` by the token-response rules.
    ///
    /// # Errors
    ///
    /// [`crate::error::CallbackError`] for a state mismatch or a missing parameter,
    /// [`Error::Provider`] for an error response, [`crate::error::ConfigError`] when
    /// `oauth` is not the preset that started the flow.
    pub fn callback<H: HttpClient, K: ClientKind>(
        self,
        oauth: &GenAuthOAuth<H, K>,
        redirect: &str,
    ) -> Result<Tokens<Online>, Error> {
        let pending = self.pending;
        pending.check_client(&oauth.client)?;
        let mut params = pending.redirect_params(redirect)?;
        pending.check_response(&mut params, false)?;
        let parsed = front_channel_tokens(params)?;
        Ok(Tokens::from_parts(
            parsed,
            None,
            None,
            None,
            pending.scope,
            &oauth.client,
        ))
    }
}
