//! ID-token validation (OpenID Connect Core 1.0 §3.1.3.7, with §3.2.2.11 and
//! §3.3.2.12 for `at_hash` / `c_hash`, and §12.2 for refreshed ID tokens).
//!
//! [`IdTokenValidator::validate`] is a pure function of the token, a key set and
//! what the request expects; fetching keys is the flow layer's job.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::error::{ConfigError, Error, ValidationError};
use crate::jose::{self, JwkSet, Jws, JwsAlgorithm};
use crate::time::{Clock, SystemClock, unix_secs};
use crate::types::{AccessToken, AuthorizationCode, ClientSecret, Nonce, ct_eq};

/// The claims of a validated ID token (OpenID Connect Core §2).
///
/// `Debug` prints every claim except `nonce`, which is shown as `[redacted]`: it is
/// the request's [`Nonce`] secret.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// `iss`: the issuer.
    pub iss: String,
    /// `sub`: the end-user's subject identifier at the issuer.
    pub sub: String,
    /// `aud`: the audiences (a single string on the wire becomes one element).
    pub aud: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `iat`, seconds since the epoch.
    pub iat: i64,
    /// `nbf`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// `auth_time`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// `nonce`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// `acr`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// `amr`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    /// `azp`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// `at_hash`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// `c_hash`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_hash: Option<String>,
    /// `sid` (session id, OpenID Connect Front/Back-Channel Logout), if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Every other claim (e.g. `name`, `email`), as sent.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl std::fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenClaims")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("nbf", &self.nbf)
            .field("auth_time", &self.auth_time)
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("acr", &self.acr)
            .field("amr", &self.amr)
            .field("azp", &self.azp)
            .field("at_hash", &self.at_hash)
            .field("c_hash", &self.c_hash)
            .field("sid", &self.sid)
            .field("additional", &self.additional)
            .finish()
    }
}

impl IdTokenClaims {
    /// Another claim by name (e.g. `"email"`).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.additional.get(name)
    }

    /// Reads the claims from a JSON object, with one precise error per malformed claim.
    pub fn from_object(obj: Map<String, Value>) -> Result<Self, ValidationError> {
        Self::from_split(SplitClaims::from_object(obj))
    }

    /// [`IdTokenClaims::from_object`] on an object already split into registered claims and
    /// the rest.
    fn from_split(split: SplitClaims) -> Result<Self, ValidationError> {
        let SplitClaims {
            named: mut obj,
            additional,
        } = split;
        fn string(
            obj: &mut NamedClaims,
            name: &'static str,
        ) -> Result<Option<String>, ValidationError> {
            match obj.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(ValidationError::MissingClaim(name)),
            }
        }
        fn date(obj: &mut NamedClaims, name: &'static str) -> Result<Option<i64>, ValidationError> {
            numeric_date(obj.remove(name).as_ref(), name)
        }
        let required = |v: Option<String>, name| {
            v.filter(|s| !s.is_empty())
                .ok_or(ValidationError::MissingClaim(name))
        };
        let iss = required(string(&mut obj, "iss")?, "iss")?;
        let sub = required(string(&mut obj, "sub")?, "sub")?;
        let aud = match obj.remove("aud") {
            Some(Value::String(s)) if !s.is_empty() => vec![s],
            Some(Value::Array(items)) if !items.is_empty() => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) if !s.is_empty() => Ok(s),
                    _ => Err(ValidationError::MissingClaim("aud")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(ValidationError::MissingClaim("aud")),
        };
        let exp = date(&mut obj, "exp")?.ok_or(ValidationError::MissingClaim("exp"))?;
        let iat = date(&mut obj, "iat")?.ok_or(ValidationError::MissingClaim("iat"))?;
        let nbf = date(&mut obj, "nbf")?;
        let auth_time = date(&mut obj, "auth_time")?;
        let amr = match obj.remove("amr") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s),
                        _ => Err(ValidationError::MissingClaim("amr")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Some(_) => return Err(ValidationError::MissingClaim("amr")),
        };
        Ok(Self {
            iss,
            sub,
            aud,
            exp,
            iat,
            nbf,
            auth_time,
            nonce: string(&mut obj, "nonce")?,
            acr: string(&mut obj, "acr")?,
            amr,
            azp: string(&mut obj, "azp")?,
            at_hash: string(&mut obj, "at_hash")?,
            c_hash: string(&mut obj, "c_hash")?,
            sid: string(&mut obj, "sid")?,
            additional,
        })
    }
}

