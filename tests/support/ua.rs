//! A scripted user agent: plain http, a minimal cookie jar, manual redirects, auto-submitting
//! forms. It drives the test provider's login/consent interaction (which needs no input) until
//! the provider sends the browser to the client.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};

use super::net::{PlainClient, REQUEST_TIMEOUT, form_decode, plain_client, snippet};

/// Maximum number of HTTP requests one navigation makes.
pub const MAX_HOPS: usize = 20;

/// Where a navigation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationResult {
    /// The provider redirected to a URL starting with the expected prefix; the full URL
    /// including query or fragment (not followed).
    Redirect(String),
    /// The provider answered with an auto-submitting HTML form (`response_mode=form_post`)
    /// whose action starts with the expected prefix (not submitted).
    FormPost {
        /// The form's action URL (HTML entities decoded, made absolute).
        action: String,
        /// The form's fields as an `application/x-www-form-urlencoded` body.
        body: String,
    },
    /// The navigation ended on a page that is neither a redirect nor an auto-submitting form
    /// (e.g. the provider's JSON error page for an invalid `redirect_uri`, the "Signed out" or
    /// "Device sign-in success" page).
    Page {
        /// Status code of the final response.
        status: u16,
        /// URL of the final request.
        url: String,
        /// Body of the final response.
        body: String,
    },
}

impl AuthorizationResult {
    /// The redirect URL; panics with details if the navigation ended otherwise.
    #[track_caller]
    pub fn redirect(self) -> String {
        match self {
            AuthorizationResult::Redirect(url) => url,
            other => panic!(
                "expected a redirect to the client, got {}",
                other.describe()
            ),
        }
    }

    /// `(action, body)` of a form_post; panics with details if the navigation ended otherwise.
    #[track_caller]
    pub fn form_post(self) -> (String, String) {
        match self {
            AuthorizationResult::FormPost { action, body } => (action, body),
            other => panic!(
                "expected a form_post to the client, got {}",
                other.describe()
            ),
        }
    }

    /// The response parameters: the redirect's query, or its fragment if it has one, or the
    /// form_post body. Empty for [`AuthorizationResult::Page`].
    pub fn params(&self) -> Vec<(String, String)> {
        match self {
            AuthorizationResult::Redirect(url) => match url.split_once('#') {
                Some((_, fragment)) => form_decode(fragment),
                None => url
                    .split_once('?')
                    .map(|(_, q)| form_decode(q))
                    .unwrap_or_default(),
            },
            AuthorizationResult::FormPost { body, .. } => form_decode(body),
            AuthorizationResult::Page { .. } => Vec::new(),
        }
    }

    /// One response parameter (first occurrence).
    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    fn describe(&self) -> String {
        match self {
            AuthorizationResult::Redirect(url) => format!("Redirect({url})"),
            AuthorizationResult::FormPost { action, body } => {
                format!("FormPost {{ action: {action}, body: {body} }}")
            }
            AuthorizationResult::Page { status, url, body } => {
                format!(
                    "Page {{ status: {status}, url: {url}, body:\n{} }}",
                    snippet(body)
                )
            }
        }
    }
}

/// Runs a fresh [`UserAgent`] (empty cookie jar) from `authorization_url` until the provider
/// sends it to a URL starting with `redirect_uri_prefix`.
pub async fn user_agent_authorize(
    authorization_url: &str,
    redirect_uri_prefix: &str,
) -> AuthorizationResult {
    UserAgent::new()
        .navigate(authorization_url, redirect_uri_prefix)
        .await
}

/// A scripted browser with a cookie jar. Keep one across navigations to keep the provider
/// session (SSO with `prompt=none`, RP-initiated logout of the signed-in session, ...).
pub struct UserAgent {
    client: PlainClient,
    /// The cookies it holds.
    pub jar: CookieJar,
    /// `METHOD url -> status` of every request of the last navigation.
    pub trace: Vec<String>,
}

impl Default for UserAgent {
    fn default() -> Self {
        Self::new()
    }
}

impl UserAgent {
    /// A user agent with an empty cookie jar. Create it inside the tokio runtime that uses it.
    pub fn new() -> Self {
        UserAgent {
            client: plain_client(),
            jar: CookieJar::default(),
            trace: Vec::new(),
        }
    }

    /// GETs `url` and follows redirects and auto-submitting forms until a redirect or form
    /// action starts with `stop_prefix`, or a plain page is reached.
    pub async fn navigate(&mut self, url: &str, stop_prefix: &str) -> AuthorizationResult {
        self.run(http::Method::GET, url.to_owned(), None, stop_prefix)
            .await
    }

