import Testing
import TraceModel
@testable import TraceStore

@Suite("Concurrent use")
struct ConcurrencyTests {
    @Test("one store shared by many tasks stores every batch")
    func sharedStore() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let sessions: [[Event]] = (0..<8).map { i in
            var builder = SessionBuilder(milliseconds: 1_795_000_000_000 + UInt64(i), tag: UInt8(i))
            return builder.events(120)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for events in sessions {
                group.addTask {
                    for start in stride(from: 0, to: events.count, by: 10) {
                        _ = try store.append(Array(events[start..<(start + 10)]))
                        _ = try store.sessions(SessionQuery(limit: 3))
                    }
                }
            }
            try await group.waitForAll()
        }
        for events in sessions {
            let summary = try #require(try store.session(events[0].session))
            #expect(summary.ackedSeq == 119)
            #expect(try store.events(session: events[0].session).map(\.bytes) == events.map { $0.canonicalBytes() })
        }
    }

    @Test("two connections to one file wait for each other instead of failing")
    func twoConnections() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("shared.sqlite")
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        var a = SessionBuilder(tag: 1)
        var b = SessionBuilder(tag: 2)
        let ea = a.events(300), eb = b.events(300)
        // Both write the other's events too, so duplicates are decided across connections.
        async let one: Void = {
            for start in stride(from: 0, to: 300, by: 20) {
                _ = try first.append(Array(ea[start..<(start + 20)]) + Array(eb[start..<(start + 20)]))
            }
        }()
        async let two: Void = {
            for start in stride(from: 0, to: 300, by: 20) {
                _ = try second.append(Array(eb[start..<(start + 20)]) + Array(ea[start..<(start + 20)]))
            }
        }()
        _ = try await (one, two)
        for (id, events) in [(a.id, ea), (b.id, eb)] {
            #expect(try first.events(session: id).map(\.bytes) == events.map { $0.canonicalBytes() })
            let summary = try #require(try second.session(id))
            #expect(summary.eventCount == 300)
            #expect(summary.ackedSeq == 299)
            #expect(summary.conflictCount == 0)
        }
    }
}
