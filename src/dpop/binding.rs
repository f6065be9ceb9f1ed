//! How an access token is presented: as a bearer credential (RFC 6750) or bound to a DPoP
//! key (RFC 9449). The binding is part of the client's type, so the tokens' type says which
//! it is and no API can send a DPoP-bound token as `Bearer`.

use std::fmt::Debug;

use serde::{Serialize, de::DeserializeOwned};

use super::DpopError;
use crate::error::Error;
use crate::token::{TokenResponse, TokenType};
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
    fn check(response: &TokenResponse) -> Result<(), Error>;
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

/// The error for a `token_type` that does not fit; an unknown one is quoted clipped, with
/// any token of the same response removed (provider text that echoes them).
fn mismatch(expected: &'static str, response: &TokenResponse) -> Error {
    let received = match &response.token_type {
        TokenType::Bearer => "Bearer".to_owned(),
        TokenType::DPoP => "DPoP".to_owned(),
        TokenType::NotApplicable => "N_A".to_owned(),
        TokenType::Other(s) => {
            let issued = [
                Some(response.access_token.secret()),
                response.refresh_token.as_ref().map(|t| t.secret()),
                response.id_token.as_ref().map(|t| t.secret()),
            ];
            let secrets = crate::response::RequestSecrets::of_values(issued.into_iter().flatten());
            crate::jose::clip(&secrets.clean(s.clone()))
        }
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
    fn check(response: &TokenResponse) -> Result<(), Error> {
        match response.token_type {
            TokenType::DPoP => Err(mismatch("Bearer", response)),
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
    fn check(response: &TokenResponse) -> Result<(), Error> {
        match response.token_type {
            TokenType::DPoP => Ok(()),
            _ => Err(mismatch("DPoP", response)),
        }
    }
}
