//! Front-channel attacks: authorization-server mix-up (RFC 9207, RFC 9700 §4.4), codes and
//! responses from another session (CSRF and code injection, RFC 6749 §10.12, RFC 9700
//! §2.1, §4.5, §4.7) and providers that would ignore PKCE (RFC 9700 §2.1.1, RFC 7636 §4.3,
//! RFC 8414 §2).

use std::collections::HashMap;

use serde_json::json;
use typed_oidc::error::{CallbackError, ConfigError, Error, ValidationError};
use typed_oidc::flow::ResponseMode;
use typed_oidc::jose::JwsAlgorithm;
use typed_oidc::{Client, ClientSecret, Pending};

use crate::common::*;
use crate::mock::MockHttp;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A confidential client of `issuer`, with that provider's metadata changed by `f`.
fn client_of(
    issuer: &str,
    http: &MockHttp,
    f: impl FnOnce(&mut typed_oidc::ProviderMetadata),
) -> Client<MockHttp, typed_oidc::Confidential> {
    let mut md = metadata(issuer);
    f(&mut md);
    Client::builder(typed_oidc::ClientId::new(CLIENT))
        .client_secret(ClientSecret::new(SECRET))
        .redirect_uri(typed_oidc::RedirectUrl::new(REDIRECT).unwrap())
        .id_token_signing_algs(vec![JwsAlgorithm::HS256])
        .clock(std::sync::Arc::new(typed_oidc::time::FixedClock::at_unix(
            NOW as u64,
        )))
        .build(md, http.clone())
        .unwrap()
}

fn start<K>(client: &Client<MockHttp, K>) -> Pending {
    client.authorization_request().start().unwrap().1
}

// ---------------------------------------------------------------------------------------------
// Mix-up (RFC 9207)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_response_naming_another_issuer_is_refused() {
    // The RP uses two providers; the user started at the honest one, and the attacker's
    // provider answers in its place (RFC 9207 §1, RFC 9700 §4.4.1).
    let http = MockHttp::new();
    for advertised in [false, true] {
        let honest = client_of(ISSUER, &http, |md| {
            md.authorization_response_iss_parameter_supported = advertised;
        });
        // RFC 9207 §2.4: simple string comparison, no normalisation.
        for iss in [
            OTHER_ISSUER,
            "https://op.example.com/",
            "https://OP.example.com",
            "https://op.example.com:443",
            "http://op.example.com",
            "https://op.example.com.attacker.example",
            "",
        ] {
            let pending = start(&honest);
            let state = pending.state().secret().to_owned();
            let url = format!(
                "{REDIRECT}?code=attacker-code&state={state}&iss={}",
                enc(iss)
            );
            let e = pending.callback(&url).unwrap_err();
            assert!(
                matches!(&e, Error::Callback(CallbackError::IssuerMismatch { expected, actual })
                    if expected == ISSUER && actual == iss),
                "{iss:?} (advertised {advertised}): {e:?}"
            );
        }
    }
    assert_eq!(http.requests(), 0);
}

