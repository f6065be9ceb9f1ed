//! CAS client (CAS Protocol 3.0): URLs, CAS 1.0/2.0/3.0 response parsing, response
//! checks, and ticket validation end to end against a capture server on 127.0.0.1.

use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use typed_oidc::cas::{
    CasClient, CasError, CasFailure, CasOutcome, CasTicket, MAX_RESPONSE_BYTES,
    parse_service_response, parse_v1, read_service_response, read_v1_response,
};
use typed_oidc::error::{ConfigError, Error, ResponseError};
use typed_oidc::http::HyperClient;

const TICKET: &str = "ST-1856339-aA5Yuvrxzpv8Tau1cYQ7";

const V2_SUCCESS: &str = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
    <cas:authenticationSuccess>
        <cas:user>username</cas:user>
    </cas:authenticationSuccess>
</cas:serviceResponse>
"#;

const V2_FAILURE: &str = r#"<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>
    <cas:authenticationFailure code="INVALID_TICKET">
        Ticket ST-1856339-aA5Yuvrxzpv8Tau1cYQ7 not recognized
    </cas:authenticationFailure>
</cas:serviceResponse>
"#;

const V3_SUCCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>alice</cas:user>
    <cas:attributes>
      <cas:firstname>Alice</cas:firstname>
      <cas:lastname>Doe &amp; Co</cas:lastname>
      <cas:email>alice@example.com</cas:email>
      <cas:affiliation>staff</cas:affiliation>
      <cas:affiliation>faculty</cas:affiliation>
      <cas:empty/>
    </cas:attributes>
    <cas:proxyGrantingTicket>PGTIOU-84678-8a9d2sfa23casd</cas:proxyGrantingTicket>
    <cas:proxies>
      <cas:proxy>https://proxy2/pgtUrl</cas:proxy>
      <cas:proxy>https://proxy1/pgtUrl</cas:proxy>
    </cas:proxies>
  </cas:authenticationSuccess>
</cas:serviceResponse>
"#;

fn client() -> CasClient<HyperClient> {
    CasClient::new(
        "https://cas.example/cas",
        HyperClient::new().expect("client"),
    )
    .expect("base")
}

fn response(status: u16, content_type: Option<&str>, body: &str) -> http::Response<Bytes> {
    let mut b = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        b = b.header(http::header::CONTENT_TYPE, ct);
    }
    b.body(Bytes::from(body.to_owned())).expect("response")
}

fn success(outcome: CasOutcome) -> typed_oidc::cas::CasSuccess {
    match outcome {
        CasOutcome::Success(s) => s,
        other => panic!("expected a success, got {other:?}"),
    }
}

fn failure(outcome: CasOutcome) -> CasFailure {
    match outcome {
        CasOutcome::Failure(f) => f,
        other => panic!("expected a failure, got {other:?}"),
    }
}

// ---------------------------------------------------------------- URLs (§2.1, §2.3)

#[test]
fn login_url_encodes_service_and_flags() {
    let c = client();
    let service = "https://app.example/cb?a=1&b=x y";
    assert_eq!(
        c.login_url(service).build().unwrap(),
        "https://cas.example/cas/login?service=https%3A%2F%2Fapp.example%2Fcb%3Fa%3D1%26b%3Dx+y"
    );
    assert_eq!(
        c.login_url("https://app.example/").renew().build().unwrap(),
        "https://cas.example/cas/login?service=https%3A%2F%2Fapp.example%2F&renew=true"
    );
    assert_eq!(
        c.login_url("https://app.example/")
            .gateway()
            .build()
            .unwrap(),
        "https://cas.example/cas/login?service=https%3A%2F%2Fapp.example%2F&gateway=true"
    );
}

#[test]
fn renew_and_gateway_together_are_refused() {
    let err = client()
        .login_url("https://app.example/")
        .renew()
        .gateway()
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { .. }), "{err:?}");
    assert!(matches!(
        client().login_url("").build(),
        Err(ConfigError::InvalidValue { .. })
    ));
}

