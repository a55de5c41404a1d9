import Foundation
import Synchronization
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// What an operator sees: metrics that add up, and a shutdown that loses no acknowledged batch.
@Suite("Collector API: metrics and shutdown")
struct CollectorAPIOperationsTests {
    @Test func metricsCountWhatWasSent() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 51)[0]
        let plain = NDJSONBatch.encode(session)
        let compressed = Zstd.compress(plain)
        var altered = session[2]
        altered.monoNs += 1
        let conflict = NDJSONBatch.encode([altered])
        let garbage = Array("not json\n{}\n".utf8)
        let truncated = Array(compressed.dropLast(3))
        let zstdHeaders = ["Content-Type: application/x-ndjson", "Content-Encoding: zstd"]
        let identityHeaders = ["Content-Type: application/x-ndjson"]

        func send(_ body: [UInt8], _ headers: [String]) throws -> Int {
            try fixture.request("POST", "/v1/events", token: fixture.ingest.token, headers: headers, body: body).status
        }
        #expect(try send(compressed, zstdHeaders) == 200)        // accepted
        #expect(try send(compressed, zstdHeaders) == 200)        // duplicates
        #expect(try send(conflict, identityHeaders) == 200)      // one conflict
        #expect(try send(garbage, identityHeaders) == 200)       // two rejected lines
        #expect(try send(truncated, zstdHeaders) == 400)
        #expect(try send(plain, ["Content-Encoding: gzip"]) == 415)
        #expect(try fixture.request("GET", "/metrics", token: fixture.read.token).status == 403)
        #expect(try fixture.request("GET", "/metrics", token: nil).status == 401)

        let response = try fixture.request("GET", "/metrics", token: fixture.admin.token)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(response.text.contains("# TYPE parallax_commit_seconds histogram"))
        let m = try fixture.metrics()
        #expect(m["parallax_events_total{outcome=\"accepted\"}"] == Double(session.count))
        #expect(m["parallax_events_total{outcome=\"duplicate\"}"] == Double(session.count))
        #expect(m["parallax_events_total{outcome=\"conflict\"}"] == 1)
        let rejected = m.filter { $0.key.hasPrefix("parallax_events_total{outcome=\"rejected\"") }
        #expect(rejected.values.reduce(0, +) == 2)
        #expect(rejected.keys.allSatisfy { $0.contains("reason=\"") })

        #expect(m["parallax_batches_total{code=\"200\"}"] == 4)
        #expect(m["parallax_batches_total{code=\"400\"}"] == 1)
        #expect(m["parallax_batches_total{code=\"415\"}"] == 1)
        let sentBytes = 2 * compressed.count + conflict.count + garbage.count + truncated.count
        #expect(m["parallax_ingest_bytes_total{form=\"compressed\"}"] == Double(sentBytes))
        #expect(m["parallax_ingest_bytes_total{form=\"raw\"}"] == Double(2 * plain.count + conflict.count + garbage.count))
        #expect(m["parallax_ingest_queue_events"] == 0)
        #expect((m["parallax_store_bytes"] ?? 0) > 0)

        // The commit histogram: one commit per batch that had events to store, cumulative buckets.
        let commits = try #require(m["parallax_commit_seconds_count"])
        #expect(commits >= 1 && commits <= 3)
        #expect(m["parallax_commit_seconds_bucket{le=\"+Inf\"}"] == commits)
        let buckets = Metrics.latencyBuckets.compactMap { m["parallax_commit_seconds_bucket{le=\"\($0)\"}"] }
        #expect(buckets.count == Metrics.latencyBuckets.count)
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((buckets.last ?? .infinity) <= commits)
        #expect((m["parallax_commit_seconds_sum"] ?? -1) >= 0)
    }

    @Test func shutdownFinishesTheBatchInFlightThenRefusesConnections() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        fixture.expectServing()
        let session = syntheticSessions(1, seed: 52)[0]
        let body = Zstd.compress(NDJSONBatch.encode(session))
        let inFlight = try fixture.client()
        inFlight.send(requestHead("POST", "/v1/events", [
            "Authorization: Bearer \(fixture.ingest.token)", "Content-Type: application/x-ndjson", "Content-Encoding: zstd",
            "Content-Length: \(body.count)",
        ]))
        inFlight.send(Array(body.prefix(10)))
        let http = fixture.server.server
        #expect(waitUntil { http.activeRequests == 1 })

        let returned = Mutex(false)
        let server = fixture.server
        Thread.detachNewThread {
            server.shutdown(drainTimeout: 30)
            returned.withLock { $0 = true }
        }
        #expect(waitUntil { http.state == .draining })
        #expect(RawClient.connectError(port: fixture.port) == ECONNREFUSED)

        inFlight.send(Array(body.dropFirst(10)))
        let response = try #require(inFlight.readResponse())
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json?["accepted"]?.int64Value == Int64(session.count))
        #expect(waitUntil { returned.withLock { $0 } })
        #expect(http.state == .stopped)

        let stored = try #require(try fixture.store.session(session[0].session, project: "alpha"))
        #expect(stored.eventCount == session.count)
        #expect(try fixture.store.events(session: session[0].session).map(\.bytes) == session.map { $0.canonicalBytes() })
        #expect(RawClient.connectError(port: fixture.port) == ECONNREFUSED)
        // The WAL was checkpointed into the main file.
        let wal = fixture.store.path + "-wal"
        let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        #expect(walSize == 0)
    }
}
