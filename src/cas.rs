//! A CAS client (Apereo CAS Protocol 3.0) usable with any CAS server.
//!
//! [`CasClient`] builds the browser-facing URLs — `/login` (§2.1, with `service`,
//! `renew` and `gateway`) and `/logout` (§2.3) — and validates service tickets over
//! the three protocol generations: `/validate` (§2.4, CAS 1.0 plain text),
//! `/serviceValidate` (§2.5, CAS 2.0 XML) and `/p3/serviceValidate` (§2.6, CAS 3.0
//! XML with `cas:attributes`). As everywhere in this crate, the protocol steps are
//! sans-IO: `validate_v*_request` builds an [`http::Request`], [`read_v1_response`]
//! and [`read_service_response`] read an [`http::Response`], and the `async`
//! `validate_v*` methods only join the two over an [`HttpClient`].
//!
//! # What a validation response must look like
//!
//! * **Status.** Any non-2xx status is [`ResponseError::UnexpectedStatus`](crate::error::ResponseError::UnexpectedStatus): the
//!   protocol reports a refused ticket in the body (§2.4.2, §2.5.2), so a 4xx/5xx
//!   means something else went wrong (and its body is not read).
//! * **Size.** A body larger than [`MAX_RESPONSE_BYTES`] (64 KiB) is
//!   [`CasError::TooLarge`], before any parsing.
//! * **Content type.** The specification does not name one, and real servers
//!   disagree: Apereo CAS sends `application/xml`, older Jasig servers and many
//!   homegrown ones send `text/html` or `text/plain` for every endpoint. Being
//!   strict here would break real servers without protecting anything, because the
//!   parsers below are the real gate. So `/validate` accepts `text/plain` and
//!   `text/html`; `/serviceValidate` and `/p3/serviceValidate` accept `text/xml`,
//!   `application/xml`, any `*/*+xml`, `text/html` and `text/plain`; both accept a
//!   missing `Content-Type`. Anything else — notably `application/json` (the CAS
//!   3.0 `format=JSON` answer, which this client never asks for) — is refused with
//!   [`ResponseError::ContentType`](crate::error::ResponseError::ContentType).
//! * **Body.** CAS 1.0 is parsed as text by [`parse_v1`]; CAS 2.0/3.0 as XML by
//!   [`parse_service_response`], which refuses DTDs (no entity expansion, no XXE),
//!   caps the element depth, and reports truncated or foreign documents as
//!   [`CasError`] values.
//!
//! # Secrets
//!
//! Tickets are [`CasTicket`] values: their `Debug` is redacted and they never appear
//! in an error. A server's failure message often quotes the ticket it refused
//! (`Ticket 'ST-1-…' not recognized`); [`CasFailure::message`] has every word that
//! starts like a CAS ticket (`ST-`, `PT-`, `PGT-`, `PGTIOU-`, `TGC-`, §3.1–§3.4,
//! §3.6, and Apereo's `TGT-`) redacted, and the `validate_v2`/`validate_v3` methods
//! also redact the exact ticket sent.

mod response;
mod xml;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{ConfigError, Error};
use crate::flow::build_url;
use crate::http::HttpClient;
use crate::types::EndpointUrl;
use response::{read_xml, redact_exact};

pub use response::{parse_v1, read_service_response, read_v1_response};
pub use xml::parse_service_response;

/// The CAS XML namespace of `cas:serviceResponse` (CAS Protocol 3.0 §2.5.2, §2.6.2).
pub const CAS_NAMESPACE: &str = "http://www.yale.edu/tp/cas";

/// The largest validation response body read, in bytes (64 KiB). A CAS response is
/// a few hundred bytes; a few hundred attributes still fit.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The longest failure message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 1024;

/// A CAS ticket: a service ticket (`ST-`, CAS Protocol 3.0 §3.1), proxy ticket
/// (`PT-`, §3.2), proxy-granting ticket (`PGT-`, §3.3) or proxy-granting ticket
/// IOU (`PGTIOU-`, §3.4). Tickets are bearer credentials: `Debug` prints
/// `CasTicket([redacted])`, there is no `Display`, and the value is reachable only
/// through [`CasTicket::secret`]. Equality is constant-time.
#[derive(Clone)]
pub struct CasTicket(SecretString);

