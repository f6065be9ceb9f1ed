//! JWT-secured authorization responses (JARM, OpenID Foundation 2022, §2.3, §4.4) through
//! `IdTokenValidator::validate_jarm` and `Pending::callback_with` / `callback_form_with` of
//! a JARM flow on a client built offline (`jarm_client`: allow-list HS256 + ES256; its JWKS
//! also holds the Ed25519 and RSA fixture keys, whose algorithms it does not allow).
//!
//! Selector byte, low 2 bits:
//! * 0: the rest is a raw `response` token for `validate_jarm` with the fixture keys and the
//!   allow-list of bits 2–3 (the client's, `[EdDSA, HS512]`, none at all, every algorithm);
//! * 1: the rest is a claims payload signed here by the signer of bits 4–6 (HS256 / HS512
//!   with the client secret, ES256 with the EC fixture key, EdDSA with the Ed25519 one, and
//!   forgeries: `alg: none` unsigned, `alg: nOnE` with an HMAC tag, a wrong secret, a `kid`
//!   naming a key of another type), validated against the allow-list of bits 2–3;
//! * 2: the rest is the callback of a JARM flow whose response mode bits 2–3 pick (`jwt`,
//!   `query.jwt`, `fragment.jwt`, `form_post.jwt`): the whole redirect (bit 4 clear) or what
//!   follows `?` / `#` of the redirect URI (bit 4 set), or the form body for `form_post.jwt`;
//! * 3: the rest is a claims payload signed here (bits 4–5: HS256, ES256, EdDSA — not in the
//!   client's allow-list —, `alg: none`) and delivered as the `response` parameter of such a
//!   callback, between outer `state` / `code` parameters that must be ignored.
//!
//! Invariants: nothing panics; a success of `validate_jarm` means a compact (never five-part)
//! JWS whose header `alg` is in the allow-list and is not `none`, whose payload's `iss` is the
//! issuer, whose `aud` names the client, whose `exp` is present and not passed at the
//! validator's clock (with its leeway), whose `nbf`, if present, has come, and whose
//! non-null claims are exactly the returned parameters (strings as they are). For tokens
//! signed here the outcome is predicted exactly, callbacks included. A callback success has
//! the flow's `state` and the `code` of the verified JWT (never an outer parameter); a
//! callback error is a callback, provider, validation or JOSE error.
#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use typed_oidc::flow::ResponseMode;
use typed_oidc::jose::{
    JwkSet, Jws, JwsAlgorithm, SigningKey, b64, from_json_no_duplicates, sign_compact,
    sign_compact_hmac,
};
use typed_oidc::{Client, CodeReceived, Error, IdTokenValidator, Pending, State};
use typed_oidc_fuzz::{self as common, FixtureHttp, block_on, callback};

static CLIENT: LazyLock<Client<FixtureHttp>> = LazyLock::new(common::jarm_client);
static KEYS: LazyLock<JwkSet> = LazyLock::new(common::jwks);
static EC: LazyLock<SigningKey> = LazyLock::new(common::ec_p256_key);
static ED: LazyLock<SigningKey> = LazyLock::new(common::ed25519_key);
/// The Ed25519 fixture key without a `kid`, so that a header `kid` can name another key.
static ED_NO_KID: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::from_pem(common::ED25519_PEM).expect("fixture key parses"));

const ALLOW_LISTS: [&[JwsAlgorithm]; 4] = [
    &common::JARM_ALGS,
    &[JwsAlgorithm::EdDSA, JwsAlgorithm::HS512],
    &[],
    &JwsAlgorithm::ALL,
];

const MODES: [ResponseMode; 4] = [
    ResponseMode::Jwt,
    ResponseMode::QueryJwt,
    ResponseMode::FragmentJwt,
    ResponseMode::FormPostJwt,
];

/// A secret that is not the client's.
const WRONG_SECRET: &[u8] = b"not-the-fuzz-client-secret-0123456789";