#[test]
fn a_response_without_iss_is_refused_when_the_provider_advertises_it() {
    let http = MockHttp::new();
    let honest = client_of(ISSUER, &http, |md| {
        md.authorization_response_iss_parameter_supported = true;
    });
    let pending = start(&honest);
    let state = pending.state().secret().to_owned();
    let e = pending
        .callback(&format!("{REDIRECT}?code=c&state={state}"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::IssuerMissing)),
        "{e:?}"
    );
    // Not even an error response may skip it (the attacker could inject one).
    let pending = start(&honest);
    let state = pending.state().secret().to_owned();
    let e = pending
        .callback(&format!("{REDIRECT}?error=access_denied&state={state}"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::IssuerMissing)),
        "{e:?}"
    );
    // Nor may the iss parameter be given twice, once right and once wrong.
    for pair in [
        format!("iss={}&iss={}", enc(ISSUER), enc(OTHER_ISSUER)),
        format!("iss={}&iss={}", enc(OTHER_ISSUER), enc(ISSUER)),
    ] {
        let pending = start(&honest);
        let state = pending.state().secret().to_owned();
        let e = pending
            .callback(&format!("{REDIRECT}?code=c&state={state}&{pair}"))
            .unwrap_err();
        assert!(
            matches!(&e, Error::Callback(CallbackError::RepeatedParameter(p)) if p == "iss"),
            "{pair}: {e:?}"
        );
    }
    // The same checks for a form_post response.
    let (_, pending) = honest
        .authorization_request()
        .response_mode(ResponseMode::FormPost)
        .start()
        .unwrap();
    let state = pending.state().secret().to_owned();
    let body = format!("code=c&state={state}&iss={}", enc(OTHER_ISSUER));
    let e = pending.callback_form(body.as_bytes()).unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::IssuerMismatch { .. })),
        "{e:?}"
    );
    // Control: the honest response passes.
    let pending = start(&honest);
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback(&format!(
            "{REDIRECT}?code=c&state={state}&iss={}",
            enc(ISSUER)
        ))
        .unwrap();
    assert_eq!(received.code().secret(), "c");
}

#[tokio::test]
async fn a_flow_of_one_provider_cannot_be_finished_at_another() {
    // RFC 9700 §4.4.2: the code must go back to the provider the flow was started with; a
    // Pending of the honest provider exchanged with the attacker's client is refused before
    // any request is made.
    let http = MockHttp::new();
    let honest = client_of(ISSUER, &http, |_| {});
    let attacker = client_of(OTHER_ISSUER, &http, |_| {});
    let pending = start(&honest);
    let state = pending.state().secret().to_owned();
    let received = pending
        .callback(&format!("{REDIRECT}?code=c&state={state}"))
        .unwrap();
    let e = received.exchange(&attacker).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Config(ConfigError::InvalidValue { what: "client", .. })
        ),
        "{e:?}"
    );
    assert_eq!(http.requests(), 0, "{:?}", uris(&http));
}

// ---------------------------------------------------------------------------------------------
// Responses from another session
// ---------------------------------------------------------------------------------------------

#[test]
fn a_code_from_another_session_is_refused() {
    let http = MockHttp::new();
    let client = client_of(ISSUER, &http, |_| {});
    let victim = start(&client);
    let attacker_session = start(&client);
    let theirs = attacker_session.state().secret().to_owned();
    let mine = victim.state().secret().to_owned();
    assert_ne!(mine, theirs);
    // The attacker's own (code, state) pair, delivered into the victim's session (CSRF /
    // login fixation, RFC 6749 §10.12).
    let e = victim
        .callback(&format!("{REDIRECT}?code=attacker-code&state={theirs}"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::StateMismatch)),
        "{e:?}"
    );
    // Near misses of the right state.
    for forged in [
        format!("{mine}x"),
        mine[..mine.len() - 1].to_owned(),
        mine.to_uppercase(),
        format!(" {mine}"),
        String::new(),
    ] {
        let pending = start(&client);
        let forged = forged.replace(&mine, pending.state().secret());
        let e = pending
            .callback(&format!("{REDIRECT}?code=c&state={}", enc(&forged)))
            .unwrap_err();
        assert!(
            matches!(e, Error::Callback(CallbackError::StateMismatch)),
            "{forged:?}: {e:?}"
        );
    }
    // No state at all.
    let e = start(&client)
        .callback(&format!("{REDIRECT}?code=attacker-code"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::StateMissing)),
        "{e:?}"
    );
    // The state sent where this response mode does not read it (fragment for a query flow).
    let pending = start(&client);
    let state = pending.state().secret().to_owned();
    let e = pending
        .callback(&format!("{REDIRECT}#code=c&state={state}"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Callback(CallbackError::StateMissing)),
        "{e:?}"
    );
}

