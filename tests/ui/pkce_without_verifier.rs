// A PKCE flow's verifier lives inside the flow values; there is no way to make a
// PKCE `CodeReceived` (or `Pending`) that lacks it.
use typed_oidc::flow::{CodeReceived, NoPkce, Pending, Pkce};
use typed_oidc::{AuthorizationCode, Online};

fn from_a_flow_without_pkce(pending: Pending<Online, NoPkce>) -> Pending<Online, Pkce> {
    pending
}

fn from_a_bare_code(code: AuthorizationCode) -> CodeReceived<Online, Pkce> {
    CodeReceived { code }
}

fn a_verifier_out_of_thin_air() -> Pkce {
    Pkce::default()
}

fn main() {}
