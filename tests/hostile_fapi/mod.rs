//! A small, purpose-built hostile FAPI 2.0 authorization server for `tests/fapi_attacks.rs`:
//! plain HTTP on `127.0.0.1:0` (hyper 1), one per test, inside the test's tokio runtime (the
//! accept loop of `tests/hostile_op/shared.rs`, which stops by itself).
//!
//! It serves discovery, a JWK Set, PAR (`/par`), the token endpoint (`/token`), UserInfo
//! (`/userinfo`) and a protected resource (`/resource`), and answers authorization requests
//! in-process ([`HostileAs::authorize`]): given the short URL (`client_id` + `request_uri`)
//! it returns the redirect — plain query parameters or a JARM `response` JWT it signs itself.
//!
//! It checks what an honest FAPI server checks, for real: DPoP proofs (signature with the
//! header `jwk`, `typ`, `htm`, `htu`, `iat`, `jti` uniqueness, `ath`, `nonce`, no private key
//! members; [`verify`]), `private_key_jwt` assertions (signature with the registered client
//! key, `aud` = issuer exactly, FAPI `alg`, `jti` uniqueness), signed request objects, PKCE
//! S256 and the `dpop_jkt` / token binding. Every request is recorded with the verdicts
//! ([`Exchange`]). Everything hostile is a knob of [`Behaviour`].
#![allow(dead_code)]

mod mint;
mod server;
#[path = "../hostile_op/shared.rs"]
mod shared;
mod verify;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use typed_oidc::jose::{SigningKey, b64};

pub use shared::{AuthResponse, Recorded, corrupt_signature, now};
pub use verify::{Checked, sha256_b64};

/// How the AS signs an ID token or a JARM response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sig {
    /// PS256 with the RSA key (`kid` `rsa-1`), the default.
    Ps256,
    /// ES256 with the P-256 key (`kid` `ec-1`).
    Es256,
    /// RS256 with the RSA key: a valid signature in an algorithm FAPI 2.0 forbids.
    Rs256,
    /// `alg: none`, empty signature.
    None,
    /// HS256 keyed with the AS's public RSA JWK (the key-confusion attack).
    Hs256WithPublicKey,
    /// PS256 with one bit of the signature flipped.
    Corrupt,
}

/// The `iss` authorization response parameter (RFC 9207) of plain responses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Iss {
    /// The issuer.
    Correct,
    /// Left out.
    Missing,
    /// Another value.
    Wrong(String),
}

/// What the AS sends back when the request asked for a JWT-secured response (JARM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jarm {
    /// A signed `response` JWT, as [`Behaviour::jarm_sig`] says.
    Signed,
    /// A five-part (JWE-shaped) `response`.
    Encrypted,
    /// The plain parameters (`code`, `state`, `iss`) instead of a `response`.
    Plain,
    /// No `response` parameter at all (only `iss`).
    Absent,
}

/// The registered client: its id and its one redirect URI; and the end-user's subject.
pub const CLIENT_ID: &str = "fapi-client";
#[doc(hidden)]
pub const REDIRECT_URI: &str = "https://rp.example/fapi/cb";
#[doc(hidden)]
pub const SUB: &str = "alice-fapi";

/// The endpoints' paths (the authorization endpoint is `/authorize`, answered in-process).
pub const PAR: &str = "/par";
#[doc(hidden)]
pub const TOKEN: &str = "/token";
#[doc(hidden)]
pub const USERINFO: &str = "/userinfo";
#[doc(hidden)]
pub const RESOURCE: &str = "/resource";

/// A scripted answer, given instead of the endpoint's own to the next request to a path.
#[derive(Clone, Debug)]
pub enum Answer {
    /// `use_dpop_nonce`: HTTP 400 with an error document at PAR and token endpoints, HTTP
    /// 401 with `WWW-Authenticate: DPoP error="use_dpop_nonce"` at UserInfo and the
    /// resource; one `DPoP-Nonce` header per value (raw bytes; none: no header).
    UseDpopNonce(Vec<Vec<u8>>),
    /// A canned reply.
    Raw {
        /// The status.
        status: u16,
        /// The `Content-Type`.
        content_type: &'static str,
        /// The body.
        body: Vec<u8>,
    },
}

/// A JSON-object edit hook.
pub type Edit = Arc<dyn Fn(&mut Map<String, Value>) + Send + Sync>;
/// A text edit hook (a JWT's payload JSON, or the compact JWT itself).
pub type TextEdit = Arc<dyn Fn(String) -> String + Send + Sync>;

