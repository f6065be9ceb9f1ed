//! The OP's HTTP side: discovery, JWK Set, token and UserInfo endpoints, recording every
//! request.

use hyper::body::Incoming;
use serde_json::{Map, Value, json};

use super::shared::{Reply, json_reply, reply};
use super::{CLIENT_ID, HostileOp, Phase, Recorded, SUB};

impl HostileOp {
    pub(super) async fn handle(&self, req: http::Request<Incoming>) -> Reply {
        let recorded = match Recorded::read(req).await {
            Ok(r) => r,
            Err(too_large) => return too_large,
        };
        self.shared.log.lock().unwrap().push(recorded.clone());
        match recorded.path.as_str() {
            "/.well-known/openid-configuration" => {
                let mut doc = self.default_discovery();
                if let Some(edit) = &self.behaviour().discovery_edit {
                    edit(&mut doc);
                }
                json_reply(200, &Value::Object(doc))
            }
            p if p.starts_with("/jwks") => json_reply(200, &self.jwks()),
            "/token" => self.token(&recorded),
            "/userinfo" => self.userinfo(&recorded),
            _ => reply(404, "text/plain", "not found".into()),
        }
    }

    fn token(&self, req: &Recorded) -> Reply {
        if req.method != http::Method::POST {
            return json_reply(405, &json!({"error": "invalid_request"}));
        }
        let b = self.behaviour();
        let (grant, phase) = match req.param("grant_type").as_deref() {
            Some("authorization_code") => {
                let code = req.param("code").unwrap_or_default();
                match self.shared.codes.lock().unwrap().remove(&code) {
                    Some(g) => (g, Phase::Token),
                    None => return json_reply(400, &json!({"error": "invalid_grant"})),
                }
            }
            Some("refresh_token") => {
                let rt = req.param("refresh_token").unwrap_or_default();
                match self.shared.refresh_tokens.lock().unwrap().get(&rt) {
                    Some(g) => (g.clone(), Phase::Refresh),
                    None => return json_reply(400, &json!({"error": "invalid_grant"})),
                }
            }
            _ => return json_reply(400, &json!({"error": "unsupported_grant_type"})),
        };
        let access_token = self.issue_access_token(&grant);
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
        });
        if grant.scope.iter().any(|s| s == "offline_access") {
            let rt = self.fresh("rt");
            self.shared
                .refresh_tokens
                .lock()
                .unwrap()
                .insert(rt.clone(), grant.clone());
            body["refresh_token"] = rt.into();
        }
        if b.token_id_token && grant.scope.iter().any(|s| s == "openid") {
            body["id_token"] = self
                .mint_id_token(phase, &grant, None, Some(&access_token), |_| {})
                .into();
        }
        json_reply(200, &body)
    }

    fn userinfo(&self, req: &Recorded) -> Reply {
        let from_header = req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned));
        let from_body = (req.method == http::Method::POST)
            .then(|| req.param("access_token"))
            .flatten();
        let token = match (from_header, from_body) {
            (Some(t), None) | (None, Some(t)) => t,
            _ => {
                let mut r = reply(401, "application/json", "{}".into());
                r.headers_mut().insert(
                    http::header::WWW_AUTHENTICATE,
                    "Bearer error=\"invalid_request\"".parse().unwrap(),
                );
                return r;
            }
        };
        let grant = self
            .shared
            .access_tokens
            .lock()
            .unwrap()
            .get(&token)
            .cloned();
        let Some(grant) = grant else {
            let mut r = reply(401, "application/json", "{}".into());
            r.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                "Bearer error=\"invalid_token\"".parse().unwrap(),
            );
            return r;
        };
        let b = self.behaviour();
        let mut claims = Map::new();
        claims.insert("sub".into(), SUB.into());
        let has = |s: &str| grant.scope.iter().any(|g| g == s);
        let requested: Vec<String> = grant
            .claims_request
            .as_ref()
            .and_then(|r| r.get("userinfo"))
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        for (name, v) in &b.userinfo_claims {
            let by_scope = (has("profile") && name.contains("name"))
                || (has("email") && name.starts_with("email"));
            if by_scope || requested.contains(name) {
                claims.insert(name.clone(), v.clone());
            }
        }
        if let Some(edit) = &b.userinfo_edit {
            edit(&mut claims);
        }
        match b.userinfo_signed {
            None => json_reply(200, &Value::Object(claims)),
            Some(alg) => {
                claims.insert("iss".into(), self.issuer().into());
                claims.insert("aud".into(), CLIENT_ID.into());
                reply(200, "application/jwt", self.sign(alg, &claims))
            }
        }
    }
}
