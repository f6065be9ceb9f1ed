//! The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1,
//! RFC 7636 §4.3) as a typestate builder.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Access, NoPkce, Offline, Online, Pkce, PkceMode};
use crate::client::{Client, ClientCore};
use crate::discovery::ProviderMetadata;
use crate::error::{ConfigError, Error};
use crate::flow::callback::Pending;
use crate::types::{
    CodeChallengeMethod, CodeVerifier, IdToken, Nonce, RedirectUrl, Scope, ScopeToken, State,
};

/// How the provider returns the authorization response
/// (OAuth 2.0 Multiple Response Type Encoding Practices; Form Post Response Mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// Parameters in the redirect URI's query (the default for `code`).
    #[default]
    Query,
    /// Parameters in the redirect URI's fragment.
    Fragment,
    /// Parameters in an HTML form POSTed to the redirect URI.
    FormPost,
    /// JARM (JWT Secured Authorization Response Mode §2.3.4): one signed `response` JWT,
    /// in the query for `code`, in the fragment for response types with a token.
    Jwt,
    /// JARM `query.jwt`: the `response` JWT in the query.
    QueryJwt,
    /// JARM `fragment.jwt`: the `response` JWT in the fragment.
    FragmentJwt,
    /// JARM `form_post.jwt`: the `response` JWT in a form POST.
    FormPostJwt,
}

impl ResponseMode {
    /// The `response_mode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
            Self::Jwt => "jwt",
            Self::QueryJwt => "query.jwt",
            Self::FragmentJwt => "fragment.jwt",
            Self::FormPostJwt => "form_post.jwt",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Query => "response_mode=query",
            Self::Fragment => "response_mode=fragment",
            Self::FormPost => "response_mode=form_post",
            Self::Jwt => "response_mode=jwt",
            Self::QueryJwt => "response_mode=query.jwt",
            Self::FragmentJwt => "response_mode=fragment.jwt",
            Self::FormPostJwt => "response_mode=form_post.jwt",
        }
    }
    /// Whether the response is a JARM `response` JWT.
    pub fn is_jwt(self) -> bool {
        matches!(
            self,
            Self::Jwt | Self::QueryJwt | Self::FragmentJwt | Self::FormPostJwt
        )
    }
    /// Whether the response arrives as a form POST.
    pub fn is_form_post(self) -> bool {
        matches!(self, Self::FormPost | Self::FormPostJwt)
    }
    /// Whether the response arrives in the redirect URI's fragment.
    pub fn is_fragment(self) -> bool {
        matches!(self, Self::Fragment | Self::FragmentJwt)
    }
    /// Whether the response arrives in the redirect URI's query.
    pub fn is_query(self) -> bool {
        matches!(self, Self::Query | Self::QueryJwt)
    }
    /// `jwt` made concrete for a response type whose default mode is `default`.
    pub(crate) fn resolve(self, default: ResponseMode) -> ResponseMode {
        match self {
            Self::Jwt if default == Self::Fragment => Self::FragmentJwt,
            Self::Jwt => Self::QueryJwt,
            other => other,
        }
    }
}

/// A `prompt` value (OpenID Connect Core §3.1.2.1; `create` from OpenID Connect
/// Prompt Create 1.0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// `none`: no UI; fails if interaction is needed. Cannot be combined with others.
    None,
    /// `login`: re-authenticate.
    Login,
    /// `consent`: ask for consent again.
    Consent,
    /// `select_account`: let the user choose an account.
    SelectAccount,
    /// `create`: show the sign-up page.
    Create,
    /// Any other value.
    Other(String),
}

impl Prompt {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Login => "login",
            Self::Consent => "consent",
            Self::SelectAccount => "select_account",
            Self::Create => "create",
            Self::Other(s) => s,
        }
    }
}

/// The URL to send the user agent to.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationUrl(String);

