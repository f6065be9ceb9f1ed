//! JWT-Secured Authorization Requests (JAR, RFC 9101).
//!
//! A client built with
//! [`ClientBuilder::request_object_signing_alg`](crate::ClientBuilder::request_object_signing_alg)
//! sends every authorization request as a signed request object: the parameters become the
//! claims of a JWS with `iss` = the `client_id`, `aud` = the provider's issuer, `iat`, `nbf`,
//! `exp` (five minutes later) and a random `jti` (RFC 9101 §4, §10.2), typed
//! `oauth-authz-req+jwt` (§10.8). `max_age` becomes a JSON number and `claims` a JSON object,
//! as OpenID Connect Core §6.1 has them.
//!
//! * [`AuthorizationRequest::start`](crate::AuthorizationRequest::start) passes it by value:
//!   the URL holds `client_id`, `request`, and — so that it is still a valid OAuth 2.0 /
//!   OpenID Connect request (OpenID Connect Core §6.1) — `response_type` and `scope` with the
//!   same values as inside.
//! * [`start_pushed`](crate::AuthorizationRequest::start_pushed) puts it in the pushed
//!   request body (RFC 9126 §3) next to the client authentication; the URL is the usual
//!   `client_id` + `request_uri`.
//!
//! A provider whose metadata says `require_signed_request_object` (RFC 9101 §10.5) refuses
//! unsigned requests, so such a client without a signing algorithm fails at `start` with
//! [`ConfigError::MissingCredential`] instead of sending one.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::client::ClientCore;
use crate::discovery::ProviderMetadata;
use crate::error::{ConfigError, Error};
use crate::jose::{JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use crate::time::unix_secs;
use crate::types::{ClientSecret, random_token};

/// How long a request object is valid (its `exp` - `nbf`).
pub const REQUEST_OBJECT_LIFETIME: Duration = Duration::from_secs(300);

/// The explicit type of request objects (RFC 9101 §10.8).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// Signs request objects with the client's private key or secret.
#[derive(Clone)]
pub(crate) struct RequestObjectSigner {
    alg: JwsAlgorithm,
    key: Option<SigningKey>,
    secret: Option<ClientSecret>,
}

impl std::fmt::Debug for RequestObjectSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestObjectSigner")
            .field("alg", &self.alg)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl RequestObjectSigner {
    /// A signer for `alg`: asymmetric algorithms need `key` (able to sign with `alg`),
    /// HS* need `secret`. Refuses an `alg` the provider's
    /// `request_object_signing_alg_values_supported` leaves out (when it lists any).
    pub(crate) fn new(
        alg: JwsAlgorithm,
        key: Option<SigningKey>,
        secret: Option<ClientSecret>,
        metadata: &ProviderMetadata,
    ) -> Result<Self, ConfigError> {
        let listed = &metadata.request_object_signing_alg_values_supported;
        if !listed.is_empty() && !listed.iter().any(|a| a == alg.as_str()) {
            return Err(ConfigError::UnsupportedByProvider(
                "request_object_signing_alg_values_supported with this algorithm",
            ));
        }
        if alg.is_symmetric() {
            if secret.is_none() {
                return Err(ConfigError::MissingCredential(
                    "a client secret to sign HS* request objects",
                ));
            }
        } else {
            match &key {
                None => {
                    return Err(ConfigError::MissingCredential(
                        "a private key to sign request objects",
                    ));
                }
                Some(k) if !k.supports(alg) => {
                    return Err(ConfigError::InvalidValue {
                        what: "request_object_signing_alg",
                        detail: format!("the private key cannot sign {alg}"),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(Self {
            alg,
            key: if alg.is_symmetric() { None } else { key },
            secret: if alg.is_symmetric() { secret } else { None },
        })
    }

    /// The request object for `params` (RFC 9101 §4).
    pub(crate) fn sign(
        &self,
        client_id: &str,
        issuer: &str,
        params: &[(&str, Cow<'_, str>)],
        now: SystemTime,
    ) -> Result<String, Error> {
        let now_s = unix_secs(now);
        let mut claims = Map::new();
        for (name, value) in params {
            claims.insert((*name).to_owned(), claim_value(name, value));
        }
        claims.insert("iss".into(), Value::String(client_id.to_owned()));
        claims.insert("aud".into(), Value::String(issuer.to_owned()));
        claims.insert("iat".into(), now_s.into());
        claims.insert("nbf".into(), now_s.into());
        let lifetime = i64::try_from(REQUEST_OBJECT_LIFETIME.as_secs()).unwrap_or(300);
        claims.insert("exp".into(), now_s.saturating_add(lifetime).into());
        claims.insert("jti".into(), Value::String(random_token(24)));
        let payload = serde_json::to_vec(&claims).map_err(|_| ConfigError::InvalidValue {
            what: "request object",
            detail: "could not be encoded".into(),
        })?;
        let mut header = Map::new();
        header.insert("typ".into(), Value::String(REQUEST_OBJECT_TYP.into()));
        let jws = match (&self.key, &self.secret) {
            (Some(key), _) => sign_compact(key, self.alg, header, &payload)?,
            (None, Some(secret)) => {
                sign_compact_hmac(secret.secret().as_bytes(), self.alg, header, &payload)?
            }
            (None, None) => return Err(ConfigError::MissingCredential("a signing key").into()),
        };
        Ok(jws)
    }
}

/// A parameter as a request object claim: `max_age` as a number, `claims` as an object
/// (OpenID Connect Core §5.5, §6.1), everything else as the string it is in a URL.
fn claim_value(name: &str, value: &str) -> Value {
    match name {
        "max_age" => value
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_owned())),
        "claims" => serde_json::from_str::<Value>(value)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::String(value.to_owned())),
        _ => Value::String(value.to_owned()),
    }
}

/// One authorization request parameter.
pub(crate) type Param<'p> = (&'p str, Cow<'p, str>);

/// The parameters that stand in for `params` when the client sends request objects: for the
/// authorization URL (`pushed == false`) `client_id`, `response_type`, `scope` and `request`;
/// for a pushed request `client_id` and `request`. Without request objects, `params` as
/// they are — unless the provider requires signed ones (RFC 9101 §10.5).
pub(crate) fn wrap_params<'p>(
    core: &ClientCore,
    params: &'p [Param<'p>],
    pushed: bool,
) -> Result<Cow<'p, [Param<'p>]>, Error> {
    let Some(signer) = &core.request_objects else {
        if core.metadata.require_signed_request_object {
            return Err(ConfigError::MissingCredential(
                "a request object signing algorithm: the provider requires signed request \
                 objects (RFC 9101 §10.5), see ClientBuilder::request_object_signing_alg",
            )
            .into());
        }
        return Ok(Cow::Borrowed(params));
    };
    let jwt = signer.sign(
        core.auth.client_id.as_str(),
        core.metadata.issuer.as_str(),
        params,
        core.validator.clock().now(),
    )?;
    let outer: &[&str] = if pushed {
        &["client_id"]
    } else {
        &["client_id", "response_type", "scope"]
    };
    let mut out: Vec<Param<'p>> = params
        .iter()
        .filter(|(name, _)| outer.contains(name))
        .cloned()
        .collect();
    out.push(("request", Cow::Owned(jwt)));
    Ok(Cow::Owned(out))
}
