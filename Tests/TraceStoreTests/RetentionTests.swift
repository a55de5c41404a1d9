import Testing
import TraceModel
@testable import TraceStore

@Suite("Retention")
struct RetentionTests {
    static let oldStart: UInt64 = 1_790_000_000_000
    static let newStart: UInt64 = 1_795_000_000_000
    /// Between the two: after the old sessions started, before the new ones and before now.
    static let cutoff = Timestamp(microseconds: 1_792_000_000_000_000)

    static func blob(_ text: String) -> [UInt8] { Array(String(repeating: text + "\n", count: 50).utf8) }

    /// Rows of `table` whose `session` column is `key`.
    static func rows(_ database: Database, _ table: String, session key: Int64) throws -> Int64 {
        try scalar(database, "SELECT count(*) FROM \(table) WHERE session = ?", .integer(key))
    }

    @Test("old sessions go with their events, chunks and conflicts, and exactly the blobs nothing else references")
    func deletesOldSessionsAndTheirBlobs() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let onlyOld = try store.putBlob(Self.blob("only old"))
        let shared = try store.putBlob(Self.blob("shared"))
        let onlyNew = try store.putBlob(Self.blob("only new"))
        let inConflict = try store.putBlob(Self.blob("named by a refused version"))
        let pending = try store.putBlob(Self.blob("uploaded, its event not here yet"))

        var old = SessionBuilder(milliseconds: Self.oldStart, tag: 1)
        var oldEvents = [old.start(), old.output(["stdout": onlyOld, "stderr": shared])] + (0..<30).map { old.message("step \($0)") }
        oldEvents.append(old.end())
        var fresh = SessionBuilder(milliseconds: Self.newStart, tag: 2)
        let freshEvents = [fresh.start(), fresh.output(["stdout": shared]), fresh.output(["stdout": onlyNew]), fresh.end()]
        for start in stride(from: 0, to: oldEvents.count, by: 8) {
            _ = try store.append(Array(oldEvents[start..<min(start + 8, oldEvents.count)]))
        }
        _ = try store.append(freshEvents)
        var refused = oldEvents[3]
        refused.blobs = ["stdout": inConflict]
        #expect(try store.append([refused]).conflicts.count == 1)

        let database = try Database(path: dir.file("store.sqlite"))
        let oldKey = try scalar(database, "SELECT id FROM sessions WHERE ulid = ?", .text(old.id.string))
        #expect(try Self.rows(database, "chunks", session: oldKey) >= 4)

        let result = try store.deleteSessions(startedBefore: Self.cutoff)
        #expect(result == RetentionResult(sessions: 1, events: oldEvents.count, blobs: 2))

        #expect(try store.session(old.id) == nil)
        #expect(try store.events(session: old.id).isEmpty)
        #expect(try store.conflicts(session: old.id).isEmpty)
        for table in ["events", "chunks", "conflicts", "blob_ref_sets"] {
            #expect(try Self.rows(database, table, session: oldKey) == 0, "\(table)")
        }
        #expect(try store.hasBlob(onlyOld) == false)
        #expect(try store.hasBlob(inConflict) == false)
        #expect(try scalar(database, "SELECT count(*) FROM blob_projects WHERE digest = ?", .blob(onlyOld.bytes)) == 0)
        for kept in [shared, onlyNew, pending] { #expect(try store.blob(kept) != nil) }

        #expect(try store.events(session: fresh.id).map(\.bytes) == freshEvents.map { $0.canonicalBytes() })
        #expect(try store.session(fresh.id)?.eventCount == freshEvents.count)
        #expect(try store.statistics().sessions == 1)

        #expect(try store.deleteSessions(startedBefore: Self.cutoff) == RetentionResult())
    }

