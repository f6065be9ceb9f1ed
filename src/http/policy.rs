//! Which requests may leave the process, and what an error may say about them.
//!
//! Transport-independent request policy used by [`HyperClient`](super::HyperClient):
//!
//! * only `https`, or plain `http` to a loopback host (`127.0.0.0/8`, `[::1]`,
//!   `localhost`), as RFC 8252 §7.3 and RFC 9700 §2.6 allow; decided from the
//!   URI alone, before any name lookup;
//! * no user information in the URI (RFC 9110 §4.2.4);
//! * error messages name at most `scheme://host:port/path`, and a [`Redactor`]
//!   removes the query and credential headers from any text that still
//!   carried them.

use std::net::{Ipv4Addr, Ipv6Addr};

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use http::uri::Scheme;
use http::{HeaderMap, Uri};

use super::TransportError;

/// A checked request target: the URI to send and what may be said about it in errors.
pub(super) struct Target {
    /// The URI with its scheme normalized to lower case.
    pub(super) uri: Uri,
    /// `host[:port]` as written, without user information.
    pub(super) authority: String,
    /// `scheme://host:port/path`, without the query.
    pub(super) location: String,
}

impl Target {
    /// Accepts `https` URIs and `http` URIs whose host is a loopback address;
    /// refuses everything else before any I/O.
    pub(super) fn check(uri: &Uri) -> Result<Self, TransportError> {
        let scheme = uri.scheme_str().ok_or_else(|| {
            TransportError::InvalidRequest("the URI must be absolute (https://host/...)".to_owned())
        })?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(TransportError::InvalidRequest(format!(
                "unsupported URI scheme {scheme:?}: only https (or http to a loopback host) is allowed"
            )));
        };
        let authority = uri
            .authority()
            .ok_or_else(|| TransportError::InvalidRequest("the URI has no host".to_owned()))?;
        // RFC 9110 §4.2.4: user information in an http(s) URI is deprecated and
        // would put a credential where error messages and logs can see it.
        if authority.as_str().contains('@') {
            return Err(TransportError::InvalidRequest(
                "the URI must not contain user information".to_owned(),
            ));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(TransportError::InvalidRequest(
                "the URI has no host".to_owned(),
            ));
        }
        if !https && !is_loopback_host(host) {
            return Err(TransportError::InsecureScheme {
                host: host.to_owned(),
            });
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let scheme = if https { Scheme::HTTPS } else { Scheme::HTTP };
        let location = format!("{scheme}://{host}:{port}{}", uri.path());
        let mut parts = uri.clone().into_parts();
        parts.scheme = Some(scheme);
        let uri = Uri::from_parts(parts)
            .map_err(|_| TransportError::InvalidRequest("the URI is malformed".to_owned()))?;
        Ok(Self {
            uri,
            authority: authority.as_str().to_owned(),
            location,
        })
    }
}

/// `localhost`, `127.0.0.0/8`, `[::1]` and the IPv4-mapped form of
/// `127.0.0.0/8`; IP literals must be in their canonical textual form.
pub(super) fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        });
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Removes request secrets from an error message, as a second line of defence:
/// hyper, hyper-util and rustls do not put them in their errors today.
pub(super) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub(super) fn new(uri: &Uri, headers: &HeaderMap) -> Self {
        let mut secrets = Vec::new();
        if let Some(query) = uri.query().filter(|q| !q.is_empty()) {
            secrets.push(query.to_owned());
            for pair in query.split('&') {
                let value = pair.split_once('=').map_or(pair, |(_, v)| v);
                if value.len() >= 3 {
                    secrets.push(value.to_owned());
                }
            }
        }
        for (name, value) in headers {
            let credential = value.is_sensitive()
                || name == AUTHORIZATION
                || name == PROXY_AUTHORIZATION
                || name == COOKIE
                || name.as_str() == "dpop";
            if let (true, Ok(v)) = (credential, value.to_str())
                && v.len() >= 3
            {
                secrets.push(v.to_owned());
            }
        }
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self { secrets }
    }

    pub(super) fn scrub(&self, mut message: String) -> String {
        for secret in &self.secrets {
            if message.contains(secret.as_str()) {
                message = message.replace(secret.as_str(), "[redacted]");
            }
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.255.0.9",
            "[::1]",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.invalid",
            "localhost.example",
            "127.0.0.1.example",
            "128.0.0.1",
            "0.0.0.0",
            "[::]",
            "[::2]",
            "127.1",
            "[fe80::1]",
            "::1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn target_refuses_before_io() {
        let check = |s: &str| Target::check(&s.parse::<Uri>().unwrap());
        assert!(matches!(
            check("http://example.invalid/x?secret=1"),
            Err(TransportError::InsecureScheme { host }) if host == "example.invalid"
        ));
        assert!(matches!(
            check("ftp://example.com/"),
            Err(TransportError::InvalidRequest(_))
        ));
        assert!(matches!(
            check("/relative"),
            Err(TransportError::InvalidRequest(_))
        ));
        assert!(matches!(
            check("https://user:pw@example.com/"),
            Err(TransportError::InvalidRequest(m)) if !m.contains("pw")
        ));
        let t = check("HTTPS://Example.com/token?code=abc").unwrap();
        assert_eq!(t.uri.scheme(), Some(&Scheme::HTTPS));
        assert_eq!(t.location, "https://Example.com:443/token");
        let t = check("http://127.0.0.1:8080/a?b=c").unwrap();
        assert_eq!(t.location, "http://127.0.0.1:8080/a");
        assert_eq!(t.authority, "127.0.0.1:8080");
    }

    #[test]
    fn redactor_removes_query_and_credentials() {
        let uri: Uri = "https://h/p?code=abcdef&state=xyz".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic c2VjcmV0"));
        let r = Redactor::new(&uri, &headers);
        let out = r.scrub("x code=abcdef&state=xyz y abcdef Basic c2VjcmV0 xyz".to_owned());
        assert!(
            !out.contains("abcdef") && !out.contains("xyz") && !out.contains("c2VjcmV0"),
            "{out}"
        );
    }
}
