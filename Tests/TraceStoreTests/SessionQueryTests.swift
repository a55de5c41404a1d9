import Testing
import TraceModel
@testable import TraceStore

@Suite("Listing sessions")
struct SessionQueryTests {
    /// 250 sessions: start times 0…249 s apart (with some ties), tasks and conditions alternating.
    static func populate(_ store: SQLiteStore) throws -> [SessionID: Int] {
        var ids: [SessionID: Int] = [:]
        var batch: [Event] = []
        for i in 0..<250 {
            // Every fifth pair shares its start millisecond, so ties are broken by id.
            let ms = 1_795_000_000_000 + UInt64(i - (i % 5 == 1 ? 1 : 0)) * 1000
            var builder = SessionBuilder(milliseconds: ms, tag: UInt8(i % 256))
            batch.append(builder.start(agent: i % 3 == 0 ? "claude-code" : "codex", task: "task-\(i % 4)",
                                       condition: i % 2 == 0 ? "supervised" : "unsupervised", worker: "w\(i % 7)"))
            batch.append(builder.tool("Bash"))
            if i % 10 != 0 { batch.append(builder.end(i % 10 == 3 ? "failed" : "completed")) }
            ids[builder.id] = i
        }
        _ = try store.append(batch)
        return ids
    }

    static func all(_ store: SQLiteStore, _ query: SessionQuery) throws -> [SessionSummary] {
        var query = query
        var out: [SessionSummary] = []
        var pages = 0
        while true {
            let page = try store.sessions(query)
            out += page.sessions
            pages += 1
            guard let next = page.nextCursor, pages < 1000 else { return out }
            query.cursor = next
        }
    }

    @Test("cursor pages cover every session once, newest first", arguments: [1, 7, 100, 249, 250, 1000])
    func pagination(pageSize: Int) throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let ids = try Self.populate(store)
        let listed = try Self.all(store, SessionQuery(limit: pageSize))
        #expect(listed.count == 250)
        #expect(Set(listed.map(\.id)) == Set(ids.keys))
        let keys = listed.map { ($0.startedAt.microseconds, $0.id.string) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test("first page holds the newest sessions and the default limit is 100")
    func firstPage() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let ids = try Self.populate(store)
        let page = try store.sessions(SessionQuery())
        #expect(page.sessions.count == 100)
        #expect(page.nextCursor != nil)
        #expect(ids[page.sessions[0].id] == 249)
        #expect(try store.sessions(SessionQuery(limit: 5000)).sessions.count == 250)
        #expect(try store.sessions(SessionQuery(limit: 0)).sessions.count == 1)
    }

    @Test("filters combine with pagination")
    func filters() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let ids = try Self.populate(store)
        func indexes(_ q: SessionQuery) throws -> Set<Int> { Set(try Self.all(store, q).map { ids[$0.id]! }) }

        #expect(try indexes(SessionQuery(agent: "claude-code", limit: 9)) == Set((0..<250).filter { $0 % 3 == 0 }))
        #expect(try indexes(SessionQuery(task: "task-2", limit: 9)) == Set((0..<250).filter { $0 % 4 == 2 }))
        #expect(try indexes(SessionQuery(condition: "unsupervised", worker: "w3", limit: 4))
                == Set((0..<250).filter { $0 % 2 == 1 && $0 % 7 == 3 }))
        #expect(try indexes(SessionQuery(status: .running, limit: 3)) == Set((0..<250).filter { $0 % 10 == 0 }))
        #expect(try indexes(SessionQuery(status: .failed)) == Set((0..<250).filter { $0 % 10 == 3 }))
        #expect(try indexes(SessionQuery(agent: "nobody")).isEmpty)

        let base = Timestamp(microseconds: 1_795_000_000_000_000)
        let since = Timestamp(microseconds: base.microseconds + 100_000_000)
        let until = Timestamp(microseconds: base.microseconds + 150_000_000)
        let window = try Self.all(store, SessionQuery(since: since, until: until, limit: 8))
        #expect(window.allSatisfy { $0.startedAt >= since && $0.startedAt < until })
        #expect(Set(window.map { ids[$0.id]! }) == Set((0..<250).filter {
            let t = $0 - ($0 % 5 == 1 ? 1 : 0)
            return t >= 100 && t < 150
        }))
    }

    @Test("summary fields come from session.start and session.end")
    func summaryFields() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let original = SessionBuilder(tag: 40)
        var builder = SessionBuilder(milliseconds: 1_795_000_100_000, tag: 41)
        let start = builder.start(agent: "claude-code", version: "2.0.1", task: "rotate-logs", condition: "unsupervised",
                                  worker: "ci-7", replayOf: original.id)
        let tool = builder.tool("Edit")
        _ = try store.append([start, tool])
        var summary = try #require(try store.session(builder.id))
        #expect(summary.agent == "claude-code")
        #expect(summary.agentVersion == "2.0.1")
        #expect(summary.task == "rotate-logs")
        #expect(summary.condition == "unsupervised")
        #expect(summary.worker == "ci-7")
        #expect(summary.replayOf == original.id)
        #expect(summary.status == .running)
        #expect(summary.startedAt == start.ts)
        #expect(summary.endedAt == nil)
        #expect(summary.eventCount == 2)
        #expect(summary.lastSeq == 1)

        let end = builder.end("timeout")
        _ = try store.append([end])
        summary = try #require(try store.session(builder.id))
        #expect(summary.status == .timeout)
        #expect(summary.endedAt == end.ts)
        #expect(try store.session(original.id) == nil)
    }

    @Test("a session.start that arrives after other events fills the metadata in")
    func lateStart() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder(milliseconds: 1_795_000_000_000, tag: 3)
        let start = builder.start(agent: "late-agent", task: "t")
        let rest = [builder.tool("Bash"), builder.end()]
        _ = try store.append(rest)
        var summary = try #require(try store.session(builder.id))
        #expect(summary.agent == nil)
        #expect(summary.hasStart == false)
        #expect(summary.status == .completed)
        #expect(summary.startedAt == Timestamp(microseconds: 1_795_000_000_000_000))
        #expect(summary.ackedSeq == -1)

        _ = try store.append([start])
        summary = try #require(try store.session(builder.id))
        #expect(summary.agent == "late-agent")
        #expect(summary.hasStart)
        #expect(summary.startedAt == start.ts)
        #expect(summary.ackedSeq == 2)
        #expect(try store.sessions(SessionQuery(agent: "late-agent")).sessions.map(\.id) == [builder.id])
    }

    @Test("cursors the store did not hand out are refused", arguments: ["", "abc", "12.", ".01KABCDEFGHJKMNPQRSTVWXYZ0", "x.01KABCDEFGHJKMNPQRSTVWXYZ0", "1.not-a-ulid"])
    func badCursor(cursor: String) throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let error = #expect(throws: StoreError.self) { try store.sessions(SessionQuery(cursor: cursor)) }
        #expect(error?.code == .invalidCursor)
    }
}
