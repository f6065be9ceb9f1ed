//! A small, purpose-built OpenID Provider for the RP certification tests: plain HTTP on
//! `127.0.0.1:0` (hyper 1), one per test, living inside the test's tokio runtime (the accept
//! loop is a spawned task, dropped when the runtime ends, and it gives up after
//! [`shared::LIFETIME`] at the latest).
//!
//! It serves a discovery document, a JWK Set, a token endpoint and a UserInfo endpoint, and
//! answers authorization requests in-process ([`HostileOp::authorize`]): it reads the
//! authorization URL the client built and returns the redirect it would send the user agent
//! (query, fragment or `form_post` body, as the response type and mode dictate). Everything a
//! certification test needs to break is a field of [`Behaviour`]: the ID-token algorithm, key
//! and `kid`, a corrupt signature, claim edits per issuance phase, the discovery document,
//! the published keys, the UserInfo answer. Every HTTP request is recorded ([`Recorded`]), so
//! tests can assert what the client sent.
#![allow(dead_code)]

mod jwt;
mod server;
mod shared;

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use typed_oidc::jose::SigningKey;

pub use shared::{AuthResponse, Recorded, now};
use shared::{fixture_ec, fixture_rsa};

/// The client registered at every hostile OP.
pub const CLIENT_ID: &str = "rp-cert-client";
/// Its secret (also the HS256 key of ID tokens, OpenID Connect Core §10.1). It contains
/// characters that RFC 6749 §2.3.1 form-encodes before Basic authentication.
pub const CLIENT_SECRET: &str = "s3cr&t:value+with/specials=0123456789abcdef";
/// The end-user's subject.
pub const SUB: &str = "alice-1234";
/// The redirect URI the client registers.
pub const REDIRECT_URI: &str = "https://rp.example/cb";

/// When an ID token is minted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// In the authorization response (implicit, hybrid).
    Authorization,
    /// At the token endpoint, for an authorization code.
    Token,
    /// At the token endpoint, for a refresh token.
    Refresh,
}

/// How ID tokens (and signed UserInfo responses) are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// RS256 with the RSA key [`Behaviour::rsa_key`].
    Rs256,
    /// ES256 with the P-256 key.
    Es256,
    /// HS256 with the client secret.
    Hs256,
    /// `alg: none`, empty signature (RFC 7519 §6).
    None,
}

/// A JSON-object edit hook.
pub type Edit = Arc<dyn Fn(&mut Map<String, Value>) + Send + Sync>;
/// An ID-token claims edit hook, told the phase.
pub type ClaimsEdit = Arc<dyn Fn(Phase, &mut Map<String, Value>) + Send + Sync>;

/// What the OP does; change it between requests with [`HostileOp::set`].
#[derive(Clone)]
pub struct Behaviour {
    /// ID-token signing.
    pub alg: Alg,
    /// Which RSA key (index into [`HostileOp::rsa_keys`]) signs RS256 tokens.
    pub rsa_key: usize,
    /// Whether the JOSE header names the key (`kid`).
    pub kid_in_header: bool,
    /// Flip a bit of every signature (or use a wrong secret for HS256).
    pub bad_signature: bool,
    /// The JWK Set published at `jwks_uri`; `None`: every key of the OP, with `kid`.
    pub jwks: Option<Value>,
    /// Edits the discovery document.
    pub discovery_edit: Option<Edit>,
    /// Edits ID-token claims before signing.
    pub id_token_edit: Option<ClaimsEdit>,
    /// Whether the token endpoint issues an ID token.
    pub token_id_token: bool,
    /// The UserInfo claims (besides `sub`).
    pub userinfo_claims: Map<String, Value>,
    /// Edits the UserInfo object last (e.g. a wrong `sub`).
    pub userinfo_edit: Option<Edit>,
    /// Sign the UserInfo response (`application/jwt`) instead of JSON.
    pub userinfo_signed: Option<Alg>,
}

impl Default for Behaviour {
    fn default() -> Self {
        let mut userinfo_claims = Map::new();
        userinfo_claims.insert("name".into(), "Alice Example".into());
        userinfo_claims.insert("given_name".into(), "Alice".into());
        userinfo_claims.insert("family_name".into(), "Example".into());
        userinfo_claims.insert("email".into(), "alice@example.com".into());
        userinfo_claims.insert("email_verified".into(), true.into());
        Behaviour {
            alg: Alg::Rs256,
            rsa_key: 0,
            kid_in_header: true,
            bad_signature: false,
            jwks: None,
            discovery_edit: None,
            id_token_edit: None,
            token_id_token: true,
            userinfo_claims,
            userinfo_edit: None,
            userinfo_signed: None,
        }
    }
}

