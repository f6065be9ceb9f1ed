//! The client side of DPoP nonces (RFC 9449 §8, §9) and the one shared request driver that
//! attaches proofs and retries once on `use_dpop_nonce`.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;

use super::key::{DpopKey, valid_nonce};
use super::{DpopError, MAX_NONCE_ORIGINS};
use crate::error::Error;
use crate::http::HttpClient;
use crate::response::RequestSecrets;

/// The header carrying proofs (RFC 9449 §4.1).
pub(crate) const DPOP: &str = "dpop";
/// The header carrying server nonces (RFC 9449 §8.1).
const DPOP_NONCE: &str = "dpop-nonce";

/// A client's DPoP key and the nonces its servers handed out, by origin.
#[derive(Clone)]
pub(crate) struct DpopState {
    pub(crate) key: DpopKey,
    nonces: Arc<Mutex<Vec<(String, String)>>>,
}

impl std::fmt::Debug for DpopState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopState")
            .field("key", &self.key)
            .field("origins", &self.lock().len())
            .finish()
    }
}

/// `scheme://host:port` of a request URI, the key of the nonce store.
fn origin(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    format!("{scheme}://{host}:{port}")
}

/// The `DPoP-Nonce` of a response: `Ok(None)` when absent, an error when it is repeated or
/// breaks RFC 9449 §8.1.
fn response_nonce(response: &http::Response<Bytes>) -> Result<Option<String>, DpopError> {
    let mut values = response.headers().get_all(DPOP_NONCE).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(DpopError::InvalidNonce);
    }
    let value = value.to_str().map_err(|_| DpopError::InvalidNonce)?;
    if valid_nonce(value) {
        Ok(Some(value.to_owned()))
    } else {
        Err(DpopError::InvalidNonce)
    }
}

/// Whether a response asks for a (new) nonce: HTTP 400 with an RFC 6749 §5.2 error document
/// saying `use_dpop_nonce` (an authorization server, RFC 9449 §8), or HTTP 401 with a `DPoP`
/// challenge saying it (a resource server, §9).
fn asks_for_nonce(response: &http::Response<Bytes>) -> bool {
    match response.status().as_u16() {
        400 => {
            crate::response::provider_error(response).is_some_and(|e| e.error == "use_dpop_nonce")
        }
        401 => crate::challenge::dpop_nonce_challenge(response),
        _ => false,
    }
}

impl DpopState {
    pub(crate) fn new(key: DpopKey) -> Self {
        Self {
            key,
            nonces: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        self.nonces.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The nonce last received from `origin`.
    pub(crate) fn nonce_for(&self, origin: &str) -> Option<String> {
        self.lock()
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, n)| n.clone())
    }

    /// Remembers `nonce` for `origin`, most recent last; forgets the least recently used
    /// origin beyond [`MAX_NONCE_ORIGINS`].
    fn remember(&self, origin: String, nonce: String) {
        let mut nonces = self.lock();
        nonces.retain(|(o, _)| *o != origin);
        nonces.push((origin, nonce));
        if nonces.len() > MAX_NONCE_ORIGINS {
            let excess = nonces.len() - MAX_NONCE_ORIGINS;
            nonces.drain(..excess);
        }
    }

    /// Remembers the `DPoP-Nonce` of a response to a request for `uri`, if it has a valid
    /// one; returns it.
    pub(crate) fn observe(
        &self,
        uri: &http::Uri,
        response: &http::Response<Bytes>,
    ) -> Result<Option<String>, DpopError> {
        let nonce = response_nonce(response)?;
        if let Some(n) = &nonce {
            self.remember(origin(uri), n.clone());
        }
        Ok(nonce)
    }

    /// Adds a proof for `request` (its method and URI, the nonce remembered for its origin,
    /// and `ath` for `access_token`) in the `DPoP` header.
    pub(crate) fn attach(
        &self,
        request: &mut http::Request<Vec<u8>>,
        access_token: Option<&str>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let uri = request.uri().to_string();
        let htu = super::htu(&uri)?;
        let nonce = self.nonce_for(&origin(request.uri()));
        let proof = self.key.sign_claims(
            request.method().as_str(),
            &htu,
            nonce.as_deref(),
            access_token,
            now,
        )?;
        let value = http::HeaderValue::try_from(proof)
            .map_err(|_| DpopError::InvalidUrl("proof is not a header value".into()))?;
        request.headers_mut().insert(DPOP, value);
        Ok(())
    }
}

