import Testing
import TraceModel
@testable import TraceStore

@Suite("Chain checks at ingest")
struct ChainBreakTests {
    /// Five chained events whose seq 2 was edited after sealing, so seq 3's prev no longer matches.
    static func editedChain(_ builder: inout SessionBuilder) -> (events: [Event], original: Event) {
        var events = builder.events(5)
        let original = events[2]
        events[2].data["text"] = .string("tampered")
        return (events, original)
    }

    @Test("an event whose prev does not match the event stored before it is recorded, with both digests")
    func inOrderBreakInOneBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let (events, _) = Self.editedChain(&builder)
        let result = try store.append(events)
        #expect(result.accepted == 5)
        #expect(result.chainBreaks == [AppendConflict(session: builder.id, seq: 3)])
        #expect(try store.session(builder.id)?.chainBreaks == 1)
        #expect(try store.session(builder.id)?.isFlagged == true)
        let breaks = try store.chainBreaks(session: builder.id)
        #expect(breaks.map(\.seq) == [3])
        #expect(breaks.first?.expected == Digest.sha256(events[2].canonicalBytes()))
        #expect(breaks.first?.actual == events[3].prev)
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() }, "a break is not a rejection")
    }

    @Test("a break across batches and a reopened store is found from the digest kept on the session")
    func inOrderBreakAcrossBatches() throws {
        let dir = TemporaryDirectory()
        var builder = SessionBuilder()
        let (events, _) = Self.editedChain(&builder)
        do {
            let store = try openStore(dir)
            #expect(try store.append(Array(events[0...2])).chainBreaks.isEmpty)
        }
        let store = try openStore(dir)
        #expect(try store.append(Array(events[3...4])).chainBreaks == [AppendConflict(session: builder.id, seq: 3)])
        #expect(try store.chainBreaks(session: builder.id).map(\.seq) == [3])
        #expect(try store.session(builder.id)?.chainBreaks == 1)
    }

    @Test("an intact chain sent in order, out of order or in pieces records nothing")
    func intactChains() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(tag: 1)
        let eventsA = a.events(6)
        for event in eventsA { #expect(try store.append([event]).chainBreaks.isEmpty) }
        var b = SessionBuilder(tag: 2)
        let eventsB = b.events(6)
        #expect(try store.append([eventsB[4], eventsB[1], eventsB[5]]).chainBreaks.isEmpty)
        #expect(try store.append([eventsB[3], eventsB[0], eventsB[2]]).chainBreaks.isEmpty)
        for id in [a.id, b.id] {
            #expect(try store.session(id)?.chainBreaks == 0)
            #expect(try store.chainBreaks(session: id).isEmpty)
        }
    }

    @Test("a late fill whose digest is not the prev of its stored successor is a break at the successor")
    func lateFill() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let (events, _) = Self.editedChain(&builder)
        #expect(try store.append([events[0], events[1], events[3], events[4]]).chainBreaks.isEmpty)
        let result = try store.append([events[2]])
        #expect(result.accepted == 1)
        #expect(result.chainBreaks == [AppendConflict(session: builder.id, seq: 3)])
        let breaks = try store.chainBreaks(session: builder.id)
        #expect(breaks.map(\.seq) == [3])
        #expect(breaks.first?.expected == Digest.sha256(events[2].canonicalBytes()))
        #expect(breaks.first?.actual == events[3].prev)
        #expect(try store.session(builder.id)?.ackedSeq == 4)
    }

    @Test("an event whose own prev is wrong is a break at its seq; a missing prev is recorded as none")
    func wrongAndMissingPrev() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        var events = builder.events(4)
        events[1].prev = Digest.sha256(Array("something else".utf8))
        events[3].prev = nil
        #expect(try store.append(events).chainBreaks.map(\.seq) == [1, 2, 3], "seq 2's prev names the original seq 1")
        let breaks = try store.chainBreaks(session: builder.id)
        #expect(breaks.map(\.seq) == [1, 2, 3])
        #expect(breaks[0].actual == events[1].prev)
        #expect(breaks[2].actual == nil)
        #expect(breaks[2].expected == Digest.sha256(events[2].canonicalBytes()))
    }

    @Test("identical duplicates and refused conflicting versions record no break")
    func duplicatesAndConflicts() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(5)
        #expect(try store.append(events).chainBreaks.isEmpty)
        let again = try store.append(events)
        #expect(again.duplicates == 5)
        #expect(again.chainBreaks.isEmpty)
        var altered = events[2]
        altered.data["text"] = .string("a different version")
        let conflict = try store.append([altered])
        #expect(conflict.conflicts.count == 1)
        #expect(conflict.chainBreaks.isEmpty)
        #expect(try store.session(builder.id)?.chainBreaks == 0)
    }

    @Test("retention deletes the breaks of the sessions it deletes")
    func retentionRemovesBreaks() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var old = SessionBuilder(milliseconds: RetentionTests.oldStart, tag: 1)
        var kept = SessionBuilder(milliseconds: RetentionTests.newStart, tag: 2)
        _ = try store.append(Self.editedChain(&old).events)
        _ = try store.append(Self.editedChain(&kept).events)
        let database = try Database(path: dir.file("store.sqlite"))
        #expect(try scalar(database, "SELECT count(*) FROM chain_breaks") == 2)
        #expect(try store.deleteSessions(startedBefore: RetentionTests.cutoff).sessions == 1)
        #expect(try scalar(database, "SELECT count(*) FROM chain_breaks") == 1)
        #expect(try store.chainBreaks(session: kept.id).map(\.seq) == [3])
        #expect(try store.chainBreaks(session: old.id).isEmpty)
    }

    @Test("a store of the previous schema upgrades with its data, then checks the chain of new events")
    func upgradeFromPreviousSchema() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("previous.sqlite")
        var intact = SessionBuilder(tag: 1)
        let intactEvents = intact.events(4)
        var broken = SessionBuilder(tag: 2)
        let (brokenEvents, _) = Self.editedChain(&broken)
        do {
            let database = try Database(path: path)
            let previous = Array(Migration.all.dropLast())
            #expect(try Migrator(previous).migrate(database) == previous.map(\.name))
            try UpgradeTests.writeVersion1(database, Array(intactEvents[0...2]))
            try UpgradeTests.writeVersion1(database, Array(brokenEvents[0...2]))
        }
        let store = try SQLiteStore(path: path, options: .relaxedDurability)
        #expect(try store.appliedMigrations() == Migration.all.map(\.name))
        #expect(try store.events(session: intact.id).map(\.bytes) == intactEvents[0...2].map { $0.canonicalBytes() })
        #expect(try store.session(intact.id)?.chainBreaks == 0)
        // No digest was kept before the upgrade: the first append reads the stored last event.
        #expect(try store.append([intactEvents[3]]).chainBreaks.isEmpty)
        #expect(try store.append(Array(brokenEvents[3...4])).chainBreaks == [AppendConflict(session: broken.id, seq: 3)])
        #expect(try store.session(broken.id)?.chainBreaks == 1)
        #expect(try store.session(intact.id)?.ackedSeq == 3)
    }
}
