//! JSON Web Keys and JWK Sets (RFC 7517 §4, §5) holding public verification keys.

use std::cell::RefCell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Value};

use super::json::{StrictValue, json_error};
use super::{JoseError, JwsAlgorithm, PublicKey, b64, clip};

/// One JSON Web Key (RFC 7517 §4) holding a usable public verification key.
///
/// Private members (`d`, `p`, `q`, …) are ignored when present; only the public part is kept.
#[derive(Debug, Clone)]
pub struct Jwk {
    /// `kid`, the key ID (RFC 7517 §4.5).
    pub kid: Option<String>,
    /// `alg`, the algorithm the key is intended for (RFC 7517 §4.4), as sent.
    pub alg: Option<String>,
    /// `use`, the public key use (RFC 7517 §4.2), e.g. `"sig"`.
    pub use_: Option<String>,
    /// `key_ops`, the permitted operations (RFC 7517 §4.3), e.g. `["verify"]`.
    pub key_ops: Option<Vec<String>>,
    /// The key itself, parsed once by the crypto provider.
    pub key: PublicKey,
}

/// An optional string member; present with another type is an error.
pub(crate) fn opt_str<'v>(
    obj: &'v Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'v str>, JoseError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JoseError::InvalidKey(format!(
            "JWK member {name} must be a string"
        ))),
    }
}

/// A required string member.
pub(crate) fn req_str<'v>(
    obj: &'v Map<String, Value>,
    name: &'static str,
) -> Result<&'v str, JoseError> {
    opt_str(obj, name)?
        .ok_or_else(|| JoseError::InvalidKey(format!("JWK member {name} is missing")))
}

