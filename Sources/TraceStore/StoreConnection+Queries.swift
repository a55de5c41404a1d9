import TraceModel

extension StoreConnection {
    static let summaryColumns = """
        ulid, agent, agent_version, task, condition, worker, replay_of, status, has_start, started_at, ended_at, \
        event_count, last_seq, acked_seq, conflict_count, project, chain_break_count
        """

    func sessions(_ query: SessionQuery) throws -> SessionPage {
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        func equal(_ column: String, _ value: String?) {
            guard let value else { return }
            conditions.append("\(column) = ?")
            values.append(.text(value))
        }
        equal("project", query.project)
        equal("agent", query.agent)
        equal("task", query.task)
        equal("condition", query.condition)
        equal("worker", query.worker)
        equal("status", query.status?.rawValue)
        if let since = query.since {
            conditions.append("started_at >= ?")
            values.append(.integer(since.microseconds))
        }
        if let until = query.until {
            conditions.append("started_at < ?")
            values.append(.integer(until.microseconds))
        }
        if let text = query.cursor {
            let cursor = try SessionCursor(parsing: text)
            conditions.append("(started_at, ulid) < (?, ?)")
            values.append(.integer(cursor.startedAt))
            values.append(.text(cursor.id.string))
        }
        let limit = query.clampedLimit
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        // One more row than asked tells whether another page exists.
        let select = try statement(
            "SELECT \(Self.summaryColumns) FROM sessions\(filter) ORDER BY started_at DESC, ulid DESC LIMIT ?")
        values.append(.integer(Int64(limit + 1)))
        var summaries = try select.use { s throws -> [SessionSummary] in
            for (i, value) in values.enumerated() { try s.bind(Int32(i + 1), value) }
            var out: [SessionSummary] = []
            while try s.step() { out.append(try summary(s)) }
            return out
        }
        var next: String?
        if summaries.count > limit {
            summaries.removeLast()
            let last = summaries[summaries.count - 1]
            next = SessionCursor(startedAt: last.startedAt.microseconds, id: last.id).text
        }
        return SessionPage(sessions: summaries, nextCursor: next)
    }

    func session(_ id: SessionID, project: String?) throws -> SessionSummary? {
        guard let project else {
            let select = try statement("SELECT \(Self.summaryColumns) FROM sessions WHERE ulid = ?")
            return try select.use { s throws -> SessionSummary? in
                try s.bind(1, id.string)
                return try s.step() ? try summary(s) : nil
            }
        }
        let select = try statement("SELECT \(Self.summaryColumns) FROM sessions WHERE ulid = ? AND project = ?")
        return try select.use { s throws -> SessionSummary? in
            try s.bind(1, id.string)
            try s.bind(2, project)
            return try s.step() ? try summary(s) : nil
        }
    }

    /// Reads the columns of `summaryColumns` from the current row.
    private func summary(_ s: Statement) throws -> SessionSummary {
        let ulid = s.text(0) ?? ""
        guard let id = SessionID(ulid) else {
            throw StoreError(.corrupt, "the sessions table holds \"\(ulid.prefix(40))\", which is not a session id")
        }
        return SessionSummary(
            id: id, project: s.text(15) ?? "", agent: s.text(1), agentVersion: s.text(2), task: s.text(3), condition: s.text(4), worker: s.text(5),
            replayOf: s.text(6).flatMap(SessionID.init), status: SessionStatus(rawValue: s.text(7) ?? "running"),
            startedAt: Timestamp(microseconds: s.int64(9)),
            endedAt: s.isNull(10) ? nil : Timestamp(microseconds: s.int64(10)),
            hasStart: s.int64(8) != 0, eventCount: Int(s.int64(11)), lastSeq: s.int64(12), ackedSeq: s.int64(13),
            conflictCount: Int(s.int64(14)), chainBreaks: Int(s.int64(16)))
    }

    func events(_ query: EventQuery) throws -> [StoredEvent] {
        if let limit = query.limit, limit <= 0 { return [] }
        // One snapshot for the index rows and the chunks they point at.
        return try database.read {
            try noticeOtherWriters()
            return try readEvents(query)
        }
    }

    private func readEvents(_ query: EventQuery) throws -> [StoredEvent] {
        guard let key = try sessionKey(query.session) else { return [] }
        var wanted: Set<Int64>?
        if let kinds = query.kinds {
            if kinds.contains(where: { kindIDs[$0] == nil }) { try loadKinds() }
            wanted = Set(kinds.compactMap { kindIDs[$0] })
            if wanted!.isEmpty { return [] }
        }
        let lower = Int64(clamping: query.seqs?.lowerBound ?? 0)
        let upper = Int64(clamping: query.seqs?.upperBound ?? UInt64(Int64.max))
        let limit = query.limit ?? Int.max
        let select = try statement("SELECT seq, chunk, idx, kind FROM events WHERE session = ? AND seq BETWEEN ? AND ? ORDER BY seq")
        // Locate first, then read chunks: each chunk is decompressed once thanks to the cache.
        let rows = try select.use { s throws(SQLiteError) -> [(seq: Int64, chunk: Int64, index: Int, kind: Int64)] in
            try s.bind(1, key)
            try s.bind(2, lower)
            try s.bind(3, upper)
            var rows: [(seq: Int64, chunk: Int64, index: Int, kind: Int64)] = []
            while rows.count < limit, try s.step() {
                let kind = s.int64(3)
                if let wanted, !wanted.contains(kind) { continue }
                rows.append((s.int64(0), s.int64(1), Int(s.int64(2)), kind))
            }
            return rows
        }
        var out: [StoredEvent] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            let seq = UInt64(row.seq)
            let bytes = try eventBytes(chunk: row.chunk, index: row.index, session: query.session, seq: seq)
            out.append(StoredEvent(seq: seq, kind: try kindName(row.kind), bytes: bytes))
        }
        return out
    }

    func conflicts(session id: SessionID) throws -> [StoredConflict] {
        guard let key = try sessionKey(id) else { return [] }
        let select = try statement("SELECT seq, received_at, data FROM conflicts WHERE session = ? ORDER BY seq, id")
        return try select.use { s throws(SQLiteError) -> [StoredConflict] in
            try s.bind(1, key)
            var out: [StoredConflict] = []
            while try s.step() {
                out.append(StoredConflict(seq: UInt64(max(0, s.int64(0))), receivedAt: Timestamp(microseconds: s.int64(1)),
                                          bytes: s.blob(2) ?? []))
            }
            return out
        }
    }

    func chainBreaks(session id: SessionID) throws -> [ChainBreak] {
        guard let key = try sessionKey(id) else { return [] }
        let select = try statement("SELECT seq, expected, actual, detected_at FROM chain_breaks WHERE session = ? ORDER BY seq")
        return try select.use { s throws -> [ChainBreak] in
            try s.bind(1, key)
            var out: [ChainBreak] = []
            while try s.step() {
                guard let expected = s.blob(1).flatMap(Digest.init(bytes:)) else {
                    throw StoreError(.corrupt, "a chain break of session \(id) has no valid expected digest", session: id)
                }
                out.append(ChainBreak(seq: UInt64(max(0, s.int64(0))), expected: expected,
                                      actual: s.blob(2).flatMap(Digest.init(bytes:)),
                                      detectedAt: Timestamp(microseconds: s.int64(3))))
            }
            return out
        }
    }
}
