//! Token endpoint responses (RFC 6749 §5.1, §5.2; OpenID Connect Core §3.1.3.3).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::{Error, ResponseError};
use crate::jose::JsonStr;
use crate::response::{require_json, require_success, safe_json_detail};
use crate::types::{AccessToken, IdToken, RefreshToken, Scope};

/// The `token_type` (RFC 6749 §7.1), compared case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TokenType {
    /// `Bearer` (RFC 6750).
    Bearer,
    /// `DPoP` (RFC 9449).
    DPoP,
    /// `N_A` (RFC 8693 §2.2.1: the issued token is not an access token).
    NotApplicable,
    /// Any other type, as sent.
    Other(String),
}

impl TokenType {
    /// Parses a `token_type` case-insensitively.
    pub fn parse(s: &str) -> Self {
        if s.eq_ignore_ascii_case("bearer") {
            Self::Bearer
        } else if s.eq_ignore_ascii_case("dpop") {
            Self::DPoP
        } else if s.eq_ignore_ascii_case("n_a") {
            Self::NotApplicable
        } else {
            Self::Other(s.to_owned())
        }
    }
}

/// A successful token response (RFC 6749 §5.1), with the ID token still unverified.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: AccessToken,
    /// `token_type`.
    pub token_type: TokenType,
    /// `expires_in`, accepted as a JSON number or a numeric string (many providers send a string).
    pub expires_in: Option<Duration>,
    /// `refresh_token`.
    pub refresh_token: Option<RefreshToken>,
    /// `scope`: the granted scope when it differs from the requested one.
    pub scope: Option<Scope>,
    /// `id_token` (OpenID Connect), not yet validated.
    pub id_token: Option<IdToken>,
    /// Every other member, as sent.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl TokenResponse {
    /// Largest token response accepted.
    pub const MAX_LEN: usize = 256 * 1024;

    /// Parses a token-endpoint response: any 2xx with a JSON body is a success;
    /// an RFC 6749 §5.2 error document becomes [`Error::Provider`].
    pub fn from_response(response: &http::Response<Bytes>) -> Result<Self, Error> {
        Self::from_endpoint_response("token", response)
    }

    pub(crate) fn from_endpoint_response(
        endpoint: &'static str,
        response: &http::Response<Bytes>,
    ) -> Result<Self, Error> {
        require_success(endpoint, response)?;
        require_json(endpoint, response, Self::MAX_LEN)?;
        Self::from_json(response.body()).map_err(|e| match e {
            Error::Response(ResponseError::Json { detail, .. }) => {
                Error::Response(ResponseError::Json { endpoint, detail })
            }
            other => other,
        })
    }

    /// Parses a token response body.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let parsed = de
            .deserialize_map(TokenResponseVisitor)
            .and_then(|r| de.end().map(|()| r))
            .map_err(|e| ResponseError::Json {
                endpoint: "token",
                detail: safe_json_detail(&e),
            })?;
        parsed.map_err(|detail| {
            ResponseError::Invalid {
                endpoint: "token",
                detail,
            }
            .into()
        })
    }
}

struct TokenResponseVisitor;

/// A numeric `expires_in` given as a number or a string.
struct ExpiresIn(Option<u64>);

impl<'de> de::Deserialize<'de> for ExpiresIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ExpiresIn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer or numeric string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExpiresIn, E> {
                Ok(ExpiresIn(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExpiresIn, E> {
                u64::try_from(v)
                    .map(|v| ExpiresIn(Some(v)))
                    .map_err(|_| E::custom("negative expires_in"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpiresIn, E> {
                v.trim()
                    .parse::<u64>()
                    .map(|v| ExpiresIn(Some(v)))
                    .map_err(|_| E::custom("non-numeric expires_in"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExpiresIn, E> {
                Ok(ExpiresIn(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Visitor<'de> for TokenResponseVisitor {
    type Value = Result<TokenResponse, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut access_token: Option<String> = None;
        let mut token_type: Option<String> = None;
        let mut expires_in: Option<Option<u64>> = None;
        let mut refresh_token: Option<Option<String>> = None;
        let mut scope: Option<Option<JsonStr<'de>>> = None;
        let mut id_token: Option<Option<String>> = None;
        let mut extra = serde_json::Map::new();
        fn dup<E: de::Error>(name: &str) -> E {
            E::custom(format!("duplicate field `{name}`"))
        }
        while let Some(JsonStr(key)) = map.next_key()? {
            match key.as_ref() {
                "access_token" if access_token.is_some() => return Err(dup("access_token")),
                "access_token" => access_token = Some(map.next_value()?),
                "token_type" if token_type.is_some() => return Err(dup("token_type")),
                "token_type" => token_type = Some(map.next_value()?),
                "expires_in" if expires_in.is_some() => return Err(dup("expires_in")),
                "expires_in" => expires_in = Some(map.next_value::<ExpiresIn>()?.0),
                "refresh_token" if refresh_token.is_some() => return Err(dup("refresh_token")),
                "refresh_token" => refresh_token = Some(map.next_value()?),
                "scope" if scope.is_some() => return Err(dup("scope")),
                "scope" => scope = Some(map.next_value()?),
                "id_token" if id_token.is_some() => return Err(dup("id_token")),
                "id_token" => id_token = Some(map.next_value()?),
                other => {
                    let value: serde_json::Value = map.next_value()?;
                    if extra.insert(other.to_owned(), value).is_some() {
                        return Err(dup(other));
                    }
                }
            }
        }
        let Some(access_token) = access_token else {
            return Ok(Err("missing access_token".into()));
        };
        let Some(token_type) = token_type else {
            return Ok(Err("missing token_type".into()));
        };
        if access_token.is_empty() {
            return Ok(Err("empty access_token".into()));
        }
        let scope = match scope.flatten() {
            Some(JsonStr(s)) => match Scope::parse(&s) {
                Ok(s) => Some(s),
                Err(_) => return Ok(Err("scope is not a valid scope string".into())),
            },
            None => None,
        };
        Ok(Ok(TokenResponse {
            access_token: AccessToken::new(access_token),
            token_type: TokenType::parse(&token_type),
            expires_in: expires_in.flatten().map(Duration::from_secs),
            refresh_token: refresh_token
                .flatten()
                .filter(|s| !s.is_empty())
                .map(RefreshToken::new),
            scope,
            id_token: id_token.flatten().map(IdToken::new),
            extra,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_and_scope_with_escapes() {
        let body = br#"{"access\u005ftoken":"at","token_type":"bearer","sc\u006fpe":"openid pr\u006ffile","x":1}"#;
        let r = TokenResponse::from_json(body).expect("parses");
        assert_eq!(r.access_token.secret(), "at");
        assert_eq!(r.token_type, TokenType::Bearer);
        assert_eq!(
            r.scope.map(|s| s.to_string()).as_deref(),
            Some("openid profile")
        );
        assert_eq!(r.extra.get("x"), Some(&serde_json::json!(1)));
    }

    #[test]
    fn refusals_are_unchanged() {
        let err = |body: &[u8]| format!("{:?}", TokenResponse::from_json(body).err());
        assert!(err(br#"{"access_token":"a","token_type":"b","scope":5}"#).contains("Json"));
        assert!(
            err(br#"{"access_token":"a","token_type":"b","scope":"a\"b"}"#)
                .contains("scope is not a valid scope string")
        );
        assert!(
            err(br#"{"access_token":"a","access\u005ftoken":"b","token_type":"b"}"#)
                .contains("duplicate field `access_token`")
        );
        assert!(err(br#"{"token_type":"b"}"#).contains("missing access_token"));
    }
}
