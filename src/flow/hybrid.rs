//! The hybrid flow (OpenID Connect Core 1.0 §3.3): `response_type=code id_token`,
//! `code token` or `code id_token token`.
//!
//! `AuthorizationRequest -> PendingHybrid -> HybridReceived -> Tokens<A>`: the same
//! builder as the code flow (scope, PKCE, `offline_access` …) finished with
//! [`AuthorizationRequest::start_hybrid`]. The front-channel ID token is validated —
//! nonce, `c_hash` (REQUIRED), and `at_hash` when an access token came with it — before
//! the code can be exchanged, and the token endpoint's ID token must then name the same
//! `iss` and `sub` (§3.3.3.6 with §3.1.3.7, §12.2's rule for a second ID token).

use std::collections::HashMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::authorize::ResponseSpec;
use super::callback::take_code;
use super::implicit::{front_channel_tokens, take_id_token};
use super::{
    Access, AuthorizationRequest, AuthorizationUrl, CodeReceived, Pending, PkceMode, ResponseMode,
    Tokens, tokens_from_response,
};
use crate::client::{Client, ClientKind};
use crate::error::{ConfigError, Error};
use crate::http::HttpClient;
use crate::id_token::{Expectations, IdTokenClaims};
use crate::token::TokenResponse;
use crate::types::{AccessToken, AuthorizationCode, IdToken, Nonce, RedirectUrl, Scope, State};

/// A hybrid-flow `response_type` (OpenID Connect Core §3.3.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HybridResponseType {
    /// `code id_token`: a code and an ID token (with a REQUIRED `c_hash`).
    CodeIdToken,
    /// `code token`: a code and an access token; no front-channel ID token.
    CodeToken,
    /// `code id_token token`: all three; the ID token carries `c_hash` and `at_hash`.
    CodeIdTokenToken,
}

impl HybridResponseType {
    /// The `response_type` value.
    pub fn as_str(self) -> &'static str {
        self.spec().response_type
    }
    /// Whether the authorization endpoint returns an ID token.
    pub fn has_id_token(self) -> bool {
        self != Self::CodeToken
    }
    /// Whether the authorization endpoint returns an access token.
    pub fn has_token(self) -> bool {
        self != Self::CodeIdToken
    }

    fn spec(self) -> ResponseSpec {
        let (response_type, label) = match self {
            Self::CodeIdToken => ("code id_token", "response_type=code id_token"),
            Self::CodeToken => ("code token", "response_type=code token"),
            Self::CodeIdTokenToken => ("code id_token token", "response_type=code id_token token"),
        };
        ResponseSpec {
            response_type,
            label,
            code: true,
            id_token: self.has_id_token(),
            default_mode: ResponseMode::Fragment,
        }
    }
}

impl<A: Access, P: PkceMode> AuthorizationRequest<A, P> {
    /// Builds the authorization URL of a hybrid-flow request (OpenID Connect Core
    /// §3.3.2.1) and the [`PendingHybrid`] flow that will receive the callback. The
    /// response mode defaults to `fragment` and `query` is refused; response types with
    /// an ID token need `openid` in the scope. Otherwise fails like
    /// [`start`](Self::start). A DPoP client (RFC 9449) cannot ask for `code token` or
    /// `code id_token token`: the authorization endpoint's access token would be an unbound
    /// bearer token ([`ConfigError::InvalidValue`]).
    pub fn start_hybrid(
        self,
        response_type: HybridResponseType,
    ) -> Result<(AuthorizationUrl, PendingHybrid<A, P>), Error> {
        if response_type.has_token() && self.client_core().dpop.is_some() {
            return Err(ConfigError::InvalidValue {
                what: "response_type",
                detail: format!(
                    "{} would return an unbound bearer token to a DPoP client (RFC 9449)",
                    response_type.as_str()
                ),
            }
            .into());
        }
        let (url, pending) = self.prepare(&response_type.spec())?;
        Ok((
            url,
            PendingHybrid {
                pending,
                response_type,
            },
        ))
    }
}

/// A hybrid request that was sent and awaits its callback.
///
/// Like [`Pending`] it is `Serialize + Deserialize` so a web application can keep it
/// in its server-side session; the serialized form holds the `state`, `nonce` and PKCE
/// verifier in clear, so store it server-side or encrypted.
#[derive(Serialize, Deserialize)]
#[serde(bound(serialize = "P: Serialize", deserialize = "P: Deserialize<'de>"))]
pub struct PendingHybrid<A = super::Online, P = super::Pkce> {
    pending: Pending<A, P>,
    response_type: HybridResponseType,
}

impl<A, P> std::fmt::Debug for PendingHybrid<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingHybrid")
            .field("pending", &self.pending)
            .field("response_type", &self.response_type)
            .finish()
    }
}

impl<A: Access, P: PkceMode> PendingHybrid<A, P> {
    /// The `state` sent with the request.
    pub fn state(&self) -> &State {
        self.pending.state()
    }
    /// The `nonce` sent with the request (OpenID Connect requests only).
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
    /// The requested `response_type`.
    pub fn response_type(&self) -> HybridResponseType {
        self.response_type
    }