impl AuthorizationUrl {
    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The URL parsed.
    pub fn to_url(&self) -> Result<url::Url, ConfigError> {
        url::Url::parse(&self.0).map_err(|e| ConfigError::InvalidUrl {
            what: "authorization URL",
            detail: e.to_string(),
        })
    }
    /// The URL as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AuthorizationUrl {
    // The URL carries state and nonce, which are secrets until the callback.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.0.split('?').next().unwrap_or_default();
        write!(f, "AuthorizationUrl({base}?[redacted])")
    }
}

/// Parameter names the flow itself owns; `extra` cannot override them.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "request",
    "dpop_jkt",
];

/// An authorization-code request being configured.
///
/// `A` is [`Online`] or [`Offline`]; `P` is [`Pkce`] (default) or [`NoPkce`].
/// Created by [`Client::authorization_request`]; finished by
/// [`start`](AuthorizationRequest::start).
#[must_use = "an authorization request does nothing until `start` is called"]
pub struct AuthorizationRequest<A = Online, P = Pkce> {
    core: Arc<ClientCore>,
    scope: Scope,
    redirect_uri: Option<RedirectUrl>,
    response_mode: Option<ResponseMode>,
    prompt: Vec<Prompt>,
    max_age: Option<u64>,
    login_hint: Option<String>,
    ui_locales: Option<String>,
    acr_values: Option<String>,
    id_token_hint: Option<IdToken>,
    state: Option<State>,
    nonce: Option<Nonce>,
    pkce_method: CodeChallengeMethod,
    verifier: Option<CodeVerifier>,
    extra: Vec<(String, String)>,
    errors: Vec<ConfigError>,
    _marker: PhantomData<fn() -> (A, P)>,
}

impl<A, P> fmt::Debug for AuthorizationRequest<A, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("scope", &self.scope)
            .field("redirect_uri", &self.redirect_uri)
            .field("response_mode", &self.response_mode)
            .field("prompt", &self.prompt)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl<H, K> Client<H, K> {
    /// Starts an authorization-code request: scope `openid`, PKCE with S256, fresh
    /// `state` and `nonce`, the client's redirect URI.
    pub fn authorization_request(&self) -> AuthorizationRequest<Online, Pkce> {
        AuthorizationRequest {
            core: self.core.clone(),
            scope: Scope::openid(),
            redirect_uri: self.core.redirect_uri.clone(),
            response_mode: None,
            prompt: Vec::new(),
            max_age: None,
            login_hint: None,
            ui_locales: None,
            acr_values: None,
            id_token_hint: None,
            state: None,
            nonce: None,
            pkce_method: CodeChallengeMethod::S256,
            verifier: None,
            extra: Vec::new(),
            errors: Vec::new(),
            _marker: PhantomData,
        }
    }
}

impl<A, P> AuthorizationRequest<A, P> {
    fn retype<A2, P2>(self) -> AuthorizationRequest<A2, P2> {
        AuthorizationRequest {
            core: self.core,
            scope: self.scope,
            redirect_uri: self.redirect_uri,
            response_mode: self.response_mode,
            prompt: self.prompt,
            max_age: self.max_age,
            login_hint: self.login_hint,
            ui_locales: self.ui_locales,
            acr_values: self.acr_values,
            id_token_hint: self.id_token_hint,
            state: self.state,
            nonce: self.nonce,
            pkce_method: self.pkce_method,
            verifier: self.verifier,
            extra: self.extra,
            errors: self.errors,
            _marker: PhantomData,
        }
    }

    /// Adds space-separated scope tokens (e.g. `"profile email"`). `offline_access`
    /// is refused here: use [`offline_access`](AuthorizationRequest::offline_access),
    /// which also changes the request's type.
    pub fn scope(mut self, scope: &str) -> Self {
        add_scope(&mut self.scope, scope, &mut self.errors);
        self
    }

    /// Removes `openid` from the scope: a plain OAuth 2.0 request, no ID token.
    pub fn without_openid(mut self) -> Self {
        self.scope.remove(Scope::OPENID);
        self
    }