/// A NumericDate claim (RFC 7519 §2): absent or `null` is `None`; anything but a
/// non-negative JSON integer — fractional, negative, out-of-range or string dates — is
/// [`ValidationError::MissingClaim`].
pub(crate) fn numeric_date(
    value: Option<&Value>,
    name: &'static str,
) -> Result<Option<i64>, ValidationError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or(ValidationError::MissingClaim(name)),
        Some(_) => Err(ValidationError::MissingClaim(name)),
    }
}

/// Takes the string claim `name` out of a claims object: absent or `null` is `None`,
/// any other non-string value is [`ValidationError::MissingClaim`].
pub(crate) fn string_claim(
    obj: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, ValidationError> {
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ValidationError::MissingClaim(name)),
    }
}

/// The registered claims [`IdTokenClaims`] has fields for, as taken out of the claims object.
#[derive(Default)]
struct NamedClaims([Option<Value>; 14]);

impl NamedClaims {
    fn index(name: &str) -> Option<usize> {
        Some(match name {
            "iss" => 0,
            "sub" => 1,
            "aud" => 2,
            "exp" => 3,
            "iat" => 4,
            "nbf" => 5,
            "auth_time" => 6,
            "nonce" => 7,
            "acr" => 8,
            "amr" => 9,
            "azp" => 10,
            "at_hash" => 11,
            "c_hash" => 12,
            "sid" => 13,
            _ => return None,
        })
    }

    /// The slot of a registered claim; `None` for any other name.
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        Self::index(name).and_then(|i| self.0.get_mut(i))
    }

    /// Takes a registered claim's value (as `Map::remove` would).
    fn remove(&mut self, name: &str) -> Option<Value> {
        self.slot(name).and_then(Option::take)
    }
}

/// A claims object split into the registered claims and every other member.
struct SplitClaims {
    named: NamedClaims,
    additional: Map<String, Value>,
}

impl SplitClaims {
    /// Splits an object that is already parsed.
    fn from_object(obj: Map<String, Value>) -> Self {
        let mut named = NamedClaims::default();
        let additional = obj
            .into_iter()
            .filter_map(|(name, value)| match named.slot(&name) {
                Some(slot) => {
                    *slot = Some(value);
                    None
                }
                None => Some((name, value)),
            })
            .collect();
        SplitClaims { named, additional }
    }

    /// Parses a JWT claims set: the same result, and the same errors, as
    /// [`jose::object_no_duplicates`] followed by [`SplitClaims::from_object`], but in one pass
    /// that never puts the registered claims into a map.
    fn parse(bytes: &[u8]) -> Result<Self, jose::JoseError> {
        let duplicate = RefCell::new(None);
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed = (&mut de)
            .deserialize_map(SplitVisitor(&duplicate))
            .and_then(|split| de.end().map(|()| split));
        match (parsed, duplicate.into_inner()) {
            (Ok(split), None) => Ok(split),
            // A rejected document goes through the generic parser, whose error is the reference.
            _ => jose::object_no_duplicates(bytes).map(Self::from_object),
        }
    }
}

/// Builds a [`SplitClaims`], recording a repeated member name (at any depth) in the cell.
struct SplitVisitor<'c>(&'c RefCell<Option<String>>);

