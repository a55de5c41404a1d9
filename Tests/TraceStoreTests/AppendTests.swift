import Testing
import TraceModel
@testable import TraceStore

@Suite("Appending events")
struct AppendTests {
    @Test("appended events read back byte-identical, in seq order")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var trace = SyntheticTrace(seed: 42)
        let events = trace.session() + trace.session()
        let result = try store.append(events)
        #expect(result.accepted == events.count)
        #expect(result.duplicates == 0)
        #expect(result.conflicts.isEmpty)
        for id in Set(events.map(\.session)) {
            let mine = events.filter { $0.session == id }
            #expect(result.acked[id] == Int64(mine.count - 1))
            let stored = try store.events(session: id)
            #expect(stored.map(\.bytes) == mine.map { $0.canonicalBytes() })
            #expect(stored.map(\.seq) == Array(0..<UInt64(mine.count)))
            #expect(stored.map(\.kind) == mine.map(\.kind))
            #expect(try stored.map { try $0.event() } == mine)
            #expect(ChainVerifier.verify(try stored.map { try $0.event() }).isIntact)
        }
    }

    @Test("an empty batch changes nothing")
    func emptyBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        #expect(try store.append([]) == AppendResult())
        #expect(try store.sessions(SessionQuery()).sessions.isEmpty)
    }

    @Test("the same batch twice: all duplicates, nothing changes")
    func duplicateBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(20)
        _ = try store.append(events)
        let before = try store.session(builder.id)
        let again = try store.append(events)
        #expect(again.accepted == 0)
        #expect(again.duplicates == 20)
        #expect(again.conflicts.isEmpty)
        #expect(again.acked[builder.id] == 19)
        #expect(try store.session(builder.id) == before)
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
    }

    @Test("overlapping batch: old seqs are duplicates, new ones accepted")
    func overlappingBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(30)
        _ = try store.append(Array(events[0..<20]))
        let result = try store.append(Array(events[10..<30]))
        #expect(result.accepted == 10)
        #expect(result.duplicates == 10)
        #expect(result.acked[builder.id] == 29)
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
    }

    @Test("an altered event at a used (session, seq) is a conflict; the first version is kept")
    func conflict() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(5)
        _ = try store.append(events)
        var altered = events[3]
        altered.data["text"] = .string("something else entirely")
        let result = try store.append([events[2], altered, events[4]])
        #expect(result.accepted == 0)
        #expect(result.duplicates == 2)
        #expect(result.conflicts == [AppendConflict(session: builder.id, seq: 3)])
        #expect(result.acked[builder.id] == 4)

        #expect(try store.events(session: builder.id, seqs: 3...3).map(\.bytes) == [events[3].canonicalBytes()])
        let conflicts = try store.conflicts(session: builder.id)
        #expect(conflicts.map(\.seq) == [3])
        #expect(conflicts.first?.bytes == altered.canonicalBytes())
        let summary = try #require(try store.session(builder.id))
        #expect(summary.conflictCount == 1)
        #expect(summary.isFlagged)
        #expect(summary.eventCount == 5)

        // Sending the same refused version again reports it again but records it once.
        let retry = try store.append([altered])
        #expect(retry.conflicts == [AppendConflict(session: builder.id, seq: 3)])
        #expect(try store.conflicts(session: builder.id).count == 1)
        #expect(try store.session(builder.id)?.conflictCount == 1)
    }

    @Test("the same seq twice in one batch: identical is a duplicate, different is a conflict")
    func repeatsInsideOneBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(3)
        var altered = events[1]
        altered.data["text"] = .string("changed")
        let result = try store.append([events[0], events[1], events[1], altered, events[2]])
        #expect(result.accepted == 3)
        #expect(result.duplicates == 1)
        #expect(result.conflicts == [AppendConflict(session: builder.id, seq: 1)])
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
    }

    @Test("acked is the highest contiguous seq: 0,1,2,4 → 2, then 3 → 4")
    func ackedWatermark() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(5)
        let first = try store.append([events[0], events[1], events[2], events[4]])
        #expect(first.acked[builder.id] == 2)
        #expect(try store.session(builder.id)?.hasGaps == true)
        let second = try store.append([events[3]])
        #expect(second.accepted == 1)
        #expect(second.acked[builder.id] == 4)
        let summary = try #require(try store.session(builder.id))
        #expect(summary.ackedSeq == 4)
        #expect(summary.lastSeq == 4)
        #expect(summary.hasGaps == false)
        #expect(try store.events(session: builder.id).map(\.seq) == [0, 1, 2, 3, 4])
    }

    @Test("acked stays -1 while seq 0 is missing, and jumps when it arrives")
    func ackedWithoutSeqZero() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(6)
        #expect(try store.append(Array(events[3...])).acked[builder.id] == -1)
        #expect(try store.append([events[1], events[2]]).acked[builder.id] == -1)
        #expect(try store.append([events[0]]).acked[builder.id] == 5)
    }

    @Test("out-of-order events in a batch are stored in seq order")
    func unorderedBatch() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(8)
        let result = try store.append(events.reversed())
        #expect(result.accepted == 8)
        #expect(result.acked[builder.id] == 7)
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
    }

    @Test("a batch of several sessions acks each of them")
    func severalSessions() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(tag: 1)
        var b = SessionBuilder(tag: 2)
        let ea = a.events(4), eb = b.events(7)
        let result = try store.append([ea[0], eb[0], ea[1], eb[1]] + Array(ea[2...]) + Array(eb[2...]))
        #expect(result.accepted == 11)
        #expect(result.acked == [a.id: 3, b.id: 6])
        #expect(try store.events(session: a.id).map(\.bytes) == ea.map { $0.canonicalBytes() })
        #expect(try store.events(session: b.id).map(\.bytes) == eb.map { $0.canonicalBytes() })
    }

    @Test("events larger than the chunk limit get chunks of their own")
    func chunkSplitting() throws {
        let dir = TemporaryDirectory()
        var options = SQLiteStore.Options.relaxedDurability
        options.maxChunkBytes = 600
        let store = try SQLiteStore(path: dir.file("small-chunks.sqlite"), options: options)
        var builder = SessionBuilder()
        var events = [builder.start()]
        for i in 0..<40 { events.append(builder.message(String(repeating: "x", count: i * 37))) }
        _ = try store.append(events)
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
        #expect(try store.events(session: builder.id, seqs: 17...19).map(\.seq) == [17, 18, 19])
    }

    @Test("a seq above 2^53 - 1 is refused and nothing of the batch is stored")
    func seqOutOfRange() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(2)
        var huge = events[1]
        huge.seq = UInt64(Event.maxSafeInteger) + 1
        let error = #expect(throws: StoreError.self) { try store.append([events[0], huge]) }
        #expect(error?.code == .invalidArgument)
        #expect(try store.session(builder.id) == nil)
    }

    @Test("bytes with a raw newline are refused before anything is stored")
    func rawNewline() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(2)
        let broken = EncodedEvent(unchecked: events[1], bytes: Array("{\"a\":\n1}".utf8))
        let error = #expect(throws: StoreError.self) { try store.append([EncodedEvent(events[0]), broken]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.seq == 1)
        #expect(try store.session(builder.id) == nil)
    }

    @Test("a batch that fails midway leaves no trace, and the store keeps working")
    func rollback() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("rollback.sqlite")
        let store = try SQLiteStore(path: path)
        var builder = SessionBuilder()
        let events = builder.events(3) + [builder.next(.unknown("brand.new_kind", ["x": 1]))]
        // Another connection injects a failure after the new kind was interned and chunks written.
        let saboteur = try Database(path: path)
        try saboteur.execute("""
            CREATE TRIGGER fail_on_seq_3 AFTER INSERT ON events WHEN NEW.seq = 3
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END
            """)
        let error = #expect(throws: SQLiteError.self) { try store.append(events) }
        #expect(error?.message.contains("injected failure") == true)
        #expect(error?.activity == "appending 4 events")
        #expect(try store.session(builder.id) == nil)

        try saboteur.execute("DROP TRIGGER fail_on_seq_3")
        let ok = try store.append(events)
        #expect(ok.accepted == 4)
        #expect(ok.acked[builder.id] == 3)
        let unknown = try store.events(session: builder.id, kinds: [EventKind(rawValue: "brand.new_kind")])
        #expect(unknown.map(\.seq) == [3])
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
        // The kind interned by the rolled-back batch must really be in the file.
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.events(session: builder.id, kinds: [EventKind(rawValue: "brand.new_kind")]).map(\.seq) == [3])
    }

    @Test("everything survives closing and reopening the file")
    func reopen() throws {
        let dir = TemporaryDirectory()
        var builder = SessionBuilder()
        let events = builder.events(10) + [builder.end("failed")]
        let blob: [UInt8] = Array("stdout of a long command\n".utf8) + [UInt8](repeating: 0x41, count: 5000)
        var altered = events[4]
        altered.actor = .user
        let digest: Digest
        do {
            let store = try SQLiteStore(path: dir.file("r.sqlite"))
            _ = try store.append(events)
            _ = try store.append([altered])
            digest = try store.putBlob(blob)
        }
        let store = try SQLiteStore(path: dir.file("r.sqlite"))
        #expect(try store.events(session: builder.id).map(\.bytes) == events.map { $0.canonicalBytes() })
        let summary = try #require(try store.session(builder.id))
        #expect(summary.status == .failed)
        #expect(summary.conflictCount == 1)
        #expect(summary.eventCount == 11)
        #expect(try store.blob(digest) == blob)
        #expect(try store.append(events).duplicates == 11)
    }
}
