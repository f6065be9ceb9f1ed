//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3).
//!
//! [`Client::logout_request`] builds the URL of the provider's `end_session_endpoint` to
//! send the user agent to. The endpoint's own query is kept and every value is
//! percent-encoded; `client_id` is always sent, so the provider can check
//! `post_logout_redirect_uri` even without an `id_token_hint` (§2).

use std::fmt;
use std::sync::Arc;

use crate::client::{Client, ClientCore};
use crate::discovery::ProviderMetadata;
use crate::error::{ConfigError, Error};
use crate::flow::build_url;
use crate::types::{IdToken, RedirectUrl, State};

impl<H, K> Client<H, K> {
    /// Starts a logout request to the provider's `end_session_endpoint` (RP-Initiated
    /// Logout §2). Without further settings it carries only `client_id`.
    pub fn logout_request(&self) -> LogoutRequest {
        LogoutRequest {
            core: self.core.clone(),
            id_token_hint: None,
            post_logout_redirect_uri: None,
            state: None,
            logout_hint: None,
            ui_locales: None,
        }
    }
}

/// A logout request being configured (RP-Initiated Logout §2). Created by
/// [`Client::logout_request`]; finished by [`build`](LogoutRequest::build).
#[must_use = "a logout request does nothing until `build` is called"]
pub struct LogoutRequest {
    core: Arc<ClientCore>,
    id_token_hint: Option<IdToken>,
    post_logout_redirect_uri: Option<RedirectUrl>,
    state: Option<State>,
    logout_hint: Option<String>,
    ui_locales: Option<String>,
}

impl fmt::Debug for LogoutRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogoutRequest")
            .field("id_token_hint", &self.id_token_hint)
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .field("state", &self.state)
            .field("logout_hint", &self.logout_hint)
            .field("ui_locales", &self.ui_locales)
            .finish_non_exhaustive()
    }
}

impl LogoutRequest {
    /// `id_token_hint`: the ID token the provider issued for the session being ended
    /// (RECOMMENDED by §2); an expired one is fine.
    pub fn id_token_hint(mut self, id_token: IdToken) -> Self {
        self.id_token_hint = Some(id_token);
        self
    }
    /// `post_logout_redirect_uri`: where the provider sends the user agent afterwards; it
    /// must be registered for this client (§3).
    pub fn post_logout_redirect_uri(mut self, uri: RedirectUrl) -> Self {
        self.post_logout_redirect_uri = Some(uri);
        self
    }
    /// `state`: returned to the `post_logout_redirect_uri` unchanged (§2).
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }
    /// `logout_hint`: which end-user is logging out, e.g. a login name (§2).
    pub fn logout_hint(mut self, hint: impl Into<String>) -> Self {
        self.logout_hint = Some(hint.into());
        self
    }
    /// `ui_locales`: preferred languages of the logout pages, space-separated BCP 47 tags (§2).
    pub fn ui_locales(mut self, locales: impl Into<String>) -> Self {
        self.ui_locales = Some(locales.into());
        self
    }

    /// The URL to send the user agent to (with a redirect or a link).
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnsupportedByProvider`] when the provider advertises no
    /// `end_session_endpoint`.
    pub fn build(self) -> Result<LogoutUrl, Error> {
        let endpoint = ProviderMetadata::endpoint(
            &self.core.metadata.end_session_endpoint,
            "end_session_endpoint",
        )?;
        let params: Vec<(&str, std::borrow::Cow<'_, str>)> = [
            (
                "id_token_hint",
                self.id_token_hint.as_ref().map(IdToken::secret),
            ),
            ("client_id", Some(self.core.auth.client_id.as_str())),
            (
                "post_logout_redirect_uri",
                self.post_logout_redirect_uri
                    .as_ref()
                    .map(RedirectUrl::as_str),
            ),
            ("state", self.state.as_ref().map(State::secret)),
            ("logout_hint", self.logout_hint.as_deref()),
            ("ui_locales", self.ui_locales.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v.into())))
        .collect();
        Ok(LogoutUrl(build_url(endpoint.url(), &params)))
    }
}

/// The logout URL. It carries the ID token and the state, so it has no `Display` and its
/// `Debug` shows the endpoint only.
#[derive(Clone, PartialEq, Eq)]
pub struct LogoutUrl(String);

impl LogoutUrl {
    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The URL parsed.
    pub fn to_url(&self) -> Result<url::Url, ConfigError> {
        url::Url::parse(&self.0).map_err(|e| ConfigError::InvalidUrl {
            what: "logout URL",
            detail: e.to_string(),
        })
    }
    /// The URL as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for LogoutUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.0.split('?').next().unwrap_or_default();
        write!(f, "LogoutUrl({base}?[redacted])")
    }
}
