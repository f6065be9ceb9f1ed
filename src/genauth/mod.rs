//! GenAuth (formerly Authing) presets: one type per standard protocol the GenAuth
//! `AuthenticationClient` speaks, each built on the crate's generic machinery.
//!
//! [`GenAuth`] holds the application's configuration (`app_host`, `app_id`, secret,
//! redirect URI, client-authentication methods, ID-token algorithm) and hands out:
//!
//! * [`GenAuthOidc`] — OpenID Connect under `{app_host}/oidc/…` (authorization code with
//!   PKCE, implicit, hybrid, refresh, UserInfo, introspection, revocation, online token
//!   check, RP-initiated and "easy" logout, client credentials with an access key);
//! * [`GenAuthOAuth`] — plain OAuth 2.0 under `{app_host}/oauth/…` (scope `user`,
//!   `response_type` `code` or `token`, no nonce);
//! * [`GenAuthSaml`] — the IdP-initiated login link and the logout link; it has no
//!   token operation at all.
//!
//! Every type offers only what its protocol has: a SAML value has no token exchange,
//! refresh or introspection, and calling one fails to compile.
//!
//! Facts about the provider (paths, defaults) come from the GenAuth SDK as observed on
//! the wire; where that SDK is wrong (unencoded URL values, a non-cryptographic random
//! generator, unchecked HTTP status, revocation that fails on success), these presets do
//! what the RFCs say instead — see the README's migration section.
//!
//! ```
//! use typed_oidc::genauth::GenAuth;
//! use typed_oidc::{ClientSecret, RedirectUrl};
//!
//! # fn run() -> Result<(), typed_oidc::Error> {
//! let app = GenAuth::new("https://example.genauth.ai", "5f17a529f64fb009b794a2ff")?
//!     .app_secret(ClientSecret::new("app-secret"))
//!     .redirect_uri(RedirectUrl::new("https://app.example.com/cb")?);
//! let saml = app.saml();
//! assert_eq!(
//!     saml.login_url().as_str(),
//!     "https://example.genauth.ai/api/v2/saml-idp/5f17a529f64fb009b794a2ff"
//! );
//! # Ok(()) }
//! # run().unwrap();
//! ```

mod cas;
mod endpoints;
mod oauth;
mod oidc;
mod saml;

pub use cas::GenAuthCas;
pub use endpoints::GenAuthEndpoints;
pub use oauth::{GenAuthOAuth, PendingOAuthToken};
pub use oidc::{GenAuthOidc, TokenValidation, ValidateToken};
pub use saml::GenAuthSaml;

use url::Url;

use crate::client::{Client, ClientBuilder, Public};
use crate::client_auth::{AuthMethod, ClientAuth};
use crate::discovery::ProviderMetadata;
use crate::error::{ConfigError, Error};
use crate::http::HttpClient;
use crate::jose::JwsAlgorithm;
use crate::types::{ClientId, ClientSecret, EndpointUrl, IssuerUrl, RedirectUrl};

/// The configuration of one GenAuth application, from which the per-protocol presets are
/// made. Cheap to clone; the secret is never printed.
#[derive(Clone, Debug)]
pub struct GenAuth {
    app_host: Url,
    app_id: ClientId,
    secret: Option<ClientSecret>,
    redirect_uri: Option<RedirectUrl>,
    token_auth: AuthMethod,
    introspection_auth: AuthMethod,
    revocation_auth: AuthMethod,
    id_token_alg: JwsAlgorithm,
}

/// The same preset under the provider's former name.
pub type Authing = GenAuth;

impl GenAuth {
    /// The default OpenID Connect scope of GenAuth authorization requests.
    pub const DEFAULT_OIDC_SCOPE: &'static str = "openid profile email phone address";
    /// The default scope of GenAuth OAuth 2.0 authorization requests.
    pub const DEFAULT_OAUTH_SCOPE: &'static str = "user";

