//! The long-lived relying-party client: provider metadata, client credentials,
//! ID-token rules, the key cache and an HTTP client. It is one concrete type
//! (generic only over the transport); flows carry their own typestate.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::client_auth::{AudienceUrls, AuthMethod, ClientAuth};
use crate::discovery::{ProviderMetadata, WellKnown};
use crate::error::{ConfigError, Error, ValidationError};
use crate::http::HttpClient;
use crate::id_token::{AcrCheck, Expectations, IdTokenClaims, IdTokenValidator};
use crate::jose::{JwsAlgorithm, SigningKey};
use crate::jwks::JwksCache;
use crate::request::Form;
use crate::time::{Clock, SystemClock};
use crate::types::{ClientId, ClientSecret, EndpointUrl, IssuerUrl, RedirectUrl};

/// Everything about the client that flows need, shared behind an `Arc`.
#[derive(Debug)]
pub(crate) struct ClientCore {
    pub(crate) metadata: ProviderMetadata,
    pub(crate) auth: ClientAuth,
    pub(crate) redirect_uri: Option<RedirectUrl>,
    pub(crate) validator: IdTokenValidator,
    pub(crate) jwks: JwksCache,
}

mod kind {
    pub trait Sealed {}
}

/// Whether a client is confidential (holds a secret or a private key) or public
/// (RFC 6749 §2.1). Grants that only confidential clients may use, such as client
/// credentials, exist only on `Client<H, Confidential>`.
pub trait ClientKind: kind::Sealed + Send + Sync + 'static {
    /// `true` for [`Confidential`].
    const CONFIDENTIAL: bool;
}

/// Marker: a confidential client (built with a secret or a private key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confidential;

/// Marker: a public client (`token_endpoint_auth_method=none`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Public;

impl kind::Sealed for Confidential {}
impl kind::Sealed for Public {}
impl ClientKind for Confidential {
    const CONFIDENTIAL: bool = true;
}
impl ClientKind for Public {
    const CONFIDENTIAL: bool = false;
}

/// An OpenID Connect / OAuth 2.0 relying party bound to one provider.
///
/// Build it with [`Client::builder`], then either [`ClientBuilder::discover`] or
/// [`ClientBuilder::build`] with metadata you already have. `H` is the transport;
/// `K` is [`Confidential`] (the default: the builder was given a secret or private
/// key) or [`Public`]. Cloning is cheap.
pub struct Client<H, K = Confidential> {
    pub(crate) http: H,
    pub(crate) core: Arc<ClientCore>,
    _kind: PhantomData<fn() -> K>,
}

impl<H: Clone, K> Clone for Client<H, K> {
    fn clone(&self) -> Self {
        Self {
            http: self.http.clone(),
            core: self.core.clone(),
            _kind: PhantomData,
        }
    }
}

impl<H, K> std::fmt::Debug for Client<H, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

/// A confidential [`Client`] on the default hyper transport.
#[cfg(feature = "hyper-client")]
pub type DefaultClient<K = Confidential> = Client<crate::http::HyperClient, K>;

