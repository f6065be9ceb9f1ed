//! The standard claims of OpenID Connect Core §5.1 and the address claim (§5.1.1).
//!
//! Strict on types (a malformed standard claim is
//! [`ValidationError::MissingClaim`] naming it), tolerant where it is harmless and common:
//! `*_verified` as `"true"`/`"false"` strings, `updated_at` as an RFC 3339 date-time string
//! or a fractional number, `null` as absent.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ValidationError;
use crate::id_token::string_claim as string;
use crate::types::SubjectId;

/// The claims of a UserInfo response (OpenID Connect Core §5.1, §5.3.2). Claims the
/// specification does not name (and localized variants such as `name#ja-Kana-JP`, §5.2)
/// are kept in [`UserInfoClaims::additional`], including aggregated and distributed claims
/// (`_claim_names`, `_claim_sources`, §5.6.2), which are not resolved.
///
/// `Debug` prints every claim except the `access_token` of a distributed claims source
/// (§5.6.2), a bearer credential, which shows as `[redacted]`.
#[derive(Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(try_from = "Map<String, Value>")]
#[non_exhaustive]
pub struct UserInfoClaims {
    /// `sub`: the end-user's subject identifier; equal to the ID token's `sub` (§5.3.2).
    pub sub: SubjectId,
    /// `name`: full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `given_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `family_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// `middle_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// `nickname`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// `preferred_username` (not unique, not stable: never a key, §5.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// `profile`: URL of the profile page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// `picture`: URL of a profile picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// `website`: URL of a web page or blog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// `email` (not unique, not stable: never a key, §5.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `email_verified` (also read from `"true"` / `"false"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// `gender`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// `birthdate`: `YYYY-MM-DD`, `0000-MM-DD` or `YYYY`, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    /// `zoneinfo`: an IANA time zone name, e.g. `Europe/Paris`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    /// `locale`: a BCP 47 language tag, e.g. `en-US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `phone_number`, preferably E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `phone_number_verified` (also read from `"true"` / `"false"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    /// `address` (§5.1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// `updated_at`, seconds since the epoch (also read from an RFC 3339 date-time string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    /// Every other claim, as sent (including `iss` and `aud` of a signed response).
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// The `address` claim (OpenID Connect Core §5.1.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Address {
    /// `formatted`: the full mailing address, possibly over several lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// `street_address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// `locality`: city or locality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// `region`: state, province, prefecture or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `postal_code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `country`: country name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl std::fmt::Debug for UserInfoClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfoClaims")
            .field("sub", &self.sub)
            .field("name", &self.name)
            .field("given_name", &self.given_name)
            .field("family_name", &self.family_name)
            .field("middle_name", &self.middle_name)
            .field("nickname", &self.nickname)
            .field("preferred_username", &self.preferred_username)
            .field("profile", &self.profile)
            .field("picture", &self.picture)
            .field("website", &self.website)
            .field("email", &self.email)
            .field("email_verified", &self.email_verified)
            .field("gender", &self.gender)
            .field("birthdate", &self.birthdate)
            .field("zoneinfo", &self.zoneinfo)
            .field("locale", &self.locale)
            .field("phone_number", &self.phone_number)
            .field("phone_number_verified", &self.phone_number_verified)
            .field("address", &self.address)
            .field("updated_at", &self.updated_at)
            .field("additional", &redact_claim_sources(&self.additional))
            .finish()
    }
}

/// `claims` with the `access_token` of every distributed claims source (OpenID Connect
/// Core §5.6.2: `_claim_sources.<name>.access_token`) replaced by `[redacted]`, for `Debug`.
fn redact_claim_sources(claims: &Map<String, Value>) -> std::borrow::Cow<'_, Map<String, Value>> {
    let holds_token =
        |sources: &Map<String, Value>| sources.values().any(|s| s.get("access_token").is_some());
    match claims.get("_claim_sources") {
        Some(Value::Object(sources)) if holds_token(sources) => {
            let mut shown = claims.clone();
            if let Some(Value::Object(sources)) = shown.get_mut("_claim_sources") {
                for source in sources.values_mut() {
                    if let Some(token) = source.get_mut("access_token") {
                        *token = Value::String("[redacted]".into());
                    }
                }
            }
            std::borrow::Cow::Owned(shown)
        }
        _ => std::borrow::Cow::Borrowed(claims),
    }
}

impl UserInfoClaims {
    /// Another claim by name (e.g. `"name#ja-Kana-JP"` or a provider's own claim).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.additional.get(name)
    }

    /// Reads the claims from a JSON object, with one precise error per malformed claim.
    pub fn from_object(mut obj: Map<String, Value>) -> Result<Self, ValidationError> {
        let sub = string(&mut obj, "sub")?
            .filter(|s| !s.is_empty())
            .ok_or(ValidationError::MissingClaim("sub"))?;
        let address = match obj.remove("address") {
            None | Some(Value::Null) => None,
            Some(Value::Object(a)) => Some(Address::from_object(a)?),
            Some(_) => return Err(ValidationError::MissingClaim("address")),
        };
        Ok(Self {
            sub: SubjectId::new(sub),
            name: string(&mut obj, "name")?,
            given_name: string(&mut obj, "given_name")?,
            family_name: string(&mut obj, "family_name")?,
            middle_name: string(&mut obj, "middle_name")?,
            nickname: string(&mut obj, "nickname")?,
            preferred_username: string(&mut obj, "preferred_username")?,
            profile: string(&mut obj, "profile")?,
            picture: string(&mut obj, "picture")?,
            website: string(&mut obj, "website")?,
            email: string(&mut obj, "email")?,
            email_verified: boolean(&mut obj, "email_verified")?,
            gender: string(&mut obj, "gender")?,
            birthdate: string(&mut obj, "birthdate")?,
            zoneinfo: string(&mut obj, "zoneinfo")?,
            locale: string(&mut obj, "locale")?,
            phone_number: string(&mut obj, "phone_number")?,
            phone_number_verified: boolean(&mut obj, "phone_number_verified")?,
            address,
            updated_at: timestamp(&mut obj, "updated_at")?,
            additional: obj,
        })
    }
}