    /// Like [`UserAgent::navigate`] but starts with a form POST of `form_body` to `url`.
    pub async fn submit_form(
        &mut self,
        url: &str,
        form_body: &str,
        stop_prefix: &str,
    ) -> AuthorizationResult {
        self.run(
            http::Method::POST,
            url.to_owned(),
            Some(form_body.to_owned()),
            stop_prefix,
        )
        .await
    }

    async fn run(
        &mut self,
        mut method: http::Method,
        mut url: String,
        mut body: Option<String>,
        stop_prefix: &str,
    ) -> AuthorizationResult {
        self.trace.clear();
        let mut last = String::new();
        for _ in 0..MAX_HOPS {
            let parsed =
                url::Url::parse(&url).unwrap_or_else(|e| panic!("user agent: bad URL {url}: {e}"));
            if parsed.scheme() != "http" {
                panic!(
                    "user agent: only plain http is supported, asked for {url} (prefix {stop_prefix})\n{}",
                    self.trace.join("\n")
                );
            }
            let mut request = http::Request::builder()
                .method(method.clone())
                .uri(&url)
                .header("user-agent", "typed-oidc-test-ua/1")
                .header("accept", "text/html,application/json;q=0.9,*/*;q=0.8");
            if let Some(cookie) = self.jar.header_for(&parsed) {
                request = request.header("cookie", cookie);
            }
            if body.is_some() {
                request = request.header("content-type", "application/x-www-form-urlencoded");
            }
            let request = request
                .body(Full::new(Bytes::from(body.take().unwrap_or_default())))
                .unwrap_or_else(|e| panic!("user agent: bad request {url}: {e}"));

            let response = tokio::time::timeout(REQUEST_TIMEOUT, self.client.request(request))
                .await
                .unwrap_or_else(|_| panic!("user agent: {method} {url}: no response within {REQUEST_TIMEOUT:?}\n{}", self.trace.join("\n")))
                .unwrap_or_else(|e| {
                    panic!(
                        "user agent: {method} {url} failed: {e:?}\n(does the redirect URI prefix {stop_prefix:?} match?)\n{}",
                        self.trace.join("\n")
                    )
                });
            let status = response.status().as_u16();
            self.trace.push(format!("{method} {url} -> {status}"));
            let (parts, response_body) = response.into_parts();
            for set_cookie in parts.headers.get_all("set-cookie") {
                if let Ok(value) = set_cookie.to_str() {
                    self.jar.store(&parsed, value);
                }
            }
            let text = tokio::time::timeout(REQUEST_TIMEOUT, response_body.collect())
                .await
                .unwrap_or_else(|_| panic!("user agent: {method} {url}: body not read in time"))
                .map(|c| String::from_utf8_lossy(&c.to_bytes()).into_owned())
                .unwrap_or_else(|e| panic!("user agent: {method} {url}: reading body: {e:?}"));

            if (300..400).contains(&status)
                && let Some(location) = parts.headers.get("location").and_then(|l| l.to_str().ok())
            {
                let next = parsed
                    .join(location)
                    .unwrap_or_else(|e| {
                        panic!("user agent: bad Location {location:?} from {url}: {e}")
                    })
                    .to_string();
                // Keep the Location exactly as sent when it is absolute (Url would normalise it).
                let next = if location.contains("://") {
                    location.to_owned()
                } else {
                    next
                };
                if next.starts_with(stop_prefix) {
                    return AuthorizationResult::Redirect(next);
                }
                if !matches!(status, 307 | 308) {
                    method = http::Method::GET;
                    body = None;
                }
                url = next;
                last = format!("{status} redirect to {url}");
                continue;
            }

            if let Some(form) = auto_submit_form(&text) {
                let action = if form.action.is_empty() {
                    url.clone()
                } else {
                    parsed
                        .join(&form.action)
                        .map(|u| {
                            if form.action.contains("://") {
                                form.action.clone()
                            } else {
                                u.to_string()
                            }
                        })
                        .unwrap_or_else(|e| {
                            panic!(
                                "user agent: bad form action {:?} on {url}: {e}",
                                form.action
                            )
                        })
                };
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .finish();
                if action.starts_with(stop_prefix) {
                    return AuthorizationResult::FormPost {
                        action,
                        body: encoded,
                    };
                }
                if form.method.eq_ignore_ascii_case("get") {
                    let mut next = url::Url::parse(&action)
                        .unwrap_or_else(|e| panic!("bad action {action}: {e}"));
                    next.set_query(Some(&encoded));
                    method = http::Method::GET;
                    url = next.to_string();
                    body = None;
                } else {
                    method = http::Method::POST;
                    url = action;
                    body = Some(encoded);
                }
                last = format!("{status} auto-submitting form to {url}");
                continue;
            }

            return AuthorizationResult::Page {
                status,
                url,
                body: text,
            };
        }
        panic!(
            "user agent: still going after {MAX_HOPS} requests (redirect URI prefix {stop_prefix:?}); last: {last}\n{}",
            self.trace.join("\n")
        );
    }
}

