//! The pending flow and the authorization response (RFC 6749 §4.1.2, RFC 9207,
//! OAuth 2.0 Form Post Response Mode).

use std::collections::HashMap;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::{Access, PkceMode, ResponseMode};
use crate::client::{Client, ClientCore, ClientKind};
use crate::error::{CallbackError, ConfigError, Error, ProviderError};
use crate::http::HttpClient;
use crate::response::{RequestSecrets, sanitize};
use crate::types::{AuthorizationCode, ClientId, Nonce, RedirectUrl, Scope, State, ct_eq};

/// An authorization request that was sent and awaits its callback.
///
/// It holds the request's `state`, `nonce`, PKCE verifier, redirect URI and scope.
/// It is `Serialize + Deserialize`, so a web application can keep it in its
/// server-side session between the redirect and the callback — note that the
/// serialized form contains those secrets in clear, as it must to be useful: store
/// it server-side or encrypted, never in a plain cookie.
#[derive(Serialize, Deserialize)]
#[serde(bound(serialize = "P: Serialize", deserialize = "P: Deserialize<'de>"))]
pub struct Pending<A = super::Online, P = super::Pkce> {
    pub(crate) client_id: ClientId,
    pub(crate) issuer: String,
    pub(crate) redirect_uri: RedirectUrl,
    pub(crate) state: State,
    pub(crate) nonce: Option<Nonce>,
    pub(crate) pkce: P,
    pub(crate) scope: Scope,
    pub(crate) max_age: Option<u64>,
    pub(crate) response_mode: ResponseMode,
    pub(crate) iss_required: bool,
    #[serde(skip)]
    _access: PhantomData<fn() -> A>,
}

impl<A, P> std::fmt::Debug for Pending<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field("scope", &self.scope)
            .field("response_mode", &self.response_mode)
            .finish_non_exhaustive()
    }
}

/// A callback that passed every front-channel check: the only value with
/// [`exchange`](CodeReceived::exchange).
pub struct CodeReceived<A = super::Online, P = super::Pkce> {
    pub(crate) pending: Pending<A, P>,
    pub(crate) code: AuthorizationCode,
}

impl<A, P> std::fmt::Debug for CodeReceived<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeReceived")
            .field("pending", &self.pending)
            .field("code", &self.code)
            .finish()
    }
}

