//! What the AS verifies of what the client sends: DPoP proofs (RFC 9449 §4.3), client
//! assertions (RFC 7523 §3 with FAPI 2.0's `aud` = issuer) and request objects (RFC 9101).
//! Each check yields a [`Checked`] with the decoded parts and the list of broken rules.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use typed_oidc::jose::{Jwk, JwsAlgorithm, b64};

use super::{CLIENT_ID, HostileAs, Recorded, now};

/// The JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The FAPI 2.0 signing algorithms.
const FAPI_ALGS: [&str; 3] = ["PS256", "ES256", "EdDSA"];

/// A JWT the AS received, decoded, with every rule it breaks.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// The RFC 7638 thumbprint of the header `jwk` (DPoP proofs).
    pub jkt: Option<String>,
    /// The broken rules; empty when the JWT is valid.
    pub problems: Vec<String>,
}

impl Checked {
    /// Decodes `token` and verifies its signature with `jwk` and an `alg` in `algs`.
    fn new(
        token: &str,
        jwk: impl FnOnce(&Map<String, Value>) -> Option<Value>,
        algs: &[&str],
    ) -> Self {
        let mut c = Checked::default();
        let parts: Vec<&str> = token.split('.').collect();
        let decode = |s: &str| -> Option<Map<String, Value>> {
            serde_json::from_slice(&b64::decode(s).ok()?).ok()
        };
        let (Some(header), Some(claims), 3) = (
            parts.first().and_then(|p| decode(p)),
            parts.get(1).and_then(|p| decode(p)),
            parts.len(),
        ) else {
            c.require(false, "not a compact JWS with JSON header and claims");
            return c;
        };
        c.header = header;
        c.claims = claims;
        let alg = c.str_header("alg").unwrap_or_default();
        c.require(
            algs.contains(&alg.as_str()),
            format!("alg {alg} not accepted"),
        );
        let verified = (|| {
            let alg = JwsAlgorithm::parse(&alg).ok()?;
            let key = Jwk::from_json(&jwk(&c.header)?).ok()?.key;
            let signature = b64::decode(parts[2]).ok()?;
            let input = &token[..parts[0].len() + 1 + parts[1].len()];
            key.verify(alg, input.as_bytes(), &signature).ok()
        })();
        c.require(verified.is_some(), "signature does not verify");
        c
    }

    fn require(&mut self, ok: bool, problem: impl Into<String>) {
        if !ok {
            self.problems.push(problem.into());
        }
    }

    fn str_header(&self, name: &str) -> Option<String> {
        self.header.get(name)?.as_str().map(str::to_owned)
    }

    /// A string claim.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name)?.as_str()
    }

    fn time_ok(&self, name: &str, check: impl Fn(i64) -> bool) -> bool {
        self.claims
            .get(name)
            .and_then(Value::as_i64)
            .is_some_and(check)
    }
}

/// base64url(SHA-256(`s`)): `ath` (RFC 9449 §4.2) and the S256 code challenge (RFC 7636).
pub fn sha256_b64(s: &str) -> String {
    b64::encode(&Sha256::digest(s.as_bytes()))
}

/// The RFC 7638 SHA-256 thumbprint of a public JWK: the required members only, in
/// lexicographic order, no whitespace.
pub fn thumbprint(jwk: &Map<String, Value>) -> Option<String> {
    let members: &[&str] = match jwk.get("kty")?.as_str()? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let value = serde_json::to_string(jwk.get(*name)?.as_str()?).ok()?;
        canonical.push_str(&format!(
            "{}\"{name}\":{value}",
            if i > 0 { "," } else { "" }
        ));
    }
    canonical.push('}');
    Some(sha256_b64(&canonical))
}

impl HostileAs {
    /// Whether `jti` was never seen in a JWT of `kind`; remembers it.
    fn first_use(&self, kind: &str, jti: Option<&str>) -> bool {
        jti.is_some_and(|j| {
            !j.is_empty()
                && self
                    .shared
                    .jtis
                    .lock()
                    .unwrap()
                    .insert(format!("{kind}:{j}"))
        })
    }