/// What an authorization (code) or an access/refresh token stands for.
#[derive(Clone, Debug)]
struct Grant {
    nonce: Option<String>,
    scope: Vec<String>,
    claims_request: Option<Value>,
}

struct Shared {
    issuer: String,
    rsa_keys: Vec<SigningKey>,
    ec_key: SigningKey,
    behaviour: Mutex<Behaviour>,
    log: Mutex<Vec<Recorded>>,
    codes: Mutex<HashMap<String, Grant>>,
    access_tokens: Mutex<HashMap<String, Grant>>,
    refresh_tokens: Mutex<HashMap<String, Grant>>,
    authorization_requests: Mutex<Vec<HashMap<String, String>>>,
    counter: AtomicUsize,
}

/// A running hostile OP. Cheap to clone.
#[derive(Clone)]
pub struct HostileOp {
    shared: Arc<Shared>,
}

/// A second RSA key, generated once per test binary (for key rotation).
fn second_rsa() -> SigningKey {
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate_rsa(2048).unwrap())
        .clone()
}

impl HostileOp {
    /// Starts an OP with the default [`Behaviour`] and two RSA keys (`rsa-0` is the
    /// fixture key, `rsa-1` a fresh one) and one P-256 key (`ec-0`).
    pub async fn start() -> Self {
        let (listener, issuer) = shared::bind().await;
        let shared = Arc::new(Shared {
            issuer,
            rsa_keys: vec![fixture_rsa(), second_rsa()],
            ec_key: fixture_ec(),
            behaviour: Mutex::new(Behaviour::default()),
            log: Mutex::default(),
            codes: Mutex::default(),
            access_tokens: Mutex::default(),
            refresh_tokens: Mutex::default(),
            authorization_requests: Mutex::default(),
            counter: AtomicUsize::new(0),
        });
        let op = HostileOp { shared };
        let server = op.clone();
        shared::serve(listener, move |req| {
            let op = server.clone();
            async move { op.handle(req).await }
        });
        op
    }

    /// The issuer, `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The RSA signing keys (`kid` `rsa-<index>`).
    pub fn rsa_keys(&self) -> &[SigningKey] {
        &self.shared.rsa_keys
    }

    /// The P-256 signing key (`kid` `ec-0`).
    pub fn ec_key(&self) -> &SigningKey {
        &self.shared.ec_key
    }