/// What the AS does; change it with [`HostileAs::set`].
#[derive(Clone)]
pub struct Behaviour {
    /// Advertise `pushed_authorization_request_endpoint`.
    pub par_endpoint: bool,
    /// `authorization_response_iss_parameter_supported`.
    pub iss_parameter_supported: bool,
    /// `dpop_signing_alg_values_supported`.
    pub dpop_signing_algs: Vec<&'static str>,
    /// `authorization_signing_alg_values_supported`.
    pub authorization_signing_algs: Vec<&'static str>,
    /// `token_endpoint_auth_methods_supported`.
    pub auth_methods: Vec<&'static str>,
    /// The last edit of the discovery document.
    pub discovery_edit: Option<Edit>,

    /// The `iss` of plain authorization responses.
    pub response_iss: Iss,
    /// Replaces the `state` of authorization responses.
    pub response_state: Option<String>,
    /// An `error` authorization response with this code instead of a `code`.
    pub response_error: Option<&'static str>,
    /// The answer to a JARM request.
    pub jarm: Jarm,
    /// How JARM responses are signed.
    pub jarm_sig: Sig,
    /// Edits the JARM claims before signing.
    pub jarm_edit: Option<Edit>,
    /// Edits the JARM payload text before signing (e.g. duplicate members).
    pub jarm_payload_edit: Option<TextEdit>,
    /// Edits the signed JARM `response` (e.g. truncation).
    pub jarm_token_edit: Option<TextEdit>,
    /// Parameters appended to every authorization response (outside a JARM `response`).
    pub extra_response_params: Vec<(String, String)>,

    /// How ID tokens are signed.
    pub id_token_sig: Sig,
    /// Edits the ID-token claims before signing.
    pub id_token_edit: Option<Edit>,
    /// Edits the signed ID token (e.g. truncation).
    pub id_token_token_edit: Option<TextEdit>,

    /// Overrides `token_type` (default `DPoP` when a proof came, else `Bearer`).
    pub token_type: Option<String>,
    /// `expires_in` of token responses (`None`: left out).
    pub expires_in: Option<u64>,

    /// Paths where a proof must carry the AS's current nonce (else `use_dpop_nonce` with it).
    pub require_nonce: Vec<&'static str>,
    /// A `DPoP-Nonce` header (raw bytes) added to every successful token response.
    pub success_nonce: Option<Vec<u8>>,
    /// Scripted answers by path, used first to last, one per request.
    pub answers: HashMap<&'static str, VecDeque<Answer>>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            par_endpoint: true,
            iss_parameter_supported: true,
            dpop_signing_algs: vec!["ES256", "PS256", "EdDSA", "ES384"],
            authorization_signing_algs: vec!["PS256", "ES256", "RS256", "HS256"],
            auth_methods: vec!["private_key_jwt"],
            discovery_edit: None,
            response_iss: Iss::Correct,
            response_state: None,
            response_error: None,
            jarm: Jarm::Signed,
            jarm_sig: Sig::Ps256,
            jarm_edit: None,
            jarm_payload_edit: None,
            jarm_token_edit: None,
            extra_response_params: Vec::new(),
            id_token_sig: Sig::Ps256,
            id_token_edit: None,
            id_token_token_edit: None,
            token_type: None,
            expires_in: Some(300),
            require_nonce: Vec::new(),
            success_nonce: None,
            answers: HashMap::new(),
        }
    }
}

impl Behaviour {
    /// Scripts `answers` for the next requests to `path`.
    pub fn script(&mut self, path: &'static str, answers: impl IntoIterator<Item = Answer>) {
        self.answers.entry(path).or_default().extend(answers);
    }
}

/// One request as the AS received it, with its verdicts and the status it got.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The request.
    pub request: Recorded,
    /// The DPoP proof, verified (`None`: no `DPoP` header).
    pub proof: Option<Checked>,
    /// The client assertion, verified (`None`: none sent).
    pub assertion: Option<Checked>,
    /// The status of the reply.
    pub status: u16,
}

/// What a code, an access token or a refresh token stands for.
#[derive(Clone, Debug, Default)]
struct Grant {
    nonce: Option<String>,
    scope: Vec<String>,
    code_challenge: Option<String>,
    redirect_uri: Option<String>,
    /// The DPoP key thumbprint the grant is bound to.
    jkt: Option<String>,
}