    /// Overrides the redirect URI for this request.
    pub fn redirect_uri(mut self, uri: RedirectUrl) -> Self {
        self.redirect_uri = Some(uri);
        self
    }
    /// Sets the response mode (default: the provider's default, `query` for `code`).
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        self.response_mode = Some(mode);
        self
    }
    /// Adds a `prompt` value; several are sent space-separated.
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        if !self.prompt.contains(&prompt) {
            self.prompt.push(prompt);
        }
        self
    }
    /// Sets `max_age`: the ID token must then carry an `auth_time` no older than this.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }
    /// Sets `login_hint`.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }
    /// Sets `ui_locales` (space-separated BCP 47 tags).
    pub fn ui_locales(mut self, locales: impl Into<String>) -> Self {
        self.ui_locales = Some(locales.into());
        self
    }
    /// Sets `acr_values` (space-separated).
    pub fn acr_values(mut self, values: impl Into<String>) -> Self {
        self.acr_values = Some(values.into());
        self
    }
    /// Sets `id_token_hint`.
    pub fn id_token_hint(mut self, token: IdToken) -> Self {
        self.id_token_hint = Some(token);
        self
    }
    /// Overrides the generated `state`.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }
    /// Overrides the generated `nonce`.
    pub fn nonce(mut self, nonce: Nonce) -> Self {
        self.nonce = Some(nonce);
        self
    }
    /// Sets the `claims` request parameter (OpenID Connect Core §5.5): a JSON object whose
    /// `id_token` and `userinfo` members name the claims to return there, each `null` or an
    /// object with `essential`, `value` or `values`, e.g.
    /// `json!({"id_token": {"name": {"essential": true}}})`. It is sent as compact JSON;
    /// anything but a JSON object is refused at `start()` with [`ConfigError::InvalidValue`].
    /// The claims come back in [`IdTokenClaims::get`](crate::IdTokenClaims::get) and
    /// [`UserInfoClaims`](crate::UserInfoClaims).
    pub fn claims(mut self, request: &serde_json::Value) -> Self {
        let result = if request.is_object() {
            set_extra(
                &mut self.extra,
                RESERVED,
                "claims".into(),
                request.to_string(),
            )
        } else {
            Err(ConfigError::InvalidValue {
                what: "claims",
                detail:
                    "the claims request parameter must be a JSON object (OpenID Connect Core §5.5)"
                        .into(),
            })
        };
        if let Err(e) = result {
            self.errors.push(e);
        }
        self
    }
    /// Adds a provider-specific parameter. The flow's own parameters (`state`,
    /// `nonce`, `code_challenge`, `redirect_uri`, `scope` …) cannot be overridden;
    /// any other standard parameter set on the builder is replaced by it.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Err(e) = set_extra(&mut self.extra, RESERVED, name.into(), value.into()) {
            self.errors.push(e);
        }
        self
    }
}

impl<P> AuthorizationRequest<Online, P> {
    /// Asks for a refresh token: adds `offline_access` to the scope and
    /// `prompt=consent` (which OpenID Connect Core §11 requires for it), and makes
    /// the resulting tokens [`Offline`], the only kind that can refresh.
    pub fn offline_access(self) -> AuthorizationRequest<Offline, P> {
        let mut next = self.prompt(Prompt::Consent).retype::<Offline, P>();
        next.scope.push(ScopeToken::offline_access());
        next
    }
}

impl<A> AuthorizationRequest<A, Pkce> {
    /// Uses `plain` instead of `S256` — the weaker method, for providers that cannot
    /// do S256 (RFC 7636 §4.2).
    pub fn pkce_plain(mut self) -> Self {
        self.pkce_method = CodeChallengeMethod::Plain;
        self
    }
    /// Uses this verifier instead of a generated one.
    pub fn code_verifier(mut self, verifier: CodeVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }
    /// Turns PKCE off. Only confidential clients may do this; `start` refuses it for
    /// a public client.
    pub fn without_pkce(self) -> AuthorizationRequest<A, NoPkce> {
        self.retype()
    }
}

