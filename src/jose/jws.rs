//! JWS compact serialization (RFC 7515 §3.1, §5, §7.1): parsing, HMAC and compact signing.

use std::fmt;

use aws_lc_rs::hmac;
use serde_json::{Map, Value};

use super::json::{json_error, parse_value};
use super::{JoseError, JwsAlgorithm, SigningKey, b64, clip};

/// Header parameter names registered by RFC 7515 §4.1 and RFC 7518 §4.1; RFC 7515 §4.1.11
/// lets a recipient reject a `crit` list that names one of them.
const REGISTERED_HEADER_NAMES: [&str; 20] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// A parsed JWS Protected Header (RFC 7515 §4).
///
/// Only the members a relying party acts on are extracted; the complete JSON object is
/// available from [`Jws::header_json`]. The `has_*` flags record whether a header tried to
/// point at its own key (RFC 7515 §4.1.2–§4.1.6); such keys must never be trusted
/// (RFC 8725 §3.10), so they are not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwsHeader {
    /// `alg` exactly as sent (RFC 7515 §4.1.1); see [`JwsAlgorithm::parse`].
    pub alg: String,
    /// `kid`, the key ID (RFC 7515 §4.1.4).
    pub kid: Option<String>,
    /// `typ`, the media type of the whole JWS (RFC 7515 §4.1.9), e.g. `JWT`.
    pub typ: Option<String>,
    /// `cty`, the media type of the payload (RFC 7515 §4.1.10).
    pub cty: Option<String>,
    /// `crit`, the extensions the recipient must understand (RFC 7515 §4.1.11).
    pub crit: Option<Vec<String>>,
    /// `b64` (RFC 7797 §3); only `true` or absent is accepted by [`Jws::parse`].
    pub b64: Option<bool>,
    /// Whether a `jku` member is present (RFC 7515 §4.1.2).
    pub has_jku: bool,
    /// Whether an `x5u` member is present (RFC 7515 §4.1.5).
    pub has_x5u: bool,
    /// Whether a `jwk` member is present (RFC 7515 §4.1.3).
    pub has_jwk: bool,
    /// Whether an `x5c` member is present (RFC 7515 §4.1.6).
    pub has_x5c: bool,
}

fn header_error(detail: impl Into<String>) -> JoseError {
    JoseError::Malformed {
        what: "JWS header",
        detail: detail.into(),
    }
}

fn header_str(obj: &Map<String, Value>, name: &'static str) -> Result<Option<String>, JoseError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(header_error(format!("{name} must be a string"))),
    }
}

impl JwsHeader {
    /// Extracts the header members from the decoded JSON object (RFC 7515 §4.1).
    fn from_object(obj: &Map<String, Value>) -> Result<Self, JoseError> {
        let alg = header_str(obj, "alg")?
            .ok_or_else(|| header_error("alg is missing (RFC 7515 §4.1.1)"))?;
        let crit = match obj.get("crit") {
            None => None,
            Some(Value::Array(items)) => Some(Self::crit(obj, items)?),
            Some(_) => return Err(header_error("crit must be an array (RFC 7515 §4.1.11)")),
        };
        let b64 = match obj.get("b64") {
            None => None,
            Some(Value::Bool(true)) => Some(true),
            Some(Value::Bool(false)) => {
                return Err(header_error(
                    "unencoded payloads (RFC 7797 b64=false) are not supported",
                ));
            }
            Some(_) => return Err(header_error("b64 must be a boolean (RFC 7797 §3)")),
        };
        Ok(JwsHeader {
            alg,
            kid: header_str(obj, "kid")?,
            typ: header_str(obj, "typ")?,
            cty: header_str(obj, "cty")?,
            crit,
            b64,
            has_jku: obj.contains_key("jku"),
            has_x5u: obj.contains_key("x5u"),
            has_jwk: obj.contains_key("jwk"),
            has_x5c: obj.contains_key("x5c"),
        })
    }

    /// Checks `crit` (RFC 7515 §4.1.11): a non-empty list of distinct names, each present in
    /// the header and none of them registered by RFC 7515 or RFC 7518.
    fn crit(obj: &Map<String, Value>, items: &[Value]) -> Result<Vec<String>, JoseError> {
        if items.is_empty() {
            return Err(header_error("crit must not be empty (RFC 7515 §4.1.11)"));
        }
        let mut names: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let name = item
                .as_str()
                .ok_or_else(|| header_error("crit must hold strings (RFC 7515 §4.1.11)"))?;
            if names.iter().any(|n| n == name) {
                return Err(header_error(format!("crit lists {} twice", clip(name))));
            }
            if REGISTERED_HEADER_NAMES.contains(&name) {
                return Err(header_error(format!(
                    "crit lists the registered parameter {name} (RFC 7515 §4.1.11)"
                )));
            }
            if !obj.contains_key(name) {
                return Err(header_error(format!(
                    "crit lists {} which is absent (RFC 7515 §4.1.11)",
                    clip(name)
                )));
            }
            names.push(name.to_owned());
        }
        Ok(names)
    }
}