impl TryFrom<Map<String, Value>> for UserInfoClaims {
    type Error = ValidationError;
    fn try_from(obj: Map<String, Value>) -> Result<Self, ValidationError> {
        Self::from_object(obj)
    }
}

impl Address {
    /// Reads the address members (§5.1.1); a member that is not a string is an error
    /// naming the `address` claim.
    pub fn from_object(mut obj: Map<String, Value>) -> Result<Self, ValidationError> {
        let mut member =
            |name| string(&mut obj, name).map_err(|_| ValidationError::MissingClaim("address"));
        Ok(Self {
            formatted: member("formatted")?,
            street_address: member("street_address")?,
            locality: member("locality")?,
            region: member("region")?,
            postal_code: member("postal_code")?,
            country: member("country")?,
            additional: obj,
        })
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let obj = Map::<String, Value>::deserialize(d)?;
        Self::from_object(obj).map_err(serde::de::Error::custom)
    }
}

/// A boolean, or the strings `"true"` / `"false"` that some providers send.
fn boolean(
    obj: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, ValidationError> {
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(ValidationError::MissingClaim(name)),
    }
}

/// Seconds since the epoch from a non-negative number (a fraction is cut off) or an
/// RFC 3339 date-time string.
fn timestamp(
    obj: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, ValidationError> {
    let value = match obj.remove(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1e15)
                .map(|f| f as i64)
        }),
        Some(Value::String(s)) => parse_rfc3339(&s),
        Some(_) => None,
    };
    value
        .filter(|v| *v >= 0)
        .map(Some)
        .ok_or(ValidationError::MissingClaim(name))
}

/// Parses an RFC 3339 `date-time` (§5.6), e.g. `2024-02-29T13:45:00.5+01:00`, into seconds
/// since the Unix epoch (fractions cut off). `T`/`Z` may be lower case and the `T` a space
/// (RFC 3339 §5.6 NOTE); a leap second (`:60`) counts as the last second of its minute.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    if sep(at, b".") {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return None;
        }
    }
    let offset = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == b.len() && sep(at + 3, b":") => {
            let (h, m) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second.min(59) - offset * 60)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (the "days from civil" algorithm:
/// count in 400-year eras starting on March 1st, so the leap day ends each year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z"), Some(1_709_208_000));
        assert_eq!(
            parse_rfc3339("2024-02-29t12:00:00.123456z"),
            Some(1_709_208_000)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29 13:30:00+01:30"),
            Some(1_709_208_000)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T06:00:00-06:00"),
            Some(1_709_208_000)
        );
        // RFC 3339 §5.8 examples.
        assert_eq!(parse_rfc3339("1985-04-12T23:20:50.52Z"), Some(482_196_050));
        assert_eq!(
            parse_rfc3339("1996-12-19T16:39:57-08:00"),
            Some(851_042_397)
        );
        assert_eq!(parse_rfc3339("1990-12-31T23:59:60Z"), Some(662_688_000 - 1));
        assert_eq!(
            parse_rfc3339("1937-01-01T12:00:27.87+00:20"),
            Some(-1_041_337_173)
        );
    }

    #[test]
    fn rfc3339_refuses_malformed_dates() {
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-00-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:61Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00Zjunk",
            "2024-01-01",
            "+2024-01-01T00:00:00Z",
            "2024-1-01T00:00:00Z",
            "２０２４-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn standard_claims_with_tolerated_encodings() {
        let obj = serde_json::json!({
            "sub": "alice",
            "email_verified": "true",
            "phone_number_verified": "FALSE",
            "updated_at": "2024-02-29T12:00:00Z",
            "address": {"country": "Wonderland", "planet": "Earth"},
            "name#ja-Kana-JP": "アリス",
        });
        let Value::Object(obj) = obj else {
            unreachable!()
        };
        let c = UserInfoClaims::from_object(obj).unwrap();
        assert_eq!(c.email_verified, Some(true));
        assert_eq!(c.phone_number_verified, Some(false));
        assert_eq!(c.updated_at, Some(1_709_208_000));
        let address = c.address.as_ref().unwrap();
        assert_eq!(address.country.as_deref(), Some("Wonderland"));
        assert_eq!(address.additional["planet"], "Earth");
        assert_eq!(c.get("name#ja-Kana-JP").unwrap(), "アリス");
        // Serialize -> deserialize gives the same claims.
        let json = serde_json::to_string(&c).unwrap();
        let back: UserInfoClaims = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn malformed_standard_claims_are_named() {
        for (claim, value) in [
            ("sub", serde_json::json!(42)),
            ("sub", serde_json::json!("")),
            ("email_verified", serde_json::json!("yes")),
            ("updated_at", serde_json::json!(-5)),
            ("updated_at", serde_json::json!("yesterday")),
            ("address", serde_json::json!("Rabbit Hole")),
            ("address", serde_json::json!({"country": 7})),
            ("name", serde_json::json!(["Alice"])),
        ] {
            let mut obj = Map::new();
            obj.insert("sub".into(), "alice".into());
            obj.insert(claim.into(), value);
            assert_eq!(
                UserInfoClaims::from_object(obj),
                Err(ValidationError::MissingClaim(claim)),
                "{claim}"
            );
        }
    }
}