impl<'de> Visitor<'de> for SplitVisitor<'_> {
    type Value = SplitClaims;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SplitClaims, A::Error> {
        let mut split = SplitClaims {
            named: NamedClaims::default(),
            additional: Map::new(),
        };
        while let Some(jose::JsonStr(name)) = map.next_key()? {
            let value = map.next_value_seed(jose::StrictValue(self.0))?;
            let repeated = match split.named.slot(&name) {
                Some(slot) if slot.is_some() => true,
                Some(slot) => {
                    *slot = Some(value);
                    false
                }
                None => match split.additional.entry(name.as_ref()) {
                    Entry::Vacant(slot) => {
                        slot.insert(value);
                        false
                    }
                    Entry::Occupied(_) => true,
                },
            };
            if repeated {
                self.0.borrow_mut().get_or_insert_with(|| jose::clip(&name));
            }
        }
        Ok(split)
    }
}

/// A hook deciding whether an `acr` value is acceptable (OpenID Connect Core §3.1.3.7 item 12).
pub type AcrCheck = Arc<dyn Fn(Option<&str>) -> bool + Send + Sync>;

/// What one particular ID token must match, beyond the client-wide rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expectations<'a> {
    /// The nonce sent in the authorization request; the token must carry it.
    pub nonce: Option<&'a Nonce>,
    /// The access token issued with the ID token, checked against `at_hash`.
    pub access_token: Option<&'a AccessToken>,
    /// Whether `at_hash` must be present (implicit `id_token token`, hybrid front channel).
    pub require_at_hash: bool,
    /// The authorization code issued with the ID token, checked against `c_hash`.
    pub code: Option<&'a AuthorizationCode>,
    /// Whether `c_hash` must be present (hybrid `code id_token` front channel).
    pub require_c_hash: bool,
    /// The `max_age` sent in the request: `auth_time` becomes required and bounded.
    pub max_age: Option<u64>,
    /// For a refreshed or second ID token: the original claims; `iss`, `sub`, `aud` (as a
    /// set) and `azp` must match, and an `auth_time` in the new token must be the original
    /// one (OpenID Connect Core §12.2; §3.3.3.6 for the hybrid flow's second token).
    pub previous: Option<&'a IdTokenClaims>,
    /// Whether the token came straight from the token endpoint, in answer to a grant whose
    /// authorization response carried no ID token (the code flow, a refresh). Only such a
    /// token may be unsecured (`alg: none`), and only when the validator allows it
    /// ([`IdTokenValidator::with_unsigned_from_token_endpoint`]; OpenID Connect Core §2).
    pub from_token_endpoint: bool,
}

/// Client-wide ID-token rules: issuer, audience, algorithms, time and hooks.
#[derive(Clone)]
pub struct IdTokenValidator {
    issuer: String,
    client_id: String,
    allowed_algs: Vec<JwsAlgorithm>,
    client_secret: Option<ClientSecret>,
    /// The HS* keys of `client_secret`, derived once (`None` without a non-empty secret).
    hmac_keys: Option<Arc<jose::HmacKeys>>,
    trusted_audiences: Vec<String>,
    leeway: Duration,
    clock: Arc<dyn Clock>,
    acr_check: Option<AcrCheck>,
    min_iat: Option<i64>,
    unsigned_from_token_endpoint: bool,
}

impl std::fmt::Debug for IdTokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenValidator")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("allowed_algs", &self.allowed_algs)
            .field("client_secret", &self.client_secret)
            .field("trusted_audiences", &self.trusted_audiences)
            .field("leeway", &self.leeway)
            .field("clock", &self.clock)
            .field("acr_check", &self.acr_check.as_ref().map(|_| "<hook>"))
            .field("min_iat", &self.min_iat)
            .field(
                "unsigned_from_token_endpoint",
                &self.unsigned_from_token_endpoint,
            )
            .finish()
    }
}

impl IdTokenValidator {
    /// Default clock-skew leeway: 60 seconds.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