impl<A: Access, P: PkceMode> AuthorizationRequest<A, P> {
    /// Builds the authorization URL and the [`Pending`] flow that will receive the
    /// callback. Fails if a builder call was given an invalid value, no redirect URI
    /// is configured, the provider has no authorization endpoint (or lists response
    /// types or modes without the requested one, or `code_challenge_methods_supported`
    /// without this flow's PKCE method: [`ConfigError::UnsupportedByProvider`], RFC 9700
    /// §2.1.1), or a public client turned PKCE off; and with
    /// [`ConfigError::PushedAuthorizationRequired`] when the provider requires PAR
    /// (RFC 9126): use [`start_pushed`](Self::start_pushed) or
    /// [`start_auto`](Self::start_auto).
    pub fn start(self) -> Result<(AuthorizationUrl, Pending<A, P>), Error> {
        if self.core.metadata.require_pushed_authorization_requests {
            return Err(ConfigError::PushedAuthorizationRequired.into());
        }
        self.prepare(&ResponseSpec::CODE)
    }

    /// The client this request was made by (PAR hook).
    pub(crate) fn client_core(&self) -> &ClientCore {
        &self.core
    }

    /// The client this request was made by, shared.
    pub(crate) fn client_core_arc(&self) -> Arc<ClientCore> {
        self.core.clone()
    }

    /// Builds the authorization URL for `spec` and the [`Pending`] flow: the work of
    /// [`start`](Self::start), shared with the implicit and hybrid flows.
    pub(crate) fn prepare(
        self,
        spec: &ResponseSpec,
    ) -> Result<(AuthorizationUrl, Pending<A, P>), Error> {
        let core = self.core.clone();
        let (url, pending) = self.prepare_with(spec, |endpoint, params| {
            let params = crate::jar::wrap_params(&core, params, false)?;
            Ok::<_, Error>(AuthorizationUrl::from_params(endpoint, &params))
        })?;
        Ok((url?, pending))
    }

