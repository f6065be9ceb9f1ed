//! Client authentication at the token, introspection, revocation and PAR
//! endpoints: RFC 6749 §2.3.1 (`client_secret_basic`, `client_secret_post`),
//! OpenID Connect Core §9 and RFC 7523 (`client_secret_jwt`, `private_key_jwt`),
//! and `none` for public clients.

use std::time::SystemTime;

use base64::Engine;

use crate::error::{ConfigError, Error};
use crate::jose::{JwsAlgorithm, SigningKey, sign_compact, sign_compact_hmac};
use crate::request::Form;
use crate::types::{ClientId, ClientSecret, random_token};

/// How the client proves its identity to the provider (OpenID Connect Core §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A JWT signed with HMAC keyed by the client secret (RFC 7523 §2.2).
    ClientSecretJwt,
    /// A JWT signed with the client's private key (RFC 7523 §2.2).
    PrivateKeyJwt,
    /// A public client: `client_id` only (RFC 6749 §2.1).
    None,
}

impl AuthMethod {
    /// The registered name, e.g. `client_secret_basic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }
}

/// Where a JWT client assertion's `aud` points (RFC 7523 §3 item 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssertionAudience {
    /// The token endpoint URL, as OpenID Connect Core §9 recommends. The default.
    #[default]
    TokenEndpoint,
    /// The issuer identifier (what RFC 7523bis drafts move to).
    Issuer,
    /// The URL of the endpoint the request is sent to.
    RequestedEndpoint,
}

/// The credentials a client authenticates with, and how.
#[derive(Clone, Debug)]
pub struct ClientAuth {
    pub(crate) client_id: ClientId,
    pub(crate) method: AuthMethod,
    pub(crate) secret: Option<ClientSecret>,
    pub(crate) key: Option<SigningKey>,
    pub(crate) assertion_alg: Option<JwsAlgorithm>,
    pub(crate) audience: AssertionAudience,
}

/// The endpoint URLs a client assertion may need for its `aud`.
pub(crate) struct AudienceUrls<'a> {
    pub issuer: &'a str,
    pub token_endpoint: Option<&'a str>,
    pub requested: &'a str,
}

impl ClientAuth {
    /// A public client: no credentials (`none`).
    pub fn public(client_id: ClientId) -> Self {
        Self {
            client_id,
            method: AuthMethod::None,
            secret: None,
            key: None,
            assertion_alg: None,
            audience: AssertionAudience::default(),
        }
    }

    /// A confidential client with a secret; `method` must be one of the secret-based ones.
    pub fn secret(
        client_id: ClientId,
        secret: ClientSecret,
        method: AuthMethod,
    ) -> Result<Self, ConfigError> {
        match method {
            AuthMethod::ClientSecretBasic
            | AuthMethod::ClientSecretPost
            | AuthMethod::ClientSecretJwt => {}
            _ => {
                return Err(ConfigError::InvalidValue {
                    what: "auth method",
                    detail: format!("{} does not use a client secret", method.as_str()),
                });
            }
        }
        Ok(Self {
            secret: Some(secret),
            method,
            ..Self::public(client_id)
        })
    }

    /// A confidential client authenticating with `private_key_jwt`.
    pub fn private_key(client_id: ClientId, key: SigningKey) -> Self {
        Self {
            key: Some(key),
            method: AuthMethod::PrivateKeyJwt,
            ..Self::public(client_id)
        }
    }

    /// Sets the JWS algorithm of client assertions (default: HS256 for
    /// `client_secret_jwt`, the key's natural algorithm for `private_key_jwt`).
    pub fn with_assertion_alg(mut self, alg: JwsAlgorithm) -> Self {
        self.assertion_alg = Some(alg);
        self
    }

    /// Sets what a client assertion's `aud` names.
    pub fn with_assertion_audience(mut self, audience: AssertionAudience) -> Self {
        self.audience = audience;
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The authentication method.
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// The client secret, if the client has one.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.secret.as_ref()
    }