impl<A: Access, P: PkceMode> Pending<A, P> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        core: &ClientCore,
        redirect_uri: RedirectUrl,
        state: State,
        nonce: Option<Nonce>,
        pkce: P,
        scope: Scope,
        max_age: Option<u64>,
        response_mode: ResponseMode,
    ) -> Self {
        Self {
            client_id: core.auth.client_id.clone(),
            issuer: core.metadata.issuer.as_str().to_owned(),
            redirect_uri,
            state,
            nonce,
            pkce,
            scope,
            max_age,
            response_mode,
            iss_required: core.metadata.authorization_response_iss_parameter_supported,
            _access: PhantomData,
        }
    }

    /// The `state` sent with the request.
    pub fn state(&self) -> &State {
        &self.state
    }
    /// The `nonce` sent with the request (OpenID Connect requests only).
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }
    /// The redirect URI the callback arrives at.
    pub fn redirect_uri(&self) -> &RedirectUrl {
        &self.redirect_uri
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Consumes the redirect the provider sent the user agent to: an absolute URL, or
    /// the path-and-query (or `?query` / `#fragment`) part of it as a web framework
    /// hands it over. Reads the query or the fragment according to the response mode.
    ///
    /// Checks, in order: no parameter repeated; RFC 9207 `iss` (when present, and
    /// required when the provider advertises it); `state`, in constant time; then an
    /// `error` response becomes [`Error::Provider`]; otherwise `code` must be present.
    ///
    /// A JWT-secured response (JARM, [`ResponseMode::is_jwt`]) needs the provider's keys:
    /// it is refused here with [`ConfigError::InvalidValue`]; use
    /// [`callback_with`](Self::callback_with).
    pub fn callback(self, redirect: &str) -> Result<CodeReceived<A, P>, Error> {
        self.refuse_jarm()?;
        let params = self.redirect_params(redirect)?;
        self.accept(params)
    }

    /// Consumes a `form_post` callback: the `application/x-www-form-urlencoded` body
    /// the user agent POSTed to the redirect URI. JARM as in [`callback`](Self::callback).
    pub fn callback_form(self, body: &[u8]) -> Result<CodeReceived<A, P>, Error> {
        self.refuse_jarm()?;
        let params = self.form_params(body)?;
        self.accept(params)
    }

    /// [`callback`](Self::callback) for any response mode, JWT-secured ones (JARM) included:
    /// a `response` JWT is verified with the provider's keys — signature, `iss`, `aud`,
    /// `exp` ([`crate::jarm`]) — before `state`, `code` or `error` are read from it.
    /// `client` must be the client that started the flow.
    pub async fn callback_with<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        redirect: &str,
    ) -> Result<CodeReceived<A, P>, Error> {
        self.check_client(client)?;
        let params = self.redirect_params(redirect)?;
        let params = self.unwrap_jarm(client, params).await?;
        self.accept(params)
    }

    /// [`callback_form`](Self::callback_form) for any response mode, `form_post.jwt`
    /// included; as [`callback_with`](Self::callback_with).
    pub async fn callback_form_with<H: HttpClient, K: ClientKind>(
        self,
        client: &Client<H, K>,
        body: &[u8],
    ) -> Result<CodeReceived<A, P>, Error> {
        self.check_client(client)?;
        let params = self.form_params(body)?;
        let params = self.unwrap_jarm(client, params).await?;
        self.accept(params)
    }

    fn refuse_jarm(&self) -> Result<(), ConfigError> {
        if self.response_mode.is_jwt() {
            return Err(ConfigError::InvalidValue {
                what: "callback",
                detail: "this flow asked for a JWT-secured response (JARM), which needs the \
                         provider's keys: use callback_with(&client, ..)"
                    .into(),
            });
        }
        Ok(())
    }

    /// The parameters inside a JARM `response` JWT, verified; other responses as they are.
    pub(crate) async fn unwrap_jarm<H: HttpClient, K: ClientKind>(
        &self,
        client: &Client<H, K>,
        params: HashMap<String, String>,
    ) -> Result<HashMap<String, String>, Error> {
        if self.response_mode.is_jwt() {
            crate::jarm::response_params(client, params).await
        } else {
            Ok(params)
        }
    }

    fn accept(self, mut params: HashMap<String, String>) -> Result<CodeReceived<A, P>, Error> {
        self.check_response(&mut params, false)?;
        let code = take_code(&mut params)?;
        Ok(CodeReceived {
            pending: self,
            code,
        })
    }

    /// The parameters of a redirect callback: its query or fragment, by response mode.
    pub(crate) fn redirect_params(&self, redirect: &str) -> Result<HashMap<String, String>, Error> {
        if self.response_mode.is_form_post() {
            return Err(CallbackError::Malformed(
                "this flow expects a form_post body: use callback_form".into(),
            )
            .into());
        }
        let url = url::Url::parse(redirect)
            .or_else(|_| self.redirect_uri.url().join(redirect))
            .map_err(|e| CallbackError::Malformed(format!("not a URL: {e}")))?;
        let raw = if self.response_mode.is_fragment() {
            url.fragment()
        } else {
            url.query()
        }
        .unwrap_or_default();
        Ok(parse_params(raw.as_bytes())?)
    }

    /// The parameters of a `form_post` callback body.
    pub(crate) fn form_params(&self, body: &[u8]) -> Result<HashMap<String, String>, Error> {
        if !self.response_mode.is_form_post() {
            return Err(CallbackError::Malformed(
                "this flow did not request response_mode=form_post".into(),
            )
            .into());
        }
        Ok(parse_params(body)?)
    }

    /// The checks every authorization response passes first (RFC 9207 `iss`, `state`,
    /// then an `error` response); removes the parameters it consumed. When the response
    /// carries an ID token (`with_id_token`), whose validated `iss` identifies the issuer,
    /// the `iss` parameter may be absent (RFC 9207 §2.4) but must still match if present.
    pub(crate) fn check_response(
        &self,
        params: &mut HashMap<String, String>,
        with_id_token: bool,
    ) -> Result<(), Error> {
        match params.remove("iss") {
            Some(iss) if iss != self.issuer => {
                // Unauthenticated input: kept printable and bounded for the error.
                return Err(CallbackError::IssuerMismatch {
                    expected: self.issuer.clone(),
                    actual: sanitize(&iss, 256).unwrap_or_default(),
                }
                .into());
            }
            None if self.iss_required && !with_id_token => {
                return Err(CallbackError::IssuerMissing.into());
            }
            _ => {}
        }
        let state = params.remove("state").ok_or(CallbackError::StateMissing)?;
        if !ct_eq(state.as_bytes(), self.state.secret().as_bytes()) {
            return Err(CallbackError::StateMismatch.into());
        }
        if let Some(error) = params.remove("error") {
            let error = ProviderError {
                error: sanitize(&error, 128).unwrap_or_else(|| "invalid_error".into()),
                error_description: params
                    .remove("error_description")
                    .and_then(|d| sanitize(&d, 1024)),
                error_uri: params.remove("error_uri").and_then(|u| sanitize(&u, 1024)),
                status: None,
            };
            // Provider text echoing this flow's secrets (or a code sent with the error)
            // must not reach the error message.
            let secrets = RequestSecrets::of_values(
                [Some(state.as_str()), params.get("code").map(String::as_str)]
                    .into_iter()
                    .flatten()
                    .chain(self.nonce.as_ref().map(Nonce::secret))
                    .chain(self.pkce.verifier().map(|v| v.secret())),
            );
            return Err(secrets.scrub(error.into()));
        }
        Ok(())
    }

    /// Refuses to go on with a client other than the one (or for another issuer than
    /// the one) that started this flow.
    pub(crate) fn check_client<H, K>(&self, client: &Client<H, K>) -> Result<(), ConfigError> {
        if client.core.auth.client_id != self.client_id
            || client.core.metadata.issuer.as_str() != self.issuer
        {
            return Err(ConfigError::InvalidValue {
                what: "client",
                detail: "this flow was started by another client or for another issuer".into(),
            });
        }
        Ok(())
    }
}

/// Removes the (non-empty) `code` parameter.
pub(crate) fn take_code(
    params: &mut HashMap<String, String>,
) -> Result<AuthorizationCode, CallbackError> {
    take_param(params, "code").map(AuthorizationCode::new)
}

/// Removes a required, non-empty parameter of an authorization response.
pub(crate) fn take_param(
    params: &mut HashMap<String, String>,
    name: &'static str,
) -> Result<String, CallbackError> {
    params
        .remove(name)
        .filter(|v| !v.is_empty())
        .ok_or(CallbackError::MissingParameter(name))
}

/// Parses form-encoded parameters, refusing any that appears twice (RFC 6749 §3.1).
pub(crate) fn parse_params(raw: &[u8]) -> Result<HashMap<String, String>, CallbackError> {
    const MAX: usize = 64 * 1024;
    if raw.len() > MAX {
        return Err(CallbackError::Malformed(format!(
            "parameters longer than {MAX} bytes"
        )));
    }
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(raw) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(CallbackError::RepeatedParameter(
                sanitize(&name, 64).unwrap_or_default(),
            ));
        }
    }
    Ok(params)
}