struct Shared {
    issuer: String,
    client_jwk: Value,
    rsa: SigningKey,
    ec: SigningKey,
    behaviour: Mutex<Behaviour>,
    log: Mutex<Vec<Exchange>>,
    pushed: Mutex<HashMap<String, HashMap<String, String>>>,
    pushed_log: Mutex<Vec<HashMap<String, String>>>,
    codes: Mutex<HashMap<String, Grant>>,
    access_tokens: Mutex<HashMap<String, Grant>>,
    refresh_tokens: Mutex<HashMap<String, Grant>>,
    jtis: Mutex<HashSet<String>>,
    nonce: String,
    counter: AtomicUsize,
}

/// A running hostile AS. Cheap to clone.
#[derive(Clone)]
pub struct HostileAs {
    shared: Arc<Shared>,
}

impl HostileAs {
    /// Starts an AS with the default [`Behaviour`] for a client whose assertions and request
    /// objects verify with `client_key`'s public half.
    pub async fn start(client_key: &SigningKey) -> Self {
        let (listener, issuer) = shared::bind().await;
        let mut client_jwk = client_key.public_jwk();
        if let Some(jwk) = client_jwk.as_object_mut() {
            jwk.remove("alg");
        }
        let as_ = HostileAs {
            shared: Arc::new(Shared {
                nonce: format!("srv-nonce.{}", b64::encode(issuer.as_bytes())),
                issuer,
                client_jwk,
                rsa: shared::fixture_rsa().with_kid("rsa-1"),
                ec: shared::fixture_ec().with_kid("ec-1"),
                behaviour: Mutex::default(),
                log: Mutex::default(),
                pushed: Mutex::default(),
                pushed_log: Mutex::default(),
                codes: Mutex::default(),
                access_tokens: Mutex::default(),
                refresh_tokens: Mutex::default(),
                jtis: Mutex::default(),
                counter: AtomicUsize::new(0),
            }),
        };
        let server = as_.clone();
        shared::serve(listener, move |req| {
            let as_ = server.clone();
            async move { as_.handle(req).await }
        });
        as_
    }

