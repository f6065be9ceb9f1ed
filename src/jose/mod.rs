//! JOSE: JSON Web Signature, JSON Web Key and the algorithms OpenID Connect uses.
//!
//! This module is the signature layer under ID-token validation:
//!
//! * [`Jws`] splits and decodes a compact JWS (RFC 7515 §7.1) without verifying it;
//! * [`JwsAlgorithm`] names the supported `alg` values (RFC 7518 §3, RFC 8037 §3.1) and
//!   refuses `none` in any spelling (RFC 8725 §3.1, §3.2);
//! * [`PublicKey`], [`Jwk`] and [`JwkSet`] turn a provider's `jwks_uri` document
//!   (RFC 7517 §4, §5) into key objects parsed once by the crypto provider, and select the
//!   candidate keys for a token header;
//! * [`verify_hmac`] checks HMAC signatures made with the client secret
//!   (OpenID Connect Core 1.0 §10.1);
//! * [`SigningKey`], [`sign_compact`] and [`sign_compact_hmac`] produce signatures for client
//!   authentication (RFC 7523, OpenID Connect Core 1.0 §9) and for tests;
//! * [`left_half_hash`] computes `at_hash` / `c_hash` (OpenID Connect Core 1.0 §3.1.3.6,
//!   §3.3.2.11).
//!
//! All cryptography goes through `aws-lc-rs`. Nothing here panics on input, and no error or
//! `Debug` output contains key material or token text.

pub mod b64;

mod alg;
mod der;
mod json;
mod jwk;
mod jws;
mod key;
mod sign;

pub use alg::JwsAlgorithm;
pub use json::from_json_no_duplicates;
pub(crate) use json::{JsonStr, StrictValue, object_no_duplicates};
pub use jwk::{Jwk, JwkSet};
pub(crate) use jws::HmacKeys;
pub use jws::{Jws, JwsHeader, sign_compact, sign_compact_hmac, verify_hmac};
pub use key::PublicKey;
pub use sign::SigningKey;

use aws_lc_rs::digest;

/// Why a JWS, JWK, JWK Set or signing operation failed.
///
/// No variant ever carries key material, a signature or the text of a token; strings that
/// come from the input (algorithm names, member names) are shortened to a few dozen
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    /// The input does not have the structure its specification requires
    /// (e.g. a compact JWS without exactly three parts, RFC 7515 §7.1).
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// What was being parsed (e.g. `"JWS"`, `"JWS header"`).
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A part is not strict unpadded base64url (RFC 7515 §2, RFC 4648 §5).
    #[error(
        "invalid base64url (RFC 7515 §2): padding, non-alphabet characters or non-canonical trailing bits"
    )]
    Base64,
    /// A JSON text could not be parsed into the expected shape.
    ///
    /// `detail` is the parser's message with any quoted input value removed.
    #[error("invalid JSON in {what}: {detail}")]
    Json {
        /// What was being parsed (e.g. `"JWS header"`, `"JWK Set"`).
        what: &'static str,
        /// The parser's message, without input values.
        detail: String,
    },
    /// The input is longer than the accepted limit; it was not decoded.
    #[error("input longer than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A JSON object has a member name twice (RFC 7515 §5.2, RFC 7519 §4, RFC 7493 §2.3).
    #[error("duplicate JSON member {0:?}")]
    DuplicateMember(String),
    /// The `alg` is not one this crate implements, or is `none` (RFC 8725 §3.2).
    #[error("unsupported JWS algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// A JWK names a key type or curve this crate does not implement (RFC 7517 §4.1).
    #[error("unsupported key type {0:?}")]
    UnsupportedKeyType(String),
    /// A key is malformed, too weak or rejected by the crypto provider.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The signature does not verify with this key and algorithm.
    #[error("signature verification failed")]
    InvalidSignature,
    /// The key cannot be used with the requested algorithm (e.g. an EC key for RS256).
    #[error("the key cannot be used with this algorithm")]
    KeyAlgorithmMismatch,
    /// The crypto provider failed to produce a signature or a key.
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

/// Shortens a string taken from the input so that an error message stays small.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        None => s.to_owned(),
        Some((cut, _)) => {
            let mut out = String::with_capacity(cut + 3);
            out.push_str(s.get(..cut).unwrap_or_default());
            out.push('…');
            out
        }
    }
}

/// The `at_hash` / `c_hash` value of `value` (OpenID Connect Core 1.0 §3.1.3.6, §3.2.2.9,
/// §3.3.2.11): the base64url encoding of the left-most half of the hash of the ASCII octets of
/// `value`, with the hash of the ID token's `alg`.
///
/// SHA-256 is used for `*256`, SHA-384 for `*384`, SHA-512 for `*512` and for `EdDSA` (Ed25519
/// uses SHA-512 internally, RFC 8032 §5.1, which is what OpenID providers use for these claims).
pub fn left_half_hash(alg: JwsAlgorithm, value: &str) -> String {
    let algorithm = match alg {
        JwsAlgorithm::HS256 | JwsAlgorithm::RS256 | JwsAlgorithm::PS256 | JwsAlgorithm::ES256 => {
            &digest::SHA256
        }
        JwsAlgorithm::HS384 | JwsAlgorithm::RS384 | JwsAlgorithm::PS384 | JwsAlgorithm::ES384 => {
            &digest::SHA384
        }
        JwsAlgorithm::HS512 | JwsAlgorithm::RS512 | JwsAlgorithm::PS512 | JwsAlgorithm::EdDSA => {
            &digest::SHA512
        }
    };
    let hash = digest::digest(algorithm, value.as_bytes());
    let bytes = hash.as_ref();
    b64::encode(bytes.get(..bytes.len() / 2).unwrap_or(bytes))
}
