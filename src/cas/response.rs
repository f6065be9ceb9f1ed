//! Reading validation responses: status and content-type checks, the CAS 1.0 text
//! body (CAS Protocol 3.0 §2.4.2), and failure-message redaction.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;

use super::{
    CasError, CasFailure, CasOutcome, CasSuccess, CasTicket, MAX_MESSAGE_CHARS, MAX_RESPONSE_BYTES,
    Version, parse_service_response,
};
use crate::error::{Error, ResponseError};

/// Reads a CAS 1.0 `/validate` response (§2.4.2): checks the status, the size and
/// the content type (see the module documentation), then [`parse_v1`].
///
/// # Errors
///
/// [`ResponseError::UnexpectedStatus`], [`ResponseError::ContentType`] or
/// [`Error::Cas`].
pub fn read_v1_response(response: &http::Response<Bytes>) -> Result<CasOutcome, Error> {
    let label = Version::V1.label();
    require_status(label, response)?;
    let media = crate::response::media_type(response);
    if !media
        .as_deref()
        .is_none_or(|m| m == "text/plain" || m == "text/html")
    {
        return Err(ResponseError::ContentType {
            endpoint: label,
            content_type: media.unwrap_or_default(),
            expected: "text/plain",
        }
        .into());
    }
    Ok(parse_v1(response.body())?)
}

/// Reads a CAS 2.0 `/serviceValidate` or CAS 3.0 `/p3/serviceValidate` response
/// (§2.5.2, §2.6.2): checks the status and the content type (see the module
/// documentation), then [`parse_service_response`].
///
/// # Errors
///
/// [`ResponseError::UnexpectedStatus`], [`ResponseError::ContentType`] or
/// [`Error::Cas`].
pub fn read_service_response(response: &http::Response<Bytes>) -> Result<CasOutcome, Error> {
    read_xml("CAS service validation", response)
}

pub(super) fn read_xml(
    label: &'static str,
    response: &http::Response<Bytes>,
) -> Result<CasOutcome, Error> {
    require_status(label, response)?;
    let media = crate::response::media_type(response);
    let acceptable = media.as_deref().is_none_or(|m| {
        matches!(
            m,
            "text/xml" | "application/xml" | "text/html" | "text/plain"
        ) || ((m.starts_with("application/") || m.starts_with("text/")) && m.ends_with("+xml"))
    });
    if !acceptable {
        return Err(ResponseError::ContentType {
            endpoint: label,
            content_type: media.unwrap_or_default(),
            expected: "application/xml or text/xml",
        }
        .into());
    }
    Ok(parse_service_response(response.body())?)
}

fn require_status(label: &'static str, response: &http::Response<Bytes>) -> Result<(), Error> {
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(ResponseError::UnexpectedStatus {
            endpoint: label,
            status: status.as_u16(),
        }
        .into())
    }
}