#[test]
fn server_base_with_path_and_trailing_slash() {
    let http = HyperClient::new().expect("client");
    let c = CasClient::new("https://id.example/cas-idp/APPID/", http.clone()).unwrap();
    assert_eq!(
        c.server_base().as_str(),
        "https://id.example/cas-idp/APPID/"
    );
    assert_eq!(
        c.login_url("s").build().unwrap(),
        "https://id.example/cas-idp/APPID/login?service=s"
    );
    let root = CasClient::new("https://cas.example", http.clone()).unwrap();
    assert_eq!(root.logout_url(None), "https://cas.example/logout");
    assert!(format!("{root:?}").contains("https://cas.example/"));
    // Loopback http is allowed, other http and odd bases are not.
    assert!(CasClient::new("http://127.0.0.1:8080/cas", http.clone()).is_ok());
    for bad in [
        "http://cas.example/cas",
        "ftp://cas.example/cas",
        "https://cas.example/cas?x=1",
        "https://cas.example/cas#f",
        "https://u:p@cas.example/cas",
        "not a url",
    ] {
        assert!(
            matches!(
                CasClient::new(bad, http.clone()),
                Err(ConfigError::InvalidUrl { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn logout_url_encodes_service() {
    let c = client();
    assert_eq!(c.logout_url(None), "https://cas.example/cas/logout");
    assert_eq!(
        c.logout_url(Some("https://app.example/bye?x=1&y=2")),
        "https://cas.example/cas/logout?service=https%3A%2F%2Fapp.example%2Fbye%3Fx%3D1%26y%3D2"
    );
}

#[test]
fn validation_requests_are_get_with_encoded_query() {
    let c = client();
    let t = CasTicket::new("ST-1&x=2");
    let r = c.validate_v1_request(&t, "https://svc.example/a?b=c");
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri().to_string(),
        "https://cas.example/cas/validate?service=https%3A%2F%2Fsvc.example%2Fa%3Fb%3Dc&ticket=ST-1%26x%3D2"
    );
    assert!(r.body().is_empty());
    let r = c.validate_v2_request(&t, "s");
    assert_eq!(
        r.uri().to_string(),
        "https://cas.example/cas/serviceValidate?service=s&ticket=ST-1%26x%3D2"
    );
    let r = c.validate_v3_request(&t, "s");
    assert_eq!(r.uri().path(), "/cas/p3/serviceValidate");
    let r = c
        .validate_v3_request_with_pgt_url(&t, "s", Some("https://app.example/pgt"))
        .unwrap();
    assert_eq!(
        r.uri().query(),
        Some("service=s&ticket=ST-1%26x%3D2&pgtUrl=https%3A%2F%2Fapp.example%2Fpgt")
    );
    assert!(
        c.validate_v2_request_with_pgt_url(&t, "s", Some("http://app.example/pgt"))
            .is_err()
    );
    let r = c.validate_v2_request_with_pgt_url(&t, "s", None).unwrap();
    assert_eq!(r.uri().query(), Some("service=s&ticket=ST-1%26x%3D2"));
}

// ---------------------------------------------------------------- CAS 1.0 (§2.4.2)

#[test]
fn v1_yes_and_no_in_all_line_endings() {
    for body in [
        "yes\nalice\n",
        "yes\nalice",
        "yes\r\nalice\r\n",
        "yes\r\nalice",
    ] {
        let s = success(parse_v1(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}")));
        assert_eq!(s.user, "alice");
        assert!(s.attributes.is_empty() && s.proxy_granting_ticket.is_none());
    }
    for body in ["no\n\n", "no\n", "no", "no\r\n\r\n", "no\r\n"] {
        let f = failure(parse_v1(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}")));
        assert_eq!(
            f,
            CasFailure {
                code: String::new(),
                message: String::new()
            }
        );
    }
}

/// Found by the `cas_xml` fuzz target: CAS 1.0 kept the user's surrounding whitespace
/// (` alice` was another user than the XML responses' `alice`) and took a blank line as a user.
#[test]
fn v1_user_is_trimmed_like_xml_and_a_blank_user_is_malformed() {
    for body in ["yes\n alice \n", "yes\r\n alice\r\n", "yes\n\u{a0}alice"] {
        let s = success(parse_v1(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}")));
        assert_eq!(s.user, "alice", "{body:?}");
    }
    let xml = V2_SUCCESS.replace("username", " alice ");
    assert_eq!(
        success(parse_service_response(xml.as_bytes()).unwrap()).user,
        "alice"
    );
    for body in ["yes\n \n", "yes\n   ", "yes\r\n \u{3000} \r\n"] {
        assert!(
            matches!(parse_v1(body.as_bytes()), Err(CasError::Malformed(_))),
            "{body:?}"
        );
    }
}

#[test]
fn v1_garbage_is_malformed() {
    for body in [
        "",
        "yes\n",
        "yes\n\n",
        "Yes\nalice\n",
        "maybe\nalice\n",
        "no\nalice\n",
        "yes\nalice\nextra\n",
        "{\"valid\":true,\"username\":\"alice\"}",
        "<html><body>CAS is down</body></html>",
        "yes\nal\u{7}ice\n",
    ] {
        assert!(
            matches!(parse_v1(body.as_bytes()), Err(CasError::Malformed(_))),
            "{body:?}"
        );
    }
    assert!(matches!(
        parse_v1(&[0xff, 0xfe]),
        Err(CasError::Malformed(_))
    ));
    let big = format!("yes\n{}\n", "a".repeat(MAX_RESPONSE_BYTES));
    assert_eq!(
        parse_v1(big.as_bytes()),
        Err(CasError::TooLarge {
            limit: MAX_RESPONSE_BYTES
        })
    );
}

// ---------------------------------------------------------------- CAS 2.0/3.0 (§2.5.2, §2.6.2)

#[test]
fn v2_success() {
    let s = success(parse_service_response(V2_SUCCESS.as_bytes()).unwrap());
    assert_eq!(s.user, "username");
    assert!(s.attributes.is_empty());
    assert!(s.proxy_granting_ticket.is_none());
    assert!(s.proxies.is_empty());
}

#[test]
fn v2_failure_has_code_and_redacted_message() {
    let f = failure(parse_service_response(V2_FAILURE.as_bytes()).unwrap());
    assert_eq!(f.code, "INVALID_TICKET");
    assert_eq!(f.message, "Ticket [redacted] not recognized");
    assert!(!format!("{f:?}").contains(TICKET));
}

#[test]
fn v3_success_with_attributes_and_pgt() {
    let s = success(parse_service_response(V3_SUCCESS.as_bytes()).unwrap());
    assert_eq!(s.user, "alice");
    let attr = |k: &str| s.attributes.get(k).cloned().unwrap_or_default();
    assert_eq!(attr("firstname"), ["Alice"]);
    assert_eq!(attr("lastname"), ["Doe & Co"]);
    assert_eq!(attr("email"), ["alice@example.com"]);
    assert_eq!(attr("affiliation"), ["staff", "faculty"]);
    assert_eq!(attr("empty"), [""]);
    assert_eq!(s.attributes.len(), 5);
    assert_eq!(
        s.proxy_granting_ticket.as_ref().map(CasTicket::secret),
        Some("PGTIOU-84678-8a9d2sfa23casd")
    );
    assert_eq!(
        s.proxies,
        ["https://proxy2/pgtUrl", "https://proxy1/pgtUrl"]
    );
    let debug = format!("{s:?}");
    assert!(!debug.contains("PGTIOU-84678"), "{debug}");
    assert!(debug.contains("CasTicket([redacted])"), "{debug}");
}

#[test]
fn namespace_by_uri_or_by_cas_prefix() {
    // Another prefix bound to the CAS namespace.
    let other_prefix = r#"<x:serviceResponse xmlns:x="http://www.yale.edu/tp/cas"><x:authenticationSuccess><x:user>bob</x:user></x:authenticationSuccess></x:serviceResponse>"#;
    assert_eq!(
        success(parse_service_response(other_prefix.as_bytes()).unwrap()).user,
        "bob"
    );
    // `cas:` without a namespace declaration (seen on homegrown servers).
    let undeclared = "<cas:serviceResponse>\n\t<cas:authenticationSuccess>\r\n<cas:user> carol </cas:user></cas:authenticationSuccess></cas:serviceResponse>";
    assert_eq!(
        success(parse_service_response(undeclared.as_bytes()).unwrap()).user,
        "carol"
    );
    // CDATA and comments.
    let cdata = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><!-- hi --><cas:authenticationSuccess><cas:user><![CDATA[d<ave]]></cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
    assert_eq!(
        success(parse_service_response(cdata.as_bytes()).unwrap()).user,
        "d<ave"
    );
}

fn assert_malformed(body: &str) {
    match parse_service_response(body.as_bytes()) {
        Err(CasError::Malformed(m)) => {
            assert!(!m.contains(TICKET), "{m}");
        }
        other => panic!("{body:?}: expected Malformed, got {other:?}"),
    }
}

#[test]
fn malformed_and_truncated_xml() {
    // Truncated at every byte of a valid document: always a typed error, never a panic.
    for cut in 0..V3_SUCCESS.trim_end().len() {
        let Some(prefix) = V3_SUCCESS.get(..cut) else {
            continue;
        };
        assert!(
            parse_service_response(prefix.as_bytes()).is_err(),
            "cut at {cut}"
        );
    }
    assert_malformed(&V2_SUCCESS[..V2_SUCCESS.len() - 30]);
    assert_malformed("");
    assert_malformed("   \n");
    // Mismatched end tag.
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a</cas:usr></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    // No outcome, two outcomes, success without user, empty user, two users.
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"></cas:serviceResponse>"#,
    );
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a</cas:user></cas:authenticationSuccess><cas:authenticationFailure code="X">no</cas:authenticationFailure></cas:serviceResponse>"#,
    );
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user> </cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a</cas:user><cas:user>b</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    // Markup inside a value, stray text, a second root, an undefined entity, not UTF-8.
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a<b/></cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">yes<cas:authenticationSuccess><cas:user>a</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    assert_malformed(&format!("{V2_SUCCESS}{V2_SUCCESS}"));
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&ent;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
    );
    assert!(matches!(
        parse_service_response(b"<cas:serviceResponse>\xff</cas:serviceResponse>"),
        Err(CasError::Malformed(_))
    ));
    // Another CAS element in place of the outcome.
    assert_malformed(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:proxySuccess><cas:proxyTicket>PT-1</cas:proxyTicket></cas:proxySuccess></cas:serviceResponse>"#,
    );
}

#[test]
fn doctype_and_entities_are_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&xxe;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
    assert_eq!(
        parse_service_response(xxe.as_bytes()),
        Err(CasError::DocType)
    );
    let laughs = r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&lol2;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
    assert_eq!(
        parse_service_response(laughs.as_bytes()),
        Err(CasError::DocType)
    );
}

#[test]
fn oversized_body_is_refused_before_parsing() {
    let padding = " ".repeat(MAX_RESPONSE_BYTES);
    let body = format!("{V2_SUCCESS}{padding}");
    assert_eq!(
        parse_service_response(body.as_bytes()),
        Err(CasError::TooLarge {
            limit: MAX_RESPONSE_BYTES
        })
    );
    // Just under the cap still parses.
    let body = format!(
        "{V2_SUCCESS}{}",
        &padding[..MAX_RESPONSE_BYTES - V2_SUCCESS.len()]
    );
    assert!(parse_service_response(body.as_bytes()).is_ok());
}

#[test]
fn wrong_content_and_unexpected_root() {
    assert_malformed(r#"{"serviceResponse":{"authenticationSuccess":{"user":"alice"}}}"#);
    assert_malformed("yes\nalice\n");
    assert!(matches!(
        parse_service_response(b"<html><body><h1>Login</h1></body></html>"),
        Err(CasError::UnexpectedRoot(r)) if r == "html"
    ));
    assert!(matches!(
        parse_service_response(b"<serviceResponse><authenticationSuccess><user>a</user></authenticationSuccess></serviceResponse>"),
        Err(CasError::UnexpectedRoot(_))
    ));
    assert!(matches!(
        parse_service_response(br#"<cas:authenticationSuccess xmlns:cas="http://www.yale.edu/tp/cas"><cas:user>a</cas:user></cas:authenticationSuccess>"#),
        Err(CasError::UnexpectedRoot(_))
    ));
}

// ---------------------------------------------------------------- response checks

#[test]
fn status_and_content_type_are_checked() {
    // Non-2xx, whatever the body.
    let err =
        read_service_response(&response(500, Some("application/xml"), V2_SUCCESS)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Response(ResponseError::UnexpectedStatus { status: 500, .. })
        ),
        "{err:?}"
    );
    let err = read_v1_response(&response(404, Some("text/plain"), "yes\nalice\n")).unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::UnexpectedStatus { status: 404, .. })
    ));
    // JSON is refused by content type.
    let err = read_service_response(&response(200, Some("application/json"), "{}")).unwrap_err();
    assert!(
        matches!(err, Error::Response(ResponseError::ContentType { .. })),
        "{err:?}"
    );
    let err =
        read_v1_response(&response(200, Some("application/json"), "yes\nalice\n")).unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::ContentType { .. })
    ));
    let err =
        read_v1_response(&response(200, Some("application/xml"), "yes\nalice\n")).unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::ContentType { .. })
    ));
    // The tolerated types.
    for ct in [
        Some("application/xml;charset=UTF-8"),
        Some("text/xml"),
        Some("application/cas+xml"),
        Some("text/html; charset=utf-8"),
        Some("text/plain"),
        None,
    ] {
        assert!(
            read_service_response(&response(200, ct, V2_SUCCESS)).is_ok(),
            "{ct:?}"
        );
    }
    for ct in [Some("text/plain;charset=UTF-8"), Some("text/html"), None] {
        assert!(
            read_v1_response(&response(200, ct, "yes\nalice\n")).is_ok(),
            "{ct:?}"
        );
    }
    // An HTML page with an XML-ish content type is a typed CAS error.
    let err = read_service_response(&response(
        200,
        Some("text/html"),
        "<html><p>error</p></html>",
    ))
    .unwrap_err();
    assert!(
        matches!(err, Error::Cas(CasError::UnexpectedRoot(_))),
        "{err:?}"
    );
}

