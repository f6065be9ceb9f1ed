//! The token request of the code flow (RFC 6749 §4.1.3, RFC 7636 §4.5), the
//! resulting tokens, and refresh (RFC 6749 §6, OpenID Connect Core §12).

use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::{Access, CodeReceived, Offline, PkceMode};
use crate::client::{Client, ClientKind};
use crate::dpop::{Bearer, TokenBinding};
use crate::error::{Error, ResponseError};
use crate::http::HttpClient;
use crate::id_token::{Expectations, IdTokenClaims};
use crate::request::Form;
use crate::token::{TokenResponse, TokenType};
use crate::types::{IdToken, RefreshToken, Scope};

/// Tokens whose ID token (if any) passed every validation rule.
///
/// `A` is [`Online`](super::Online) or [`Offline`]; only `Tokens<Offline>` holds a
/// guaranteed refresh token and has [`refresh`](Tokens::refresh). `B` is how the access
/// token is presented: [`Bearer`] (an [`AccessToken`](crate::AccessToken)) or
/// [`DpopBound`](crate::DpopBound) (a [`DpopAccessToken`](crate::DpopAccessToken), for
/// clients built with [`ClientBuilder::dpop`](crate::ClientBuilder::dpop)).
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Tokens<A: Access = super::Online, B: TokenBinding = Bearer> {
    access_token: B::Token,
    token_type: TokenType,
    expires_at: Option<SystemTime>,
    refresh_slot: A::Refresh,
    id_token: Option<IdToken>,
    claims: Option<IdTokenClaims>,
    scope: Scope,
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    _access: PhantomData<fn() -> (A, B)>,
}

impl<A: Access, B: TokenBinding> Clone for Tokens<A, B> {
    fn clone(&self) -> Self {
        Self {
            access_token: self.access_token.clone(),
            token_type: self.token_type.clone(),
            expires_at: self.expires_at,
            refresh_slot: self.refresh_slot.clone(),
            id_token: self.id_token.clone(),
            claims: self.claims.clone(),
            scope: self.scope.clone(),
            extra: self.extra.clone(),
            _access: PhantomData,
        }
    }
}

impl<A: Access, B: TokenBinding> std::fmt::Debug for Tokens<A, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &A::refresh_token(&self.refresh_slot))
            .field("id_token", &self.id_token)
            .field("claims", &self.claims)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl<A: Access, B: TokenBinding> Tokens<A, B> {
    /// The access token: an [`AccessToken`](crate::AccessToken) for bearer clients, a
    /// [`DpopAccessToken`](crate::DpopAccessToken) for DPoP clients.
    pub fn access_token(&self) -> &B::Token {
        &self.access_token
    }
    /// The `token_type`.
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }
    /// When the access token expires, if the provider said (`expires_in`).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
    /// Whether the access token is expired, or will be within `leeway` (so an app can
    /// refresh ahead of time). Unknown expiry counts as not expired.
    pub fn is_expired(&self, leeway: Duration) -> bool {
        self.expires_at
            .is_some_and(|at| SystemTime::now() + leeway >= at)
    }
    /// The raw ID token, if one was issued.
    pub fn id_token(&self) -> Option<&IdToken> {
        self.id_token.as_ref()
    }
    /// The validated ID-token claims (OpenID Connect requests).
    pub fn id_token_claims(&self) -> Option<&IdTokenClaims> {
        self.claims.as_ref()
    }
    /// The granted scope (the provider's `scope`, else the requested one).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The refresh token, if any.
    pub fn refresh_token_opt(&self) -> Option<&RefreshToken> {
        A::refresh_token(&self.refresh_slot)
    }
    /// Other members of the token response.
    pub fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.extra
    }
}

impl<B: TokenBinding> Tokens<Offline, B> {
    /// The refresh token (always present for offline tokens).
    pub fn refresh_token(&self) -> &RefreshToken {
        &self.refresh_slot
    }

    /// Refreshes the tokens (RFC 6749 §6). A rotated refresh token replaces the old
    /// one; if none is returned the old one is kept. A new ID token is validated per
    /// OpenID Connect Core §12.2: same `iss` and `sub` as the original, `aud` contains
    /// the client, no nonce required. `self` is left untouched, so a failed refresh
    /// loses nothing.
    pub async fn refresh<H: HttpClient, K: ClientKind<Binding = B>>(
        &self,
        client: &Client<H, K>,
    ) -> Result<Tokens<Offline, B>, Error> {
        let mut form = Form::new();
        form.set("grant_type", "refresh_token")
            .set("refresh_token", self.refresh_slot.secret());
        // token_grant checks the token type against the client's (= B) binding.
        let parsed = client.token_grant(form).await?;
        let claims = match &parsed.id_token {
            Some(id) => {
                let expected = Expectations {
                    access_token: Some(&parsed.access_token),
                    previous: self.claims.as_ref(),
                    from_token_endpoint: true,
                    ..Default::default()
                };
                Some(client.validate_id_token(id.secret(), &expected).await?)
            }
            None => None,
        };
        let refresh = parsed
            .refresh_token
            .clone()
            .unwrap_or_else(|| self.refresh_slot.clone());
        let id_token = parsed.id_token.clone().or_else(|| self.id_token.clone());
        let claims = claims.or_else(|| self.claims.clone());
        Ok(Tokens::from_parts(
            parsed,
            refresh,
            id_token,
            claims,
            self.scope.clone(),
            client,
        ))
    }
}

