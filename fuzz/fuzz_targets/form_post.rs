//! `form_post` authorization responses (OAuth 2.0 Form Post Response Mode §2): the
//! `application/x-www-form-urlencoded` body through a real `Pending` started with
//! `response_mode=form_post` on a client built offline from metadata.
//!
//! Selector byte: bit 0 a provider that requires RFC 9207 `iss`, bit 1 whether the rest is
//! the body itself or a `code` value that must round-trip; bit 2 also offers the body to a
//! query-mode `Pending`, which must refuse it.
//!
//! Invariants: nothing panics; an error is a callback or provider error; a success has
//! exactly one `state` equal to the request's, `iss` as required, and the body's `code`; a
//! well-formed body built from any non-empty code is accepted with exactly that code.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use typed_oidc::error::CallbackError;
use typed_oidc::flow::ResponseMode;
use typed_oidc::{Client, Error};
use typed_oidc_fuzz::{self as common, FixtureHttp, callback};

static CLIENTS: LazyLock<[Client<FixtureHttp>; 2]> =
    LazyLock::new(|| [common::client(false), common::client(true)]);

fuzz_target!(|data: &[u8]| {
    let (selector, body) = common::split_selector(data);
    let iss_required = selector & 1 == 1;
    let client = &CLIENTS[usize::from(iss_required)];

    if selector & 4 == 4 {
        let err = callback::pending(client, None)
            .callback_form(body)
            .expect_err("a query-mode flow refuses a form body");
        assert!(
            matches!(err, Error::Callback(CallbackError::Malformed(_))),
            "{err:?}"
        );
    }

    if selector & 2 == 0 {
        let result = callback::pending(client, Some(ResponseMode::FormPost)).callback_form(body);
        callback::check_against_params(body, iss_required, &result);
    } else {
        let Ok(code) = std::str::from_utf8(body) else {
            return;
        };
        if code.is_empty() {
            return;
        }
        let form = callback::form(&callback::round_trip_pairs(code, iss_required));
        let received = callback::pending(client, Some(ResponseMode::FormPost))
            .callback_form(form.as_bytes())
            .expect("a well-formed form_post body is accepted");
        assert_eq!(received.code().secret(), code);
    }
});