#[derive(Clone, Copy, Debug)]
enum Signer {
    Hs256,
    Es256,
    EdDsa,
    Hs512,
    /// `alg: none`, empty signature.
    Unsigned,
    /// `alg: nOnE` with the HS256 tag of the payload.
    NoneWithTag,
    /// HS256 with a secret that is not the client's.
    WrongSecret,
    /// EdDSA whose `kid` names the EC fixture key.
    WrongKid,
}

const SIGNERS: [Signer; 8] = [
    Signer::Hs256,
    Signer::Es256,
    Signer::EdDsa,
    Signer::Hs512,
    Signer::Unsigned,
    Signer::NoneWithTag,
    Signer::WrongSecret,
    Signer::WrongKid,
];

fn validator() -> &'static IdTokenValidator {
    CLIENT.id_token_validator()
}

/// The compact JWS over `payload`, and the algorithm under which it genuinely verifies with
/// the client secret or the fixture JWKS (`None` for a forgery).
fn sign(signer: Signer, payload: &[u8]) -> (String, Option<JwsAlgorithm>) {
    let secret = common::CLIENT_SECRET.as_bytes();
    let hmac = |key: &[u8], alg| {
        sign_compact_hmac(key, alg, Map::new(), payload).expect("HMAC signing with a fixed key")
    };
    match signer {
        Signer::Hs256 => (hmac(secret, JwsAlgorithm::HS256), Some(JwsAlgorithm::HS256)),
        Signer::Hs512 => (hmac(secret, JwsAlgorithm::HS512), Some(JwsAlgorithm::HS512)),
        Signer::Es256 => (
            sign_compact(&EC, JwsAlgorithm::ES256, Map::new(), payload).expect("ES256 signing"),
            Some(JwsAlgorithm::ES256),
        ),
        Signer::EdDsa => (
            sign_compact(&ED, JwsAlgorithm::EdDSA, Map::new(), payload).expect("EdDSA signing"),
            Some(JwsAlgorithm::EdDSA),
        ),
        Signer::Unsigned => (
            format!(
                "{}.{}.",
                b64::encode(br#"{"alg":"none"}"#),
                b64::encode(payload)
            ),
            None,
        ),
        Signer::NoneWithTag => {
            let token = hmac(secret, JwsAlgorithm::HS256);
            let (_, rest) = token.split_once('.').expect("compact JWS");
            (
                format!("{}.{rest}", b64::encode(br#"{"alg":"nOnE"}"#)),
                None,
            )
        }
        Signer::WrongSecret => (hmac(WRONG_SECRET, JwsAlgorithm::HS256), None),
        Signer::WrongKid => {
            let mut header = Map::new();
            header.insert("kid".into(), "ec-p256-fixture".into());
            (
                sign_compact(&ED_NO_KID, JwsAlgorithm::EdDSA, header, payload)
                    .expect("EdDSA signing"),
                None,
            )
        }
    }
}

/// The JARM §4.4 claim rules as `validate_jarm` documents them, checked on the raw payload:
/// the claims object, or the first rule it breaks.
fn claims_rules(payload: &[u8]) -> Result<Map<String, Value>, &'static str> {
    let claims: Map<String, Value> =
        from_json_no_duplicates(payload).map_err(|_| "not a JSON object without duplicates")?;
    if claims.get("iss").and_then(Value::as_str) != Some(common::ISSUER) {
        return Err("iss is not the issuer");
    }
    match claims.get("aud") {
        Some(Value::String(aud)) if aud == common::CLIENT_ID => {}
        Some(Value::Array(items))
            if items.iter().all(Value::is_string)
                && items.iter().any(|a| a == common::CLIENT_ID) => {}
        _ => return Err("aud does not name the client"),
    }
    let now = common::unix_secs(validator().clock().now());
    let leeway = i64::try_from(validator().leeway().as_secs()).unwrap_or(i64::MAX);
    let date = |name| claims.get(name).map(|v| v.as_i64().filter(|d| *d >= 0));
    match date("exp") {
        Some(Some(exp)) if now <= exp.saturating_add(leeway) => {}
        Some(Some(_)) => return Err("exp has passed"),
        _ => return Err("exp missing or not a NumericDate"),
    }
    match date("nbf") {
        None => {}
        Some(Some(nbf)) if nbf <= now.saturating_add(leeway) => {}
        Some(Some(_)) => return Err("nbf has not come"),
        Some(None) => return Err("nbf not a NumericDate"),
    }
    Ok(claims)
}

/// The response parameters `validate_jarm` documents for `claims`: strings as they are,
/// numbers and booleans as their JSON text, `null` dropped.
fn params_of(claims: &Map<String, Value>) -> HashMap<String, String> {
    claims
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// The invariants of a `validate_jarm` result on `token` under `allowed`.
fn check_jarm(
    token: &str,
    allowed: &[JwsAlgorithm],
    result: &Result<HashMap<String, String>, Error>,
) {
    let params = match result {
        Ok(params) => params,
        Err(Error::Validation(_) | Error::Jose(_)) => return,
        Err(other) => panic!("unexpected error family from validate_jarm: {other:?}"),
    };
    assert_ne!(
        token.split('.').count(),
        5,
        "an encrypted response was accepted"
    );
    let jws = Jws::parse(token).expect("an accepted response is a compact JWS");
    let alg = &jws.header().alg;
    assert!(!alg.eq_ignore_ascii_case("none"), "alg {alg} accepted");
    let alg = JwsAlgorithm::parse(alg).expect("an accepted alg is known");
    assert!(allowed.contains(&alg), "{alg} accepted outside {allowed:?}");
    match claims_rules(jws.payload()) {
        Ok(claims) => assert_eq!(*params, params_of(&claims), "parameters differ from claims"),
        Err(rule) => panic!("accepted a response whose {rule}"),
    }
}

/// A real `Pending` of a JARM flow from `authorization_request().start()`.
fn jarm_pending(mode: ResponseMode) -> Pending {
    let (url, pending) = CLIENT
        .authorization_request()
        .state(State::new(common::STATE))
        .response_mode(mode)
        .start()
        .expect("a JARM authorization request starts");
    let url = url.to_url().expect("authorization URL parses");
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "response_mode" && v.ends_with("jwt")),
        "the request asks for a JWT-secured response"
    );
    pending
}

/// Runs the callback of a flow in `mode` on `input` (a redirect, or a form body for
/// `form_post.jwt`); returns the result and the raw parameters the input carries.
fn run_callback(mode: ResponseMode, input: &str) -> (Result<CodeReceived, Error>, String) {
    let pending = jarm_pending(mode);
    if mode.is_form_post() {
        let result = block_on(pending.callback_form_with(&*CLIENT, input.as_bytes()));
        return (result, input.to_owned());
    }
    let result = block_on(pending.callback_with(&*CLIENT, input));
    let base = url::Url::parse(common::REDIRECT_URI).expect("redirect URI");
    let raw = url::Url::parse(input)
        .or_else(|_| base.join(input))
        .ok()
        .and_then(|url| {
            if mode.is_fragment() {
                url.fragment().map(str::to_owned)
            } else {
                url.query().map(str::to_owned)
            }
        })
        .unwrap_or_default();
    (result, raw)
}

/// The invariants of a JARM callback result against the raw outer parameters it came from.
fn check_callback(raw: &str, result: &Result<CodeReceived, Error>) {
    let received = match result {
        Ok(received) => received,
        Err(Error::Callback(_) | Error::Provider(_) | Error::Validation(_) | Error::Jose(_)) => {
            return;
        }
        Err(other) => panic!("unexpected error family from a JARM callback: {other:?}"),
    };
    let outer: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let responses: Vec<&str> = outer
        .iter()
        .filter(|(k, _)| k == "response")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(responses.len(), 1, "accepted without exactly one response");
    let params = validator()
        .validate_jarm(responses[0].trim(), &KEYS, &common::JARM_ALGS)
        .expect("a callback accepted a response validate_jarm refuses");
    assert_eq!(params.get("state").map(String::as_str), Some(common::STATE));
    assert_eq!(
        params.get("code").map(String::as_str),
        Some(received.code().secret())
    );
    assert!(
        !params.contains_key("error"),
        "an error response became a code"
    );
    if let Some(iss) = params.get("iss") {
        assert_eq!(iss, common::ISSUER);
    }
}

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = common::split_selector(data);
    match selector & 3 {
        0 => {
            let Ok(token) = std::str::from_utf8(rest) else {
                return;
            };
            let allowed = ALLOW_LISTS[usize::from((selector >> 2) & 3)];
            let result = validator().validate_jarm(token, &KEYS, allowed);
            check_jarm(token, allowed, &result);
        }
        1 => {
            let allowed = ALLOW_LISTS[usize::from((selector >> 2) & 3)];
            let signer = SIGNERS[usize::from((selector >> 4) & 7)];
            let (token, genuine) = sign(signer, rest);
            let result = validator().validate_jarm(&token, &KEYS, allowed);
            check_jarm(&token, allowed, &result);
            let expected = genuine.is_some_and(|alg| allowed.contains(&alg))
                && token.len() <= Jws::MAX_LEN
                && claims_rules(rest).is_ok();
            assert_eq!(
                result.is_ok(),
                expected,
                "{signer:?} under {allowed:?}: {:?} (claims: {:?})",
                result.as_ref().err(),
                claims_rules(rest).err()
            );
        }
        2 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let mode = MODES[usize::from((selector >> 2) & 3)];
            let input = if selector & 0x10 == 0 || mode.is_form_post() {
                text.to_owned()
            } else {
                let sep = if mode.is_fragment() { '#' } else { '?' };
                format!("{}{sep}{text}", common::REDIRECT_URI)
            };
            let (result, raw) = run_callback(mode, &input);
            check_callback(&raw, &result);
        }
        _ => {
            let mode = MODES[usize::from((selector >> 2) & 3)];
            let signer = [
                Signer::Hs256,
                Signer::Es256,
                Signer::EdDsa,
                Signer::Unsigned,
            ][usize::from((selector >> 4) & 3)];
            let (token, genuine) = sign(signer, rest);
            let form = callback::form(&[
                ("state", "outer-state"),
                ("code", "outer-code"),
                ("response", &token),
            ]);
            let input = if mode.is_form_post() {
                form.clone()
            } else {
                let sep = if mode.is_fragment() { '#' } else { '?' };
                format!("{}{sep}{form}", common::REDIRECT_URI)
            };
            let (result, raw) = run_callback(mode, &input);
            check_callback(&raw, &result);
            // The outcome a correct client must reach.
            let verified = genuine.is_some_and(|alg| common::JARM_ALGS.contains(&alg))
                && token.len() <= Jws::MAX_LEN
                && form.len() <= 64 * 1024;
            let params = claims_rules(rest).ok().map(|c| params_of(&c));
            let code = params.as_ref().filter(|p| {
                verified
                    && p.get("state").map(String::as_str) == Some(common::STATE)
                    && !p.contains_key("error")
            });
            let code = code.and_then(|p| p.get("code")).filter(|c| !c.is_empty());
            match (&result, code) {
                (Ok(received), Some(code)) => assert_eq!(received.code().secret(), code),
                (Err(_), None) => {}
                (Ok(_), None) => panic!("{signer:?}: accepted a response a client must refuse"),
                (Err(e), Some(_)) => panic!("{signer:?}: refused a valid JARM response: {e:?}"),
            }
        }
    }
});
