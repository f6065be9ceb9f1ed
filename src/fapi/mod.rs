//! The FAPI 2.0 Security Profile (OpenID Foundation, final) and its Message Signing
//! variant, as one client mode chosen by type.
//!
//! [`Fapi2<H, SecurityProfile>`](Fapi2) and [`Fapi2<H, MessageSigning>`](Fapi2) wrap a
//! `Client<H, Dpop<Confidential>>` whose every setting FAPI fixes is fixed, and expose only
//! what the profile permits:
//!
//! | FAPI 2.0 requires (§5.3.2, §5.4) | how |
//! |---|---|
//! | pushed authorization requests (RFC 9126) | the only way to start a flow is [`FapiAuthorizationRequest::start`], which pushes |
//! | authorization code + PKCE S256 | no other response type, no `without_pkce`, no `pkce_plain` exist |
//! | `private_key_jwt` with `aud` = the issuer | the builder takes the private key and has no secret / auth-method setters |
//! | sender-constrained tokens: DPoP (RFC 9449) | the builder takes a [`DpopKey`]; tokens are `Tokens<_, DpopBound>` |
//! | RFC 9207 `iss` in the authorization response | required, whatever the metadata says |
//! | PS256, ES256 or EdDSA only | for client assertions, DPoP proofs, request objects; ID tokens and JARM responses in any other `alg` are refused |
//! | no implicit, hybrid or password grant | those methods do not exist |
//! | Message Signing: signed requests (JAR) and responses (JARM) | [`MessageSigning`] signs the pushed request object and verifies a `response_mode=jwt` answer |
//!
//! A plain OAuth 2.0 variant (no OpenID Connect, no ID token) is the same client with
//! [`FapiAuthorizationRequest::without_openid`]. Token responses without `expires_in` are
//! accepted; `token_type` is compared case-insensitively.

mod flow;

pub use flow::{FapiAuthorizationRequest, FapiCodeReceived, FapiPending};

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, ClientBuilder, Confidential, Dpop};
use crate::client_auth::{AssertionAudience, AuthMethod};
use crate::discovery::ProviderMetadata;
use crate::dpop::{DpopBound, DpopKey};
use crate::error::{ConfigError, Error};
use crate::flow::{Access, Offline, Tokens};
use crate::grants::{ClientCredentials, GrantRequest};
use crate::http::HttpClient;
use crate::introspection::IntrospectionRequest;
use crate::jose::{JwsAlgorithm, SigningKey};
use crate::logout::LogoutRequest;
use crate::resource::ResourceRequest;
use crate::revocation::{AccessOrRefreshToken, RevocationRequest};
use crate::time::Clock;
use crate::types::{ClientId, DpopAccessToken, IssuerUrl, RedirectUrl};
use crate::userinfo::UserInfoRequest;

/// The signing algorithms FAPI 2.0 permits (Security Profile §5.4.1): PS256, ES256 and
/// EdDSA with Ed25519.
pub const FAPI_ALGS: [JwsAlgorithm; 3] = [
    JwsAlgorithm::PS256,
    JwsAlgorithm::ES256,
    JwsAlgorithm::EdDSA,
];

/// The client a FAPI mode runs on.
pub type FapiInnerClient<H> = Client<H, Dpop<Confidential>>;

mod sealed {
    pub trait Sealed {}
}

/// A FAPI 2.0 profile: [`SecurityProfile`] or [`MessageSigning`]. Sealed.
pub trait FapiProfile: sealed::Sealed + Send + Sync + 'static {
    /// Whether requests are signed (JAR) and responses JWT-secured (JARM).
    const MESSAGE_SIGNING: bool;
}

/// Marker: the FAPI 2.0 Security Profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecurityProfile;

/// Marker: FAPI 2.0 Message Signing — the Security Profile plus signed request objects
/// (JAR, RFC 9101, sent through PAR) and JWT-secured authorization responses (JARM).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageSigning;

impl sealed::Sealed for SecurityProfile {}
impl sealed::Sealed for MessageSigning {}
impl FapiProfile for SecurityProfile {
    const MESSAGE_SIGNING: bool = false;
}
impl FapiProfile for MessageSigning {
    const MESSAGE_SIGNING: bool = true;
}

