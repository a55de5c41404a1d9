import Foundation
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// The collector's API against a real server: events and blobs round trip, and the query endpoints.
@Suite("Collector API: round trip and queries")
struct CollectorAPITests {
    @Test func eventsPostedWithZstdComeBackByteIdentical() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let sessions = syntheticSessions(3, seed: 1)
        // One batch, sessions interleaved and every session's events in reverse order.
        let batch = sessions.flatMap { $0.reversed() }
        let response = try fixture.post(batch)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.headers["content-type"] == "application/json")
        let reply = try #require(response.json)
        #expect(reply["accepted"]?.int64Value == Int64(batch.count))
        #expect(reply["duplicates"]?.int64Value == 0)
        #expect(reply["rejected"]?.arrayValue?.isEmpty == true)
        #expect(reply["conflicts"]?.arrayValue?.isEmpty == true)
        for session in sessions {
            #expect(reply.acked(session[0].session) == Int64(session.count - 1))
        }

        for session in sessions {
            let plain = try fixture.request("GET", "/v1/sessions/\(session[0].session)/events", token: fixture.read.token)
            #expect(plain.status == 200)
            #expect(plain.headers["content-type"] == "application/x-ndjson")
            #expect(plain.headers["content-encoding"] == nil)
            #expect(plain.body == canonicalNDJSON(session))

            let compressed = try fixture.request("GET", "/v1/sessions/\(session[0].session)/events", token: fixture.read.token,
                                                 headers: ["Accept-Encoding: gzip, zstd"])
            #expect(compressed.status == 200)
            #expect(compressed.headers["content-encoding"] == "zstd")
            #expect(compressed.body != plain.body)
            #expect(try Zstd.decompress(compressed.body) == canonicalNDJSON(session))

            let refused = try fixture.request("GET", "/v1/sessions/\(session[0].session)/events", token: fixture.read.token,
                                              headers: ["Accept-Encoding: zstd;q=0, identity"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.body == canonicalNDJSON(session))
        }
    }

    @Test func nonCanonicalLinesAreStoredAndServedCanonically() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 2)[0]
        // Same events, spelled differently: pretty key order reversed, spaces, CRLF line ends.
        var body: [UInt8] = []
        for event in session {
            let object = try #require(try JSONParser.parse(event.canonicalBytes()).objectValue)
            let members = object.sorted { $0.key > $1.key }.map { "\"\($0.key)\" : \($0.value.canonicalString)" }
            body += Array(("  { " + members.joined(separator: " ,\t") + " }\r\n").utf8)
        }
        let response = try fixture.post(body, zstd: false)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json?["accepted"]?.int64Value == Int64(session.count))
        #expect(try fixture.storedEvents(session[0].session) == canonicalNDJSON(session))
        // The canonical spelling of the same events is a duplicate of each, not a conflict.
        let again = try #require(try fixture.post(session).json)
        #expect(again["duplicates"]?.int64Value == Int64(session.count))
        #expect(again["conflicts"]?.arrayValue?.isEmpty == true)
    }

    @Test func eventsCanBeFilteredBySeqRangeAndKind() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 3)[0]
        #expect(try fixture.post(session).status == 200)
        let id = session[0].session
        let range = try fixture.request("GET", "/v1/sessions/\(id)/events?from_seq=2&to_seq=5", token: fixture.read.token)
        #expect(range.body == canonicalNDJSON(Array(session[2...5])))
        let kinds = try fixture.request("GET", "/v1/sessions/\(id)/events?kind=session.start&kind=session.end", token: fixture.read.token)
        #expect(kinds.body == canonicalNDJSON([session.first!, session.last!]))
        for bad in ["from_seq=x", "to_seq=-1", "from_seq=5&to_seq=2"] {
            let response = try fixture.request("GET", "/v1/sessions/\(id)/events?\(bad)", token: fixture.read.token)
            #expect(response.status == 400, "\(bad)")
        }
    }

    @Test func blobsRoundTripWithDigestChecks() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let bytes = Array(String(repeating: "stdout line of a long-running command\n", count: 500).utf8) + randomBytes(3000)
        let digest = Digest.sha256(bytes)
        let path = "/v1/blobs/sha256/\(digest.hex)"

        #expect(try fixture.request("HEAD", path, token: fixture.ingest.token).status == 404)
        #expect(try fixture.request("GET", path, token: fixture.read.token).status == 404)
        let wrong = try fixture.request("PUT", "/v1/blobs/sha256/\(Digest.sha256(bytes + [0]).hex)", token: fixture.ingest.token,
                                        headers: ["Content-Type: application/octet-stream"], body: bytes)
        #expect(wrong.status == 400)
        #expect(try fixture.request("HEAD", "/v1/blobs/sha256/\(Digest.sha256(bytes + [0]).hex)", token: fixture.ingest.token).status == 404)

        let put = try fixture.request("PUT", path, token: fixture.ingest.token, headers: ["Content-Type: application/octet-stream"], body: bytes)
        #expect(put.status == 201, "\(put.text)")
        let again = try fixture.request("PUT", path, token: fixture.ingest.token, headers: ["Content-Type: application/octet-stream"], body: bytes)
        #expect(again.status == 200)

        let head = try fixture.request("HEAD", path, token: fixture.read.token)
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == String(bytes.count))
        #expect(head.body.isEmpty)
        let get = try fixture.request("GET", path, token: fixture.read.token)
        #expect(get.status == 200)
        #expect(get.headers["content-type"] == "application/octet-stream")
        #expect(get.body == bytes)
        let compressed = try fixture.request("GET", path, token: fixture.read.token, headers: ["Accept-Encoding: zstd"])
        #expect(compressed.status == 200)
        #expect(compressed.headers["content-encoding"] == "zstd")
        #expect(try Zstd.decompress(compressed.body) == bytes)
    }

    @Test func blobUploadedWithZstdIsVerifiedAgainstItsDecodedBytes() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let bytes = Array(String(repeating: "compressible ", count: 4000).utf8)
        let digest = Digest.sha256(bytes)
        let put = try fixture.request("PUT", "/v1/blobs/sha256/\(digest.hex)", token: fixture.ingest.token,
                                      headers: ["Content-Type: application/octet-stream", "Content-Encoding: zstd"],
                                      body: Zstd.compress(bytes))
        #expect(put.status == 201, "\(put.text)")
        #expect(try fixture.request("GET", "/v1/blobs/sha256/\(digest.hex)", token: fixture.read.token).body == bytes)
        let damaged = try fixture.request("PUT", "/v1/blobs/sha256/\(Digest.sha256([1, 2, 3]).hex)", token: fixture.ingest.token,
                                          headers: ["Content-Encoding: zstd"], body: [0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3])
        #expect(damaged.status == 400)
        let gzip = try fixture.request("PUT", "/v1/blobs/sha256/\(digest.hex)", token: fixture.ingest.token,
                                       headers: ["Content-Encoding: gzip"], body: [1, 2, 3])
        #expect(gzip.status == 415)
    }

    @Test func verifyReportsAnIntactChain() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 4)[0]
        #expect(try fixture.post(session).status == 200)
        let report = try fixture.json("/v1/sessions/\(session[0].session)/verify")
        #expect(report["session"]?.stringValue == session[0].session.string)
        #expect(report["intact"]?.boolValue == true)
        #expect(report["events"]?.int64Value == Int64(session.count))
        #expect(report["last_seq"]?.int64Value == Int64(session.count - 1))
        #expect(report["head"]?.stringValue == session.last!.digest.description)
        #expect(report["findings"]?.arrayValue?.isEmpty == true)
        #expect(report["conflicts"]?.arrayValue?.isEmpty == true)
    }

    @Test func sessionSummaryDescribesTheSession() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 5)[0]
        #expect(try fixture.post(session).status == 200)
        let start = session[0]
        let summary = try fixture.json("/v1/sessions/\(start.session)")
        #expect(summary["id"]?.stringValue == start.session.string)
        #expect(summary["agent"]?.stringValue == "demo-agent")
        #expect(summary["agent_version"]?.stringValue == "1.4.2")
        #expect(summary["task"] == start.data["task"])
        #expect(summary["condition"] == start.data["condition"])
        #expect(summary["worker"] == start.data["worker"])
        #expect(summary["status"]?.stringValue == "completed")
        #expect(summary["started_at"]?.stringValue == start.ts.rfc3339)
        #expect(summary["ended_at"]?.stringValue == session.last!.ts.rfc3339)
        #expect(summary["event_count"]?.int64Value == Int64(session.count))
        #expect(summary["last_seq"]?.int64Value == Int64(session.count - 1))
        #expect(summary["acked_seq"]?.int64Value == Int64(session.count - 1))
        #expect(summary["conflicts"]?.int64Value == 0)
        #expect(summary["has_gaps"]?.boolValue == false)
        #expect(summary["replay_of"]?.isNull == true)

        let unknown = SessionID(milliseconds: 1_795_000_000_000, randomness: [UInt8](repeating: 7, count: 10))
        for suffix in ["", "/events", "/verify"] {
            #expect(try fixture.request("GET", "/v1/sessions/\(unknown)\(suffix)", token: fixture.read.token).status == 404)
            #expect(try fixture.request("GET", "/v1/sessions/not-a-ulid\(suffix)", token: fixture.read.token).status == 400)
        }
    }

    @Test func sessionListFiltersAndPagesNewestFirst() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        var trace = SyntheticTrace(seed: 6)
        var sessions: [[Event]] = []
        for i in 0..<7 {
            sessions.append(trace.session(task: i % 2 == 0 ? "rotate-logs" : "migrate-schema", condition: i < 3 ? "supervised" : "unsupervised"))
        }
        sessions[6].removeLast()  // no session.end: running
        #expect(try fixture.post(sessions.flatMap { $0 }).status == 200)
        let newestFirst = sessions.reversed().map { $0[0].session.string }

        func ids(_ query: String) throws -> [String] {
            let page = try fixture.json("/v1/sessions\(query)")
            #expect(page["next_cursor"]?.isNull == true, "\(query)")
            return try #require(page["sessions"]?.arrayValue).compactMap { $0["id"]?.stringValue }
        }
        #expect(try ids("") == newestFirst)
        #expect(try ids("?task=rotate-logs") == newestFirst.enumerated().filter { (6 - $0.offset) % 2 == 0 }.map(\.element))
        #expect(try ids("?condition=supervised&task=migrate-schema") == [sessions[1][0].session.string])
        #expect(try ids("?status=running") == [sessions[6][0].session.string])
        #expect(try ids("?status=completed").count == 6)
        #expect(try ids("?agent=demo-agent").count == 7)
        #expect(try ids("?agent=other-agent").isEmpty)
        #expect(try ids("?worker=\(sessions[2][0].data["worker"]!.stringValue!)").contains(sessions[2][0].session.string))
        #expect(try ids("?unknown_parameter=1").count == 7)
        let since = sessions[2][0].ts.rfc3339, until = sessions[5][0].ts.rfc3339
        #expect(try ids("?since=\(since)&until=\(until)") == [4, 3, 2].map { sessions[$0][0].session.string })

        // Pages of 3 through the cursor: every session once, in order.
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let query = "?limit=3" + (cursor.map { "&cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
            let page = try fixture.json("/v1/sessions\(query)")
            let batch = try #require(page["sessions"]?.arrayValue)
            #expect(batch.count <= 3)
            seen += batch.compactMap { $0["id"]?.stringValue }
            cursor = page["next_cursor"]?.stringValue
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == newestFirst)
        #expect(pages == 3)

        for bad in ["limit=0", "limit=1001", "limit=ten", "since=yesterday", "until=2026-13-01T00:00:00Z", "cursor=garbage"] {
            let response = try fixture.request("GET", "/v1/sessions?\(bad)", token: fixture.read.token)
            #expect(response.status == 400, "\(bad): \(response.text)")
            #expect(response.json?["error"] != nil)
        }
    }
}
