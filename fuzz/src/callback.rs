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

/// The invariants of a callback result against the raw parameters it was read from:
/// an error is a callback or provider error; a success has exactly one `state` equal to the
/// request's, the parameters' `code`, at most one `iss`, equal to the issuer and present when
/// required, and no `error`.
pub fn check_against_params(
    raw_params: &[u8],
    iss_required: bool,
    result: &Result<typed_oidc::CodeReceived, Error>,
) {
    check_result(result);
    let Ok(received) = result else { return };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw_params)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let values = |name: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(values("state"), [crate::STATE]);
    assert_eq!(values("code"), [received.code().secret()]);
    let iss = values("iss");
    assert!(iss.len() <= 1);
    assert!(iss.iter().all(|i| *i == crate::ISSUER));
    if iss_required {
        assert_eq!(iss.len(), 1, "accepted without the required iss");
    }
    assert!(
        values("error").is_empty(),
        "an error response became a code"
    );
}