    /// Rules for tokens from `issuer` to `client_id`, accepting only `allowed_algs`
    /// (`none` can never be allowed: [`JwsAlgorithm`] has no such value).
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        allowed_algs: Vec<JwsAlgorithm>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            allowed_algs,
            client_secret: None,
            hmac_keys: None,
            trusted_audiences: Vec::new(),
            leeway: Self::DEFAULT_LEEWAY,
            clock: Arc::new(SystemClock),
            acr_check: None,
            min_iat: None,
            unsigned_from_token_endpoint: false,
        }
    }

    /// The client secret, the key for HS256/384/512 ID tokens (OpenID Connect Core §10.1).
    pub fn with_client_secret(mut self, secret: Option<ClientSecret>) -> Self {
        self.hmac_keys = secret
            .as_ref()
            .and_then(|s| jose::HmacKeys::new(s.secret().as_bytes()))
            .map(Arc::new);
        self.client_secret = secret;
        self
    }
    /// Audiences besides the client that are trusted to appear in `aud`.
    pub fn with_trusted_audiences(mut self, audiences: Vec<String>) -> Self {
        self.trusted_audiences = audiences;
        self
    }
    /// Clock-skew leeway for `exp`, `iat`, `nbf` and `auth_time` (default 60 s).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
    /// The clock to validate against.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// A hook that accepts or rejects the `acr` claim.
    pub fn with_acr_check(mut self, check: AcrCheck) -> Self {
        self.acr_check = Some(check);
        self
    }
    /// Rejects tokens issued before this time (seconds since the epoch).
    pub fn with_min_iat(mut self, min_iat: Option<i64>) -> Self {
        self.min_iat = min_iat;
        self
    }
    /// **Weakens validation.** Accepts unsecured ID tokens (`alg: none`, RFC 7519 §6, with an
    /// empty signature, RFC 7518 §3.6) when [`Expectations::from_token_endpoint`] says they
    /// came straight from the token endpoint — for a client registered with
    /// `id_token_signed_response_alg=none` (OpenID Connect Dynamic Client Registration §2),
    /// which OpenID Connect Core §2 permits only when the authorization endpoint returns no
    /// ID token. Such a token's integrity rests on the TLS connection to the token endpoint
    /// alone (Core §3.1.3.7 item 6). Every claim rule still applies; an `at_hash` or `c_hash`
    /// cannot be checked without an algorithm and is refused. Off by default; any other
    /// unsecured token is [`ValidationError::DisallowedAlg`].
    pub fn with_unsigned_from_token_endpoint(mut self, allow: bool) -> Self {
        self.unsigned_from_token_endpoint = allow;
        self
    }
    /// The allowed algorithms.
    pub fn allowed_algs(&self) -> &[JwsAlgorithm] {
        &self.allowed_algs
    }
    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
    /// The clock-skew leeway.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }
    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The client id tokens must be for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Validates an ID token against `keys` and `expected`, returning its claims.
    pub fn validate(
        &self,
        token: &str,
        keys: &JwkSet,
        expected: &Expectations<'_>,
    ) -> Result<IdTokenClaims, Error> {
        let jws = Jws::parse(token)?;
        let alg = if jws.header().alg == "none"
            && self.unsigned_from_token_endpoint
            && expected.from_token_endpoint
        {
            // RFC 7518 §3.6: an Unsecured JWS has the empty octet sequence as its signature.
            if !jws.signature().is_empty() {
                return Err(ValidationError::Signature.into());
            }
            check_header_extensions(jws.header())?;
            None
        } else {
            let alg = self.check_header(&jws)?;
            self.verify_signature(&jws, alg, keys)?;
            Some(alg)
        };
        let claims = IdTokenClaims::from_split(SplitClaims::parse(jws.payload())?)?;
        self.check_claims(&claims, alg, expected)?;
        Ok(claims)
    }

    /// Header rules: allowed `alg`, no unknown `crit`, no unencoded payload, JWT `typ`, no nesting.
    pub(crate) fn check_header(&self, jws: &Jws<'_>) -> Result<JwsAlgorithm, ValidationError> {
        self.check_header_with(jws, &self.allowed_algs)
    }

    /// [`check_header`](Self::check_header) with another `alg` allow-list (JARM responses).
    pub(crate) fn check_header_with(
        &self,
        jws: &Jws<'_>,
        allowed_algs: &[JwsAlgorithm],
    ) -> Result<JwsAlgorithm, ValidationError> {
        let header = jws.header();
        // Header strings are unauthenticated input: errors carry them clipped (jose::clip).
        let disallowed = || ValidationError::DisallowedAlg {
            alg: jose::clip(&header.alg),
        };
        let alg = JwsAlgorithm::parse(&header.alg).map_err(|_| disallowed())?;
        if !allowed_algs.contains(&alg) {
            return Err(disallowed());
        }
        check_header_extensions(header)?;
        Ok(alg)
    }

    /// Verifies the signature with the client secret (HS*) or a matching key from `keys`.
    /// Keys named by `jku`, `x5u`, `jwk` or `x5c` headers are never used.
    pub(crate) fn verify_signature(
        &self,
        jws: &Jws<'_>,
        alg: JwsAlgorithm,
        keys: &JwkSet,
    ) -> Result<(), Error> {
        if alg.is_symmetric() {
            if self.client_secret.is_none() {
                return Err(
                    ConfigError::MissingCredential("a client secret to verify HS* tokens").into(),
                );
            }
            // No keys for a present secret means an empty one, which never verifies.
            let keys = self.hmac_keys.as_ref().ok_or(ValidationError::Signature)?;
            return keys
                .verify(alg, jws.signing_input().as_bytes(), jws.signature())
                .map_err(|_| ValidationError::Signature.into());
        }
        let kid = jws.header().kid.as_deref();
        let mut tried = 0usize;
        for jwk in keys.candidates(alg, kid) {
            tried += 1;
            if jwk
                .key
                .verify(alg, jws.signing_input().as_bytes(), jws.signature())
                .is_ok()
            {
                return Ok(());
            }
        }
        if tried == 0 {
            Err(ValidationError::UnknownKey {
                kid: kid.map(jose::clip),
                alg: alg.as_str().to_owned(),
            }
            .into())
        } else {
            Err(ValidationError::Signature.into())
        }
    }

    /// Claim rules of OpenID Connect Core §3.1.3.7 items 2–5 and 9–13, plus hashes.
    pub(crate) fn check_claims(
        &self,
        c: &IdTokenClaims,
        alg: Option<JwsAlgorithm>,
        x: &Expectations<'_>,
    ) -> Result<(), ValidationError> {
        if c.iss != self.issuer {
            return Err(ValidationError::Issuer {
                expected: self.issuer.clone(),
                actual: c.iss.clone(),
            });
        }
        if !c.aud.contains(&self.client_id) {
            return Err(ValidationError::AudienceMissingClient {
                client_id: self.client_id.clone(),
            });
        }
        if let Some(other) = c
            .aud
            .iter()
            .find(|a| **a != self.client_id && !self.trusted_audiences.contains(a))
        {
            return Err(ValidationError::UntrustedAudience(other.clone()));
        }
        match &c.azp {
            Some(azp) if *azp != self.client_id => {
                return Err(ValidationError::AzpMismatch {
                    expected: self.client_id.clone(),
                    actual: azp.clone(),
                });
            }
            None if c.aud.len() > 1 => return Err(ValidationError::AzpMissing),
            _ => {}
        }
        let now = unix_secs(self.clock.now());
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        if now > c.exp.saturating_add(leeway) {
            return Err(ValidationError::Expired {
                exp: c.exp,
                now,
                leeway: self.leeway.as_secs(),
            });
        }
        if c.iat > now.saturating_add(leeway) {
            return Err(ValidationError::IssuedInFuture { iat: c.iat, now });
        }
        if let Some(min) = self.min_iat
            && c.iat < min
        {
            return Err(ValidationError::IssuedTooLongAgo { iat: c.iat, min });
        }
        if let Some(nbf) = c.nbf
            && nbf > now.saturating_add(leeway)
        {
            return Err(ValidationError::NotYetValid { nbf, now });
        }
        if let Some(expected) = x.nonce {
            match &c.nonce {
                None => return Err(ValidationError::NonceMissing),
                Some(n) if !ct_eq(n.as_bytes(), expected.secret().as_bytes()) => {
                    return Err(ValidationError::NonceMismatch);
                }
                Some(_) => {}
            }
        }
        if let Some(prev) = x.previous {
            if c.iss != prev.iss {
                return Err(ValidationError::Issuer {
                    expected: prev.iss.clone(),
                    actual: c.iss.clone(),
                });
            }
            if c.sub != prev.sub {
                return Err(ValidationError::SubjectMismatch {
                    expected: prev.sub.clone(),
                    actual: c.sub.clone(),
                });
            }
            check_same_authentication(c, prev)?;
        }
        check_hash(
            alg,
            c.at_hash.as_deref(),
            x.access_token.map(AccessToken::secret),
            x.require_at_hash,
            (
                ValidationError::AtHashMismatch,
                ValidationError::AtHashMissing,
            ),
        )?;
        check_hash(
            alg,
            c.c_hash.as_deref(),
            x.code.map(AuthorizationCode::secret),
            x.require_c_hash,
            (
                ValidationError::CHashMismatch,
                ValidationError::CHashMissing,
            ),
        )?;
        if let Some(max_age) = x.max_age {
            let auth_time = c.auth_time.ok_or(ValidationError::AuthTimeMissing)?;
            let max = i64::try_from(max_age).unwrap_or(i64::MAX);
            if now > auth_time.saturating_add(max).saturating_add(leeway) {
                return Err(ValidationError::AuthTimeTooOld {
                    auth_time,
                    max_age,
                    now,
                });
            }
        }
        if let Some(check) = &self.acr_check
            && !check(c.acr.as_deref())
        {
            return Err(ValidationError::AcrRejected(c.acr.clone()));
        }
        Ok(())
    }
}

