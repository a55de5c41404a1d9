import TraceModel

extension StoreConnection {
    /// Compares the `prev` of each of `fresh` (new seqs of one session, sorted, with their
    /// `digests`) with the digest of the event before it, and the `prev` of an already stored
    /// successor with the digest of the event that just filled the seq before it. In-order appends
    /// read nothing: the batch and `state.lastDigest` hold every digest needed.
    func checkChain(_ fresh: [EncodedEvent], digests: [Digest], state: SessionState, receivedAt: Timestamp,
                    into result: inout AppendResult) throws {
        let id = fresh[0].session
        for i in fresh.indices {
            let seq = fresh[i].seq
            if seq > 0, let expected = try digest(before: i, in: fresh, digests: digests, state: state) {
                if fresh[i].event.prev != expected {
                    try recordChainBreak(id, key: state.key, seq: seq, expected: expected, actual: fresh[i].event.prev,
                                         receivedAt: receivedAt, into: &result)
                }
            }
            // A late fill: the successor was stored by an earlier batch.
            let next = seq + 1
            guard Int64(next) <= state.lastSeq, i + 1 == fresh.count || fresh[i + 1].seq != next,
                  let stored = try storedBytes(session: id, key: state.key, seq: next),
                  // Stored bytes that no longer decode are reported by verification, not here.
                  let successor = try? Event.decode(stored[...]) else { continue }
            let actual = successor.prev
            if actual != digests[i] {
                try recordChainBreak(id, key: state.key, seq: next, expected: digests[i], actual: actual,
                                     receivedAt: receivedAt, into: &result)
            }
        }
    }

    /// The digest of the event at `fresh[i].seq - 1`, from the batch, the session row or the store;
    /// nil when that event is not stored.
    private func digest(before i: Int, in fresh: [EncodedEvent], digests: [Digest], state: SessionState) throws -> Digest? {
        let previous = fresh[i].seq - 1
        if i > 0, fresh[i - 1].seq == previous { return digests[i - 1] }
        guard Int64(previous) <= state.lastSeq else { return nil }
        if Int64(previous) == state.lastSeq, let known = state.lastDigest.flatMap(Digest.init(bytes:)) { return known }
        return try storedBytes(session: fresh[i].session, key: state.key, seq: previous).map { Digest.sha256($0) }
    }

    private func recordChainBreak(_ id: SessionID, key: Int64, seq: UInt64, expected: Digest, actual: Digest?,
                                  receivedAt: Timestamp, into result: inout AppendResult) throws(SQLiteError) {
        try statement("""
            INSERT OR IGNORE INTO chain_breaks (session, seq, expected, actual, detected_at) VALUES (?, ?, ?, ?, ?)
            """).run(.integer(key), .integer(Int64(seq)), .blob(expected.bytes), actual.map { .blob($0.bytes) } ?? .null,
                     .integer(receivedAt.microseconds))
        guard database.changes > 0 else { return }
        try statement("UPDATE sessions SET chain_break_count = chain_break_count + 1 WHERE id = ?").run(.integer(key))
        result.chainBreaks.append(AppendConflict(session: id, seq: seq))
    }
}