    /// The issuer, `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// `issuer` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.issuer)
    }

    /// The nonce the AS demands where [`Behaviour::require_nonce`] says so.
    pub fn nonce(&self) -> &str {
        &self.shared.nonce
    }

    /// Changes the behaviour.
    pub fn set(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.knobs());
    }

    /// The behaviour, locked (scripted answers are taken out of it).
    fn knobs(&self) -> std::sync::MutexGuard<'_, Behaviour> {
        self.shared.behaviour.lock().unwrap()
    }

    fn behaviour(&self) -> Behaviour {
        self.knobs().clone()
    }

    /// Every request so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Every request so far to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Exchange> {
        let mut exchanges = self.exchanges();
        exchanges.retain(|e| e.request.path == path);
        exchanges
    }

    /// The parameters of every pushed request the AS accepted (those of the request object
    /// for a signed one).
    pub fn pushed(&self) -> Vec<HashMap<String, String>> {
        self.shared.pushed_log.lock().unwrap().clone()
    }

    fn fresh(&self, prefix: &str) -> String {
        shared::fresh(&self.shared.counter, prefix)
    }

    /// A fresh `prefix` credential (code, access or refresh token) for `grant`, kept in
    /// `store`.
    fn issue(&self, store: &Mutex<HashMap<String, Grant>>, prefix: &str, grant: &Grant) -> String {
        let credential = self.fresh(prefix);
        store
            .lock()
            .unwrap()
            .insert(credential.clone(), grant.clone());
        credential
    }

    /// The public JWK Set: the RSA key (`rsa-1`, no `alg`, so it serves PS256 and RS256)
    /// and the P-256 key (`ec-1`).
    pub fn jwks(&self) -> Value {
        let mut rsa = self.shared.rsa.public_jwk();
        rsa.as_object_mut().unwrap().remove("alg");
        json!({ "keys": [rsa, self.shared.ec.public_jwk()] })
    }

    /// The discovery document the behaviour describes.
    pub fn discovery(&self) -> Value {
        let b = self.behaviour();
        let mut doc = json!({
            "issuer": self.issuer(),
            "scopes_supported": ["openid", "profile", "offline_access", "api"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "jwt", "query.jwt"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["PS256", "ES256", "RS256"],
            "request_object_signing_alg_values_supported": ["PS256", "ES256", "EdDSA"],
            "token_endpoint_auth_methods_supported": b.auth_methods,
            "token_endpoint_auth_signing_alg_values_supported": ["PS256", "ES256", "EdDSA"],
            "code_challenge_methods_supported": ["S256"],
            "dpop_signing_alg_values_supported": b.dpop_signing_algs,
            "authorization_signing_alg_values_supported": b.authorization_signing_algs,
            "authorization_response_iss_parameter_supported": b.iss_parameter_supported,
            "require_pushed_authorization_requests": true,
        });
        let obj = doc.as_object_mut().unwrap();
        let endpoints = [
            ("authorization_endpoint", "/authorize"),
            ("token_endpoint", TOKEN),
            ("userinfo_endpoint", USERINFO),
            ("jwks_uri", "/jwks"),
            ("pushed_authorization_request_endpoint", PAR),
        ];
        for (member, path) in endpoints {
            if path != PAR || b.par_endpoint {
                obj.insert(member.into(), self.url(path).into());
            }
        }
        if let Some(edit) = &b.discovery_edit {
            edit(obj);
        }
        doc
    }

    // ---- the authorization endpoint (in-process) ----------------------------------------

    /// Answers the short authorization URL (`client_id` + `request_uri`) of a pushed
    /// request: issues a code for it and returns the redirect, plain or JARM as the pushed
    /// `response_mode` and the behaviour say. The `request_uri` is single-use.
    pub fn authorize(&self, url: &str) -> AuthResponse {
        let url = url::Url::parse(url).unwrap();
        assert_eq!(
            &url[..url::Position::AfterPath],
            self.url("/authorize"),
            "authorization request sent to the wrong endpoint"
        );
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let mut names: Vec<&str> = query.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["client_id", "request_uri"],
            "only the pushed reference"
        );
        assert_eq!(query["client_id"], CLIENT_ID);
        let pushed = self
            .shared
            .pushed
            .lock()
            .unwrap()
            .remove(&query["request_uri"])
            .expect("an unknown or used request_uri");
        let b = self.behaviour();
        let mut params = Vec::new();
        match b.response_error {
            Some(error) => {
                params.push(("error".to_owned(), error.to_owned()));
                params.push(("error_description".into(), "the user said no".into()));
            }
            None => {
                let grant = Grant {
                    nonce: pushed.get("nonce").cloned(),
                    scope: scope_of(pushed.get("scope")),
                    code_challenge: pushed.get("code_challenge").cloned(),
                    redirect_uri: pushed.get("redirect_uri").cloned(),
                    jkt: pushed.get("dpop_jkt").cloned(),
                };
                let code = self.issue(&self.shared.codes, "code", &grant);
                params.push(("code".to_owned(), code));
            }
        }
        let state = b
            .response_state
            .clone()
            .or_else(|| pushed.get("state").cloned());
        if let Some(state) = state {
            params.push(("state".into(), state));
        }
        let jwt_mode = pushed
            .get("response_mode")
            .is_some_and(|m| m == "jwt" || m.ends_with(".jwt"));
        let mut params = if jwt_mode {
            self.jarm_params(&b, params)
        } else {
            match &b.response_iss {
                Iss::Correct => params.push(("iss".into(), self.issuer().into())),
                Iss::Missing => {}
                Iss::Wrong(other) => params.push(("iss".into(), other.clone())),
            }
            params
        };
        params.extend(b.extra_response_params.iter().cloned());
        AuthResponse {
            redirect_uri: pushed.get("redirect_uri").cloned().unwrap_or_default(),
            mode: "query".into(),
            params,
        }
    }

    /// The parameters of a JARM answer to a request whose response would be `params`.
    fn jarm_params(&self, b: &Behaviour, params: Vec<(String, String)>) -> Vec<(String, String)> {
        let iss = ("iss".to_owned(), self.issuer().to_owned());
        match b.jarm {
            Jarm::Plain => params.into_iter().chain([iss]).collect(),
            Jarm::Absent => vec![iss],
            Jarm::Encrypted => {
                let header = b64::encode(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
                let jwe = format!("{header}.a2V5.aXY.Y2lwaGVydGV4dA.dGFn");
                vec![("response".into(), jwe)]
            }
            Jarm::Signed => {
                let mut claims = Map::new();
                claims.insert("iss".into(), self.issuer().into());
                claims.insert("aud".into(), CLIENT_ID.into());
                claims.insert("exp".into(), (now() + 120).into());
                for (k, v) in params {
                    claims.insert(k, v.into());
                }
                if let Some(edit) = &b.jarm_edit {
                    edit(&mut claims);
                }
                let mut jwt = self.sign(b.jarm_sig, &claims, b.jarm_payload_edit.as_ref());
                if let Some(edit) = &b.jarm_token_edit {
                    jwt = edit(jwt);
                }
                vec![("response".into(), jwt)]
            }
        }
    }
}

/// A space-separated scope as its tokens.
fn scope_of(scope: Option<&String>) -> Vec<String> {
    scope
        .map(|s| s.split(' ').map(str::to_owned).collect())
        .unwrap_or_default()
}
