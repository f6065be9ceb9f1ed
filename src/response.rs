//! Shared rules for reading provider responses: status, content type, JSON, and
//! RFC 6749 §5.2 error documents.

use bytes::Bytes;
use serde::de::DeserializeOwned;

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
