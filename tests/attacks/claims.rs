//! Claim attacks on genuinely signed tokens: hostile NumericDate values (RFC 7519 §2, §4.1.4–
//! §4.1.6; integer-overflow and type-confusion bugs), hostile `aud` shapes (RFC 7519 §4.1.3)
//! and duplicate claim names (RFC 7519 §4, RFC 7493 §2.3).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use typed_oidc::error::{Error, JoseError, ValidationError};
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::time::FixedClock;

use crate::common::*;

/// Values no NumericDate may take here: beyond i64, negative, fractional (typed-oidc reads
/// whole seconds only), and every non-number JSON type.
const BAD_DATES: [&str; 17] = [
    "1e300",
    "18446744073709551616", // u64::MAX + 1
    "18446744073709551615", // u64::MAX
    "9223372036854775808",  // i64::MAX + 1
    "-1",
    "-9223372036854775808", // i64::MIN
    "1700000000.5",
    "1.7e9", // integral value, but written as a float
    "1e-300",
    "-0.0",
    r#""1700000300""#,
    r#""NOW""#,
    "true",
    "false",
    "[1700000300]",
    r#"{"$date":1700000300}"#,
    r#"{}"#,
];

#[test]
fn hostile_numeric_dates_are_refused() {
    for claim in ["exp", "iat", "nbf"] {
        for value in BAD_DATES {
            let token =
                provider_token_raw(&raw_claims_without(claim, &format!(r#""{claim}":{value}"#)));
            let e = refuse(&token);
            assert!(
                matches!(&e, Error::Validation(ValidationError::MissingClaim(c)) if *c == claim),
                "{claim}={value}: {e:?}"
            );
        }
    }
}

#[test]
fn null_dates_are_absent_dates() {
    // `null` is no NumericDate: for the required exp and iat that is a missing claim …
    for claim in ["exp", "iat"] {
        let e = refuse(&provider_token(&claims_with(
            claim,
            serde_json::Value::Null,
        )));
        assert!(
            matches!(&e, Error::Validation(ValidationError::MissingClaim(c)) if *c == claim),
            "{claim}: {e:?}"
        );
    }
    // … and for the optional nbf it is treated as absent: it cannot lift any restriction an
    // absent nbf would not, so the token stands or falls on exp and iat alone.
    let token = provider_token(&claims_with("nbf", serde_json::Value::Null));
    assert_eq!(validate(&validator(), &token).unwrap().nbf, None);
    let expired = provider_token(&json!({
        "iss": ISSUER, "sub": "alice", "aud": CLIENT, "exp": NOW - 3600, "iat": NOW - 7200,
        "nbf": null,
    }));
    let e = refuse(&expired);
    assert!(
        matches!(e, Error::Validation(ValidationError::Expired { .. })),
        "{e:?}"
    );
}

#[test]
fn numbers_json_cannot_hold_are_json_errors() {
    for value in ["1e400", "-1e400"] {
        let token = provider_token_raw(&raw_claims_without("exp", &format!(r#""exp":{value}"#)));
        let e = refuse(&token);
        assert!(
            matches!(e, Error::Jose(JoseError::Json { .. })),
            "{value}: {e:?}"
        );
    }
}

#[test]
fn extreme_integer_dates_do_not_overflow() {
    let max = i64::MAX;
    // iat and nbf at the end of time are in the future, not wrapped into the past.
    let e = refuse(&provider_token(&claims_with("iat", json!(max))));
    assert!(
        matches!(e, Error::Validation(ValidationError::IssuedInFuture { iat, now }) if iat == max && now == NOW),
        "{e:?}"
    );
    let e = refuse(&provider_token(&claims_with("nbf", json!(max))));
    assert!(
        matches!(e, Error::Validation(ValidationError::NotYetValid { nbf, .. }) if nbf == max),
        "{e:?}"
    );
    // exp = 0 and exp = 1 are long expired, even with the largest leeway that fits i64.
    for exp in [0, 1] {
        let e = refuse(&provider_token(&claims_with("exp", json!(exp))));
        assert!(
            matches!(e, Error::Validation(ValidationError::Expired { exp: x, .. }) if x == exp),
            "{e:?}"
        );
    }
    // An expiry at i64::MAX is a (very) long-lived token the provider chose to sign; it is
    // read exactly, and adding the leeway saturates instead of wrapping — also with a leeway
    // of u64::MAX seconds and a clock at the epoch.
    let far = provider_token(&claims_with("exp", json!(max)));
    assert_eq!(validate(&validator(), &far).unwrap().exp, max);
    let huge_leeway = validator()
        .with_leeway(Duration::from_secs(u64::MAX))
        .with_clock(Arc::new(FixedClock::at_unix(0)));
    let c = validate(&huge_leeway, &far).unwrap();
    assert_eq!((c.exp, c.iat), (max, NOW - 10));
}

#[test]
fn hostile_audiences_are_refused() {
    for value in [
        "[]",
        "5",
        "0",
        "true",
        "null",
        r#""""#,
        r#"[""]"#,
        r#"["client",5]"#,
        r#"["client",null]"#,
        r#"[5,"client"]"#,
        r#"["client",["client"]]"#,
        r#"{"client":true}"#,
        r#"[{"aud":"client"}]"#,
    ] {
        let token = provider_token_raw(&raw_claims_without("aud", &format!(r#""aud":{value}"#)));
        let e = refuse(&token);
        assert!(
            matches!(e, Error::Validation(ValidationError::MissingClaim("aud"))),
            "aud={value}: {e:?}"
        );
    }
    // No aud at all.
    let mut c = claims();
    c.as_object_mut().unwrap().remove("aud");
    let e = refuse(&provider_token(&c));
    assert!(
        matches!(e, Error::Validation(ValidationError::MissingClaim("aud"))),
        "{e:?}"
    );
}

#[test]
fn duplicate_claim_names_are_refused() {
    let cases = [
        // The validator must not pick one of two issuers or audiences (either order).
        (format!(r#""iss":"{OTHER_ISSUER}""#), "iss"),
        (r#""aud":"someone-else""#.to_owned(), "aud"),
        (r#""aud":["client","attacker"]"#.to_owned(), "aud"),
        (format!(r#""exp":{}"#, NOW + 10_000_000), "exp"),
        (r#""iat":0"#.to_owned(), "iat"),
        (r#""sub":"mallory""#.to_owned(), "sub"),
        // Escaped spellings of the same name.
        (
            r#""\u0069ss":"https://op.attacker.example""#.to_owned(),
            "iss",
        ),
        (r#""a\u0075d":"attacker""#.to_owned(), "aud"),
        // Unregistered claims, and nested objects, arrays of objects.
        (r#""email":"a@x","email":"b@x""#.to_owned(), "email"),
        (
            r#""address":{"country":"FR","country":"US"}"#.to_owned(),
            "country",
        ),
        (
            r#""groups":[{"id":"users"},{"id":"admins","id":"users"}]"#.to_owned(),
            "id",
        ),
    ];
    for (extra, dup) in &cases {
        let token = provider_token_raw(&raw_claims(extra));
        let e = refuse(&token);
        assert!(
            matches!(&e, Error::Jose(JoseError::DuplicateMember(n)) if n == dup),
            "{extra}: {e:?}"
        );
    }
    // The other order: the attacker's member first.
    let payload = format!(
        r#"{{"iss":"{OTHER_ISSUER}","aud":"attacker","iss":"{ISSUER}","sub":"alice","aud":"{CLIENT}","exp":{},"iat":{}}}"#,
        NOW + 300,
        NOW - 10
    );
    let e = refuse(&provider_token_raw(&payload));
    assert!(
        matches!(&e, Error::Jose(JoseError::DuplicateMember(n)) if n == "iss"),
        "{e:?}"
    );
}

#[tokio::test]
async fn duplicate_claims_are_refused_by_the_client() {
    let http = provider_http();
    let client = confidential(&http, vec![JwsAlgorithm::RS256]);
    let token = provider_token_raw(&raw_claims(&format!(r#""iss":"{OTHER_ISSUER}""#)));
    let e = client_validate(&client, &token).await.unwrap_err();
    assert!(
        matches!(&e, Error::Jose(JoseError::DuplicateMember(n)) if n == "iss"),
        "{e:?}"
    );
    // The same token without the duplicate is accepted: the refusal is about the duplicate.
    let token = provider_token_raw(&raw_claims(""));
    assert_eq!(client_validate(&client, &token).await.unwrap().iss, ISSUER);
}
