import Testing
import TraceModel
@testable import TraceWire

@Suite("NDJSON event batches")
struct NDJSONBatchTests {
    static let session = "01M88Y3WNB53GQ8EB053S2DCXY"
    static let prev = "sha256:" + String(repeating: "ab", count: 32)

    static func start() -> String {
        #"{"v":1,"session":"\#(session)","seq":0,"ts":"2026-11-25T08:45:50.123456Z","mono_ns":18211,"#
            + #""kind":"session.start","actor":"recorder","data":{"agent":{"name":"claude-code"}}}"#
    }

    static func message(seq: Int, text: String = "hi") -> String {
        #"{"v":1,"session":"\#(session)","seq":\#(seq),"ts":"2026-11-25T08:45:51.000001Z","mono_ns":\#(seq * 1000),"#
            + #""kind":"message","actor":"user","data":{"role":"user","text":"\#(text)"},"prev":"\#(prev)"}"#
    }

    static func events(_ count: Int) throws -> [Event] {
        var events = [try Event.decode(start())]
        for seq in 1..<max(count, 1) { events.append(try Event.decode(message(seq: seq, text: "line \(seq)"))) }
        return Array(events.prefix(count))
    }

    @Test("bad lines are reported with line, offset and a reason naming the field; good ones survive")
    func mixedBatch() throws {
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        func add(_ line: [UInt8]) {
            offsets.append(bytes.count)
            bytes += line + [0x0A]
        }
        add(Array(Self.start().utf8))                                               // 1 ok
        add(Array(#"{"v":1,"session":"#.utf8))                                      // 2 bad JSON
        add(Array(Self.message(seq: 2).replacingOccurrences(#""seq":2"#, #""seq":"2""#).utf8))  // 3 wrong type
        add(Array(Self.message(seq: 3).replacingOccurrences(#""actor":"user","#, "").utf8))    // 4 missing field
        var invalidUTF8 = Array(Self.message(seq: 4, text: "AB").utf8)
        invalidUTF8[invalidUTF8.firstRange(of: Array("AB".utf8))!.lowerBound] = 0xFF
        add(invalidUTF8)                                                            // 5 invalid UTF-8
        add([])                                                                     // 6 empty
        add(Array(Self.message(seq: 6).utf8))                                       // 7 ok

        let result = NDJSONBatch.decode(bytes)
        #expect(result.events.map(\.line) == [1, 7])
        #expect(result.events.map(\.event.seq) == [0, 6])
        #expect(result.errors.map(\.line) == [2, 3, 4, 5])
        #expect(result.errors.map(\.offset) == [offsets[1], offsets[2], offsets[3], offsets[4]])
        #expect(result.errors[1].reason.hasPrefix("seq"))
        #expect(result.errors[2].reason.hasPrefix("actor"))
        #expect(result.errors[3].reason.lowercased().contains("utf-8"))
        for error in result.errors { #expect(!error.reason.isEmpty) }
    }

    @Test("a 100 MB line is rejected cheaply and the events around it are kept")
    func hugeLine() throws {
        var bytes = Array((Self.start() + "\n").utf8)
        let hugeOffset = bytes.count
        let filler = String(repeating: "x", count: 64)
        let head = Array(Self.message(seq: 1, text: filler).utf8)
        bytes += head.prefix(head.count - 4)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 100_000_000)
        bytes += Array(#"\"}}"#.utf8).dropFirst() + [0x0A]
        bytes += Array((Self.message(seq: 2) + "\n").utf8)

        let result = NDJSONBatch.decode(bytes)
        #expect(result.events.map(\.line) == [1, 3])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.line == 2)
        #expect(result.errors.first?.offset == hugeOffset)
        #expect(result.errors.first?.reason.contains("over the 1048576-byte limit") == true)
    }

    @Test("encode writes canonical lines that decode to the same events")
    func roundTrip() throws {
        let events = try Self.events(20)
        let bytes = NDJSONBatch.encode(events)
        #expect(bytes.last == 0x0A)
        #expect(bytes.filter { $0 == 0x0A }.count == 20)
        let result = NDJSONBatch.decode(bytes)
        #expect(result.errors.isEmpty)
        #expect(result.events.map(\.event) == events)
        #expect(result.events.map(\.line) == Array(1...20))
        #expect(NDJSONBatch.encode([]).isEmpty)
    }

    @Test("CRLF batches without a final newline decode")
    func crlf() throws {
        let text = Self.start() + "\r\n\r\n" + Self.message(seq: 1)
        let result = NDJSONBatch.decode(Array(text.utf8))
        #expect(result.errors.isEmpty)
        #expect(result.events.map(\.line) == [1, 3])
    }

    @Test("compressed and plain batches decode alike")
    func compressedOrPlain() throws {
        let events = try Self.events(50)
        let plain = NDJSONBatch.encode(events)
        let compressed = NDJSONBatch.encodeCompressed(events)
        #expect(compressed.count < plain.count)
        #expect(try NDJSONBatch.decodeCompressed(compressed).events.map(\.event) == events)
        #expect(try NDJSONBatch.decodeCompressed(plain).events.map(\.event) == events)
    }

    @Test("a compressed batch that is truncated or a bomb fails as a whole with a zstd error")
    func hostileCompressed() throws {
        let compressed = NDJSONBatch.encodeCompressed(try Self.events(50))
        do {
            _ = try NDJSONBatch.decodeCompressed(Array(compressed.dropLast(5)))
            Issue.record("truncated batch decoded")
        } catch {
            #expect(error.code == .truncated)
        }
        let bomb = Zstd.compress([UInt8](repeating: 0x0A, count: 5 << 20))
        do {
            _ = try NDJSONBatch.decodeCompressed(bomb, limits: ZstdLimits(maxDecompressedBytes: 1 << 20))
            Issue.record("bomb decoded")
        } catch {
            #expect(error.code == .outputLimitExceeded)
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