    /// Changes the behaviour.
    pub fn set(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.shared.behaviour.lock().unwrap());
    }

    fn behaviour(&self) -> Behaviour {
        self.shared.behaviour.lock().unwrap().clone()
    }

    /// The public JWK of RSA key `index`, with `kid` `rsa-<index>`.
    pub fn rsa_jwk(&self, index: usize) -> Value {
        let mut jwk = self.shared.rsa_keys[index].public_jwk();
        jwk["kid"] = format!("rsa-{index}").into();
        jwk
    }

    /// The public JWK of the P-256 key, with `kid` `ec-0`.
    pub fn ec_jwk(&self) -> Value {
        let mut jwk = self.shared.ec_key.public_jwk();
        jwk["kid"] = "ec-0".into();
        jwk
    }

    /// The JWK Set published at `jwks_uri` now.
    pub fn jwks(&self) -> Value {
        self.behaviour()
            .jwks
            .unwrap_or_else(|| json!({ "keys": [self.rsa_jwk(0), self.ec_jwk()] }))
    }

    /// Every request received so far on `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.shared
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// The parameters of every authorization request seen by [`HostileOp::authorize`].
    pub fn authorization_requests(&self) -> Vec<HashMap<String, String>> {
        self.shared.authorization_requests.lock().unwrap().clone()
    }

    fn fresh(&self, prefix: &str) -> String {
        shared::fresh(&self.shared.counter, prefix)
    }

    /// The default discovery document, before [`Behaviour::discovery_edit`].
    pub fn default_discovery(&self) -> Map<String, Value> {
        let i = self.issuer();
        let Value::Object(map) = json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "userinfo_endpoint": format!("{i}/userinfo"),
            "jwks_uri": format!("{i}/jwks"),
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "response_types_supported": [
                "code", "id_token", "id_token token", "code id_token", "code token",
                "code id_token token"
            ],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "userinfo_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "client_secret_jwt",
                "private_key_jwt"
            ],
            "token_endpoint_auth_signing_alg_values_supported": ["HS256", "RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "claims_parameter_supported": true,
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email",
                                 "email_verified"],
        }) else {
            unreachable!()
        };
        map
    }

    // ---- the authorization endpoint (in-process) ----------------------------------------

    /// Answers an authorization request: reads the URL the client built, records its
    /// parameters, and returns the response the OP sends back for the requested
    /// `response_type` and `response_mode`: a code, an access token and an ID token (with
    /// `nonce`, `c_hash`, `at_hash`, and the scope's claims when no access token is issued)
    /// as the response type asks.
    pub fn authorize(&self, url: &str) -> AuthResponse {
        let url = url::Url::parse(url).unwrap();
        assert_eq!(
            &url[..url::Position::AfterPath],
            format!("{}/authorize", self.issuer()),
            "authorization request sent to the wrong endpoint"
        );
        let params: HashMap<String, String> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.shared
            .authorization_requests
            .lock()
            .unwrap()
            .push(params.clone());
        assert_eq!(params.get("client_id").map(String::as_str), Some(CLIENT_ID));
        let response_type = params["response_type"].clone();
        let words: Vec<&str> = response_type.split(' ').collect();
        let grant = Grant {
            nonce: params.get("nonce").cloned(),
            scope: params
                .get("scope")
                .map(|s| s.split(' ').map(str::to_owned).collect())
                .unwrap_or_default(),
            claims_request: params
                .get("claims")
                .map(|c| serde_json::from_str(c).expect("claims parameter is JSON")),
        };
        let mode = params.get("response_mode").cloned().unwrap_or_else(|| {
            if words == ["code"] {
                "query".into()
            } else {
                "fragment".into()
            }
        });
        let mut out = Vec::new();
        let code = words.contains(&"code").then(|| {
            let code = self.fresh("code");
            self.shared
                .codes
                .lock()
                .unwrap()
                .insert(code.clone(), grant.clone());
            code
        });
        if let Some(code) = &code {
            out.push(("code".to_owned(), code.clone()));
        }
        let access_token = words
            .contains(&"token")
            .then(|| self.issue_access_token(&grant));
        if let Some(at) = &access_token {
            out.push(("access_token".into(), at.clone()));
            out.push(("token_type".into(), "Bearer".into()));
            out.push(("expires_in".into(), "300".into()));
        }
        if words.contains(&"id_token") {
            let b = self.behaviour();
            let scope_claims = access_token.is_none();
            let id_token = self.mint_id_token(
                Phase::Authorization,
                &grant,
                code.as_deref(),
                access_token.as_deref(),
                |c| {
                    // With no access token, the scope's claims go in the ID token (§5.4).
                    if scope_claims {
                        for (name, v) in &b.userinfo_claims {
                            let wanted = (grant.scope.iter().any(|s| s == "profile")
                                && name.contains("name"))
                                || (grant.scope.iter().any(|s| s == "email")
                                    && name.starts_with("email"));
                            if wanted {
                                c.insert(name.clone(), v.clone());
                            }
                        }
                    }
                },
            );
            out.push(("id_token".into(), id_token));
        }
        if let Some(state) = params.get("state") {
            out.push(("state".into(), state.clone()));
        }
        AuthResponse {
            redirect_uri: params["redirect_uri"].clone(),
            mode,
            params: out,
        }
    }

    /// An error authorization response (RFC 6749 §4.1.2.1) to the request in `url`.
    pub fn authorize_error(&self, url: &str, error: &str, description: &str) -> AuthResponse {
        let mut response = self.authorize(url);
        let state = response.param("state").map(str::to_owned);
        response.params = vec![
            ("error".into(), error.into()),
            ("error_description".into(), description.into()),
        ];
        if let Some(state) = state {
            response.params.push(("state".into(), state));
        }
        response
    }

    fn issue_access_token(&self, grant: &Grant) -> String {
        let at = self.fresh("at");
        self.shared
            .access_tokens
            .lock()
            .unwrap()
            .insert(at.clone(), grant.clone());
        at
    }
}