    /// Verifies the `DPoP` header of `req` (RFC 9449 §4.3): one proof, `typ` `dpop+jwt`, an
    /// advertised asymmetric `alg`, a public `jwk` that verifies the signature, a fresh `jti`,
    /// `htm` and `htu` (issuer + path) of this request, a recent `iat`, and `ath` exactly
    /// when `access_token` is given. `None` when there is no proof.
    pub(super) fn check_proof(
        &self,
        req: &Recorded,
        access_token: Option<&str>,
    ) -> Option<Checked> {
        let headers: Vec<_> = req.headers.get_all("dpop").iter().collect();
        let token = headers.first()?.to_str().unwrap_or_default();
        let algs = self.behaviour().dpop_signing_algs;
        let mut c = Checked::new(token, |h| h.get("jwk").cloned(), &algs);
        c.require(headers.len() == 1, "more than one DPoP header");
        let typ = c.str_header("typ");
        c.require(typ.as_deref() == Some("dpop+jwt"), "typ is not dpop+jwt");
        let jwk = c.header.get("jwk").and_then(Value::as_object);
        let jwk = jwk.cloned().unwrap_or_default();
        let private: Vec<&str> = PRIVATE_MEMBERS
            .into_iter()
            .filter(|m| jwk.contains_key(*m))
            .collect();
        c.require(
            private.is_empty(),
            format!("jwk carries private members {private:?}"),
        );
        c.jkt = thumbprint(&jwk);
        c.require(c.jkt.is_some(), "jwk is not a public key");
        let jti = c.claim("jti").map(str::to_owned);
        let fresh = self.first_use("dpop", jti.as_deref());
        c.require(fresh, "jti missing or replayed");
        c.require(
            c.claim("htm") == Some(req.method.as_str()),
            "htm is not the method",
        );
        let htu = self.url(&req.path);
        c.require(
            c.claim("htu") == Some(htu.as_str()),
            format!("htu is not {htu}"),
        );
        let t = now();
        let recent = c.time_ok("iat", |iat| (iat - t).abs() <= 60);
        c.require(recent, "iat missing or not recent");
        let ath = access_token.map(sha256_b64);
        c.require(
            c.claim("ath") == ath.as_deref(),
            "ath is not the token's hash",
        );
        Some(c)
    }

    /// A JWT the client signed: a FAPI `alg` and the registered key, `iss` the client,
    /// `aud` exactly the issuer (one string), `exp` to come.
    fn client_jwt(&self, token: &str) -> Checked {
        let mut c = Checked::new(token, |_| Some(self.shared.client_jwk.clone()), &FAPI_ALGS);
        c.require(c.claim("iss") == Some(CLIENT_ID), "iss is not the client");
        c.require(
            c.claim("aud") == Some(self.issuer()),
            "aud is not the issuer",
        );
        let t = now();
        c.require(c.time_ok("exp", |exp| exp > t), "exp missing or passed");
        c
    }

    /// Verifies a `private_key_jwt` assertion (RFC 7523 §3, FAPI 2.0 §5.3.2.1): a
    /// [client JWT](Self::client_jwt) with `sub` the client and a fresh `jti`. `None` when the
    /// request carries none.
    pub(super) fn check_assertion(&self, req: &Recorded) -> Option<Checked> {
        const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        let mut c = self.client_jwt(&req.param("client_assertion")?);
        let kind = req.param("client_assertion_type");
        c.require(
            kind.as_deref() == Some(JWT_BEARER),
            "wrong client_assertion_type",
        );
        c.require(c.claim("sub") == Some(CLIENT_ID), "sub is not the client");
        let jti = c.claim("jti").map(str::to_owned);
        let fresh = self.first_use("assertion", jti.as_deref());
        c.require(fresh, "jti missing or replayed");
        Some(c)
    }

    /// Verifies a pushed request object (RFC 9101 §4, §6): a [client JWT](Self::client_jwt)
    /// typed `oauth-authz-req+jwt` with `client_id` the client and `nbf` passed.
    pub(super) fn check_request_object(&self, token: &str) -> Checked {
        let mut c = self.client_jwt(token);
        let typ = c.str_header("typ");
        c.require(
            typ.as_deref() == Some("oauth-authz-req+jwt"),
            "typ is not oauth-authz-req+jwt",
        );
        c.require(
            c.claim("client_id") == Some(CLIENT_ID),
            "client_id is not the client",
        );
        let t = now();
        c.require(
            c.time_ok("nbf", |nbf| nbf <= t + 5),
            "nbf missing or to come",
        );
        c
    }
}