impl Client<()> {
    /// Starts configuring a client with this `client_id`. It is a [`Public`] client
    /// until it is given a secret ([`ClientBuilder::client_secret`]) or a private key
    /// ([`ClientBuilder::private_key`]).
    pub fn builder(client_id: ClientId) -> ClientBuilder<Public> {
        ClientBuilder {
            client_id,
            secret: None,
            key: None,
            method: None,
            assertion_alg: None,
            redirect_uri: None,
            algs: None,
            leeway: IdTokenValidator::DEFAULT_LEEWAY,
            clock: Arc::new(SystemClock),
            trusted_audiences: Vec::new(),
            acr_check: None,
            min_iat: None,
            jwks_cooldown: JwksCache::DEFAULT_COOLDOWN,
            jwks_max_age: JwksCache::DEFAULT_MAX_AGE,
            well_known: WellKnown::OpenIdConfiguration,
            unsigned_id_tokens: false,
            _kind: PhantomData,
        }
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// The provider metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.core.metadata
    }
    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        &self.core.auth.client_id
    }
    /// The client credentials and authentication method.
    pub fn auth(&self) -> &ClientAuth {
        &self.core.auth
    }
    /// The ID-token rules in force.
    pub fn id_token_validator(&self) -> &IdTokenValidator {
        &self.core.validator
    }
    /// The provider key cache.
    pub fn jwks(&self) -> &JwksCache {
        &self.core.jwks
    }
    /// The transport.
    pub fn http(&self) -> &H {
        &self.http
    }

    /// Validates an ID token, fetching the provider's keys when needed and once more
    /// when the token names a key the cache does not hold (key rotation).
    pub async fn validate_id_token(
        &self,
        token: &str,
        expected: &Expectations<'_>,
    ) -> Result<IdTokenClaims, Error> {
        let validator = &self.core.validator;
        self.with_provider_keys(token, |keys| validator.validate(token, keys, expected))
            .await
    }

    /// A form POST to `endpoint` carrying this client's authentication.
    pub(crate) fn authenticated_post(
        &self,
        endpoint: &EndpointUrl,
        form: Form,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        self.authenticated_post_with(&self.core.auth, endpoint, form)
    }

    /// POSTs a grant to the token endpoint with this client's authentication and
    /// parses the response (RFC 6749 §5.1/§5.2). The request is built before the
    /// future starts, so the (non-`Send`) form encoder never lives across an await
    /// and the future can be spawned on a multi-thread runtime.
    pub(crate) fn token_grant(
        &self,
        form: Form,
    ) -> impl std::future::Future<Output = Result<crate::token::TokenResponse, Error>> + Send + '_
    {
        let request = self
            .token_endpoint()
            .map_err(Error::from)
            .and_then(|endpoint| self.authenticated_post(endpoint, form));
        async move {
            let request = request?;
            let secrets = crate::response::RequestSecrets::of(&request);
            let response = self.http.execute(request).await?;
            crate::token::TokenResponse::from_response(&response).map_err(|e| secrets.scrub(e))
        }
    }

    /// The token endpoint, or an "unsupported by provider" error.
    pub(crate) fn token_endpoint(&self) -> Result<&EndpointUrl, ConfigError> {
        ProviderMetadata::endpoint(&self.core.metadata.token_endpoint, "token_endpoint")
    }
}

/// Configures a [`Client`]; `K` becomes [`Confidential`] once a secret or private key is given.
pub struct ClientBuilder<K = Public> {
    client_id: ClientId,
    secret: Option<ClientSecret>,
    key: Option<SigningKey>,
    method: Option<AuthMethod>,
    assertion_alg: Option<JwsAlgorithm>,
    redirect_uri: Option<RedirectUrl>,
    algs: Option<Vec<JwsAlgorithm>>,
    leeway: Duration,
    clock: Arc<dyn Clock>,
    trusted_audiences: Vec<String>,
    acr_check: Option<AcrCheck>,
    min_iat: Option<i64>,
    jwks_cooldown: Duration,
    jwks_max_age: Duration,
    well_known: WellKnown,
    unsigned_id_tokens: bool,
    _kind: PhantomData<fn() -> K>,
}

