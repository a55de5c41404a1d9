import Collector
import Foundation
import Testing
@testable import ParallaxCLI
import TraceModel
import TraceStore

/// The CLI against a real collector: ingest over HTTP, then sessions, events and verify remotely,
/// with the token's project deciding what is visible.
@Suite("parallax against a collector")
struct RemoteCLITests {
    @Test func ingestAndReadThroughACollector() throws {
        let dir = TempDir()
        let store = try SQLiteStore(path: dir.file("c.sqlite"))
        let writer = try store.createToken(project: "payments", role: .ingest, name: "ci")
        let reader = try store.createToken(project: "payments", role: .read, name: nil)
        let outsider = try store.createToken(project: "search", role: .read, name: nil)
        var configuration = CollectorConfiguration()
        configuration.port = 0
        let server = try CollectorServer(store: store, configuration: configuration)
        try server.start()
        defer { server.shutdown(drainTimeout: 5) }
        let url = "http://127.0.0.1:\(server.port)"

        let sessions = Sample.sessions(3, seed: 77)
        let file = dir.write("t.ndjson", Sample.ndjson(sessions.flatMap { $0 }) + Array("not json\n".utf8))
        let ingest = cli("ingest", file, "--collector", url, "--token", writer.token, "--batch", "40", "--json")
        #expect(ingest.code == 1, "\(ingest.err)")  // the bad last line
        let report = try #require(try JSONParser.parse(Array(ingest.out.utf8))["files"]?.arrayValue?.first)
        #expect(report["accepted"]?.int64Value == Int64(sessions.flatMap { $0 }.count))
        #expect(report["rejected"]?.arrayValue?.first?["line"]?.int64Value == Int64(sessions.flatMap { $0 }.count + 1))

        let list = cli("sessions", "--collector", url, "--token", reader.token, "--json")
        #expect(list.code == 0, "\(list.err)")
        let ids = try #require(try JSONParser.parse(Array(list.out.utf8))["sessions"]?.arrayValue).compactMap { $0["id"]?.stringValue }
        #expect(Set(ids) == Set(sessions.map { $0[0].session.string }))

        let target = sessions[1]
        let events = cli("events", target[0].session.string, "--collector", url, "--token", reader.token, "--json")
        #expect(events.outBytes == Sample.ndjson(target))
        let verify = cli("verify", target[0].session.string, "--collector", url, "--token", reader.token)
        #expect(verify.code == 0)
        #expect(verify.out.contains("chain intact"))

        // Another project sees nothing and gets "not found", not "forbidden".
        let other = cli("sessions", "--collector", url, "--token", outsider.token)
        #expect(other.out.contains("no sessions match"))
        let hidden = cli("verify", target[0].session.string, "--collector", url, "--token", outsider.token)
        #expect(hidden.code == 3)
        // An ingest token cannot read; a wrong token is refused.
        #expect(cli("sessions", "--collector", url, "--token", writer.token).code == 4)
        let wrong = cli("sessions", "--collector", url, "--token", "px_wrong")
        #expect(wrong.code == 4)
        #expect(wrong.err.contains("401"))
    }

    @Test func tokenCreatePrintsTheTokenOnceAndStoresOnlyItsHash() throws {
        let dir = TempDir()
        let db = dir.file("t.sqlite")
        let run = cli("collector", "token", "create", "--db", db, "--project", "p1", "--role", "read", "--json")
        #expect(run.code == 0, "\(run.err)")
        let token = try #require(try JSONParser.parse(Array(run.out.utf8))["token"]?.stringValue)
        #expect(token.hasPrefix("px_"))
        let identity = try SQLiteStore(path: db).authenticate(token)
        #expect(identity?.project == "p1")
        #expect(identity?.role == .read)
        let bad = cli("collector", "token", "create", "--db", db, "--project", "p1", "--role", "root")
        #expect(bad.code == 2)
        let insecure = cli("collector", "serve", "--db", db, "--listen", "0.0.0.0:0", "--insecure-no-auth")
        #expect(insecure.code == 2)
        #expect(insecure.err.contains("loopback"))
    }
}