/// Parses a CAS 1.0 `/validate` body (§2.4.2): `yes\n<user>\n` or `no\n\n`.
///
/// The final newline may be missing and lines may end in CRLF (a leading UTF-8
/// BOM is skipped); the user is trimmed of surrounding whitespace, as the values of
/// the XML responses are; `no` alone and `no\n` are accepted as failures. A failure has
/// an empty code and message (CAS 1.0 carries neither).
///
/// # Errors
///
/// [`CasError::TooLarge`] over [`MAX_RESPONSE_BYTES`]; [`CasError::Malformed`] for
/// anything else: another first line, a missing, empty or blank user, extra lines,
/// control characters, or a body that is not UTF-8.
pub fn parse_v1(body: &[u8]) -> Result<CasOutcome, CasError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(CasError::TooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| CasError::Malformed("CAS 1.0 body is not UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // One terminating newline is optional.
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    let second = lines.next();
    if lines.next().is_some() {
        return Err(CasError::Malformed(
            "CAS 1.0 body has more than two lines".into(),
        ));
    }
    // The user is trimmed like the values of the XML responses, so a blank user is
    // missing here too, and `alice` has one spelling across protocol versions.
    match (first, second.map(str::trim)) {
        ("yes", Some(user)) if !user.is_empty() => {
            if user.chars().any(char::is_control) {
                return Err(CasError::Malformed(
                    "CAS 1.0 user contains control characters".into(),
                ));
            }
            Ok(CasOutcome::Success(CasSuccess {
                user: user.to_owned(),
                attributes: BTreeMap::new(),
                proxy_granting_ticket: None,
                proxies: Vec::new(),
            }))
        }
        ("yes", _) => Err(CasError::Malformed("CAS 1.0 `yes` without a user".into())),
        ("no", None | Some("")) => Ok(CasOutcome::Failure(CasFailure {
            code: String::new(),
            message: String::new(),
        })),
        ("no", Some(_)) => Err(CasError::Malformed(
            "CAS 1.0 `no` followed by a non-empty line".into(),
        )),
        _ => Err(CasError::Malformed(
            "CAS 1.0 body does not start with `yes` or `no`".into(),
        )),
    }
}

/// The ticket prefixes CAS Protocol 3.0 recommends (§3.1–§3.4, §3.6: `ST-`, `PT-`,
/// `PGT-`, `PGTIOU-`, `TGC-`) plus Apereo's `TGT-`, longest first.
const TICKET_PREFIXES: [&str; 6] = ["PGTIOU-", "PGT-", "TGT-", "TGC-", "ST-", "PT-"];

/// Provider text kept for display: whitespace collapsed, control characters
/// dropped, bounded, and every word that contains a ticket-like token (a CAS ticket
/// prefix at the start of the word or after punctuation) cut from that prefix on.
pub(crate) fn clean_message(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in raw.split_whitespace() {
        if chars >= MAX_MESSAGE_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        for c in redact_word(word).chars().filter(|c| !c.is_control()) {
            if chars >= MAX_MESSAGE_CHARS {
                break;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

fn redact_word(word: &str) -> Cow<'_, str> {
    for (i, _) in word.char_indices() {
        let at_boundary = word[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if at_boundary
            && TICKET_PREFIXES
                .iter()
                .any(|p| word[i..].starts_with(p) && word.len() > i + p.len())
        {
            return Cow::Owned(format!("{}[redacted]", &word[..i]));
        }
    }
    Cow::Borrowed(word)
}

/// Removes the exact ticket sent from a failure message (for tickets without a
/// standard prefix).
pub(super) fn redact_exact(outcome: CasOutcome, ticket: &CasTicket) -> CasOutcome {
    match outcome {
        CasOutcome::Failure(mut f) if !ticket.secret().is_empty() => {
            if f.message.contains(ticket.secret()) {
                f.message = f.message.replace(ticket.secret(), "[redacted]");
            }
            CasOutcome::Failure(f)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_ticket_values() {
        assert_eq!(
            clean_message("  Ticket 'ST-1856339-aA5Yuvrxzpv8Tau1cYQ7'\n not recognized "),
            "Ticket '[redacted] not recognized"
        );
        assert_eq!(clean_message("PGTIOU-84678-8a9d"), "[redacted]");
        // Words that merely contain the letters are kept.
        assert_eq!(clean_message("BEST-effort ST- x"), "BEST-effort ST- x");
    }

    #[test]
    fn exact_ticket_is_redacted() {
        let t = CasTicket::new("weird-ticket-42");
        let out = redact_exact(
            CasOutcome::Failure(CasFailure {
                code: "INVALID_TICKET".into(),
                message: "ticket weird-ticket-42 unknown".into(),
            }),
            &t,
        );
        assert_eq!(
            out,
            CasOutcome::Failure(CasFailure {
                code: "INVALID_TICKET".into(),
                message: "ticket [redacted] unknown".into(),
            })
        );
    }

    #[test]
    fn v1_rejects_extra_lines() {
        assert!(matches!(
            parse_v1(b"yes\nalice\nbob\n"),
            Err(CasError::Malformed(_))
        ));
        assert!(matches!(parse_v1(b""), Err(CasError::Malformed(_))));
    }
}