/// A FAPI 2.0 relying party bound to one provider; see the [module documentation](self).
/// Cloning is cheap.
pub struct Fapi2<H, P = SecurityProfile> {
    pub(crate) client: FapiInnerClient<H>,
    dpop: DpopKey,
    _profile: PhantomData<fn() -> P>,
}

impl<H: Clone, P> Clone for Fapi2<H, P> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            dpop: self.dpop.clone(),
            _profile: PhantomData,
        }
    }
}

impl<H, P: FapiProfile> std::fmt::Debug for Fapi2<H, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fapi2")
            .field("message_signing", &P::MESSAGE_SIGNING)
            .field("client", &self.client)
            .finish()
    }
}

impl Fapi2<()> {
    /// Starts configuring a FAPI 2.0 client: `private_key` authenticates it
    /// (`private_key_jwt`, RFC 7523, with `aud` = the issuer) and `dpop` sender-constrains
    /// its tokens. Both must use PS256, ES256 or EdDSA. The Security Profile unless
    /// [`Fapi2Builder::message_signing`] is called.
    pub fn builder(
        client_id: ClientId,
        private_key: SigningKey,
        dpop: DpopKey,
    ) -> Fapi2Builder<SecurityProfile> {
        Fapi2Builder {
            client_id,
            private_key,
            dpop,
            redirect_uri: None,
            assertion_alg: None,
            id_token_algs: None,
            leeway: None,
            clock: None,
            jwks_cooldown: None,
            jwks_max_age: None,
            _profile: PhantomData,
        }
    }
}

/// Configures a [`Fapi2`] client. There is no way to give it a secret, another
/// authentication method or a non-FAPI algorithm.
pub struct Fapi2Builder<P = SecurityProfile> {
    client_id: ClientId,
    private_key: SigningKey,
    dpop: DpopKey,
    redirect_uri: Option<RedirectUrl>,
    assertion_alg: Option<JwsAlgorithm>,
    id_token_algs: Option<Vec<JwsAlgorithm>>,
    leeway: Option<Duration>,
    clock: Option<Arc<dyn Clock>>,
    jwks_cooldown: Option<Duration>,
    jwks_max_age: Option<Duration>,
    _profile: PhantomData<fn() -> P>,
}

impl<P> std::fmt::Debug for Fapi2Builder<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fapi2Builder")
            .field("client_id", &self.client_id)
            .field("private_key", &self.private_key)
            .field("dpop", &self.dpop)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl Fapi2Builder<SecurityProfile> {
    /// Selects FAPI 2.0 Message Signing: request objects signed with the private key and
    /// pushed (JAR), authorization responses as signed JWTs (JARM, `response_mode=jwt`).
    pub fn message_signing(self) -> Fapi2Builder<MessageSigning> {
        Fapi2Builder {
            client_id: self.client_id,
            private_key: self.private_key,
            dpop: self.dpop,
            redirect_uri: self.redirect_uri,
            assertion_alg: self.assertion_alg,
            id_token_algs: self.id_token_algs,
            leeway: self.leeway,
            clock: self.clock,
            jwks_cooldown: self.jwks_cooldown,
            jwks_max_age: self.jwks_max_age,
            _profile: PhantomData,
        }
    }
}

/// Refuses an algorithm FAPI 2.0 does not permit.
fn fapi_alg(alg: JwsAlgorithm, what: &'static str) -> Result<JwsAlgorithm, ConfigError> {
    if FAPI_ALGS.contains(&alg) {
        Ok(alg)
    } else {
        Err(ConfigError::InvalidValue {
            what,
            detail: format!("{alg} is not permitted by FAPI 2.0 (PS256, ES256 or EdDSA)"),
        })
    }
}

/// The provider's advertised values that FAPI permits, else PS256.
fn fapi_algs(advertised: &[String]) -> Vec<JwsAlgorithm> {
    let algs: Vec<JwsAlgorithm> = advertised
        .iter()
        .filter_map(|a| JwsAlgorithm::parse(a).ok())
        .filter(|a| FAPI_ALGS.contains(a))
        .collect();
    if algs.is_empty() {
        vec![JwsAlgorithm::PS256]
    } else {
        algs
    }
}

