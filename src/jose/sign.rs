//! Private signing keys for client authentication (`private_key_jwt`, RFC 7523 §2.2,
//! OpenID Connect Core 1.0 §9) and for tests.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, RsaEncoding, RsaKeyPair,
    RsaPublicKeyComponents,
};
use base64::Engine as _;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use secrecy::zeroize::{Zeroize, Zeroizing};
use serde_json::{Map, Value, json};

use super::json::parse_value;
use super::jwk::{opt_str, req_b64, req_str};
use super::key::Curve;
use super::{JoseError, JwsAlgorithm, PublicKey, b64, clip, der};

enum Pair {
    Rsa(RsaKeyPair),
    Ec(Curve, EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key that signs JWS (RFC 7515 §5.1) with RSA (RS*/PS*, RFC 7518 §3.3, §3.5),
/// ECDSA P-256/P-384 (ES256/ES384, RFC 7518 §3.4) or Ed25519 (EdDSA, RFC 8037 §3.1).
///
/// Used for `private_key_jwt` client authentication (RFC 7523 §2.2) and to mint test tokens.
/// Cloning shares the key. `Debug` prints only the key type and `kid`:
/// `SigningKey { kty: "RSA", kid: Some("k1"), [redacted] }`.
#[derive(Clone)]
pub struct SigningKey {
    pair: Arc<Pair>,
    kid: Option<String>,
    alg: Option<JwsAlgorithm>,
}

fn rejected(what: &str, e: impl fmt::Display) -> JoseError {
    JoseError::InvalidKey(format!("{what} rejected: {e}"))
}

fn ecdsa_signing(curve: Curve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P256 | Curve::Ed25519 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
    }
}

impl SigningKey {
    fn new(pair: Pair) -> Self {
        SigningKey {
            pair: Arc::new(pair),
            kid: None,
            alg: None,
        }
    }

