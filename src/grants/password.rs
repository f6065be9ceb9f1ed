//! The resource owner password credentials grant (RFC 6749 §4.3) — legacy.

use std::marker::PhantomData;

use super::{Grant, GrantRequest, IdTokenRule, sealed};
use crate::client::{Client, ClientKind};
use crate::dpop::TokenBinding;
use crate::error::Error;
use crate::flow::{Access, Offline, Online, Tokens};
use crate::http::HttpClient;
use crate::types::{Scope, ScopeToken};

/// Marker: the resource owner password credentials grant (RFC 6749 §4.3).
///
/// **Legacy.** The OAuth 2.0 Security Best Current Practice (RFC 9700 §2.4) says
/// it MUST NOT be used: the client sees the user's password, and the grant cannot
/// do multi-factor or federated login. It exists for migrating old systems.
///
/// `A` is [`Online`] or, after
/// [`offline_access`](GrantRequest::offline_access), [`Offline`].
pub struct Password<A = Online>(PhantomData<fn() -> A>);

impl<A> sealed::Sealed for Password<A> {}

impl<A: Access> Grant for Password<A> {
    type Access = A;
    type Output<B: TokenBinding> = Tokens<A, B>;
    const OWN_PARAMS: &'static [&'static str] = &["username", "password"];
    const TYPED_OFFLINE: bool = true;
    fn output<B: TokenBinding>(tokens: Tokens<A, B>) -> Result<Tokens<A, B>, Error> {
        Ok(tokens)
    }
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a resource owner password credentials request (RFC 6749 §4.3.2) —
    /// a **legacy** grant that RFC 9700 §2.4 forbids; see [`Password`].
    ///
    /// The scope starts as `openid`, so the response must carry an ID token, which
    /// is validated like the code flow's (OpenID Connect Core §3.1.3.7) except for
    /// the nonce, which no request carried.
    /// [`without_openid`](GrantRequest::without_openid) makes it a plain OAuth
    /// request; [`offline_access`](GrantRequest::offline_access) asks for a refresh
    /// token and yields [`Tokens<Offline>`](Tokens).
    ///
    /// The password is kept in a zeroizing secret until the request is built and
    /// never appears in `Debug` output or errors.
    pub fn password_grant(
        &self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> GrantRequest<'_, Password, H, K> {
        GrantRequest::new(self, "password", Scope::openid(), IdTokenRule::Require)
            .set_param("username", username.into())
            .set_param("password", password.into())
    }
}

impl<'a, H: HttpClient, K: ClientKind> GrantRequest<'a, Password<Online>, H, K> {
    /// Asks for a refresh token: adds `offline_access` to the scope (OpenID Connect
    /// Core §11) and makes the result [`Tokens<Offline>`](Tokens), the only kind
    /// that can refresh. A response without a refresh token is then an error.
    pub fn offline_access(self) -> GrantRequest<'a, Password<Offline>, H, K> {
        let mut next = self.retype::<Password<Offline>>();
        next.scope.push(ScopeToken::offline_access());
        next
    }
}

impl<A: Access, H: HttpClient, K: ClientKind> GrantRequest<'_, Password<A>, H, K> {
    /// Removes `openid` from the scope: a plain OAuth 2.0 request. An ID token that
    /// comes anyway is still validated.
    pub fn without_openid(mut self) -> Self {
        self.scope.remove(Scope::OPENID);
        self.id_token = IdTokenRule::ValidateIfPresent;
        self
    }
}
