//! The CAS 2.0/3.0 `cas:serviceResponse` document (CAS Protocol 3.0 §2.5.2,
//! §2.6.2), read with quick-xml's namespace-aware pull parser.

use std::collections::BTreeMap;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use super::response::clean_message;
use super::{
    CAS_NAMESPACE, CasError, CasFailure, CasOutcome, CasSuccess, CasTicket, MAX_RESPONSE_BYTES,
};

/// The deepest element nesting accepted; a CAS document needs four levels.
const MAX_DEPTH: usize = 32;

/// Where the parser stands: one frame per open element.
enum Frame {
    /// `cas:serviceResponse`.
    Root,
    /// `cas:authenticationSuccess`.
    Success,
    /// `cas:authenticationFailure`; its text is the message.
    Failure,
    /// `cas:user`.
    User,
    /// `cas:attributes`.
    Attributes,
    /// One attribute element inside `cas:attributes`, by local name.
    Attribute(String),
    /// `cas:proxyGrantingTicket`.
    ProxyGrantingTicket,
    /// `cas:proxies`.
    Proxies,
    /// `cas:proxy`.
    Proxy,
    /// An extension element inside the success, skipped with its content.
    Skip,
}

impl Frame {
    /// Frames whose text content is a value.
    fn holds_text(&self) -> bool {
        matches!(
            self,
            Self::Failure
                | Self::User
                | Self::Attribute(_)
                | Self::ProxyGrantingTicket
                | Self::Proxy
        )
    }
}

fn malformed(detail: &str) -> CasError {
    CasError::Malformed(detail.to_owned())
}

/// An element name fit for an error message: printable, bounded.
fn shown_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// The success being assembled.
#[derive(Default)]
struct SuccessParts {
    user: Option<String>,
    attributes: BTreeMap<String, Vec<String>>,
    proxy_granting_ticket: Option<CasTicket>,
    proxies: Vec<String>,
}