impl CasTicket {
    /// Wraps a ticket, e.g. the `ticket` query parameter of the service callback
    /// (CAS Protocol 3.0 §2.2.4).
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }
    /// The ticket value. Every call site that reveals it is visible in code review.
    pub fn secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for CasTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CasTicket([redacted])")
    }
}

impl PartialEq for CasTicket {
    /// Constant-time comparison of the two values.
    fn eq(&self, other: &Self) -> bool {
        crate::types::ct_eq(self.secret().as_bytes(), other.secret().as_bytes())
    }
}

impl Eq for CasTicket {}

/// The result of a ticket validation: the server either vouches for a user or
/// refuses the ticket. A refusal is an answer, not an error, so it is a value here;
/// transport, status, content-type and parse problems are [`Error`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CasOutcome {
    /// `yes` (§2.4.2) or `cas:authenticationSuccess` (§2.5.2, §2.6.2).
    Success(CasSuccess),
    /// `no` (§2.4.2) or `cas:authenticationFailure` (§2.5.2, §2.6.2).
    Failure(CasFailure),
}

impl CasOutcome {
    /// Whether the ticket was accepted.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success(_))
    }
    /// The success, or the failure as the error.
    pub fn into_result(self) -> Result<CasSuccess, CasFailure> {
        match self {
            Self::Success(s) => Ok(s),
            Self::Failure(f) => Err(f),
        }
    }
}

/// A validated ticket (`cas:authenticationSuccess`, CAS Protocol 3.0 §2.5.2, §2.6.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CasSuccess {
    /// The authenticated user (`cas:user`; the second line of a CAS 1.0 `yes`).
    pub user: String,
    /// The user's attributes (`cas:attributes`, §2.6.2), by element local name. A repeated element gives several values,
    /// in document order; values are trimmed of surrounding whitespace. Empty for
    /// CAS 1.0 and for CAS 2.0 servers that send none.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// The proxy-granting ticket IOU (`cas:proxyGrantingTicket`, §2.5.4, §3.4), sent
    /// only when the request carried a `pgtUrl` and the callback succeeded.
    pub proxy_granting_ticket: Option<CasTicket>,
    /// The proxies the ticket went through, most recent first (`cas:proxies`,
    /// §2.6.2); empty for a service ticket.
    pub proxies: Vec<String>,
}

/// A refused ticket (`cas:authenticationFailure`, CAS Protocol 3.0 §2.5.2–§2.5.3,
/// or a CAS 1.0 `no`, §2.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CasFailure {
    /// The `code` attribute, e.g. `INVALID_TICKET`, `INVALID_SERVICE`,
    /// `INVALID_REQUEST`, `INVALID_TICKET_SPEC`, `UNAUTHORIZED_SERVICE_PROXY`,
    /// `INVALID_PROXY_CALLBACK`, `INTERNAL_ERROR` (§2.5.3). CAS 1.0 carries no code:
    /// it is empty then.
    pub code: String,
    /// The server's message, whitespace collapsed, control characters dropped,
    /// at most 1024 characters, with anything that looks like a ticket redacted.
    /// Empty for CAS 1.0.
    pub message: String,
}

/// A CAS response that is not what the protocol requires. Messages never quote
/// the response body, so no ticket can leak through them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CasError {
    /// The body breaks the CAS 1.0 text format (§2.4.2) or the CAS 2.0/3.0 XML
    /// format (§2.5.2, §2.6.2): not UTF-8, not well-formed, truncated, missing
    /// `cas:user`, or carrying something other than one success or failure.
    #[error("malformed CAS response: {0}")]
    Malformed(String),
    /// The body is larger than the cap; nothing was parsed.
    #[error("CAS response larger than {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The XML carries a document type declaration; DTDs (and with them entity
    /// definitions, the XXE and "billion laughs" vectors) are refused.
    #[error("CAS response carries a DOCTYPE declaration, which is refused")]
    DocType,
    /// Elements are nested deeper than the cap.
    #[error("CAS response nests elements deeper than {limit}")]
    TooDeep {
        /// The cap, in elements.
        limit: usize,
    },
    /// The document element is not `cas:serviceResponse` (§2.5.2).
    #[error("unexpected root element {0:?}, expected cas:serviceResponse")]
    UnexpectedRoot(String),
}

