import Testing
import TraceModel
@testable import TraceStore

@Suite("Reading events")
struct EventQueryTests {
    static func stored() throws -> (TemporaryDirectory, SQLiteStore, SessionID, [Event]) {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var trace = SyntheticTrace(seed: 7)
        let events = trace.session()
        // Several batches, so reads cross chunk boundaries.
        for start in stride(from: 0, to: events.count, by: 9) {
            _ = try store.append(Array(events[start..<min(start + 9, events.count)]))
        }
        return (dir, store, events[0].session, events)
    }

    @Test("by seq range, across chunk boundaries")
    func bySeqRange() throws {
        let (_, store, id, events) = try Self.stored()
        let slice = try store.events(session: id, seqs: 5...20)
        #expect(slice.map(\.seq) == Array(5...20))
        #expect(slice.map(\.bytes) == events[5...20].map { $0.canonicalBytes() })
        #expect(try store.events(session: id, seqs: 3...3).map(\.seq) == [3])
        let last = UInt64(events.count - 1)
        #expect(try store.events(session: id, seqs: last...UInt64.max).map(\.seq) == [last])
        #expect(try store.events(session: id, seqs: (last + 1)...(last + 10)).isEmpty)
    }

    @Test("by kind, with and without a range and limit")
    func byKind() throws {
        let (_, store, id, events) = try Self.stored()
        let wanted: Set<EventKind> = [.processExec, .fileWrite]
        let matching = events.filter { wanted.contains($0.kind) }
        #expect(!matching.isEmpty)
        let got = try store.events(session: id, kinds: wanted)
        #expect(got.map(\.seq) == matching.map(\.seq))
        #expect(got.map(\.bytes) == matching.map { $0.canonicalBytes() })
        #expect(got.allSatisfy { wanted.contains($0.kind) })

        let limited = try store.events(session: id, kinds: wanted, limit: 2)
        #expect(limited.map(\.seq) == matching.prefix(2).map(\.seq))
        let ranged = try store.events(session: id, seqs: 10...30, kinds: [.reasoning])
        #expect(ranged.map(\.seq) == events.filter { $0.kind == .reasoning && (10...30).contains($0.seq) }.map(\.seq))

        #expect(try store.events(session: id, kinds: [EventKind(rawValue: "never.stored")]).isEmpty)
        #expect(try store.events(session: id, kinds: []).isEmpty)
    }

    @Test("limit returns the first events in seq order")
    func limit() throws {
        let (_, store, id, _) = try Self.stored()
        #expect(try store.events(session: id, limit: 4).map(\.seq) == [0, 1, 2, 3])
        #expect(try store.events(session: id, limit: 0).isEmpty)
        #expect(try store.events(session: id, seqs: 6...100, limit: 3).map(\.seq) == [6, 7, 8])
    }

    @Test("an unknown session has no events and no conflicts")
    func unknownSession() throws {
        let (_, store, _, _) = try Self.stored()
        let other = SessionBuilder(tag: 77).id
        #expect(try store.events(session: other).isEmpty)
        #expect(try store.conflicts(session: other).isEmpty)
        #expect(try store.session(other) == nil)
    }

    @Test("a damaged chunk is reported as corrupt, naming the chunk")
    func damagedChunk() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("damaged.sqlite")
        var builder = SessionBuilder()
        let events = builder.events(50)
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.append(events)
        }
        let vandal = try Database(path: path)
        try vandal.execute("UPDATE chunks SET data = substr(data, 1, length(data) / 2)")
        let store = try SQLiteStore(path: path)
        let error = #expect(throws: StoreError.self) { try store.events(session: builder.id) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("chunk 1") == true)
        #expect(error?.session == builder.id)
    }
}
