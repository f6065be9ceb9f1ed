//! An in-memory transport that answers from a script made of fuzz input and records every
//! request it was given, for targets that drive a whole client exchange (`dpop_nonce`).
//!
//! Script syntax (bytes): answers separated by a line `----`; each answer is a status line
//! (`HTTP/1.1 401 Unauthorized`, or just `401`), header lines `Name: value` (repeatable, any
//! bytes a header value may hold), an empty line, then the body. Line ends are `\n` or
//! `\r\n`. A status line without a valid status makes that answer a transport failure; a
//! header line that is not a valid name and value is dropped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use typed_oidc::http::{HttpClient, TransportError};

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A response with this status, headers and body.
    Response {
        /// The status.
        status: StatusCode,
        /// The headers, in script order (repeats kept).
        headers: HeaderMap,
        /// The body.
        body: Bytes,
    },
    /// The transport fails (`TransportError::Connect`).
    Fail,
}

impl Answer {
    /// A response with one `content-type` (if given) and `body`.
    pub fn simple(status: u16, content_type: Option<&'static str>, body: &'static [u8]) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        Answer::Response {
            status: StatusCode::from_u16(status).expect("valid status"),
            headers,
            body: Bytes::from_static(body),
        }
    }

    /// The response this answer is, if it is one.
    pub fn to_response(&self) -> Option<http::Response<Bytes>> {
        let Answer::Response {
            status,
            headers,
            body,
        } = self
        else {
            return None;
        };
        let mut response = http::Response::new(body.clone());
        *response.status_mut() = *status;
        *response.headers_mut() = headers.clone();
        Some(response)
    }
}

/// `data` split at `sep`.
fn split<'a>(mut data: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = data.windows(sep.len()).position(|w| w == sep) {
        parts.push(&data[..at]);
        data = &data[at + sep.len()..];
    }
    parts.push(data);
    parts
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The status of a status line: `HTTP/x.y NNN reason`, `NNN reason` or `NNN`.
fn status_of(line: &[u8]) -> Option<StatusCode> {
    let line = trim_ows(line);
    let line = match line.iter().position(|b| *b == b' ') {
        Some(sp) if line.starts_with(b"HTTP/") => trim_ows(&line[sp..]),
        _ => line,
    };
    let digits = line.get(..3)?;
    if line.get(3).is_some_and(|b| *b != b' ') {
        return None;
    }
    StatusCode::from_bytes(digits).ok()
}

/// Parses one answer of a script.
pub fn parse_answer(chunk: &[u8]) -> Answer {
    let (head, body) = match chunk.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&chunk[..at], &chunk[at + 2..]),
        None => match chunk.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(at) => (&chunk[..at], &chunk[at + 4..]),
            None => (chunk, &[][..]),
        },
    };
    let mut lines = head.split(|b| *b == b'\n').map(strip_cr);
    let Some(status) = lines.next().and_then(status_of) else {
        return Answer::Fail;
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(trim_ows(&line[colon + 1..])),
        ) {
            headers.append(name, value);
        }
    }
    Answer::Response {
        status,
        headers,
        body: Bytes::copy_from_slice(body),
    }
}

/// Parses a script into at most `max` answers.
pub fn parse_script(script: &[u8], max: usize) -> Vec<Answer> {
    if script.is_empty() {
        return Vec::new();
    }
    split(script, b"\n----\n")
        .into_iter()
        .take(max)
        .map(parse_answer)
        .collect()
}

#[derive(Debug)]
struct Inner {
    answers: Mutex<VecDeque<Answer>>,
    fallback: Answer,
    sent: Mutex<Vec<http::Request<Vec<u8>>>>,
}

/// A transport that answers requests with the scripted answers in order, then with
/// `fallback`, and records every request. A `GET` of the fixture issuer's `/jwks` without a
/// `DPoP` header is answered with the fixture keys and not recorded.
#[derive(Clone, Debug)]
pub struct ScriptedHttp(Arc<Inner>);

impl ScriptedHttp {
    /// A transport answering with `answers`, then `fallback` forever.
    pub fn new(answers: Vec<Answer>, fallback: Answer) -> Self {
        Self(Arc::new(Inner {
            answers: Mutex::new(answers.into()),
            fallback,
            sent: Mutex::new(Vec::new()),
        }))
    }

    /// The requests sent so far (JWKS fetches excluded).
    pub fn sent(&self) -> Vec<http::Request<Vec<u8>>> {
        self.0
            .sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|r| {
                let mut copy = http::Request::new(r.body().clone());
                *copy.method_mut() = r.method().clone();
                *copy.uri_mut() = r.uri().clone();
                *copy.headers_mut() = r.headers().clone();
                copy
            })
            .collect()
    }
}

impl HttpClient for ScriptedHttp {
    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        if request.method() == http::Method::GET
            && request.uri().to_string() == format!("{}/jwks", crate::ISSUER)
            && !request.headers().contains_key("dpop")
        {
            return Ok(crate::response(
                200,
                Some("application/jwk-set+json"),
                crate::jwks_json().as_bytes(),
            ));
        }
        self.0
            .sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request);
        let answer = self
            .0
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
            .unwrap_or_else(|| self.0.fallback.clone());
        answer.to_response().ok_or_else(|| TransportError::Connect {
            host: "scripted".into(),
            detail: "scripted transport failure".into(),
        })
    }
}