#[test]
fn a_repeated_state_is_refused() {
    // RFC 6749 §3.1: parameters must not be included more than once; a second state lets
    // two parsers disagree on which one was checked.
    let http = MockHttp::new();
    let client = client_of(ISSUER, &http, |_| {});
    let other = enc(start(&client).state().secret());
    for form_post in [false, true] {
        for variant in 0..4 {
            let request = client.authorization_request();
            let request = if form_post {
                request.response_mode(ResponseMode::FormPost)
            } else {
                request
            };
            let (_, pending) = request.start().unwrap();
            let own = enc(pending.state().secret());
            let params = match variant {
                0 => format!("code=c&state={own}&state={own}"),
                1 => format!("code=c&state={own}&state={other}"),
                2 => format!("code=c&state={other}&state={own}"),
                _ => format!("state={own}&code=c&state="),
            };
            let e = if form_post {
                pending.callback_form(params.as_bytes())
            } else {
                pending.callback(&format!("{REDIRECT}?{params}"))
            }
            .unwrap_err();
            assert!(
                matches!(&e, Error::Callback(CallbackError::RepeatedParameter(p)) if p == "state"),
                "variant {variant} (form_post {form_post}): {e:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_id_token_minted_for_another_session_is_refused_at_the_exchange() {
    // Code injection (RFC 9700 §2.1.1, §4.5): the attacker redeems the victim's flow with a
    // code from its own session; the provider's ID token then carries the attacker session's
    // nonce, which the victim's flow did not send.
    let http = MockHttp::new();
    let client = client_of(ISSUER, &http, |_| {});
    let victim = start(&client);
    let attacker_session = start(&client);
    let attacker_nonce = attacker_session.nonce().unwrap().secret().to_owned();
    let id_token = hmac_token(
        SECRET.as_bytes(),
        json!({}),
        claims_with("nonce", json!(attacker_nonce))
            .to_string()
            .as_bytes(),
    );
    http.serve_json(
        json!({
            "access_token": "at-attacker-session", "token_type": "Bearer",
            "expires_in": 300, "id_token": id_token,
        })
        .to_string(),
    );
    let state = victim.state().secret().to_owned();
    let received = victim
        .callback(&format!("{REDIRECT}?code=attacker-code&state={state}"))
        .unwrap();
    let e = received.exchange(&client).await.unwrap_err();
    assert!(
        matches!(e, Error::Validation(ValidationError::NonceMismatch)),
        "{e:?}"
    );
    // An ID token without any nonce fails the same way.
    let victim = start(&client);
    let id_token = hmac_token(
        SECRET.as_bytes(),
        json!({}),
        claims().to_string().as_bytes(),
    );
    http.serve_json(
        json!({ "access_token": "at", "token_type": "Bearer", "id_token": id_token }).to_string(),
    );
    let state = victim.state().secret().to_owned();
    let e = victim
        .callback(&format!("{REDIRECT}?code=c&state={state}"))
        .unwrap()
        .exchange(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Validation(ValidationError::NonceMissing)),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Providers that ignore PKCE
// ---------------------------------------------------------------------------------------------

/// The authorization URL's query parameters.
fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[test]
fn a_provider_that_does_not_list_s256_is_refused() {
    // RFC 9700 §2.1.1: the provider MUST offer a way to detect PKCE support, and publishing
    // code_challenge_methods_supported (RFC 8414 §2) is that way. A list without S256 means
    // the challenge this client sends would be ignored (or downgraded to plain, RFC 7636
    // §7.2), leaving the code open to injection: the flow is not started.
    let http = MockHttp::new();
    for listed in [
        vec!["plain"],
        vec!["s256"],
        vec!["S256 plain"],
        vec!["S512"],
        vec![""],
    ] {
        let client = client_of(ISSUER, &http, |md| {
            md.code_challenge_methods_supported = listed.iter().map(|s| s.to_string()).collect();
        });
        let e = client.authorization_request().start().unwrap_err();
        assert!(
            matches!(e, Error::Config(ConfigError::UnsupportedByProvider(what)) if what.contains("S256")),
            "{listed:?}: {e:?}"
        );
    }
    assert_eq!(http.requests(), 0);
}

#[test]
fn plain_pkce_needs_a_provider_that_lists_it() {
    let http = MockHttp::new();
    // The weaker method is an explicit opt-in, and still refused when the provider does not
    // list it.
    let s256_only = client_of(ISSUER, &http, |md| {
        md.code_challenge_methods_supported = vec!["S256".into()];
    });
    let e = s256_only
        .authorization_request()
        .pkce_plain()
        .start()
        .unwrap_err();
    assert!(
        matches!(e, Error::Config(ConfigError::UnsupportedByProvider(what)) if what.contains("plain")),
        "{e:?}"
    );
    let plain_only = client_of(ISSUER, &http, |md| {
        md.code_challenge_methods_supported = vec!["plain".into()];
    });
    let (url, _) = plain_only
        .authorization_request()
        .pkce_plain()
        .start()
        .unwrap();
    assert_eq!(query_of(url.as_str())["code_challenge_method"], "plain");
}

#[test]
fn pkce_is_sent_whenever_the_provider_does_not_rule_it_out() {
    let http = MockHttp::new();
    // Listing S256 (alone or among others), or listing nothing at all (RFC 8414 §2 makes the
    // member optional, so silence proves nothing): S256 is sent.
    for listed in [vec!["S256"], vec!["plain", "S256"], vec![]] {
        let client = client_of(ISSUER, &http, |md| {
            md.code_challenge_methods_supported = listed.iter().map(|s| s.to_string()).collect();
        });
        let (url, _) = client.authorization_request().start().unwrap();
        let q = query_of(url.as_str());
        assert_eq!(q["code_challenge_method"], "S256", "{listed:?}");
        assert_eq!(q["code_challenge"].len(), 43, "{listed:?}");
    }
    // A confidential client that turned PKCE off sends none, whatever the provider lists.
    let plain_only = client_of(ISSUER, &http, |md| {
        md.code_challenge_methods_supported = vec!["plain".into()];
    });
    let (url, _) = plain_only
        .authorization_request()
        .without_pkce()
        .start()
        .unwrap();
    assert!(!query_of(url.as_str()).contains_key("code_challenge"));
}

#[tokio::test]
async fn pushed_requests_refuse_a_provider_without_s256_before_pushing() {
    let http = MockHttp::new();
    let client = client_of(ISSUER, &http, |md| {
        md.code_challenge_methods_supported = vec!["plain".into()];
        md.pushed_authorization_request_endpoint =
            Some(typed_oidc::EndpointUrl::new(&format!("{ISSUER}/par")).unwrap());
    });
    let e = client
        .authorization_request()
        .start_pushed(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Config(ConfigError::UnsupportedByProvider(what)) if what.contains("S256")),
        "{e:?}"
    );
    assert_eq!(http.requests(), 0, "{:?}", uris(&http));
}

#[test]
fn a_hostile_iss_parameter_is_cleaned_in_the_error() {
    // The callback's iss is unauthenticated input: the mismatch error keeps a bounded,
    // printable form of it, so it cannot forge log lines or flood them.
    let http = MockHttp::new();
    let honest = client_of(ISSUER, &http, |_| {});
    let hostile = format!(
        "{OTHER_ISSUER}\r\n2026-01-01 INFO login ok for admin\u{1b}[2K{}",
        "x".repeat(60_000)
    );
    let pending = start(&honest);
    let state = pending.state().secret().to_owned();
    let url = format!("{REDIRECT}?code=c&state={state}&iss={}", enc(&hostile));
    let e = pending.callback(&url).unwrap_err();
    let Error::Callback(CallbackError::IssuerMismatch { expected, actual }) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(expected, ISSUER);
    assert!(actual.starts_with(OTHER_ISSUER), "{actual:?}");
    assert!(!actual.chars().any(char::is_control), "{actual:?}");
    assert!(actual.len() <= 1024, "{} bytes", actual.len());
    assert!(e.to_string().len() <= 2048);
}