/// A builder for the `/login` URL (CAS Protocol 3.0 §2.1), made by
/// [`CasClient::login_url`].
#[derive(Clone, Debug)]
pub struct CasLoginUrl {
    login: Url,
    service: String,
    renew: bool,
    gateway: bool,
}

impl CasLoginUrl {
    /// Adds `renew=true` (§2.1.1): single sign-on is bypassed and the user must
    /// present primary credentials again.
    #[must_use]
    pub fn renew(mut self) -> Self {
        self.renew = true;
        self
    }
    /// Adds `gateway=true` (§2.1.1): the server must not ask for credentials, and
    /// sends the user back to `service` without a ticket when there is no session.
    #[must_use]
    pub fn gateway(mut self) -> Self {
        self.gateway = true;
        self
    }
    /// The URL, every value percent-encoded.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidValue`] when both `renew` and `gateway` are set (§2.1.1:
    /// the two are incompatible and the behaviour is undefined) or the service is
    /// empty.
    pub fn build(&self) -> Result<String, ConfigError> {
        if self.renew && self.gateway {
            return Err(ConfigError::InvalidValue {
                what: "CAS login parameters",
                detail: "renew and gateway must not both be set (CAS Protocol 3.0 §2.1.1)".into(),
            });
        }
        require_service(&self.service)?;
        let mut params = vec![("service", Cow::Borrowed(self.service.as_str()))];
        if self.renew {
            params.push(("renew", Cow::Borrowed("true")));
        }
        if self.gateway {
            params.push(("gateway", Cow::Borrowed("true")));
        }
        Ok(build_url(&self.login, &params))
    }
}

fn require_service(service: &str) -> Result<(), ConfigError> {
    if service.is_empty() {
        return Err(ConfigError::InvalidValue {
            what: "CAS service",
            detail: "the service identifier is empty".into(),
        });
    }
    Ok(())
}

/// Which validation endpoint, for requests and error labels.
#[derive(Clone, Copy)]
enum Version {
    V1,
    V2,
    V3,
}

impl Version {
    fn label(self) -> &'static str {
        match self {
            Self::V1 => "CAS /validate",
            Self::V2 => "CAS /serviceValidate",
            Self::V3 => "CAS /p3/serviceValidate",
        }
    }
}

/// A client of one CAS server (CAS Protocol 3.0), over any [`HttpClient`].
///
/// The server base is the URL the protocol paths are appended to, e.g.
/// `https://cas.example/cas` gives `https://cas.example/cas/login`.
#[derive(Clone)]
pub struct CasClient<H> {
    base: Url,
    login: Url,
    logout: Url,
    validate: Url,
    service_validate: Url,
    p3_service_validate: Url,
    http: H,
}