/// Parses a CAS 2.0 (`/serviceValidate`, §2.5.2) or CAS 3.0
/// (`/p3/serviceValidate`, §2.6.2) response body.
///
/// The document element must be `serviceResponse` in the CAS namespace
/// ([`CAS_NAMESPACE`](super::CAS_NAMESPACE), under any prefix), or under the
/// prefix `cas:` when a server forgets to declare it; it must hold exactly one
/// `authenticationSuccess` (with a non-empty `user`, optional `attributes`,
/// `proxyGrantingTicket` and `proxies`) or `authenticationFailure` (with its `code`
/// attribute and message text). Attribute elements may come from any namespace and
/// are keyed by local name; a repeated one gives several values. Unknown elements
/// inside the success are skipped. Whitespace between elements is ignored and
/// values are trimmed; the five predefined entities and character references are
/// decoded.
///
/// # Errors
///
/// [`CasError::TooLarge`] over [`MAX_RESPONSE_BYTES`](super::MAX_RESPONSE_BYTES);
/// [`CasError::DocType`] for any `<!DOCTYPE` (so no entity can be defined, no
/// external entity fetched); [`CasError::TooDeep`] past 32 levels;
/// [`CasError::UnexpectedRoot`] for another document element (an HTML page, a
/// `cas:proxySuccess`); [`CasError::Malformed`] for everything else that is not a
/// complete, well-formed CAS document (not UTF-8, truncated, text outside the
/// elements, JSON, no or two outcomes, undefined entities).
pub fn parse_service_response(body: &[u8]) -> Result<CasOutcome, CasError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(CasError::TooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    let text = std::str::from_utf8(body).map_err(|_| malformed("CAS XML body is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Parser::default().run(text)
}

#[derive(Default)]
struct Parser {
    stack: Vec<Frame>,
    text: String,
    root_seen: bool,
    root_closed: bool,
    success: Option<SuccessParts>,
    failure_code: Option<String>,
    outcome: Option<CasOutcome>,
}

impl Parser {
    fn run(mut self, text: &str) -> Result<CasOutcome, CasError> {
        let mut reader = NsReader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.check_comments = true;
        loop {
            let (is_cas, event) = match reader.read_resolved_event() {
                Ok((ns, event)) => (in_cas_namespace(&ns, &event), event),
                Err(_) => {
                    return Err(CasError::Malformed(format!(
                        "XML is not well-formed (at byte {})",
                        reader.error_position()
                    )));
                }
            };
            match event {
                Event::Start(e) => self.start(&e, is_cas)?,
                Event::End(_) => self.end()?,
                Event::Text(t) => self.text(&t.xml10_content())?,
                Event::CData(c) => self.text(&c.xml10_content())?,
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                                .ok_or_else(|| malformed("undefined entity reference"))?
                                .to_owned()
                        }
                        Err(_) => return Err(malformed("invalid character reference")),
                    };
                    self.text(&resolved)?;
                }
                Event::DocType(_) => return Err(CasError::DocType),
                Event::Empty(_) => return Err(malformed("unexpected empty element")),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !self.root_seen {
            return Err(malformed("no XML document element (empty or not XML)"));
        }
        if !self.root_closed {
            return Err(malformed("truncated document"));
        }
        self.outcome
            .ok_or_else(|| malformed("cas:serviceResponse holds no authentication outcome"))
    }

    fn start(&mut self, e: &BytesStart<'_>, is_cas: bool) -> Result<(), CasError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(CasError::TooDeep { limit: MAX_DEPTH });
        }
        let local = e.local_name();
        let local = local.as_ref();
        let cas = |name: &str| is_cas && local == name;
        let frame = match self.stack.last() {
            None if self.root_seen => return Err(malformed("content after the document element")),
            None if cas("serviceResponse") => {
                self.root_seen = true;
                Frame::Root
            }
            None => return Err(CasError::UnexpectedRoot(shown_name(e.name().as_ref()))),
            Some(Frame::Root) => {
                if self.outcome.is_some() || self.success.is_some() || self.failure_code.is_some() {
                    return Err(malformed("more than one authentication outcome"));
                }
                if cas("authenticationSuccess") {
                    self.success = Some(SuccessParts::default());
                    Frame::Success
                } else if cas("authenticationFailure") {
                    self.failure_code = Some(failure_code(e)?);
                    self.text.clear();
                    Frame::Failure
                } else {
                    return Err(CasError::Malformed(format!(
                        "unexpected element {:?} in cas:serviceResponse",
                        shown_name(e.name().as_ref())
                    )));
                }
            }
            Some(Frame::Success) => {
                if cas("user") {
                    Frame::User
                } else if cas("attributes") {
                    Frame::Attributes
                } else if cas("proxyGrantingTicket") {
                    Frame::ProxyGrantingTicket
                } else if cas("proxies") {
                    Frame::Proxies
                } else {
                    Frame::Skip
                }
            }
            Some(Frame::Attributes) => Frame::Attribute(local.to_owned()),
            Some(Frame::Proxies) if cas("proxy") => Frame::Proxy,
            Some(Frame::Proxies | Frame::Skip) => Frame::Skip,
            Some(_) => return Err(malformed("element nested inside a text value")),
        };
        if frame.holds_text() {
            self.text.clear();
        }
        self.stack.push(frame);
        Ok(())
    }

    fn end(&mut self) -> Result<(), CasError> {
        let frame = self
            .stack
            .pop()
            .ok_or_else(|| malformed("end tag without a start tag"))?;
        let value = || self.text.trim().to_owned();
        match frame {
            Frame::Root => self.root_closed = true,
            Frame::User => {
                let user = value();
                let parts = self
                    .success
                    .as_mut()
                    .ok_or_else(|| malformed("cas:user outside a success"))?;
                if user.is_empty() || parts.user.is_some() {
                    return Err(malformed("cas:user must be present once and not empty"));
                }
                parts.user = Some(user);
            }
            Frame::Attribute(name) => {
                let v = value();
                if let Some(parts) = self.success.as_mut() {
                    parts.attributes.entry(name).or_default().push(v);
                }
            }
            Frame::ProxyGrantingTicket => {
                let v = value();
                if let Some(parts) = self.success.as_mut()
                    && !v.is_empty()
                {
                    parts.proxy_granting_ticket = Some(CasTicket::new(v));
                }
            }
            Frame::Proxy => {
                let v = value();
                if let Some(parts) = self.success.as_mut() {
                    parts.proxies.push(v);
                }
            }
            Frame::Success => {
                let parts = self.success.take().unwrap_or_default();
                let user = parts
                    .user
                    .ok_or_else(|| malformed("cas:authenticationSuccess without cas:user"))?;
                self.outcome = Some(CasOutcome::Success(CasSuccess {
                    user,
                    attributes: parts.attributes,
                    proxy_granting_ticket: parts.proxy_granting_ticket,
                    proxies: parts.proxies,
                }));
            }
            Frame::Failure => {
                self.outcome = Some(CasOutcome::Failure(CasFailure {
                    code: self.failure_code.take().unwrap_or_default(),
                    message: clean_message(&self.text),
                }));
            }
            Frame::Attributes | Frame::Proxies | Frame::Skip => {}
        }
        Ok(())
    }

    /// Character data: kept inside value elements, ignored inside skipped ones,
    /// and allowed to be whitespace only anywhere else.
    fn text(&mut self, s: &str) -> Result<(), CasError> {
        match self.stack.last() {
            Some(f) if f.holds_text() => {
                if self.text.len() + s.len() > MAX_RESPONSE_BYTES {
                    return Err(CasError::TooLarge {
                        limit: MAX_RESPONSE_BYTES,
                    });
                }
                self.text.push_str(s);
                Ok(())
            }
            Some(Frame::Skip) => Ok(()),
            _ if s.trim().is_empty() => Ok(()),
            None => Err(malformed("text outside the document element (not XML)")),
            Some(_) => Err(malformed("unexpected text between CAS elements")),
        }
    }
}

