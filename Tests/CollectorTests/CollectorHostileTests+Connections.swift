import Foundation
import Synchronization
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// Hostile clients and requests at the HTTP level: big headers, tricklers, odd paths, floods.
@Suite("Collector: hostile clients")
struct CollectorHostileConnectionTests {
    @Test func oneMegabyteHeaderGets431WhileOthersAreServed() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let hostile = try fixture.client()
        let sent = hostile.send(requestHead("GET", "/v1/sessions", [
            "Authorization: Bearer \(fixture.read.token)", "X-Padding: " + String(repeating: "p", count: 1 << 20),
        ]))
        fixture.expectServing()
        let response = try #require(hostile.readResponse(), "whole header sent: \(sent)")
        #expect(response.status == 431 || response.status == 413)
        fixture.expectServing()
    }

    @Test func clientTricklingABatchIsCutOff() throws {
        let fixture = try CollectorFixture { $0.requestTimeoutSeconds = 2 }
        defer { fixture.stop() }
        let trickler = try fixture.client()
        let body = NDJSONBatch.encode(syntheticSessions(1, seed: 41)[0])
        trickler.send(requestHead("POST", "/v1/events", [
            "Authorization: Bearer \(fixture.ingest.token)", "Content-Type: application/x-ndjson", "Content-Length: \(body.count)",
        ]))
        var sent = 0
        var servedMeanwhile = 0
        // One byte per 100 ms at most; the deadline (2 s) ends it long before the body is complete.
        while sent < min(body.count, 300), !trickler.isReadable(milliseconds: 100), trickler.send([body[sent]]) {
            sent += 1
            if sent % 5 == 0 {
                fixture.expectServing()
                servedMeanwhile += 1
            }
        }
        let response = trickler.readResponse()
        #expect(response?.status == 408)
        #expect(sent < min(body.count, 300))
        #expect(servedMeanwhile >= 1)
        #expect(trickler.isClosedByPeer())
        #expect(try fixture.store.session(syntheticSessions(1, seed: 41)[0][0].session, project: nil) == nil)
        fixture.expectServing()
    }

    static let validHex = Digest.sha256(Array("x".utf8)).hex

    @Test(arguments: [
        "/v1/blobs/sha256/../../etc/passwd",
        "/v1/blobs/sha256/..%2f..%2fetc%2fpasswd",
        "/v1/blobs/sha256/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/v1/blobs/sha256/%2e%2e",
        "/v1/blobs/sha256/" + validHex.uppercased(),
        "/v1/blobs/sha256/" + String(validHex.dropLast()),
        "/v1/blobs/sha256/" + validHex + "0",
        "/v1/blobs/sha256/" + String(validHex.dropLast()) + "%00",
        "/v1/blobs/sha256/" + String(validHex.dropLast()) + "g",
        "/v1/blobs/sha256/" + validHex + "/../" + validHex,
        "/v1/blobs/sha256/" + validHex + "%2f..",
        "/v1/blobs/sha512/" + validHex,
        "/v1/blobs/sha256/",
        "/v1/blobs/../../../etc/passwd",
    ])
    func pathTraversalInBlobURLsNeverReadsAFile(path: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        for method in ["GET", "PUT"] {
            let token = method == "PUT" ? fixture.ingest.token : fixture.admin.token
            let response = try fixture.request(method, path, token: token, body: method == "PUT" ? Array("x".utf8) : [])
            #expect(response.status == 400 || response.status == 404, "\(method) \(path): \(response.status)")
            #expect(!response.text.contains("root:"))
        }
        fixture.expectServing()
    }

    @Test func rawNulInTheRequestLineGets400() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        let line = Array("GET /v1/blobs/sha256/\(String(Self.validHex.prefix(10)))".utf8) + [0]
            + Array("\(String(Self.validHex.dropFirst(11))) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.admin.token)\r\nConnection: close\r\n\r\n".utf8)
        client.send(line)
        let response = try #require(client.readResponse())
        #expect(response.status == 400)
        fixture.expectServing()
    }

    @Test(arguments: ["/", "/v1", "/v1/", "/v2/events", "/v1/events/extra", "/v1/sessions/a/b/c", "/metrics/", "/index.html", "/v1/traces"])
    func unknownPathGets404(path: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try fixture.request("GET", path, token: fixture.admin.token)
        #expect(response.status == 404, "\(path)")
        #expect(response.json?["error"] != nil)
    }

    @Test(arguments: [
        ("GET", "/v1/events", "POST"), ("DELETE", "/v1/events", "POST"), ("PUT", "/v1/events", "POST"),
        ("POST", "/v1/sessions", "GET, HEAD"), ("DELETE", "/v1/blobs/sha256/" + validHex, "GET, HEAD, PUT"),
        ("POST", "/metrics", "GET, HEAD"), ("PATCH", "/healthz", "GET, HEAD"),
    ])
    func wrongMethodGets405WithAllow(method: String, path: String, allow: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try fixture.request(method, path, token: fixture.admin.token)
        #expect(response.status == 405, "\(method) \(path)")
        #expect(response.headers["allow"] == allow)
        fixture.expectServing()
    }

    @Test func floodingTokenGets429WithRetryAfterAndOthersAreServed() throws {
        let fixture = try CollectorFixture { $0.requestsPerSecond = 0.01; $0.burst = 3 }
        defer { fixture.stop() }
        let batch = NDJSONBatch.encode(CollectorFixture.probe)
        for attempt in 1...3 {
            let response = try fixture.post(batch)
            #expect(response.status == 200, "request \(attempt) within the burst: \(response.text)")
        }
        let refused = try fixture.post(batch)
        #expect(refused.status == 429)
        let retryAfter = try #require(refused.headers["retry-after"].flatMap { Int($0) })
        #expect(retryAfter >= 1)
        // Another token is not held back by this one's flood.
        let other = try fixture.post(syntheticSessions(1, seed: 42)[0], token: fixture.betaIngest.token)
        #expect(other.status == 200)
        // Reads are not part of the ingest rate.
        #expect(try fixture.request("GET", "/v1/sessions", token: fixture.read.token).status == 200)
    }

    @Test func fullIngestQueueGets503WithRetryAfter() throws {
        let fixture = try CollectorFixture { $0.maxQueuedEvents = 5 }
        defer { fixture.stop() }
        // Both tokens get cached now: authentication must not need the store while it is blocked.
        fixture.expectServing()
        #expect(try fixture.post(syntheticSessions(1, seed: 44)[0], token: fixture.betaIngest.token).status == 200)
        #expect(try fixture.metrics()["parallax_ingest_queue_events"] == 0)
        // Another connection holds SQLite's write lock, so the next commit waits in the queue.
        let blocker = try Database(path: fixture.store.path, options: .init(create: false))
        try blocker.execute("BEGIN IMMEDIATE")
        defer { try? blocker.execute("ROLLBACK") }  // only matters when the test fails before COMMIT
        let session = syntheticSessions(1, seed: 43)[0]
        let outcome = Mutex<RawResponse?>(nil)
        let finished = Mutex(false)
        let port = fixture.port, token = fixture.ingest.token
        let body = NDJSONBatch.encode(session)
        Thread.detachNewThread {
            let client = try? RawClient(port: port)
            let response = client?.exchange(requestHead("POST", "/v1/events", [
                "Authorization: Bearer \(token)", "Content-Type: application/x-ndjson", "Content-Length: \(body.count)",
            ]), body: body)
            outcome.withLock { $0 = response }
            finished.withLock { $0 = true }
        }
        let queued = waitUntil { fixture.server.service.committer.depth >= session.count }
        #expect(queued)

        let refused = try fixture.post(CollectorFixture.probe, token: fixture.betaIngest.token)
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"].flatMap { Int($0) } ?? 0 >= 1)
        let ready = try fixture.request("GET", "/readyz", token: nil)
        #expect(ready.status == 503)
        #expect(ready.headers["retry-after"] != nil)
        // A scrape does not wait for the stuck commit, and shows the queue.
        #expect(try fixture.metrics()["parallax_ingest_queue_events"] == Double(session.count))

        try blocker.execute("COMMIT")
        #expect(waitUntil { finished.withLock { $0 } })
        let stored = outcome.withLock { $0 }
        #expect(stored?.status == 200)
        #expect(stored?.json?["accepted"]?.int64Value == Int64(session.count))
        #expect(try fixture.request("GET", "/readyz", token: nil).status == 200)
        fixture.expectServing()
    }
}
