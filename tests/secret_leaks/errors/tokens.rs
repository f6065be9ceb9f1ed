//! ID-token validation and JOSE errors.

use super::*;

// ---- ID-token validation ---------------------------------------------------------------------

/// A JWS with arbitrary header and claims and a junk signature.
fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(format!("sig-{ACCESS}")),
    )
}

fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

#[tokio::test]
async fn validation_errors_carry_no_secret() {
    let key = signing_key();
    let keys = JwkSet::parse(json!({ "keys": [key.public_jwk()] }).to_string().as_bytes()).unwrap();
    let validator = IdTokenValidator::new(
        ISSUER,
        CLIENT_ID,
        vec![JwsAlgorithm::ES256, JwsAlgorithm::HS256],
    )
    .with_client_secret(Some(ClientSecret::new(CLIENT_SECRET)));
    let nonce = Nonce::new(NONCE);
    let access = AccessToken::new(ACCESS);
    let code = AuthorizationCode::new(CODE);
    let forged_nonce = "forged-LEAKCANARY-nonce";
    // Every token carries the nonce and hashes of the access token and code.
    let base = with(
        claims(Some(NONCE)),
        json!({"at_hash": half_hash(ACCESS), "c_hash": half_hash(CODE)}),
    );
    let plain = Expectations {
        nonce: Some(&nonce),
        access_token: Some(&access),
        code: Some(&code),
        ..Default::default()
    };
    let check = |label: &str, token: &str, expected: &Expectations<'_>| {
        let signature = token.rsplit('.').next().unwrap_or_default().to_owned();
        let result = validator.validate(token, &keys, expected);
        let error = result.expect_err(label);
        error_free(label, &error, &[token, &signature]);
        error
    };
    let es = |claims: &Value| jwt(&key, claims);
    let now = now();

    let mut seen: Vec<ValidationError> = Vec::new();
    let mut validation =
        |label: &str, token: &str, expected: &Expectations<'_>| match check(label, token, expected)
        {
            Error::Validation(v) => seen.push(v),
            other => panic!("{label}: expected a validation error, got {other:?}"),
        };

    validation(
        "DisallowedAlg",
        &unsigned(&json!({"alg": "RS512", "typ": "JWT"}), &base),
        &plain,
    );
    let other_key = es256_key("k-unknown");
    validation("UnknownKey", &jwt(&other_key, &base), &plain);
    validation(
        "Signature ES256",
        &unsigned(&json!({"alg": "ES256", "kid": "k1"}), &base),
        &plain,
    );
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    let hs = sign_compact_hmac(
        format!("wrong-{CLIENT_SECRET}").as_bytes(),
        JwsAlgorithm::HS256,
        header,
        base.to_string().as_bytes(),
    )
    .unwrap();
    validation("Signature HS256", &hs, &plain);
    let mut header = Map::new();
    header.insert("crit".into(), json!(["x-unknown-ext"]));
    header.insert("x-unknown-ext".into(), json!(1));
    let crit = sign_compact(
        &key,
        JwsAlgorithm::ES256,
        header,
        base.to_string().as_bytes(),
    )
    .unwrap();
    validation("CriticalHeader", &crit, &plain);
    validation(
        "Issuer",
        &es(&with(base.clone(), json!({"iss": "https://evil.example"}))),
        &plain,
    );
    validation(
        "AudienceMissingClient",
        &es(&with(base.clone(), json!({"aud": "someone-else"}))),
        &plain,
    );
    validation(
        "UntrustedAudience",
        &es(&with(
            base.clone(),
            json!({"aud": [CLIENT_ID, "other"], "azp": CLIENT_ID}),
        )),
        &plain,
    );
    validation(
        "AzpMismatch",
        &es(&with(base.clone(), json!({"azp": "other"}))),
        &plain,
    );
    validation(
        "Expired",
        &es(&with(base.clone(), json!({"exp": now - 3600}))),
        &plain,
    );
    validation(
        "IssuedInFuture",
        &es(&with(base.clone(), json!({"iat": now + 3600}))),
        &plain,
    );
    validation(
        "NotYetValid",
        &es(&with(base.clone(), json!({"nbf": now + 3600}))),
        &plain,
    );
    validation(
        "MissingClaim",
        &es(&with(base.clone(), json!({"sub": null}))),
        &plain,
    );
    validation(
        "NonceMismatch",
        &es(&with(base.clone(), json!({"nonce": forged_nonce}))),
        &plain,
    );
    validation(
        "NonceMissing",
        &es(&with(base.clone(), json!({"nonce": null}))),
        &plain,
    );
    validation(
        "AtHashMismatch",
        &es(&with(base.clone(), json!({"at_hash": half_hash(REFRESH)}))),
        &plain,
    );
    validation(
        "AtHashMissing",
        &es(&with(base.clone(), json!({"at_hash": null}))),
        &Expectations {
            require_at_hash: true,
            ..plain
        },
    );
    validation(
        "CHashMismatch",
        &es(&with(base.clone(), json!({"c_hash": half_hash(ACCESS)}))),
        &plain,
    );
    validation(
        "CHashMissing",
        &es(&with(base.clone(), json!({"c_hash": null}))),
        &Expectations {
            require_c_hash: true,
            ..plain
        },
    );
    validation(
        "AuthTimeMissing",
        &es(&base),
        &Expectations {
            max_age: Some(60),
            ..plain
        },
    );
    validation(
        "AuthTimeTooOld",
        &es(&with(base.clone(), json!({"auth_time": now - 7200}))),
        &Expectations {
            max_age: Some(60),
            ..plain
        },
    );
    validation(
        "UnexpectedType",
        &sign_compact(
            &key,
            JwsAlgorithm::ES256,
            json!({"typ": "at+jwt"}).as_object().unwrap().clone(),
            base.to_string().as_bytes(),
        )
        .unwrap(),
        &plain,
    );
    // SubjectMismatch: a second token for another subject.
    let first = validator.validate(&es(&base), &keys, &plain).unwrap();
    validation(
        "SubjectMismatch",
        &es(&with(base.clone(), json!({"sub": "mallory"}))),
        &Expectations {
            previous: Some(&first),
            ..plain
        },
    );
    // Rules that need other client settings.
    let strict = IdTokenValidator::new(ISSUER, CLIENT_ID, vec![JwsAlgorithm::ES256])
        .with_trusted_audiences(vec!["other".into()])
        .with_min_iat(Some(now + 10))
        .with_acr_check(std::sync::Arc::new(|acr| acr == Some("gold")));
    for (label, token) in [
        (
            "AzpMissing",
            es(&with(
                base.clone(),
                json!({"aud": [CLIENT_ID, "other"], "acr": "gold"}),
            )),
        ),
        (
            "IssuedTooLongAgo",
            es(&with(base.clone(), json!({"acr": "gold"}))),
        ),
        (
            "AcrRejected",
            es(&with(
                base.clone(),
                json!({"acr": "bronze", "iat": now + 20}),
            )),
        ),
    ] {
        let signature = token.rsplit('.').next().unwrap().to_owned();
        match strict.validate(&token, &keys, &plain) {
            Err(Error::Validation(v)) => {
                error_free(label, &v, &[&token, &signature]);
                seen.push(v);
            }
            other => panic!("{label}: {other:?}"),
        }
    }

    // Each rule was the one that fired, one per label, in order.
    let names: Vec<String> = seen
        .iter()
        .map(|v| {
            format!("{v:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "DisallowedAlg",
            "UnknownKey",
            "Signature",
            "Signature",
            "CriticalHeader",
            "Issuer",
            "AudienceMissingClient",
            "UntrustedAudience",
            "AzpMismatch",
            "Expired",
            "IssuedInFuture",
            "NotYetValid",
            "MissingClaim",
            "NonceMismatch",
            "NonceMissing",
            "AtHashMismatch",
            "AtHashMissing",
            "CHashMismatch",
            "CHashMissing",
            "AuthTimeMissing",
            "AuthTimeTooOld",
            "UnexpectedType",
            "SubjectMismatch",
            "AzpMissing",
            "IssuedTooLongAgo",
            "AcrRejected",
        ]
    );
}

