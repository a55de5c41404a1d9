import TraceModel

extension StoreConnection {
    /// Sessions considered per retention transaction.
    static let retentionSessionsPerStep = 64

    /// One bounded transaction of a retention run: deletes about `budget` events' worth of expired
    /// sessions (a larger session is deleted chunk by chunk over several steps), or examines up to
    /// `budget` old blobs for ones nothing references. Advances `progress`.
    func retentionStep(cutoff: Timestamp, budget: Int, progress: inout RetentionProgress) throws -> RetentionResult {
        var result = RetentionResult()
        let budget = max(1, budget)
        do {
            try database.transaction {
                switch progress.phase {
                case .sessions:
                    if try deleteExpiredSessions(before: cutoff, budget: budget, into: &result) {
                        progress.phase = .orphanBlobs(afterStoredAt: .min, afterDigest: [])
                    }
                case .orphanBlobs(let storedAt, let digest):
                    progress.phase = try deleteOrphanBlobs(before: cutoff, after: (storedAt, digest), budget: budget,
                                                           into: &result)
                case .finished:
                    break
                }
            }
        } catch {
            discardCaches()
            throw error
        }
        // Deleting the newest chunk lets SQLite hand its id out again: cached bodies must go.
        if result.events > 0 { chunkCache.removeAll() }
        return result
    }

    /// Returns true when no expired session is left.
    private func deleteExpiredSessions(before cutoff: Timestamp, budget: Int, into result: inout RetentionResult) throws -> Bool {
        let select = try statement("""
            SELECT id, conflict_count FROM sessions WHERE started_at < ? ORDER BY started_at, ulid LIMIT \(Self.retentionSessionsPerStep)
            """)
        let expired = try select.use { s throws(SQLiteError) -> [(key: Int64, conflicts: Int)] in
            try s.bind(1, cutoff.microseconds)
            var out: [(key: Int64, conflicts: Int)] = []
            while try s.step() { out.append((s.int64(0), Int(s.int64(1)))) }
            return out
        }
        if expired.isEmpty { return true }
        var spent = 0
        for session in expired {
            let chunks = try statement("SELECT id, first_seq, last_seq, count FROM chunks WHERE session = ? ORDER BY id")
                .use { s throws(SQLiteError) -> [(id: Int64, first: Int64, last: Int64, count: Int)] in
                    try s.bind(1, session.key)
                    var out: [(id: Int64, first: Int64, last: Int64, count: Int)] = []
                    while try s.step() { out.append((s.int64(0), s.int64(1), s.int64(2), Int(s.int64(3)))) }
                    return out
                }
            for chunk in chunks {
                if spent > 0, spent + chunk.count > budget { return false }
                // A chunk's events lie in its seq range (events of other chunks may interleave).
                try statement("DELETE FROM events WHERE session = ? AND seq BETWEEN ? AND ? AND chunk = ?")
                    .run(.integer(session.key), .integer(chunk.first), .integer(chunk.last), .integer(chunk.id))
                result.events += database.changes
                try statement("DELETE FROM chunks WHERE id = ?").run(.integer(chunk.id))
                spent += chunk.count
            }
            try deleteSessionRow(session.key, into: &result)
            spent += 1 + session.conflicts
            if spent >= budget { return false }
        }
        return false
    }

    /// Deletes what is left of a session whose chunks are gone, and the blobs only it referenced.
    private func deleteSessionRow(_ key: Int64, into result: inout RetentionResult) throws(SQLiteError) {
        // Index rows pointing at a chunk that was missing (a damaged file) go too.
        try statement("DELETE FROM events WHERE session = ?").run(.integer(key))
        result.events += database.changes
        try statement("DELETE FROM conflicts WHERE session = ?").run(.integer(key))
        let digests = try statement("SELECT digest FROM blob_refs WHERE session = ?").use { s throws(SQLiteError) -> [[UInt8]] in
            try s.bind(1, key)
            var out: [[UInt8]] = []
            while try s.step() { out.append(s.blob(0) ?? []) }
            return out
        }
        try statement("DELETE FROM blob_refs WHERE session = ?").run(.integer(key))
        for digest in digests where try !isBlobReferenced(digest) {
            if try deleteBlob(digest) { result.blobs += 1 }
        }
        try statement("DELETE FROM sessions WHERE id = ?").run(.integer(key))
        result.sessions += 1
    }

    /// Deletes blobs stored before the cutoff that no session references (uploads whose events
    /// never came). Examines at most `budget` blobs after `position`; returns the next phase.
    private func deleteOrphanBlobs(before cutoff: Timestamp, after position: (storedAt: Int64, digest: [UInt8]),
                                   budget: Int, into result: inout RetentionResult) throws(SQLiteError) -> RetentionProgress.Phase {
        let select = try statement("""
            SELECT stored_at, digest FROM blobs WHERE stored_at < ? AND (stored_at, digest) > (?, ?)
            ORDER BY stored_at, digest LIMIT ?
            """)
        let rows = try select.use { s throws(SQLiteError) -> [(storedAt: Int64, digest: [UInt8])] in
            try s.bind(1, cutoff.microseconds)
            try s.bind(2, position.storedAt)
            try s.bind(3, position.digest)
            try s.bind(4, budget)
            var out: [(storedAt: Int64, digest: [UInt8])] = []
            while try s.step() { out.append((s.int64(0), s.blob(1) ?? [])) }
            return out
        }
        for row in rows where try !isBlobReferenced(row.digest) {
            if try deleteBlob(row.digest) { result.blobs += 1 }
        }
        guard rows.count == budget, let last = rows.last else { return .finished }
        return .orphanBlobs(afterStoredAt: last.storedAt, afterDigest: last.digest)
    }
}