impl<K> std::fmt::Debug for ClientBuilder<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("key", &self.key)
            .field("method", &self.method)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl<K> ClientBuilder<K> {
    fn into_kind<K2>(self) -> ClientBuilder<K2> {
        ClientBuilder {
            client_id: self.client_id,
            secret: self.secret,
            key: self.key,
            method: self.method,
            assertion_alg: self.assertion_alg,
            redirect_uri: self.redirect_uri,
            algs: self.algs,
            leeway: self.leeway,
            clock: self.clock,
            trusted_audiences: self.trusted_audiences,
            acr_check: self.acr_check,
            min_iat: self.min_iat,
            jwks_cooldown: self.jwks_cooldown,
            jwks_max_age: self.jwks_max_age,
            well_known: self.well_known,
            unsigned_id_tokens: self.unsigned_id_tokens,
            _kind: PhantomData,
        }
    }

    /// The client secret: the client becomes [`Confidential`]. Without an explicit
    /// [`auth_method`](Self::auth_method), it authenticates with `client_secret_basic`
    /// (RFC 6749 §2.3.1).
    pub fn client_secret(mut self, secret: ClientSecret) -> ClientBuilder<Confidential> {
        self.secret = Some(secret);
        self.into_kind()
    }
    /// A private key for `private_key_jwt` (RFC 7523): the client becomes
    /// [`Confidential`] and uses that method by default.
    pub fn private_key(mut self, key: SigningKey) -> ClientBuilder<Confidential> {
        self.key = Some(key);
        self.into_kind()
    }
    /// The token-endpoint authentication method. A [`Public`] client can only use
    /// `none`; a [`Confidential`] one anything but `none` (checked when building).
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.method = Some(method);
        self
    }
    /// The JWS algorithm of client assertions (`client_secret_jwt`, `private_key_jwt`).
    pub fn assertion_alg(mut self, alg: JwsAlgorithm) -> Self {
        self.assertion_alg = Some(alg);
        self
    }
    /// The default redirect URI of authorization requests.
    pub fn redirect_uri(mut self, uri: RedirectUrl) -> Self {
        self.redirect_uri = Some(uri);
        self
    }
    /// The ID-token `alg` allow-list. Default: the provider's
    /// `id_token_signing_alg_values_supported`, else `RS256`. HS* algorithms are kept
    /// only when the client has a secret; `none` is never accepted.
    pub fn id_token_signing_algs(mut self, algs: Vec<JwsAlgorithm>) -> Self {
        self.algs = Some(algs);
        self
    }
    /// Clock-skew leeway for time claims (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
    /// The clock used for validation and client assertions.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Audiences besides this client that may appear in an ID token's `aud`.
    pub fn trusted_audiences(mut self, audiences: Vec<String>) -> Self {
        self.trusted_audiences = audiences;
        self
    }
    /// A hook that accepts or rejects the `acr` claim.
    pub fn acr_check(mut self, check: AcrCheck) -> Self {
        self.acr_check = Some(check);
        self
    }
    /// Rejects ID tokens issued before this time (seconds since the epoch).
    pub fn min_iat(mut self, min_iat: i64) -> Self {
        self.min_iat = Some(min_iat);
        self
    }
    /// Minimum time between key-set fetches triggered by unknown keys (default 30 s).
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Self {
        self.jwks_cooldown = cooldown;
        self
    }
    /// How long a fetched key set is used before it is fetched again (default 10 min).
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks_max_age = max_age;
        self
    }
    /// **Weakens ID-token validation**, for a client registered with
    /// `id_token_signed_response_alg=none` (OpenID Connect Dynamic Client Registration §2):
    /// accepts unsecured ID tokens (`alg: none`) in the token endpoint's answer to the
    /// authorization-code flow and to refresh, where OpenID Connect Core §2 permits them
    /// and the TLS connection to the token endpoint is what vouches for the token (Core
    /// §3.1.3.7 item 6). Every claim rule (issuer, audience, times, nonce …) still applies.
    /// Front-channel ID tokens (implicit, hybrid), signed UserInfo responses and every other
    /// JWT are refused with `alg: none` as always
    /// ([`ValidationError::DisallowedAlg`]).
    /// Off by default; see [`IdTokenValidator::with_unsigned_from_token_endpoint`].
    pub fn insecure_unsigned_id_tokens_from_token_endpoint(mut self) -> Self {
        self.unsigned_id_tokens = true;
        self
    }
    /// Use the RFC 8414 `oauth-authorization-server` well-known document for discovery.
    pub fn oauth_discovery(mut self) -> Self {
        self.well_known = WellKnown::OAuthAuthorizationServer;
        self
    }

    /// Fetches the provider's metadata from its well-known document, checks the
    /// issuer-equality rule, and builds the client.
    pub async fn discover<H: HttpClient>(
        self,
        issuer: &IssuerUrl,
        http: H,
    ) -> Result<Client<H, K>, Error>
    where
        K: ClientKind,
    {
        let response = http
            .execute(ProviderMetadata::discovery_request(issuer, self.well_known))
            .await?;
        let metadata = ProviderMetadata::from_response(issuer, &response)?;
        self.build(metadata, http)
    }

    /// Builds the client with metadata already at hand.
    pub fn build<H: HttpClient>(
        self,
        metadata: ProviderMetadata,
        http: H,
    ) -> Result<Client<H, K>, Error>
    where
        K: ClientKind,
    {
        let method = self.method.unwrap_or(match (&self.key, &self.secret) {
            (Some(_), _) => AuthMethod::PrivateKeyJwt,
            (None, Some(_)) => AuthMethod::ClientSecretBasic,
            (None, None) => AuthMethod::None,
        });
        if (method == AuthMethod::None) == K::CONFIDENTIAL {
            return Err(ConfigError::InvalidValue {
                what: "auth method",
                detail: if K::CONFIDENTIAL {
                    "a confidential client cannot use token_endpoint_auth_method=none".into()
                } else {
                    "a public client has no secret or key: give one with client_secret() or private_key()".into()
                },
            }
            .into());
        }
        let mut auth = match method {
            AuthMethod::None => ClientAuth::public(self.client_id.clone()),
            AuthMethod::PrivateKeyJwt => {
                let key = self.key.clone().ok_or(ConfigError::MissingCredential(
                    "a private key for private_key_jwt",
                ))?;
                ClientAuth::private_key(self.client_id.clone(), key)
            }
            m => {
                let secret = self
                    .secret
                    .clone()
                    .ok_or(ConfigError::MissingCredential("a client secret"))?;
                ClientAuth::secret(self.client_id.clone(), secret, m)?
            }
        };
        // The secret stays available for HS* ID tokens even with private_key_jwt.
        if auth.secret.is_none() {
            auth.secret = self.secret.clone();
        }
        if let Some(alg) = self.assertion_alg {
            auth = auth.with_assertion_alg(alg);
        }
        let has_secret = auth.secret.is_some();
        let algs: Vec<JwsAlgorithm> = match self.algs {
            Some(a) => a,
            None => {
                let discovered: Vec<JwsAlgorithm> = metadata
                    .id_token_signing_alg_values_supported
                    .iter()
                    .filter_map(|a| JwsAlgorithm::parse(a).ok())
                    .collect();
                if discovered.is_empty() {
                    vec![JwsAlgorithm::RS256]
                } else {
                    discovered
                }
            }
        };
        let algs: Vec<JwsAlgorithm> = algs
            .into_iter()
            .filter(|a| has_secret || !a.is_symmetric())
            .collect();
        if algs.is_empty() {
            return Err(ConfigError::InvalidValue {
                what: "id_token_signing_algs",
                detail: "no usable algorithm (HS* needs a client secret)".into(),
            }
            .into());
        }
        let validator =
            IdTokenValidator::new(metadata.issuer.as_str(), self.client_id.as_str(), algs)
                .with_client_secret(auth.secret.clone())
                .with_trusted_audiences(self.trusted_audiences)
                .with_leeway(self.leeway)
                .with_clock(self.clock)
                .with_min_iat(self.min_iat)
                .with_unsigned_from_token_endpoint(self.unsigned_id_tokens);
        let validator = match self.acr_check {
            Some(check) => validator.with_acr_check(check),
            None => validator,
        };
        let jwks = JwksCache::new(metadata.jwks_uri.clone())
            .with_cooldown(self.jwks_cooldown)
            .with_max_age(self.jwks_max_age);
        Ok(Client {
            http,
            core: Arc::new(ClientCore {
                metadata,
                auth,
                redirect_uri: self.redirect_uri,
                validator,
                jwks,
            }),
            _kind: PhantomData,
        })
    }
}

