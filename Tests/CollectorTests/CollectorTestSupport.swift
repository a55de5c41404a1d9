import Foundation
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// A started collector on 127.0.0.1 (port 0) over a fresh temp-dir store, with tokens for two
/// projects: "alpha" (ingest, read, admin) and "beta" (ingest, read). Call `stop()` when done.
final class CollectorFixture {
    let directory: URL
    let store: SQLiteStore
    let server: CollectorServer
    let ingest: IssuedToken
    let read: IssuedToken
    let admin: IssuedToken
    let betaIngest: IssuedToken
    let betaRead: IssuedToken
    var port: UInt16 { server.port }

    init(_ configure: (inout CollectorConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coltests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("collector.sqlite").path)
        ingest = try store.createToken(project: "alpha", role: .ingest, name: "alpha-ingest")
        read = try store.createToken(project: "alpha", role: .read, name: "alpha-read")
        admin = try store.createToken(project: "alpha", role: .admin, name: "alpha-admin")
        betaIngest = try store.createToken(project: "beta", role: .ingest, name: "beta-ingest")
        betaRead = try store.createToken(project: "beta", role: .read, name: "beta-read")
        var configuration = CollectorConfiguration()
        configuration.port = 0
        configuration.threads = 4
        configure(&configuration)
        server = try CollectorServer(store: store, configuration: configuration)
        try server.start()
    }

    deinit {
        server.shutdown(drainTimeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }

    func stop() { server.shutdown(drainTimeout: 5) }

    func client() throws -> RawClient { try RawClient(port: port) }

    /// One request on a fresh connection; `token` nil sends no Authorization header.
    func request(_ method: String, _ target: String, token: String?, headers: [String] = [],
                 body: [UInt8] = []) throws -> RawResponse {
        var lines = headers
        if let token { lines.append("Authorization: Bearer \(token)") }
        if !body.isEmpty || method == "POST" || method == "PUT" { lines.append("Content-Length: \(body.count)") }
        lines.append("Connection: close")
        let connection = try client()
        if method == "HEAD" {
            connection.send(requestHead(method, target, lines))
            return try #require(Self.readHead(connection), "no response to HEAD \(target)")
        }
        return try #require(connection.exchange(requestHead(method, target, lines), body: body),
                            "no response to \(method) \(target)")
    }

    /// A reply to HEAD has no body whatever its Content-Length says: read the head only.
    static func readHead(_ client: RawClient) -> RawResponse? {
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            var byte: UInt8 = 0
            guard recv(client.fd, &byte, 1, 0) == 1 else { return nil }
            head.append(byte)
        }
        guard let (status, headers) = RawClient.parseHead(String(decoding: head.dropLast(4), as: UTF8.self)) else { return nil }
        return RawResponse(status: status, headers: headers, body: [])
    }

    /// `POST /v1/events` of an NDJSON body, zstd-compressed unless `zstd` is false.
    func post(_ ndjson: [UInt8], token: String? = nil, zstd: Bool = true, headers: [String] = []) throws -> RawResponse {
        let body = zstd ? Zstd.compress(ndjson) : ndjson
        var extra = ["Content-Type: application/x-ndjson"] + headers
        if zstd { extra.append("Content-Encoding: zstd") }
        return try request("POST", "/v1/events", token: token ?? ingest.token, headers: extra, body: body)
    }

    func post(_ events: [Event], token: String? = nil) throws -> RawResponse {
        try post(NDJSONBatch.encode(events), token: token)
    }

    /// `GET /v1/sessions/<id>/events` as the alpha reader.
    func storedEvents(_ session: SessionID, token: String? = nil) throws -> [UInt8] {
        let response = try request("GET", "/v1/sessions/\(session)/events", token: token ?? read.token)
        #expect(response.status == 200, "\(response.text)")
        return response.body
    }

    /// `GET` of a JSON endpoint as the alpha reader; the parsed reply.
    func json(_ target: String, token: String? = nil) throws -> JSONValue {
        let response = try request("GET", target, token: token ?? read.token)
        #expect(response.status == 200, "GET \(target): \(response.status) \(response.text)")
        return try #require(response.json, "GET \(target) is not JSON: \(response.text)")
    }

    /// The `/metrics` samples by series, e.g. `parallax_events_total{outcome="accepted"}`.
    func metrics() throws -> [String: Double] {
        let response = try request("GET", "/metrics", token: admin.token)
        #expect(response.status == 200)
        var samples: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                Issue.record("not a sample line: \(line)")
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// A fixed small batch that must keep being accepted (or found duplicate) whatever else happens.
    static let probe: [Event] = Array(syntheticSessions(1, seed: 9_999)[0].prefix(3))

    /// Checks a well-behaved client is still served: its batch is answered 200 and accounted for.
    func expectServing(sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let response = try post(Self.probe)
            #expect(response.status == 200, "probe batch: \(response.status) \(response.text)", sourceLocation: sourceLocation)
            let accepted = response.json?["accepted"]?.int64Value ?? -1
            let duplicates = response.json?["duplicates"]?.int64Value ?? -1
            #expect(accepted + duplicates == 3, "probe batch: \(response.text)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("probe batch failed: \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Complete, chained sessions from `SyntheticTrace` (deterministic for a seed).
func syntheticSessions(_ count: Int, seed: UInt64) -> [[Event]] {
    var trace = SyntheticTrace(seed: seed)
    return (0..<count).map { _ in trace.session() }
}

/// The canonical NDJSON the collector returns for `events`: canonical bytes and LF per event.
func canonicalNDJSON(_ events: [Event]) -> [UInt8] {
    events.flatMap { $0.canonicalBytes() + [0x0A] }
}

extension JSONValue {
    /// The reply's `acked` watermark of `session`.
    func acked(_ session: SessionID) -> Int64? { self["acked"]?[session.string]?.int64Value }
}