/// Whether a start tag is in the CAS namespace: bound to [`CAS_NAMESPACE`] under
/// any prefix, or under an undeclared `cas:` prefix.
fn in_cas_namespace(ns: &ResolveResult<'_>, event: &Event<'_>) -> bool {
    if !matches!(event, Event::Start(_)) {
        return false;
    }
    match ns {
        ResolveResult::Bound(Namespace(uri)) => *uri == CAS_NAMESPACE,
        ResolveResult::Unknown(prefix) => prefix == "cas",
        ResolveResult::Unbound => false,
    }
}

/// The `code` attribute of `cas:authenticationFailure` (§2.5.3), bounded; empty
/// when a server leaves it out.
fn failure_code(e: &BytesStart<'_>) -> Result<String, CasError> {
    for attr in e.attributes() {
        let attr = attr.map_err(|_| malformed("malformed attribute"))?;
        if attr.key.local_name().as_ref() == "code" {
            let v = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|_| malformed("malformed code attribute"))?;
            return Ok(v
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(128)
                .collect());
        }
    }
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_namespace_is_accepted() {
        let doc = br#"<serviceResponse xmlns="http://www.yale.edu/tp/cas">
            <authenticationSuccess><user>alice</user></authenticationSuccess>
        </serviceResponse>"#;
        let out = parse_service_response(doc).expect("parses");
        assert!(out.is_success());
    }

    #[test]
    fn foreign_namespace_under_cas_prefix_is_refused() {
        let doc = br#"<cas:serviceResponse xmlns:cas="urn:other"><cas:authenticationSuccess><cas:user>a</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
        assert!(matches!(
            parse_service_response(doc),
            Err(CasError::UnexpectedRoot(_))
        ));
    }

    #[test]
    fn entities_are_decoded() {
        let doc = br#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a&amp;b&#x41;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#;
        match parse_service_response(doc) {
            Ok(CasOutcome::Success(s)) => assert_eq!(s.user, "a&bA"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn depth_is_capped() {
        let mut doc = String::from(
            r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>a</cas:user>"#,
        );
        doc.push_str(&"<x>".repeat(40));
        assert!(matches!(
            parse_service_response(doc.as_bytes()),
            Err(CasError::TooDeep { limit: 32 })
        ));
    }
}
