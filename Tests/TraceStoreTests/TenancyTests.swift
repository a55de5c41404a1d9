import Testing
import TraceModel
@testable import TraceStore

@Suite("Projects")
struct TenancyTests {
    @Test("events for another project's session are refused with their batch positions; the owner keeps it")
    func foreignEventsRefused() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(tag: 1)
        var b = SessionBuilder(milliseconds: 1_795_000_001_000, tag: 2)
        let ea = a.events(7), eb = b.events(3)
        #expect(try store.append(Array(ea[0..<5]), project: "alpha").accepted == 5)

        // beta sends its own session interleaved with new events of alpha's session.
        let batch = [eb[0], ea[5], eb[1], ea[6], eb[2]]
        let result = try store.append(batch, project: "beta")
        #expect(result.accepted == 3)
        #expect(result.duplicates == 0)
        #expect(result.conflicts.isEmpty)
        #expect(result.foreign.map(\.index) == [1, 3])
        #expect(result.foreign.map(\.seq) == [5, 6])
        #expect(result.foreign.allSatisfy { $0.session == a.id && !$0.reason.isEmpty })
        #expect(result.acked == [b.id: 2])

        let owned = try #require(try store.session(a.id))
        #expect(owned.project == "alpha")
        #expect(owned.eventCount == 5)
        #expect(owned.conflictCount == 0)
        #expect(try store.events(session: a.id).map(\.bytes) == ea[0..<5].map { $0.canonicalBytes() })
        #expect(try store.session(b.id)?.project == "beta")

