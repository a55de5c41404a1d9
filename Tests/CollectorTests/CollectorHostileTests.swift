import Foundation
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// Hostile and broken request bodies: each gets its 4xx (or per-line rejection), nothing of a
/// refused request is stored, and a well-behaved client is served right after.
@Suite("Collector: hostile bodies")
struct CollectorHostileTests {
    /// 1 GiB of zeros as one zstd frame (about 40 KB), made once by streaming.
    static let zstdBomb: [UInt8] = {
        let compressor = try! ZstdCompressor(options: ZstdCompressionOptions(level: 1, contentSize: false))
        var out: [UInt8] = []
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<1024 { compressor.feed(zeros, into: &out) }
        compressor.finish(into: &out)
        return out
    }()

    static func zstdPost(_ fixture: CollectorFixture, _ body: [UInt8]) throws -> RawResponse {
        try fixture.request("POST", "/v1/events", token: fixture.ingest.token,
                            headers: ["Content-Type: application/x-ndjson", "Content-Encoding: zstd"], body: body)
    }

    static func isStored(_ fixture: CollectorFixture, _ session: SessionID) throws -> Bool {
        try fixture.store.session(session, project: nil) != nil
    }

    @Test func announcedBodyOverEightMebibytesGets413BeforeItIsSent() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        client.send(requestHead("POST", "/v1/events", [
            "Authorization: Bearer \(fixture.ingest.token)", "Content-Type: application/x-ndjson",
            "Content-Length: \((8 << 20) + 1)",
        ]))
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.json?["error"] != nil)
        fixture.expectServing()
    }

    @Test func chunkedBodyOverTheLimitGets413() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        client.send(requestHead("POST", "/v1/events", [
            "Authorization: Bearer \(fixture.ingest.token)", "Content-Type: application/x-ndjson", "Transfer-Encoding: chunked",
        ]))
        let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: 0x20, count: 0x10000) + [13, 10]
        var sent = 0
        // Keep sending until the server stops us: it must not take 16 MiB to say no.
        while sent < 16 << 20, !client.isReadable(), client.send(chunk) { sent += 0x10000 }
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(sent < 16 << 20)
        fixture.expectServing()
    }

    @Test func zstdBombGets413() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        #expect(Self.zstdBomb.count < 200_000)
        let response = try Self.zstdPost(fixture, Self.zstdBomb)
        #expect(response.status == 413, "\(response.text)")
        fixture.expectServing()
    }

    @Test func decompressedBodyJustOverTheLimitGets413AndNothingIsStored() throws {
        let fixture = try CollectorFixture { $0.maxDecompressedBytes = 1 << 20 }
        defer { fixture.stop() }
        // Valid events first, then padding past the limit: none of the events may be stored.
        let session = syntheticSessions(1, seed: 31)[0]
        let body = NDJSONBatch.encode(session) + [UInt8](repeating: 0x0A, count: 1 << 20)
        let response = try Self.zstdPost(fixture, Zstd.compress(body))
        #expect(response.status == 413)
        #expect(try !Self.isStored(fixture, session[0].session))
        let plain = try fixture.post(body, zstd: false)
        #expect(plain.status == 413)
        #expect(try !Self.isStored(fixture, session[0].session))
        fixture.expectServing()
    }

    @Test func zstdWindowOverEightMebibytesGets413() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let compressor = try ZstdCompressor(options: ZstdCompressionOptions(level: 1, windowLog: 27, contentSize: false))
        var body: [UInt8] = []
        compressor.feed(NDJSONBatch.encode(CollectorFixture.probe), into: &body)
        compressor.finish(into: &body)
        // The frame really asks for a 128 MiB window (and is otherwise valid).
        #expect(throws: ZstdError.self) { try Zstd.decompress(body, limits: ZstdLimits(maxWindowLog: 23)) }
        #expect(try Zstd.decompress(body, limits: ZstdLimits(maxWindowLog: 27)) == NDJSONBatch.encode(CollectorFixture.probe))
        let response = try Self.zstdPost(fixture, body)
        #expect(response.status == 413, "\(response.text)")
        #expect(try !Self.isStored(fixture, CollectorFixture.probe[0].session))
        fixture.expectServing()
    }

    @Test func truncatedZstdGets400AndNothingIsStored() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 32)[0]
        let whole = Zstd.compress(NDJSONBatch.encode(session))
        for cut in [1, 5, whole.count / 2] {
            let response = try Self.zstdPost(fixture, Array(whole.dropLast(cut)))
            #expect(response.status == 400, "cut \(cut): \(response.text)")
        }
        // A good frame followed by a partial one is refused whole.
        let response = try Self.zstdPost(fixture, whole + Array(whole.prefix(10)))
        #expect(response.status == 400)
        #expect(try !Self.isStored(fixture, session[0].session))
        fixture.expectServing()
    }

    @Test(arguments: [
        Array("this is not zstd at all\n".utf8),
        [0x28, 0xB5, 0x2F, 0xFD] + Array(repeating: 0xFF, count: 64),
        [0x28, 0xB5, 0x2F, 0xFD],
        [0xFF],
    ])
    func garbageAsZstdGets400(body: [UInt8]) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try Self.zstdPost(fixture, body)
        #expect(response.status == 400, "\(response.text)")
        #expect(response.json?["error"] != nil)
        fixture.expectServing()
    }

    @Test func garbageLinesAreRejectedOneByOneAndValidLinesStored() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = Array(syntheticSessions(1, seed: 33)[0].prefix(4))
        let lines: [[UInt8]] = [
            session[0].canonicalBytes(),
            Array("not json".utf8),
            [],                                         // blank: not counted
            session[1].canonicalBytes(),
            Array("{\"v\":1}".utf8),                    // JSON, not an event
            [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D],  // invalid UTF-8 inside a string
            Array("   \t".utf8),                        // blank
            Array("[1,2,3]".utf8),
            session[2].canonicalBytes(),
            Array(String(decoding: session[3].canonicalBytes(), as: UTF8.self).dropLast(5).utf8),  // cut short
            Array("{\"a\":1,\"a\":2}".utf8),           // duplicate key
        ]
        let body: [UInt8] = lines.flatMap { line -> [UInt8] in line + [0x0A] }
        for zstd in [false, true] {
            let response = try fixture.post(body, zstd: zstd)
            #expect(response.status == 200)
            let reply = try #require(response.json)
            let rejected = try #require(reply["rejected"]?.arrayValue)
            #expect(rejected.map { $0["line"]?.int64Value } == [2, 5, 6, 8, 10, 11])
            #expect(rejected.allSatisfy { !($0["reason"]?.stringValue ?? "").isEmpty })
            let accepted = reply["accepted"]?.int64Value ?? -1, duplicates = reply["duplicates"]?.int64Value ?? -1
            #expect(accepted + duplicates == 3)
            #expect(accepted == (zstd ? 0 : 3))
            #expect(reply.acked(session[0].session) == 2)
        }
        #expect(try fixture.storedEvents(session[0].session) == canonicalNDJSON(Array(session[0...2])))
        fixture.expectServing()
    }

    @Test func lineOverOneMebibyteIsRejectedAndTheNextLineStillProcessed() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = Array(syntheticSessions(1, seed: 34)[0].prefix(2))
        let long = Array("{\"pad\":\"".utf8) + [UInt8](repeating: 0x61, count: 1 << 20) + Array("\"}".utf8)
        let body = NDJSONBatch.encode([session[0]]) + long + [0x0A] + NDJSONBatch.encode([session[1]])
        let reply = try #require(try fixture.post(body).json)
        #expect(reply["rejected"]?.arrayValue?.map { $0["line"]?.int64Value } == [2])
        #expect(reply["accepted"]?.int64Value == 2)
        fixture.expectServing()
    }

    @Test func emptyBodyIsAnEmptySuccess() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        for zstd in [false, true] {
            let response = try fixture.post([], zstd: zstd)
            #expect(response.status == 200)
            let reply = try #require(response.json)
            #expect(reply["accepted"]?.int64Value == 0)
            #expect(reply["acked"]?.objectValue?.isEmpty == true)
        }
    }

    @Test(arguments: ["gzip", "br", "zstd, gzip", "deflate"])
    func unsupportedContentEncodingGets415(encoding: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try fixture.request("POST", "/v1/events", token: fixture.ingest.token,
                                           headers: ["Content-Type: application/x-ndjson", "Content-Encoding: \(encoding)"],
                                           body: NDJSONBatch.encode(CollectorFixture.probe))
        #expect(response.status == 415)
        #expect(try !Self.isStored(fixture, CollectorFixture.probe[0].session))
        fixture.expectServing()
    }

    @Test(arguments: ["text/plain", "application/octet-stream", "application/x-ndjson; charset=latin1", "application/x-ndjsonp"])
    func unsupportedContentTypeGets415(type: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try fixture.request("POST", "/v1/events", token: fixture.ingest.token, headers: ["Content-Type: \(type)"],
                                           body: NDJSONBatch.encode(CollectorFixture.probe))
        #expect(response.status == 415, "\(type)")
        fixture.expectServing()
    }

    @Test(arguments: ["application/x-ndjson; charset=utf-8", "Application/X-NDJSON; Charset=\"UTF-8\"", "application/x-ndjson"])
    func ndjsonWithUTF8CharsetIsAccepted(type: String) throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let response = try fixture.request("POST", "/v1/events", token: fixture.ingest.token, headers: ["Content-Type: \(type)"],
                                           body: NDJSONBatch.encode(CollectorFixture.probe))
        #expect(response.status == 200, "\(type)")
    }
}