    /// Loads an unencrypted PEM private key (RFC 7468 §10, §11): PKCS#8 `PRIVATE KEY`
    /// (RFC 5958) holding RSA, EC P-256/P-384 or Ed25519, PKCS#1 `RSA PRIVATE KEY`
    /// (RFC 8017 Appendix A.1.2) or SEC 1 `EC PRIVATE KEY` (RFC 5915). The first private key
    /// in `pem` is used; other sections (e.g. certificates) are skipped.
    ///
    /// # Errors
    ///
    /// [`JoseError::InvalidKey`] when no private key is found, or the key is of another type,
    /// RSA shorter than 2048 bits, or otherwise rejected by the crypto provider.
    pub fn from_pem(pem: &str) -> Result<Self, JoseError> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| JoseError::InvalidKey("no PEM private key found".into()))?;
        let pair = match &*der {
            PrivateKeyDer::Pkcs1(k) => Pair::Rsa(
                RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map_err(|e| rejected("PKCS#1 RSA key", e))?,
            ),
            PrivateKeyDer::Sec1(k) => Self::ec_from_der(k.secret_sec1_der())?,
            PrivateKeyDer::Pkcs8(k) => Self::from_pkcs8(k.secret_pkcs8_der())?,
            _ => return Err(JoseError::InvalidKey("unsupported PEM key format".into())),
        };
        Ok(Self::new(pair))
    }

    fn ec_from_der(der: &[u8]) -> Result<Pair, JoseError> {
        for curve in [Curve::P256, Curve::P384] {
            if let Ok(pair) = EcdsaKeyPair::from_private_key_der(ecdsa_signing(curve), der) {
                return Ok(Pair::Ec(curve, pair));
            }
        }
        Err(JoseError::InvalidKey(
            "EC key rejected: not a valid P-256 or P-384 key".into(),
        ))
    }

    fn from_pkcs8(der: &[u8]) -> Result<Pair, JoseError> {
        let rsa = match RsaKeyPair::from_pkcs8(der) {
            Ok(pair) => return Ok(Pair::Rsa(pair)),
            Err(e) => e,
        };
        for curve in [Curve::P256, Curve::P384] {
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), der) {
                return Ok(Pair::Ec(curve, pair));
            }
        }
        if let Ok(pair) = Ed25519KeyPair::from_pkcs8(der) {
            return Ok(Pair::Ed25519(pair));
        }
        Err(JoseError::InvalidKey(format!(
            "PKCS#8 key is not a usable RSA (2048+ bits), P-256, P-384 or Ed25519 key ({rsa})"
        )))
    }

    /// Loads a private JWK (RFC 7517 §4): `RSA` with `n, e, d, p, q, dp, dq, qi`
    /// (RFC 7518 §6.3.2, two primes only), `EC` with `crv` P-256/P-384, `x, y, d`
    /// (RFC 7518 §6.2.2) or `OKP` Ed25519 with `d, x` (RFC 8037 §2). The `kid` is taken from
    /// the JWK, and its `alg`, when the key supports it, becomes [`SigningKey::default_alg`].
    ///
    /// # Errors
    ///
    /// [`JoseError::Json`] / [`JoseError::DuplicateMember`] for bad JSON,
    /// [`JoseError::UnsupportedKeyType`] for another key type or curve,
    /// [`JoseError::InvalidKey`] for missing members or inconsistent key material.
    pub fn from_jwk(json: &str) -> Result<Self, JoseError> {
        let value = WipeOnDrop(parse_value("JWK", json.as_bytes())?);
        let obj = value
            .0
            .as_object()
            .ok_or_else(|| JoseError::InvalidKey("JWK is not a JSON object".into()))?;
        let pair = match req_str(obj, "kty")? {
            "RSA" => Self::rsa_from_jwk(obj)?,
            "EC" => {
                let curve = match req_str(obj, "crv")? {
                    "P-256" => Curve::P256,
                    "P-384" => Curve::P384,
                    other => {
                        return Err(JoseError::UnsupportedKeyType(format!("EC {}", clip(other))));
                    }
                };
                let d = Zeroizing::new(req_b64(obj, "d")?);
                let (x, y) = (req_b64(obj, "x")?, req_b64(obj, "y")?);
                let len = curve.coordinate_len();
                if d.len() != len || x.len() != len || y.len() != len {
                    return Err(JoseError::InvalidKey(format!(
                        "{} members x, y and d must be {len} octets (RFC 7518 §6.2)",
                        curve.name()
                    )));
                }
                let mut point = vec![0x04];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let pair =
                    EcdsaKeyPair::from_private_key_and_public_key(ecdsa_signing(curve), &d, &point)
                        .map_err(|e| rejected("EC key", e))?;
                Pair::Ec(curve, pair)
            }
            "OKP" => match req_str(obj, "crv")? {
                "Ed25519" => {
                    let d = Zeroizing::new(req_b64(obj, "d")?);
                    let x = req_b64(obj, "x")?;
                    let pair = Ed25519KeyPair::from_seed_and_public_key(&d, &x)
                        .map_err(|e| rejected("Ed25519 key", e))?;
                    Pair::Ed25519(pair)
                }
                other => {
                    return Err(JoseError::UnsupportedKeyType(format!(
                        "OKP {}",
                        clip(other)
                    )));
                }
            },
            other => return Err(JoseError::UnsupportedKeyType(clip(other))),
        };
        let mut key = Self::new(pair);
        key.kid = opt_str(obj, "kid")?.map(str::to_owned);
        key.alg = opt_str(obj, "alg")?
            .and_then(|a| JwsAlgorithm::parse(a).ok())
            .filter(|&a| key.supports(a));
        Ok(key)
    }

    fn rsa_from_jwk(obj: &Map<String, Value>) -> Result<Pair, JoseError> {
        if obj.contains_key("oth") {
            return Err(JoseError::UnsupportedKeyType(
                "RSA with more than two primes (oth)".into(),
            ));
        }
        let mut parts: Vec<Zeroizing<Vec<u8>>> = Vec::with_capacity(8);
        for name in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
            parts.push(Zeroizing::new(req_b64(obj, name)?));
        }
        let [n, e, d, p, q, dp, dq, qi] = parts.as_slice() else {
            return Err(JoseError::InvalidKey("RSA JWK is incomplete".into()));
        };
        let der = der::rsa_private_key([n, e, d, p, q, dp, dq, qi]);
        RsaKeyPair::from_der(&der)
            .map(Pair::Rsa)
            .map_err(|e| rejected("RSA key", e))
    }

    /// Generates a new RSA key of `bits` (2048, 3072, 4096 or 8192).
    ///
    /// # Errors
    ///
    /// [`JoseError::InvalidKey`] for another size, [`JoseError::Crypto`] when generation fails.
    pub fn generate_rsa(bits: usize) -> Result<Self, JoseError> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => {
                return Err(JoseError::InvalidKey(format!(
                    "RSA key size {bits}; 2048, 3072, 4096 or 8192 supported"
                )));
            }
        };
        let pair =
            RsaKeyPair::generate(size).map_err(|_| JoseError::Crypto("RSA key generation"))?;
        Ok(Self::new(Pair::Rsa(pair)))
    }

    fn generate_ec(curve: Curve) -> Result<Self, JoseError> {
        let pair = EcdsaKeyPair::generate(ecdsa_signing(curve))
            .map_err(|_| JoseError::Crypto("EC key generation"))?;
        Ok(Self::new(Pair::Ec(curve, pair)))
    }

    /// Generates a new ECDSA P-256 key (for ES256).
    ///
    /// # Errors
    ///
    /// [`JoseError::Crypto`] when generation fails.
    pub fn generate_ec_p256() -> Result<Self, JoseError> {
        Self::generate_ec(Curve::P256)
    }

    /// Generates a new ECDSA P-384 key (for ES384).
    ///
    /// # Errors
    ///
    /// [`JoseError::Crypto`] when generation fails.
    pub fn generate_ec_p384() -> Result<Self, JoseError> {
        Self::generate_ec(Curve::P384)
    }

    /// Generates a new Ed25519 key (for EdDSA).
    ///
    /// # Errors
    ///
    /// [`JoseError::Crypto`] when generation fails.
    pub fn generate_ed25519() -> Result<Self, JoseError> {
        let pair =
            Ed25519KeyPair::generate().map_err(|_| JoseError::Crypto("Ed25519 key generation"))?;
        Ok(Self::new(Pair::Ed25519(pair)))
    }

    /// Sets the key ID put in the `kid` header of signed tokens (RFC 7515 §4.1.4) and in
    /// [`SigningKey::public_jwk`].
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key ID, if any (RFC 7517 §4.5).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWK key type (RFC 7518 §6.1, RFC 8037 §2): `"RSA"`, `"EC"` or `"OKP"`.
    pub fn kty(&self) -> &'static str {
        match &*self.pair {
            Pair::Rsa(_) => "RSA",
            Pair::Ec(..) => "EC",
            Pair::Ed25519(_) => "OKP",
        }
    }

    /// The algorithm used when none is asked for: the JWK's `alg` when loaded from a JWK that
    /// named a supported one, otherwise RS256 for RSA, ES256 / ES384 for P-256 / P-384 and
    /// EdDSA for Ed25519.
    pub fn default_alg(&self) -> JwsAlgorithm {
        if let Some(alg) = self.alg {
            return alg;
        }
        match &*self.pair {
            Pair::Rsa(_) => JwsAlgorithm::RS256,
            Pair::Ec(curve, _) => curve.algorithm(),
            Pair::Ed25519(_) => JwsAlgorithm::EdDSA,
        }
    }

    /// Whether this key can sign with `alg` (RFC 7518 §3.1).
    pub fn supports(&self, alg: JwsAlgorithm) -> bool {
        match &*self.pair {
            Pair::Rsa(_) => alg.key_type() == "RSA",
            Pair::Ec(curve, _) => curve.algorithm() == alg,
            Pair::Ed25519(_) => alg == JwsAlgorithm::EdDSA,
        }
    }

    /// The public key, for verifying this key's signatures.
    ///
    /// # Errors
    ///
    /// [`JoseError::InvalidKey`] if the crypto provider refuses the public half (not expected).
    pub fn public_key(&self) -> Result<PublicKey, JoseError> {
        match &*self.pair {
            Pair::Rsa(pair) => {
                let c = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                PublicKey::from_rsa_components(&c.n, &c.e)
            }
            Pair::Ec(curve, pair) => PublicKey::from_curve(*curve, pair.public_key().as_ref()),
            Pair::Ed25519(pair) => PublicKey::from_ed25519(pair.public_key().as_ref()),
        }
    }

    /// The public part as a JWK (RFC 7517 §4) with `kid` (when set), `alg`
    /// ([`SigningKey::default_alg`]) and `use` `sig`; suitable for a client's `jwks`.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = match &*self.pair {
            Pair::Rsa(pair) => {
                let c = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                json!({
                    "kty": "RSA",
                    "n": b64::encode(der::strip_leading_zeros(&c.n)),
                    "e": b64::encode(der::strip_leading_zeros(&c.e)),
                })
            }
            Pair::Ec(curve, pair) => {
                // Uncompressed point 0x04 || X || Y (SEC 1 §2.3.3).
                let point = pair.public_key().as_ref();
                let len = curve.coordinate_len();
                let x = point.get(1..=len).unwrap_or_default();
                let y = point.get(1 + len..).unwrap_or_default();
                json!({ "kty": "EC", "crv": curve.name(), "x": b64::encode(x), "y": b64::encode(y) })
            }
            Pair::Ed25519(pair) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": b64::encode(pair.public_key().as_ref()) })
            }
        };
        if let Value::Object(obj) = &mut jwk {
            if let Some(kid) = &self.kid {
                obj.insert("kid".into(), Value::String(kid.clone()));
            }
            obj.insert(
                "alg".into(),
                Value::String(self.default_alg().as_str().into()),
            );
            obj.insert("use".into(), Value::String("sig".into()));
        }
        jwk
    }

    /// **Exports the secret key** as an unencrypted PKCS#8 PEM document (RFC 5958, RFC 7468
    /// §10). Meant for tests and fixtures; treat the result as a secret.
    ///
    /// # Errors
    ///
    /// [`JoseError::Crypto`] if the crypto provider cannot serialize the key (not expected).
    pub fn to_pkcs8_pem(&self) -> Result<String, JoseError> {
        let fail = |_| JoseError::Crypto("PKCS#8 export");
        let der: Zeroizing<Vec<u8>> = Zeroizing::new(match &*self.pair {
            Pair::Rsa(pair) => {
                let doc: Pkcs8V1Der<'static> = pair.as_der().map_err(fail)?;
                doc.as_ref().to_vec()
            }
            Pair::Ec(_, pair) => pair.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
            Pair::Ed25519(pair) => pair.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
        });
        let body = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*der));
        let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
        pem.push_str("-----BEGIN PRIVATE KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(pem)
    }

    /// Signs `message` with `alg` (RFC 7515 §5.1 step 5): RSASSA-PKCS1-v1_5 or RSASSA-PSS
    /// with a salt as long as the hash (RFC 7518 §3.3, §3.5), ECDSA in the fixed-size
    /// `R || S` form (RFC 7518 §3.4), or Ed25519 (RFC 8037 §3.1).
    ///
    /// # Errors
    ///
    /// [`JoseError::KeyAlgorithmMismatch`] when this key cannot sign with `alg`,
    /// [`JoseError::Crypto`] when signing fails.
    pub fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        if !self.supports(alg) {
            return Err(JoseError::KeyAlgorithmMismatch);
        }
        let rng = SystemRandom::new();
        match &*self.pair {
            Pair::Rsa(pair) => {
                let encoding: &'static dyn RsaEncoding = match alg {
                    JwsAlgorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                    JwsAlgorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    JwsAlgorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                    JwsAlgorithm::PS256 => &signature::RSA_PSS_SHA256,
                    JwsAlgorithm::PS384 => &signature::RSA_PSS_SHA384,
                    JwsAlgorithm::PS512 => &signature::RSA_PSS_SHA512,
                    _ => return Err(JoseError::KeyAlgorithmMismatch),
                };
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(encoding, &rng, message, &mut sig)
                    .map_err(|_| JoseError::Crypto("RSA signing"))?;
                Ok(sig)
            }
            Pair::Ec(_, pair) => pair
                .sign(&rng, message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| JoseError::Crypto("ECDSA signing")),
            Pair::Ed25519(pair) => pair
                .try_sign(message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| JoseError::Crypto("Ed25519 signing")),
        }
    }
}

/// Members of a private JWK that hold secret material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

/// A parsed private JWK whose secret members are overwritten when it is dropped.
struct WipeOnDrop(Value);

impl Drop for WipeOnDrop {
    fn drop(&mut self) {
        if let Value::Object(obj) = &mut self.0 {
            for name in PRIVATE_MEMBERS {
                if let Some(Value::String(secret)) = obj.get_mut(name) {
                    secret.zeroize();
                }
            }
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey {{ kty: {:?}, kid: {:?}, [redacted] }}",
            self.kty(),
            self.kid
        )
    }
}
