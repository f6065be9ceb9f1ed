//! The GenAuth CAS preset: the generic [`CasClient`] at `{app_host}/cas-idp/{app_id}`.

use crate::cas::{CasClient, CasOutcome, CasTicket};
use crate::error::{ConfigError, Error};
use crate::http::HttpClient;

use super::GenAuth;

/// GenAuth's CAS protocol: login and logout links and service-ticket validation at
/// `{app_host}/cas-idp/{app_id}`. Made by `GenAuth::cas`. It has no token operation:
/// CAS yields a user name (and attributes), not OAuth tokens.
#[derive(Debug)]
pub struct GenAuthCas<H> {
    cas: CasClient<H>,
}

impl<H: HttpClient> GenAuthCas<H> {
    pub(super) fn new(app: &GenAuth, http: H) -> Result<Self, ConfigError> {
        let base = app.join_segments(&["cas-idp", app.app_id().as_str()]);
        Ok(Self {
            cas: CasClient::new(base.as_str(), http)?,
        })
    }

    /// The generic CAS client this preset runs on.
    pub fn client(&self) -> &CasClient<H> {
        &self.cas
    }

    /// `{server}/login?service=…` (SDK `build_authorize_url` in `cas` mode), encoded.
    ///
    /// # Errors
    ///
    /// As the generic login-URL builder.
    pub fn login_url(&self, service: &str) -> Result<String, ConfigError> {
        self.cas.login_url(service).build()
    }

    /// `{server}/logout[?service=…]` (SDK `build_logout_url` in `cas` mode), encoded.
    pub fn logout_url(&self, service: Option<&str>) -> String {
        self.cas.logout_url(service)
    }

    /// CAS 1.0 `/validate`, parsed as text (`yes\n<user>\n` / `no\n\n`, trailing newline
    /// optional) — what SDK `validate_ticket_v1` meant to do.
    ///
    /// # Errors
    ///
    /// Transport errors; typed errors for a malformed or oversized answer.
    pub async fn validate_ticket_v1(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        self.cas.validate_v1(ticket, service).await
    }

    /// CAS 2.0 `/serviceValidate`.
    ///
    /// # Errors
    ///
    /// As [`validate_ticket_v1`](Self::validate_ticket_v1).
    pub async fn validate_ticket_v2(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        self.cas.validate_v2(ticket, service).await
    }

    /// CAS 3.0 `/p3/serviceValidate` (with attributes).
    ///
    /// # Errors
    ///
    /// As [`validate_ticket_v1`](Self::validate_ticket_v1).
    pub async fn validate_ticket_v3(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        self.cas.validate_v3(ticket, service).await
    }
}

impl GenAuth {
    /// The CAS preset at `{app_host}/cas-idp/{app_id}`. Needs no secret.
    ///
    /// # Errors
    ///
    /// When the CAS base URL is not `https` (or `http` on a loopback host).
    pub fn cas<H: HttpClient>(&self, http: H) -> Result<GenAuthCas<H>, ConfigError> {
        GenAuthCas::new(self, http)
    }
}
