//! Pieces shared by the `callback_url` and `form_post` targets.

use typed_oidc::flow::ResponseMode;
use typed_oidc::{Client, Error, Pending, State};

use crate::{FixtureHttp, ISSUER, STATE};

/// A real `Pending` from `authorization_request().start()` on the offline client, with the
/// fixed [`STATE`] and the given response mode.
pub fn pending(client: &Client<FixtureHttp>, mode: Option<ResponseMode>) -> Pending {
    let mut request = client.authorization_request().state(State::new(STATE));
    if let Some(mode) = mode {
        request = request.response_mode(mode);
    }
    let (url, pending) = request.start().expect("authorization request starts");
    let url = url.to_url().expect("authorization URL parses");
    assert!(
        url.query_pairs().any(|(k, v)| k == "state" && v == STATE),
        "the request carries the state"
    );
    pending
}

/// `application/x-www-form-urlencoded` serialization of `pairs`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// What a callback result may be: a code with every check passed, or a typed error.
/// A success must carry a non-empty code.
pub fn check_result(result: &Result<typed_oidc::CodeReceived, Error>) {
    match result {
        Ok(received) => assert!(!received.code().secret().is_empty()),
        Err(Error::Callback(_) | Error::Provider(_)) => {}
        Err(other) => panic!("unexpected error family from a callback: {other:?}"),
    }
}

/// A parameter value taken from fuzz input: any text, used as the `code`.
pub fn round_trip_pairs(code: &str, with_iss: bool) -> Vec<(&str, &str)> {
    let mut pairs = vec![("code", code), ("state", STATE)];
    if with_iss {
        pairs.push(("iss", ISSUER));
    }
    pairs
}