    /// An application at `app_host` (e.g. `https://example.genauth.ai`, an `http(s)` URL
    /// without query or fragment; a trailing `/` is ignored) with id `app_id`.
    ///
    /// Defaults, as the provider documents them: client authentication
    /// `client_secret_post` at the token, introspection and revocation endpoints, and
    /// ID tokens signed HS256 with the app secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `app_host` is not such a URL;
    /// [`ConfigError::InvalidValue`] for an empty `app_id`.
    pub fn new(app_host: &str, app_id: &str) -> Result<Self, ConfigError> {
        let mut host = Url::parse(app_host).map_err(|e| ConfigError::InvalidUrl {
            what: "app_host",
            detail: e.to_string(),
        })?;
        if !matches!(host.scheme(), "https" | "http")
            || host.cannot_be_a_base()
            || host.query().is_some()
            || host.fragment().is_some()
        {
            return Err(ConfigError::InvalidUrl {
                what: "app_host",
                detail: "must be an http(s) URL without query or fragment".into(),
            });
        }
        let path = host.path().trim_end_matches('/').to_owned();
        host.set_path(&path);
        if app_id.is_empty() {
            return Err(ConfigError::InvalidValue {
                what: "app_id",
                detail: "must not be empty".into(),
            });
        }
        Ok(Self {
            app_host: host,
            app_id: ClientId::new(app_id),
            secret: None,
            redirect_uri: None,
            token_auth: AuthMethod::ClientSecretPost,
            introspection_auth: AuthMethod::ClientSecretPost,
            revocation_auth: AuthMethod::ClientSecretPost,
            id_token_alg: JwsAlgorithm::HS256,
        })
    }