#[test]
fn ticket_debug_is_redacted() {
    let t = CasTicket::new(TICKET);
    assert_eq!(format!("{t:?}"), "CasTicket([redacted])");
    assert_eq!(t, CasTicket::new(TICKET));
    assert_ne!(t, CasTicket::new("ST-2"));
    let err = Error::from(CasError::Malformed("x".into()));
    assert!(!err.to_string().contains(TICKET));
}

// ---------------------------------------------------------------- end to end

/// What the capture server saw: method and request target.
#[derive(Debug)]
struct Seen {
    method: String,
    target: String,
}

/// A one-shot-per-connection HTTP/1.1 server on 127.0.0.1 that records each
/// request line and answers `reply(path)`; it stops by itself after 20 s.
async fn capture_server(
    reply: fn(&str) -> (u16, &'static str, String),
) -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok((mut stream, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    let mut parts = head.lines().next().unwrap_or_default().split(' ');
                    let method = parts.next().unwrap_or_default().to_owned();
                    let target = parts.next().unwrap_or_default().to_owned();
                    let path = target.split('?').next().unwrap_or_default().to_owned();
                    let _ = tx.send(Seen { method, target });
                    let (status, ct, body) = reply(&path);
                    let out = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(out.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        })
        .await;
    });
    (
        format!("http://127.0.0.1:{}/cas-idp/APPID", addr.port()),
        rx,
    )
}

