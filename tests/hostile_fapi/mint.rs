//! Signing ID tokens and JARM responses in every mode of [`Sig`].

use serde_json::{Map, Value};
use typed_oidc::jose::{JwsAlgorithm, b64, left_half_hash, sign_compact, sign_compact_hmac};

use super::shared::id_token_base;
use super::{CLIENT_ID, Grant, HostileAs, SUB, Sig, TextEdit, corrupt_signature};

impl HostileAs {
    /// Signs `claims` (the payload text edited by `payload_edit`) as `sig` says.
    pub fn sign(
        &self,
        sig: Sig,
        claims: &Map<String, Value>,
        payload_edit: Option<&TextEdit>,
    ) -> String {
        let mut payload = Value::Object(claims.clone()).to_string();
        if let Some(edit) = payload_edit {
            payload = edit(payload);
        }
        let mut header = Map::new();
        header.insert("typ".into(), "JWT".into());
        let (key, alg) = match sig {
            Sig::Ps256 | Sig::Corrupt => (&self.shared.rsa, JwsAlgorithm::PS256),
            Sig::Rs256 => (&self.shared.rsa, JwsAlgorithm::RS256),
            Sig::Es256 => (&self.shared.ec, JwsAlgorithm::ES256),
            Sig::None => {
                header.insert("alg".into(), "none".into());
                let header = Value::Object(header).to_string();
                return format!(
                    "{}.{}.",
                    b64::encode(header.as_bytes()),
                    b64::encode(payload.as_bytes())
                );
            }
            Sig::Hs256WithPublicKey => {
                let public = self.jwks()["keys"][0].to_string();
                return sign_compact_hmac(
                    public.as_bytes(),
                    JwsAlgorithm::HS256,
                    header,
                    payload.as_bytes(),
                )
                .unwrap();
            }
        };
        let token = sign_compact(key, alg, header, payload.as_bytes()).unwrap();
        if sig == Sig::Corrupt {
            corrupt_signature(&token)
        } else {
            token
        }
    }

    /// An ID token for `grant` (with `nonce` unless refreshing, and `at_hash`), edited and
    /// signed as the behaviour says.
    pub(super) fn id_token(&self, grant: &Grant, access_token: &str, refresh: bool) -> String {
        let b = self.behaviour();
        let mut c = id_token_base(self.issuer(), SUB, CLIENT_ID);
        if let (false, Some(n)) = (refresh, &grant.nonce) {
            c.insert("nonce".into(), n.clone().into());
        }
        let hash_alg = match b.id_token_sig {
            Sig::Es256 => Some(JwsAlgorithm::ES256),
            Sig::None => None,
            _ => Some(JwsAlgorithm::PS256),
        };
        if let Some(alg) = hash_alg {
            c.insert("at_hash".into(), left_half_hash(alg, access_token).into());
        }
        if let Some(edit) = &b.id_token_edit {
            edit(&mut c);
        }
        let token = self.sign(b.id_token_sig, &c, None);
        match &b.id_token_token_edit {
            Some(edit) => edit(token),
            None => token,
        }
    }
}