// ---- JOSE ------------------------------------------------------------------------------------

#[test]
fn jose_errors_carry_no_secret() {
    let key = signing_key();
    let keys = JwkSet::parse(json!({ "keys": [key.public_jwk()] }).to_string().as_bytes()).unwrap();
    let validator = IdTokenValidator::new(ISSUER, CLIENT_ID, vec![JwsAlgorithm::ES256]);
    let none = Expectations::default();
    let b = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let header = b(r#"{"alg":"ES256","typ":"JWT"}"#);
    let payload = b(&claims(Some(NONCE)).to_string());
    let jose = |label: &str, token: String| -> JoseError {
        match validator.validate(&token, &keys, &none) {
            Err(Error::Jose(e)) => {
                error_free(label, &e, &[&token, &payload]);
                e
            }
            other => panic!("{label}: {other:?}"),
        }
    };
    assert!(matches!(
        jose("two parts", format!("{header}.{payload}")),
        JoseError::Malformed { .. }
    ));
    assert!(matches!(
        jose(
            "four parts",
            format!("{header}.{payload}.{}.{}", b(ACCESS), b(CODE))
        ),
        JoseError::Malformed { .. }
    ));
    assert!(matches!(
        jose(
            "base64",
            format!("{header}.{payload}+/{}=.{}", b(REFRESH), b(ACCESS))
        ),
        JoseError::Base64
    ));
    assert!(matches!(
        jose(
            "header json",
            format!(
                "{}.{payload}.{}",
                b(&format!(r#"{{"alg":"ES256","x":"{ACCESS}"#)),
                b(CODE)
            )
        ),
        JoseError::Json { .. }
    ));
    assert!(matches!(
        jose(
            "header not an object",
            format!("{}.{payload}.{}", b(&format!(r#"["{ACCESS}"]"#)), b(CODE))
        ),
        JoseError::Json { .. } | JoseError::Malformed { .. }
    ));
    assert!(matches!(
        jose(
            "duplicate header member",
            format!(
                "{}.{payload}.{}",
                b(&format!(
                    r#"{{"alg":"ES256","kid":"{ACCESS}","kid":"{CODE}"}}"#
                )),
                b(CODE)
            )
        ),
        JoseError::DuplicateMember(_)
    ));
    // `none` is refused by the allow-list first; the JOSE layer refuses it too.
    let none_token = format!("{}.{payload}.", b(r#"{"alg":"none"}"#));
    leak_check!(
        "alg none",
        validator.validate(&none_token, &keys, &none),
        Error::Validation(ValidationError::DisallowedAlg { .. }),
        &none_token
    );
    let e = Jws::parse(&none_token)
        .unwrap()
        .algorithm()
        .expect_err("alg none");
    assert!(matches!(e, JoseError::UnsupportedAlgorithm(_)), "{e:?}");
    error_free("UnsupportedAlgorithm", &e, &[&none_token]);
    let huge = format!("{header}.{}.{}", b(&ACCESS.repeat(200_000)), b(CODE));
    assert!(matches!(
        jose("too large", huge),
        JoseError::TooLarge { .. }
    ));
    // Claims that are not JSON, signed correctly.
    let bad_claims = sign_compact(
        &key,
        JwsAlgorithm::ES256,
        Map::new(),
        format!(r#"{{"nonce":"{NONCE}","sub":"#).as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        jose("claims json", bad_claims),
        JoseError::Json { .. }
    ));
    let dup_claims = sign_compact(
        &key,
        JwsAlgorithm::ES256,
        Map::new(),
        format!(
            r#"{{"iss":"{ISSUER}","sub":"{SUB}","aud":"{CLIENT_ID}","exp":{},"iat":{},"nonce":"{NONCE}","nonce":"{CODE}"}}"#,
            now() + 60,
            now()
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        jose("duplicate claim", dup_claims),
        JoseError::DuplicateMember(_)
    ));

    // Private-key constructors: what a bad key says about itself.
    let secret_b64 = URL_SAFE_NO_PAD.encode(CLIENT_SECRET);
    let key_error = |label: &str, result: Result<SigningKey, JoseError>| -> JoseError {
        let e = result.expect_err(label);
        error_free(label, &e, &[&secret_b64]);
        e
    };
    assert!(matches!(
        key_error(
            "oct JWK",
            SigningKey::from_jwk(&format!(r#"{{"kty":"oct","k":"{secret_b64}"}}"#))
        ),
        JoseError::UnsupportedKeyType(_)
    ));
    assert!(matches!(
        key_error(
            "EC JWK with a bad d",
            SigningKey::from_jwk(&format!(
                r#"{{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YilURrn5xX8n5hH5l3XJI5C9R7fOrS1_ns","d":"{secret_b64}"}}"#
            ))
        ),
        JoseError::InvalidKey(_)
    ));
    assert!(matches!(
        key_error(
            "JWK not JSON",
            SigningKey::from_jwk(&format!(r#"{{"kty":"EC","d":"{secret_b64}"#))
        ),
        JoseError::Json { .. } | JoseError::Malformed { .. }
    ));
    let pem_body = STANDARD.encode(format!("{CLIENT_SECRET}{CLIENT_SECRET}"));
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{pem_body}\n-----END PRIVATE KEY-----\n");
    let e = SigningKey::from_pem(&pem).expect_err("garbage PEM");
    error_free("garbage PEM", &e, &[&pem_body]);
    assert!(matches!(
        e,
        JoseError::InvalidKey(_) | JoseError::Malformed { .. }
    ));

    let e = key
        .sign(JwsAlgorithm::RS256, CLIENT_SECRET.as_bytes())
        .expect_err("EC key for RS256");
    assert!(matches!(e, JoseError::KeyAlgorithmMismatch));
    error_free("KeyAlgorithmMismatch", &e, &[]);
    let e = typed_oidc::jose::verify_hmac(
        JwsAlgorithm::HS256,
        CLIENT_SECRET.as_bytes(),
        ACCESS.as_bytes(),
        CODE.as_bytes(),
    )
    .expect_err("bad MAC");
    assert!(matches!(e, JoseError::InvalidSignature));
    error_free("InvalidSignature", &e, &[]);
    // Crypto: only a failing provider produces it; its message is a static string.
    error_free(
        "Crypto",
        &Error::Jose(JoseError::Crypto("key generation failed")),
        &[],
    );
}
