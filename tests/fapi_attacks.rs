//! The adversarial suite of the FAPI 2.0 client mode, DPoP (RFC 9449), JAR (RFC 9101) and
//! JARM: each test drives the public API end to end — discovery, the pushed authorization
//! request, the callback, the code exchange, UserInfo, protected resources, refresh — through
//! `HyperClient` over real TCP against `hostile_fapi`, a purpose-built authorization server
//! on 127.0.0.1 that verifies what the client sends (DPoP proofs, client assertions, request
//! objects, PKCE, token binding) and misbehaves in one way per test. Every refusal is
//! asserted as one typed error variant, and where it matters, that no further request left.
//!
//! * [`id_token`] — hostile ID tokens (claims, `alg: none`, RS256, bad signatures);
//! * [`front`] — authorization responses: RFC 9207 `iss`, `state`, `error`;
//! * [`jarm`] — JWT-secured authorization responses (Message Signing);
//! * [`dpop_nonce`] — `use_dpop_nonce` at every endpoint, malformed and missing nonces;
//! * [`dpop_binding`] — token types, the proofs the server received, `dpop_jkt`, schemes;
//! * [`builder`] — what the FAPI builder refuses, and the client assertions;
//! * [`garbage`] — non-JSON, HTML and truncated answers.

#![cfg(feature = "hyper-client")]

/// Asserts that `$result` is an `Err` matching the pattern (and guard); returns the error.
macro_rules! expect_err {
    ($result:expr, $pat:pat $(if $guard:expr)?) => {
        match $result {
            Err(e) => {
                assert!(
                    matches!(&e, $pat $(if $guard)?),
                    "expected {}, got {e:?}",
                    stringify!($pat)
                );
                e
            }
            Ok(v) => panic!("expected {}, got Ok({v:?})", stringify!($pat)),
        }
    };
}

mod hostile_fapi;

#[path = "fapi_attacks/common.rs"]
mod common;

#[path = "fapi_attacks/builder.rs"]
mod builder;
#[path = "fapi_attacks/dpop_binding.rs"]
mod dpop_binding;
#[path = "fapi_attacks/dpop_nonce.rs"]
mod dpop_nonce;
#[path = "fapi_attacks/front.rs"]
mod front;
#[path = "fapi_attacks/garbage.rs"]
mod garbage;
#[path = "fapi_attacks/id_token.rs"]
mod id_token;
#[path = "fapi_attacks/jarm.rs"]
mod jarm;