fn cas_server(path: &str) -> (u16, &'static str, String) {
    match path {
        "/cas-idp/APPID/validate" => (200, "text/plain;charset=UTF-8", "yes\nalice\n".into()),
        "/cas-idp/APPID/serviceValidate" => (200, "text/html;charset=UTF-8", V2_FAILURE.into()),
        "/cas-idp/APPID/p3/serviceValidate" => {
            (200, "application/xml;charset=UTF-8", V3_SUCCESS.into())
        }
        _ => (404, "text/plain", "not found".into()),
    }
}

const SERVICE: &str = "https://svc.example/a?b=c";
const SERVICE_ENC: &str = "service=https%3A%2F%2Fsvc.example%2Fa%3Fb%3Dc";

#[tokio::test]
async fn validates_against_a_local_server() {
    let (base, mut seen) = capture_server(cas_server).await;
    let cas = CasClient::new(&base, HyperClient::new().expect("client")).expect("base");
    let ticket = CasTicket::new(TICKET);

    let v1 = cas.validate_v1(&ticket, SERVICE).await.expect("v1");
    assert_eq!(success(v1).user, "alice");
    let s = seen.recv().await.expect("request");
    assert_eq!(s.method, "GET");
    assert_eq!(
        s.target,
        format!("/cas-idp/APPID/validate?{SERVICE_ENC}&ticket={TICKET}")
    );

    let v2 = failure(cas.validate_v2(&ticket, SERVICE).await.expect("v2"));
    assert_eq!(v2.code, "INVALID_TICKET");
    assert!(!v2.message.contains(TICKET));
    let s = seen.recv().await.expect("request");
    assert_eq!(s.method, "GET");
    assert_eq!(
        s.target,
        format!("/cas-idp/APPID/serviceValidate?{SERVICE_ENC}&ticket={TICKET}")
    );

    let v3 = success(cas.validate_v3(&ticket, SERVICE).await.expect("v3"));
    assert_eq!(v3.user, "alice");
    assert_eq!(v3.attributes["affiliation"], ["staff", "faculty"]);
    assert!(v3.proxy_granting_ticket.is_some());
    let s = seen.recv().await.expect("request");
    assert_eq!(s.method, "GET");
    assert_eq!(
        s.target,
        format!("/cas-idp/APPID/p3/serviceValidate?{SERVICE_ENC}&ticket={TICKET}")
    );

    let pgt = cas
        .validate_v3_with_pgt_url(&ticket, SERVICE, Some("https://app.example/pgt"))
        .await
        .expect("v3 with pgtUrl");
    assert!(pgt.is_success());
    let s = seen.recv().await.expect("request");
    assert_eq!(
        s.target,
        format!(
            "/cas-idp/APPID/p3/serviceValidate?{SERVICE_ENC}&ticket={TICKET}&pgtUrl=https%3A%2F%2Fapp.example%2Fpgt"
        )
    );
}

