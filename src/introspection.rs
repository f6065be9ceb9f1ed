//! Token introspection (RFC 7662).
//!
//! [`Client::introspect`] starts an [`IntrospectionRequest`] (a
//! [`TokenPost`], the request shape it shares with revocation): `request` builds the
//! `http::Request` and `finish` reads the answer (sans-IO), `send` does both over the
//! client's transport.
//!
//! An inactive token is an answer, not a failure: it is [`Introspection::Inactive`]. Errors
//! are kept for requests the provider refused (bad client authentication, malformed request)
//! and for responses that break RFC 7662 §2.2.

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::{Client, ClientKind};
use crate::discovery::ProviderMetadata;
use crate::error::{Error, ResponseError};
use crate::http::HttpClient;
use crate::response::{json_body, require_success};
use crate::revocation::sealed::Sealed;
use crate::revocation::{AccessOrRefreshToken, TokenEndpoint, TokenPost};
use crate::token::TokenType;
use crate::types::{ClientId, EndpointUrl, Scope, SubjectId};

/// What the provider says about a token (RFC 7662 §2.2).
#[derive(Clone, Debug, PartialEq)]
pub enum Introspection {
    /// `"active": true`, with the token's meta-information.
    Active(Box<TokenInfo>),
    /// `"active": false`: the token is expired, revoked, unknown, or not for this client
    /// to see. RFC 7662 §2.2 says nothing more should be revealed, so nothing more is kept.
    Inactive,
}

impl Introspection {
    /// Whether the token is active.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Active(_))
    }

    /// The meta-information of an active token.
    pub fn active(&self) -> Option<&TokenInfo> {
        match self {
            Self::Active(info) => Some(info),
            Self::Inactive => None,
        }
    }
}

/// The members of an active introspection response (RFC 7662 §2.2). All are optional in
/// the RFC; members it does not name are kept in [`TokenInfo::extra`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// `scope`.
    pub scope: Option<Scope>,
    /// `client_id`: the client the token was issued to.
    pub client_id: Option<ClientId>,
    /// `username`: a human-readable identifier of the resource owner.
    pub username: Option<String>,
    /// `token_type` (RFC 6749 §7.1).
    pub token_type: Option<TokenType>,
    /// `exp`, seconds since the epoch.
    pub exp: Option<i64>,
    /// `iat`, seconds since the epoch.
    pub iat: Option<i64>,
    /// `nbf`, seconds since the epoch.
    pub nbf: Option<i64>,
    /// `sub`: the resource owner's subject identifier.
    pub sub: Option<SubjectId>,
    /// `aud` (a single string on the wire becomes one element; empty when absent).
    pub aud: Vec<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `jti`.
    pub jti: Option<String>,
    /// Every other member, as sent (e.g. `cnf`, `sid`, provider extensions).
    pub extra: Map<String, Value>,
}

/// The wire shape of RFC 7662 §2.2.
#[derive(Deserialize)]
struct Wire {
    active: bool,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// `aud` as a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Introspection {
    /// Largest introspection response accepted.
    pub const MAX_LEN: usize = 256 * 1024;

    /// Reads an introspection response (RFC 7662 §2.2, §2.3): a 2xx JSON object with a
    /// boolean `active`. Errors: [`Error::Provider`] for an error document (e.g.
    /// `invalid_client`), [`ResponseError`] for a non-JSON body or a member of the wrong
    /// type (never quoting the body).
    pub fn from_response(response: &http::Response<Bytes>) -> Result<Self, Error> {
        require_success("introspection", response)?;
        let wire: Wire = json_body("introspection", response, Self::MAX_LEN)?;
        if !wire.active {
            return Ok(Self::Inactive);
        }
        let scope = match wire.scope {
            Some(s) => Some(Scope::parse(&s).map_err(|_| ResponseError::Invalid {
                endpoint: "introspection",
                detail: "scope is not a valid scope string (RFC 6749 §3.3)".into(),
            })?),
            None => None,
        };
        Ok(Self::Active(Box::new(TokenInfo {
            scope,
            client_id: wire.client_id.map(ClientId::new),
            username: wire.username,
            token_type: wire.token_type.as_deref().map(TokenType::parse),
            exp: wire.exp,
            iat: wire.iat,
            nbf: wire.nbf,
            sub: wire.sub.map(SubjectId::new),
            aud: match wire.aud {
                None => Vec::new(),
                Some(Audience::One(a)) => vec![a],
                Some(Audience::Many(a)) => a,
            },
            iss: wire.iss,
            jti: wire.jti,
            extra: wire.extra,
        })))
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts an introspection request for `token` (RFC 7662 §2.1), without a
    /// `token_type_hint` and with the client's own authentication until set otherwise.
    pub fn introspect<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> IntrospectionRequest<'a, H, K> {
        TokenPost::new(self, token)
    }
}

/// An introspection request being configured (RFC 7662 §2.1). Created by
/// [`Client::introspect`].
pub type IntrospectionRequest<'a, H, K> = TokenPost<'a, H, K, Introspect>;

/// Marker: the introspection endpoint (RFC 7662).
#[derive(Clone, Copy, Debug)]
pub struct Introspect;

impl Sealed for Introspect {}
impl TokenEndpoint for Introspect {
    type Output = Introspection;
    const METADATA: &'static str = "introspection_endpoint";
    fn url(metadata: &ProviderMetadata) -> &Option<EndpointUrl> {
        &metadata.introspection_endpoint
    }
    fn read(response: &http::Response<Bytes>) -> Result<Introspection, Error> {
        Introspection::from_response(response)
    }
}