// ---- shared by the endpoint modules (userinfo, introspection, revocation) --------------

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Runs `verify` on the provider's keys: none for an HMAC-signed JWS (the client
    /// secret is the key), else the cached JWK Set, fetched once more when `verify`
    /// reports a key the cache does not hold (key rotation, OpenID Connect Core §10.1.1).
    pub(crate) async fn with_provider_keys<T>(
        &self,
        token: &str,
        verify: impl Fn(&crate::jose::JwkSet) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let needs_keys = crate::jose::Jws::parse(token)
            .ok()
            .and_then(|j| crate::jose::JwsAlgorithm::parse(&j.header().alg).ok())
            .is_some_and(|alg| !alg.is_symmetric());
        if !needs_keys {
            return verify(&crate::jose::JwkSet::default());
        }
        let before = self.core.jwks.generation();
        let view = self.core.jwks.keys(&self.http).await?;
        match verify(&view.keys) {
            // Keys fetched during this very call are as new as a refetch would get.
            Err(Error::Validation(ValidationError::UnknownKey { .. }))
                if view.generation == before =>
            {
                match self
                    .core
                    .jwks
                    .refresh_unknown_key(&self.http, &view)
                    .await?
                {
                    Some(fresh) => verify(&fresh.keys),
                    None => verify(&view.keys),
                }
            }
            other => other,
        }
    }

    /// A form POST to `endpoint` authenticated with `auth` (RFC 6749 §2.3, OpenID
    /// Connect Core §9), which may differ from the client's own setting for endpoints
    /// that have their own (introspection, revocation).
    pub(crate) fn authenticated_post_with(
        &self,
        auth: &ClientAuth,
        endpoint: &EndpointUrl,
        form: Form,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let md = &self.core.metadata;
        auth.apply(
            form,
            AudienceUrls {
                issuer: md.issuer.as_str(),
                token_endpoint: md.token_endpoint.as_ref().map(EndpointUrl::as_str),
                requested: endpoint.as_str(),
            },
            self.core.validator.clock().now(),
        )
    }
}