    /// Whether this is a confidential client (it holds a secret or a private key).
    pub fn is_confidential(&self) -> bool {
        self.method != AuthMethod::None
    }

    /// Adds this client's authentication to a form POST and returns the request.
    pub(crate) fn apply(
        &self,
        mut form: Form,
        urls: AudienceUrls<'_>,
        now: SystemTime,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let mut basic = None;
        match self.method {
            AuthMethod::None => {
                form.set("client_id", self.client_id.as_str());
            }
            AuthMethod::ClientSecretPost => {
                let secret = self.require_secret()?;
                form.set("client_id", self.client_id.as_str());
                form.set("client_secret", secret.secret());
            }
            AuthMethod::ClientSecretBasic => {
                basic = Some(basic_authorization(&self.client_id, self.require_secret()?));
            }
            AuthMethod::ClientSecretJwt | AuthMethod::PrivateKeyJwt => {
                let assertion = self.assertion(&urls, now)?;
                form.set("client_id", self.client_id.as_str());
                form.set(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                );
                form.set("client_assertion", &assertion);
            }
        }
        let mut req = form.into_post(urls.requested);
        if let Some(value) = basic {
            req.headers_mut().insert(http::header::AUTHORIZATION, value);
        }
        Ok(req)
    }

    fn require_secret(&self) -> Result<&ClientSecret, ConfigError> {
        self.secret
            .as_ref()
            .ok_or(ConfigError::MissingCredential("a client secret"))
    }

    /// A signed client assertion (RFC 7523 §3): `iss` = `sub` = client id, `aud`,
    /// a fresh `jti`, `iat`, and `exp` 60 seconds later.
    fn assertion(&self, urls: &AudienceUrls<'_>, now: SystemTime) -> Result<String, Error> {
        let aud = match self.audience {
            AssertionAudience::Issuer => urls.issuer,
            AssertionAudience::RequestedEndpoint => urls.requested,
            AssertionAudience::TokenEndpoint => urls.token_endpoint.unwrap_or(urls.requested),
        };
        let iat = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let claims = serde_json::json!({
            "iss": self.client_id.as_str(),
            "sub": self.client_id.as_str(),
            "aud": aud,
            "jti": random_token(24),
            "iat": iat,
            "exp": iat + 60,
        });
        let payload = claims.to_string();
        let mut header = serde_json::Map::new();
        header.insert("typ".into(), "JWT".into());
        let jwt = match self.method {
            AuthMethod::ClientSecretJwt => {
                let alg = self.assertion_alg.unwrap_or(JwsAlgorithm::HS256);
                if !alg.is_symmetric() {
                    return Err(ConfigError::InvalidValue {
                        what: "assertion alg",
                        detail: format!(
                            "client_secret_jwt needs an HS* algorithm, not {}",
                            alg.as_str()
                        ),
                    }
                    .into());
                }
                sign_compact_hmac(
                    self.require_secret()?.secret().as_bytes(),
                    alg,
                    header,
                    payload.as_bytes(),
                )?
            }
            _ => {
                let key = self
                    .key
                    .as_ref()
                    .ok_or(ConfigError::MissingCredential("a private key"))?;
                let alg = self.assertion_alg.unwrap_or_else(|| key.default_alg());
                sign_compact(key, alg, header, payload.as_bytes())?
            }
        };
        Ok(jwt)
    }
}

/// `Authorization: Basic` with id and secret each form-urlencoded first (RFC 6749 §2.3.1).
pub fn basic_authorization(client_id: &ClientId, secret: &ClientSecret) -> http::HeaderValue {
    let id: String = url::form_urlencoded::byte_serialize(client_id.as_str().as_bytes()).collect();
    let pw: String = url::form_urlencoded::byte_serialize(secret.secret().as_bytes()).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{pw}"));
    let mut value = http::HeaderValue::from_str(&format!("Basic {encoded}"))
        .unwrap_or_else(|_| http::HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}
