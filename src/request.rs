//! Shared request builders: GET for JSON documents and form-encoded POSTs
//! (RFC 6749 Appendix B).

use http::header::{ACCEPT, CONTENT_TYPE};

/// A GET request asking for JSON.
pub(crate) fn get(url: &str) -> http::Request<Vec<u8>> {
    let mut req = http::Request::new(Vec::new());
    *req.method_mut() = http::Method::GET;
    set_uri(&mut req, url);
    req.headers_mut()
        .insert(ACCEPT, http::HeaderValue::from_static("application/json"));
    req
}

fn set_uri(req: &mut http::Request<Vec<u8>>, url: &str) {
    // Every URL reaching here came from a parsed `url::Url`, which is always a valid URI;
    // an unparsable one leaves the default `/`, which the transport refuses as relative.
    if let Ok(uri) = url.parse::<http::Uri>() {
        *req.uri_mut() = uri;
    }
}

/// An `application/x-www-form-urlencoded` body (RFC 6749 Appendix B). A plain
/// string underneath, so it is `Send` and can live across an await.
#[derive(Clone)]
pub(crate) struct Form(String);

impl Form {
    pub(crate) fn new() -> Self {
        Self(String::with_capacity(256))
    }
    pub(crate) fn set(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0
            .extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
        self.0.push('=');
        self.0
            .extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        self
    }
    pub(crate) fn set_opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.set(name, v);
        }
        self
    }
    /// A POST of this form to `url`, asking for JSON.
    pub(crate) fn into_post(self, url: &str) -> http::Request<Vec<u8>> {
        let body = self.0.into_bytes();
        let mut req = http::Request::new(body);
        *req.method_mut() = http::Method::POST;
        set_uri(&mut req, url);
        req.headers_mut().insert(
            CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        req.headers_mut()
            .insert(ACCEPT, http::HeaderValue::from_static("application/json"));
        req
    }
}
