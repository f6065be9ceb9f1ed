//! Shared rules for reading provider responses: status, content type, JSON, and
//! RFC 6749 §5.2 error documents.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::device::DeviceError;
use crate::dpop::DpopError;
use crate::error::{Error, ProviderError, ResponseError};

/// Whether the response's media type is `application/json` or `application/*+json`.
pub(crate) fn is_json(response: &http::Response<Bytes>) -> bool {
    media_type(response).is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

/// The lower-cased media type without parameters.
pub(crate) fn media_type(response: &http::Response<Bytes>) -> Option<String> {
    let value = response
        .headers()
        .get(http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let media = value.split(';').next()?.trim().to_ascii_lowercase();
    Some(media)
}

/// A parser message that cannot carry body content: serde_json quotes offending
/// values (which could be tokens), so only the category and position are kept,
/// except for missing/duplicate-field messages, which name our own fields.
pub(crate) fn safe_json_detail(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("missing field") || msg.starts_with("duplicate field") {
        return msg;
    }
    let category = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected value or type",
        serde_json::error::Category::Eof => "truncated document",
    };
    format!("{category} at line {} column {}", e.line(), e.column())
}

/// Parses JSON into `T`, mapping errors to [`ResponseError::Json`] without quoting the body.
pub(crate) fn parse_json<T: DeserializeOwned>(
    endpoint: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| {
        Error::Response(ResponseError::Json {
            endpoint,
            detail: safe_json_detail(&e),
        })
    })
}

/// Requires a JSON content type (`application/json` or `application/*+json`) and a
/// body no larger than `max`.
pub(crate) fn require_json(
    endpoint: &'static str,
    response: &http::Response<Bytes>,
    max: usize,
) -> Result<(), Error> {
    if !is_json(response) {
        return Err(ResponseError::ContentType {
            endpoint,
            content_type: media_type(response).unwrap_or_default(),
            expected: "application/json",
        }
        .into());
    }
    if response.body().len() > max {
        return Err(ResponseError::Invalid {
            endpoint,
            detail: format!("document larger than {max} bytes"),
        }
        .into());
    }
    Ok(())
}

/// Requires a JSON content type and a body no larger than `max`, then parses it.
pub(crate) fn json_body<T: DeserializeOwned>(
    endpoint: &'static str,
    response: &http::Response<Bytes>,
    max: usize,
) -> Result<T, Error> {
    require_json(endpoint, response, max)?;
    parse_json(endpoint, response.body())
}

#[derive(serde::Deserialize)]
struct ErrorDocument {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_uri: Option<String>,
}

/// Reads an RFC 6749 §5.2 error document from a JSON body, if the body is one.
pub(crate) fn provider_error(response: &http::Response<Bytes>) -> Option<ProviderError> {
    let doc: ErrorDocument = serde_json::from_slice(response.body()).ok()?;
    let error = sanitize(&doc.error, 128)?;
    Some(ProviderError {
        error,
        error_description: doc
            .error_description
            .as_deref()
            .and_then(|d| sanitize(d, 1024)),
        error_uri: doc.error_uri.as_deref().and_then(|u| sanitize(u, 1024)),
        status: Some(response.status().as_u16()),
    })
}

/// Provider text kept for display: printable characters only, bounded length.
pub(crate) fn sanitize(s: &str, max: usize) -> Option<String> {
    let cleaned: String = s.chars().filter(|c| !c.is_control()).take(max).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Accepts any 2xx; turns an error document into [`Error::Provider`] and any other
/// status into [`ResponseError::UnexpectedStatus`].
pub(crate) fn require_success(
    endpoint: &'static str,
    response: &http::Response<Bytes>,
) -> Result<(), Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    if let Some(err) = provider_error(response) {
        return Err(Error::Provider(err));
    }
    Err(ResponseError::UnexpectedStatus {
        endpoint,
        status: status.as_u16(),
    }
    .into())
}

