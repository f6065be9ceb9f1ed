//! How an access token is presented: as a bearer credential (RFC 6750) or bound to a DPoP
//! key (RFC 9449). The binding is part of the client's type, so the tokens' type says which
//! it is and no API can send a DPoP-bound token as `Bearer`.

use std::fmt::Debug;

use serde::{Serialize, de::DeserializeOwned};

use super::DpopError;
use crate::error::Error;
use crate::token::TokenType;
use crate::types::{AccessToken, DpopAccessToken};

mod sealed {
    pub trait Sealed {}
}

/// How the access tokens of a client are presented; [`Bearer`] or [`DpopBound`]. Sealed.
pub trait TokenBinding: sealed::Sealed + Send + Sync + 'static {
    /// The access token type: [`AccessToken`] (bearer) or [`DpopAccessToken`].
    type Token: Clone + Debug + Send + Sync + Serialize + DeserializeOwned + 'static;
    /// Whether proofs are sent.
    const DPOP: bool;
    /// The `Authorization` scheme (`Bearer`, `DPoP`).
    const SCHEME: &'static str;
    #[doc(hidden)]
    fn wrap(token: AccessToken) -> Self::Token;
    #[doc(hidden)]
    fn secret(token: &Self::Token) -> &str;
    /// Refuses a token response whose `token_type` this binding cannot use.
    #[doc(hidden)]
    fn check(token_type: &TokenType) -> Result<(), Error>;
}

/// Marker: access tokens are bearer credentials (RFC 6750), the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bearer;

/// Marker: access tokens are bound to the client's [`DpopKey`](super::DpopKey) (RFC 9449);
/// they are [`DpopAccessToken`]s and always travel with a proof.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DpopBound;

impl sealed::Sealed for Bearer {}
impl sealed::Sealed for DpopBound {}

fn mismatch(expected: &'static str, received: &TokenType) -> Error {
    let received = match received {
        TokenType::Bearer => "Bearer".to_owned(),
        TokenType::DPoP => "DPoP".to_owned(),
        TokenType::NotApplicable => "N_A".to_owned(),
        TokenType::Other(s) => crate::jose::clip(s),
    };
    DpopError::TokenType { expected, received }.into()
}

impl TokenBinding for Bearer {
    type Token = AccessToken;
    const DPOP: bool = false;
    const SCHEME: &'static str = "Bearer";
    fn wrap(token: AccessToken) -> AccessToken {
        token
    }
    fn secret(token: &AccessToken) -> &str {
        token.secret()
    }
    /// Anything but `DPoP`: a client that sends no proofs cannot use a DPoP-bound token.
    fn check(token_type: &TokenType) -> Result<(), Error> {
        match token_type {
            TokenType::DPoP => Err(mismatch("Bearer", token_type)),
            _ => Ok(()),
        }
    }
}

impl TokenBinding for DpopBound {
    type Token = DpopAccessToken;
    const DPOP: bool = true;
    const SCHEME: &'static str = "DPoP";
    fn wrap(token: AccessToken) -> DpopAccessToken {
        DpopAccessToken::new(token.secret())
    }
    fn secret(token: &DpopAccessToken) -> &str {
        token.secret()
    }
    /// `DPoP` only (compared case-insensitively, RFC 9449 §5): a `Bearer` answer to a proof
    /// would be a token usable by anyone who steals it.
    fn check(token_type: &TokenType) -> Result<(), Error> {
        match token_type {
            TokenType::DPoP => Ok(()),
            _ => Err(mismatch("DPoP", token_type)),
        }
    }
}