impl<A: Access, B: TokenBinding> Tokens<A, B> {
    /// Tokens from a token response whose ID token (if any) was validated already and whose
    /// `token_type` fits `B` ([`TokenBinding::check`]).
    pub(crate) fn from_parts<H, K>(
        parsed: TokenResponse,
        refresh_slot: A::Refresh,
        id_token: Option<IdToken>,
        claims: Option<IdTokenClaims>,
        requested_scope: Scope,
        client: &Client<H, K>,
    ) -> Self {
        let now = client.core.validator.clock().now();
        Tokens {
            access_token: B::wrap(parsed.access_token),
            token_type: parsed.token_type,
            expires_at: parsed.expires_in.and_then(|d| now.checked_add(d)),
            refresh_slot,
            id_token,
            claims,
            scope: parsed.scope.unwrap_or(requested_scope),
            extra: parsed.extra,
            _access: PhantomData,
        }
    }
}

/// Turns a token response into [`Tokens`]: validates the ID token against
/// `expected` (with the access token for `at_hash`), requires one when
/// `require_id_token`, and requires a refresh token for [`Offline`].
pub(crate) async fn tokens_from_response<A: Access, H: HttpClient, K: ClientKind>(
    client: &Client<H, K>,
    parsed: TokenResponse,
    expected: Expectations<'_>,
    require_id_token: bool,
    requested_scope: Scope,
) -> Result<Tokens<A, K::Binding>, Error> {
    <K::Binding as TokenBinding>::check(&parsed)?;
    let claims = match &parsed.id_token {
        Some(id) => {
            let expected = Expectations {
                access_token: Some(&parsed.access_token),
                ..expected
            };
            Some(client.validate_id_token(id.secret(), &expected).await?)
        }
        None if require_id_token => {
            return Err(ResponseError::Invalid {
                endpoint: "token",
                detail: "an OpenID Connect token response must contain an id_token".into(),
            }
            .into());
        }
        None => None,
    };
    let refresh = A::refresh_slot(parsed.refresh_token.clone())?;
    let id_token = parsed.id_token.clone();
    Ok(Tokens::from_parts(
        parsed,
        refresh,
        id_token,
        claims,
        requested_scope,
        client,
    ))
}

impl<A: Access, P: PkceMode> CodeReceived<A, P> {
    /// The authorization code.
    pub fn code(&self) -> &crate::types::AuthorizationCode {
        &self.code
    }

    /// The token request (sans-IO): `grant_type=authorization_code`, the code, the
    /// redirect URI and — for a PKCE flow — the verifier, with client authentication.
    pub fn token_request<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        self.pending.check_client(client)?;
        client.token_post(client.token_endpoint()?, self.token_form())
    }

    fn token_form(&self) -> Form {
        let mut form = Form::new();
        form.set("grant_type", "authorization_code")
            .set("code", self.code.secret())
            .set("redirect_uri", self.pending.redirect_uri.as_str())
            .set_opt(
                "code_verifier",
                self.pending.pkce.verifier().map(|v| v.secret()),
            );
        form
    }

    /// Reads the token response and validates the ID token (fetching keys if needed).
    pub async fn finish<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        response: &http::Response<Bytes>,
    ) -> Result<Tokens<A, K::Binding>, Error> {
        client.observe_token_endpoint_nonce(response);
        let parsed = TokenResponse::from_response(response)?;
        let expected = Expectations {
            nonce: self.pending.nonce.as_ref(),
            max_age: self.pending.max_age,
            from_token_endpoint: true,
            ..Default::default()
        };
        let openid = self.pending.scope.has_openid();
        tokens_from_response(client, parsed, expected, openid, self.pending.scope.clone()).await
    }

    /// Exchanges the code for tokens and validates the ID token: the whole back
    /// channel of the code flow.
    pub async fn exchange<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
    ) -> Result<Tokens<A, K::Binding>, Error> {
        self.pending.check_client(client)?;
        let endpoint = client.token_endpoint()?;
        let form = self.token_form();
        let (response, secrets) = client.send_token_post(endpoint, &form).await?;
        self.finish(client, &response)
            .await
            .map_err(|e| secrets.scrub(e))
    }
}