/// Request parameters whose values are credentials or flow secrets: RFC 6749 §2.3.1,
/// §4.1.3, §4.3.2, §6 and §4.1.1 (`state`); RFC 7636 §4.5; RFC 7009 §2.1 and RFC 7662
/// §2.1 (`token`); RFC 7521 §4.2; RFC 8628 §3.4; RFC 8693 §2.1; RFC 6750 §2.3;
/// OpenID Connect Core §3.1.2.1 (`nonce`) and RP-Initiated Logout (`id_token_hint`);
/// GenAuth's `validate_token` (`id_token`, `access_token`).
const SECRET_PARAMS: &[&str] = &[
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "assertion",
    "refresh_token",
    "password",
    "token",
    "access_token",
    "id_token",
    "id_token_hint",
    "subject_token",
    "actor_token",
    "device_code",
    "state",
    "nonce",
];

/// The secrets one request carried — the values of [`SECRET_PARAMS`] in its query or
/// form body and the credentials of its `Authorization` header — so that provider text
/// echoing them (an `error_description` quoting the code it refused, say) never
/// reaches an error message.
pub(crate) struct RequestSecrets(Vec<String>);

impl RequestSecrets {
    /// Collects the secrets of `request`.
    pub(crate) fn of(request: &http::Request<Vec<u8>>) -> Self {
        let mut secrets = Vec::new();
        let query = request.uri().query().unwrap_or_default().as_bytes();
        for bytes in [query, request.body().as_slice()] {
            for (name, value) in url::form_urlencoded::parse(bytes) {
                if SECRET_PARAMS.contains(&name.as_ref()) {
                    push_secret(&mut secrets, &value);
                }
            }
        }
        let credentials = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .map(|(_, c)| c.trim());
        // A DPoP proof is not a long-lived secret, but errors promise never to quote one.
        if let Some(proof) = request.headers().get("dpop").and_then(|v| v.to_str().ok()) {
            push_secret(&mut secrets, proof);
        }
        if let Some(credentials) = credentials {
            push_secret(&mut secrets, credentials);
            // Basic: base64(urlencoded id ":" urlencoded secret), RFC 6749 §2.3.1.
            use base64::Engine as _;
            if let Some(text) = base64::engine::general_purpose::STANDARD
                .decode(credentials)
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                && let Some((_, secret)) = text.split_once(':')
            {
                push_secret(&mut secrets, secret);
                let decoded = format!("s={secret}");
                for (_, plain) in url::form_urlencoded::parse(decoded.as_bytes()) {
                    push_secret(&mut secrets, &plain);
                }
            }
        }
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s: &String| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self(secrets)
    }

    /// The given secret values (e.g. the `state` and `nonce` of a pending flow).
    pub(crate) fn of_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut secrets = Vec::new();
        for value in values {
            push_secret(&mut secrets, value);
        }
        secrets.sort_by_key(|s: &String| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self(secrets)
    }

    /// `text` with this request's secrets replaced by `[redacted]`.
    pub(crate) fn clean(&self, mut text: String) -> String {
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "[redacted]");
            }
        }
        text
    }

    fn clean_provider(&self, error: ProviderError) -> ProviderError {
        ProviderError {
            error: self.clean(error.error),
            error_description: error.error_description.map(|d| self.clean(d)),
            error_uri: error.error_uri.map(|u| self.clean(u)),
            status: error.status,
        }
    }

    /// Removes this request's secrets from the provider text of `error`.
    pub(crate) fn scrub(&self, error: Error) -> Error {
        match error {
            Error::Provider(p) => Error::Provider(self.clean_provider(p)),
            Error::Device(DeviceError::AccessDenied(p)) => {
                Error::Device(DeviceError::AccessDenied(self.clean_provider(p)))
            }
            Error::Dpop(DpopError::TokenType { expected, received }) => {
                Error::Dpop(DpopError::TokenType {
                    expected,
                    received: self.clean(received),
                })
            }
            other => other,
        }
    }
}

/// A secret and its percent-encoded form; values under three bytes are not worth
/// mangling provider text for.
fn push_secret(secrets: &mut Vec<String>, value: &str) {
    if value.len() < 3 {
        return;
    }
    secrets.push(value.to_owned());
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    if encoded != value {
        secrets.push(encoded);
    }
}
