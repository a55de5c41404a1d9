import Foundation
import Recorder
import Testing
import TraceModel

@Suite struct SnapshotStatCacheTests {
    static func sample() -> StatCache {
        var cache = StatCache(root: "/work/repo")
        cache.record("b/ünï.txt", stamp: FileStamp(size: 12, mtimeNs: 1_700_000_000_123_456_789, ctimeNs: -5, inode: 99, device: 2049),
                     digest: Digest.sha256(Array("b".utf8)))
        cache.record("a", stamp: FileStamp(size: .max, mtimeNs: 0, ctimeNs: .max, inode: .max, device: 0), digest: Digest.sha256([]))
        return cache
    }

    @Test func encodingRoundTrips() throws {
        let cache = Self.sample()
        let bytes = cache.encoded()
        #expect(try StatCache.decode(bytes) == cache)
        #expect(StatCache(root: "/x").encoded().count == 8 + 4 + 2 + 4 + 4)
        #expect(try StatCache.decode(StatCache(root: "").encoded()) == StatCache(root: ""))
    }

    @Test func lookupNeedsEveryStampFieldEqual() {
        let cache = Self.sample()
        let stamp = FileStamp(size: 12, mtimeNs: 1_700_000_000_123_456_789, ctimeNs: -5, inode: 99, device: 2049)
        #expect(cache.digest(for: "b/ünï.txt", stamp: stamp) == Digest.sha256(Array("b".utf8)))
        for changed in [\FileStamp.size, \.inode, \.device] as [WritableKeyPath<FileStamp, UInt64>] {
            var other = stamp
            other[keyPath: changed] &+= 1
            #expect(cache.digest(for: "b/ünï.txt", stamp: other) == nil)
        }
        for changed in [\FileStamp.mtimeNs, \.ctimeNs] as [WritableKeyPath<FileStamp, Int64>] {
            var other = stamp
            other[keyPath: changed] &+= 1
            #expect(cache.digest(for: "b/ünï.txt", stamp: other) == nil)
        }
        #expect(cache.digest(for: "c", stamp: stamp) == nil)
    }

    @Test func everyTruncationIsRefused() {
        let bytes = Self.sample().encoded()
        for length in 0..<bytes.count {
            #expect(throws: StatCacheError.self) { try StatCache.decode(Array(bytes[0..<length])) }
        }
    }

    @Test func everyFlippedByteIsRefused() {
        let bytes = Self.sample().encoded()
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x01
            #expect(throws: StatCacheError.self) { try StatCache.decode(damaged) }
        }
    }

    /// Writes `body` with a valid checksum, so the structural checks behind it are what refuses it.
    static func sealed(_ body: [UInt8]) -> [UInt8] {
        // CRC32C computed bit by bit (Castagnoli, reflected 0x82F63B78).
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        crc = ~crc
        return body + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
    }

    @Test func hostileContentsBehindAValidChecksumAreRefused() throws {
        let magic = Array("PXSTATC1".utf8)
        let cases: [(String, [UInt8])] = [
            ("huge count", magic + [0, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0xFF]),
            ("huge root length", magic + [0xFF, 0xFF, 0xFF, 0x7F] + [0, 0, 0, 0]),
            ("root not UTF-8", magic + [1, 0, 0, 0, 0xFF] + [0, 0, 0, 0]),
            ("trailing bytes", magic + [0, 0, 0, 0] + [0, 0, 0, 0] + [7]),
            ("wrong magic", Array("PXSTATC2".utf8) + [0, 0, 0, 0] + [0, 0, 0, 0]),
        ]
        for (name, body) in cases {
            #expect(throws: StatCacheError.self, "\(name)") { try StatCache.decode(Self.sealed(body)) }
        }
        #expect(try StatCache.decode(Self.sealed(magic + [0, 0, 0, 0] + [0, 0, 0, 0])) == StatCache(root: ""))
    }

    @Test func fileLoadAndSave() throws {
        let directory = NSTemporaryDirectory() + "parallax-statcache-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/cache"
        #expect(try StatCache.load(from: file, root: "/work/repo") == StatCache(root: "/work/repo"))
        try Self.sample().save(to: file)
        #expect(try StatCache.load(from: file, root: "/work/repo") == Self.sample())
        #expect(try StatCache.load(from: file, root: "/elsewhere") == StatCache(root: "/elsewhere"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"])
        #expect(throws: StatCacheError.self) { try Self.sample().save(to: directory + "/missing/cache") }
        #expect(throws: StatCacheError.self) { try StatCache.load(from: directory, root: "/work/repo") }
    }
}
