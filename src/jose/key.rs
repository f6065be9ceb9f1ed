//! Public verification keys, parsed once into `aws-lc-rs` key objects (RFC 7518 §3.3–§3.5,
//! RFC 8037 §3.1).

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};

use super::der;
use super::{JoseError, JwsAlgorithm};

/// Smallest RSA modulus accepted, in bits (RFC 7518 §3.3, §3.5: "2048 bits or larger").
pub(crate) const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus the crypto provider verifies with, in bits.
pub(crate) const RSA_MAX_BITS: usize = 8192;

/// The RSA algorithms, in the order of [`Kind::Rsa`]'s key array.
const RSA_ALGS: [JwsAlgorithm; 6] = [
    JwsAlgorithm::RS256,
    JwsAlgorithm::RS384,
    JwsAlgorithm::RS512,
    JwsAlgorithm::PS256,
    JwsAlgorithm::PS384,
    JwsAlgorithm::PS512,
];

/// An elliptic curve usable for JWS (RFC 7518 §6.2.1.1, RFC 8037 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    /// NIST P-256, for ES256.
    P256,
    /// NIST P-384, for ES384.
    P384,
    /// Ed25519, for EdDSA.
    Ed25519,
}

impl Curve {
    /// The registered `crv` name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::Ed25519 => "Ed25519",
        }
    }

    /// The size in octets of a coordinate (EC) or of the public key (Ed25519).
    pub(crate) fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Ed25519 => 32,
            Curve::P384 => 48,
        }
    }

    /// The one JWS algorithm a key on this curve verifies.
    pub(crate) fn algorithm(self) -> JwsAlgorithm {
        match self {
            Curve::P256 => JwsAlgorithm::ES256,
            Curve::P384 => JwsAlgorithm::ES384,
            Curve::Ed25519 => JwsAlgorithm::EdDSA,
        }
    }

    fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
            Curve::Ed25519 => &signature::ED25519,
        }
    }
}

enum Kind {
    /// One parsed key per RSA algorithm, in [`RSA_ALGS`] order.
    Rsa {
        bits: usize,
        keys: Box<[ParsedPublicKey; 6]>,
    },
    /// An EC (P-256/P-384) or OKP (Ed25519) key.
    Curve { curve: Curve, key: ParsedPublicKey },
}

/// A public key for JWS signature verification (RFC 7515 §5.2), parsed once by the crypto
/// provider when it is created and cheap to clone afterwards.
///
/// An RSA key verifies RS256/384/512 and PS256/384/512 (RFC 7518 §3.3, §3.5) and must have
/// a modulus of 2048 to 8192 bits; an EC key verifies ES256 on P-256 or ES384 on P-384
/// (RFC 7518 §3.4) and must be a point on its curve; an OKP key verifies EdDSA with Ed25519
/// (RFC 8037 §3.1). `Debug` shows only the key type and size.
#[derive(Clone)]
pub struct PublicKey {
    kind: Arc<Kind>,
}

