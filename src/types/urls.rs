//! URL newtypes with the rules their specifications set.

use std::fmt;

use url::Url;

use crate::error::ConfigError;

/// Whether `url` may be used without TLS: only loopback hosts qualify.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_url(what: &'static str, s: &str) -> Result<Url, ConfigError> {
    Url::parse(s).map_err(|e| ConfigError::InvalidUrl {
        what,
        detail: e.to_string(),
    })
}

fn require_https_or_loopback(what: &'static str, url: &Url) -> Result<(), ConfigError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        other => Err(ConfigError::InvalidUrl {
            what,
            detail: format!(
                "scheme {other} is not allowed: https is required except for loopback hosts"
            ),
        }),
    }
}

/// An issuer identifier (OpenID Connect Discovery 1.0 §3, RFC 8414 §2): an `https`
/// URL without query or fragment (`http` is accepted for loopback hosts only, for
/// local testing). The original string is kept byte for byte, because issuers are
/// compared by exact string equality.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IssuerUrl {
    raw: String,
    url: Url,
}

impl IssuerUrl {
    /// Validates an issuer identifier.
    pub fn new(s: &str) -> Result<Self, ConfigError> {
        let url = parse_url("issuer", s)?;
        require_https_or_loopback("issuer", &url)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::InvalidUrl {
                what: "issuer",
                detail: "an issuer has no query or fragment".into(),
            });
        }
        Ok(Self {
            raw: s.to_owned(),
            url,
        })
    }
    /// The issuer exactly as configured.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
    /// `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4):
    /// the suffix is appended to the issuer's path.
    pub fn openid_configuration_url(&self) -> Url {
        let mut url = self.url.clone();
        let path = format!(
            "{}/.well-known/openid-configuration",
            url.path().trim_end_matches('/')
        );
        url.set_path(&path);
        url
    }
    /// `{origin}/.well-known/oauth-authorization-server{path}` (RFC 8414 §3.1): the
    /// well-known segment goes between the host and the issuer's path.
    pub fn oauth_authorization_server_url(&self) -> Url {
        let mut url = self.url.clone();
        let issuer_path = self.url.path().trim_end_matches('/');
        url.set_path(&format!(
            "/.well-known/oauth-authorization-server{issuer_path}"
        ));
        url
    }
}

impl fmt::Debug for IssuerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerUrl({})", self.raw)
    }
}

impl fmt::Display for IssuerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A redirection endpoint (RFC 6749 §3.1.2): an absolute URL without fragment.
/// Kept byte for byte, because the token request must repeat it exactly.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedirectUrl {
    raw: String,
    url: Url,
}

impl RedirectUrl {
    /// Validates a redirect URI. Custom schemes (native apps, RFC 8252 §7.1) are allowed.
    pub fn new(s: &str) -> Result<Self, ConfigError> {
        let url = parse_url("redirect_uri", s)?;
        if url.fragment().is_some() {
            return Err(ConfigError::InvalidUrl {
                what: "redirect_uri",
                detail: "a redirection endpoint must not include a fragment (RFC 6749 §3.1.2)"
                    .into(),
            });
        }
        Ok(Self {
            raw: s.to_owned(),
            url,
        })
    }
    /// The redirect URI exactly as configured.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
}

impl fmt::Debug for RedirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUrl({})", self.raw)
    }
}

impl fmt::Display for RedirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A provider endpoint (authorization, token, userinfo, JWKS …): `https`, or `http`
/// on a loopback host. An endpoint may carry a query, which is kept when
/// parameters are added.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(Url);

impl EndpointUrl {
    /// Validates an endpoint URL.
    pub fn new(s: &str) -> Result<Self, ConfigError> {
        let url = parse_url("endpoint", s)?;
        require_https_or_loopback("endpoint", &url)?;
        if url.fragment().is_some() {
            return Err(ConfigError::InvalidUrl {
                what: "endpoint",
                detail: "an endpoint URL must not include a fragment".into(),
            });
        }
        Ok(Self(url))
    }
    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EndpointUrl({})", self.0)
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

macro_rules! string_serde {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(IssuerUrl);
string_serde!(RedirectUrl);
string_serde!(EndpointUrl);
