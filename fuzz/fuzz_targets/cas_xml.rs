//! CAS service responses (CAS Protocol 3.0 §2.5.2, §2.6.2: XML) and CAS 1.0 `/validate`
//! bodies (§2.4.2: text) through the public sans-IO readers.
//!
//! Selector byte mod 4: 0 the rest is an XML body for `read_service_response` (content
//! type from the next selector bits) and `parse_service_response`; 1 the rest is a CAS 1.0
//! body for `read_v1_response` and `parse_v1`; 2 the rest (control characters dropped)
//! is a user name and an attribute value written into a CAS 3.0 success document, which
//! must parse back to them; 3 the same as a failure message.
//!
//! Invariants: nothing panics; reader and parser agree on a 200 with an accepted content
//! type; a success has a non-empty, trimmed user and trimmed attribute values and proxies;
//! a failure message has no control characters and at most 1024 characters; escaped text
//! round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_oidc::cas::{
    CasOutcome, parse_service_response, parse_v1, read_service_response, read_v1_response,
};
use typed_oidc_fuzz as common;

const XML_TYPES: [Option<&str>; 4] = [
    Some("application/xml"),
    Some("text/xml; charset=utf-8"),
    None,
    Some("application/cas+xml"),
];

fn check(outcome: &CasOutcome) {
    match outcome {
        CasOutcome::Success(s) => {
            assert!(!s.user.is_empty());
            assert_eq!(s.user.trim(), s.user);
            for value in s.attributes.values().flatten().chain(&s.proxies) {
                assert_eq!(value.trim(), value);
            }
            if let Some(pgt) = &s.proxy_granting_ticket {
                assert!(!pgt.secret().is_empty());
                let other = typed_oidc::cas::CasTicket::new("PGTIOU-x");
                assert_eq!(format!("{pgt:?}"), format!("{other:?}"));
            }
        }
        CasOutcome::Failure(f) => {
            assert!(f.message.chars().count() <= 1024);
            assert!(!f.message.chars().any(char::is_control));
            assert!(!f.code.chars().any(char::is_control));
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    match selector % 4 {
        0 => {
            let parsed = parse_service_response(rest);
            if let Ok(outcome) = &parsed {
                check(outcome);
            }
            let ct = XML_TYPES[usize::from((selector >> 2) & 3)];
            let read = read_service_response(&common::response(200, ct, rest));
            match (&parsed, &read) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                _ => panic!("reader and parser disagree"),
            }
        }
        1 => {
            let parsed = parse_v1(rest);
            if let Ok(outcome) = &parsed {
                check(outcome);
            }
            let read = read_v1_response(&common::response(200, Some("text/plain"), rest));
            match (&parsed, &read) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                _ => panic!("reader and parser disagree"),
            }
        }
        2 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let text: String = text.chars().filter(|c| !c.is_control()).collect();
            let user = text.trim();
            if user.is_empty() {
                return;
            }
            let doc = format!(
                "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\
                 <cas:authenticationSuccess><cas:user>{}</cas:user>\
                 <cas:attributes><cas:note>{}</cas:note></cas:attributes>\
                 </cas:authenticationSuccess></cas:serviceResponse>",
                escape(&text),
                escape(&text)
            );
            match parse_service_response(doc.as_bytes()) {
                Ok(CasOutcome::Success(s)) => {
                    assert_eq!(s.user, user);
                    assert_eq!(s.attributes.get("note"), Some(&vec![user.to_owned()]));
                }
                Err(typed_oidc::cas::CasError::TooLarge { .. }) => {}
                other => panic!("escaped success did not round-trip: {other:?}"),
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let text: String = text.chars().filter(|c| !c.is_control()).collect();
            let doc = format!(
                "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\
                 <cas:authenticationFailure code=\"INVALID_TICKET\">{}</cas:authenticationFailure>\
                 </cas:serviceResponse>",
                escape(&text)
            );
            match parse_service_response(doc.as_bytes()) {
                Ok(CasOutcome::Failure(f)) => {
                    assert_eq!(f.code, "INVALID_TICKET");
                    check(&CasOutcome::Failure(f));
                }
                Err(typed_oidc::cas::CasError::TooLarge { .. }) => {}
                other => panic!("escaped failure did not parse: {other:?}"),
            }
        }
    }
});
