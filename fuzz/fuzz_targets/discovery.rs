//! Provider metadata documents (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) through
//! `ProviderMetadata::from_json` and `ProviderMetadata::from_response`, then a client built
//! from whatever parsed.
//!
//! Invariants: nothing panics; a parsed document re-serializes to JSON that parses again to
//! the same serialization (a fixed point); it passes `check_issuer` against its own issuer;
//! `from_response` for the fixed issuer succeeds exactly when `from_json` does and the
//! issuer matches; a client built from parsed metadata starts an authorization request
//! (only with an `authorization_endpoint`, and with a URL that parses) or refuses with a
//! configuration error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_oidc::error::DiscoveryError;
use typed_oidc::{Client, ClientId, ClientSecret, Error, IssuerUrl, ProviderMetadata, RedirectUrl};
use typed_oidc_fuzz::{self as common, FixtureHttp};

fuzz_target!(|data: &[u8]| {
    let parsed = ProviderMetadata::from_json(data);
    let issuer = IssuerUrl::new(common::ISSUER).expect("fixed issuer");
    let via_http = ProviderMetadata::from_response(
        &issuer,
        &common::response(200, Some("application/json"), data),
    );
    match (&parsed, &via_http) {
        (Ok(md), Ok(_)) => assert_eq!(md.issuer.as_str(), common::ISSUER),
        (Ok(md), Err(Error::Discovery(DiscoveryError::IssuerMismatch { .. }))) => {
            assert_ne!(md.issuer.as_str(), common::ISSUER);
        }
        (Ok(_), Err(e)) if data.len() > ProviderMetadata::MAX_LEN => {
            assert!(matches!(e, Error::Response(_)), "{e:?}");
        }
        (Ok(_), Err(e)) => panic!("from_json accepted what from_response refused: {e:?}"),
        (Err(_), Ok(_)) => panic!("from_response accepted what from_json refused"),
        (Err(_), Err(_)) => {}
    }
    let Ok(md) = parsed else { return };

    md.check_issuer(&md.issuer)
        .expect("a document matches its own issuer");
    let first = serde_json::to_string(&md).expect("metadata serializes");
    let again = ProviderMetadata::from_json(first.as_bytes()).expect("serialized metadata parses");
    let second = serde_json::to_string(&again).expect("metadata serializes");
    assert_eq!(first, second, "serialization is not a fixed point");

    let has_authorize = md.authorization_endpoint.is_some();
    let built = Client::builder(ClientId::new(common::CLIENT_ID))
        .client_secret(ClientSecret::new(common::CLIENT_SECRET))
        .redirect_uri(RedirectUrl::new(common::REDIRECT_URI).expect("redirect URI"))
        .build(md, FixtureHttp);
    if let Ok(client) = built {
        // Starting either works or is refused as a configuration the provider does not
        // support (no authorization endpoint, PKCE method, PAR required, ...).
        match client.authorization_request().start() {
            Ok((url, _pending)) => {
                assert!(has_authorize, "started without an authorization_endpoint");
                url.to_url().expect("the authorization URL parses");
            }
            Err(Error::Config(_)) => {}
            Err(other) => panic!("starting failed with a non-configuration error: {other:?}"),
        }
    }
});
