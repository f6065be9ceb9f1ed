//! Discovery (OpenID Connect Discovery 1.0 §4, RFC 8414 §3) over a recording transport.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use typed_oidc::error::{ConfigError, DiscoveryError, Error, ResponseError};
use typed_oidc::http::{HttpClient, TransportError};
use typed_oidc::{Client, ClientId, IssuerUrl};

/// Answers every request with one canned response and records the URIs asked for.
#[derive(Clone)]
struct Canned {
    status: u16,
    content_type: &'static str,
    body: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Canned {
    fn json(body: String) -> Self {
        Self {
            status: 200,
            content_type: "application/json",
            body,
            seen: Arc::default(),
        }
    }
}

impl HttpClient for Canned {
    async fn execute(
        &self,
        req: ::http::Request<Vec<u8>>,
    ) -> Result<::http::Response<Bytes>, TransportError> {
        self.seen.lock().unwrap().push(req.uri().to_string());
        Ok(::http::Response::builder()
            .status(self.status)
            .header("content-type", self.content_type)
            .body(Bytes::from(self.body.clone()))
            .unwrap())
    }
}

fn doc(issuer: &str) -> String {
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["ES256", "none", "RS256", "XYZ"],
        "authorization_response_iss_parameter_supported": true,
        "x_vendor_extension": {"a": 1}
    })
    .to_string()
}

#[tokio::test]
async fn openid_configuration_is_fetched_below_the_issuer_path() {
    let issuer = IssuerUrl::new("https://op.example/tenant").unwrap();
    let http = Canned::json(doc("https://op.example/tenant"));
    let client = Client::builder(ClientId::new("c"))
        .discover(&issuer, http.clone())
        .await
        .unwrap();
    assert_eq!(
        http.seen.lock().unwrap().as_slice(),
        ["https://op.example/tenant/.well-known/openid-configuration"]
    );
    let md = client.metadata();
    assert_eq!(
        md.token_endpoint.as_ref().unwrap().as_str(),
        "https://op.example/tenant/token"
    );
    assert!(md.authorization_response_iss_parameter_supported);
    assert_eq!(md.additional["x_vendor_extension"]["a"], 1);
    // `none` and unknown algorithms are dropped from the discovered allow-list.
    use typed_oidc::jose::JwsAlgorithm::*;
    assert_eq!(client.id_token_validator().allowed_algs(), &[ES256, RS256]);
}

#[tokio::test]
async fn rfc8414_well_known_goes_before_the_path() {
    let issuer = IssuerUrl::new("https://op.example/tenant").unwrap();
    let http = Canned::json(doc("https://op.example/tenant"));
    Client::builder(ClientId::new("c"))
        .oauth_discovery()
        .discover(&issuer, http.clone())
        .await
        .unwrap();
    assert_eq!(
        http.seen.lock().unwrap().as_slice(),
        ["https://op.example/.well-known/oauth-authorization-server/tenant"]
    );
}

#[tokio::test]
async fn issuer_must_match_exactly() {
    let issuer = IssuerUrl::new("https://op.example").unwrap();
    for other in [
        "https://op.example/",
        "https://evil.example",
        "https://OP.example",
    ] {
        let err = Client::builder(ClientId::new("c"))
            .discover(&issuer, Canned::json(doc(other)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Discovery(DiscoveryError::IssuerMismatch { .. })),
            "{other}: {err:?}"
        );
    }
}

#[tokio::test]
async fn malformed_metadata_is_a_typed_error() {
    let issuer = IssuerUrl::new("https://op.example").unwrap();
    let cases: [(u16, &str, String); 4] = [
        (200, "text/html", doc("https://op.example")),
        (200, "application/json", "{not json".into()),
        (404, "text/plain", "not found".into()),
        (
            200,
            "application/json",
            r#"{"issuer":"https://op.example","token_endpoint":"http://op.example/token"}"#.into(),
        ),
    ];
    for (status, content_type, body) in cases {
        let http = Canned {
            status,
            content_type,
            body,
            seen: Arc::default(),
        };
        let err = Client::builder(ClientId::new("c"))
            .discover(&issuer, http)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Response(
                    ResponseError::ContentType { .. }
                        | ResponseError::Json { .. }
                        | ResponseError::UnexpectedStatus { status: 404, .. }
                )
            ),
            "{status} {content_type}: {err:?}"
        );
    }
}

#[tokio::test]
async fn missing_endpoints_are_unsupported_not_guessed() {
    let issuer = IssuerUrl::new("https://op.example").unwrap();
    let http = Canned::json(r#"{"issuer":"https://op.example"}"#.into());
    let client = Client::builder(ClientId::new("c"))
        .redirect_uri(typed_oidc::RedirectUrl::new("https://rp.example/cb").unwrap())
        .discover(&issuer, http.clone())
        .await
        .unwrap();
    let err = client.authorization_request().start().unwrap_err();
    assert!(matches!(
        err,
        Error::Config(ConfigError::UnsupportedByProvider("authorization_endpoint"))
    ));
    assert_eq!(
        http.seen.lock().unwrap().len(),
        1,
        "no request to a guessed URL"
    );
}