impl<H> fmt::Debug for CasClient<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CasClient")
            .field("server_base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// `base` with `/segment` appended to its path (one slash, whatever `base` ends with).
fn endpoint(base: &Url, segment: &str) -> Url {
    let mut url = base.clone();
    let path = format!("{}/{segment}", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

impl<H: HttpClient> CasClient<H> {
    /// A client for the CAS server at `server_base` (e.g. `https://cas.example/cas`;
    /// a trailing slash is tolerated).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when the URL does not parse, is not `https`
    /// (plain `http` is allowed for loopback hosts only), or carries a query,
    /// fragment or credentials.
    pub fn new(server_base: &str, http: H) -> Result<Self, ConfigError> {
        let base = EndpointUrl::new(server_base)?.url().clone();
        if base.query().is_some() || !base.username().is_empty() || base.password().is_some() {
            return Err(ConfigError::InvalidUrl {
                what: "CAS server base",
                detail: "the server base must not carry a query or credentials".into(),
            });
        }
        Ok(Self {
            login: endpoint(&base, "login"),
            logout: endpoint(&base, "logout"),
            validate: endpoint(&base, "validate"),
            service_validate: endpoint(&base, "serviceValidate"),
            p3_service_validate: endpoint(&base, "p3/serviceValidate"),
            base,
            http,
        })
    }

    /// The server base as configured.
    pub fn server_base(&self) -> &Url {
        &self.base
    }

    /// A builder for the `/login` URL (§2.1) that sends the user back to `service`
    /// with a ticket (§2.2.4). Add [`CasLoginUrl::renew`] or [`CasLoginUrl::gateway`],
    /// then [`CasLoginUrl::build`].
    pub fn login_url(&self, service: &str) -> CasLoginUrl {
        CasLoginUrl {
            login: self.login.clone(),
            service: service.to_owned(),
            renew: false,
            gateway: false,
        }
    }

    /// The `/logout` URL (§2.3), with the optional `service` the server may redirect
    /// to afterwards (§2.3.1, CAS 3.0), percent-encoded.
    pub fn logout_url(&self, service: Option<&str>) -> String {
        match service {
            Some(s) => build_url(&self.logout, &[("service", Cow::Borrowed(s))]),
            None => self.logout.as_str().to_owned(),
        }
    }

    /// `GET /validate?service=…&ticket=…` (CAS 1.0, §2.4.1).
    pub fn validate_v1_request(&self, ticket: &CasTicket, service: &str) -> http::Request<Vec<u8>> {
        self.request(Version::V1, ticket, service, None)
    }

    /// `GET /serviceValidate?service=…&ticket=…` (CAS 2.0, §2.5.1).
    pub fn validate_v2_request(&self, ticket: &CasTicket, service: &str) -> http::Request<Vec<u8>> {
        self.request(Version::V2, ticket, service, None)
    }

    /// `GET /p3/serviceValidate?service=…&ticket=…` (CAS 3.0, §2.6.1).
    pub fn validate_v3_request(&self, ticket: &CasTicket, service: &str) -> http::Request<Vec<u8>> {
        self.request(Version::V3, ticket, service, None)
    }

    /// [`validate_v2_request`](Self::validate_v2_request) with an optional `pgtUrl`
    /// (§2.5.1, §2.5.4) to which the server delivers a proxy-granting ticket.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `pgt_url` is not an `https` URL (§2.5.4;
    /// `http` only for loopback hosts).
    pub fn validate_v2_request_with_pgt_url(
        &self,
        ticket: &CasTicket,
        service: &str,
        pgt_url: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, ConfigError> {
        let pgt_url = pgt_url.map(checked_pgt_url).transpose()?;
        Ok(self.request(Version::V2, ticket, service, pgt_url))
    }

    /// [`validate_v3_request`](Self::validate_v3_request) with an optional `pgtUrl`
    /// (§2.6.1, §2.5.4).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `pgt_url` is not an `https` URL.
    pub fn validate_v3_request_with_pgt_url(
        &self,
        ticket: &CasTicket,
        service: &str,
        pgt_url: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, ConfigError> {
        let pgt_url = pgt_url.map(checked_pgt_url).transpose()?;
        Ok(self.request(Version::V3, ticket, service, pgt_url))
    }

    /// Validates a service ticket over CAS 1.0 (`/validate`, §2.4).
    ///
    /// # Errors
    ///
    /// [`Error::Transport`], [`Error::Response`] (status or content type) and
    /// [`Error::Cas`] (body); a refused ticket is `Ok(CasOutcome::Failure)`.
    pub async fn validate_v1(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        let response = self
            .http
            .execute(self.validate_v1_request(ticket, service))
            .await?;
        read_v1_response(&response)
    }

    /// Validates a service ticket over CAS 2.0 (`/serviceValidate`, §2.5).
    ///
    /// # Errors
    ///
    /// As [`validate_v1`](Self::validate_v1).
    pub async fn validate_v2(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        let request = self.validate_v2_request(ticket, service);
        self.exchange_xml(Version::V2, request, ticket).await
    }

    /// Validates a service ticket over CAS 3.0 (`/p3/serviceValidate`, §2.6),
    /// which also returns the user's attributes.
    ///
    /// # Errors
    ///
    /// As [`validate_v1`](Self::validate_v1).
    pub async fn validate_v3(
        &self,
        ticket: &CasTicket,
        service: &str,
    ) -> Result<CasOutcome, Error> {
        let request = self.validate_v3_request(ticket, service);
        self.exchange_xml(Version::V3, request, ticket).await
    }

    /// Validates over CAS 2.0 with an optional `pgtUrl` (§2.5.4): on success the
    /// PGT IOU is in [`CasSuccess::proxy_granting_ticket`].
    ///
    /// # Errors
    ///
    /// As [`validate_v1`](Self::validate_v1), plus [`Error::Config`] for a bad
    /// `pgt_url`.
    pub async fn validate_v2_with_pgt_url(
        &self,
        ticket: &CasTicket,
        service: &str,
        pgt_url: Option<&str>,
    ) -> Result<CasOutcome, Error> {
        let request = self.validate_v2_request_with_pgt_url(ticket, service, pgt_url)?;
        self.exchange_xml(Version::V2, request, ticket).await
    }

    /// Validates over CAS 3.0 with an optional `pgtUrl` (§2.5.4): on success the
    /// PGT IOU is in [`CasSuccess::proxy_granting_ticket`].
    ///
    /// # Errors
    ///
    /// As [`validate_v1`](Self::validate_v1), plus [`Error::Config`] for a bad
    /// `pgt_url`.
    pub async fn validate_v3_with_pgt_url(
        &self,
        ticket: &CasTicket,
        service: &str,
        pgt_url: Option<&str>,
    ) -> Result<CasOutcome, Error> {
        let request = self.validate_v3_request_with_pgt_url(ticket, service, pgt_url)?;
        self.exchange_xml(Version::V3, request, ticket).await
    }

    async fn exchange_xml(
        &self,
        version: Version,
        request: http::Request<Vec<u8>>,
        ticket: &CasTicket,
    ) -> Result<CasOutcome, Error> {
        let response = self.http.execute(request).await?;
        let outcome = read_xml(version.label(), &response)?;
        Ok(redact_exact(outcome, ticket))
    }

    fn request(
        &self,
        version: Version,
        ticket: &CasTicket,
        service: &str,
        pgt_url: Option<Url>,
    ) -> http::Request<Vec<u8>> {
        let (endpoint, accept) = match version {
            Version::V1 => (&self.validate, "text/plain"),
            Version::V2 => (&self.service_validate, "application/xml, text/xml"),
            Version::V3 => (&self.p3_service_validate, "application/xml, text/xml"),
        };
        let mut params = vec![
            ("service", Cow::Borrowed(service)),
            ("ticket", Cow::Borrowed(ticket.secret())),
        ];
        if let Some(url) = &pgt_url {
            params.push(("pgtUrl", Cow::Borrowed(url.as_str())));
        }
        let url = build_url(endpoint, &params);
        let mut request = http::Request::new(Vec::new());
        // `build_url` output comes from a parsed `url::Url` plus percent-encoded pairs,
        // so it is a valid URI; were it not, the default `/` is refused by the transport.
        if let Ok(uri) = url.parse::<http::Uri>() {
            *request.uri_mut() = uri;
        }
        request
            .headers_mut()
            .insert(http::header::ACCEPT, http::HeaderValue::from_static(accept));
        request
    }
}

fn checked_pgt_url(s: &str) -> Result<Url, ConfigError> {
    Ok(EndpointUrl::new(s)
        .map_err(|e| match e {
            ConfigError::InvalidUrl { detail, .. } => ConfigError::InvalidUrl {
                what: "CAS pgtUrl",
                detail,
            },
            other => other,
        })?
        .url()
        .clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_joins_with_one_slash() {
        let base = Url::parse("https://cas.example/cas/").expect("url");
        assert_eq!(
            endpoint(&base, "p3/serviceValidate").as_str(),
            "https://cas.example/cas/p3/serviceValidate"
        );
        let root = Url::parse("https://cas.example").expect("url");
        assert_eq!(
            endpoint(&root, "login").as_str(),
            "https://cas.example/login"
        );
    }
}