    /// Consumes the redirect the provider sent the user agent to (the fragment by
    /// default; see [`Pending::callback`] for the accepted forms) and validates the
    /// front channel (OpenID Connect Core §3.3.2.8–§3.3.2.12): the callback checks
    /// (`iss`, optional when an ID token identifies the issuer, RFC 9207 §2.4; `state`;
    /// `error`), the `code`, and — when the response type has one — the
    /// ID token with its nonce, a REQUIRED `c_hash` matching the code and, with an access
    /// token, a REQUIRED `at_hash`. Nothing is sent to the token endpoint.
    pub async fn callback<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        redirect: &str,
    ) -> Result<HybridReceived<A, P>, Error> {
        let params = self.pending.redirect_params(redirect)?;
        self.receive(client, params).await
    }

    /// Consumes a `form_post` callback body; as [`callback`](Self::callback).
    pub async fn callback_form<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        body: &[u8],
    ) -> Result<HybridReceived<A, P>, Error> {
        let params = self.pending.form_params(body)?;
        self.receive(client, params).await
    }

    async fn receive<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        params: HashMap<String, String>,
    ) -> Result<HybridReceived<A, P>, Error> {
        let pending = self.pending;
        pending.check_client(client)?;
        let mut params = pending.unwrap_jarm(client, params).await?;
        let with_id_token = self.response_type.has_id_token();
        pending.check_response(&mut params, with_id_token)?;
        let code = take_code(&mut params)?;
        let id_token = if with_id_token {
            Some(take_id_token(&mut params)?)
        } else {
            None
        };
        let access_token = if self.response_type.has_token() {
            Some(front_channel_tokens(params)?.access_token)
        } else {
            None
        };
        let claims = match &id_token {
            Some(token) => {
                let expected = Expectations {
                    nonce: pending.nonce.as_ref(),
                    code: Some(&code),
                    require_c_hash: true,
                    access_token: access_token.as_ref(),
                    require_at_hash: access_token.is_some(),
                    max_age: pending.max_age,
                    ..Default::default()
                };
                Some(client.validate_id_token(token.secret(), &expected).await?)
            }
            None => None,
        };
        Ok(HybridReceived {
            received: CodeReceived { pending, code },
            id_token,
            claims,
            access_token,
        })
    }
}

/// A hybrid callback whose front channel passed every check: the only hybrid value
/// with [`exchange`](HybridReceived::exchange).
pub struct HybridReceived<A = super::Online, P = super::Pkce> {
    received: CodeReceived<A, P>,
    id_token: Option<IdToken>,
    claims: Option<IdTokenClaims>,
    access_token: Option<AccessToken>,
}

impl<A, P> std::fmt::Debug for HybridReceived<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HybridReceived")
            .field("received", &self.received)
            .field("id_token", &self.id_token)
            .field("claims", &self.claims)
            .field("access_token", &self.access_token)
            .finish()
    }
}

impl<A: Access, P: PkceMode> HybridReceived<A, P> {
    /// The authorization code.
    pub fn code(&self) -> &AuthorizationCode {
        self.received.code()
    }
    /// The front-channel ID token (`code id_token`, `code id_token token`).
    pub fn front_channel_id_token(&self) -> Option<&IdToken> {
        self.id_token.as_ref()
    }
    /// The validated claims of the front-channel ID token.
    pub fn front_channel_claims(&self) -> Option<&IdTokenClaims> {
        self.claims.as_ref()
    }
    /// The front-channel access token (`code token`, `code id_token token`). With
    /// `code id_token token` it is bound to the ID token by `at_hash`; with `code token`
    /// nothing binds it (OpenID Connect Core §3.3.2.9), so prefer the token endpoint's.
    pub fn front_channel_access_token(&self) -> Option<&AccessToken> {
        self.access_token.as_ref()
    }

    /// The token request (sans-IO), as for the code flow: the code, the redirect URI,
    /// the PKCE verifier and client authentication.
    pub fn token_request<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        self.received.token_request(client)
    }

    /// Reads the token response and validates its ID token (OpenID Connect Core
    /// §3.3.3.6): all the code-flow rules, and the same `iss` and `sub` as the
    /// front-channel ID token.
    pub async fn finish<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        response: &http::Response<Bytes>,
    ) -> Result<Tokens<A, K::Binding>, Error> {
        let parsed = TokenResponse::from_response(response)?;
        let pending = &self.received.pending;
        let expected = Expectations {
            nonce: pending.nonce.as_ref(),
            max_age: pending.max_age,
            previous: self.claims.as_ref(),
            ..Default::default()
        };
        let openid = pending.scope.has_openid();
        tokens_from_response(client, parsed, expected, openid, pending.scope.clone()).await
    }

    /// Exchanges the code for tokens and validates the back-channel ID token: the rest
    /// of the hybrid flow.
    pub async fn exchange<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<Tokens<A, K::Binding>, Error> {
        let request = self.token_request(client)?;
        let secrets = crate::response::RequestSecrets::of(&request);
        let response = client.http.execute(request).await?;
        self.finish(client, &response)
            .await
            .map_err(|e| secrets.scrub(e))
    }
}
