//! Proof Key for Code Exchange (RFC 7636).

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ConfigError;

/// A PKCE code verifier (RFC 7636 §4.1): 43 to 128 characters of
/// `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
///
/// There are only two ways to get one: [`CodeVerifier::generate`] (32 bytes of
/// CSPRNG output, base64url-encoded: 43 characters, 256 bits of entropy) and the
/// validating [`CodeVerifier::parse`]. It is not `Clone` and its `Debug` is redacted.
pub struct CodeVerifier(secrecy::SecretString);

impl CodeVerifier {
    /// Generates a verifier from 32 bytes of CSPRNG output (RFC 7636 §4.1, §7.1).
    pub fn generate() -> Self {
        Self(secrecy::SecretString::from(crate::types::random_token(32)))
    }

    /// Accepts a verifier only if it has the syntax RFC 7636 §4.1 requires.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let ok_len = (43..=128).contains(&value.len());
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if ok_len && ok_chars {
            Ok(Self(secrecy::SecretString::from(value.to_owned())))
        } else {
            Err(ConfigError::InvalidValue {
                what: "code_verifier",
                detail: "RFC 7636 requires 43-128 characters from [A-Za-z0-9-._~]".into(),
            })
        }
    }

    /// The verifier, as sent in the token request.
    pub fn secret(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }

    /// The challenge for this verifier with the given method (RFC 7636 §4.2).
    pub fn challenge(&self, method: CodeChallengeMethod) -> CodeChallenge {
        let value = match method {
            CodeChallengeMethod::S256 => {
                let digest = Sha256::digest(self.secret().as_bytes());
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
            }
            CodeChallengeMethod::Plain => self.secret().to_owned(),
        };
        CodeChallenge { value, method }
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

impl serde::Serialize for CodeVerifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.secret())
    }
}

impl<'de> serde::Deserialize<'de> for CodeVerifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How the code challenge is derived from the verifier (RFC 7636 §4.2).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum CodeChallengeMethod {
    /// `S256`: base64url(SHA-256(verifier)). The default, and the only method many
    /// providers accept.
    #[default]
    S256,
    /// `plain`: the challenge is the verifier itself. The weaker choice: use it only
    /// for a provider that cannot do S256 (RFC 7636 §4.2, §7.2).
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    /// The `code_challenge_method` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// A code challenge with its method (RFC 7636 §4.2). Public by design: it is
/// sent in the front channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge {
    value: String,
    method: CodeChallengeMethod,
}

impl CodeChallenge {
    /// The `code_challenge` value.
    pub fn as_str(&self) -> &str {
        &self.value
    }
    /// The `code_challenge_method`.
    pub fn method(&self) -> CodeChallengeMethod {
        self.method
    }
}