/// The rest of OpenID Connect Core §12.2 for a refreshed (or second) ID token: the same
/// `aud` (as a set), the same `azp` (absent stays absent), and an `auth_time`, when the new
/// token has one, that is still the time of the original authentication.
fn check_same_authentication(
    c: &IdTokenClaims,
    prev: &IdTokenClaims,
) -> Result<(), ValidationError> {
    let set = |aud: &[String]| {
        let mut aud: Vec<String> = aud.to_vec();
        aud.sort_unstable();
        aud.dedup();
        aud
    };
    if set(&c.aud) != set(&prev.aud) {
        return Err(ValidationError::AudienceChanged {
            expected: prev.aud.clone(),
            actual: c.aud.clone(),
        });
    }
    if c.azp != prev.azp {
        return Err(ValidationError::AzpChanged {
            expected: prev.azp.clone(),
            actual: c.azp.clone(),
        });
    }
    if let (Some(actual), Some(expected)) = (c.auth_time, prev.auth_time)
        && actual != expected
    {
        return Err(ValidationError::AuthTimeChanged { expected, actual });
    }
    Ok(())
}

/// The `typ` values of an ID token (and of the other plain JWTs this crate reads).
const JWT_TYPES: &[&str] = &["jwt", "application/jwt"];

/// The header rules besides the algorithm: no unknown `crit` extension, no unencoded
/// payload, a JWT `typ`, no nesting (RFC 7515 §4.1.11, RFC 7797, RFC 8725 §3.11).
fn check_header_extensions(header: &jose::JwsHeader) -> Result<(), ValidationError> {
    check_header_rules(header, JWT_TYPES)
}

