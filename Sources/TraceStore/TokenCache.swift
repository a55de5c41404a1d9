/// Recently authenticated tokens, keyed by the SHA-256 of the secret, so the hot path of every
/// request does not query SQLite. Entries expire after `lifetime`, which bounds how long a token
/// revoked by another process (the CLI) keeps working here; revoking through the same store
/// removes the entry at once.
struct TokenCache {
    struct Entry {
        var identity: TokenIdentity
        /// The hash as stored, compared in constant time on every use.
        var storedHash: [UInt8]
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    let capacity: Int
    private var entries: [[UInt8]: Entry] = [:]
    /// Bumped by every revocation: a lookup that started before one must not fill the cache.
    private(set) var generation: UInt64 = 0

    init(lifetime: Duration, capacity: Int = 4096) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    mutating func lookup(_ hash: [UInt8], now: ContinuousClock.Instant) -> Entry? {
        guard let entry = entries[hash] else { return nil }
        if entry.expires <= now {
            entries[hash] = nil
            return nil
        }
        return entry
    }

    /// Caches `identity` unless a revocation happened since `generation` was read.
    mutating func insert(_ identity: TokenIdentity, storedHash: [UInt8], for hash: [UInt8], generation: UInt64,
                         now: ContinuousClock.Instant) {
        guard generation == self.generation, lifetime > .zero else { return }
        // Only valid tokens get here, so the cache is small; a full one simply starts over.
        if entries.count >= capacity { entries.removeAll() }
        entries[hash] = Entry(identity: identity, storedHash: storedHash, expires: now + lifetime)
    }

    mutating func revoke(id: Int64) {
        generation &+= 1
        entries = entries.filter { $0.value.identity.id != id }
    }

    var count: Int { entries.count }
}
