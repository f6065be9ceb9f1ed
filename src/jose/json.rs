//! JSON parsing that refuses duplicate member names (RFC 7515 §5.2, RFC 7519 §4,
//! RFC 7493 §2.3) and never echoes input values in its errors.
//!
//! `serde_json` silently keeps one of two members with the same name. For a JOSE header or a
//! claims set that is dangerous — two parsers may disagree on which `alg` or `aud` counts — so
//! every object is built through [`StrictValue`], which notices a repeated name at any depth.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

use super::{JoseError, clip};

/// Deserialize a JSON document into `T`, rejecting duplicate member names.
///
/// RFC 7515 §5.2 and RFC 7519 §4 require a JOSE header or claims set with duplicate member
/// names to be rejected (or parsed with last-wins semantics, which invites parser-differential
/// attacks, RFC 8725 §2.7). This function rejects duplicates in *every* object of the
/// document, not only at the top level (RFC 7493 §2.3). Used for JWS headers and JWT claims.
///
/// # Errors
///
/// [`JoseError::DuplicateMember`] naming the first repeated member, or [`JoseError::Json`]
/// when the text is not JSON or does not fit `T` (the message never contains input values).
pub fn from_json_no_duplicates<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, JoseError> {
    let value = parse_value("JSON document", bytes)?;
    T::deserialize(value).map_err(|e| json_error("JSON document", &e))
}

/// [`from_json_no_duplicates`] for a JSON object: the same result and the same errors, without
/// rebuilding the parsed object a second time through `Map`'s `Deserialize`.
pub(crate) fn object_no_duplicates(bytes: &[u8]) -> Result<Map<String, Value>, JoseError> {
    match parse_value("JSON document", bytes)? {
        Value::Object(map) => Ok(map),
        other => Map::deserialize(other).map_err(|e| json_error("JSON document", &e)),
    }
}

/// Parses `bytes` into a [`Value`], rejecting duplicate member names at any depth.
pub(crate) fn parse_value(what: &'static str, bytes: &[u8]) -> Result<Value, JoseError> {
    let dup = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue(&dup)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| json_error(what, &e))?;
    match dup.into_inner() {
        Some(name) => Err(JoseError::DuplicateMember(name)),
        None => Ok(value),
    }
}

/// A JSON string (a member name or a value), borrowed from the input when it has no escapes,
/// so that reading it allocates only when it must. Refuses other types as `String` does.
pub(crate) struct JsonStr<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for JsonStr<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A `serde_json` error as a [`JoseError::Json`], with quoted input values removed.
pub(crate) fn json_error(what: &'static str, e: &serde_json::Error) -> JoseError {
    JoseError::Json {
        what,
        detail: redact(&e.to_string()),
    }
}

/// Replaces every `"…"` span, and the value of an `unknown variant` / `unknown field`
/// message, so that a parser message never repeats token or claim contents.
fn redact(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quotes = false;
    for c in msg.chars() {
        if c == '"' {
            if in_quotes {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(c);
        }
    }
    for prefix in ["unknown variant `", "unknown field `"] {
        if let Some(rest) = out.strip_prefix(prefix)
            && let Some(end) = rest.find('`')
        {
            let tail = rest.get(end..).unwrap_or_default();
            return format!("{prefix}…{tail}");
        }
    }
    out
}

/// A [`DeserializeSeed`] building a [`Value`] that records the first duplicate member name it
/// meets (at any depth) in the shared cell instead of silently dropping one member.
///
/// Recording rather than failing lets a caller decide the scope of the damage: a JWS header
/// with a duplicate is rejected, a JWK Set skips only the key that has one.
#[derive(Clone, Copy)]
pub(crate) struct StrictValue<'c>(pub(crate) &'c RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            // One lookup: the first member with a name is kept, a repeat is only recorded.
            match object.entry(name) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(slot) => {
                    let mut dup = self.0.borrow_mut();
                    if dup.is_none() {
                        *dup = Some(clip(slot.key()));
                    }
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_at_any_depth() {
        assert_eq!(
            parse_value("t", br#"{"a":1,"a":2}"#),
            Err(JoseError::DuplicateMember("a".into()))
        );
        assert_eq!(
            parse_value("t", br#"{"a":{"b":[{"c":1,"c":1}]}}"#),
            Err(JoseError::DuplicateMember("c".into()))
        );
        assert!(parse_value("t", br#"{"a":{"a":1}}"#).is_ok());
        assert!(parse_value("t", br#"{"a":1} x"#).is_err());
    }

    #[test]
    fn object_parse_matches_generic_parse() {
        for doc in [
            &br#"{"b":1,"a":{"c":[1,2.5,"x",null,true]},"d":-3}"#[..],
            br#"[1,2]"#,
            br#""s""#,
            br#"{"a":1,"a":2}"#,
            br#"{"a":1"#,
            br#"{}"#,
        ] {
            assert_eq!(
                object_no_duplicates(doc),
                from_json_no_duplicates::<Map<String, Value>>(doc),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn redacts_values() {
        let e = serde_json::from_str::<u32>(r#""secret-token""#).unwrap_err();
        let JoseError::Json { detail, .. } = json_error("t", &e) else {
            panic!("not a Json error")
        };
        assert!(!detail.contains("secret"), "{detail}");
        assert_eq!(
            redact("unknown variant `xyz`, expected `a`"),
            "unknown variant `…`, expected `a`"
        );
    }
}
