//! OpenID Connect Front-Channel Logout 1.0: the relying party's `frontchannel_logout_uri`.
//!
//! When the end-user logs out at the provider, the provider's logout page loads each RP's
//! `frontchannel_logout_uri` in an iframe (§2, §3). With `frontchannel_logout_session_required`
//! registered (or whenever the provider chooses to) the URI carries two query parameters:
//! `iss`, the provider's issuer, and `sid`, the provider session that ended. The RP checks `iss`
//! and ends the session(s) it associated with that `sid` (from the ID token's `sid` claim), or,
//! without them, the sessions its cookies name in that user agent.
//!
//! [`Client::front_channel_logout`] parses and checks the request; [`FrontChannelLogout::response`]
//! builds an uncacheable answer (§2: the RP's response must not be cached).

use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA};

use crate::client::Client;
use crate::response::sanitize;

/// A checked front-channel logout request (Front-Channel Logout 1.0 §2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontChannelLogout {
    sid: Option<String>,
}

impl FrontChannelLogout {
    /// The provider session that ended (`sid`), when the request carried `iss` and `sid`.
    /// Without one, the RP ends the sessions its own cookies name in this user agent.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Consumes the request, returning its `sid`.
    pub fn into_sid(self) -> Option<String> {
        self.sid
    }

    /// A `200` answer for the iframe: an empty HTML page with `Cache-Control: no-cache,
    /// no-store` and `Pragma: no-cache` (§2: the response must not be cached).
    pub fn response() -> http::Response<Vec<u8>> {
        let mut response =
            http::Response::new(b"<!DOCTYPE html><title>Logged out</title>".to_vec());
        let headers = response.headers_mut();
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-store"),
        );
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

/// Why a front-channel logout request was refused (Front-Channel Logout 1.0 §2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontChannelLogoutError {
    /// The query is not valid `application/x-www-form-urlencoded` UTF-8, or the URI does not
    /// parse.
    #[error("malformed front-channel logout request: {0}")]
    Malformed(&'static str),
    /// `iss` or `sid` appears more than once.
    #[error("parameter {0} repeated")]
    RepeatedParameter(&'static str),
    /// `iss` or `sid` is absent or empty although required: both are required with
    /// `frontchannel_logout_session_required`, and either one requires the other (§2).
    #[error("parameter {0} missing")]
    MissingParameter(&'static str),
    /// `iss` is not this client's issuer (§2: the RP must verify it).
    #[error("iss {actual} does not match issuer {expected}")]
    IssuerMismatch {
        /// The provider's issuer.
        expected: String,
        /// The `iss` received, without control characters and shortened to 256 characters.
        actual: String,
    },
}

impl<H, K> Client<H, K> {
    /// Checks a request to the RP's `frontchannel_logout_uri` (Front-Channel Logout 1.0 §2)
    /// given as its request target (`/logout?iss=…&sid=…`) or absolute URI.
    ///
    /// With `session_required` (the client registered `frontchannel_logout_session_required`)
    /// both `iss` and `sid` must be present; otherwise both or neither. A present `iss` must
    /// equal the provider's issuer exactly. Returns the `sid`.
    ///
    /// # Errors
    ///
    /// [`FrontChannelLogoutError`], one variant per broken rule.
    pub fn front_channel_logout(
        &self,
        request_uri: &http::Uri,
        session_required: bool,
    ) -> Result<FrontChannelLogout, FrontChannelLogoutError> {
        self.front_channel_logout_query(request_uri.query().unwrap_or_default(), session_required)
    }

    /// [`front_channel_logout`](Self::front_channel_logout) on the query string alone (without
    /// the `?`).
    ///
    /// # Errors
    ///
    /// [`FrontChannelLogoutError`], one variant per broken rule.
    pub fn front_channel_logout_query(
        &self,
        query: &str,
        session_required: bool,
    ) -> Result<FrontChannelLogout, FrontChannelLogoutError> {
        parse(self.core.metadata.issuer.as_str(), query, session_required)
    }
}

fn parse(
    issuer: &str,
    query: &str,
    session_required: bool,
) -> Result<FrontChannelLogout, FrontChannelLogoutError> {
    use FrontChannelLogoutError as E;
    let (mut iss, mut sid) = (None, None);
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let (slot, name) = match &*name {
            "iss" => (&mut iss, "iss"),
            "sid" => (&mut sid, "sid"),
            _ => continue,
        };
        // form_urlencoded replaces invalid UTF-8 with U+FFFD: refuse rather than guess.
        if value.contains('\u{FFFD}') {
            return Err(E::Malformed("a parameter is not valid UTF-8"));
        }
        if slot.replace(value.into_owned()).is_some() {
            return Err(E::RepeatedParameter(name));
        }
    }
    let iss = iss.filter(|s| !s.is_empty());
    let sid = sid.filter(|s| !s.is_empty());
    match (&iss, &sid) {
        (None, None) if !session_required => return Ok(FrontChannelLogout { sid: None }),
        (None, _) => return Err(E::MissingParameter("iss")),
        (_, None) => return Err(E::MissingParameter("sid")),
        (Some(_), Some(_)) => {}
    }
    match iss {
        Some(iss) if iss == issuer => Ok(FrontChannelLogout { sid }),
        Some(iss) => Err(E::IssuerMismatch {
            expected: issuer.to_owned(),
            actual: sanitize(&iss, 256).unwrap_or_default(),
        }),
        None => Err(E::MissingParameter("iss")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://op.example";

    #[test]
    fn rules() {
        let ok = |q: &str, req: bool| parse(ISS, q, req);
        let q = "iss=https%3A%2F%2Fop.example&sid=s1";
        assert_eq!(ok(q, true).unwrap().sid(), Some("s1"));
        assert_eq!(ok(q, false).unwrap().sid(), Some("s1"));
        assert_eq!(ok("", false).unwrap().sid(), None);
        assert_eq!(
            ok("", true),
            Err(FrontChannelLogoutError::MissingParameter("iss"))
        );
        assert_eq!(
            ok("iss=https%3A%2F%2Fop.example", false),
            Err(FrontChannelLogoutError::MissingParameter("sid"))
        );
        assert_eq!(
            ok("sid=s", false),
            Err(FrontChannelLogoutError::MissingParameter("iss"))
        );
        assert!(matches!(
            ok("iss=https%3A%2F%2Fevil.example&sid=s", true),
            Err(FrontChannelLogoutError::IssuerMismatch { .. })
        ));
        assert_eq!(
            ok("iss=https%3A%2F%2Fop.example&sid=a&sid=b", true),
            Err(FrontChannelLogoutError::RepeatedParameter("sid"))
        );
        assert!(matches!(
            ok("iss=https%3A%2F%2Fop.example&sid=%FF", true),
            Err(FrontChannelLogoutError::Malformed(_))
        ));
    }
}
