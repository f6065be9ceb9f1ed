//! typed-oidc: a typestate-driven OpenID Connect / OAuth 2.0 relying-party client.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod http;
// LOCAL (transport worktree only, not for merge): jose/ lives on another branch.
// pub mod jose;

pub use error::{Error, Result};
