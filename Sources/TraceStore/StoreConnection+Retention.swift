import TraceModel

extension StoreConnection {
    /// Sessions considered per retention transaction.
    static let retentionSessionsPerStep = 64
    /// `store_state` entry: uploads stored before this instant (µs) were made candidates once.
    static let uploadsCheckedBefore = "uploads_checked_before"

    /// One bounded transaction of a retention run (about `budget` events, blobs or references),
    /// advancing `progress`. Blobs are deleted only after a full walk of `blob_ref_sets` shows nothing
    /// references them, and the transaction that deletes them first looks at the references
    /// appended since, so a blob named by an event stored meanwhile stays. That look relies on new
    /// references getting ids above every earlier one: nothing deletes references after the
    /// sessions phase, provided one retention run at a time works on a database file.
    func retentionStep(cutoff: Timestamp, budget: Int, progress: inout RetentionProgress) throws -> RetentionResult {
        var result = RetentionResult()
        let budget = max(1, budget)
        do {
            try database.transaction {
                switch progress.phase {
                case .sessions:
                    if try deleteExpiredSessions(before: cutoff, budget: budget, into: &result) {
                        progress.phase = .uploads(afterStoredAt: .min, afterDigest: [])
                    }
                case .uploads(let storedAt, let digest):
                    let until = min(cutoff, progress.startedAt).microseconds
                    progress.phase = try queueOldUploads(before: until, after: (storedAt, digest), budget: budget)
                case .scan(let reference):
                    progress.phase = try dropReferencedCandidates(after: reference, budget: budget)
                case .delete(let reference):
                    progress.phase = try deleteCandidates(after: reference, budget: budget, into: &result)
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
            spent += try deleteSessionRow(session.key, into: &result) + session.conflicts
            if spent >= budget { return false }
        }
        return false
    }

    /// Deletes what is left of a session whose chunks are gone; the blobs it named become
    /// candidates. Returns the number of references it had.
    private func deleteSessionRow(_ key: Int64, into result: inout RetentionResult) throws -> Int {
        // Index rows pointing at a chunk that was missing (a damaged file) go too.
        try statement("DELETE FROM events WHERE session = ?").run(.integer(key))
        result.events += database.changes
        try statement("DELETE FROM conflicts WHERE session = ?").run(.integer(key))
        try statement("DELETE FROM chain_breaks WHERE session = ?").run(.integer(key))
        let rows = try statement("SELECT id, digests FROM blob_ref_sets WHERE session = ?")
            .use { s throws(SQLiteError) -> [(id: Int64, digests: [UInt8])] in
                try s.bind(1, key)
                var out: [(id: Int64, digests: [UInt8])] = []
                while try s.step() { out.append((s.int64(0), s.blob(1) ?? [])) }
                return out
            }
        let candidate = try statement("INSERT OR IGNORE INTO retention_candidates (digest) VALUES (?)")
        var references = 0
        for row in rows {
            for digest in try Self.referencedDigests(row.digests, row: row.id) { try candidate.run(.blob(digest)) }
            references += row.digests.count / 32
        }
        try statement("DELETE FROM blob_ref_sets WHERE session = ?").run(.integer(key))
        try statement("DELETE FROM sessions WHERE id = ?").run(.integer(key))
        result.sessions += 1
        return 1 + references
    }

    /// Makes candidates of uploads stored before `until` that no earlier run checked: an upload
    /// whose events never came is referenced by nothing. Then records that they were checked.
    private func queueOldUploads(before until: Int64, after position: (storedAt: Int64, digest: [UInt8]),
                                 budget: Int) throws(SQLiteError) -> RetentionProgress.Phase {
        let from = try state(Self.uploadsCheckedBefore) ?? 0
        let select = try statement("""
            SELECT stored_at, digest FROM blobs WHERE stored_at >= ? AND stored_at < ? AND (stored_at, digest) > (?, ?)
            ORDER BY stored_at, digest LIMIT ?
            """)
        let rows = try select.use { s throws(SQLiteError) -> [(storedAt: Int64, digest: [UInt8])] in
            try s.bind(1, from)
            try s.bind(2, until)
            try s.bind(3, position.storedAt)
            try s.bind(4, position.digest)
            try s.bind(5, budget)
            var out: [(storedAt: Int64, digest: [UInt8])] = []
            while try s.step() { out.append((s.int64(0), s.blob(1) ?? [])) }
            return out
        }
        let insert = try statement("INSERT OR IGNORE INTO retention_candidates (digest) VALUES (?)")
        for row in rows { try insert.run(.blob(row.digest)) }
        if rows.count == budget, let last = rows.last {
            return .uploads(afterStoredAt: last.storedAt, afterDigest: last.digest)
        }
        if until > from { try setState(Self.uploadsCheckedBefore, until) }
        let any = try statement("SELECT 1 FROM retention_candidates LIMIT 1").use { s throws(SQLiteError) in try s.step() }
        return any ? .scan(afterReference: 0) : .finished
    }

    /// Walks about `budget` references after `reference` (whole rows), dropping the candidates they name.
    private func dropReferencedCandidates(after reference: Int64, budget: Int) throws -> RetentionProgress.Phase {
        let walked = try dropCandidates(referencedAfter: reference, limit: budget)
        return walked.atEnd ? .delete(afterReference: walked.id) : .scan(afterReference: walked.id)
    }

    /// Deletes up to `budget` candidates, after dropping those named by references appended since
    /// the walk (in this same transaction, so none can be appended in between).
    private func deleteCandidates(after reference: Int64, budget: Int,
                                  into result: inout RetentionResult) throws -> RetentionProgress.Phase {
        let seen = try dropCandidates(referencedAfter: reference, limit: nil).id
        let digests = try statement("SELECT digest FROM retention_candidates LIMIT ?").use { s throws(SQLiteError) -> [[UInt8]] in
            try s.bind(1, budget)
            var out: [[UInt8]] = []
            while try s.step() { out.append(s.blob(0) ?? []) }
            return out
        }
        let forget = try statement("DELETE FROM retention_candidates WHERE digest = ?")
        for digest in digests {
            if try deleteBlob(digest) { result.blobs += 1 }
            try forget.run(.blob(digest))
        }
        return digests.count < budget ? .finished : .delete(afterReference: seen)
    }

    /// Drops candidates named by the `blob_ref_sets` rows with ids after `reference`: all of them,
    /// or whole rows until at least `limit` references were read. Returns the last id read (or
    /// `reference`) and whether the walk reached the end of the table.
    private func dropCandidates(referencedAfter reference: Int64, limit: Int?) throws -> (id: Int64, atEnd: Bool) {
        let select = try statement("SELECT id, digests FROM blob_ref_sets WHERE id > ? ORDER BY id")
        let (rows, atEnd) = try select.use { s throws(SQLiteError) -> ([(id: Int64, digests: [UInt8])], Bool) in
            try s.bind(1, reference)
            var out: [(id: Int64, digests: [UInt8])] = []
            var read = 0
            while try s.step() {
                out.append((s.int64(0), s.blob(1) ?? []))
                read += out[out.count - 1].digests.count / 32
                if let limit, read >= limit { return (out, false) }
            }
            return (out, true)
        }
        let forget = try statement("DELETE FROM retention_candidates WHERE digest = ?")
        for row in rows {
            for digest in try Self.referencedDigests(row.digests, row: row.id) { try forget.run(.blob(digest)) }
        }
        return (rows.last?.id ?? reference, atEnd)
    }

    // MARK: store_state

    func state(_ name: String) throws(SQLiteError) -> Int64? {
        try statement("SELECT value FROM store_state WHERE name = ?").use { s throws(SQLiteError) -> Int64? in
            try s.bind(1, name)
            return try s.step() ? s.int64(0) : nil
        }
    }

    func setState(_ name: String, _ value: Int64) throws(SQLiteError) {
        try statement("INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .run(.text(name), .integer(value))
    }
}
