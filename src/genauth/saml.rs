//! The GenAuth SAML preset: links only. GenAuth is the SAML identity provider and the
//! application's service provider consumes the assertion, so this type has no token
//! operation at all.

use url::Url;

use super::GenAuth;
use crate::types::RedirectUrl;

/// GenAuth's SAML protocol: the IdP-initiated login link and the logout link. Made by
/// [`GenAuth::saml`]. It has no token exchange, refresh, UserInfo or introspection —
/// SAML assertions go to the application's service provider, not to this client.
#[derive(Clone, Debug)]
pub struct GenAuthSaml {
    app: GenAuth,
}

impl GenAuthSaml {
    pub(super) fn new(app: &GenAuth) -> Self {
        Self { app: app.clone() }
    }

    /// The IdP-initiated login link `{app_host}/api/v2/saml-idp/{app_id}` (SDK
    /// `build_authorize_url` in `saml` mode); the app id is percent-encoded as a path
    /// segment.
    pub fn login_url(&self) -> Url {
        self.app
            .join_segments(&["api", "v2", "saml-idp", self.app.app_id().as_str()])
    }

    /// The logout link: GenAuth's "easy logout"
    /// `{app_host}/login/profile/logout?redirect_uri=…`, the redirect percent-encoded
    /// (SDK `build_logout_url` in `saml` mode).
    pub fn logout_url(&self, redirect_uri: Option<&RedirectUrl>) -> Url {
        self.app.easy_logout_url(redirect_uri)
    }
}