/// A JWS in compact serialization (RFC 7515 §3.1, §7.1), split and decoded but **not**
/// verified.
///
/// `Debug` shows the header and the sizes of payload and signature, never their contents.
#[derive(Clone)]
pub struct Jws<'a> {
    signing_input: &'a str,
    header: JwsHeader,
    header_json: Map<String, Value>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Jws<'a> {
    /// Longest token accepted, in bytes; longer ones are refused before any decoding.
    pub const MAX_LEN: usize = 256 * 1024;

    /// Splits and decodes a compact JWS (RFC 7515 §5.2 steps 1–7): exactly three parts
    /// separated by `.`, each strict base64url (RFC 7515 §2), the header a JSON object without
    /// duplicate member names (RFC 7515 §5.2 step 4) whose `alg` is a string.
    ///
    /// The algorithm is *not* checked here; use [`JwsAlgorithm::parse`] on
    /// [`JwsHeader::alg`] against an allow-list (RFC 8725 §3.1).
    ///
    /// # Errors
    ///
    /// [`JoseError::TooLarge`] beyond [`Jws::MAX_LEN`], [`JoseError::Malformed`] for a wrong
    /// number of parts or a header that breaks RFC 7515 §4, [`JoseError::Base64`],
    /// [`JoseError::Json`] or [`JoseError::DuplicateMember`] for the header JSON.
    pub fn parse(token: &'a str) -> Result<Self, JoseError> {
        if token.len() > Self::MAX_LEN {
            return Err(JoseError::TooLarge {
                limit: Self::MAX_LEN,
            });
        }
        let parts_error = || JoseError::Malformed {
            what: "JWS",
            detail: "compact serialization needs exactly three parts (RFC 7515 §7.1)".into(),
        };
        let (header_b64, rest) = token.split_once('.').ok_or_else(parts_error)?;
        let (payload_b64, signature_b64) = rest.split_once('.').ok_or_else(parts_error)?;
        if signature_b64.contains('.') {
            return Err(parts_error());
        }
        let signing_input = token
            .get(..header_b64.len() + 1 + payload_b64.len())
            .ok_or_else(parts_error)?;

        let header_bytes = b64::decode(header_b64)?;
        let header_json = match parse_value("JWS header", &header_bytes)? {
            Value::Object(map) => map,
            _ => return Err(header_error("not a JSON object (RFC 7515 §4)")),
        };
        let header = JwsHeader::from_object(&header_json)?;
        Ok(Jws {
            signing_input,
            header,
            header_json,
            payload: b64::decode(payload_b64)?,
            signature: b64::decode(signature_b64)?,
        })
    }

    /// The parsed header (RFC 7515 §4).
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The complete header JSON object, for members [`JwsHeader`] does not extract.
    pub fn header_json(&self) -> &Map<String, Value> {
        &self.header_json
    }

    /// The header's `alg` as a supported algorithm (RFC 7515 §4.1.1).
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedAlgorithm`] for `none` or any unsupported value.
    pub fn algorithm(&self) -> Result<JwsAlgorithm, JoseError> {
        JwsAlgorithm::parse(&self.header.alg)
    }

    /// The JWS Signing Input `BASE64URL(header) || '.' || BASE64URL(payload)`
    /// (RFC 7515 §5.1 step 5), a slice of the original token.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The decoded payload (RFC 7515 §2, "JWS Payload").
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decoded signature (RFC 7515 §2, "JWS Signature").
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

impl fmt::Debug for Jws<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jws")
            .field("header", &self.header)
            .field("payload_len", &self.payload.len())
            .field("signature_len", &self.signature.len())
            .finish()
    }
}

/// The HMAC algorithm for an `HS*` alg (RFC 7518 §3.2).
fn hmac_algorithm(alg: JwsAlgorithm) -> Result<hmac::Algorithm, JoseError> {
    match alg {
        JwsAlgorithm::HS256 => Ok(hmac::HMAC_SHA256),
        JwsAlgorithm::HS384 => Ok(hmac::HMAC_SHA384),
        JwsAlgorithm::HS512 => Ok(hmac::HMAC_SHA512),
        _ => Err(JoseError::KeyAlgorithmMismatch),
    }
}

fn hmac_key(alg: JwsAlgorithm, secret: &[u8]) -> Result<hmac::Key, JoseError> {
    let algorithm = hmac_algorithm(alg)?;
    if secret.is_empty() {
        return Err(JoseError::InvalidKey("empty HMAC secret".into()));
    }
    Ok(hmac::Key::new(algorithm, secret))
}

/// Verifies an HMAC JWS signature (RFC 7518 §3.2) in constant time, with the client secret's
/// octets as the key (OpenID Connect Core 1.0 §10.1).
///
/// # Errors
///
/// [`JoseError::KeyAlgorithmMismatch`] when `alg` is not HS256/HS384/HS512,
/// [`JoseError::InvalidKey`] for an empty secret, [`JoseError::InvalidSignature`] when the MAC
/// does not match.
pub fn verify_hmac(
    alg: JwsAlgorithm,
    secret: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), JoseError> {
    let key = hmac_key(alg, secret)?;
    hmac::verify(&key, message, signature).map_err(|_| JoseError::InvalidSignature)
}

/// The HS256, HS384 and HS512 keys of one secret, derived once so that verifying a token does
/// not derive the HMAC key again (RFC 7518 §3.2, OpenID Connect Core 1.0 §10.1).
///
/// Verifies exactly as [`verify_hmac`] does with the same secret.
#[derive(Clone)]
pub(crate) struct HmacKeys {
    hs256: hmac::Key,
    hs384: hmac::Key,
    hs512: hmac::Key,
}

impl HmacKeys {
    /// The keys for `secret`; `None` for an empty secret, which [`verify_hmac`] refuses.
    pub(crate) fn new(secret: &[u8]) -> Option<Self> {
        if secret.is_empty() {
            return None;
        }
        Some(HmacKeys {
            hs256: hmac::Key::new(hmac::HMAC_SHA256, secret),
            hs384: hmac::Key::new(hmac::HMAC_SHA384, secret),
            hs512: hmac::Key::new(hmac::HMAC_SHA512, secret),
        })
    }

    /// [`verify_hmac`] with the key derived for `alg`.
    pub(crate) fn verify(
        &self,
        alg: JwsAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), JoseError> {
        let key = match alg {
            JwsAlgorithm::HS256 => &self.hs256,
            JwsAlgorithm::HS384 => &self.hs384,
            JwsAlgorithm::HS512 => &self.hs512,
            _ => return Err(JoseError::KeyAlgorithmMismatch),
        };
        hmac::verify(key, message, signature).map_err(|_| JoseError::InvalidSignature)
    }
}

impl fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKeys([redacted])")
    }
}

/// Encodes the header (with `alg` and optional `kid` set) and payload as a signing input.
fn signing_input(
    alg: JwsAlgorithm,
    kid: Option<&str>,
    mut header: Map<String, Value>,
    payload: &[u8],
) -> Result<String, JoseError> {
    header.insert("alg".into(), Value::String(alg.as_str().into()));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::String(kid.into()));
    }
    let header_json = serde_json::to_vec(&header).map_err(|e| json_error("JWS header", &e))?;
    let mut out = b64::encode(&header_json);
    out.push('.');
    out.push_str(&b64::encode(payload));
    Ok(out)
}

fn append_signature(mut signing_input: String, signature: &[u8]) -> String {
    signing_input.push('.');
    signing_input.push_str(&b64::encode(signature));
    signing_input
}

/// Builds a compact JWS (RFC 7515 §5.1, §7.1) signed with `key`: `header` gets `alg` and,
/// when the key has one, `kid` set; the result is `header.payload.signature`.
///
/// # Errors
///
/// [`JoseError::KeyAlgorithmMismatch`] when `key` cannot sign with `alg`, or
/// [`JoseError::Crypto`] when signing fails.
pub fn sign_compact(
    key: &SigningKey,
    alg: JwsAlgorithm,
    header: Map<String, Value>,
    payload: &[u8],
) -> Result<String, JoseError> {
    if !key.supports(alg) {
        return Err(JoseError::KeyAlgorithmMismatch);
    }
    let input = signing_input(alg, key.kid(), header, payload)?;
    let signature = key.sign(alg, input.as_bytes())?;
    Ok(append_signature(input, &signature))
}

/// Builds a compact JWS (RFC 7515 §5.1, §7.1) with an HMAC (RFC 7518 §3.2) keyed with
/// `secret`, e.g. for `client_secret_jwt` (OpenID Connect Core 1.0 §9); `header` gets `alg`
/// set.
///
/// # Errors
///
/// [`JoseError::KeyAlgorithmMismatch`] when `alg` is not HS256/HS384/HS512,
/// [`JoseError::InvalidKey`] for an empty secret.
pub fn sign_compact_hmac(
    secret: &[u8],
    alg: JwsAlgorithm,
    header: Map<String, Value>,
    payload: &[u8],
) -> Result<String, JoseError> {
    let key = hmac_key(alg, secret)?;
    let input = signing_input(alg, None, header, payload)?;
    let tag = hmac::sign(&key, input.as_bytes());
    Ok(append_signature(input, tag.as_ref()))
}
