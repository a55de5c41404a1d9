#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

extension StoreConnection {
    /// A session's row as the append of one batch sees and updates it.
    struct SessionState {
        var key: Int64
        var hasStart: Bool
        var running: Bool
        var eventCount: Int64
        var lastSeq: Int64
        var ackedSeq: Int64
        var project: String
        /// SHA-256 of the event at `lastSeq`; nil when not known (none stored, or stored before
        /// the store kept it).
        var lastDigest: [UInt8]?
    }

    /// Stores `batches` in one transaction, one result each (see `Store.appendGroup`).
    func append(_ batches: [AppendBatch]) throws -> [AppendResult] {
        for batch in batches { try Self.validate(batch.events) }
        guard batches.contains(where: { !$0.events.isEmpty }) else { return batches.map { _ in AppendResult() } }
        let receivedAt = Timestamp.now()
        var results: [AppendResult] = []
        results.reserveCapacity(batches.count)
        do {
            try database.transaction {
                try noticeOtherWriters()
                for batch in batches { results.append(try append(batch.events, project: batch.project, receivedAt: receivedAt)) }
            }
        } catch {
            discardCaches()
            throw error
        }
        noteAppended(results.reduce(0) { $0 + $1.accepted })
        return results
    }

    /// Refuses events the store cannot keep faithfully, before anything is written.
    static func validate(_ events: [EncodedEvent]) throws(StoreError) {
        for event in events {
            if event.seq > UInt64(Event.maxSafeInteger) {
                throw StoreError(.invalidArgument, "seq \(event.seq) is above 2^53 - 1", session: event.session, seq: event.seq)
            }
            // Chunks separate events with newlines, which canonical JSON never contains raw.
            if containsNewline(event.bytes) {
                throw StoreError(.invalidArgument, "event bytes contain a raw newline, so they are not canonical JSON",
                                 session: event.session, seq: event.seq)
            }
        }
    }

    /// One batch inside the caller's transaction.
    private func append(_ events: [EncodedEvent], project: String, receivedAt: Timestamp) throws -> AppendResult {
        // Group by session (as batch positions), keeping the order in which sessions first appear.
        var order: [SessionID] = []
        var groups: [SessionID: [Int]] = [:]
        for (index, event) in events.enumerated() {
            if groups[event.session] == nil { order.append(event.session) }
            groups[event.session, default: []].append(index)
        }
        var result = AppendResult()
        for id in order {
            try append(session: id, groups[id]!, of: events, project: project, receivedAt: receivedAt, into: &result)
        }
        if order.count > 1 { result.foreign.sort { $0.index < $1.index } }
        return result
    }

