//! The GenAuth OpenID Connect preset: the generic [`Client`] over the app's `/oidc`
//! metadata, with GenAuth's defaults and the few GenAuth-only calls.

use bytes::Bytes;
use url::Url;

use super::{GenAuth, GenAuthEndpoints};
use crate::client::{BaseKind, Client, Confidential};
use crate::client_auth::AuthMethod;
use crate::error::{Error, ResponseError};
use crate::flow::{AuthorizationRequest, Online, Pkce, Tokens};
use crate::http::HttpClient;
use crate::logout::LogoutRequest;
use crate::response::{is_json, media_type, parse_json, sanitize};
use crate::types::{AccessToken, ClientId, ClientSecret, IdToken, RedirectUrl};
use crate::userinfo::{BearerMethod, UserInfoRequest};

/// GenAuth's OpenID Connect protocol (`{app_host}/oidc/…`). Made by [`GenAuth::oidc`] or
/// [`GenAuth::discover_oidc`]; every operation is the generic one of [`Client`] with
/// GenAuth's defaults, and [`client`](GenAuthEndpoints::client) gives the client itself for the rest
/// (implicit and hybrid flows, PAR, other grants). `K` is [`Confidential`] for an app with
/// a secret and [`Public`](crate::Public) for a public app ([`GenAuth::public_oidc`]).
#[derive(Clone, Debug)]
pub struct GenAuthOidc<H, K = Confidential> {
    pub(super) endpoints: GenAuthEndpoints<H, K>,
    validate_token_url: Url,
    easy_logout: GenAuth,
}

/// Which token [`GenAuthOidc::validate_token_request`] asks GenAuth about.
#[derive(Clone, Copy, Debug)]
pub enum ValidateToken<'a> {
    /// `?id_token=…`.
    IdToken(&'a IdToken),
    /// `?access_token=…`.
    AccessToken(&'a AccessToken),
}

/// GenAuth's answer to an online token check (`/api/v2/oidc/validate_token`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TokenValidation {
    /// The token is valid; these are its claims as GenAuth decoded them.
    Valid(serde_json::Map<String, serde_json::Value>),
    /// GenAuth refused the token (`{"code": 400, "message": "…"}`).
    Invalid {
        /// GenAuth's numeric `code`, when it sent one.
        code: Option<i64>,
        /// GenAuth's `message`, sanitized (printable characters, bounded length).
        message: String,
    },
}

impl<H: HttpClient, K: BaseKind> GenAuthOidc<H, K> {
    /// Largest `validate_token` answer accepted, in bytes.
    pub const MAX_VALIDATE_LEN: usize = 64 * 1024;

    pub(super) fn new(app: &GenAuth, endpoints: GenAuthEndpoints<H, K>) -> Self {
        Self {
            endpoints,
            validate_token_url: app.join_segments(&["api", "v2", "oidc", "validate_token"]),
            easy_logout: app.clone(),
        }
    }

    /// An authorization-code request with GenAuth's default scope
    /// `openid profile email phone address`, PKCE S256, fresh `state` and `nonce`
    /// (SDK `build_authorize_url`). Chain [`offline_access`](AuthorizationRequest::offline_access)
    /// for a refresh token (it adds `prompt=consent`), `response_mode`, `prompt`, … as on
    /// any [`AuthorizationRequest`].
    pub fn authorization_request(&self) -> AuthorizationRequest<Online, Pkce> {
        self.authorization_request_with_scope(GenAuth::DEFAULT_OIDC_SCOPE)
    }

    /// An authorization-code request with `openid` and the space-separated `scope`
    /// instead of GenAuth's default scope (`offline_access` goes through
    /// [`offline_access`](AuthorizationRequest::offline_access)).
    pub fn authorization_request_with_scope(
        &self,
        scope: &str,
    ) -> AuthorizationRequest<Online, Pkce> {
        self.endpoints.client.authorization_request().scope(scope)
    }

