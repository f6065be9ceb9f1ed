//! Extension grants (RFC 6749 §4.5): any `grant_type` with its own parameters.

use std::marker::PhantomData;

use super::{Grant, GrantRequest, IdTokenRule, sealed};
use crate::client::{Client, ClientKind};
use crate::dpop::TokenBinding;
use crate::error::{ConfigError, Error};
use crate::flow::{Access, Offline, Online, Tokens};
use crate::http::HttpClient;
use crate::types::Scope;

/// Marker: an extension grant (RFC 6749 §4.5), the escape hatch for grants this
/// crate does not model (JWT bearer RFC 7523, SAML bearer RFC 7522, CIBA,
/// provider-specific ones).
///
/// `A` is [`Online`] or, after
/// [`expect_refresh_token`](GrantRequest::expect_refresh_token), [`Offline`].
pub struct Extension<A = Online>(PhantomData<fn() -> A>);

impl<A> sealed::Sealed for Extension<A> {}

impl<A: Access> Grant for Extension<A> {
    type Access = A;
    type Output<B: TokenBinding> = Tokens<A, B>;
    const OWN_PARAMS: &'static [&'static str] = &[];
    const TYPED_OFFLINE: bool = false;
    fn output<B: TokenBinding>(tokens: Tokens<A, B>) -> Result<Tokens<A, B>, Error> {
        Ok(tokens)
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a request for any grant type (RFC 6749 §4.5) — the documented escape
    /// hatch. Pass the grant's parameters with [`extra`](GrantRequest::extra); the
    /// client authenticates as configured, and the response is handled like every
    /// other grant's: RFC 6749 §5.2 errors are typed, and an ID token is validated
    /// when present ([`IdTokenRule::ValidateIfPresent`], changeable with
    /// [`id_token_rule`](GrantRequest::id_token_rule)).
    ///
    /// `grant_type` must be a grant name or an absolute URI (RFC 6749 Appendix A.10):
    /// visible ASCII, no spaces; otherwise `send` fails with a [`ConfigError`].
    ///
    /// ```no_run
    /// # async fn run(client: typed_oidc::DefaultClient, assertion: &str) -> Result<(), typed_oidc::Error> {
    /// let tokens = client
    ///     .extension_grant("urn:ietf:params:oauth:grant-type:jwt-bearer")
    ///     .extra("assertion", assertion)
    ///     .scope("api:read")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn extension_grant(&self, grant_type: &str) -> GrantRequest<'_, Extension, H, K> {
        let mut request = GrantRequest::new(
            self,
            grant_type.to_owned(),
            Scope::empty(),
            IdTokenRule::ValidateIfPresent,
        );
        if grant_type.is_empty() || !grant_type.bytes().all(|b| b.is_ascii_graphic()) {
            request.errors.push(ConfigError::InvalidValue {
                what: "grant_type",
                detail: "must be a grant name or an absolute URI (RFC 6749 Appendix A.10)".into(),
            });
        }
        request
    }
}

impl<A: Access, H: HttpClient, K: ClientKind> GrantRequest<'_, Extension<A>, H, K> {
    /// Sets what happens to an `id_token` in the response. With
    /// [`IdTokenRule::Require`] a response without one is an error.
    pub fn id_token_rule(mut self, rule: IdTokenRule) -> Self {
        self.id_token = rule;
        self
    }
}

impl<'a, H: HttpClient, K: ClientKind> GrantRequest<'a, Extension<Online>, H, K> {
    /// Requires a refresh token in the response and yields
    /// [`Tokens<Offline>`](Tokens), which can refresh. Adds nothing to the request:
    /// for grants whose refresh token was decided earlier (e.g. by `offline_access`
    /// in a CIBA or device authorization request).
    pub fn expect_refresh_token(self) -> GrantRequest<'a, Extension<Offline>, H, K> {
        self.retype()
    }
}
