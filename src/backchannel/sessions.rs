//! Ending the relying party's own sessions when a Logout Token arrives (Back-Channel Logout
//! 1.0 §2.7).

use std::future::Future;
use std::sync::Mutex;

use super::LogoutTokenClaims;
use crate::id_token::IdTokenClaims;

/// A failure of a [`SessionStore`] or [`ReplayCache`](super::ReplayCache) (its database is
/// down, …). Its text goes to the application's logs through
/// [`BackChannelError`](super::BackChannelError), never into the logout response.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps the store's own error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
    /// The store's own error.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

/// Where the relying party keeps its login sessions, so that a Logout Token can end them
/// (Back-Channel Logout 1.0 §2.7).
///
/// §2.4/§2.7: a token with a `sid` ends the session(s) the provider session `sid` created at
/// this RP (of the end-user `sub` too, when both are present); a token with only `sub` ends
/// **every** session of that end-user from that issuer. Ending sessions that are already gone
/// is a success (the logout's goal holds); a session store that cannot be reached is an error.
pub trait SessionStore: Send + Sync {
    /// Ends the sessions `logout` names and returns how many were ended (`0` is fine).
    fn end_sessions(
        &self,
        logout: &LogoutTokenClaims,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
}

impl<T: SessionStore + ?Sized> SessionStore for std::sync::Arc<T> {
    fn end_sessions(
        &self,
        logout: &LogoutTokenClaims,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send {
        (**self).end_sessions(logout)
    }
}

/// One login session of the relying party, as an application records it after validating the
/// ID token: its own session id and the provider's `iss`, `sub` and `sid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpSession {
    /// The application's own session identifier (e.g. its cookie's key).
    pub id: String,
    /// `iss` of the ID token.
    pub iss: String,
    /// `sub` of the ID token.
    pub sub: String,
    /// `sid` of the ID token, when the provider sent one.
    pub sid: Option<String>,
}

impl RpSession {
    /// The session `id` for the end-user of validated ID-token `claims`.
    pub fn from_id_token(id: impl Into<String>, claims: &IdTokenClaims) -> Self {
        Self {
            id: id.into(),
            iss: claims.iss.clone(),
            sub: claims.sub.clone(),
            sid: claims.sid.clone(),
        }
    }

    /// Whether a Logout Token with these claims ends this session (§2.7).
    pub fn is_ended_by(&self, logout: &LogoutTokenClaims) -> bool {
        self.iss == logout.iss
            && logout.sub.as_ref().is_none_or(|sub| *sub == self.sub)
            && logout
                .sid
                .as_ref()
                .is_none_or(|sid| self.sid.as_ref() == Some(sid))
    }
}

/// An in-memory [`SessionStore`] for one process (tests, small apps).
#[derive(Debug, Default)]
pub struct MemorySessionStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    active: Vec<RpSession>,
    ended: Vec<RpSession>,
}

impl MemorySessionStore {
    /// How many ended sessions [`ended`](Self::ended) remembers.
    pub const ENDED_HISTORY: usize = 1024;

    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a new session (replacing one with the same `id`).
    pub fn insert(&self, session: RpSession) {
        let mut state = self.lock();
        state.active.retain(|s| s.id != session.id);
        state.active.push(session);
    }

    /// Whether the session `id` is still active.
    pub fn is_active(&self, id: &str) -> bool {
        self.lock().active.iter().any(|s| s.id == id)
    }

    /// The active sessions.
    pub fn active(&self) -> Vec<RpSession> {
        self.lock().active.clone()
    }

    /// The sessions Logout Tokens ended, in order (the last [`Self::ENDED_HISTORY`]).
    pub fn ended(&self) -> Vec<RpSession> {
        self.lock().ended.clone()
    }

    /// Ends the sessions `logout` names now; the synchronous form of
    /// [`SessionStore::end_sessions`].
    pub fn end_now(&self, logout: &LogoutTokenClaims) -> usize {
        let mut state = self.lock();
        let (ended, active): (Vec<_>, Vec<_>) = std::mem::take(&mut state.active)
            .into_iter()
            .partition(|s| s.is_ended_by(logout));
        state.active = active;
        let count = ended.len();
        state.ended.extend(ended);
        let excess = state.ended.len().saturating_sub(Self::ENDED_HISTORY);
        state.ended.drain(..excess);
        count
    }
}

impl SessionStore for MemorySessionStore {
    fn end_sessions(
        &self,
        logout: &LogoutTokenClaims,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send {
        std::future::ready(Ok(self.end_now(logout)))
    }
}
