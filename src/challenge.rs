//! The `WWW-Authenticate` response header (RFC 9110 §11.6.1) and the error reports of the
//! `Bearer` (RFC 6750 §3) and `DPoP` (RFC 9449 §7.1) authentication schemes.

use bytes::Bytes;
use http::header::WWW_AUTHENTICATE;

use crate::error::ProviderError;
use crate::response::sanitize;

/// Whether a `DPoP` challenge in the `WWW-Authenticate` headers says `error="use_dpop_nonce"`
/// (RFC 9449 §9).
pub(crate) fn dpop_nonce_challenge(response: &http::Response<Bytes>) -> bool {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(challenges)
        .any(|(scheme, params)| {
            scheme.eq_ignore_ascii_case("dpop")
                && params
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("error") && v == "use_dpop_nonce")
        })
}

/// The error of a `Bearer` (RFC 6750 §3) or `DPoP` (RFC 9449 §7.1) challenge in the
/// `WWW-Authenticate` headers, if one carries an `error` attribute. A challenge without one
/// (a request that carried no token, RFC 6750 §3.1) is not an error report.
pub(crate) fn token_error(response: &http::Response<Bytes>) -> Option<ProviderError> {
    for value in response.headers().get_all(WWW_AUTHENTICATE) {
        let Ok(value) = value.to_str() else { continue };
        for (scheme, params) in challenges(value) {
            if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("dpop") {
                continue;
            }
            let param = |name: &str| {
                params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            };
            if let Some(error) = param("error").and_then(|e| sanitize(e, 128)) {
                return Some(ProviderError {
                    error,
                    error_description: param("error_description").and_then(|d| sanitize(d, 1024)),
                    error_uri: param("error_uri").and_then(|u| sanitize(u, 1024)),
                    status: Some(response.status().as_u16()),
                });
            }
        }
    }
    None
}

type Challenge<'a> = (&'a str, Vec<(&'a str, String)>);

/// Splits a `WWW-Authenticate` value into challenges (RFC 9110 §11.6.1): a list of
/// `scheme [ auth-param *( "," auth-param ) ]` where an element that starts with
/// `name =` continues the current challenge and any other element starts a new one.
fn challenges(value: &str) -> Vec<Challenge<'_>> {
    let mut out: Vec<Challenge<'_>> = Vec::new();
    for element in split_outside_quotes(value) {
        let element = element.trim();
        let (first, rest) = element.split_at(token_len(element));
        if first.is_empty() {
            continue;
        }
        let rest = rest.trim_start();
        if let Some(value) = rest.strip_prefix('=') {
            if let Some((_, params)) = out.last_mut() {
                params.push((first, unquote(value.trim())));
            }
        } else {
            let params = auth_param(rest).into_iter().collect();
            out.push((first, params));
        }
    }
    out
}

/// `name = ( token / quoted-string )`.
fn auth_param(s: &str) -> Option<(&str, String)> {
    let (name, rest) = s.split_at(token_len(s));
    let value = rest.trim_start().strip_prefix('=')?;
    (!name.is_empty()).then(|| (name, unquote(value.trim())))
}

/// The length of the leading RFC 9110 §5.6.2 `token`.
fn token_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)))
        .unwrap_or(s.len())
}

/// A `quoted-string` without its quotes and escapes (RFC 9110 §5.6.4), or a token as is.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"') else {
        return s.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// Splits at commas that are not inside a quoted string.
fn split_outside_quotes(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn www_authenticate_challenges() {
        let parsed = challenges(
            r#"DPoP algs="ES256 PS256", Bearer realm="op, \"main\"", error="invalid_token",
               error_description = "token expired", Basic abc=="#,
        );
        assert_eq!(parsed.len(), 3);
        assert_eq!(
            parsed[0],
            ("DPoP", vec![("algs", "ES256 PS256".to_owned())])
        );
        assert_eq!(parsed[1].0, "Bearer");
        assert_eq!(
            parsed[1].1,
            vec![
                ("realm", "op, \"main\"".to_owned()),
                ("error", "invalid_token".to_owned()),
                ("error_description", "token expired".to_owned()),
            ]
        );
        assert_eq!(parsed[2].0, "Basic");
        assert!(challenges("").is_empty());
        assert_eq!(challenges("Bearer"), vec![("Bearer", vec![])]);
        assert_eq!(
            challenges("bearer error=insufficient_scope"),
            vec![("bearer", vec![("error", "insufficient_scope".to_owned())])]
        );
        // Garbage never panics.
        for junk in [
            ",,,",
            "=",
            "\"",
            "Bearer =",
            "Bearer error=\"unterminated",
            "é=é, =",
        ] {
            let _ = challenges(junk);
        }
    }
}
