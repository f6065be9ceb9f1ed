// CAS yields a user name and attributes for a service ticket, not OAuth tokens: neither the
// generic CAS client nor the GenAuth CAS preset has a token exchange, refresh or grant, and a
// CAS service ticket is not an authorization code.
use typed_oidc::genauth::GenAuth;
use typed_oidc::http::HyperClient;
use typed_oidc::{CasClient, CasTicket, CodeReceived};

fn main() {
    let cas = CasClient::new("https://cas.example/cas", HyperClient::new().unwrap()).unwrap();
    let _ = cas.client_credentials();
    let _ = cas.refresh();

    let app = GenAuth::new("https://example.genauth.ai", "app-id").unwrap();
    let preset = app.cas(HyperClient::new().unwrap()).unwrap();
    let _ = preset.exchange();

    let ticket = CasTicket::new("ST-1-abc");
    let _received: CodeReceived = ticket;
}
