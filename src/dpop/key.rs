//! The DPoP key and its proofs (RFC 9449 §4): a private key the client holds for the
//! lifetime of its tokens, and the `dpop+jwt` proofs it signs for each request.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aws_lc_rs::digest;
use serde_json::{Map, Value};

use super::DpopError;
use crate::jose::{JoseError, JwsAlgorithm, SigningKey, b64};
use crate::time::unix_secs;
use crate::types::random_token;

/// A DPoP private key (RFC 9449 §4): the client proves possession of it on every token
/// and resource request, and the provider binds the tokens it issues to its public half
/// (the RFC 7638 thumbprint, `jkt`).
///
/// ES256 (P-256) is the default and what every DPoP server supports; ES384, RS256, PS256
/// and EdDSA (Ed25519) are accepted too. Symmetric algorithms are refused (RFC 9449 §4.2).
/// The key is generated in memory ([`DpopKey::generate`]) or loaded from PEM / a private
/// JWK; keep it as long as its tokens: a refresh token issued to a public client is bound to
/// it.
///
/// The proof header (`typ`, `alg`, `jwk`) is encoded once, when the key is made, so a proof
/// costs one signature. Cloning shares the key. `Debug` shows the algorithm and the
/// thumbprint only.
#[derive(Clone)]
pub struct DpopKey {
    inner: Arc<Inner>,
}

struct Inner {
    key: SigningKey,
    alg: JwsAlgorithm,
    /// The public JWK with the RFC 7638 required members only.
    jwk: Map<String, Value>,
    /// RFC 7638 SHA-256 thumbprint, base64url.
    thumbprint: String,
    /// base64url of the protected header `{"typ":"dpop+jwt","alg":…,"jwk":…}`, then `.`.
    header_prefix: String,
}

/// The JWK members RFC 7638 §3.2 hashes for each key type, in lexicographic order.
fn required_members(kty: &str) -> &'static [&'static str] {
    match kty {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        _ => &["crv", "kty", "x"],
    }
}

impl DpopKey {
    /// A fresh ES256 (P-256) key, the usual DPoP choice.
    ///
    /// # Errors
    ///
    /// [`JoseError::Crypto`] if the crypto provider cannot generate a key (not expected).
    pub fn generate() -> Result<Self, JoseError> {
        Self::generate_for(JwsAlgorithm::ES256)
    }