    static func containsNewline(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return false }
            return memchr(base, 0x0A, raw.count) != nil
        }
    }

    private func append(session id: SessionID, _ positions: [Int], of batch: [EncodedEvent], project: String,
                        receivedAt: Timestamp, into result: inout AppendResult) throws {
        var state = try loadSession(id, project: project)
        guard state.project == project else {
            // Not a conflict of this session: the sender may not write to it at all.
            for index in positions {
                result.foreign.append(AppendRejection(index: index, session: id, seq: batch[index].seq,
                                                      reason: "the session belongs to another project"))
            }
            return
        }
        // Recorders send events in seq order; sort only when they are not (stable: first copy wins).
        var events = positions.map { batch[$0] }
        if zip(events, events.dropFirst()).contains(where: { $0.seq > $1.seq }) {
            events = events.enumerated().sorted { ($0.element.seq, $0.offset) < ($1.element.seq, $1.offset) }.map(\.element)
        }
        var fresh: [EncodedEvent] = []
        fresh.reserveCapacity(events.count)
        var references = BlobReferenceSet()
        var previous: (seq: UInt64, bytes: [UInt8])?
        for event in events {
            let bytes = event.bytes
            if let previous, previous.seq == event.seq {
                // The same seq twice in one batch: compare with the version that is (or will be) stored.
                if previous.bytes == bytes { result.duplicates += 1 } else {
                    try recordConflict(event, key: state.key, receivedAt: receivedAt, references: &references, into: &result)
                }
                continue
            }
            // New seqs above the highest stored one need no lookup: the common case.
            if Int64(event.seq) > state.lastSeq {
                fresh.append(event)
                previous = (event.seq, bytes)
                continue
            }
            if let stored = try storedBytes(session: id, key: state.key, seq: event.seq) {
                previous = (event.seq, stored)
                if stored == bytes { result.duplicates += 1 } else {
                    try recordConflict(event, key: state.key, receivedAt: receivedAt, references: &references, into: &result)
                }
            } else {
                fresh.append(event)
                previous = (event.seq, bytes)
            }
        }
        if !fresh.isEmpty {
            let digests = fresh.map { Digest.sha256($0.bytes) }
            try checkChain(fresh, digests: digests, state: state, receivedAt: receivedAt, into: &result)
            if Int64(fresh[fresh.count - 1].seq) > state.lastSeq { state.lastDigest = digests[digests.count - 1].bytes }
            try writeChunks(fresh, digests: digests, state: state)
            for event in fresh where !event.event.blobs.isEmpty { references.add(blobsOf: event.event) }
            try updateMetadata(fresh, state: &state)
            result.accepted += fresh.count
            try advance(&state, adding: fresh.map { Int64($0.seq) })
        }
        try recordBlobReferences(references, session: state.key)
        try statement("""
            UPDATE sessions SET event_count = ?, last_seq = ?, acked_seq = ?, last_digest = ? WHERE id = ?
            """).run(.integer(state.eventCount), .integer(state.lastSeq), .integer(state.ackedSeq),
                     state.lastDigest.map(SQLiteValue.blob) ?? .null, .integer(state.key))
        result.acked[id] = state.ackedSeq
    }

    /// Reads the session's row, creating it in `project` (start time from the id until
    /// `session.start` arrives).
    private func loadSession(_ id: SessionID, project: String) throws(SQLiteError) -> SessionState {
        let select = try statement("""
            SELECT id, has_start, status = 'running', event_count, last_seq, acked_seq, project, last_digest
            FROM sessions WHERE ulid = ?
            """)
        let found = try select.use { s throws(SQLiteError) -> SessionState? in
            try s.bind(1, id.string)
            guard try s.step() else { return nil }
            return SessionState(key: s.int64(0), hasStart: s.int64(1) != 0, running: s.int64(2) != 0,
                                eventCount: s.int64(3), lastSeq: s.int64(4), ackedSeq: s.int64(5), project: s.text(6) ?? "",
                                lastDigest: s.blob(7))
        }
        if let found { return found }
        try statement("INSERT INTO sessions (ulid, started_at, project) VALUES (?, ?, ?)")
            .run(.text(id.string), .integer(Int64(id.milliseconds) * 1000), .text(project))
        return SessionState(key: database.lastInsertRowID, hasStart: false, running: true, eventCount: 0, lastSeq: -1,
                            ackedSeq: -1, project: project, lastDigest: nil)
    }

    /// The stored bytes of `(session, seq)`, or nil when that seq is not stored.
    func storedBytes(session id: SessionID, key: Int64, seq: UInt64) throws -> [UInt8]? {
        let select = try statement("SELECT chunk, idx FROM events WHERE session = ? AND seq = ?")
        let location = try select.use { s throws(SQLiteError) -> (chunk: Int64, index: Int)? in
            try s.bind(1, key)
            try s.bind(2, Int64(seq))
            return try s.step() ? (s.int64(0), Int(s.int64(1))) : nil
        }
        guard let location else { return nil }
        return try eventBytes(chunk: location.chunk, index: location.index, session: id, seq: seq)
    }

    /// Keeps a refused version (once per distinct version) and flags the session. Its blobs count as
    /// referenced (added to `references`), so retention keeps the evidence as long as the session.
    private func recordConflict(_ event: EncodedEvent, key: Int64, receivedAt: Timestamp, references: inout BlobReferenceSet,
                                into result: inout AppendResult) throws(SQLiteError) {
        result.conflicts.append(AppendConflict(session: event.session, seq: event.seq))
        try statement("""
            INSERT OR IGNORE INTO conflicts (session, seq, digest, received_at, data) VALUES (?, ?, ?, ?, ?)
            """).run(.integer(key), .integer(Int64(event.seq)), .blob(Digest.sha256(event.bytes).bytes),
                     .integer(receivedAt.microseconds), .blob(event.bytes))
        if database.changes > 0 {
            try statement("UPDATE sessions SET conflict_count = conflict_count + 1 WHERE id = ?").run(.integer(key))
            references.add(blobsOf: event.event)
        }
    }

    /// Writes `fresh` (sorted by seq) as zstd chunks of at most `maxChunkBytes` raw bytes each,
    /// plus one index row per event.
    private func writeChunks(_ fresh: [EncodedEvent], digests: [Digest], state: SessionState) throws {
        let insertChunk = try statement("""
            INSERT INTO chunks (session, first_seq, last_seq, count, raw_bytes, codec, dictionary, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertEvent = try statement("INSERT INTO events (session, seq, chunk, idx, kind) VALUES (?, ?, ?, ?, ?)")
        var start = 0
        while start < fresh.count {
            var end = start + 1
            var size = fresh[start].bytes.count + 1
            while end < fresh.count, size + fresh[end].bytes.count + 1 <= maxChunkBytes {
                size += fresh[end].bytes.count + 1
                end += 1
            }
            let body = ChunkFormat.encode(fresh[start..<end].map(\.bytes), digests: digests[start..<end])
            let dictionary = currentDictionary
            let compressed = codec.compress(body, dictionary: dictionary)
            let codecValue: SQLiteValue
            let stored: [UInt8]
            if compressed.count < body.count {
                codecValue = .integer(dictionary == nil ? PayloadCodec.zstd.rawValue : PayloadCodec.zstdDictionary.rawValue)
                stored = compressed
            } else {
                codecValue = .integer(PayloadCodec.raw.rawValue)
                stored = body
            }
            let dictionaryValue: SQLiteValue = dictionary.map { .integer($0.id) } ?? .null
            try insertChunk.run(
                .integer(state.key), .integer(Int64(fresh[start].seq)), .integer(Int64(fresh[end - 1].seq)),
                .integer(Int64(end - start)), .integer(Int64(body.count)), codecValue,
                compressed.count < body.count ? dictionaryValue : .null, .blob(stored))
            let chunkID = database.lastInsertRowID
            for i in start..<end {
                let kind = try kindID(for: fresh[i].event.kind)
                insertEvent.reset()
                try insertEvent.bind(1, state.key)
                try insertEvent.bind(2, Int64(fresh[i].seq))
                try insertEvent.bind(3, chunkID)
                try insertEvent.bind(4, Int64(i - start))
                try insertEvent.bind(5, kind)
                while try insertEvent.step() {}
            }
            insertEvent.reset()
            start = end
        }
    }

    /// Fills the session's metadata from a newly stored `session.start` or `session.end`.
    private func updateMetadata(_ fresh: [EncodedEvent], state: inout SessionState) throws(SQLiteError) {
        for event in fresh.lazy.map(\.event) where event.kind == .sessionStart || event.kind == .sessionEnd {
            if event.kind == .sessionStart, !state.hasStart, case .sessionStart(let start)? = try? event.payload() {
                try statement("""
                    UPDATE sessions SET agent = ?, agent_version = ?, task = ?, condition = ?, worker = ?, replay_of = ?,
                    has_start = 1, started_at = ? WHERE id = ?
                    """).run(.text(start.agentName), text(start.agentVersion), text(start.task), text(start.condition),
                             text(start.worker), text(start.replayOf?.string), .integer(event.ts.microseconds),
                             .integer(state.key))
                state.hasStart = true
            } else if event.kind == .sessionEnd, state.running, case .sessionEnd(let end)? = try? event.payload() {
                try statement("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?")
                    .run(.text(end.status), .integer(event.ts.microseconds), .integer(state.key))
                state.running = false
            }
        }
    }

    private func text(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }

    /// Counts `added` (new seqs, sorted) and moves the acked watermark over every contiguous seq.
    private func advance(_ state: inout SessionState, adding added: [Int64]) throws(SQLiteError) {
        state.eventCount += Int64(added.count)
        state.lastSeq = max(state.lastSeq, added.last!)
        // Seqs are distinct and non-negative, so count == last + 1 means 0...last are all there.
        if state.eventCount == state.lastSeq + 1 {
            state.ackedSeq = state.lastSeq
            return
        }
        // Otherwise the watermark moves only if the seq right above it just arrived.
        guard added.contains(state.ackedSeq + 1) else { return }
        let select = try statement("SELECT seq FROM events WHERE session = ? AND seq > ? ORDER BY seq")
        state.ackedSeq = try select.use { s throws(SQLiteError) -> Int64 in
            try s.bind(1, state.key)
            try s.bind(2, state.ackedSeq)
            var acked = state.ackedSeq
            while try s.step(), s.int64(0) == acked + 1 { acked += 1 }
            return acked
        }
    }
}