/// A required base64url member, decoded (RFC 7518 §6: Base64urlUInt and octet strings).
pub(crate) fn req_b64(obj: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, JoseError> {
    b64::decode(req_str(obj, name)?)
        .map_err(|_| JoseError::InvalidKey(format!("JWK member {name} is not base64url")))
}

impl Jwk {
    /// Reads one JWK (RFC 7517 §4) holding a public key:
    ///
    /// * `kty` `RSA` with `n` and `e` (RFC 7518 §6.3.1), modulus 2048–8192 bits;
    /// * `kty` `EC` with `crv` `P-256` or `P-384`, `x` and `y` (RFC 7518 §6.2.1), which must be
    ///   a point on the curve;
    /// * `kty` `OKP` with `crv` `Ed25519` and `x` (RFC 8037 §2).
    ///
    /// `kid`, `alg` and `use` must be strings when present, and `key_ops` an array of distinct
    /// strings (RFC 7517 §4.3). Private members, if present, are ignored.
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedKeyType`] for another `kty` or `crv`, [`JoseError::InvalidKey`]
    /// for a missing or malformed member or a key the crypto provider rejects.
    pub fn from_json(value: &Value) -> Result<Self, JoseError> {
        let obj = value
            .as_object()
            .ok_or_else(|| JoseError::InvalidKey("JWK is not a JSON object".into()))?;
        let kty = req_str(obj, "kty")?;
        let key = match kty {
            "RSA" => PublicKey::from_rsa_components(&req_b64(obj, "n")?, &req_b64(obj, "e")?)?,
            "EC" => PublicKey::from_ec_coordinates(
                req_str(obj, "crv")?,
                &req_b64(obj, "x")?,
                &req_b64(obj, "y")?,
            )?,
            "OKP" => match req_str(obj, "crv")? {
                "Ed25519" => PublicKey::from_ed25519(&req_b64(obj, "x")?)?,
                other => {
                    return Err(JoseError::UnsupportedKeyType(format!(
                        "OKP {}",
                        clip(other)
                    )));
                }
            },
            other => return Err(JoseError::UnsupportedKeyType(clip(other))),
        };
        let key_ops = match obj.get("key_ops") {
            None => None,
            Some(Value::Array(items)) => {
                let mut ops: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let op = item.as_str().ok_or_else(|| {
                        JoseError::InvalidKey("JWK key_ops must hold strings".into())
                    })?;
                    if ops.iter().any(|o| o == op) {
                        return Err(JoseError::InvalidKey(
                            "JWK key_ops has a duplicate (RFC 7517 §4.3)".into(),
                        ));
                    }
                    ops.push(op.to_owned());
                }
                Some(ops)
            }
            Some(_) => {
                return Err(JoseError::InvalidKey("JWK key_ops must be an array".into()));
            }
        };
        Ok(Jwk {
            kid: opt_str(obj, "kid")?.map(str::to_owned),
            alg: opt_str(obj, "alg")?.map(str::to_owned),
            use_: opt_str(obj, "use")?.map(str::to_owned),
            key_ops,
            key,
        })
    }

    /// Whether this key may verify a JWS with `alg` (RFC 7517 §4.2–§4.4): the key type and
    /// curve fit `alg`, `alg` equals the JWK's `alg` when present, `use` is `sig` when
    /// present and `key_ops` contains `verify` when present.
    pub fn allows(&self, alg: JwsAlgorithm) -> bool {
        self.key.supports(alg)
            && self.alg.as_deref().is_none_or(|a| a == alg.as_str())
            && self.use_.as_deref().is_none_or(|u| u == "sig")
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|op| op == "verify"))
    }
}

/// A JWK Set (RFC 7517 §5): the public keys of a provider's `jwks_uri`.
///
/// Keys of an unknown `kty` or `crv`, and keys that are malformed, too weak or invalid are
/// skipped and counted rather than failing the whole set (RFC 7517 §5: "implementations
/// SHOULD ignore JWKs within a JWK Set that use 'kty' values that are not understood").
#[derive(Clone, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<JoseError>,
}

impl JwkSet {
    /// Longest JWK Set document accepted, in bytes.
    pub const MAX_LEN: usize = 512 * 1024;

    /// Parses a JWK Set document `{"keys":[...]}` (RFC 7517 §5).
    ///
    /// Each key that cannot be used is skipped (see [`JwkSet::skipped`]); a key with a
    /// duplicate member name is skipped too. Other top-level members are ignored.
    ///
    /// # Errors
    ///
    /// [`JoseError::TooLarge`] when `json` is longer than [`JwkSet::MAX_LEN`] (checked first),
    /// [`JoseError::Json`] when it is not JSON or not an object, [`JoseError::Malformed`] when
    /// `keys` is missing, [`JoseError::DuplicateMember`] when `keys` appears twice.
    pub fn parse(json: &[u8]) -> Result<Self, JoseError> {
        if json.len() > Self::MAX_LEN {
            return Err(JoseError::TooLarge {
                limit: Self::MAX_LEN,
            });
        }
        let mut de = serde_json::Deserializer::from_slice(json);
        let doc = (&mut de)
            .deserialize_map(SetVisitor)
            .and_then(|doc| de.end().map(|()| doc))
            .map_err(|e| json_error("JWK Set", &e))?;
        if doc.repeated_keys {
            return Err(JoseError::DuplicateMember("keys".into()));
        }
        let entries = doc.keys.ok_or_else(|| JoseError::Malformed {
            what: "JWK Set",
            detail: "member keys is missing (RFC 7517 §5.1)".into(),
        })?;
        let mut set = JwkSet::default();
        for (value, duplicate) in entries {
            let parsed = match duplicate {
                Some(name) => Err(JoseError::DuplicateMember(name)),
                None => Jwk::from_json(&value),
            };
            match parsed {
                Ok(jwk) => set.keys.push(jwk),
                Err(e) => set.skipped.push(e),
            }
        }
        Ok(set)
    }

    /// A set holding exactly `keys`.
    pub fn from_keys(keys: Vec<Jwk>) -> Self {
        JwkSet {
            keys,
            skipped: Vec::new(),
        }
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// How many keys of the document were skipped as unusable.
    pub fn skipped(&self) -> usize {
        self.skipped.len()
    }

    /// Why each skipped key was skipped, in document order (for logs; no key material).
    pub fn skip_reasons(&self) -> &[JoseError] {
        &self.skipped
    }

    /// `true` when the set holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys that may verify a token with this `alg` and `kid` (RFC 7515 §4.1.4, §6;
    /// RFC 7517 §4): `kid` equal when given (when the header has no `kid`, every key is a
    /// candidate), key type and curve fitting `alg`, and [`Jwk::allows`] for `alg`, `use` and
    /// `key_ops`.
    pub fn candidates<'s>(
        &'s self,
        alg: JwsAlgorithm,
        kid: Option<&'s str>,
    ) -> impl Iterator<Item = &'s Jwk> + 's {
        self.keys
            .iter()
            .filter(move |jwk| kid.is_none_or(|k| jwk.kid.as_deref() == Some(k)) && jwk.allows(alg))
    }

    /// Whether some usable key has this `kid` (used to decide whether to refetch the set).
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|jwk| jwk.kid.as_deref() == Some(kid))
    }
}

impl fmt::Debug for JwkSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwkSet")
            .field("keys", &self.keys)
            .field("skipped", &self.skipped.len())
            .finish()
    }
}

/// Each `keys` entry as a value plus the first duplicate member name found inside it.
type Entries = Vec<(Value, Option<String>)>;

struct SetDoc {
    keys: Option<Entries>,
    repeated_keys: bool,
}

struct SetVisitor;

impl<'de> Visitor<'de> for SetVisitor {
    type Value = SetDoc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWK Set object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SetDoc, A::Error> {
        let mut doc = SetDoc {
            keys: None,
            repeated_keys: false,
        };
        while let Some(name) = map.next_key::<String>()? {
            if name == "keys" {
                let entries = map.next_value_seed(KeysSeed)?;
                doc.repeated_keys |= doc.keys.is_some();
                doc.keys = Some(entries);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(doc)
    }
}

struct KeysSeed;

impl<'de> DeserializeSeed<'de> for KeysSeed {
    type Value = Entries;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Entries, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for KeysSeed {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of JWKs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
        let mut entries = Vec::new();
        loop {
            let duplicate = RefCell::new(None);
            match seq.next_element_seed(StrictValue(&duplicate))? {
                Some(value) => entries.push((value, duplicate.into_inner())),
                None => return Ok(entries),
            }
        }
    }
}