    /// A fresh key for `alg`: P-256 for ES256, P-384 for ES384, RSA 2048 for RS256 / PS256,
    /// Ed25519 for EdDSA.
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedAlgorithm`] for an HMAC or RS384/RS512/PS384/PS512 algorithm;
    /// [`JoseError::Crypto`] when generation fails.
    pub fn generate_for(alg: JwsAlgorithm) -> Result<Self, JoseError> {
        let key = match alg {
            JwsAlgorithm::ES256 => SigningKey::generate_ec_p256()?,
            JwsAlgorithm::ES384 => SigningKey::generate_ec_p384()?,
            JwsAlgorithm::RS256 | JwsAlgorithm::PS256 => SigningKey::generate_rsa(2048)?,
            JwsAlgorithm::EdDSA => SigningKey::generate_ed25519()?,
            other => return Err(JoseError::UnsupportedAlgorithm(other.as_str().into())),
        };
        Self::new(key, alg)
    }

    /// A DPoP key from a private [`SigningKey`] and the algorithm its proofs use.
    ///
    /// # Errors
    ///
    /// [`JoseError::UnsupportedAlgorithm`] for an HMAC algorithm (RFC 9449 §4.2 requires an
    /// asymmetric one), [`JoseError::KeyAlgorithmMismatch`] when the key cannot sign with
    /// `alg`.
    pub fn new(key: SigningKey, alg: JwsAlgorithm) -> Result<Self, JoseError> {
        if alg.is_symmetric() {
            return Err(JoseError::UnsupportedAlgorithm(alg.as_str().into()));
        }
        if !key.supports(alg) {
            return Err(JoseError::KeyAlgorithmMismatch);
        }
        let full = key.public_jwk();
        let kty = full.get("kty").and_then(Value::as_str).unwrap_or_default();
        let mut jwk = Map::new();
        for name in required_members(kty) {
            if let Some(value) = full.get(*name) {
                jwk.insert((*name).to_owned(), value.clone());
            }
        }
        // serde_json's Map is ordered by key, so this is the RFC 7638 §3 canonical form:
        // required members only, lexicographic order, no whitespace.
        let canonical = serde_json::to_vec(&jwk).map_err(|_| JoseError::Crypto("JWK encoding"))?;
        let thumbprint = b64::encode(digest::digest(&digest::SHA256, &canonical).as_ref());
        let mut header = Map::new();
        header.insert("typ".into(), Value::String("dpop+jwt".into()));
        header.insert("alg".into(), Value::String(alg.as_str().into()));
        header.insert("jwk".into(), Value::Object(jwk.clone()));
        let header_json =
            serde_json::to_vec(&header).map_err(|_| JoseError::Crypto("JWS header encoding"))?;
        let mut header_prefix = b64::encode(&header_json);
        header_prefix.push('.');
        Ok(Self {
            inner: Arc::new(Inner {
                key,
                alg,
                jwk,
                thumbprint,
                header_prefix,
            }),
        })
    }

    /// Loads an unencrypted PEM private key (see [`SigningKey::from_pem`]); `alg` defaults
    /// to the key's natural algorithm (ES256 for P-256, PS256 for RSA, EdDSA for Ed25519).
    ///
    /// # Errors
    ///
    /// Those of [`SigningKey::from_pem`] and [`DpopKey::new`].
    pub fn from_pem(pem: &str, alg: Option<JwsAlgorithm>) -> Result<Self, JoseError> {
        let key = SigningKey::from_pem(pem)?;
        let alg = alg.unwrap_or_else(|| natural_alg(&key));
        Self::new(key, alg)
    }

    /// Loads a private JWK (see [`SigningKey::from_jwk`]); the algorithm is the JWK's `alg`
    /// when it names one the key supports, else the key's natural one (as in
    /// [`DpopKey::from_pem`]).
    ///
    /// # Errors
    ///
    /// Those of [`SigningKey::from_jwk`] and [`DpopKey::new`].
    pub fn from_jwk(json: &str) -> Result<Self, JoseError> {
        let key = SigningKey::from_jwk(json)?;
        let named = serde_json::from_str::<Value>(json)
            .ok()
            .and_then(|v| v.get("alg").and_then(Value::as_str).map(str::to_owned))
            .and_then(|a| JwsAlgorithm::parse(&a).ok())
            .filter(|a| key.supports(*a));
        let alg = named.unwrap_or_else(|| natural_alg(&key));
        Self::new(key, alg)
    }

    /// The proofs' algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.inner.alg
    }

    /// The RFC 7638 SHA-256 JWK thumbprint of the public key, base64url: the `jkt` the
    /// provider binds tokens to, and the value of the `dpop_jkt` authorization request
    /// parameter (RFC 9449 §10).
    pub fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// The public key as the JWK carried in every proof's header (the RFC 7638 required
    /// members only; never a private member).
    pub fn public_jwk(&self) -> &Map<String, Value> {
        &self.inner.jwk
    }

    /// A DPoP proof (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, `alg` and
    /// `jwk`; claims `jti` (24 random bytes), `htm` = `method`, `htu` = `url` without query
    /// and fragment ([`htu`]), `iat` = `now`, `nonce` when given, and `ath` (the base64url
    /// SHA-256 of the access token, RFC 9449 §4.2) when `access_token` is given.
    ///
    /// # Errors
    ///
    /// [`DpopError::InvalidUrl`] when `url` is not an absolute http(s) URL,
    /// [`DpopError::InvalidNonce`] when `nonce` breaks RFC 9449 §8.1, and a
    /// [`JoseError`] when signing fails.
    pub fn proof(
        &self,
        method: &http::Method,
        url: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
        now: SystemTime,
    ) -> Result<String, crate::Error> {
        let htu = htu(url)?;
        if let Some(n) = nonce
            && !valid_nonce(n)
        {
            return Err(DpopError::InvalidNonce.into());
        }
        Ok(self.sign_claims(method.as_str(), &htu, nonce, access_token, now)?)
    }

    /// Signs the claims of a proof whose `htu` is already normalized.
    pub(crate) fn sign_claims(
        &self,
        htm: &str,
        htu: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
        now: SystemTime,
    ) -> Result<String, JoseError> {
        #[derive(serde::Serialize)]
        struct Claims<'a> {
            jti: &'a str,
            htm: &'a str,
            htu: &'a str,
            iat: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            nonce: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            ath: Option<&'a str>,
        }
        let jti = random_token(24);
        let ath = access_token.map(access_token_hash);
        let claims = Claims {
            jti: &jti,
            htm,
            htu,
            iat: unix_secs(now),
            nonce,
            ath: ath.as_deref(),
        };
        let payload = serde_json::to_vec(&claims).map_err(|_| JoseError::Crypto("DPoP claims"))?;
        let inner = &self.inner;
        let mut out = String::with_capacity(inner.header_prefix.len() + payload.len() * 2 + 400);
        out.push_str(&inner.header_prefix);
        out.push_str(&b64::encode(&payload));
        let signature = inner.key.sign(inner.alg, out.as_bytes())?;
        out.push('.');
        out.push_str(&b64::encode(&signature));
        Ok(out)
    }
}

/// ES256 / ES384 for EC keys, PS256 for RSA (FAPI 2.0 permits no RS256), EdDSA for Ed25519.
fn natural_alg(key: &SigningKey) -> JwsAlgorithm {
    match key.default_alg() {
        JwsAlgorithm::RS256 => JwsAlgorithm::PS256,
        other => other,
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.inner.alg)
            .field("jkt", &self.inner.thumbprint)
            .finish_non_exhaustive()
    }
}

/// `ath` (RFC 9449 §4.2): base64url of the SHA-256 of the access token's ASCII octets.
pub fn access_token_hash(access_token: &str) -> String {
    b64::encode(digest::digest(&digest::SHA256, access_token.as_bytes()).as_ref())
}

/// The `htu` of a request to `url` (RFC 9449 §4.2): its target URI without query and
/// fragment, in the normalized form of the WHATWG URL parser (lower-case scheme and host,
/// default port and dot segments removed, an empty path as `/`), which is the syntax- and
/// scheme-based normalization of RFC 3986 §6.2.2–§6.2.3 a server compares under. User
/// information, never part of a target URI (RFC 9110 §7.1), is dropped too.
///
/// # Errors
///
/// [`DpopError::InvalidUrl`] when `url` is not an absolute `http` or `https` URL.
pub fn htu(url: &str) -> Result<String, DpopError> {
    let mut parsed = url::Url::parse(url).map_err(|e| DpopError::InvalidUrl(e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host().is_none() {
        return Err(DpopError::InvalidUrl(
            "an absolute http(s) URL with a host is required".into(),
        ));
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    // Both always succeed on an http(s) URL with a host.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    Ok(parsed.into())
}

/// RFC 9449 §8.1: `nonce = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E`; at most
/// [`super::MAX_NONCE_LEN`] bytes here.
pub(crate) fn valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce.len() <= super::MAX_NONCE_LEN
        && nonce
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 §3.1: the example RSA key and its thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let mut members = Map::new();
        members.insert("e".into(), "AQAB".into());
        members.insert("kty".into(), "RSA".into());
        members.insert("n".into(), n.into());
        let canonical = serde_json::to_vec(&members).unwrap();
        assert_eq!(
            b64::encode(digest::digest(&digest::SHA256, &canonical).as_ref()),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn header_jwk_has_only_public_required_members() {
        for alg in [
            JwsAlgorithm::ES256,
            JwsAlgorithm::ES384,
            JwsAlgorithm::PS256,
            JwsAlgorithm::EdDSA,
        ] {
            let key = DpopKey::generate_for(alg).unwrap();
            let names: Vec<&str> = key.public_jwk().keys().map(String::as_str).collect();
            let kty = key.public_jwk()["kty"].as_str().unwrap();
            assert_eq!(names, required_members(kty), "{alg}");
        }
        assert!(DpopKey::generate_for(JwsAlgorithm::HS256).is_err());
    }

    #[test]
    fn nonce_syntax() {
        assert!(valid_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert!(valid_nonce("!#[]~"));
        for bad in ["", " ", "a b", "a\"b", "a\\b", "é", "a\u{7f}"] {
            assert!(!valid_nonce(bad), "{bad:?}");
        }
        assert!(!valid_nonce(&"a".repeat(super::super::MAX_NONCE_LEN + 1)));
    }

    #[test]
    fn htu_drops_query_fragment_and_userinfo() {
        assert_eq!(
            htu("HTTPS://User:pw@Server.Example.COM:443/a/./b/../token?x=1#f").unwrap(),
            "https://server.example.com/a/token"
        );
        assert_eq!(
            htu("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert!(htu("/relative").is_err());
        assert!(htu("urn:x:y").is_err());
        assert!(htu("ftp://h/x").is_err());
    }
}
