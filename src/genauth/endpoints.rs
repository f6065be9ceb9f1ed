//! What the OIDC and OAuth 2.0 presets share: the generic client, the per-endpoint
//! client authentication, and the back-channel calls the SDK offers in both modes.

use std::ops::Deref;

use crate::client::{BaseKind, Client, Confidential};
use crate::client_auth::ClientAuth;
use crate::error::Error;
use crate::flow::{Access, CodeReceived, Offline, PkceMode, Tokens};
use crate::http::HttpClient;
use crate::introspection::IntrospectionRequest;
use crate::revocation::{AccessOrRefreshToken, RevocationRequest};
use crate::types::{AccessToken, SubjectId};
use crate::userinfo::{BearerMethod, UserInfoRequest};

/// The back-channel operations of a GenAuth OIDC or OAuth 2.0 preset; both
/// [`GenAuthOidc`](super::GenAuthOidc) and [`GenAuthOAuth`](super::GenAuthOAuth)
/// dereference to it. `K` is [`Confidential`] for an app with a secret
/// ([`GenAuth::oidc`](super::GenAuth::oidc)) and [`Public`](crate::Public) for a public app
/// (token endpoint auth method `none`, [`GenAuth::public_oidc`](super::GenAuth::public_oidc)).
#[derive(Clone, Debug)]
pub struct GenAuthEndpoints<H, K = Confidential> {
    pub(super) client: Client<H, K>,
    introspection_auth: ClientAuth,
    revocation_auth: ClientAuth,
}

impl<H: HttpClient, K: BaseKind> GenAuthEndpoints<H, K> {
    pub(super) fn new(
        client: Client<H, K>,
        introspection_auth: ClientAuth,
        revocation_auth: ClientAuth,
    ) -> Self {
        Self {
            client,
            introspection_auth,
            revocation_auth,
        }
    }

    /// The generic client (metadata, ID-token rules, transport) this preset runs on,
    /// for everything the preset does not wrap (implicit and hybrid flows, PAR, other grants).
    pub fn client(&self) -> &Client<H, K> {
        &self.client
    }

    /// Exchanges a received code for tokens, sending the PKCE verifier the flow holds
    /// (SDK `get_access_token_by_code`).
    ///
    /// # Errors
    ///
    /// As [`CodeReceived::exchange`].
    pub async fn exchange<A: Access, P: PkceMode>(
        &self,
        received: CodeReceived<A, P>,
    ) -> Result<Tokens<A>, Error> {
        received.exchange(&self.client).await
    }

    /// Refreshes offline tokens (SDK `get_new_access_token_by_refresh_token`).
    ///
    /// # Errors
    ///
    /// As [`Tokens::refresh`].
    pub async fn refresh(&self, tokens: &Tokens<Offline>) -> Result<Tokens<Offline>, Error> {
        tokens.refresh(&self.client).await
    }

    /// A UserInfo request for a bare access token whose subject is known otherwise, sent
    /// as GenAuth documents it: `POST {app_host}/{oidc|oauth}/me` with
    /// `Authorization: Bearer` (SDK `get_user_info_by_access_token`).
    pub fn userinfo_for_subject<'a>(
        &'a self,
        access_token: &'a AccessToken,
        subject: &'a SubjectId,
    ) -> UserInfoRequest<'a, H, K> {
        self.client
            .userinfo_for_subject(access_token, subject)
            .bearer_method(BearerMethod::HeaderPost)
    }

    /// An introspection request (RFC 7662) authenticated with the configured
    /// `introspection_endpoint_auth_method` (SDK `introspect_token`).
    pub fn introspect<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> IntrospectionRequest<'a, H, K> {
        self.client
            .introspect(token)
            .auth(self.introspection_auth.clone())
    }

    /// A revocation request (RFC 7009) authenticated with the configured
    /// `revocation_endpoint_auth_method`; success is any 2xx (SDK `revoke_token`).
    pub fn revoke<'a, T: AccessOrRefreshToken>(
        &'a self,
        token: &'a T,
    ) -> RevocationRequest<'a, H, K> {
        self.client.revoke(token).auth(self.revocation_auth.clone())
    }
}

/// Implements `Deref<Target = GenAuthEndpoints<H>>` for a preset with an `endpoints` field.
macro_rules! deref_to_endpoints {
    ($preset:ident) => {
        impl<H, K> Deref for super::$preset<H, K> {
            type Target = GenAuthEndpoints<H, K>;
            fn deref(&self) -> &GenAuthEndpoints<H, K> {
                &self.endpoints
            }
        }
    };
}
deref_to_endpoints!(GenAuthOidc);
deref_to_endpoints!(GenAuthOAuth);