fn broken_server(path: &str) -> (u16, &'static str, String) {
    match path {
        "/cas/validate" => (200, "application/json", r#"{"valid":true}"#.into()),
        "/cas/serviceValidate" => (503, "text/html", "<html>down</html>".into()),
        _ => (200, "application/xml", V2_SUCCESS[..40].into()),
    }
}

#[tokio::test]
async fn broken_servers_give_typed_errors() {
    let (base, _seen) = capture_server(broken_server).await;
    let base = base.replace("/cas-idp/APPID", "/cas/");
    let cas = CasClient::new(&base, HyperClient::new().expect("client")).expect("base");
    let ticket = CasTicket::new(TICKET);
    let e1 = cas.validate_v1(&ticket, SERVICE).await.unwrap_err();
    assert!(
        matches!(e1, Error::Response(ResponseError::ContentType { .. })),
        "{e1:?}"
    );
    let e2 = cas.validate_v2(&ticket, SERVICE).await.unwrap_err();
    assert!(
        matches!(
            e2,
            Error::Response(ResponseError::UnexpectedStatus { status: 503, .. })
        ),
        "{e2:?}"
    );
    let e3 = cas.validate_v3(&ticket, SERVICE).await.unwrap_err();
    assert!(matches!(e3, Error::Cas(CasError::Malformed(_))), "{e3:?}");
    for e in [e1, e2, e3] {
        assert!(!format!("{e} {e:?}").contains(TICKET));
    }
}

// ---------------------------------------------------------------- no panics on input

proptest::proptest! {
    #[test]
    fn parsers_never_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = parse_v1(&body);
        let _ = parse_service_response(&body);
    }

    #[test]
    fn mutated_documents_never_panic(cut in 0usize..V3_SUCCESS.len(), byte in proptest::prelude::any::<u8>()) {
        let mut body = V3_SUCCESS.as_bytes().to_vec();
        body[cut] = byte;
        let _ = parse_service_response(&body);
    }
}

#[test]
fn long_failure_messages_are_bounded() {
    let words = "word ".repeat(5000);
    let doc = format!(
        r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INTERNAL_ERROR">{words}</cas:authenticationFailure></cas:serviceResponse>"#
    );
    let f = failure(parse_service_response(doc.as_bytes()).unwrap());
    assert_eq!(f.code, "INTERNAL_ERROR");
    assert_eq!(f.message.chars().count(), 1024);
}
