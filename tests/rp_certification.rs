//! OpenID Connect RP certification behaviour (Basic, Implicit, Hybrid and Config RP
//! profiles), one test per certification test ID, named after it (`-`/`+` become `_`).
//!
//! Each test drives the crate's public API end to end — discovery, the authorization
//! request, the callback, the token exchange, UserInfo, refresh — through `HyperClient` over
//! real TCP against `hostile_op`, a purpose-built provider on 127.0.0.1 that misbehaves in the
//! one way the test ID describes. Accept tests assert the values that came through (claims,
//! tokens, what the provider received); reject tests assert the typed error variant.

#![cfg(feature = "hyper-client")]

mod hostile_op;

#[path = "rp_certification/common.rs"]
mod common;

#[path = "rp_certification/response_types.rs"]
mod response_types;

#[path = "rp_certification/token_endpoint.rs"]
mod token_endpoint;

#[path = "rp_certification/id_token.rs"]
mod id_token;

#[path = "rp_certification/userinfo.rs"]
mod userinfo;

#[path = "rp_certification/config.rs"]
mod config;
