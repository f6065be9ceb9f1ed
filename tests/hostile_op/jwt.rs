//! Minting ID tokens and signed UserInfo responses: claims, hashes, the `claims` request
//! parameter, and every signing mode of [`Alg`] (with `kid` control and bad signatures).

use serde_json::{Map, Value};
use typed_oidc::jose::{JwsAlgorithm, b64, left_half_hash, sign_compact};

use super::shared::{corrupt_signature, id_token_base};
use super::{Alg, CLIENT_ID, CLIENT_SECRET, Grant, HostileOp, Phase, SUB};

impl HostileOp {
    /// Signs `claims` as the behaviour says (algorithm, key, `kid`, bad signature).
    pub fn sign(&self, alg: Alg, claims: &Map<String, Value>) -> String {
        let b = self.behaviour();
        let payload = Value::Object(claims.clone()).to_string();
        let mut header = Map::new();
        header.insert("typ".into(), "JWT".into());
        let token = match alg {
            Alg::Rs256 => {
                if b.kid_in_header {
                    header.insert("kid".into(), format!("rsa-{}", b.rsa_key).into());
                }
                let key = &self.shared.rsa_keys[b.rsa_key];
                sign_compact(key, JwsAlgorithm::RS256, header, payload.as_bytes()).unwrap()
            }
            Alg::Es256 => {
                if b.kid_in_header {
                    header.insert("kid".into(), "ec-0".into());
                }
                sign_compact(
                    &self.shared.ec_key,
                    JwsAlgorithm::ES256,
                    header,
                    payload.as_bytes(),
                )
                .unwrap()
            }
            Alg::Hs256 => {
                let secret = if b.bad_signature {
                    "not-the-client-secret"
                } else {
                    CLIENT_SECRET
                };
                typed_oidc::jose::sign_compact_hmac(
                    secret.as_bytes(),
                    JwsAlgorithm::HS256,
                    header,
                    payload.as_bytes(),
                )
                .unwrap()
            }
            Alg::None => {
                header.insert("alg".into(), "none".into());
                format!(
                    "{}.{}.",
                    b64::encode(Value::Object(header).to_string().as_bytes()),
                    b64::encode(payload.as_bytes())
                )
            }
        };
        if b.bad_signature && matches!(alg, Alg::Rs256 | Alg::Es256) {
            corrupt_signature(&token)
        } else {
            token
        }
    }

    /// The claims of an ID token for this grant, before [`Behaviour::id_token_edit`].
    fn id_token_claims(
        &self,
        phase: Phase,
        grant: &Grant,
        code: Option<&str>,
        access_token: Option<&str>,
        alg: Alg,
    ) -> Map<String, Value> {
        let mut c = id_token_base(self.issuer(), SUB, CLIENT_ID);
        if phase != Phase::Refresh
            && let Some(n) = &grant.nonce
        {
            c.insert("nonce".into(), n.clone().into());
        }
        let hash_alg = match alg {
            Alg::Rs256 => Some(JwsAlgorithm::RS256),
            Alg::Es256 => Some(JwsAlgorithm::ES256),
            Alg::Hs256 => Some(JwsAlgorithm::HS256),
            Alg::None => None,
        };
        if let Some(h) = hash_alg {
            if let Some(code) = code {
                c.insert("c_hash".into(), left_half_hash(h, code).into());
            }
            if let Some(at) = access_token {
                c.insert("at_hash".into(), left_half_hash(h, at).into());
            }
        }
        // Claims asked for with the `claims` request parameter (OpenID Connect Core §5.5).
        if let Some(requested) = grant
            .claims_request
            .as_ref()
            .and_then(|r| r.get("id_token"))
            .and_then(Value::as_object)
        {
            let b = self.behaviour();
            for name in requested.keys() {
                if let Some(v) = b.userinfo_claims.get(name) {
                    c.insert(name.clone(), v.clone());
                }
            }
        }
        c
    }

    pub(super) fn mint_id_token(
        &self,
        phase: Phase,
        grant: &Grant,
        code: Option<&str>,
        access_token: Option<&str>,
        extra: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let b = self.behaviour();
        let mut claims = self.id_token_claims(phase, grant, code, access_token, b.alg);
        extra(&mut claims);
        if let Some(edit) = &b.id_token_edit {
            edit(phase, &mut claims);
        }
        self.sign(b.alg, &claims)
    }
}
