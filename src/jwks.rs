//! The provider's JWK Set as a managed cache (RFC 7517 §5, OpenID Connect Core §10.1.1).
//!
//! Keys are fetched on first use and parsed once into the crypto provider's key
//! objects. When a token names a key the cache does not hold, the set is fetched
//! again — once, shared by every concurrent caller, and at most once per cooldown —
//! so key rotation works and a flood of unknown `kid`s cannot hammer the provider.
//!
//! The cooldown runs from the last refetch *triggered by an unknown key* (successful or
//! not), not from the initial or periodic fetch: a provider that rotates its keys shortly
//! after this cache fetched them must not see its new tokens refused for a whole cooldown.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::{Error, ResponseError};
use crate::http::HttpClient;
use crate::jose::JwkSet;
use crate::response::{is_json, media_type, require_success};
use crate::types::EndpointUrl;

#[derive(Clone)]
struct Snapshot {
    keys: Arc<JwkSet>,
    fetched_at: Option<Instant>,
    generation: u64,
}

/// When fetches were attempted, for the cooldowns.
#[derive(Default)]
struct FetchLog {
    /// The last refetch triggered by an unknown key (successful or not).
    unknown_key: Option<Instant>,
    /// The last periodic refresh that failed while older keys were still served.
    failed_refresh: Option<Instant>,
}

/// A cached JWK Set with refetch-on-unknown-key and a cooldown.
pub struct JwksCache {
    uri: Option<EndpointUrl>,
    state: RwLock<Snapshot>,
    /// Serializes fetches and remembers when they were attempted.
    refresh: tokio::sync::Mutex<FetchLog>,
    cooldown: Duration,
    max_age: Duration,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let snap = self.snapshot();
        f.debug_struct("JwksCache")
            .field("uri", &self.uri)
            .field("keys", &snap.keys.keys().len())
            .field("generation", &snap.generation)
            .field("cooldown", &self.cooldown)
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// The keys the cache held when a caller looked, with the generation to pass to
/// [`JwksCache::refresh_unknown_key`].
#[derive(Clone, Debug)]
pub struct KeysView {
    /// The keys.
    pub keys: Arc<JwkSet>,
    /// Incremented on every successful fetch.
    pub generation: u64,
}

impl JwksCache {
    /// Default minimum time between two fetches triggered by unknown keys: 30 s.
    pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
    /// Default age after which the set is fetched again on next use: 10 minutes.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(600);

    /// A cache for the set at `uri` (none: only HMAC-signed tokens can be verified).
    pub fn new(uri: Option<EndpointUrl>) -> Self {
        Self {
            uri,
            state: RwLock::new(Snapshot {
                keys: Arc::new(JwkSet::default()),
                fetched_at: None,
                generation: 0,
            }),
            refresh: tokio::sync::Mutex::new(FetchLog::default()),
            cooldown: Self::DEFAULT_COOLDOWN,
            max_age: Self::DEFAULT_MAX_AGE,
        }
    }

    /// A cache holding fixed keys that are never fetched.
    pub fn fixed(keys: JwkSet) -> Self {
        let cache = Self::new(None);
        cache.store(keys);
        cache
    }

    /// Sets the minimum time between refetches triggered by unknown keys.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Sets how long a fetched set is used before it is fetched again.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    fn snapshot(&self) -> Snapshot {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn store(&self, keys: JwkSet) -> Snapshot {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.keys = Arc::new(keys);
        state.fetched_at = Some(Instant::now());
        state.generation += 1;
        state.clone()
    }

    /// How many times the set has been fetched (or stored).
    pub fn generation(&self) -> u64 {
        self.snapshot().generation
    }

    /// The current keys, fetching them first if they were never fetched or are older
    /// than the max age. A failed periodic refresh keeps serving the old keys.
    pub async fn keys<H: HttpClient>(&self, http: &H) -> Result<KeysView, Error> {
        let snap = self.snapshot();
        let fresh = snap.fetched_at.is_some_and(|t| t.elapsed() < self.max_age);
        if fresh || self.uri.is_none() {
            return Ok(KeysView {
                keys: snap.keys,
                generation: snap.generation,
            });
        }
        let mut log = self.refresh.lock().await;
        let current = self.snapshot();
        // Another caller refreshed meanwhile, or a refresh failed less than a cooldown
        // ago while old keys are at hand: serve what we have without fetching.
        let recently_failed = current.fetched_at.is_some()
            && log
                .failed_refresh
                .is_some_and(|t| t.elapsed() < self.cooldown);
        if current.generation != snap.generation || recently_failed {
            return Ok(KeysView {
                keys: current.keys,
                generation: current.generation,
            });
        }
        match self.fetch(http).await {
            Ok(keys) => {
                let s = self.store(keys);
                Ok(KeysView {
                    keys: s.keys,
                    generation: s.generation,
                })
            }
            Err(e) if current.fetched_at.is_none() => Err(e),
            Err(_) => {
                log.failed_refresh = Some(Instant::now());
                Ok(KeysView {
                    keys: current.keys,
                    generation: current.generation,
                })
            }
        }
    }

    /// Called when a token names a key that `seen` did not hold: fetches the set
    /// again unless another caller already did since `seen` (then its result is
    /// shared) or the last refetch triggered by an unknown key, successful or not, is
    /// younger than the cooldown. Returns the new keys, or `None` when nothing new can
    /// be had now.
    pub async fn refresh_unknown_key<H: HttpClient>(
        &self,
        http: &H,
        seen: &KeysView,
    ) -> Result<Option<KeysView>, Error> {
        if self.uri.is_none() {
            return Ok(None);
        }
        let mut log = self.refresh.lock().await;
        let current = self.snapshot();
        if current.generation != seen.generation {
            return Ok(Some(KeysView {
                keys: current.keys,
                generation: current.generation,
            }));
        }
        if log.unknown_key.is_some_and(|t| t.elapsed() < self.cooldown) {
            return Ok(None);
        }
        // Recorded before fetching, so a failing endpoint is not retried within the cooldown.
        log.unknown_key = Some(Instant::now());
        let keys = self.fetch(http).await?;
        let s = self.store(keys);
        Ok(Some(KeysView {
            keys: s.keys,
            generation: s.generation,
        }))
    }

    async fn fetch<H: HttpClient>(&self, http: &H) -> Result<JwkSet, Error> {
        let Some(uri) = &self.uri else {
            return Ok(JwkSet::default());
        };
        let response = http.execute(crate::request::get(uri.as_str())).await?;
        require_success("jwks", &response)?;
        if !is_json(&response) {
            return Err(ResponseError::ContentType {
                endpoint: "jwks",
                content_type: media_type(&response).unwrap_or_default(),
                expected: "application/json or application/jwk-set+json",
            }
            .into());
        }
        Ok(JwkSet::parse(response.body())?)
    }
}