// ---- cookie jar -------------------------------------------------------------------------------

/// A minimal cookie jar: host-only cookies, path-prefix matching, deletion by an expired
/// `Expires`/`Max-Age=0`. Enough for the test provider.
#[derive(Debug, Default, Clone)]
pub struct CookieJar {
    cookies: Vec<Cookie>,
}

/// One stored cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    /// Host the cookie was set by (port ignored, as browsers do).
    pub host: String,
    /// Path attribute (or the default path).
    pub path: String,
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

impl CookieJar {
    /// Stores (or deletes) the cookie of one `Set-Cookie` header received from `url`.
    pub fn store(&mut self, url: &url::Url, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (
            name.trim().to_owned(),
            value.trim().trim_matches('"').to_owned(),
        );
        if name.is_empty() {
            return;
        }
        let mut path = None;
        let mut delete = false;
        for attribute in parts {
            let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
            let (key, val) = (key.trim().to_ascii_lowercase(), val.trim());
            match key.as_str() {
                "path" if val.starts_with('/') => path = Some(val.to_owned()),
                "max-age" => delete |= val.parse::<i64>().is_ok_and(|n| n <= 0),
                "expires" => delete |= val.contains("1970"),
                _ => {}
            }
        }
        let path = path.unwrap_or_else(|| default_path(url.path()));
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.cookies
            .retain(|c| !(c.host == host && c.path == path && c.name == name));
        if !delete {
            self.cookies.push(Cookie {
                host,
                path,
                name,
                value,
            });
        }
    }

    /// The `Cookie` header value for a request to `url`, if any cookie matches.
    pub fn header_for(&self, url: &url::Url) -> Option<String> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut matching: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| c.host == host && path_matches(&c.path, url.path()))
            .collect();
        // Longer paths first, as RFC 6265 §5.4 recommends.
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        if matching.is_empty() {
            None
        } else {
            Some(
                matching
                    .iter()
                    .map(|c| format!("{}={}", c.name, c.value))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
    }

    /// All stored cookies.
    pub fn cookies(&self) -> &[Cookie] {
        &self.cookies
    }
}

/// RFC 6265 §5.1.4 default-path.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => request_path[..i].to_owned(),
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

// ---- minimal HTML scanning ----------------------------------------------------------------------

/// A form found in an HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlForm {
    /// `action` attribute (entities decoded, as written: may be relative or empty).
    pub action: String,
    /// `method` attribute (default `get`).
    pub method: String,
    /// `name`/`value` of its `<input>` elements that have a name (buttons excluded).
    pub fields: Vec<(String, String)>,
}

/// The first form of a page that submits itself with script (`....submit()`), as form_post
/// responses and the provider's auto-confirm pages do.
pub fn auto_submit_form(html: &str) -> Option<HtmlForm> {
    if !html.contains(".submit()") {
        return None;
    }
    first_form(html)
}

/// The first `<form>` of a page.
pub fn first_form(html: &str) -> Option<HtmlForm> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<form")?;
    let (form_attrs, after) = tag_attributes(html, start + "<form".len());
    let end = lower[after..]
        .find("</form")
        .map_or(html.len(), |i| after + i);
    let attr = |attrs: &[(String, String)], name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut fields = Vec::new();
    let mut cursor = after;
    while let Some(i) = lower[cursor..end].find("<input") {
        let (attrs, next) = tag_attributes(html, cursor + i + "<input".len());
        cursor = next.min(end);
        let kind = attr(&attrs, "type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if matches!(kind.as_str(), "submit" | "button" | "image" | "reset") {
            continue;
        }
        if let Some(name) = attr(&attrs, "name") {
            fields.push((name, attr(&attrs, "value").unwrap_or_default()));
        }
    }
    Some(HtmlForm {
        action: attr(&form_attrs, "action").unwrap_or_default(),
        method: attr(&form_attrs, "method").unwrap_or_else(|| "get".to_owned()),
        fields,
    })
}

/// Parses the attributes of a tag whose name ends at byte `from`; returns them (names
/// lower-cased, values entity-decoded) and the byte index after the closing `>`.
fn tag_attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut i = from;
    let mut attrs = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i].is_ascii_whitespace() || bytes[*i] == b'/') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= bytes.len() {
            return (attrs, i);
        }
        if bytes[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i = value_start;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = html_unescape(&html[value_start..i.min(bytes.len())]);
                i += 1;
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = html_unescape(&html[value_start..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        } else {
            i += 1; // stray character: skip it
        }
    }
}

/// Decodes `&amp; &lt; &gt; &quot; &apos; &#NN; &#xHH;`; leaves anything else as is.
pub fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| {
                    entity
                        .strip_prefix('#')
                        .and_then(|dec| dec.parse::<u32>().ok())
                })
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
