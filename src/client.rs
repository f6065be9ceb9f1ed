//! The long-lived relying-party client: provider metadata, client credentials,
//! ID-token rules, the key cache and an HTTP client. It is one concrete type
//! (generic only over the transport); flows carry their own typestate.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::client_auth::{AssertionAudience, AudienceUrls, AuthMethod, ClientAuth};
use crate::discovery::{ProviderMetadata, WellKnown};
use crate::dpop::{Bearer, DpopBound, DpopKey, DpopState, TokenBinding};
use crate::error::{ConfigError, Error, ValidationError};
use crate::http::HttpClient;
use crate::id_token::{AcrCheck, Expectations, IdTokenClaims, IdTokenValidator};
use crate::jar::RequestObjectSigner;
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
    /// The DPoP key and nonces (RFC 9449); set exactly for `Dpop<_>` clients.
    pub(crate) dpop: Option<DpopState>,
    /// Signs request objects (RFC 9101) when the client sends them.
    pub(crate) request_objects: Option<RequestObjectSigner>,
    /// The `alg` allow-list of JARM responses.
    pub(crate) jarm_algs: Vec<JwsAlgorithm>,
}

mod kind {
    pub trait Sealed {}
}

/// Whether a client is confidential (holds a secret or a private key) or public
/// (RFC 6749 §2.1), and how its access tokens are presented. Grants that only
/// confidential clients may use, such as client credentials, exist only on confidential
/// clients; a [`Dpop`] client's tokens are [`DpopBound`].
pub trait ClientKind: kind::Sealed + Send + Sync + 'static {
    /// `true` for [`Confidential`] and `Dpop<Confidential>`.
    const CONFIDENTIAL: bool;
    /// How the access tokens issued to this client are presented: [`Bearer`] or
    /// [`DpopBound`].
    type Binding: TokenBinding;
    /// What the kind becomes once the builder is given a secret or a private key.
    #[doc(hidden)]
    type WithCredential: ClientKind;
}

/// A [`ClientKind`] without DPoP: [`Confidential`] or [`Public`]; what [`Dpop`] wraps.
pub trait BaseKind: ClientKind<Binding = Bearer> {}

/// Marker: a confidential client (built with a secret or a private key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confidential;

/// Marker: a public client (`token_endpoint_auth_method=none`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Public;

/// Marker: a [`Confidential`] or [`Public`] client whose requests carry DPoP proofs
/// (RFC 9449) and whose access tokens are [`DpopBound`]. Built with
/// [`ClientBuilder::dpop`].
pub struct Dpop<K = Confidential>(PhantomData<fn() -> K>);

impl<K> Clone for Dpop<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Dpop<K> {}
impl<K> Default for Dpop<K> {
    fn default() -> Self {
        Self(PhantomData)
    }
}
impl<K> std::fmt::Debug for Dpop<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if std::any::type_name::<K>().ends_with("Public") {
            "Dpop<Public>"
        } else {
            "Dpop<Confidential>"
        })
    }
}