impl<P: FapiProfile> Fapi2Builder<P> {
    /// The redirect URI of authorization requests.
    pub fn redirect_uri(mut self, uri: RedirectUrl) -> Self {
        self.redirect_uri = Some(uri);
        self
    }
    /// The algorithm of client assertions and request objects (default: PS256 for an RSA
    /// key, ES256 for P-256, EdDSA for Ed25519); checked at build to be a FAPI one.
    pub fn assertion_alg(mut self, alg: JwsAlgorithm) -> Self {
        self.assertion_alg = Some(alg);
        self
    }
    /// The ID-token `alg` allow-list (default: the provider's
    /// `id_token_signing_alg_values_supported` that FAPI permits, else PS256); checked at
    /// build to hold FAPI algorithms only.
    pub fn id_token_signing_algs(mut self, algs: Vec<JwsAlgorithm>) -> Self {
        self.id_token_algs = Some(algs);
        self
    }
    /// Clock-skew leeway for time claims (default 60 s, which covers FAPI 2.0's 10 s in
    /// the future).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }
    /// The clock used for validation, assertions and proofs.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// Minimum time between key-set fetches triggered by unknown keys (default 30 s).
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Self {
        self.jwks_cooldown = Some(cooldown);
        self
    }
    /// How long a fetched key set is used (default 10 min).
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks_max_age = Some(max_age);
        self
    }

    /// Fetches the provider's metadata (issuer-equality checked) and builds the client; see
    /// [`build`](Self::build).
    pub async fn discover<H: HttpClient>(
        self,
        issuer: &IssuerUrl,
        http: H,
    ) -> Result<Fapi2<H, P>, Error> {
        let response = http
            .execute(ProviderMetadata::discovery_request(
                issuer,
                Default::default(),
            ))
            .await?;
        let metadata = ProviderMetadata::from_response(issuer, &response)?;
        self.build(metadata, http)
    }

    /// Builds the client. Fails with [`ConfigError::UnsupportedByProvider`] when the
    /// provider has no authorization, token or PAR endpoint, or lists token-endpoint
    /// authentication methods without `private_key_jwt`; with [`ConfigError::InvalidValue`]
    /// for a non-FAPI algorithm; and as [`ClientBuilder::build`] otherwise.
    pub fn build<H: HttpClient>(
        self,
        metadata: ProviderMetadata,
        http: H,
    ) -> Result<Fapi2<H, P>, Error> {
        for (endpoint, name) in [
            (&metadata.authorization_endpoint, "authorization_endpoint"),
            (&metadata.token_endpoint, "token_endpoint"),
            (
                &metadata.pushed_authorization_request_endpoint,
                "pushed_authorization_request_endpoint",
            ),
        ] {
            ProviderMetadata::endpoint(endpoint, name)?;
        }
        let methods = &metadata.token_endpoint_auth_methods_supported;
        if !methods.is_empty() && !methods.iter().any(|m| m == "private_key_jwt") {
            return Err(ConfigError::UnsupportedByProvider(
                "token_endpoint_auth_method private_key_jwt",
            )
            .into());
        }
        let natural = match self.private_key.default_alg() {
            JwsAlgorithm::RS256 => JwsAlgorithm::PS256,
            other => other,
        };
        let assertion_alg = fapi_alg(self.assertion_alg.unwrap_or(natural), "assertion_alg")?;
        if !self.private_key.supports(assertion_alg) {
            return Err(ConfigError::InvalidValue {
                what: "assertion_alg",
                detail: format!("the private key cannot sign {assertion_alg}"),
            }
            .into());
        }
        fapi_alg(self.dpop.alg(), "DPoP key")?;
        let id_token_algs = match self.id_token_algs {
            Some(algs) => algs
                .into_iter()
                .map(|a| fapi_alg(a, "id_token_signing_algs"))
                .collect::<Result<Vec<_>, _>>()?,
            None => fapi_algs(&metadata.id_token_signing_alg_values_supported),
        };
        let dpop = self.dpop.clone();
        let mut builder: ClientBuilder<Dpop<Confidential>> = Client::builder(self.client_id)
            .dpop(self.dpop)
            .private_key(self.private_key)
            .auth_method(AuthMethod::PrivateKeyJwt)
            .assertion_alg(assertion_alg)
            .assertion_audience(AssertionAudience::Issuer)
            .id_token_signing_algs(id_token_algs)
            .authorization_response_signing_algs(fapi_algs(
                &metadata.authorization_signing_alg_values_supported,
            ));
        if P::MESSAGE_SIGNING {
            builder = builder.request_object_signing_alg(assertion_alg);
        }
        if let Some(uri) = self.redirect_uri {
            builder = builder.redirect_uri(uri);
        }
        if let Some(leeway) = self.leeway {
            builder = builder.leeway(leeway);
        }
        if let Some(clock) = self.clock {
            builder = builder.clock(clock);
        }
        if let Some(cooldown) = self.jwks_cooldown {
            builder = builder.jwks_cooldown(cooldown);
        }
        if let Some(max_age) = self.jwks_max_age {
            builder = builder.jwks_max_age(max_age);
        }
        Ok(Fapi2 {
            client: builder.build(metadata, http)?,
            dpop,
            _profile: PhantomData,
        })
    }
}

