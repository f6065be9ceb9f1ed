//! Authorization-response URLs (RFC 6749 §4.1.2, OAuth 2.0 Multiple Response Types §2 for
//! the fragment, RFC 9207 `iss`) through a real `Pending` from
//! `authorization_request().start()` on a client built offline from metadata.
//!
//! Selector byte: bit 0 picks query or fragment response mode, bit 1 a provider that
//! advertises `authorization_response_iss_parameter_supported`, bits 2–3 how the rest is
//! used: as the whole redirect (absolute, relative, `?…` or `#…`), appended to the redirect
//! URI after `?` / `#`, or as a `code` value that must round-trip.
//!
//! Invariants: nothing panics; an error is a callback or provider error; a success has
//! exactly one `state` equal to the request's, an `iss` equal to the issuer whenever one is
//! present or required, and the `code` of the parameters; a well-formed response built from
//! any non-empty code is accepted with exactly that code.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use typed_oidc::Client;
use typed_oidc::flow::ResponseMode;
use typed_oidc_fuzz::{self as common, FixtureHttp, callback};

static CLIENTS: LazyLock<[Client<FixtureHttp>; 2]> =
    LazyLock::new(|| [common::client(false), common::client(true)]);

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let fragment = selector & 1 == 1;
    let iss_required = selector & 2 == 2;
    let client = &CLIENTS[usize::from(iss_required)];
    let mode = fragment.then_some(ResponseMode::Fragment);
    let sep = if fragment { '#' } else { '?' };

    match (selector >> 2) & 3 {
        0 => {
            // The whole redirect as a framework hands it over.
            let result = callback::pending(client, mode).callback(text);
            // Re-derive the parameters the way a browser would see them.
            let base = url::Url::parse(common::REDIRECT_URI).expect("redirect URI");
            if let Ok(url) = url::Url::parse(text).or_else(|_| base.join(text)) {
                let raw = if fragment {
                    url.fragment()
                } else {
                    url.query()
                }
                .unwrap_or_default();
                callback::check_against_params(raw.as_bytes(), iss_required, &result);
            } else {
                assert!(result.is_err(), "a redirect that is no URL was accepted");
            }
        }
        1 | 2 => {
            let redirect = format!("{}{sep}{text}", common::REDIRECT_URI);
            let result = callback::pending(client, mode).callback(&redirect);
            // `url` may re-encode what it parses; compare with what it kept.
            let url = url::Url::parse(&redirect).expect("a valid base with any suffix parses");
            let raw = if fragment {
                url.fragment()
            } else {
                url.query()
            }
            .unwrap_or_default();
            callback::check_against_params(raw.as_bytes(), iss_required, &result);
        }
        _ => {
            // Round trip: any non-empty code in a well-formed response comes back unchanged.
            if text.is_empty() {
                return;
            }
            let params = callback::form(&callback::round_trip_pairs(text, iss_required));
            let redirect = format!("{}{sep}{params}", common::REDIRECT_URI);
            let received = callback::pending(client, mode)
                .callback(&redirect)
                .expect("a well-formed response is accepted");
            assert_eq!(received.code().secret(), text);
        }
    }
});
