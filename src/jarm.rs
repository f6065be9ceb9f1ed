//! JWT Secured Authorization Response Mode (JARM, OpenID Foundation, final 2022).
//!
//! With [`ResponseMode::Jwt`](crate::flow::ResponseMode::Jwt) (or `QueryJwt`, `FragmentJwt`,
//! `FormPostJwt`) the provider returns the authorization response as one `response`
//! parameter: a JWT signed with its keys whose claims are the response parameters.
//! [`Pending::callback_with`](crate::Pending::callback_with) (and the hybrid and implicit
//! callbacks) verify it *before* reading `state`, `code` or `error` from it (JARM §4.4):
//!
//! 1. a compact JWS (an encrypted, five-part JWE response is refused: this crate decrypts
//!    nothing), whose `alg` is in the client's JARM allow-list — never `none` — and whose
//!    signature verifies with the provider's JWK Set (or the client secret for HS*);
//! 2. `iss` is present and is the provider's issuer;
//! 3. `aud` is present and contains the `client_id`;
//! 4. `exp` is present and not passed (with the client's leeway); a present `nbf` has come.
//!
//! Only then do the claims become the response parameters, which pass the usual callback
//! checks (`state` in constant time, `error` responses, RFC 9207 `iss`). Everything outside
//! the JWT in the redirect is ignored.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::client::{Client, ClientKind};
use crate::error::{CallbackError, Error, ValidationError};
use crate::http::HttpClient;
use crate::id_token::{IdTokenValidator, numeric_date};
use crate::jose::{self, JoseError, JwkSet, Jws, JwsAlgorithm};
use crate::response::sanitize;
use crate::time::unix_secs;

/// Verifies the `response` JWT of a JWT-secured authorization response and returns its claims
/// as response parameters.
pub(crate) async fn response_params<H: HttpClient, K: ClientKind>(
    client: &Client<H, K>,
    mut outer: HashMap<String, String>,
) -> Result<HashMap<String, String>, Error> {
    let token = outer
        .remove("response")
        .filter(|t| !t.is_empty())
        .ok_or(CallbackError::MissingParameter("response"))?;
    verify(client, token.trim()).await
}

/// JARM §4.4 with the provider's keys fetched as needed (and once more for an unknown `kid`).
pub(crate) async fn verify<H: HttpClient, K: ClientKind>(
    client: &Client<H, K>,
    token: &str,
) -> Result<HashMap<String, String>, Error> {
    let core = &client.core;
    client
        .with_provider_keys(token, |keys| {
            core.validator.validate_jarm(token, keys, &core.jarm_algs)
        })
        .await
}

impl IdTokenValidator {
    /// Verifies a JARM `response` JWT (JARM §4.4) against `keys` (the provider's JWK Set;
    /// the client secret for HS*) and returns its claims as authorization response
    /// parameters — the sans-IO core of [`Pending::callback_with`](crate::Pending::callback_with).
    /// The signature must verify with an `alg` in `allowed_algs` (never `none`); `iss` must
    /// be this validator's issuer, `aud` must contain its client id, `exp` must be present and
    /// not passed (with the leeway), a present `nbf` must have come. String claims are kept
    /// as they are, numbers and booleans as their JSON text; `null` claims are dropped.
    ///
    /// # Errors
    ///
    /// [`JoseError::Malformed`] for an encrypted (five-part) response, the JWS errors of
    /// [`Jws::parse`], [`ValidationError::DisallowedAlg`], [`ValidationError::UnknownKey`],
    /// [`ValidationError::Signature`], [`ValidationError::MissingClaim`] (`iss`, `aud`,
    /// `exp`), [`ValidationError::Issuer`], [`ValidationError::AudienceMissingClient`],
    /// [`ValidationError::Expired`], [`ValidationError::NotYetValid`], and
    /// [`JoseError::DuplicateMember`].
    pub fn validate_jarm(
        &self,
        token: &str,
        keys: &JwkSet,
        allowed_algs: &[JwsAlgorithm],
    ) -> Result<HashMap<String, String>, Error> {
        if token.split('.').count() == 5 {
            return Err(JoseError::Malformed {
                what: "JARM response",
                detail: "encrypted (JWE) authorization responses are not supported".into(),
            }
            .into());
        }
        let jws = Jws::parse(token)?;
        let alg = self.check_header_with(&jws, allowed_algs)?;
        self.verify_signature(&jws, alg, keys)?;
        let claims = jose::object_no_duplicates(jws.payload())?;
        self.jarm_claims(claims)
    }

    fn jarm_claims(&self, claims: Map<String, Value>) -> Result<HashMap<String, String>, Error> {
        let issuer = self.issuer();
        match claims.get("iss") {
            Some(Value::String(iss)) if iss == issuer => {}
            Some(Value::String(iss)) => {
                return Err(ValidationError::Issuer {
                    expected: issuer.to_owned(),
                    actual: sanitize(iss, 256).unwrap_or_default(),
                }
                .into());
            }
            _ => return Err(ValidationError::MissingClaim("iss").into()),
        }
        let client_id = self.client_id();
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == client_id,
            Some(Value::Array(items))
                if !items.is_empty() && items.iter().all(Value::is_string) =>
            {
                items.iter().any(|a| a.as_str() == Some(client_id))
            }
            _ => return Err(ValidationError::MissingClaim("aud").into()),
        };
        if !audience_ok {
            return Err(ValidationError::AudienceMissingClient {
                client_id: client_id.to_owned(),
            }
            .into());
        }
        let now = unix_secs(self.clock().now());
        let leeway = i64::try_from(self.leeway().as_secs()).unwrap_or(i64::MAX);
        let date = |name: &'static str| numeric_date(claims.get(name), name);
        let exp = date("exp")?.ok_or(ValidationError::MissingClaim("exp"))?;
        if now > exp.saturating_add(leeway) {
            return Err(ValidationError::Expired {
                exp,
                now,
                leeway: self.leeway().as_secs(),
            }
            .into());
        }
        if let Some(nbf) = date("nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(ValidationError::NotYetValid { nbf, now }.into());
        }
        let mut params = HashMap::with_capacity(claims.len());
        for (name, value) in claims {
            let value = match value {
                Value::String(s) => s,
                Value::Null => continue,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => other.to_string(),
            };
            params.insert(name, value);
        }
        Ok(params)
    }
}