        // Replaying alpha's stored events from beta is refused too, not counted as duplicates.
        let replay = try store.append(Array(ea[0..<2]), project: "beta")
        #expect(replay.duplicates == 0)
        #expect(replay.foreign.map(\.index) == [0, 1])
        // The owner can still go on.
        #expect(try store.append(Array(ea[5...]), project: "alpha").acked[a.id] == 6)
    }

    @Test("append without a project writes to the default project \"\", which other projects cannot write")
    func defaultProject() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var builder = SessionBuilder()
        let events = builder.events(4)
        _ = try store.append(Array(events[0..<2]))
        #expect(try store.session(builder.id)?.project == "")
        #expect(try store.append(Array(events[2...]), project: "alpha").foreign.count == 2)
        #expect(try store.append(Array(events[2...])).accepted == 2)
    }

    @Test("listing and lookup see only the asked project; nil sees all")
    func scopedQueries() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var projectOf: [SessionID: String] = [:]
        for (i, project) in ["alpha", "beta", "alpha", "", "alpha", "beta"].enumerated() {
            var builder = SessionBuilder(milliseconds: 1_795_000_000_000 + UInt64(i) * 1000, tag: UInt8(i))
            let start = builder.start(agent: i % 2 == 0 ? "claude-code" : "codex")
            _ = try store.append([start, builder.tool("Bash")], project: project)
            projectOf[builder.id] = project
        }
        func ids(_ project: String?) -> Set<SessionID> { Set(projectOf.filter { project == nil || $0.value == project }.keys) }
        func listed(_ query: SessionQuery) throws -> [SessionSummary] { try SessionQueryTests.all(store, query) }

        for project in ["alpha", "beta", "", "gamma"] as [String?] + [nil] {
            let page = try listed(SessionQuery(project: project, limit: 1))
            #expect(Set(page.map(\.id)) == ids(project))
            #expect(page.count == ids(project).count)
            #expect(page.allSatisfy { project == nil || $0.project == project })
            #expect(zip(page, page.dropFirst()).allSatisfy { $0.startedAt > $1.startedAt })
        }
        #expect(try listed(SessionQuery(project: "alpha", agent: "claude-code")).count == 3)
        #expect(try listed(SessionQuery(project: "beta", agent: "claude-code")).isEmpty)

        for (id, project) in projectOf {
            #expect(try store.session(id, project: project)?.project == project)
            #expect(try store.session(id)?.project == project)
            for other in ["alpha", "beta", ""] where other != project {
                #expect(try store.session(id, project: other) == nil)
            }
        }
    }

    @Test("listing one project reads its index in order, without sorting")
    func projectListingUsesIndex() throws {
        let dir = TemporaryDirectory()
        _ = try openStore(dir)
        let database = try Database(path: dir.file("store.sqlite"))
        let plan = try database.prepare("""
            EXPLAIN QUERY PLAN SELECT \(StoreConnection.summaryColumns) FROM sessions WHERE project = ?
            ORDER BY started_at DESC, ulid DESC LIMIT ?
            """)
        let details = try plan.use { s throws(SQLiteError) -> [String] in
            var out: [String] = []
            while try s.step() { out.append(s.text(3) ?? "") }
            return out
        }
        #expect(details.contains { $0.contains("sessions_by_project") })
        #expect(!details.contains { $0.contains("TEMP B-TREE") })
    }

    @Test("a group commit stores each batch under its own project, one result each")
    func groupCommit() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(tag: 1)
        var b = SessionBuilder(tag: 2)
        let ea = a.events(4), eb = b.events(2)
        let results = try store.appendGroup([
            AppendBatch(events: ea[0..<2].map(EncodedEvent.init), project: "alpha"),
            AppendBatch(events: [EncodedEvent(eb[0]), EncodedEvent(ea[2]), EncodedEvent(eb[1])], project: "beta"),
            AppendBatch(events: [], project: "alpha"),
            AppendBatch(events: [EncodedEvent(ea[3]), EncodedEvent(ea[1])], project: "alpha"),
        ])
        #expect(results.count == 4)
        #expect(results[0].accepted == 2 && results[0].foreign.isEmpty)
        #expect(results[1].accepted == 2 && results[1].foreign.map(\.index) == [1])
        #expect(results[2] == AppendResult())
        #expect(results[3].accepted == 1 && results[3].duplicates == 1)
        #expect(results[3].acked[a.id] == 1)
        #expect(try store.session(a.id)?.project == "alpha")
        #expect(try store.session(b.id)?.project == "beta")
        #expect(try store.events(session: a.id).map(\.seq) == [0, 1, 3])

        // One batch breaking the store's contract fails the whole group before anything is stored.
        var c = SessionBuilder(tag: 3)
        var huge = c.events(2)
        huge[1].seq = UInt64(Event.maxSafeInteger) + 1
        let error = #expect(throws: StoreError.self) {
            try store.appendGroup([AppendBatch(events: [EncodedEvent(huge[0])], project: "alpha"),
                                   AppendBatch(events: [EncodedEvent(huge[1])], project: "beta")])
        }
        #expect(error?.code == .invalidArgument)
        #expect(try store.session(c.id) == nil)
    }

    @Test("a project sees only blobs it uploaded; the bytes are stored once")
    func blobVisibility() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let bytes = Array(String(repeating: "make: *** [test] Error 1\n", count: 100).utf8)
        let digest = try store.putBlob(bytes, project: "alpha")
        #expect(try store.hasBlob(digest, project: "alpha"))
        #expect(try store.hasBlob(digest, project: "beta") == false)
        #expect(try store.hasBlob(digest, project: "") == false)
        #expect(try store.hasBlob(digest))
        #expect(try store.blob(digest, project: "alpha") == bytes)
        #expect(try store.blob(digest, project: "beta") == nil)
        #expect(try store.blob(digest) == bytes)

        #expect(try store.putBlob(bytes, project: "beta") == digest)
        #expect(try store.blob(digest, project: "beta") == bytes)
        #expect(try store.putBlob(bytes) == digest)
        #expect(try store.hasBlob(digest, project: ""))
        #expect(try store.statistics().blobs == 1)
    }

    @Test("projects of sessions survive reopening")
    func reopen() throws {
        let dir = TemporaryDirectory()
        var builder = SessionBuilder()
        do {
            let store = try openStore(dir)
            _ = try store.append(builder.events(3), project: "alpha")
        }
        let store = try openStore(dir)
        #expect(try store.session(builder.id, project: "alpha")?.eventCount == 3)
        #expect(try store.sessions(SessionQuery(project: "alpha")).sessions.map(\.id) == [builder.id])
    }
}
