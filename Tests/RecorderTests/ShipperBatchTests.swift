import Recorder
import Shipper
import Testing
import TraceModel
import TraceWire

@Suite struct ShipperBatchTests {
    let session = SessionID.generate()

    func records(_ sizes: [Int]) -> [SpooledEvent] {
        sizes.enumerated().map { SpooledEvent(seq: UInt64($0.offset), bytes: Array(repeating: UInt8(ascii: "x"), count: $0.element)) }
    }

    @Test func cutsAtTheEventLimit() {
        let batch = EventBatch.cut(records([10, 10, 10, 10]), session: session, maxEvents: 3, maxBytes: 1 << 20)
        #expect(batch.records.map(\.seq) == [0, 1, 2])
    }

    @Test func cutsAtTheByteLimitCountingNewlines() {
        // 10 + 1 bytes per line: three lines are 33 bytes.
        #expect(EventBatch.cut(records([10, 10, 10, 10]), session: session, maxEvents: 100, maxBytes: 33).records.count == 3)
        #expect(EventBatch.cut(records([10, 10, 10, 10]), session: session, maxEvents: 100, maxBytes: 32).records.count == 2)
    }

    @Test func anEventOverTheByteLimitTravelsAlone() {
        let batch = EventBatch.cut(records([500, 10]), session: session, maxEvents: 100, maxBytes: 100)
        #expect(batch.records.map(\.seq) == [0])
        #expect(EventBatch.cut([], session: session, maxEvents: 10, maxBytes: 10).records.isEmpty)
    }

    @Test func theBodyIsTheCanonicalBytesJoinedByNewlinesAndCompressed() throws {
        let events = [SpooledEvent(seq: 0, bytes: Array(#"{"a":1}"#.utf8)), SpooledEvent(seq: 1, bytes: Array(#"{"b":"é"}"#.utf8))]
        let batch = EventBatch(session: session, records: events)
        #expect(batch.ndjson() == Array("{\"a\":1}\n{\"b\":\"é\"}\n".utf8))
        let compressor = try ZstdCompressor(level: 3)
        let body = batch.compressedBody(using: compressor)
        #expect(Zstd.looksCompressed(body))
        #expect(try Zstd.decompress(body) == batch.ndjson())
    }

    @Test func halvesSplitInOrder() {
        let batch = EventBatch(session: session, records: records([1, 1, 1, 1, 1]))
        let (a, b) = batch.halves()
        #expect(a.records.map(\.seq) == [0, 1] && b.records.map(\.seq) == [2, 3, 4])
    }

    @Test func blobReferencesComeFromTheTopLevelBlobsMapOnly() throws {
        let d1 = Digest.sha256(Array("one".utf8))
        let d2 = Digest.sha256(Array("two".utf8))
        let d3 = Digest.sha256(Array("nested".utf8))
        func event(_ seq: UInt64, data: [String: JSONValue], blobs: [String: Digest]) -> SpooledEvent {
            let e = Event(session: session, seq: seq, ts: Timestamp(microseconds: 0), monoNs: seq, kind: .processExec, actor: .tool,
                          data: data, blobs: blobs)
            return SpooledEvent(seq: seq, bytes: e.canonicalBytes())
        }
        let batch = EventBatch(session: session, records: [
            event(0, data: ["text": .string(#"say "blobs":{"x":"sha256:00"}"#)], blobs: [:]),
            event(1, data: ["blobs": .object(["inner": .string(d3.description)])], blobs: ["stdout": d1, "stderr": d2]),
            event(2, data: [:], blobs: ["again": d1]),
            SpooledEvent(seq: 3, bytes: Array(#"{"blobs":{"bad":"sha256:xyz","worse":7},"seq":3}"#.utf8)),
            SpooledEvent(seq: 4, bytes: Array(#"{"blobs": not json"#.utf8)),
        ])
        let found = batch.blobReferences()
        #expect(Set(found.map(\.digest)) == [d1, d2])
        #expect(found.allSatisfy { $0.seq == 1 })
    }
}

@Suite struct ShipperConfigurationTests {
    @Test func aUsableConfigurationValidates() throws {
        try ShipperConfiguration(collectors: ["https://collector.example:7437"], token: "px_t").validate()
        try ShipperConfiguration(collectors: ["http://127.0.0.1:7437", "http://localhost:1", "http://[::1]:2"], token: "px_t").validate()
        try ShipperConfiguration(collectors: ["http://collector.internal:7437"], token: nil).validate()
    }

    @Test(arguments: [
        ([], "no collector"),
        (["collector:7437"], "not an http"),
        (["ftp://collector"], "not an http"),
        (["http://"], "not an http"),
        (["https://c.example/?x=1"], "plain base URL"),
        (["http://collector.example:7437"], "plain http"),
        (["http://127.0.0.1:1", "http://10.0.0.5:7437"], "plain http"),
    ])
    func badConfigurationsAreRefused(urls: [String], mentions: String) {
        do {
            try ShipperConfiguration(collectors: urls, token: "px_secret").validate()
            Issue.record("accepted \(urls)")
        } catch {
            #expect(error.code == .configuration)
            #expect(error.message.contains(mentions), "\(error.message)")
            #expect(!error.description.contains("px_secret"))
        }
    }

    @Test func limitsAreChecked() {
        var configuration = ShipperConfiguration(collectors: ["http://127.0.0.1:1"])
        configuration.maxBatchEvents = 0
        #expect(throws: ShipperError.self) { try configuration.validate() }
        configuration.maxBatchEvents = 10
        configuration.attempts = 0
        #expect(throws: ShipperError.self) { try configuration.validate() }
    }

    @Test func theTokenComesFromTheFlagElseTheEnvironment() {
        #expect(ShipperConfiguration.token(explicit: "a", environment: ["PARALLAX_TOKEN": "b"]) == "a")
        #expect(ShipperConfiguration.token(explicit: nil, environment: ["PARALLAX_TOKEN": "b"]) == "b")
        #expect(ShipperConfiguration.token(explicit: "", environment: ["PARALLAX_TOKEN": ""]) == nil)
    }
}
