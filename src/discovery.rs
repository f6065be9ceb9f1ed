//! Provider metadata: OpenID Connect Discovery 1.0 and RFC 8414.
//!
//! [`ProviderMetadata::discovery_request`] builds the request and
//! [`ProviderMetadata::from_response`] parses and checks the answer (sans-IO);
//! [`crate::ClientBuilder::discover`] drives both over an [`crate::http::HttpClient`].

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::{DiscoveryError, Error};
use crate::response::{json_body, require_success};
use crate::types::{EndpointUrl, IssuerUrl};

/// Which well-known document to fetch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WellKnown {
    /// `/.well-known/openid-configuration` appended to the issuer (OpenID Connect Discovery §4).
    #[default]
    OpenIdConfiguration,
    /// `/.well-known/oauth-authorization-server` inserted before the issuer's path (RFC 8414 §3).
    OAuthAuthorizationServer,
}

/// The provider's metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2, and the
/// members later RFCs add). Members this crate does not model are kept in
/// [`ProviderMetadata::additional`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`.
    pub issuer: IssuerUrl,
    /// `authorization_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<EndpointUrl>,
    /// `token_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<EndpointUrl>,
    /// `userinfo_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<EndpointUrl>,
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<EndpointUrl>,
    /// `registration_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<EndpointUrl>,
    /// `introspection_endpoint` (RFC 8414 §2, RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<EndpointUrl>,
    /// `revocation_endpoint` (RFC 8414 §2, RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<EndpointUrl>,
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<EndpointUrl>,
    /// `device_authorization_endpoint` (RFC 8628 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<EndpointUrl>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<EndpointUrl>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// `scopes_supported`.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// `response_types_supported`.
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// `response_modes_supported`.
    #[serde(default)]
    pub response_modes_supported: Vec<String>,
    /// `grant_types_supported`.
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    /// `subject_types_supported`.
    #[serde(default)]
    pub subject_types_supported: Vec<String>,
    /// `id_token_signing_alg_values_supported`.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `userinfo_signing_alg_values_supported`.
    #[serde(default)]
    pub userinfo_signing_alg_values_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `token_endpoint_auth_signing_alg_values_supported`.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// `code_challenge_methods_supported` (RFC 8414 §2).
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// `claims_supported`.
    #[serde(default)]
    pub claims_supported: Vec<String>,
    /// `claims_parameter_supported`.
    #[serde(default)]
    pub claims_parameter_supported: bool,
    /// `request_parameter_supported` (OpenID Connect Discovery §3).
    #[serde(default)]
    pub request_parameter_supported: bool,
    /// `request_object_signing_alg_values_supported` (RFC 9101 §10.5, Discovery §3).
    #[serde(default)]
    pub request_object_signing_alg_values_supported: Vec<String>,
    /// `require_signed_request_object` (RFC 9101 §10.5).
    #[serde(default)]
    pub require_signed_request_object: bool,
    /// `authorization_signing_alg_values_supported` (JARM §5).
    #[serde(default)]
    pub authorization_signing_alg_values_supported: Vec<String>,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1).
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// `backchannel_logout_supported` (OpenID Connect Back-Channel Logout 1.0 §2.1).
    #[serde(default)]
    pub backchannel_logout_supported: bool,
    /// `backchannel_logout_session_supported`: logout tokens carry `sid` (Back-Channel
    /// Logout 1.0 §2.1).
    #[serde(default)]
    pub backchannel_logout_session_supported: bool,
    /// `frontchannel_logout_supported` (OpenID Connect Front-Channel Logout 1.0 §3).
    #[serde(default)]
    pub frontchannel_logout_supported: bool,
    /// `frontchannel_logout_session_supported`: front-channel logout requests carry `iss` and
    /// `sid` (Front-Channel Logout 1.0 §3).
    #[serde(default)]
    pub frontchannel_logout_session_supported: bool,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub additional: serde_json::Map<String, serde_json::Value>,
}

impl ProviderMetadata {
    /// Largest metadata document accepted.
    pub const MAX_LEN: usize = 256 * 1024;

    /// The GET request for the issuer's well-known document.
    pub fn discovery_request(issuer: &IssuerUrl, which: WellKnown) -> http::Request<Vec<u8>> {
        let url = match which {
            WellKnown::OpenIdConfiguration => issuer.openid_configuration_url(),
            WellKnown::OAuthAuthorizationServer => issuer.oauth_authorization_server_url(),
        };
        crate::request::get(url.as_str())
    }

    /// Parses a discovery response and checks that its `issuer` is exactly the
    /// issuer it was fetched for (OpenID Connect Discovery §4.3, RFC 8414 §3.3).
    pub fn from_response(
        issuer: &IssuerUrl,
        response: &http::Response<Bytes>,
    ) -> Result<Self, Error> {
        require_success("discovery", response)?;
        let metadata: Self = json_body("discovery", response, Self::MAX_LEN)?;
        metadata.check_issuer(issuer)?;
        Ok(metadata)
    }

    /// Parses a metadata document from JSON without any HTTP context.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        crate::response::parse_json("discovery", json)
    }

    /// Checks the issuer-equality rule (exact string comparison).
    pub fn check_issuer(&self, expected: &IssuerUrl) -> Result<(), DiscoveryError> {
        if self.issuer.as_str() == expected.as_str() {
            Ok(())
        } else {
            Err(DiscoveryError::IssuerMismatch {
                expected: expected.as_str().to_owned(),
                actual: self.issuer.as_str().to_owned(),
            })
        }
    }

    /// Builds metadata by hand for a provider without discovery.
    pub fn new(issuer: IssuerUrl) -> Self {
        Self {
            issuer,
            authorization_endpoint: None,
            token_endpoint: None,
            userinfo_endpoint: None,
            jwks_uri: None,
            registration_endpoint: None,
            introspection_endpoint: None,
            revocation_endpoint: None,
            end_session_endpoint: None,
            device_authorization_endpoint: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
            authorization_response_iss_parameter_supported: false,
            scopes_supported: Vec::new(),
            response_types_supported: Vec::new(),
            response_modes_supported: Vec::new(),
            grant_types_supported: Vec::new(),
            subject_types_supported: Vec::new(),
            id_token_signing_alg_values_supported: Vec::new(),
            userinfo_signing_alg_values_supported: Vec::new(),
            token_endpoint_auth_methods_supported: Vec::new(),
            token_endpoint_auth_signing_alg_values_supported: Vec::new(),
            code_challenge_methods_supported: Vec::new(),
            claims_supported: Vec::new(),
            claims_parameter_supported: false,
            request_parameter_supported: false,
            request_object_signing_alg_values_supported: Vec::new(),
            require_signed_request_object: false,
            authorization_signing_alg_values_supported: Vec::new(),
            dpop_signing_alg_values_supported: Vec::new(),
            backchannel_logout_supported: false,
            backchannel_logout_session_supported: false,
            frontchannel_logout_supported: false,
            frontchannel_logout_session_supported: false,
            additional: serde_json::Map::new(),
        }
    }

    /// A required endpoint, or [`crate::error::ConfigError::UnsupportedByProvider`].
    pub(crate) fn endpoint<'a>(
        endpoint: &'a Option<EndpointUrl>,
        name: &'static str,
    ) -> Result<&'a EndpointUrl, crate::error::ConfigError> {
        endpoint
            .as_ref()
            .ok_or(crate::error::ConfigError::UnsupportedByProvider(name))
    }
}
