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

/// An `application/x-www-form-urlencoded` body (RFC 6749 Appendix B).
pub(crate) struct Form(url::form_urlencoded::Serializer<'static, String>);

impl Form {
    pub(crate) fn new() -> Self {
        Self(url::form_urlencoded::Serializer::new(String::new()))
    }
    pub(crate) fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.0.append_pair(name, value);
        self
    }
    pub(crate) fn set_opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.0.append_pair(name, v);
        }
        self
    }
    /// A POST of this form to `url`, asking for JSON.
    pub(crate) fn into_post(mut self, url: &str) -> http::Request<Vec<u8>> {
        let body = self.0.finish().into_bytes();
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
