//! The client credentials grant (RFC 6749 §4.4).

use super::{Grant, GrantRequest, IdTokenRule, sealed};
use crate::client::{Client, ClientKind, Confidential};
use crate::dpop::TokenBinding;
use crate::error::{ConfigError, Error};
use crate::flow::{Online, Tokens};
use crate::http::HttpClient;
use crate::types::Scope;

/// Marker: the client credentials grant (RFC 6749 §4.4), for a client acting on
/// its own behalf. Yields [`Tokens<Online>`](Tokens) without an ID token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCredentials;

impl sealed::Sealed for ClientCredentials {}

impl Grant for ClientCredentials {
    type Access = Online;
    type Output<B: TokenBinding> = Tokens<Online, B>;
    const OWN_PARAMS: &'static [&'static str] = &["audience"];
    const TYPED_OFFLINE: bool = false;
    fn output<B: TokenBinding>(tokens: Tokens<Online, B>) -> Result<Tokens<Online, B>, Error> {
        Ok(tokens)
    }
}

impl<H: HttpClient, K: ClientKind> GrantRequest<'_, ClientCredentials, H, K> {
    /// Adds an `audience`: the logical name of the API the token is meant for, as the
    /// GenAuth/Authing, Auth0 and Okta-style providers ask for it with client credentials
    /// (the parameter RFC 8693 §2.1 defines for token exchange; standard servers use
    /// [`resource`](GrantRequest::resource), RFC 8707). Repeatable; each value is sent as
    /// its own `audience` parameter. An empty value is refused when the request is built.
    /// `.extra("audience", ..)` is refused: this is the one way to set it.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        let audience = audience.into();
        if audience.trim().is_empty() {
            self.push_error(ConfigError::InvalidValue {
                what: "audience",
                detail: "an audience must not be empty".into(),
            });
            return self;
        }
        self.add_param("audience", audience)
    }
}

/// Implemented by [`Confidential`] and `Dpop<Confidential>` only: the bound of grants that only
/// confidential clients may use (RFC 6749 §4.4). A public client's attempt fails
/// to compile with a message that says so. Cannot be implemented outside this
/// crate (both it and the client kinds are foreign there).
#[diagnostic::on_unimplemented(
    message = "client credentials need a confidential client, not `Client<_, {Self}>`",
    label = "only `Client<_, Confidential>` and `Client<_, Dpop<Confidential>>` may use the client credentials grant (RFC 6749 §4.4)",
    note = "a client becomes `Confidential` when built with `.client_secret(..)` or `.private_key(..)`"
)]
pub trait ConfidentialOnly: ClientKind {}

impl ConfidentialOnly for Confidential {}
impl ConfidentialOnly for crate::client::Dpop<Confidential> {}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a client credentials request (RFC 6749 §4.4.2): the client asks for
    /// an access token for itself, authenticating as configured. Only confidential
    /// clients can call it (`K:` [`ConfidentialOnly`]; RFC 6749 §4.4: "MUST only be
    /// used by confidential clients").
    ///
    /// The scope starts empty (no `openid`: there is no end-user). Add API scopes
    /// with [`scope`](GrantRequest::scope) and the API with
    /// [`resource`](GrantRequest::resource) (RFC 8707); many providers grant API
    /// scopes only with a resource indicator.
    ///
    /// OpenID Connect defines no ID token for this grant: one sent anyway is
    /// neither validated nor kept ([`IdTokenRule::Ignore`]), so the result's
    /// [`id_token`](Tokens::id_token) is always `None`. A refresh token (which
    /// RFC 6749 §4.4.3 says should not be issued) is kept in the optional slot.
    ///
    /// ```no_run
    /// # async fn run(client: typed_oidc::DefaultClient) -> Result<(), typed_oidc::Error> {
    /// let tokens = client
    ///     .client_credentials()
    ///     .scope("api:read")
    ///     .resource("https://api.example")
    ///     .send()
    ///     .await?;
    /// println!("granted: {}", tokens.scope());
    /// # Ok(()) }
    /// ```
    pub fn client_credentials(&self) -> GrantRequest<'_, ClientCredentials, H, K>
    where
        K: ConfidentialOnly,
    {
        GrantRequest::new(
            self,
            "client_credentials",
            Scope::empty(),
            IdTokenRule::Ignore,
        )
    }
}