    /// A UserInfo request for `tokens`, sent as GenAuth documents it: `POST
    /// {app_host}/oidc/me` with `Authorization: Bearer` (SDK
    /// `get_user_info_by_access_token`). The answer's `sub` must match the ID token's.
    pub fn userinfo<'a, A: crate::flow::Access>(
        &'a self,
        tokens: &'a Tokens<A>,
    ) -> UserInfoRequest<'a, H, K> {
        self.endpoints
            .client
            .userinfo(tokens)
            .bearer_method(BearerMethod::HeaderPost)
    }

    /// An RP-initiated ("expert") logout URL on `{app_host}/oidc/session/end` (SDK
    /// `build_logout_url(expert=True)`); add `id_token_hint` and
    /// `post_logout_redirect_uri` on the returned request.
    pub fn logout_request(&self) -> LogoutRequest {
        self.endpoints.client.logout_request()
    }

    /// The "easy" logout link `{app_host}/login/profile/logout?redirect_uri=…` (SDK
    /// `build_logout_url()` without `expert`).
    pub fn easy_logout_url(&self, redirect_uri: Option<&RedirectUrl>) -> Url {
        self.easy_logout.easy_logout_url(redirect_uri)
    }

    /// A generic client authenticating with a programmatic access key pair (AK/SK) as
    /// `client_id` / `client_secret` in the body, whatever the app's own method, on the
    /// same metadata: call [`client_credentials`](Client::client_credentials) on it (SDK
    /// `get_access_token_by_client_credentials`).
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn access_key_client(
        &self,
        access_key: ClientId,
        secret_key: ClientSecret,
    ) -> Result<Client<H, Confidential>, Error>
    where
        H: Clone,
    {
        Client::builder(access_key)
            .client_secret(secret_key)
            .auth_method(AuthMethod::ClientSecretPost)
            .build(
                self.endpoints.client.metadata().clone(),
                self.endpoints.client.http().clone(),
            )
    }

    /// The online check request (sans-IO): `GET
    /// {app_host}/api/v2/oidc/validate_token?id_token=…` or `?access_token=…`, the value
    /// percent-encoded. No client authentication.
    pub fn validate_token_request(&self, token: ValidateToken<'_>) -> http::Request<Vec<u8>> {
        let mut url = self.validate_token_url.clone();
        match token {
            ValidateToken::IdToken(t) => url.query_pairs_mut().append_pair("id_token", t.secret()),
            ValidateToken::AccessToken(t) => url
                .query_pairs_mut()
                .append_pair("access_token", t.secret()),
        };
        crate::request::get(url.as_str())
    }

    /// Reads GenAuth's answer to [`validate_token_request`](Self::validate_token_request):
    /// a JSON object of claims, or `{"code": …, "message": …}` for a refused token.
    ///
    /// # Errors
    ///
    /// [`ResponseError`] for a non-JSON or oversized body, or a non-2xx status without
    /// a GenAuth error object; [`Error::Provider`] for an RFC 6749 error document.
    pub fn validate_token_response(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<TokenValidation, Error> {
        read_validation(response, Self::MAX_VALIDATE_LEN)
    }

    /// Asks GenAuth whether a token is valid, online (SDK `validate_token`). Prefer the
    /// local check the flows already did: ID tokens are validated on receipt.
    ///
    /// # Errors
    ///
    /// Transport errors and those of [`validate_token_response`](Self::validate_token_response).
    pub async fn validate_token(&self, token: ValidateToken<'_>) -> Result<TokenValidation, Error> {
        let request = self.validate_token_request(token);
        let secrets = crate::response::RequestSecrets::of(&request);
        let response = self.client.http().execute(request).await?;
        // GenAuth's message, or an error document, may quote the token it refused.
        match self.validate_token_response(&response) {
            Ok(TokenValidation::Invalid { code, message }) => Ok(TokenValidation::Invalid {
                code,
                message: secrets.clean(message),
            }),
            other => other.map_err(|e| secrets.scrub(e)),
        }
    }
}

fn read_validation(response: &http::Response<Bytes>, max: usize) -> Result<TokenValidation, Error> {
    const ENDPOINT: &str = "validate_token";
    if response.body().len() > max {
        return Err(ResponseError::Invalid {
            endpoint: ENDPOINT,
            detail: format!("document larger than {max} bytes"),
        }
        .into());
    }
    if !is_json(response) {
        crate::response::require_success(ENDPOINT, response)?;
        return Err(ResponseError::ContentType {
            endpoint: ENDPOINT,
            content_type: media_type(response).unwrap_or_default(),
            expected: "application/json",
        }
        .into());
    }
    let object: serde_json::Map<String, serde_json::Value> = parse_json(ENDPOINT, response.body())?;
    let code = object.get("code").and_then(serde_json::Value::as_i64);
    let message = object.get("message").and_then(serde_json::Value::as_str);
    match (code, message) {
        (Some(c), Some(m)) if c != 200 => Ok(TokenValidation::Invalid {
            code: Some(c),
            message: sanitize(m, 1024).unwrap_or_default(),
        }),
        _ => {
            crate::response::require_success(ENDPOINT, response)?;
            Ok(TokenValidation::Valid(object))
        }
    }
}