impl<H: HttpClient, P: FapiProfile> Fapi2<H, P> {
    /// The provider metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        self.client.metadata()
    }
    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        self.client.client_id()
    }
    /// The DPoP key the tokens are bound to.
    pub fn dpop_key(&self) -> &DpopKey {
        &self.dpop
    }
    /// The ID-token rules in force.
    pub fn id_token_validator(&self) -> &crate::IdTokenValidator {
        self.client.id_token_validator()
    }
    /// The transport.
    pub fn http(&self) -> &H {
        self.client.http()
    }

    /// Starts an authorization-code request: scope `openid`, PKCE S256, fresh `state` and
    /// `nonce`, `dpop_jkt`, pushed by [`FapiAuthorizationRequest::start`].
    pub fn authorization_request(&self) -> FapiAuthorizationRequest<crate::Online, P> {
        FapiAuthorizationRequest::new(self.client.authorization_request())
    }

    /// Refreshes offline tokens with a DPoP proof (RFC 6749 §6, RFC 9449 §5); the new ID
    /// token, if any, is checked per OpenID Connect Core §12.2.
    pub async fn refresh(
        &self,
        tokens: &Tokens<Offline, DpopBound>,
    ) -> Result<Tokens<Offline, DpopBound>, Error> {
        tokens.refresh(&self.client).await
    }

    /// A UserInfo request with the tokens' DPoP-bound access token (OpenID Connect Core
    /// §5.3, RFC 9449 §7.1).
    pub fn userinfo<'a, A: Access>(
        &'a self,
        tokens: &'a Tokens<A, DpopBound>,
    ) -> UserInfoRequest<'a, H, Dpop<Confidential>> {
        self.client.userinfo(tokens)
    }

    /// A request to a protected resource with a DPoP-bound access token (RFC 9449 §7).
    pub fn protected_resource_request<'a>(
        &'a self,
        access_token: &'a DpopAccessToken,
        method: http::Method,
        url: &str,
    ) -> ResourceRequest<'a, H, Dpop<Confidential>> {
        self.client
            .protected_resource_request(access_token, method, url)
    }

    /// The client credentials grant with a DPoP proof (RFC 6749 §4.4).
    pub fn client_credentials(&self) -> GrantRequest<'_, ClientCredentials, H, Dpop<Confidential>> {
        self.client.client_credentials()
    }

    /// Token introspection (RFC 7662) with `private_key_jwt`.
    pub fn introspect<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> IntrospectionRequest<'a, H, Dpop<Confidential>> {
        self.client.introspect(token)
    }

    /// Token revocation (RFC 7009) with `private_key_jwt`.
    pub fn revoke<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> RevocationRequest<'a, H, Dpop<Confidential>> {
        self.client.revoke(token)
    }

    /// An RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0).
    pub fn logout_request(&self) -> LogoutRequest {
        self.client.logout_request()
    }
}
