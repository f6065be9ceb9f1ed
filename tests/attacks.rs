//! The JWT / OAuth attack catalogue (RFC 8725, RFC 9700, RFC 9207, RFC 7636 and known
//! JWT-library CVEs): each test mounts one attack through the public API, as a relying
//! party would meet it, and asserts that it is refused with one specific typed error.
//!
//! * [`alg`] — `alg: none` in every spelling, HMAC keyed with the provider's public key;
//! * [`header`] — `jku` / `x5u` / `jwk` / `x5c` / `kid` tricks (with a recording transport),
//!   `crit`, `b64`, `typ`, nested JWTs, duplicate header members;
//! * [`claims`] — hostile `exp` / `iat` / `nbf` and `aud` values, duplicate claims;
//! * [`encoding`] — malformed base64url and segments, multi-megabyte tokens;
//! * [`jwks`] — weak, off-curve, mismatched and symmetric keys in the provider's JWK Set;
//! * [`signatures`] — keyless forgeries: psychic ECDSA, degenerate RSA, truncated HMACs;
//! * [`front`] — authorization-response mix-up, cross-session codes, PKCE-ignoring providers.
//!
//! The provider is the scripted in-memory [`mock::MockHttp`], which records every request,
//! so a test can prove that a URL named in a token was never fetched.

#[path = "support/mock.rs"]
mod mock;

#[path = "attacks/common.rs"]
mod common;

#[path = "attacks/alg.rs"]
mod alg;
#[path = "attacks/claims.rs"]
mod claims;
#[path = "attacks/encoding.rs"]
mod encoding;
#[path = "attacks/front.rs"]
mod front;
#[path = "attacks/header.rs"]
mod header;
#[path = "attacks/jwks.rs"]
mod jwks;
#[path = "attacks/signatures.rs"]
mod signatures;
