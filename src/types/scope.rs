//! OAuth 2.0 scope (RFC 6749 §3.3).

use std::borrow::Cow;
use std::fmt;

use crate::error::ConfigError;

/// One scope token: `1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeToken(Cow<'static, str>);

impl ScopeToken {
    /// Validates one scope token.
    pub fn new(token: &str) -> Result<Self, ConfigError> {
        let valid = !token.is_empty()
            && token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if valid {
            Ok(Self(match Self::standard(token) {
                Some(name) => Cow::Borrowed(name),
                None => Cow::Owned(token.to_owned()),
            }))
        } else {
            Err(ConfigError::InvalidValue {
                what: "scope",
                detail: format!("{token:?} is not an RFC 6749 §3.3 scope token"),
            })
        }
    }
    pub(crate) fn offline_access() -> Self {
        Self(Cow::Borrowed(Scope::OFFLINE_ACCESS))
    }
    /// The scope values OpenID Connect Core §5.4 and §11 define, held without allocating.
    fn standard(token: &str) -> Option<&'static str> {
        [
            "openid",
            "profile",
            "email",
            "address",
            "phone",
            Scope::OFFLINE_ACCESS,
        ]
        .into_iter()
        .find(|name| *name == token)
    }
    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A scope: an ordered set of tokens, space-separated on the wire (RFC 6749 §3.3).
///
/// Tokens keep the order they were added in and appear once. A scope knows whether
/// it contains `openid` (an OpenID Connect request) and `offline_access` (a request
/// for a refresh token, OpenID Connect Core §11). In an authorization request,
/// `offline_access` is added only by
/// [`AuthorizationRequest::offline_access`](crate::flow::AuthorizationRequest::offline_access),
/// which also changes the request's type so that the resulting tokens can refresh.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope(Vec<ScopeToken>);

impl Scope {
    /// `openid`: the scope every OpenID Connect request carries.
    pub const OPENID: &'static str = "openid";
    /// `offline_access`: asks for a refresh token (OpenID Connect Core §11).
    pub const OFFLINE_ACCESS: &'static str = "offline_access";

    /// An empty scope.
    pub fn empty() -> Self {
        Self(Vec::new())
    }

    /// The scope `openid`.
    pub fn openid() -> Self {
        // Room for the few tokens a request usually adds, so that adding them does not reallocate.
        let mut tokens = Vec::with_capacity(4);
        tokens.push(ScopeToken(Cow::Borrowed(Self::OPENID)));
        Self(tokens)
    }

    /// Parses a space-separated scope string. Runs of spaces are tolerated,
    /// duplicates dropped, order kept.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let mut scope = Self::empty();
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            scope.push(ScopeToken::new(token)?);
        }
        Ok(scope)
    }

    /// Adds one token (validated) unless present; returns the scope.
    pub fn with(mut self, token: &str) -> Result<Self, ConfigError> {
        self.push(ScopeToken::new(token)?);
        Ok(self)
    }

    /// Adds a validated token unless it is already present.
    pub fn push(&mut self, token: ScopeToken) {
        if !self.0.contains(&token) {
            self.0.push(token);
        }
    }

    /// Removes a token if present; returns whether it was.
    pub fn remove(&mut self, token: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|t| t.as_str() != token);
        before != self.0.len()
    }

    /// Whether the token is present.
    pub fn contains(&self, token: &str) -> bool {
        self.0.iter().any(|t| t.as_str() == token)
    }

    /// Whether `openid` is present.
    pub fn has_openid(&self) -> bool {
        self.contains(Self::OPENID)
    }

    /// Whether `offline_access` is present.
    pub fn has_offline_access(&self) -> bool {
        self.contains(Self::OFFLINE_ACCESS)
    }

    /// The tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(ScopeToken::as_str)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(t.as_str())?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Scope {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
