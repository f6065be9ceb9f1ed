//! The AS's HTTP side: discovery, JWK Set, PAR, token, UserInfo and the protected resource,
//! every request recorded with its verdicts.

use std::collections::HashMap;

use hyper::body::Incoming;
use serde_json::{Value, json};

use super::shared::{Reply, json_reply, reply};
use super::{
    Answer, Checked, Exchange, Grant, HostileAs, PAR, RESOURCE, Recorded, SUB, TOKEN, USERINFO,
    scope_of, sha256_b64,
};

/// What an endpoint made of a request: the reply and the verdicts to record.
struct Outcome {
    reply: Reply,
    proof: Option<Checked>,
    assertion: Option<Checked>,
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Self {
        Outcome {
            reply,
            proof: None,
            assertion: None,
        }
    }
}

/// An OAuth error document (RFC 6749 §5.2).
fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    json_reply(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

/// A resource server's `WWW-Authenticate: DPoP` error (RFC 9449 §7.1).
fn dpop_challenge(error: &str) -> Reply {
    let mut r = reply(401, "application/json", "{}".into());
    let value = format!("DPoP error=\"{error}\", algs=\"ES256 PS256 EdDSA\"");
    r.headers_mut()
        .insert(http::header::WWW_AUTHENTICATE, value.parse().unwrap());
    r
}

/// `use_dpop_nonce` in the form of the endpoint at `path`, with these `DPoP-Nonce` values.
fn use_dpop_nonce(path: &str, nonces: &[Vec<u8>]) -> Reply {
    let mut r = if path == USERINFO || path == RESOURCE {
        dpop_challenge("use_dpop_nonce")
    } else {
        oauth_error(
            400,
            "use_dpop_nonce",
            "Authorization server requires nonce in DPoP proof",
        )
    };
    for n in nonces {
        r.headers_mut()
            .append("dpop-nonce", http::HeaderValue::from_bytes(n).unwrap());
    }
    r
}

impl HostileAs {
    pub(super) async fn handle(&self, req: http::Request<Incoming>) -> Reply {
        let request = match Recorded::read(req).await {
            Ok(r) => r,
            Err(too_large) => return too_large,
        };
        let outcome = match request.path.as_str() {
            "/.well-known/openid-configuration" => json_reply(200, &self.discovery()).into(),
            "/jwks" => json_reply(200, &self.jwks()).into(),
            PAR | TOKEN => self.back_channel(&request),
            USERINFO | RESOURCE => self.protected(&request),
            _ => reply(404, "text/plain", "not found".into()).into(),
        };
        self.shared.log.lock().unwrap().push(Exchange {
            request,
            proof: outcome.proof,
            assertion: outcome.assertion,
            status: outcome.reply.status().as_u16(),
        });
        outcome.reply
    }

    /// The next scripted answer for `path`, if any.
    fn scripted(&self, path: &str) -> Option<Reply> {
        let answer = self
            .knobs()
            .answers
            .get_mut(path)
            .and_then(|q| q.pop_front())?;
        Some(match answer {
            Answer::UseDpopNonce(nonces) => use_dpop_nonce(path, &nonces),
            Answer::Raw {
                status,
                content_type,
                body,
            } => {
                let mut r = reply(status, content_type, String::new());
                *r.body_mut() = body.into();
                r
            }
        })
    }

    /// Whether the proof lacks the nonce [`Behaviour::require_nonce`](super::Behaviour)
    /// demands at `path`.
    fn nonce_missing(&self, path: &str, proof: Option<&Checked>) -> bool {
        self.behaviour().require_nonce.contains(&path)
            && proof.and_then(|p| p.claim("nonce")) != Some(self.nonce())
    }

    /// PAR and token endpoint: client assertion, DPoP proof and nonce, then the endpoint.
    fn back_channel(&self, req: &Recorded) -> Outcome {
        let proof = self.check_proof(req, None);
        let assertion = self.check_assertion(req);
        let reply = self.back_channel_reply(req, proof.as_ref(), assertion.as_ref());
        Outcome {
            reply,
            proof,
            assertion,
        }
    }

    fn back_channel_reply(
        &self,
        req: &Recorded,
        proof: Option<&Checked>,
        assertion: Option<&Checked>,
    ) -> Reply {
        let path = req.path.as_str();
        if let Some(answer) = self.scripted(path) {
            return answer;
        }
        if req.method != http::Method::POST {
            return oauth_error(405, "invalid_request", "POST only");
        }
        match assertion {
            Some(a) if a.problems.is_empty() => {}
            Some(a) => return oauth_error(401, "invalid_client", &a.problems.join("; ")),
            None => return oauth_error(401, "invalid_client", "private_key_jwt required"),
        }
        if let Some(p) = proof.filter(|p| !p.problems.is_empty()) {
            return oauth_error(400, "invalid_dpop_proof", &p.problems.join("; "));
        }
        if self.nonce_missing(path, proof) {
            return use_dpop_nonce(path, &[self.nonce().as_bytes().to_vec()]);
        }
        let jkt = proof.and_then(|p| p.jkt.clone());
        if path == PAR {
            self.par(req, jkt)
        } else {
            self.token(req, jkt)
        }
    }

    /// RFC 9126 §2: the parameters (from the signed request object when there is one), the
    /// FAPI rules (code, PKCE S256, the registered redirect URI, `dpop_jkt` = the proof's key).
    fn par(&self, req: &Recorded, jkt: Option<String>) -> Reply {
        let mut params: HashMap<String, String> = req.form().into_iter().collect();
        if let Some(object) = params.get("request").cloned() {
            let checked = self.check_request_object(&object);
            if !checked.problems.is_empty() {
                return oauth_error(400, "invalid_request_object", &checked.problems.join("; "));
            }
            params = checked
                .claims
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect();
        }
        let is = |name: &str, value: &str| params.get(name).map(String::as_str) == Some(value);
        let broken = [
            (is("response_type", "code"), "response_type must be code"),
            (is("code_challenge_method", "S256"), "PKCE S256 required"),
            (
                params.contains_key("code_challenge"),
                "code_challenge required",
            ),
            (
                is("redirect_uri", super::REDIRECT_URI),
                "unregistered redirect_uri",
            ),
            (params.contains_key("state"), "state required"),
            (
                params
                    .get("dpop_jkt")
                    .is_none_or(|j| Some(j) == jkt.as_ref()),
                "dpop_jkt is not the proof's key",
            ),
        ]
        .into_iter()
        .find(|(ok, _)| !ok);
        if let Some((_, problem)) = broken {
            return oauth_error(400, "invalid_request", problem);
        }
        let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", self.fresh("par"));
        self.shared.pushed_log.lock().unwrap().push(params.clone());
        self.shared
            .pushed
            .lock()
            .unwrap()
            .insert(request_uri.clone(), params);
        json_reply(
            201,
            &json!({ "request_uri": request_uri, "expires_in": 60 }),
        )
    }

    /// RFC 6749 §4.1.3 / §6 / §4.4 with PKCE and DPoP binding (RFC 9449 §5, §10).
    fn token(&self, req: &Recorded, jkt: Option<String>) -> Reply {
        let (grant, refresh) = match req.param("grant_type").as_deref() {
            Some("authorization_code") => {
                let code = req.param("code").unwrap_or_default();
                let Some(g) = self.shared.codes.lock().unwrap().remove(&code) else {
                    return oauth_error(400, "invalid_grant", "unknown code");
                };
                let verifier = req.param("code_verifier").unwrap_or_default();
                if g.code_challenge != Some(sha256_b64(&verifier))
                    || g.redirect_uri != req.param("redirect_uri")
                    || g.jkt.as_ref().is_some_and(|j| Some(j) != jkt.as_ref())
                {
                    return oauth_error(400, "invalid_grant", "PKCE, redirect_uri or dpop_jkt");
                }
                (g, false)
            }
            Some("refresh_token") => {
                let rt = req.param("refresh_token").unwrap_or_default();
                match self.shared.refresh_tokens.lock().unwrap().get(&rt) {
                    Some(g) if g.jkt == jkt => (g.clone(), true),
                    _ => {
                        return oauth_error(
                            400,
                            "invalid_grant",
                            "unknown or unbound refresh token",
                        );
                    }
                }
            }
            Some("client_credentials") => {
                let scope = req.param("scope");
                let grant = Grant {
                    scope: scope_of(scope.as_ref()),
                    ..Grant::default()
                };
                (grant, false)
            }
            _ => return oauth_error(400, "unsupported_grant_type", "no"),
        };
        let b = self.behaviour();
        let grant = Grant { jkt, ..grant };
        let access_token = self.issue(&self.shared.access_tokens, "at", &grant);
        let default_type = if grant.jkt.is_some() {
            "DPoP"
        } else {
            "Bearer"
        };
        let mut body = json!({
            "access_token": access_token,
            "token_type": b.token_type.as_deref().unwrap_or(default_type),
            "scope": grant.scope.join(" "),
        });
        if let Some(expires_in) = b.expires_in {
            body["expires_in"] = expires_in.into();
        }
        let has = |s: &str| grant.scope.iter().any(|g| g == s);
        if has("offline_access") {
            body["refresh_token"] = self.issue(&self.shared.refresh_tokens, "rt", &grant).into();
        }
        if has("openid") {
            body["id_token"] = self.id_token(&grant, &access_token, refresh).into();
        }
        let mut r = json_reply(200, &body);
        if let Some(nonce) = &b.success_nonce {
            r.headers_mut()
                .insert("dpop-nonce", http::HeaderValue::from_bytes(nonce).unwrap());
        }
        r
    }

    /// UserInfo and the resource: the token in `Authorization` with the scheme its binding
    /// requires, a proof with its `ath` by the bound key (RFC 9449 §7), the nonce if required.
    fn protected(&self, req: &Recorded) -> Outcome {
        let authorization = req.header("authorization").unwrap_or_default();
        let (scheme, token) = authorization.split_once(' ').unwrap_or_default();
        let proof = self.check_proof(req, Some(token));
        let reply = self.protected_reply(req, scheme, token, proof.as_ref());
        Outcome {
            reply,
            proof,
            assertion: None,
        }
    }

    fn protected_reply(
        &self,
        req: &Recorded,
        scheme: &str,
        token: &str,
        proof: Option<&Checked>,
    ) -> Reply {
        if let Some(answer) = self.scripted(&req.path) {
            return answer;
        }
        let grant = self
            .shared
            .access_tokens
            .lock()
            .unwrap()
            .get(token)
            .cloned();
        let Some(grant) = grant else {
            return dpop_challenge("invalid_token");
        };
        match (&grant.jkt, scheme) {
            (None, "Bearer") => {}
            (Some(jkt), "DPoP") => {
                let Some(p) = proof.filter(|p| p.problems.is_empty()) else {
                    return dpop_challenge("invalid_dpop_proof");
                };
                if p.jkt.as_ref() != Some(jkt) {
                    return dpop_challenge("invalid_token");
                }
                if self.nonce_missing(&req.path, Some(p)) {
                    return use_dpop_nonce(&req.path, &[self.nonce().as_bytes().to_vec()]);
                }
            }
            _ => return dpop_challenge("invalid_token"),
        }
        if req.path == USERINFO {
            json_reply(200, &json!({ "sub": SUB, "name": "Alice FAPI" }))
        } else {
            let query = req.query.clone().unwrap_or_default();
            json_reply(
                200,
                &json!({ "resource": "ok", "method": req.method.as_str(), "query": query }),
            )
        }
    }
}
