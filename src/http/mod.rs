//! Transport: the one place where typed-oidc does I/O.
//!
//! Every protocol step in this crate is a pure function that builds an
//! [`http::Request<Vec<u8>>`] and parses an [`http::Response<Bytes>`]. An
//! [`HttpClient`] carries one request to the provider and brings the response back.
//! The default implementation, [`HyperClient`], runs on hyper 1 + hyper-util +
//! hyper-rustls; plug in any other client (reqwest, a proxy, a test double) by
//! implementing the trait.

use std::future::Future;

use bytes::Bytes;

#[cfg(feature = "hyper-client")]
mod hyper_client;
#[cfg(feature = "hyper-client")]
mod policy;
#[cfg(feature = "hyper-client")]
pub use hyper_client::{HyperClient, HyperClientBuilder};

/// Carries one HTTP request to a provider and returns its response.
///
/// Implementations must **not** follow redirects (a redirect is returned as a
/// response), should enforce a response-size cap while reading and should
/// apply timeouts; [`HyperClient`] does all three.
pub trait HttpClient: Send + Sync {
    /// Sends `request` and returns the complete response.
    fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Bytes>, TransportError>> + Send;
}

impl<T: HttpClient + ?Sized> HttpClient for &T {
    fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Bytes>, TransportError>> + Send {
        (**self).execute(request)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for std::sync::Arc<T> {
    fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Bytes>, TransportError>> + Send {
        (**self).execute(request)
    }
}

/// A failure to carry a request to the provider or to read its response.
///
/// Messages never contain request bodies, headers or query strings, so no
/// secret can leak through them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The URL is not `https` and its host is not a loopback address.
    #[error("refusing to send a request over plain http to a non-loopback host {host}")]
    InsecureScheme {
        /// The host that was refused.
        host: String,
    },
    /// The request could not be built or sent as given (bad URI, unsupported scheme).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The TCP or TLS connection could not be established.
    #[error("connection to {host} failed: {detail}")]
    Connect {
        /// The host that was contacted.
        host: String,
        /// What went wrong.
        detail: String,
    },
    /// The connect or total timeout elapsed.
    #[error("{phase} timeout of {millis} ms elapsed")]
    Timeout {
        /// `"connect"` or `"total"`.
        phase: &'static str,
        /// The timeout that elapsed, in milliseconds.
        millis: u64,
    },
    /// The response body exceeded the configured cap; reading stopped there.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The connection failed while the request or response was in flight.
    #[error("I/O error: {0}")]
    Io(String),
}
