//! OAuth 2.0 Token Exchange (RFC 8693).

use std::fmt;

use super::{Grant, GrantRequest, IdTokenRule, sealed};
use crate::client::{Client, ClientKind};
use crate::dpop::{Bearer, TokenBinding};
use crate::error::{Error, ResponseError};
use crate::flow::{Online, Tokens};
use crate::http::HttpClient;
use crate::token::TokenType;
use crate::types::Scope;

/// A token type identifier (RFC 8693 §3), as used by `subject_token_type`,
/// `actor_token_type`, `requested_token_type` and `issued_token_type`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TokenTypeUri {
    /// `urn:ietf:params:oauth:token-type:access_token`.
    AccessToken,
    /// `urn:ietf:params:oauth:token-type:refresh_token`.
    RefreshToken,
    /// `urn:ietf:params:oauth:token-type:id_token`.
    IdToken,
    /// `urn:ietf:params:oauth:token-type:saml1` (base64url-encoded SAML 1.1 assertion).
    Saml1,
    /// `urn:ietf:params:oauth:token-type:saml2` (base64url-encoded SAML 2.0 assertion).
    Saml2,
    /// `urn:ietf:params:oauth:token-type:jwt` (any JWT, RFC 7519).
    Jwt,
    /// Any other absolute URI, as sent.
    Other(String),
}

impl TokenTypeUri {
    /// Reads an identifier; the registered ones (RFC 8693 §3) become their variant.
    pub fn parse(s: &str) -> Self {
        [
            Self::AccessToken,
            Self::RefreshToken,
            Self::IdToken,
            Self::Saml1,
            Self::Saml2,
            Self::Jwt,
        ]
        .into_iter()
        .find(|known| known.as_str() == s)
        .unwrap_or_else(|| Self::Other(s.to_owned()))
    }

    /// The identifier as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessToken => "urn:ietf:params:oauth:token-type:access_token",
            Self::RefreshToken => "urn:ietf:params:oauth:token-type:refresh_token",
            Self::IdToken => "urn:ietf:params:oauth:token-type:id_token",
            Self::Saml1 => "urn:ietf:params:oauth:token-type:saml1",
            Self::Saml2 => "urn:ietf:params:oauth:token-type:saml2",
            Self::Jwt => "urn:ietf:params:oauth:token-type:jwt",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for TokenTypeUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Marker: the token exchange grant (RFC 8693), grant type
/// `urn:ietf:params:oauth:grant-type:token-exchange`. Yields an [`IssuedToken`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenExchange;

impl sealed::Sealed for TokenExchange {}

impl Grant for TokenExchange {
    type Access = Online;
    type Output<B: TokenBinding> = IssuedToken<B>;
    const OWN_PARAMS: &'static [&'static str] = &[
        "subject_token",
        "subject_token_type",
        "actor_token",
        "actor_token_type",
        "requested_token_type",
        "audience",
    ];
    const TYPED_OFFLINE: bool = false;
    fn output<B: TokenBinding>(tokens: Tokens<Online, B>) -> Result<IssuedToken<B>, Error> {
        let issued_token_type = tokens
            .extra()
            .get("issued_token_type")
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(TokenTypeUri::parse)
            .ok_or_else(|| ResponseError::Invalid {
                endpoint: "token",
                detail:
                    "a token exchange response must contain issued_token_type (RFC 8693 §2.2.1)"
                        .into(),
            })?;
        Ok(IssuedToken {
            issued_token_type,
            tokens,
        })
    }
}

/// The result of a token exchange (RFC 8693 §2.2.1).
///
/// The issued token travels in the response's `access_token` member whatever its
/// type; [`issued_token_type`](Self::issued_token_type) says what it is, and
/// [`token_type`](Self::token_type) is `N_A` when it is not an access token.
#[derive(Clone, Debug)]
pub struct IssuedToken<B: TokenBinding = Bearer> {
    issued_token_type: TokenTypeUri,
    tokens: Tokens<Online, B>,
}

impl<B: TokenBinding> IssuedToken<B> {
    /// `issued_token_type`: the type of [`token`](Self::token).
    pub fn issued_token_type(&self) -> &TokenTypeUri {
        &self.issued_token_type
    }
    /// The issued token (the response's `access_token` member).
    pub fn token(&self) -> &B::Token {
        self.tokens.access_token()
    }
    /// `token_type`: how to use the token (`Bearer`, or `N_A` for a token that is
    /// not an access token).
    pub fn token_type(&self) -> &TokenType {
        self.tokens.token_type()
    }
    /// The whole response as tokens: expiry, granted scope, an optional refresh
    /// token and the other members.
    pub fn tokens(&self) -> &Tokens<Online, B> {
        &self.tokens
    }
    /// The whole response as tokens.
    pub fn into_tokens(self) -> Tokens<Online, B> {
        self.tokens
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a token exchange (RFC 8693 §2.1): trades `subject_token`, a token
    /// representing the party on whose behalf the request is made, of type
    /// `subject_token_type`, for a new token. Add an
    /// [`actor_token`](GrantRequest::actor_token) for delegation, and narrow the
    /// result with [`requested_token_type`](GrantRequest::requested_token_type),
    /// [`audience`](GrantRequest::audience), [`resource`](GrantRequest::resource)
    /// and [`scope`](GrantRequest::scope).
    ///
    /// The client authenticates as configured (RFC 8693 §2.1 leaves client
    /// authentication to the provider's policy). A top-level `id_token` member,
    /// which RFC 8693 does not define, is validated when present; an ID token
    /// *requested* as the issued token comes in [`IssuedToken::token`] and is
    /// returned as is, since it may be meant for another audience.
    ///
    /// ```no_run
    /// # async fn run(client: typed_oidc::DefaultClient, user_token: &str) -> Result<(), typed_oidc::Error> {
    /// use typed_oidc::grants::TokenTypeUri;
    /// let issued = client
    ///     .token_exchange(user_token, TokenTypeUri::AccessToken)
    ///     .audience("https://backend.example")
    ///     .send()
    ///     .await?;
    /// assert_eq!(issued.issued_token_type(), &TokenTypeUri::AccessToken);
    /// # Ok(()) }
    /// ```
    pub fn token_exchange(
        &self,
        subject_token: impl Into<String>,
        subject_token_type: TokenTypeUri,
    ) -> GrantRequest<'_, TokenExchange, H, K> {
        GrantRequest::new(
            self,
            "urn:ietf:params:oauth:grant-type:token-exchange",
            Scope::empty(),
            IdTokenRule::ValidateIfPresent,
        )
        .set_param("subject_token", subject_token.into())
        .set_param("subject_token_type", subject_token_type.as_str().to_owned())
    }
}

impl<H: HttpClient, K: ClientKind> GrantRequest<'_, TokenExchange, H, K> {
    /// `actor_token` and `actor_token_type` (RFC 8693 §2.1): the acting party, for
    /// delegation; the provider may record it in an `act` claim (§4.1).
    pub fn actor_token(self, token: impl Into<String>, token_type: TokenTypeUri) -> Self {
        self.set_param("actor_token", token.into())
            .set_param("actor_token_type", token_type.as_str().to_owned())
    }

    /// `requested_token_type` (RFC 8693 §2.1): the type of token wanted.
    pub fn requested_token_type(self, token_type: TokenTypeUri) -> Self {
        self.set_param("requested_token_type", token_type.as_str().to_owned())
    }

    /// Adds an `audience` (RFC 8693 §2.1): the logical name of a service the token
    /// is meant for. Repeatable.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.add_param("audience", audience.into())
    }
}
