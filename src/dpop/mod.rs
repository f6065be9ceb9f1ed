//! OAuth 2.0 Demonstrating Proof of Possession (DPoP, RFC 9449).
//!
//! A client built with [`ClientBuilder::dpop`](crate::ClientBuilder::dpop) becomes a
//! `Client<H, Dpop<K>>`: every request to the token endpoint (code exchange, refresh,
//! client credentials, device, token exchange, extension grants) and to the pushed
//! authorization request endpoint carries a `DPoP` proof (RFC 9449 §5, RFC 9126 §2 with
//! RFC 9449 §10.1), authorization requests carry `dpop_jkt` (§10), and resource requests —
//! UserInfo and [`Client::protected_resource_request`](crate::Client::protected_resource_request)
//! — send the token as `Authorization: DPoP <token>` with a proof that holds its hash `ath`
//! (§7.1).
//!
//! The tokens such a client receives are [`Tokens<A, DpopBound>`](crate::Tokens): their
//! access token is a [`DpopAccessToken`](crate::DpopAccessToken), a type no API sends as a
//! `Bearer` credential, so a DPoP-bound token cannot be presented without its proof (and a
//! provider that answers `token_type=Bearer` to a proof is refused with
//! [`DpopError::TokenType`]).
//!
//! **Nonces** (§8, §9): a `DPoP-Nonce` the provider sends is remembered per origin (at most
//! [`MAX_NONCE_ORIGINS`] origins, the least recently used forgotten first) and put in the
//! next proof to that origin. A `use_dpop_nonce` answer — HTTP 400 with that `error` from an
//! authorization server, HTTP 401 with a `DPoP error="use_dpop_nonce"` challenge from a
//! resource server — is retried exactly once, with a freshly built request (a new client
//! assertion and a new proof carrying the nonce). A `use_dpop_nonce` answer without a valid
//! `DPoP-Nonce` header is [`DpopError::NonceMissing`] / [`DpopError::InvalidNonce`]; a second
//! one is returned as the provider's error. A malformed `DPoP-Nonce` on any other answer is
//! ignored (the answer itself, e.g. a rotated refresh token, is never thrown away for it).

mod binding;
mod key;
mod nonce;

pub use binding::{Bearer, DpopBound, TokenBinding};
pub use key::{DpopKey, access_token_hash, htu};
pub(crate) use nonce::{DpopState, execute};

/// How many origins' nonces a client remembers.
pub const MAX_NONCE_ORIGINS: usize = 100;

/// Longest `DPoP-Nonce` value accepted, in bytes.
pub const MAX_NONCE_LEN: usize = 1024;

/// A DPoP failure (RFC 9449). Messages never contain a proof, a token or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// The provider answered `use_dpop_nonce` without a `DPoP-Nonce` header (RFC 9449 §8, §9).
    #[error("{endpoint} asked for a DPoP nonce (use_dpop_nonce) but sent no DPoP-Nonce header")]
    NonceMissing {
        /// `"token"`, `"pushed authorization request"`, `"userinfo"` or `"resource"`.
        endpoint: &'static str,
    },
    /// A `DPoP-Nonce` value breaks RFC 9449 §8.1 (`1*NQCHAR`), is longer than
    /// [`MAX_NONCE_LEN`], or the header appears more than once.
    #[error("DPoP-Nonce value is malformed (RFC 9449 §8.1)")]
    InvalidNonce,
    /// The URL a proof is for is not an absolute http(s) URL.
    #[error("invalid DPoP target URL: {0}")]
    InvalidUrl(String),
    /// The token endpoint answered a proof with a token type other than `DPoP` (or issued a
    /// `DPoP` token to a client that sends no proofs), RFC 9449 §5.
    #[error("token_type {received:?} where {expected} was required (RFC 9449 §5)")]
    TokenType {
        /// `"DPoP"` or `"Bearer"`.
        expected: &'static str,
        /// The `token_type` received, shortened to 64 characters.
        received: String,
    },
    /// The provider's `dpop_signing_alg_values_supported` does not list the key's algorithm.
    #[error("the provider does not accept DPoP proofs signed with {0}")]
    UnsupportedAlgorithm(&'static str),
}
