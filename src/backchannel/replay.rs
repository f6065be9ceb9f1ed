//! Refusing replayed Logout Tokens (Back-Channel Logout 1.0 §2.6 step 10: "verify that
//! another Logout Token with the same `jti` value has not been recently received").

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;

use super::sessions::StoreError;

/// Remembers the `jti` of every accepted Logout Token until it expires, so that the same
/// token is accepted once only.
///
/// Keys are scoped by issuer (a `jti` is unique per issuer only). An implementation shared by
/// several application replicas (a database, Redis) makes replays refused across them.
pub trait ReplayCache: Send + Sync {
    /// Records `(issuer, jti)` as seen until `expires_at` (seconds since the epoch; the
    /// token's `exp` plus the leeway). Returns `true` when it was not recorded yet (or its
    /// record had expired at `now`) and `false` for a replay. The check and the record must be
    /// one atomic step, so that two concurrent deliveries of one token cannot both pass.
    fn insert_if_absent(
        &self,
        issuer: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Forgets `(issuer, jti)` again: called when the logout it admitted failed, so that the
    /// provider's retry of the same token is not refused as a replay.
    fn remove(
        &self,
        issuer: &str,
        jti: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl<T: ReplayCache + ?Sized> ReplayCache for std::sync::Arc<T> {
    fn insert_if_absent(
        &self,
        issuer: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).insert_if_absent(issuer, jti, expires_at, now)
    }
    fn remove(
        &self,
        issuer: &str,
        jti: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).remove(issuer, jti)
    }
}

/// A bounded in-memory [`ReplayCache`] for one process.
///
/// Holds at most `capacity` entries. Expired entries are dropped on every insert; when the
/// cache is still full, the oldest entry is evicted — which reopens the replay window for that
/// one `jti`, so choose a capacity above the number of logout tokens the provider can send
/// within a token lifetime (`exp - iat` plus the leeway; oidc-provider uses 120 s). Only
/// tokens whose signature and claims verified reach the cache, so an attacker cannot fill it.
#[derive(Debug)]
pub struct MemoryReplayCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// key -> (expires_at, insertion sequence number)
    by_key: HashMap<String, (i64, u64)>,
    /// (expires_at, seq) -> key: the next entry to expire first.
    by_expiry: BTreeMap<(i64, u64), String>,
    /// seq -> key: the oldest entry first.
    by_age: BTreeMap<u64, String>,
    next_seq: u64,
}

impl Entries {
    fn remove_key(&mut self, key: &str) {
        if let Some((expires_at, seq)) = self.by_key.remove(key) {
            self.by_expiry.remove(&(expires_at, seq));
            self.by_age.remove(&seq);
        }
    }

    fn prune_expired(&mut self, now: i64) {
        while let Some(entry) = self.by_expiry.first_entry() {
            let (expires_at, seq) = *entry.key();
            if expires_at >= now {
                break;
            }
            let key = entry.remove();
            self.by_key.remove(&key);
            self.by_age.remove(&seq);
        }
    }

    fn evict_oldest(&mut self) {
        if let Some((_, key)) = self.by_age.pop_first() {
            self.remove_key(&key);
        }
    }
}

impl MemoryReplayCache {
    /// Default capacity: 100,000 entries (some 10 MB at most with short `jti`s).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A cache holding at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries are held now (expired ones included until the next insert).
    pub fn len(&self) -> usize {
        self.lock().by_key.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The synchronous form of [`ReplayCache::insert_if_absent`].
    pub fn insert_if_absent_now(&self, issuer: &str, jti: &str, expires_at: i64, now: i64) -> bool {
        let key = cache_key(issuer, jti);
        let mut entries = self.lock();
        entries.prune_expired(now);
        if entries.by_key.contains_key(&key) {
            return false;
        }
        while entries.by_key.len() >= self.capacity {
            entries.evict_oldest();
        }
        let seq = entries.next_seq;
        entries.next_seq = seq.wrapping_add(1);
        entries.by_expiry.insert((expires_at, seq), key.clone());
        entries.by_age.insert(seq, key.clone());
        entries.by_key.insert(key, (expires_at, seq));
        true
    }

    /// The synchronous form of [`ReplayCache::remove`].
    pub fn remove_now(&self, issuer: &str, jti: &str) {
        self.lock().remove_key(&cache_key(issuer, jti));
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

/// Issuer and `jti` joined by a NUL, which neither an issuer URL nor a JSON string value
/// from the provider can make ambiguous (an issuer URL has no NUL).
fn cache_key(issuer: &str, jti: &str) -> String {
    let mut key = String::with_capacity(issuer.len() + 1 + jti.len());
    key.push_str(issuer);
    key.push('\0');
    key.push_str(jti);
    key
}

impl ReplayCache for MemoryReplayCache {
    fn insert_if_absent(
        &self,
        issuer: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        std::future::ready(Ok(self.insert_if_absent_now(issuer, jti, expires_at, now)))
    }

    fn remove(
        &self,
        issuer: &str,
        jti: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.remove_now(issuer, jti);
        std::future::ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_replay_until_expiry() {
        let cache = MemoryReplayCache::new(10);
        assert!(cache.insert_if_absent_now("i", "a", 100, 0));
        assert!(!cache.insert_if_absent_now("i", "a", 100, 50));
        assert!(!cache.insert_if_absent_now("i", "a", 100, 100));
        // Another issuer's jti is another key.
        assert!(cache.insert_if_absent_now("j", "a", 100, 50));
        // Expired: accepted again.
        assert!(cache.insert_if_absent_now("i", "a", 200, 101));
    }

    #[test]
    fn full_cache_evicts_expired_first_then_oldest() {
        let cache = MemoryReplayCache::new(3);
        assert!(cache.insert_if_absent_now("i", "old-long", 1_000, 0));
        assert!(cache.insert_if_absent_now("i", "short", 10, 1));
        assert!(cache.insert_if_absent_now("i", "mid", 500, 2));
        // At 20 "short" has expired: it goes, the others stay.
        assert!(cache.insert_if_absent_now("i", "new", 900, 20));
        assert_eq!(cache.len(), 3);
        assert!(!cache.insert_if_absent_now("i", "old-long", 1_000, 21));
        assert!(!cache.insert_if_absent_now("i", "mid", 500, 21));
        // Nothing expired now: the oldest ("old-long") is evicted.
        assert!(cache.insert_if_absent_now("i", "newer", 900, 22));
        assert_eq!(cache.len(), 3);
        assert!(!cache.insert_if_absent_now("i", "mid", 500, 23));
        assert!(cache.insert_if_absent_now("i", "old-long", 1_000, 23));
    }

    #[test]
    fn remove_forgets() {
        let cache = MemoryReplayCache::new(2);
        assert!(cache.insert_if_absent_now("i", "a", 100, 0));
        cache.remove_now("i", "a");
        assert!(cache.is_empty());
        assert!(cache.insert_if_absent_now("i", "a", 100, 0));
    }
}
