import Testing
@testable import TraceWire

@Suite("Spool record framing")
struct SpoolSegmentReaderTests {
    static let payloads: [[UInt8]] = [
        Array(#"{"seq":0}"#.utf8), Array(#"{"seq":1,"kind":"tool.call"}"#.utf8), [0], Array(repeating: 0xAB, count: 5000),
    ]

    static func segment(_ payloads: [[UInt8]] = payloads) -> [UInt8] {
        var bytes: [UInt8] = []
        for payload in payloads { SpoolRecord.append(payload, to: &bytes) }
        return bytes
    }

    /// Offsets of each record header in `segment()`.
    static var offsets: [Int] {
        var result: [Int] = []
        var offset = 0
        for payload in payloads {
            result.append(offset)
            offset += SpoolRecord.headerSize + payload.count
        }
        return result
    }

    @Test("frame layout: u32 LE length, u32 LE CRC32C, payload")
    func layout() {
        let framed = SpoolRecord.frame(Array("123456789".utf8))
        #expect(framed.count == 17)
        #expect(Array(framed[0..<4]) == [9, 0, 0, 0])
        #expect(Array(framed[4..<8]) == [0x83, 0x92, 0x06, 0xE3])
        #expect(Array(framed[8...]) == Array("123456789".utf8))
    }

    @Test("a clean segment yields every record")
    func clean() {
        let bytes = Self.segment()
        let scan = SpoolSegmentReader().scan(bytes)
        #expect(scan.status == .clean)
        #expect(scan.records.map { Array($0.payload) } == Self.payloads)
        #expect(scan.records.map(\.offset) == Self.offsets)
        #expect(scan.validLength == bytes.count)
        #expect(SpoolSegmentReader().scan([]).status == .clean)
    }

    @Test("a partial header at the end is a torn tail", arguments: [1, 4, 7])
    func tornHeader(extra: Int) {
        let clean = Self.segment()
        let bytes = clean + Array(SpoolRecord.frame(Array("next".utf8)).prefix(extra))
        let scan = SpoolSegmentReader().scan(bytes)
        #expect(scan.status == .torn(offset: clean.count, reason: .incompleteHeader(available: extra)))
        #expect(scan.records.count == Self.payloads.count)
        #expect(scan.validLength == clean.count)
    }

    @Test("a partial payload at the end is a torn tail")
    func tornPayload() {
        let bytes = Array(Self.segment().dropLast(3))
        let scan = SpoolSegmentReader().scan(bytes)
        let last = Self.offsets.last!
        #expect(scan.status == .torn(offset: last, reason: .incompletePayload(declared: 5000, available: 4997)))
        #expect(scan.records.count == Self.payloads.count - 1)
    }

    @Test("a checksum mismatch in the final record is a torn tail")
    func tornChecksum() throws {
        var bytes = Self.segment()
        bytes[bytes.count - 1] ^= 0x01
        let scan = SpoolSegmentReader().scan(bytes)
        guard case .torn(let offset, .checksumMismatch(let stored, let computed)) = scan.status else {
            Issue.record("expected a torn checksum, got \(scan.status)")
            return
        }
        #expect(offset == Self.offsets.last!)
        #expect(stored != computed)
    }

    @Test("an absurd length is a torn tail, not an allocation")
    func absurdLength() {
        let clean = Self.segment()
        let bytes = clean + [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4, 5, 6]
        let scan = SpoolSegmentReader(maxRecordBytes: 1 << 20).scan(bytes)
        #expect(scan.status == .torn(offset: clean.count, reason: .lengthOutOfRange(declared: 0x7FFF_FFFF, max: 1 << 20)))
    }

    @Test("a zero-filled tail (crash after the file grew) is torn, not empty records")
    func zeroTail() {
        let clean = Self.segment()
        let scan = SpoolSegmentReader().scan(clean + [UInt8](repeating: 0, count: 4096))
        #expect(scan.status == .torn(offset: clean.count, reason: .lengthOutOfRange(declared: 0, max: SpoolRecord.defaultMaxRecordBytes)))
        #expect(scan.records.count == Self.payloads.count)
    }

    @Test("a damaged record followed by valid ones is corruption, and the scan can resume")
    func midCorruption() {
        var bytes = Self.segment()
        let damaged = Self.offsets[1]
        bytes[damaged + SpoolRecord.headerSize + 2] ^= 0x20
        let reader = SpoolSegmentReader()
        let scan = reader.scan(bytes)
        guard case .corrupt(let offset, .checksumMismatch, let resume) = scan.status else {
            Issue.record("expected corruption, got \(scan.status)")
            return
        }
        #expect(offset == damaged)
        #expect(resume == Self.offsets[2])
        #expect(scan.records.map { Array($0.payload) } == [Self.payloads[0]])
        let rest = reader.scan(bytes, from: resume)
        #expect(rest.status == .clean)
        #expect(rest.records.map { Array($0.payload) } == Array(Self.payloads[2...]))
    }

    @Test("a damaged record followed only by a torn one is still a torn tail")
    func mismatchThenTorn() {
        var bytes = Array(Self.segment().dropLast(10))
        bytes[Self.offsets[2] + SpoolRecord.headerSize] ^= 0xFF
        let scan = SpoolSegmentReader().scan(bytes)
        guard case .torn(let offset, .checksumMismatch) = scan.status else {
            Issue.record("expected a torn tail, got \(scan.status)")
            return
        }
        #expect(offset == Self.offsets[2])
    }

    @Test("damage reasons read clearly")
    func descriptions() {
        #expect(SpoolDamage.checksumMismatch(stored: 0xAB, computed: 0x1234_5678).description
            == "CRC32C mismatch: header says 0x000000ab, payload gives 0x12345678")
        #expect(SpoolDamage.incompletePayload(declared: 10, available: 3).description == "incomplete payload: 3 of 10 bytes")
    }
}