impl kind::Sealed for Confidential {}
impl kind::Sealed for Public {}
impl<K: BaseKind> kind::Sealed for Dpop<K> {}
impl ClientKind for Confidential {
    const CONFIDENTIAL: bool = true;
    type Binding = Bearer;
    type WithCredential = Confidential;
}
impl ClientKind for Public {
    const CONFIDENTIAL: bool = false;
    type Binding = Bearer;
    type WithCredential = Confidential;
}
impl<K: BaseKind> ClientKind for Dpop<K> {
    const CONFIDENTIAL: bool = K::CONFIDENTIAL;
    type Binding = DpopBound;
    type WithCredential = Dpop<Confidential>;
}
impl BaseKind for Confidential {}
impl BaseKind for Public {}

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
            dpop: None,
            request_object_alg: None,
            jarm_algs: None,
            assertion_audience: None,
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

    /// POSTs a grant to the token endpoint with this client's authentication (and DPoP
    /// proof) and parses the response (RFC 6749 §5.1/§5.2).
    pub(crate) async fn token_grant(
        &self,
        form: Form,
    ) -> Result<crate::token::TokenResponse, Error> {
        let endpoint = self.token_endpoint()?;
        let (response, secrets) = self.send_token_post(endpoint, &form).await?;
        let parsed =
            crate::token::TokenResponse::from_response(&response).map_err(|e| secrets.scrub(e))?;
        <K::Binding as TokenBinding>::check(&parsed).map_err(|e| secrets.scrub(e))?;
        Ok(parsed)
    }

    /// A form POST to `endpoint` (the token or pushed authorization request endpoint) with
    /// this client's authentication and, for a DPoP client, a proof carrying the nonce last
    /// received from that origin (RFC 9449 §5, §8). The sans-IO form of
    /// [`send_token_post`](Self::send_token_post).
    pub(crate) fn token_post(
        &self,
        endpoint: &EndpointUrl,
        form: Form,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = self.authenticated_post(endpoint, form)?;
        if let Some(dpop) = &self.core.dpop {
            dpop.attach(&mut request, None, self.core.validator.clock().now())?;
        }
        Ok(request)
    }

    /// Sends [`token_post`](Self::token_post), retrying once with a freshly built request
    /// (new client assertion, new proof) when a DPoP client is asked for a nonce
    /// (RFC 9449 §8). Returns the response and the secrets of the request sent last.
    pub(crate) async fn send_token_post(
        &self,
        endpoint: &EndpointUrl,
        form: &Form,
    ) -> Result<
        (
            http::Response<bytes::Bytes>,
            crate::response::RequestSecrets,
        ),
        Error,
    > {
        let endpoint_name = if Some(endpoint) == self.core.metadata.token_endpoint.as_ref() {
            "token"
        } else {
            "pushed authorization request"
        };
        crate::dpop::execute(
            &self.http,
            self.core.dpop.as_ref(),
            endpoint_name,
            None,
            || self.core.validator.clock().now(),
            || self.authenticated_post(endpoint, form.clone()),
        )
        .await
    }

    /// Remembers the `DPoP-Nonce` of a token endpoint response that arrived through the
    /// sans-IO API (RFC 9449 §8.2).
    pub(crate) fn observe_token_endpoint_nonce(&self, response: &http::Response<bytes::Bytes>) {
        self.observe_dpop_nonce(self.core.metadata.token_endpoint.as_ref(), response);
    }

    /// Remembers the `DPoP-Nonce` of a response from `endpoint` that arrived through the
    /// sans-IO API (RFC 9449 §8.2, §9); a malformed one is ignored.
    pub(crate) fn observe_dpop_nonce(
        &self,
        endpoint: Option<&EndpointUrl>,
        response: &http::Response<bytes::Bytes>,
    ) {
        if let (Some(dpop), Some(endpoint)) = (&self.core.dpop, endpoint)
            && let Ok(uri) = endpoint.as_str().parse::<http::Uri>()
        {
            let _ = dpop.observe(&uri, response);
        }
    }

    /// The client's DPoP key, for a DPoP client.
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.core.dpop.as_ref().map(|d| &d.key)
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
    dpop: Option<DpopKey>,
    request_object_alg: Option<JwsAlgorithm>,
    jarm_algs: Option<Vec<JwsAlgorithm>>,
    assertion_audience: Option<AssertionAudience>,
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
            .field("dpop", &self.dpop)
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
            dpop: self.dpop,
            request_object_alg: self.request_object_alg,
            jarm_algs: self.jarm_algs,
            assertion_audience: self.assertion_audience,
            _kind: PhantomData,
        }
    }

    /// The client secret: the client becomes [`Confidential`]. Without an explicit
    /// [`auth_method`](Self::auth_method), it authenticates with `client_secret_basic`
    /// (RFC 6749 §2.3.1).
    pub fn client_secret(mut self, secret: ClientSecret) -> ClientBuilder<K::WithCredential>
    where
        K: ClientKind,
    {
        self.secret = Some(secret);
        self.into_kind()
    }
    /// A private key for `private_key_jwt` (RFC 7523): the client becomes
    /// [`Confidential`] and uses that method by default.
    pub fn private_key(mut self, key: SigningKey) -> ClientBuilder<K::WithCredential>
    where
        K: ClientKind,
    {
        self.key = Some(key);
        self.into_kind()
    }
    /// Proves possession of `key` on every token, pushed-authorization and resource request
    /// (DPoP, RFC 9449): the client becomes a `Dpop<K>` client, whose access tokens are
    /// [`DpopBound`] and are only ever sent with a proof. Authorization requests carry
    /// `dpop_jkt` (RFC 9449 §10). See [`crate::dpop`].
    pub fn dpop(mut self, key: DpopKey) -> ClientBuilder<Dpop<K>>
    where
        K: BaseKind,
    {
        self.dpop = Some(key);
        self.into_kind()
    }
    /// Sends every authorization request as a request object (JAR, RFC 9101) signed with
    /// `alg`: by value (`request=`) from [`AuthorizationRequest::start`](crate::AuthorizationRequest::start),
    /// in the pushed request body from
    /// [`start_pushed`](crate::AuthorizationRequest::start_pushed). Asymmetric algorithms sign
    /// with the [`private_key`](Self::private_key), HS256/384/512 with the client secret.
    /// See [`crate::jar`].
    pub fn request_object_signing_alg(mut self, alg: JwsAlgorithm) -> Self {
        self.request_object_alg = Some(alg);
        self
    }
    /// The `alg` allow-list of JWT-secured authorization responses (JARM). Default: the
    /// provider's `authorization_signing_alg_values_supported`, else RS256; HS* only with a
    /// client secret; `none` never.
    pub fn authorization_response_signing_algs(mut self, algs: Vec<JwsAlgorithm>) -> Self {
        self.jarm_algs = Some(algs);
        self
    }
    /// What the `aud` of JWT client assertions names (default: the token endpoint, as
    /// OpenID Connect Core §9 recommends; FAPI 2.0 requires the issuer).
    pub fn assertion_audience(mut self, audience: AssertionAudience) -> Self {
        self.assertion_audience = Some(audience);
        self
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
        if let Some(audience) = self.assertion_audience {
            auth = auth.with_assertion_audience(audience);
        }
        let dpop = match (self.dpop, <K::Binding as TokenBinding>::DPOP) {
            (Some(key), true) => {
                let listed = &metadata.dpop_signing_alg_values_supported;
                if !listed.is_empty() && !listed.iter().any(|a| a == key.alg().as_str()) {
                    return Err(
                        crate::dpop::DpopError::UnsupportedAlgorithm(key.alg().as_str()).into(),
                    );
                }
                Some(DpopState::new(key))
            }
            (None, true) => return Err(ConfigError::MissingCredential("a DPoP key").into()),
            (_, false) => None,
        };
        let request_objects = match self.request_object_alg {
            Some(alg) => Some(RequestObjectSigner::new(
                alg,
                self.key.clone(),
                self.secret.clone(),
                &metadata,
            )?),
            None => None,
        };
        let has_secret = auth.secret.is_some();
        let algs = signing_algs(
            self.algs,
            &metadata.id_token_signing_alg_values_supported,
            has_secret,
        );
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
        // An empty list refuses every JARM response (DisallowedAlg) but builds: a client that
        // never asks for one must not fail because of it.
        let jarm_algs = signing_algs(
            self.jarm_algs,
            &metadata.authorization_signing_alg_values_supported,
            has_secret,
        );
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
                dpop,
                request_objects,
                jarm_algs,
            }),
            _kind: PhantomData,
        })
    }
}

/// An `alg` allow-list: the one configured, else the provider's advertised values, else
/// RS256; HS* only when the client has a secret to verify them with.
fn signing_algs(
    configured: Option<Vec<JwsAlgorithm>>,
    advertised: &[String],
    has_secret: bool,
) -> Vec<JwsAlgorithm> {
    let algs = configured.unwrap_or_else(|| {
        let discovered: Vec<JwsAlgorithm> = advertised
            .iter()
            .filter_map(|a| JwsAlgorithm::parse(a).ok())
            .collect();
        if discovered.is_empty() {
            vec![JwsAlgorithm::RS256]
        } else {
            discovered
        }
    });
    algs.into_iter()
        .filter(|a| has_secret || !a.is_symmetric())
        .collect()
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