    /// The app secret: the client secret at the provider and the HMAC key of HS256 ID
    /// tokens. The OIDC and OAuth presets need it.
    pub fn app_secret(mut self, secret: ClientSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// The default redirect URI of authorization requests (the app's callback URL).
    pub fn redirect_uri(mut self, uri: RedirectUrl) -> Self {
        self.redirect_uri = Some(uri);
        self
    }

    /// Client authentication at the token endpoint (default `client_secret_post`).
    pub fn token_endpoint_auth_method(mut self, method: AuthMethod) -> Self {
        self.token_auth = method;
        self
    }

    /// Client authentication at the introspection endpoint (default `client_secret_post`).
    pub fn introspection_endpoint_auth_method(mut self, method: AuthMethod) -> Self {
        self.introspection_auth = method;
        self
    }

    /// Client authentication at the revocation endpoint (default `client_secret_post`).
    pub fn revocation_endpoint_auth_method(mut self, method: AuthMethod) -> Self {
        self.revocation_auth = method;
        self
    }

    /// Expects RS256 ID tokens verified with the provider's JWKS, for an app switched to
    /// RS256 in the console (the default is HS256 with the app secret).
    pub fn rs256_id_tokens(mut self) -> Self {
        self.id_token_alg = JwsAlgorithm::RS256;
        self
    }

    /// The application host, without a trailing `/`.
    pub fn app_host(&self) -> &str {
        self.app_host.as_str().trim_end_matches('/')
    }

    /// The application id (the `client_id` of the OIDC and OAuth presets).
    pub fn app_id(&self) -> &ClientId {
        &self.app_id
    }

    /// The SAML preset: login and logout links. Needs no secret.
    pub fn saml(&self) -> GenAuthSaml {
        GenAuthSaml::new(self)
    }

    /// The OpenID Connect preset with metadata built from the GenAuth paths under
    /// `{app_host}/oidc` (no network).
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredential`] without an app secret, or any error of
    /// [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn oidc<H: HttpClient>(&self, http: H) -> Result<GenAuthOidc<H>, Error> {
        let endpoints = self.confidential_endpoints(self.oidc_metadata()?, http)?;
        Ok(GenAuthOidc::new(self, endpoints))
    }

    /// The OpenID Connect preset of a **public** app (token endpoint auth method `none`:
    /// an app with no secret, such as a single-page or native app), with metadata built
    /// from the GenAuth paths under `{app_host}/oidc` (no network).
    ///
    /// Every request carries `client_id` and no secret: the token endpoint gets the PKCE
    /// verifier instead (the authorization requests use PKCE S256 by default), and
    /// introspection and revocation send `client_id` in the body whatever
    /// [`introspection_endpoint_auth_method`](Self::introspection_endpoint_auth_method) and
    /// [`revocation_endpoint_auth_method`](Self::revocation_endpoint_auth_method) say. A
    /// public client holds no HMAC key, so its ID tokens are verified RS256 with the
    /// provider's JWKS (switch the app to RS256 in the console); an app secret given with
    /// [`app_secret`](Self::app_secret) is not used. The type is
    /// `GenAuthOidc<H, Public>`, which has no client-credentials grant.
    ///
    /// # Errors
    ///
    /// Any error of [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn public_oidc<H: HttpClient>(&self, http: H) -> Result<GenAuthOidc<H, Public>, Error> {
        let endpoints = self.public_endpoints(self.oidc_metadata()?, http)?;
        Ok(GenAuthOidc::new(self, endpoints))
    }

    /// The OpenID Connect preset with metadata fetched from
    /// `{app_host}/oidc/.well-known/openid-configuration` (the issuer must be
    /// `{app_host}/oidc`).
    ///
    /// # Errors
    ///
    /// Discovery errors, and those of [`GenAuth::oidc`].
    pub async fn discover_oidc<H: HttpClient>(&self, http: H) -> Result<GenAuthOidc<H>, Error> {
        let metadata = self.discover_oidc_metadata(&http).await?;
        let endpoints = self.confidential_endpoints(metadata, http)?;
        Ok(GenAuthOidc::new(self, endpoints))
    }

    /// [`GenAuth::public_oidc`] with metadata fetched as [`GenAuth::discover_oidc`] does.
    ///
    /// # Errors
    ///
    /// Discovery errors, and those of [`GenAuth::public_oidc`].
    pub async fn discover_public_oidc<H: HttpClient>(
        &self,
        http: H,
    ) -> Result<GenAuthOidc<H, Public>, Error> {
        let metadata = self.discover_oidc_metadata(&http).await?;
        let endpoints = self.public_endpoints(metadata, http)?;
        Ok(GenAuthOidc::new(self, endpoints))
    }

    /// The OAuth 2.0 preset with metadata built from the GenAuth paths under
    /// `{app_host}/oauth` (no network).
    ///
    /// # Errors
    ///
    /// As [`GenAuth::oidc`].
    pub fn oauth<H: HttpClient>(&self, http: H) -> Result<GenAuthOAuth<H>, Error> {
        let endpoints = self.confidential_endpoints(self.oauth_metadata()?, http)?;
        Ok(GenAuthOAuth::new(endpoints))
    }

    /// The OAuth 2.0 preset of a public app (auth method `none`), as
    /// [`GenAuth::public_oidc`] is for OpenID Connect.
    ///
    /// # Errors
    ///
    /// As [`GenAuth::public_oidc`].
    pub fn public_oauth<H: HttpClient>(&self, http: H) -> Result<GenAuthOAuth<H, Public>, Error> {
        let endpoints = self.public_endpoints(self.oauth_metadata()?, http)?;
        Ok(GenAuthOAuth::new(endpoints))
    }

    /// The OpenID Connect metadata of the app: issuer `{app_host}/oidc`, endpoints
    /// `auth`, `token`, `me`, `token/introspection`, `token/revocation`, `session/end`
    /// and `.well-known/jwks.json` under it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] if a path cannot be joined to the host.
    pub fn oidc_metadata(&self) -> Result<ProviderMetadata, ConfigError> {
        let mut md = self.metadata("oidc")?;
        md.userinfo_endpoint = Some(self.endpoint("oidc/me")?);
        md.end_session_endpoint = Some(self.endpoint("oidc/session/end")?);
        md.jwks_uri = Some(self.endpoint("oidc/.well-known/jwks.json")?);
        md.id_token_signing_alg_values_supported = vec!["HS256".into(), "RS256".into()];
        md.scopes_supported = [
            "openid",
            "profile",
            "email",
            "phone",
            "address",
            "offline_access",
        ]
        .map(String::from)
        .to_vec();
        Ok(md)
    }

    /// The OAuth 2.0 metadata of the app: issuer `{app_host}/oauth`, endpoints `auth`,
    /// `token`, `me`, `token/introspection` and `token/revocation` under it.
    ///
    /// # Errors
    ///
    /// As [`GenAuth::oidc_metadata`].
    pub fn oauth_metadata(&self) -> Result<ProviderMetadata, ConfigError> {
        let mut md = self.metadata("oauth")?;
        md.userinfo_endpoint = Some(self.endpoint("oauth/me")?);
        Ok(md)
    }

    /// The "easy logout" link `{app_host}/login/profile/logout`, with `redirect_uri`
    /// (percent-encoded) when given: it ends the GenAuth session of any protocol.
    pub fn easy_logout_url(&self, redirect_uri: Option<&RedirectUrl>) -> Url {
        let mut url = self.join_segments(&["login", "profile", "logout"]);
        if let Some(uri) = redirect_uri {
            url.query_pairs_mut()
                .append_pair("redirect_uri", uri.as_str());
        }
        url
    }

    // ---- shared by the protocol presets ------------------------------------------------

    /// `{app_host}/<segments>`, each segment percent-encoded as a path segment.
    pub(crate) fn join_segments(&self, segments: &[&str]) -> Url {
        let mut url = self.app_host.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn endpoint(&self, path: &str) -> Result<EndpointUrl, ConfigError> {
        let segments: Vec<&str> = path.split('/').collect();
        EndpointUrl::new(self.join_segments(&segments).as_str())
    }

    fn issuer(&self, mount: &str) -> Result<IssuerUrl, ConfigError> {
        IssuerUrl::new(self.join_segments(&[mount]).as_str())
    }

    /// What the OIDC and OAuth mounts share.
    fn metadata(&self, mount: &str) -> Result<ProviderMetadata, ConfigError> {
        let mut md = ProviderMetadata::new(self.issuer(mount)?);
        md.authorization_endpoint = Some(self.endpoint(&format!("{mount}/auth"))?);
        md.token_endpoint = Some(self.endpoint(&format!("{mount}/token"))?);
        md.introspection_endpoint = Some(self.endpoint(&format!("{mount}/token/introspection"))?);
        md.revocation_endpoint = Some(self.endpoint(&format!("{mount}/token/revocation"))?);
        md.token_endpoint_auth_methods_supported =
            ["client_secret_post", "client_secret_basic", "none"]
                .map(String::from)
                .to_vec();
        md.code_challenge_methods_supported = vec!["S256".into(), "plain".into()];
        Ok(md)
    }

    fn require_secret(&self) -> Result<&ClientSecret, ConfigError> {
        self.secret.as_ref().ok_or(ConfigError::MissingCredential(
            "the GenAuth app secret (GenAuth::app_secret)",
        ))
    }

    async fn discover_oidc_metadata<H: HttpClient>(
        &self,
        http: &H,
    ) -> Result<ProviderMetadata, Error> {
        let issuer = self.issuer("oidc")?;
        let response = http
            .execute(ProviderMetadata::discovery_request(
                &issuer,
                crate::discovery::WellKnown::OpenIdConfiguration,
            ))
            .await?;
        ProviderMetadata::from_response(&issuer, &response)
    }

    /// What the confidential and public clients share.
    fn builder(&self) -> ClientBuilder {
        let builder = Client::builder(self.app_id.clone());
        match &self.redirect_uri {
            Some(uri) => builder.redirect_uri(uri.clone()),
            None => builder,
        }
    }

    /// The confidential preset's endpoints over `metadata`: the app secret, the configured
    /// auth method per endpoint and the configured ID-token algorithm.
    fn confidential_endpoints<H: HttpClient>(
        &self,
        metadata: ProviderMetadata,
        http: H,
    ) -> Result<GenAuthEndpoints<H>, Error> {
        let secret = self.require_secret()?.clone();
        let client = self
            .builder()
            .client_secret(secret)
            .auth_method(self.token_auth)
            .id_token_signing_algs(vec![self.id_token_alg])
            .build(metadata, http)?;
        Ok(GenAuthEndpoints::new(
            client,
            self.endpoint_auth(self.introspection_auth)?,
            self.endpoint_auth(self.revocation_auth)?,
        ))
    }

    /// The public preset's endpoints over `metadata`: `client_id` only, RS256 ID tokens.
    fn public_endpoints<H: HttpClient>(
        &self,
        metadata: ProviderMetadata,
        http: H,
    ) -> Result<GenAuthEndpoints<H, Public>, Error> {
        let client = self
            .builder()
            .auth_method(AuthMethod::None)
            .id_token_signing_algs(vec![JwsAlgorithm::RS256])
            .build(metadata, http)?;
        let auth = ClientAuth::public(self.app_id.clone());
        Ok(GenAuthEndpoints::new(client, auth.clone(), auth))
    }

    /// The client authentication of the introspection and revocation endpoints.
    fn endpoint_auth(&self, method: AuthMethod) -> Result<ClientAuth, ConfigError> {
        let secret = self.require_secret()?.clone();
        match method {
            AuthMethod::None => Ok(ClientAuth::public(self.app_id.clone())),
            m => ClientAuth::secret(self.app_id.clone(), secret, m),
        }
    }
}
