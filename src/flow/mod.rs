//! Typestate flows: `AuthorizationRequest -> Pending -> CodeReceived -> Tokens`.
//!
//! Each step is a value that owns what belongs to it (state, nonce, PKCE verifier,
//! redirect URI, scope) and offers only the operations that are legal next:
//! `exchange` exists only on [`CodeReceived`], `refresh` only on
//! [`Tokens<Offline>`](Tokens), and a PKCE flow's verifier travels inside the
//! values, so it cannot be forgotten.
//!
//! Two type parameters, both with defaults, carry the state:
//! * access — [`Online`] or [`Offline`] (set by
//!   [`AuthorizationRequest::offline_access`]);
//! * PKCE — [`Pkce`] (the default) or [`NoPkce`] (confidential clients only).

mod authorize;
mod callback;
mod hybrid;
mod implicit;
mod tokens;

pub(crate) use authorize::build_url;
pub use authorize::{AuthorizationRequest, AuthorizationUrl, Prompt, ResponseMode};
pub(crate) use authorize::{ResponseSpec, add_scope, set_extra};
pub use callback::{CodeReceived, Pending};
pub use hybrid::{HybridReceived, HybridResponseType, PendingHybrid};
pub(crate) use implicit::front_channel_tokens;
pub use implicit::{
    IdTokenOnly, IdTokenToken, ImplicitRequest, ImplicitResponseType, PendingImplicit,
    VerifiedIdToken,
};
pub use tokens::Tokens;
pub(crate) use tokens::tokens_from_response;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ResponseError};
use crate::types::{CodeChallenge, CodeChallengeMethod, CodeVerifier, RefreshToken};

mod sealed {
    pub trait Sealed {}
}

/// Whether a flow asked for offline access (a refresh token).
pub trait Access: sealed::Sealed + Send + Sync + 'static {
    /// What the tokens hold in the refresh-token slot.
    type Refresh: Clone + std::fmt::Debug + Send + Sync + Serialize + for<'de> Deserialize<'de>;
    #[doc(hidden)]
    fn refresh_slot(token: Option<RefreshToken>) -> Result<Self::Refresh, Error>;
    #[doc(hidden)]
    fn refresh_token(slot: &Self::Refresh) -> Option<&RefreshToken>;
}

/// Marker: no `offline_access`; the tokens cannot be refreshed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Online;

/// Marker: `offline_access` was requested with `prompt=consent`; the tokens hold a
/// refresh token and can be refreshed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offline;

impl sealed::Sealed for Online {}
impl sealed::Sealed for Offline {}

impl Access for Online {
    type Refresh = Option<RefreshToken>;
    fn refresh_slot(token: Option<RefreshToken>) -> Result<Self::Refresh, Error> {
        Ok(token)
    }
    fn refresh_token(slot: &Self::Refresh) -> Option<&RefreshToken> {
        slot.as_ref()
    }
}

impl Access for Offline {
    type Refresh = RefreshToken;
    fn refresh_slot(token: Option<RefreshToken>) -> Result<Self::Refresh, Error> {
        token.ok_or_else(|| {
            ResponseError::Invalid {
                endpoint: "token",
                detail: "offline_access was requested but the provider issued no refresh_token"
                    .into(),
            }
            .into()
        })
    }
    fn refresh_token(slot: &Self::Refresh) -> Option<&RefreshToken> {
        Some(slot)
    }
}

/// Whether a flow uses PKCE (RFC 7636), and the verifier when it does.
pub trait PkceMode:
    sealed::Sealed + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static
{
    #[doc(hidden)]
    const ENABLED: bool;
    #[doc(hidden)]
    fn begin(
        method: CodeChallengeMethod,
        verifier: Option<CodeVerifier>,
    ) -> (Self, Option<CodeChallenge>)
    where
        Self: Sized;
    #[doc(hidden)]
    fn verifier(&self) -> Option<&CodeVerifier>;
}

/// The flow uses PKCE: this value holds the verifier between the redirect and the
/// token request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Pkce {
    code_verifier: CodeVerifier,
}

/// The flow does not use PKCE (only for confidential clients).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoPkce;

impl sealed::Sealed for Pkce {}
impl sealed::Sealed for NoPkce {}

impl PkceMode for Pkce {
    const ENABLED: bool = true;
    fn begin(
        method: CodeChallengeMethod,
        verifier: Option<CodeVerifier>,
    ) -> (Self, Option<CodeChallenge>) {
        let code_verifier = verifier.unwrap_or_else(CodeVerifier::generate);
        let challenge = code_verifier.challenge(method);
        (Self { code_verifier }, Some(challenge))
    }
    fn verifier(&self) -> Option<&CodeVerifier> {
        Some(&self.code_verifier)
    }
}

impl PkceMode for NoPkce {
    const ENABLED: bool = false;
    fn begin(_: CodeChallengeMethod, _: Option<CodeVerifier>) -> (Self, Option<CodeChallenge>) {
        (Self, None)
    }
    fn verifier(&self) -> Option<&CodeVerifier> {
        None
    }
}
