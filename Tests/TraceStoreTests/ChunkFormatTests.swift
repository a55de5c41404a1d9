import Testing
import TraceModel
@testable import TraceStore

@Suite("Chunk format")
struct ChunkFormatTests {
    static func lines(_ events: [Event]) -> [[UInt8]] { events.map { $0.canonicalBytes() } }

    static func roundTrip(_ lines: [[UInt8]]) throws -> (body: [UInt8], decoded: [[UInt8]]) {
        let body = ChunkFormat.encode(lines)
        let chunk = try #require(ChunkFormat.decode(body, expectedCount: lines.count))
        return (body, (0..<chunk.count).map { chunk.line($0)! })
    }

    static func count(_ pattern: String, in bytes: [UInt8]) -> Int {
        let p = Array(pattern.utf8)
        guard bytes.count >= p.count else { return 0 }
        return (0...(bytes.count - p.count)).filter { bytes[$0..<($0 + p.count)].elementsEqual(p) }.count
    }

    @Test("a chained run keeps only the first digest and reads back identical")
    func chained() throws {
        var trace = SyntheticTrace(seed: 3)
        let lines = Self.lines(trace.session())
        let (body, decoded) = try Self.roundTrip(lines)
        #expect(decoded == lines)
        #expect(Self.count(#""prev":"sha256:"#, in: body) == 0)  // seq 0 has none; the rest are elided
        #expect(Self.count(#""prev":0,"#, in: body) == lines.count - 1)
        // A chunk starting mid-session keeps its first digest.
        let (tailBody, tailDecoded) = try Self.roundTrip(Array(lines[5...]))
        #expect(tailDecoded == Array(lines[5...]))
        #expect(Self.count(#""prev":"sha256:"#, in: tailBody) == 1)
    }

    @Test("links that do not match the line before stay verbatim")
    func brokenLinks() throws {
        var builder = SessionBuilder()
        var events = builder.events(6)
        events[3].prev = Digest.sha256(Array("not the previous line".utf8))  // broken link
        events[5].prev = nil  // no link at all
        let lines = Self.lines(events)
        let (body, decoded) = try Self.roundTrip(lines)
        #expect(decoded == lines)
        // Seq 3 is altered, so seq 4's (true) link no longer matches the line before it either.
        #expect(Self.count(#""prev":"sha256:"#, in: body) == 2)
        #expect(Self.count(#""prev":0,"#, in: body) == 2)  // seqs 1 and 2
        // With seq 2 missing, seq 3 follows seq 1 in the chunk and must not be elided.
        let gapped = [lines[0], lines[1], lines[3], lines[4]]
        #expect(try Self.roundTrip(gapped).decoded == gapped)
    }

    @Test("text that looks like the envelope's fields cannot confuse the format")
    func lookalikeText() throws {
        var builder = SessionBuilder()
        let events = [builder.start(), builder.message(#","prev":0,"seq":1"#), builder.message("\",\"prev\":0,\"seq\":"),
                      builder.next(.unknown("x.y", [#","prev":0,"seq":"#: 1]))]
        let lines = Self.lines(events)
        #expect(try Self.roundTrip(lines).decoded == lines)
    }

    @Test("damaged bodies are refused, not misread")
    func hostile() throws {
        var builder = SessionBuilder()
        let lines = Self.lines(builder.events(4))
        let body = ChunkFormat.encode(lines)
        #expect(ChunkFormat.decode(body, expectedCount: 3) == nil)
        #expect(ChunkFormat.decode(body, expectedCount: 5) == nil)
        #expect(ChunkFormat.decode(Array(body.dropLast()), expectedCount: 4) == nil)  // no final newline
        #expect(ChunkFormat.decode(Array(body[..<(body.count / 2)]), expectedCount: 4) == nil)
        // An elided digest on the first line has nothing to be restored from.
        let tail = ChunkFormat.encode(Array(lines[1...]))
        let firstLineEnd = body.firstIndex(of: 0x0A)!
        #expect(ChunkFormat.decode(Array(body[(firstLineEnd + 1)...]), expectedCount: 3) == nil)
        #expect(ChunkFormat.decode(tail, expectedCount: 3) != nil)
        #expect(ChunkFormat.decode([], expectedCount: 0)?.count == 0)
        #expect(ChunkFormat.decode([0x0A, 0x0A], expectedCount: 2)?.line(1) == [])
        #expect(ChunkFormat.decode(Array(#"{"a":1,"prev":0,"seq":1}"#.utf8) + [0x0A], expectedCount: 1) == nil)
    }
}