/// Sends the request `build` makes — with a proof when `dpop` is set — and, when the answer
/// is `use_dpop_nonce` (RFC 9449 §8, §9), remembers the nonce and sends a freshly built
/// request once more. `endpoint` names the endpoint in errors; `access_token` is the token a
/// resource request carries (for `ath`). Returns the last response and the secrets of the
/// last request, for scrubbing provider text.
pub(crate) async fn execute<H: HttpClient>(
    http: &H,
    dpop: Option<&DpopState>,
    endpoint: &'static str,
    access_token: Option<&str>,
    now: impl Fn() -> SystemTime,
    build: impl Fn() -> Result<http::Request<Vec<u8>>, Error>,
) -> Result<(http::Response<Bytes>, RequestSecrets), Error> {
    let send = |request: http::Request<Vec<u8>>| {
        let secrets = RequestSecrets::of(&request);
        let uri = request.uri().clone();
        async move { Ok::<_, Error>((http.execute(request).await?, secrets, uri)) }
    };
    let Some(state) = dpop else {
        let (response, secrets, _) = send(build()?).await?;
        return Ok((response, secrets));
    };
    let mut request = build()?;
    state.attach(&mut request, access_token, now())?;
    let (response, secrets, uri) = send(request).await?;
    let nonce = state.observe(&uri, &response);
    if !asks_for_nonce(&response) {
        // A malformed nonce on any other answer is not worth losing the answer for.
        return Ok((response, secrets));
    }
    if nonce?.is_none() {
        return Err(DpopError::NonceMissing { endpoint }.into());
    }
    let mut retry = build()?;
    state.attach(&mut retry, access_token, now())?;
    let (response, secrets, uri) = send(retry).await?;
    let nonce = state.observe(&uri, &response);
    if asks_for_nonce(&response) && nonce.is_err() {
        return Err(DpopError::InvalidNonce.into());
    }
    Ok((response, secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_bounded_least_recently_used_first() {
        let state = DpopState::new(DpopKey::generate().unwrap());
        for i in 0..(MAX_NONCE_ORIGINS + 20) {
            state.remember(format!("https://h{i}:443"), format!("n{i}"));
        }
        state.remember("https://h20:443".into(), "again".into());
        assert_eq!(state.lock().len(), MAX_NONCE_ORIGINS);
        assert_eq!(state.nonce_for("https://h0:443"), None);
        assert_eq!(state.nonce_for("https://h20:443").as_deref(), Some("again"));
        assert_eq!(
            state
                .nonce_for(&format!("https://h{}:443", MAX_NONCE_ORIGINS + 19))
                .as_deref(),
            Some(&*format!("n{}", MAX_NONCE_ORIGINS + 19))
        );
    }

    #[test]
    fn origin_normalizes_default_ports_and_case() {
        let a: http::Uri = "HTTPS://Op.Example/token?x".parse().unwrap();
        let b: http::Uri = "https://op.example:443/userinfo".parse().unwrap();
        assert_eq!(origin(&a), origin(&b));
        let c: http::Uri = "http://127.0.0.1:8080/x".parse().unwrap();
        assert_eq!(origin(&c), "http://127.0.0.1:8080");
    }

    #[test]
    fn response_nonce_rules() {
        let with = |values: &[&str]| {
            let mut r = http::Response::new(Bytes::new());
            for v in values {
                r.headers_mut()
                    .append(DPOP_NONCE, http::HeaderValue::from_str(v).unwrap());
            }
            response_nonce(&r)
        };
        assert_eq!(with(&[]), Ok(None));
        assert_eq!(with(&["abc.DEF-_~"]), Ok(Some("abc.DEF-_~".into())));
        assert_eq!(with(&["a b"]), Err(DpopError::InvalidNonce));
        assert_eq!(with(&["a", "b"]), Err(DpopError::InvalidNonce));
        assert_eq!(with(&[""]), Err(DpopError::InvalidNonce));
    }
}
