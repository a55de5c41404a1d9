import Testing
import TraceModel
@testable import TraceStore

@Suite("Upgrading a store written by the previous version")
struct UpgradeTests {
    /// Writes one session's events the way the first schema version did: a session row, one zstd
    /// chunk with elided digests, and the index rows.
    static func writeVersion1(_ database: Database, _ events: [Event], conflict: Event? = nil) throws {
        let start = events[0]
        guard case .sessionStart(let payload)? = try? start.payload() else { throw StoreError(.invalidArgument, "not a start") }
        try database.prepare("""
            INSERT INTO sessions (ulid, agent, task, has_start, started_at, event_count, last_seq, acked_seq, conflict_count)
            VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
            """).run(.text(start.session.string), .text(payload.agentName), payload.task.map(SQLiteValue.text) ?? .null,
                     .integer(start.ts.microseconds), .integer(Int64(events.count)), .integer(Int64(events.count - 1)),
                     .integer(Int64(events.count - 1)), .integer(conflict == nil ? 0 : 1))
        let key = database.lastInsertRowID
        let body = ChunkFormat.encode(events.map { $0.canonicalBytes() })
        let compressed = BlockCodec(level: 3).compress(body)
        try database.prepare("""
            INSERT INTO chunks (session, first_seq, last_seq, count, raw_bytes, codec, dictionary, data)
            VALUES (?, 0, ?, ?, ?, 1, NULL, ?)
            """).run(.integer(key), .integer(Int64(events.count - 1)), .integer(Int64(events.count)),
                     .integer(Int64(body.count)), .blob(compressed))
        let chunk = database.lastInsertRowID
        for (index, event) in events.enumerated() {
            try database.prepare("INSERT OR IGNORE INTO kinds (name) VALUES (?)").run(.text(event.kind.rawValue))
            let kind = try scalar(database, "SELECT id FROM kinds WHERE name = ?", .text(event.kind.rawValue))
            try database.prepare("INSERT INTO events (session, seq, chunk, idx, kind) VALUES (?, ?, ?, ?, ?)")
                .run(.integer(key), .integer(Int64(event.seq)), .integer(chunk), .integer(Int64(index)), .integer(kind))
        }
        if let conflict {
            let bytes = conflict.canonicalBytes()
            try database.prepare("INSERT INTO conflicts (session, seq, digest, received_at, data) VALUES (?, ?, ?, ?, ?)")
                .run(.integer(key), .integer(Int64(conflict.seq)), .blob(Digest.sha256(bytes).bytes), .integer(1), .blob(bytes))
        }
    }

    static func writeVersion1(_ database: Database, blob bytes: [UInt8]) throws -> Digest {
        let digest = Digest.sha256(bytes)
        try database.prepare("INSERT INTO blobs (digest, size, codec, data) VALUES (?, ?, 0, ?)")
            .run(.blob(digest.bytes), .integer(Int64(bytes.count)), .blob(bytes))
        return digest
    }

    @Test("reopening upgrades the schema and keeps every session, event, conflict and blob")
    func upgradeKeepsData() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v1.sqlite")
        let blobs = (1...4).map { Array("blob \($0)\n".utf8) }
        var old = SessionBuilder(milliseconds: RetentionTests.oldStart, tag: 1)
        var new = SessionBuilder(milliseconds: RetentionTests.newStart, tag: 2)
        let digests = blobs.map(Digest.sha256)
        let oldEvents = [old.start(), old.output(["stdout": digests[0], "stderr": digests[1]]), old.message("done"), old.end()]
        var refused = oldEvents[2]
        refused.blobs = ["evidence": digests[2]]
        let newEvents = [new.start(), new.output(["stdout": digests[0]]), new.message("working")]
        do {
            let database = try Database(path: path)
            #expect(try Migrator([Migration.initial]).migrate(database) == ["0001_initial"])
            try Self.writeVersion1(database, oldEvents, conflict: refused)
            try Self.writeVersion1(database, newEvents)
            for bytes in blobs { _ = try Self.writeVersion1(database, blob: bytes) }
        }

        let store = try SQLiteStore(path: path, options: .relaxedDurability)
        #expect(try store.appliedMigrations() == Migration.all.map(\.name))
        for (id, events) in [(old.id, oldEvents), (new.id, newEvents)] {
            let summary = try #require(try store.session(id, project: ""))
            #expect(summary.project == "")
            #expect(summary.eventCount == events.count)
            #expect(try store.events(session: id).map(\.bytes) == events.map { $0.canonicalBytes() })
        }
        #expect(try store.conflicts(session: old.id).map(\.bytes) == [refused.canonicalBytes()])
        #expect(try store.sessions(SessionQuery(project: "")).sessions.count == 2)
        #expect(try store.sessions(SessionQuery(project: "alpha")).sessions.isEmpty)
        for (digest, bytes) in zip(digests, blobs) {
            #expect(try store.blob(digest, project: "") == bytes)
            #expect(try store.hasBlob(digest, project: "alpha") == false)
        }

        // References were read back from the stored chunks and conflicts.
        let database = try Database(path: path)
        // Old session's output, the new session's, then the refused version: three packed rows.
        #expect(try scalar(database, "SELECT count(*) FROM blob_ref_sets") == 3)
        #expect(try scalar(database, "SELECT sum(length(digests)) FROM blob_ref_sets") == 4 * 32)
        #expect(try scalar(database, "SELECT count(*) FROM blobs WHERE stored_at = 0") == 0)
        let result = try store.deleteSessions(startedBefore: RetentionTests.cutoff)
        #expect(result == RetentionResult(sessions: 1, events: 4, blobs: 2))
        #expect(try store.hasBlob(digests[0]))
        #expect(try store.hasBlob(digests[1]) == false)
        #expect(try store.hasBlob(digests[2]) == false)
        #expect(try store.hasBlob(digests[3]), "uploaded before the upgrade: counts as stored at the upgrade")