impl PublicKey {
    /// An RSA public key from its big-endian modulus `n` and exponent `e`
    /// (RFC 7518 §6.3.1). Redundant leading zero octets are ignored.
    ///
    /// # Errors
    ///
    /// [`JoseError::InvalidKey`] when the modulus is not 2048–8192 bits or even, when the
    /// exponent is not an odd number from 3 to 2^33, or when the crypto provider rejects it.
    pub fn from_rsa_components(n: &[u8], e: &[u8]) -> Result<Self, JoseError> {
        let n = der::strip_leading_zeros(n);
        let e = der::strip_leading_zeros(e);
        let bits = der::bit_len(n);
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(JoseError::InvalidKey(format!(
                "RSA modulus of {bits} bits; {RSA_MIN_BITS} to {RSA_MAX_BITS} required (RFC 7518 §3.3)"
            )));
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(JoseError::InvalidKey("RSA modulus is even".into()));
        }
        let e_bits = der::bit_len(e);
        if e.last().is_none_or(|b| b & 1 == 0) || !(2..=33).contains(&e_bits) {
            return Err(JoseError::InvalidKey(
                "RSA exponent must be odd and between 3 and 2^33".into(),
            ));
        }
        let der = der::rsa_public_key(n, e);
        let parse = |alg: &'static dyn VerificationAlgorithm| {
            ParsedPublicKey::new(alg, &der)
                .map_err(|e| JoseError::InvalidKey(format!("RSA key rejected: {e}")))
        };
        let keys = Box::new([
            parse(&signature::RSA_PKCS1_2048_8192_SHA256)?,
            parse(&signature::RSA_PKCS1_2048_8192_SHA384)?,
            parse(&signature::RSA_PKCS1_2048_8192_SHA512)?,
            parse(&signature::RSA_PSS_2048_8192_SHA256)?,
            parse(&signature::RSA_PSS_2048_8192_SHA384)?,
            parse(&signature::RSA_PSS_2048_8192_SHA512)?,
        ]);
        Ok(PublicKey {
            kind: Arc::new(Kind::Rsa { bits, keys }),
        })
    }

    /// An EC public key from its affine coordinates (RFC 7518 §6.2.1): `crv` is `"P-256"` or
    /// `"P-384"`, and `x` and `y` must each be the full coordinate size (32 or 48 octets).
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedKeyType`] for another curve, [`JoseError::InvalidKey`] when a
    /// coordinate has the wrong length or the point is not on the curve.
    pub fn from_ec_coordinates(crv: &str, x: &[u8], y: &[u8]) -> Result<Self, JoseError> {
        let curve = match crv {
            "P-256" => Curve::P256,
            "P-384" => Curve::P384,
            other => {
                return Err(JoseError::UnsupportedKeyType(format!(
                    "EC {}",
                    super::clip(other)
                )));
            }
        };
        let len = curve.coordinate_len();
        if x.len() != len || y.len() != len {
            return Err(JoseError::InvalidKey(format!(
                "{crv} coordinates must be {len} octets each (RFC 7518 §6.2.1.2)"
            )));
        }
        // SEC 1 §2.3.3 uncompressed point: 0x04 || X || Y.
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        Self::from_curve(curve, &point)
    }

    /// An Ed25519 public key from its 32 octets (RFC 8037 §2).
    ///
    /// # Errors
    ///
    /// [`JoseError::InvalidKey`] when `x` is not 32 octets or is rejected by the provider.
    pub fn from_ed25519(x: &[u8]) -> Result<Self, JoseError> {
        if x.len() != Curve::Ed25519.coordinate_len() {
            return Err(JoseError::InvalidKey(
                "Ed25519 public key must be 32 octets (RFC 8037 §2)".into(),
            ));
        }
        Self::from_curve(Curve::Ed25519, x)
    }

    /// Parses an uncompressed EC point or a raw Ed25519 key for `curve`.
    pub(crate) fn from_curve(curve: Curve, bytes: &[u8]) -> Result<Self, JoseError> {
        let key = ParsedPublicKey::new(curve.verification(), bytes)
            .map_err(|e| JoseError::InvalidKey(format!("{} key rejected: {e}", curve.name())))?;
        Ok(PublicKey {
            kind: Arc::new(Kind::Curve { curve, key }),
        })
    }

    /// The JWK key type (RFC 7518 §6.1, RFC 8037 §2): `"RSA"`, `"EC"` or `"OKP"`.
    pub fn kty(&self) -> &'static str {
        match &*self.kind {
            Kind::Rsa { .. } => "RSA",
            Kind::Curve {
                curve: Curve::Ed25519,
                ..
            } => "OKP",
            Kind::Curve { .. } => "EC",
        }
    }

    /// The JWK `crv` (RFC 7518 §6.2.1.1, RFC 8037 §2) for EC and OKP keys; `None` for RSA.
    pub fn crv(&self) -> Option<&'static str> {
        self.curve().map(Curve::name)
    }

    /// The RSA modulus size in bits; `None` for EC and OKP keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &*self.kind {
            Kind::Rsa { bits, .. } => Some(*bits),
            Kind::Curve { .. } => None,
        }
    }

    pub(crate) fn curve(&self) -> Option<Curve> {
        match &*self.kind {
            Kind::Rsa { .. } => None,
            Kind::Curve { curve, .. } => Some(*curve),
        }
    }

    /// Whether this key can verify signatures made with `alg` (RFC 7518 §3.1): RSA keys
    /// verify RS*/PS*, P-256 keys ES256, P-384 keys ES384, Ed25519 keys EdDSA.
    pub fn supports(&self, alg: JwsAlgorithm) -> bool {
        self.parsed(alg).is_some()
    }

    fn parsed(&self, alg: JwsAlgorithm) -> Option<&ParsedPublicKey> {
        match &*self.kind {
            Kind::Rsa { keys, .. } => {
                let index = RSA_ALGS.iter().position(|&a| a == alg)?;
                keys.get(index)
            }
            Kind::Curve { curve, key } => (curve.algorithm() == alg).then_some(key),
        }
    }

    /// Verifies `signature` over `message` with `alg` (RFC 7515 §5.2 step 8). For ES256 and
    /// ES384 the signature is the fixed-size `R || S` form of RFC 7518 §3.4.
    ///
    /// # Errors
    ///
    /// [`JoseError::KeyAlgorithmMismatch`] when this key cannot be used with `alg`,
    /// [`JoseError::InvalidSignature`] when the signature does not verify.
    pub fn verify(
        &self,
        alg: JwsAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), JoseError> {
        let key = self.parsed(alg).ok_or(JoseError::KeyAlgorithmMismatch)?;
        key.verify_sig(message, signature)
            .map_err(|_| JoseError::InvalidSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("PublicKey");
        d.field("kty", &self.kty());
        match &*self.kind {
            Kind::Rsa { bits, .. } => d.field("bits", bits),
            Kind::Curve { curve, .. } => d.field("crv", &curve.name()),
        };
        d.finish()
    }
}