    @Test("a blob shared by two expired sessions goes once both are gone; a kept session keeps it")
    func sharedBlobs() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let digest = try store.putBlob(Self.blob("shared log"))
        var sessions: [SessionBuilder] = []
        for (i, ms) in [Self.oldStart, Self.oldStart + 1000, Self.newStart].enumerated() {
            var builder = SessionBuilder(milliseconds: ms, tag: UInt8(i))
            _ = try store.append([builder.start(), builder.output(["log": digest])])
            sessions.append(builder)
        }
        #expect(try store.deleteSessions(startedBefore: Self.cutoff) == RetentionResult(sessions: 2, events: 4, blobs: 0))
        #expect(try store.hasBlob(digest))
        let later = Timestamp(microseconds: Int64(Self.newStart + 1000) * 1000)
        #expect(try store.deleteSessions(startedBefore: later) == RetentionResult(sessions: 1, events: 2, blobs: 1))
        #expect(try store.hasBlob(digest) == false)
    }

    @Test("an upload nothing references is deleted only once it was stored before the cutoff")
    func orphanUploads() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let database = try Database(path: dir.file("store.sqlite"))
        func age(_ digest: Digest) throws {
            try database.prepare("UPDATE blobs SET stored_at = 1000 WHERE digest = ?").run(.blob(digest.bytes))
        }
        let recent = try store.putBlob(Self.blob("its events are on their way"), project: "alpha")
        let stale = try store.putBlob(Self.blob("its recorder crashed long ago"))
        try age(stale)
        let refreshed = try store.putBlob(Self.blob("uploaded long ago, and again now"))
        try age(refreshed)
        #expect(try store.putBlob(Self.blob("uploaded long ago, and again now"), project: "beta") == refreshed)

        #expect(try store.deleteSessions(startedBefore: Self.cutoff) == RetentionResult(blobs: 1))
        #expect(try store.hasBlob(stale) == false)
        #expect(try store.hasBlob(recent, project: "alpha"))
        #expect(try store.hasBlob(refreshed, project: "beta"))
        #expect(try store.hasBlob(refreshed, project: ""))

        let later = Timestamp(microseconds: Timestamp.now().microseconds + 1_000_000)
        #expect(try store.deleteSessions(startedBefore: later) == RetentionResult(blobs: 2))
        #expect(try store.statistics().blobs == 0)
    }

    @Test("big purges run as many bounded steps, and the store stays usable between them")
    func boundedSteps() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("store.sqlite")
        let store = try SQLiteStore(path: path, options: storeOptions { $0.maxChunkBytes = 300; $0.retentionStepEvents = 7 })
        var expired: [SessionID] = []
        for i in 0..<3 {
            var builder = SessionBuilder(milliseconds: Self.oldStart + UInt64(i), tag: UInt8(i))
            let events = builder.events(40)
            for start in stride(from: 0, to: 40, by: 5) { _ = try store.append(Array(events[start..<(start + 5)])) }
            expired.append(builder.id)
        }
        var kept = SessionBuilder(milliseconds: Self.newStart, tag: 9)
        let keptEvents = kept.events(10)
        _ = try store.append(keptEvents)

        // Step by step on a connection of its own: each step stays near the budget.
        let connection = try StoreConnection(database: Database(path: path), options: storeOptions())
        var progress = RetentionProgress(startedAt: .now())
        var total = RetentionResult()
        var steps = 0
        while !progress.isFinished {
            let step = try connection.retentionStep(cutoff: Self.cutoff, budget: 7, progress: &progress)
            #expect(step.events <= 7 + 2, "a step deletes about the budget (plus one whole chunk)")
            if steps == 0 {
                #expect(step.sessions == 0)
                #expect(try store.session(expired[0]) != nil, "a session bigger than a step is deleted over several")
                // Ingest goes on between steps.
                #expect(try store.append(keptEvents).duplicates == 10)
            }
            total += step
            steps += 1
        }
        #expect(total == RetentionResult(sessions: 3, events: 120, blobs: 0))
        #expect(steps >= 120 / 9)
        for id in expired { #expect(try store.session(id) == nil) }
        #expect(try store.events(session: kept.id).map(\.bytes) == keptEvents.map { $0.canonicalBytes() })

        // Through the store, with its own small budget, on fresh data.
        var again = SessionBuilder(milliseconds: Self.oldStart, tag: 20)
        _ = try store.append(again.events(25))
        #expect(try store.deleteSessions(startedBefore: Self.cutoff) == RetentionResult(sessions: 1, events: 25))
    }

    @Test("a deleted session that receives events again starts over, and reads see no stale chunks")
    func sessionComesBack() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder(milliseconds: Self.oldStart, tag: 4)
        let events = builder.events(6)
        _ = try store.append(Array(events[0..<3]))
        #expect(try store.events(session: builder.id).count == 3)
        _ = try store.deleteSessions(startedBefore: Self.cutoff)
        // The ids of the deleted (newest) rows may be handed out again.
        var other = SessionBuilder(milliseconds: Self.newStart, tag: 5)
        let otherEvents = other.events(3)
        _ = try store.append(otherEvents)
        #expect(try store.events(session: other.id).map(\.bytes) == otherEvents.map { $0.canonicalBytes() })
        let result = try store.append(Array(events[3...]))
        #expect(result.accepted == 3)
        #expect(result.acked[builder.id] == -1)
        #expect(try store.events(session: builder.id).map(\.seq) == [3, 4, 5])
    }

    @Test("another connection's purge and reused row ids never surface stale chunks here")
    func otherConnectionPurges() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("shared.sqlite")
        let reader = try SQLiteStore(path: path, options: .relaxedDurability)
        let purger = try SQLiteStore(path: path, options: .relaxedDurability)
        var old = SessionBuilder(milliseconds: Self.oldStart, tag: 6)
        _ = try reader.append(old.events(4))
        #expect(try reader.events(session: old.id).count == 4)
        _ = try purger.deleteSessions(startedBefore: Self.cutoff)
        var new = SessionBuilder(milliseconds: Self.newStart, tag: 7)
        let newEvents = new.events(4)
        _ = try purger.append(newEvents)
        #expect(try reader.events(session: new.id).map(\.bytes) == newEvents.map { $0.canonicalBytes() })
        #expect(try reader.events(session: old.id).isEmpty)
        // Appending through the reader compares against what is really stored.
        #expect(try reader.append(newEvents).duplicates == 4)
    }

    /// Runs retention steps on `connection` until `stop` says so or the run is over.
    static func steps(_ connection: StoreConnection, _ progress: inout RetentionProgress, budget: Int = 1000,
                      until stop: (RetentionProgress.Phase) -> Bool = { _ in false }) throws -> RetentionResult {
        var total = RetentionResult()
        while !progress.isFinished, !stop(progress.phase) {
            total += try connection.retentionStep(cutoff: cutoff, budget: budget, progress: &progress)
        }
        return total
    }

    @Test("a blob named by an event stored while a run walks the references is kept")
    func referenceDuringRun() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("store.sqlite")
        let store = try SQLiteStore(path: path, options: .relaxedDurability)
        let digest = try store.putBlob(Self.blob("about to be needed again"))
        var old = SessionBuilder(milliseconds: Self.oldStart, tag: 1)
        _ = try store.append([old.start(), old.output(["out": digest])])
        for i in 0..<30 {
            var filler = SessionBuilder(milliseconds: Self.newStart + UInt64(i), tag: UInt8(10 + i))
            _ = try store.append([filler.start(), filler.output(["out": Digest.sha256([UInt8(i)])])])
        }

        let connection = try StoreConnection(database: Database(path: path), options: storeOptions())
        var progress = RetentionProgress(startedAt: .now())
        let deleted = try Self.steps(connection, &progress, budget: 4) { phase in
            if case .delete = phase { return true } else { return false }
        }
        #expect(deleted == RetentionResult(sessions: 1, events: 2))
        // The walk is over and found no reference; now a new session names the blob.
        var late = SessionBuilder(milliseconds: Self.newStart + 100, tag: 99)
        _ = try store.append([late.start(), late.output(["out": digest])])
        #expect(try Self.steps(connection, &progress, budget: 4) == RetentionResult())
        #expect(try store.blob(digest) != nil)
    }

    @Test("candidates of an interrupted run are finished by the next one")
    func interruptedRun() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("store.sqlite")
        let store = try SQLiteStore(path: path, options: .relaxedDurability)
        let digest = try store.putBlob(Self.blob("named only by an expired session"))
        var old = SessionBuilder(milliseconds: Self.oldStart, tag: 1)
        _ = try store.append([old.start(), old.output(["out": digest])])
        do {
            let connection = try StoreConnection(database: Database(path: path), options: storeOptions())
            var progress = RetentionProgress(startedAt: .now())
            let partial = try Self.steps(connection, &progress) { $0 != .sessions }
            #expect(partial == RetentionResult(sessions: 1, events: 2))
        }
        #expect(try store.blob(digest) != nil)
        #expect(try store.deleteSessions(startedBefore: Self.cutoff) == RetentionResult(blobs: 1))
        #expect(try store.hasBlob(digest) == false)
    }
}