        // And the upgraded store takes new events.
        #expect(try store.append([new.end()]).acked[new.id] == 3)
        #expect(try store.append([old.start()], project: "alpha").accepted == 1)
    }

    /// Writes the per-event `blob_refs` rows schema step 0005 kept: one per event and distinct blob.
    static func writeVersion5References(_ database: Database, session id: SessionID, _ events: [Event]) throws {
        let key = try scalar(database, "SELECT id FROM sessions WHERE ulid = ?", .text(id.string))
        for event in events {
            for digest in Set(event.blobs.values) {
                try database.prepare("INSERT INTO blob_refs (session, digest) VALUES (?, ?)").run(.integer(key), .blob(digest.bytes))
            }
        }
    }

    @Test("per-event references of the previous schema are packed, and retention stays exact")
    func packsPerEventReferences() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v5.sqlite")
        let contents = ["shared", "only old", "refused", "kept 125"].map { Array("\($0)\n".utf8) }
        let (shared, onlyOld, refusedOnly, keptOnly) = (Digest.sha256(contents[0]), Digest.sha256(contents[1]),
                                                        Digest.sha256(contents[2]), Digest.sha256(contents[3]))
        var old = SessionBuilder(milliseconds: RetentionTests.oldStart, tag: 1)
        var kept = SessionBuilder(milliseconds: RetentionTests.newStart, tag: 2)
        let oldEvents = [old.start(), old.output(["stdout": shared, "stderr": onlyOld]), old.message("done"), old.end()]
        var refused = oldEvents[2]
        refused.blobs = ["evidence": refusedOnly]
        // More distinct blobs than one packed row holds; one of them was uploaded.
        let many = (0..<130).map { $0 == 125 ? keptOnly : Digest.sha256(Array("never uploaded \($0)".utf8)) }
        let keptEvents = [kept.start(), kept.output(["stdout": shared])] + many.map { kept.output(["stdout": $0]) }
        let previous = Array(Migration.all.prefix { $0.name != Migration.blobReferenceSets.name })
        do {
            let database = try Database(path: path)
            #expect(try Migrator(previous).migrate(database) == previous.map(\.name))
            try Self.writeVersion1(database, oldEvents, conflict: refused)
            try Self.writeVersion1(database, keptEvents)
            try Self.writeVersion5References(database, session: old.id, oldEvents + [refused])
            try Self.writeVersion5References(database, session: kept.id, keptEvents)
            for bytes in contents {
                let digest = try Self.writeVersion1(database, blob: bytes)
                try database.prepare("INSERT INTO blob_projects (digest, project) VALUES (?, '')").run(.blob(digest.bytes))
            }
            #expect(try scalar(database, "SELECT count(*) FROM blob_refs") == 3 + 131)
        }

        let store = try SQLiteStore(path: path, options: .relaxedDurability)
        #expect(try store.appliedMigrations() == Migration.all.map(\.name))
        let database = try Database(path: path)
        #expect(try scalar(database, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'blob_refs%'") == 0)
        // The old session's rows (its event and its refused version) share one row; the kept one needs two.
        let rows = try database.prepare("SELECT session, length(digests) FROM blob_ref_sets ORDER BY id")
            .use { s throws(SQLiteError) -> [[Int64]] in
                var out: [[Int64]] = []
                while try s.step() { out.append([s.int64(0), s.int64(1)]) }
                return out
            }
        let (oldKey, keptKey) = (try scalar(database, "SELECT id FROM sessions WHERE ulid = ?", .text(old.id.string)),
                                 try scalar(database, "SELECT id FROM sessions WHERE ulid = ?", .text(kept.id.string)))
        let expected: [[Int64]] = [[oldKey, 3 * 32], [keptKey, 120 * 32], [keptKey, 11 * 32]]
        #expect(rows == expected)

        // The uploads predate the upgrade (stored_at 0), so the walk decides every one of them.
        #expect(try store.deleteSessions(startedBefore: RetentionTests.cutoff) == RetentionResult(sessions: 1, events: 4, blobs: 2))
        #expect(try store.hasBlob(shared))
        #expect(try store.hasBlob(keptOnly))
        #expect(try store.hasBlob(onlyOld) == false)
        #expect(try store.hasBlob(refusedOnly) == false)
        #expect(try store.events(session: kept.id).count == keptEvents.count)

        let later = Timestamp(microseconds: Int64(RetentionTests.newStart + 1000) * 1000)
        #expect(try store.deleteSessions(startedBefore: later) == RetentionResult(sessions: 1, events: keptEvents.count, blobs: 2))
        #expect(try store.statistics().blobs == 0)
        #expect(try scalar(database, "SELECT count(*) FROM blob_ref_sets") == 0)
    }

    @Test("a step whose backfill fails rolls back with it")
    func failingBackfill() throws {
        let dir = TemporaryDirectory()
        let database = try Database(path: dir.file("m.sqlite"))
        let broken = Migration("9997_backfill_fails", "CREATE TABLE half_done (id INTEGER)", backfill: { database in
            try database.execute("INSERT INTO half_done VALUES (1)")
            try database.execute("INSERT INTO no_such_table VALUES (1)")
        })
        let error = #expect(throws: SQLiteError.self) { try Migrator(Migration.all + [broken]).migrate(database) }
        #expect(error?.activity == "applying schema step 9997_backfill_fails")
        #expect(try Migrator().applied(database) == Migration.all.map(\.name))
        #expect(try scalar(database, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'") == 0)
    }
}
