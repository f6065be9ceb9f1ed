//! Guarantee: a FAPI 2.0 client authenticates with `private_key_jwt` only (Security Profile
//! §5.3.2.1, mTLS is not offered): `Fapi2Builder` has no `client_secret(..)` and no
//! `auth_method(..)`.
use typed_oidc::client_auth::AuthMethod;
use typed_oidc::jose::SigningKey;
use typed_oidc::{ClientId, ClientSecret, DpopKey, Fapi2};

fn with_secret(key: SigningKey, dpop: DpopKey) {
    let _builder =
        Fapi2::builder(ClientId::new("rp"), key, dpop).client_secret(ClientSecret::new("s"));
}

fn with_method(key: SigningKey, dpop: DpopKey) {
    let _builder =
        Fapi2::builder(ClientId::new("rp"), key, dpop).auth_method(AuthMethod::ClientSecretPost);
}

fn main() {}
