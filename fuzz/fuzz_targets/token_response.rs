//! Token endpoint responses (RFC 6749 §5.1, §5.2) through the public sans-IO parsers
//! `TokenResponse::from_json` and `TokenResponse::from_response`.
//!
//! Selector byte: low 3 bits pick the status, the next 2 bits the content type; the rest
//! is the body.
//!
//! Invariants: nothing panics; for a 200 `application/json` response within the size cap,
//! `from_response` and `from_json` agree (same success, same access token); a success
//! never comes from a non-2xx status; an error status with an RFC 6749 §5.2 document is
//! `Error::Provider`; the `Debug` of each token does not depend on its value; `extra` never
//! holds a member that has its own field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_oidc::token::TokenResponse;
use typed_oidc::{AccessToken, Error, RefreshToken};
use typed_oidc_fuzz as common;

const STATUSES: [u16; 8] = [200, 201, 400, 401, 500, 302, 204, 403];
const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    None,
    Some("text/html"),
];

fn check_success(resp: &TokenResponse) {
    // The Debug of a token is the same whatever its value: it shows none of it.
    assert_eq!(
        format!("{:?}", resp.access_token),
        format!("{:?}", AccessToken::new("x")),
    );
    if let Some(refresh) = &resp.refresh_token {
        assert_eq!(
            format!("{refresh:?}"),
            format!("{:?}", RefreshToken::new("x"))
        );
    }
    for own in [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
        "id_token",
    ] {
        assert!(!resp.extra.contains_key(own), "{own} left in extra");
    }
}

fuzz_target!(|data: &[u8]| {
    let (selector, body) = common::split_selector(data);
    let status = STATUSES[usize::from(selector & 7)];
    let content_type = CONTENT_TYPES[usize::from((selector >> 3) & 3)];

    let direct = TokenResponse::from_json(body);
    if let Ok(resp) = &direct {
        check_success(resp);
    }

    let via_http = TokenResponse::from_response(&common::response(status, content_type, body));
    match &via_http {
        Ok(resp) => {
            assert!((200..300).contains(&status), "success from status {status}");
            check_success(resp);
        }
        Err(Error::Provider(p)) => {
            assert!(
                !(200..300).contains(&status),
                "provider error from status {status}"
            );
            assert!(!p.error.is_empty());
            assert!(p.error.chars().count() <= 128 && !p.error.chars().any(char::is_control));
            if let Some(d) = &p.error_description {
                assert!(d.chars().count() <= 1024 && !d.chars().any(char::is_control));
            }
        }
        Err(_) => {}
    }
    if status == 200
        && content_type.is_some_and(|c| c.starts_with("application/json"))
        && body.len() <= TokenResponse::MAX_LEN
    {
        match (&direct, &via_http) {
            (Ok(a), Ok(b)) => assert_eq!(a.access_token.secret(), b.access_token.secret()),
            (Err(_), Err(_)) => {}
            (a, b) => panic!(
                "from_json and from_response disagree: {} vs {}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
});
