//! Test harness shared by the integration tests (`mod support;`) and `examples/demo.rs`
//! (`#[path = "../tests/support/mod.rs"] mod support;`).
//!
//! * [`TestProvider`]: starts the real test OpenID Provider (panva `oidc-provider` 9.x on Node,
//!   `tests/provider/provider.mjs`) on 127.0.0.1; [`shared`] gives one per test binary.
//! * [`user_agent_authorize`] / [`UserAgent`]: a scripted browser (cookie jar, manual
//!   redirects, auto-submitting forms) that runs the provider's scripted login/consent.
//! * [`clients`]: the registered clients, secrets, keys and accounts.
//! * [`net`]: plain-http helpers for hand-made requests (GET, form POST, Basic auth).
//!
//! Only uses the crate's dependencies and dev-dependencies (tokio, hyper, hyper-util,
//! http-body-util, bytes, serde_json, url, base64), so it compiles in tests and in examples.
#![allow(dead_code, unused_imports)]

pub mod clients;
pub mod mock;
pub mod net;
mod provider;
pub mod recording;
mod ua;

pub use provider::{TestProvider, provider_dir, shared, shared_with_mount};
pub use ua::{
    AuthorizationResult, Cookie, CookieJar, HtmlForm, MAX_HOPS, UserAgent, auto_submit_form,
    first_form, html_unescape, user_agent_authorize,
};
