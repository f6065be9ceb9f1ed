//! Back-Channel Logout 1.0 attacks (§2.4–§2.8): each test POSTs one hostile or broken
//! logout request to the sans-IO [`BackChannelLogout`] handler of a client built offline
//! (fixed provider keys from `tests/fixtures/jose`, served by the in-memory transport; a fixed
//! clock) and asserts the typed refusal, the HTTP answer (400/405, JSON error body,
//! `Cache-Control: no-store`) and that no session ended. Every refusal is also checked for
//! leaks: neither the response body nor the error's `Display`/`Debug` contains the token, a
//! token segment or the client secret.
//!
//! * [`claims`] — events, nonce, sub/sid, jti replay, iss, aud, exp/iat/nbf; valid tokens;
//! * [`signature`] — alg allow-list and `none`, bad and foreign signatures, key rotation,
//!   `typ`/`cty`/`crit`, malformed and encrypted JWTs;
//! * [`request`] — method, content type, form body, size limit; front-channel logout.

#[path = "support/mock.rs"]
mod mock;

#[path = "backchannel_attacks/common.rs"]
mod common;

#[path = "backchannel_attacks/claims.rs"]
mod claims;
#[path = "backchannel_attacks/request.rs"]
mod request;
#[path = "backchannel_attacks/signature.rs"]
mod signature;
