//! The JWS `alg` values this crate implements (RFC 7518 §3.1, RFC 8037 §3.1).

use std::fmt;
use std::str::FromStr;

use super::{JoseError, clip};

/// A JWS signature algorithm (RFC 7518 §3.1; `EdDSA` from RFC 8037 §3.1, Ed25519 only).
///
/// `none` is deliberately absent: an unsecured JWS is never accepted (RFC 8725 §3.2).
/// The serde representation is the registered name, e.g. `"RS256"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum JwsAlgorithm {
    /// HMAC with SHA-256 (RFC 7518 §3.2).
    HS256,
    /// HMAC with SHA-384 (RFC 7518 §3.2).
    HS384,
    /// HMAC with SHA-512 (RFC 7518 §3.2).
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (RFC 7518 §3.3).
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 7518 §3.3).
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384 and a 48-byte salt (RFC 7518 §3.5).
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt (RFC 7518 §3.5).
    PS512,
    /// ECDSA on P-256 with SHA-256, signature as fixed-size `R || S` (RFC 7518 §3.4).
    ES256,
    /// ECDSA on P-384 with SHA-384, signature as fixed-size `R || S` (RFC 7518 §3.4).
    ES384,
    /// EdDSA with Ed25519 (RFC 8037 §3.1).
    EdDSA,
}

impl JwsAlgorithm {
    /// Every algorithm this crate implements.
    pub const ALL: [JwsAlgorithm; 12] = [
        JwsAlgorithm::HS256,
        JwsAlgorithm::HS384,
        JwsAlgorithm::HS512,
        JwsAlgorithm::RS256,
        JwsAlgorithm::RS384,
        JwsAlgorithm::RS512,
        JwsAlgorithm::PS256,
        JwsAlgorithm::PS384,
        JwsAlgorithm::PS512,
        JwsAlgorithm::ES256,
        JwsAlgorithm::ES384,
        JwsAlgorithm::EdDSA,
    ];

    /// The registered `alg` name (RFC 7518 §7.1.2, RFC 8037 §5).
    pub fn as_str(&self) -> &'static str {
        match self {
            JwsAlgorithm::HS256 => "HS256",
            JwsAlgorithm::HS384 => "HS384",
            JwsAlgorithm::HS512 => "HS512",
            JwsAlgorithm::RS256 => "RS256",
            JwsAlgorithm::RS384 => "RS384",
            JwsAlgorithm::RS512 => "RS512",
            JwsAlgorithm::PS256 => "PS256",
            JwsAlgorithm::PS384 => "PS384",
            JwsAlgorithm::PS512 => "PS512",
            JwsAlgorithm::ES256 => "ES256",
            JwsAlgorithm::ES384 => "ES384",
            JwsAlgorithm::EdDSA => "EdDSA",
        }
    }

    /// `true` for the HMAC algorithms (RFC 7518 §3.2), whose key is a shared secret.
    pub fn is_symmetric(&self) -> bool {
        matches!(
            self,
            JwsAlgorithm::HS256 | JwsAlgorithm::HS384 | JwsAlgorithm::HS512
        )
    }

    /// Parses a registered `alg` name exactly, case-sensitively (RFC 7515 §4.1.1).
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedAlgorithm`] for any other value, including `none` in any
    /// capitalisation (RFC 8725 §3.2).
    pub fn parse(s: &str) -> Result<Self, JoseError> {
        JwsAlgorithm::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or_else(|| JoseError::UnsupportedAlgorithm(clip(s)))
    }

    /// The JWK `kty` a public key for this algorithm has (RFC 7518 §6.1, RFC 8037 §2);
    /// `oct` for HMAC.
    pub fn key_type(&self) -> &'static str {
        match self {
            JwsAlgorithm::HS256 | JwsAlgorithm::HS384 | JwsAlgorithm::HS512 => "oct",
            JwsAlgorithm::RS256
            | JwsAlgorithm::RS384
            | JwsAlgorithm::RS512
            | JwsAlgorithm::PS256
            | JwsAlgorithm::PS384
            | JwsAlgorithm::PS512 => "RSA",
            JwsAlgorithm::ES256 | JwsAlgorithm::ES384 => "EC",
            JwsAlgorithm::EdDSA => "OKP",
        }
    }
}

impl FromStr for JwsAlgorithm {
    type Err = JoseError;

    /// Same as [`JwsAlgorithm::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JwsAlgorithm::parse(s)
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
