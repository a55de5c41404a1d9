import Testing
@testable import TraceWire

@Suite("CRC32C")
struct CRC32CTests {
    /// Bit-at-a-time reference, straight from the definition.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test("published check values")
    func vectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        // RFC 3720 (iSCSI) appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test("slicing-by-8 agrees with the bitwise definition at every length and alignment")
    func matchesReference() {
        var source = TestBytes(seed: 21)
        let bytes = source.random(300)
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = bytes[start..<end]
                #expect(CRC32C.checksum(slice) == Self.reference(Array(slice)))
            }
        }
    }

    @Test("incremental updates equal one pass")
    func incremental() {
        var source = TestBytes(seed: 22)
        let bytes = source.random(10_000)
        var crc = CRC32C()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            crc.update(bytes[offset..<end])
            offset = end
            step = step * 3 % 1001 + 1
        }
        #expect(crc.value == CRC32C.checksum(bytes))
        #expect(crc.value == Self.reference(bytes))
    }
}