    /// The code flow's checks and parameters, handed to `finish` (which builds the
    /// URL, or the PAR body).
    pub(crate) fn start_with<R>(
        self,
        finish: impl FnOnce(&crate::types::EndpointUrl, &[(&str, Cow<'_, str>)]) -> R,
    ) -> Result<(R, Pending<A, P>), Error> {
        self.prepare_with(&ResponseSpec::CODE, finish)
    }

    /// Runs every check, generates `state`, `nonce` and the PKCE pair, and hands the
    /// authorization endpoint and the request parameters for `spec` to `finish`.
    pub(crate) fn prepare_with<R>(
        mut self,
        spec: &ResponseSpec,
        finish: impl FnOnce(&crate::types::EndpointUrl, &[(&str, Cow<'_, str>)]) -> R,
    ) -> Result<(R, Pending<A, P>), Error> {
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e.into());
        }
        let md = &self.core.metadata;
        spec.check(self.response_mode, &self.scope, md)?;
        let endpoint =
            ProviderMetadata::endpoint(&md.authorization_endpoint, "authorization_endpoint")?;
        let redirect_uri = self
            .redirect_uri
            .take()
            .ok_or(ConfigError::MissingCredential("a redirect_uri"))?;
        if spec.code && !P::ENABLED && !self.core.auth.is_confidential() {
            return Err(ConfigError::InvalidValue {
                what: "pkce",
                detail: "public clients must use PKCE".into(),
            }
            .into());
        }
        // RFC 9700 §2.1.1: a provider advertises its PKCE support in
        // `code_challenge_methods_supported` (RFC 8414 §2); one that lists methods without
        // the one this flow would send does not verify it (an unknown parameter is ignored,
        // RFC 6749 §3.1), and the code would be left unprotected against injection. An absent
        // list says nothing.
        let methods = &md.code_challenge_methods_supported;
        if P::ENABLED
            && !methods.is_empty()
            && !methods.iter().any(|m| m == self.pkce_method.as_str())
        {
            return Err(ConfigError::UnsupportedByProvider(match self.pkce_method {
                CodeChallengeMethod::S256 => "PKCE code_challenge_method=S256",
                CodeChallengeMethod::Plain => "PKCE code_challenge_method=plain",
            })
            .into());
        }
        if self.prompt.len() > 1 && self.prompt.contains(&Prompt::None) {
            return Err(ConfigError::InvalidValue {
                what: "prompt",
                detail: "prompt=none cannot be combined with other values".into(),
            }
            .into());
        }
        let state = self.state.take().unwrap_or_else(State::random);
        let nonce = self
            .scope
            .has_openid()
            .then(|| self.nonce.take().unwrap_or_else(Nonce::random));
        let (pkce, challenge) = P::begin(self.pkce_method, self.verifier.take());

        let mut params: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(16 + self.extra.len());
        params.push(("response_type", spec.response_type.into()));
        params.push(("client_id", self.core.auth.client_id.as_str().into()));
        params.push(("redirect_uri", redirect_uri.as_str().into()));
        params.push(("scope", scope_string(&self.scope).into()));
        params.push(("state", state.secret().into()));
        if let Some(n) = &nonce {
            params.push(("nonce", n.secret().into()));
        }
        if let Some(c) = &challenge {
            params.push(("code_challenge", c.as_str().into()));
            params.push(("code_challenge_method", c.method().as_str().into()));
        }
        if let Some(m) = self.response_mode {
            params.push(("response_mode", m.as_str().into()));
        }
        // RFC 9449 §10: binds the authorization code to the DPoP key.
        if let (true, Some(dpop)) = (spec.code, &self.core.dpop) {
            params.push(("dpop_jkt", dpop.key.thumbprint().into()));
        }
        match self.prompt.as_slice() {
            [] => {}
            [one] => params.push(("prompt", one.as_str().into())),
            many => {
                let joined: Vec<&str> = many.iter().map(Prompt::as_str).collect();
                params.push(("prompt", joined.join(" ").into()));
            }
        }
        let max_age_s = self.max_age.map(|m| m.to_string());
        if let Some(m) = &max_age_s {
            params.push(("max_age", m.as_str().into()));
        }
        for (name, value) in [
            ("login_hint", self.login_hint.as_deref()),
            ("ui_locales", self.ui_locales.as_deref()),
            ("acr_values", self.acr_values.as_deref()),
            (
                "id_token_hint",
                self.id_token_hint.as_ref().map(IdToken::secret),
            ),
        ] {
            if let Some(v) = value {
                params.push((name, v.into()));
            }
        }
        for (name, value) in &self.extra {
            params.retain(|(n, _)| *n != name.as_str());
            params.push((name.as_str(), value.as_str().into()));
        }
        let out = finish(endpoint, &params);

        let pending = Pending::new(
            &self.core,
            redirect_uri,
            state,
            nonce,
            pkce,
            self.scope,
            self.max_age,
            self.response_mode
                .map_or(spec.default_mode, |m| m.resolve(spec.default_mode)),
        );
        Ok((out, pending))
    }
}

impl AuthorizationUrl {
    /// The authorization endpoint with these parameters (PAR hook).
    pub(crate) fn from_params(
        endpoint: &crate::types::EndpointUrl,
        params: &[(&str, Cow<'_, str>)],
    ) -> Self {
        Self(build_url(endpoint.url(), params))
    }
}

/// Adds space-separated scope tokens to `scope`, recording invalid ones (and
/// `offline_access`, which only the typestate `offline_access()` may add) in `errors`.
pub(crate) fn add_scope(scope: &mut Scope, tokens: &str, errors: &mut Vec<ConfigError>) {
    for token in tokens.split(' ').filter(|t| !t.is_empty()) {
        if token == Scope::OFFLINE_ACCESS {
            errors.push(ConfigError::InvalidValue {
                what: "scope",
                detail:
                    "request offline_access with .offline_access(), which yields refreshable tokens"
                        .into(),
            });
            continue;
        }
        match ScopeToken::new(token) {
            Ok(t) => scope.push(t),
            Err(e) => errors.push(e),
        }
    }
}

/// Sets a provider-specific parameter in `extra`, replacing an earlier value of the same
/// name; refuses a name the request sets itself (`reserved`).
pub(crate) fn set_extra(
    extra: &mut Vec<(String, String)>,
    reserved: &[&str],
    name: String,
    value: String,
) -> Result<(), ConfigError> {
    if reserved.contains(&name.as_str()) {
        return Err(ConfigError::InvalidValue {
            what: "extra parameter",
            detail: format!("{name} is set by the flow itself"),
        });
    }
    match extra.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = value,
        None => extra.push((name, value)),
    }
    Ok(())
}

/// What an authorization request asks the authorization endpoint to return
/// (OAuth 2.0 Multiple Response Type Encoding Practices §3–§5).
pub(crate) struct ResponseSpec {
    /// The `response_type` value.
    pub(crate) response_type: &'static str,
    /// `"response_type=<value>"`, for "unsupported by provider" errors.
    pub(crate) label: &'static str,
    /// Whether a code is returned (so PKCE applies).
    pub(crate) code: bool,
    /// Whether an ID token is returned by the authorization endpoint (`openid` required).
    pub(crate) id_token: bool,
    /// The response mode when none is set: `fragment` for any response type that returns
    /// tokens from the authorization endpoint, which must then never use `query` (§5).
    pub(crate) default_mode: ResponseMode,
}

impl ResponseSpec {
    /// `response_type=code` (RFC 6749 §4.1.1).
    pub(crate) const CODE: Self = Self {
        response_type: "code",
        label: "response_type=code",
        code: true,
        id_token: false,
        default_mode: ResponseMode::Query,
    };

    /// Refuses what the request cannot do: `query` for front-channel tokens, an ID token
    /// without `openid`, and a response type or mode the provider's metadata leaves out
    /// (when it lists any).
    fn check(
        &self,
        mode: Option<ResponseMode>,
        scope: &Scope,
        md: &ProviderMetadata,
    ) -> Result<(), ConfigError> {
        if self.default_mode == ResponseMode::Fragment && mode.is_some_and(ResponseMode::is_query) {
            return Err(ConfigError::InvalidValue {
                what: "response_mode",
                detail: format!("response_type={} must not use query", self.response_type),
            });
        }
        if self.id_token && !scope.has_openid() {
            return Err(ConfigError::InvalidValue {
                what: "scope",
                detail: format!(
                    "response_type={} needs the openid scope",
                    self.response_type
                ),
            });
        }
        // The order of words inside a response type does not matter (OAuth 2.0 Multiple
        // Response Type Encoding Practices §5); nothing is checked when the provider lists none.
        let types = &md.response_types_supported;
        if !types.is_empty() {
            let same_words = |listed: &String| {
                let mut a: Vec<&str> = listed.split(' ').filter(|w| !w.is_empty()).collect();
                let mut b: Vec<&str> = self.response_type.split(' ').collect();
                a.sort_unstable();
                b.sort_unstable();
                a == b
            };
            if !types.iter().any(same_words) {
                return Err(ConfigError::UnsupportedByProvider(self.label));
            }
        }
        let modes = &md.response_modes_supported;
        if let Some(m) = mode
            && !modes.is_empty()
            && !modes.iter().any(|listed| listed == m.as_str())
        {
            return Err(ConfigError::UnsupportedByProvider(m.label()));
        }
        Ok(())
    }
}

/// Appends `params` to `endpoint`, keeping its own query except for names in
/// `params` (so no parameter appears twice), and percent-encoding every value.
pub(crate) fn build_url(endpoint: &url::Url, params: &[(&str, Cow<'_, str>)]) -> String {
    let base = &endpoint.as_str()[..endpoint
        .as_str()
        .find('?')
        .unwrap_or(endpoint.as_str().len())];
    let capacity = base.len()
        + 1
        + endpoint.query().map_or(0, str::len)
        + params
            .iter()
            .map(|(n, v)| n.len() + v.len() * 3 + 2)
            .sum::<usize>();
    // Built as bytes (every piece is UTF-8: the URL, `?&=`, and the ASCII encoder output).
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    out.extend_from_slice(base.as_bytes());
    let mut first = true;
    if let Some(query) = endpoint.query().filter(|q| !q.is_empty()) {
        let collides = url::form_urlencoded::parse(query.as_bytes())
            .any(|(n, _)| params.iter().any(|(p, _)| *p == n));
        if collides {
            let kept = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(n, _)| !params.iter().any(|(p, _)| *p == n));
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            ser.extend_pairs(kept);
            let q = ser.finish();
            if !q.is_empty() {
                out.push(b'?');
                out.extend_from_slice(q.as_bytes());
                first = false;
            }
        } else {
            out.push(b'?');
            out.extend_from_slice(query.as_bytes());
            first = false;
        }
    }
    for (name, value) in params {
        out.push(if first { b'?' } else { b'&' });
        first = false;
        push_form_urlencoded(&mut out, name.as_bytes());
        out.push(b'=');
        push_form_urlencoded(&mut out, value.as_bytes());
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The scope as sent: its tokens separated by single spaces (what `Display` writes), in a
/// string allocated once.
fn scope_string(scope: &Scope) -> String {
    let mut out = String::with_capacity(scope.iter().map(|t| t.len() + 1).sum());
    for token in scope.iter() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// Bytes that `application/x-www-form-urlencoded` serialization leaves as they are
/// (WHATWG URL §5.2): `*-._`, ASCII digits and letters.
const FORM_UNCHANGED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] =
            matches!(b as u8, b'*' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'_' | b'a'..=b'z');
        b += 1;
    }
    table
};

/// Appends `value` form-urlencoded, byte for byte what `url::form_urlencoded::byte_serialize`
/// produces (space as `+`, every other byte outside [`FORM_UNCHANGED`] as `%XX` with upper-case
/// hex), copying each unchanged run at once. The output is ASCII.
fn push_form_urlencoded(out: &mut Vec<u8>, value: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = value;
    while let Some(run) = rest.iter().position(|&b| !FORM_UNCHANGED[usize::from(b)]) {
        let (unchanged, tail) = rest.split_at(run);
        out.extend_from_slice(unchanged);
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_urlencoding_matches_the_url_crate() {
        let mut samples: Vec<String> = [
            "",
            " ",
            "openid profile email",
            "https://app.example.com/cb?x=1&y=a b#f",
            "*-._~!$'()+,;=:@/?%",
            "caf\u{e9} \u{1F600} \u{7f}\u{0}\t\r\n",
            "\u{e9}\u{e9}a\u{e9}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        samples.push((0u8..=127).map(char::from).collect());
        samples.push(('\u{80}'..='\u{3ff}').collect());
        for s in &samples {
            let mut fast = Vec::new();
            push_form_urlencoded(&mut fast, s.as_bytes());
            let reference: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            assert_eq!(
                String::from_utf8(fast).as_deref(),
                Ok(reference.as_str()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn scope_string_matches_display() {
        for s in ["", "openid", "openid profile email", "a b c d e"] {
            let scope = Scope::parse(s).unwrap_or_default();
            assert_eq!(scope_string(&scope), scope.to_string());
        }
    }
}
