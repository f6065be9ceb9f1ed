//! typed-oidc: a typestate-driven OpenID Connect / OAuth 2.0 relying-party client.
//!
//! See the README for the feature table and a walkthrough. The layers, from the
//! bottom: [`types`] (vocabulary newtypes), [`jose`] (JWS/JWK), [`id_token`]
//! (validation rules), the endpoint messages ([`discovery`], [`token`],
//! [`jwks`], [`client_auth`], [`userinfo`], [`introspection`], [`revocation`],
//! [`logout`]), the typestate [`flow`]s, and [`http`] (transport,
//! the only module that does I/O).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backchannel;
pub mod cas;
mod challenge;
pub mod client;
pub mod client_auth;
pub mod device;
pub mod discovery;
pub mod dpop;
pub mod error;
pub mod fapi;
pub mod flow;
pub mod frontchannel;
pub mod genauth;
pub mod grants;
pub mod http;
pub mod id_token;
pub mod introspection;
pub mod jar;
pub mod jarm;
pub mod jose;
pub mod jwks;
pub mod logout;
pub mod par;
mod request;
pub mod resource;
mod response;
pub mod revocation;
pub mod time;
pub mod token;
pub mod types;
pub mod userinfo;

pub use backchannel::{
    BackChannelLogout, LogoutTokenClaims, LogoutTokenError, LogoutTokenValidator,
    MemoryReplayCache, MemorySessionStore, ReplayCache, SessionStore,
};
pub use cas::{CasClient, CasError, CasFailure, CasLoginUrl, CasOutcome, CasSuccess, CasTicket};
#[cfg(feature = "hyper-client")]
pub use client::DefaultClient;
pub use client::{BaseKind, Client, ClientBuilder, ClientKind, Confidential, Dpop, Public};
pub use client_auth::AuthMethod;
pub use device::{DeviceAuthorization, DeviceAuthorizationRequest};
pub use discovery::ProviderMetadata;
pub use dpop::{Bearer, DpopBound, DpopKey, TokenBinding};
pub use error::{Error, Result};
pub use fapi::{Fapi2, FapiProfile, MessageSigning, SecurityProfile};
pub use flow::{
    AuthorizationRequest, CodeReceived, NoPkce, Offline, Online, Pending, Pkce, Tokens,
};
pub use flow::{
    HybridReceived, HybridResponseType, ImplicitRequest, PendingHybrid, PendingImplicit,
};
pub use frontchannel::{FrontChannelLogout, FrontChannelLogoutError};
pub use genauth::{Authing, GenAuth, GenAuthOAuth, GenAuthOidc, GenAuthSaml};
pub use grants::{GrantRequest, IdTokenRule, IssuedToken, TokenTypeUri};
pub use id_token::{Expectations, IdTokenClaims, IdTokenValidator};
pub use introspection::{Introspection, TokenInfo};
pub use logout::{LogoutRequest, LogoutUrl};
pub use par::{PendingPush, PushedAuthorization};
pub use revocation::TokenTypeHint;
pub use types::*;
pub use userinfo::{BearerMethod, UserInfo, UserInfoClaims};

/// The README's code blocks, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