/// [`check_header_extensions`] for a JWT explicitly typed by its profile: a `typ`, when
/// present, must be one of `accepted_types` (compared ASCII case-insensitively), e.g.
/// `logout+jwt` for a Back-Channel Logout token (RFC 8725 §3.11).
pub(crate) fn check_header_rules(
    header: &jose::JwsHeader,
    accepted_types: &[&str],
) -> Result<(), ValidationError> {
    // RFC 7515 §4.1.11: every extension in `crit` must be understood; this crate understands none.
    if let Some(first) = header.crit.as_ref().and_then(|c| c.first()) {
        return Err(ValidationError::CriticalHeader(jose::clip(first)));
    }
    if header.b64 == Some(false) {
        return Err(ValidationError::CriticalHeader("b64".into()));
    }
    if let Some(typ) = &header.typ
        && !accepted_types.iter().any(|t| typ.eq_ignore_ascii_case(t))
    {
        return Err(ValidationError::UnexpectedType(jose::clip(typ)));
    }
    if let Some(cty) = &header.cty {
        return Err(ValidationError::UnexpectedType(format!(
            "cty {}",
            jose::clip(cty)
        )));
    }
    Ok(())
}

/// The `at_hash` / `c_hash` rule (OpenID Connect Core §3.2.2.9, §3.3.2.10): when the
/// claim and the value are both present they must match; when `required`, the claim
/// must be present. `errors` is (mismatch, missing). Without an algorithm (an unsecured
/// token) no hash is defined, so a present claim never matches.
fn check_hash(
    alg: Option<JwsAlgorithm>,
    claim: Option<&str>,
    value: Option<&str>,
    required: bool,
    errors: (ValidationError, ValidationError),
) -> Result<(), ValidationError> {
    match (claim, value) {
        (Some(h), Some(v))
            if !alg.is_some_and(|alg| {
                ct_eq(h.as_bytes(), jose::left_half_hash(alg, v).as_bytes())
            }) =>
        {
            Err(errors.0)
        }
        (None, _) if required => Err(errors.1),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass claims parser against the generic path it replaces in `validate`.
    #[test]
    fn split_parse_matches_generic_parse() {
        let reference = |doc: &[u8]| -> Result<IdTokenClaims, String> {
            let obj = jose::from_json_no_duplicates::<Map<String, Value>>(doc)
                .map_err(|e| format!("{:?}", Error::from(e)))?;
            IdTokenClaims::from_object(obj).map_err(|e| format!("{:?}", Error::from(e)))
        };
        let split = |doc: &[u8]| -> Result<IdTokenClaims, String> {
            let parts = SplitClaims::parse(doc).map_err(|e| format!("{:?}", Error::from(e)))?;
            IdTokenClaims::from_split(parts).map_err(|e| format!("{:?}", Error::from(e)))
        };
        let base = r#""iss":"https://i","sub":"s","aud":["c","d"],"exp":20,"iat":10"#;
        let docs = [
            format!("{{{base}}}"),
            format!(
                r#"{{{base},"nonce":"n","acr":"1","amr":["pwd"],"azp":"c","at_hash":"a","c_hash":"h","sid":"x","nbf":5,"auth_time":9,"email":"e@x","x":{{"y":[1,2.5,null]}}}}"#
            ),
            format!(r#"{{{base},"nonce":null,"sid":null,"amr":null}}"#),
            r#"{"\u0069ss":"https://i","s\u0075b":"s","aud":"c","exp":20,"iat":10,"n\u00e4me":"\u00e9"}"#
                .to_owned(),
            format!(r#"{{{base},"iss":"again"}}"#),
            format!(r#"{{{base},"email":"a","email":"b"}}"#),
            format!(r#"{{{base},"x":{{"a":1,"a":2}},"sub":"dup"}}"#),
            format!(r#"{{{base},"nonce":null,"nonce":"n"}}"#),
            format!(r#"{{{base},"nonce":5}}"#),
            format!(r#"{{{base},"exp":-1}}"#),
            format!(r#"{{{base},"amr":"pwd"}}"#),
            r#"{"sub":"s","aud":"c","exp":1,"iat":1}"#.to_owned(),
            r#"{"iss":"","sub":"s","aud":"c","exp":1,"iat":1}"#.to_owned(),
            format!(r#"{{{base}}} trailing"#),
            format!(r#"{{{base}"#),
            r#"[{"iss":"x"}]"#.to_owned(),
            r#""a string""#.to_owned(),
            "{}".to_owned(),
            String::new(),
        ];
        for doc in &docs {
            assert_eq!(split(doc.as_bytes()), reference(doc.as_bytes()), "{doc}");
        }
    }
}
