import Testing
import TraceModel
@testable import TraceStore

@Suite("Blobs")
struct BlobTests {
    @Test("round trip, digest computed by the store", arguments: [0, 1, 63, 64, 1000, 300_000])
    func roundTrip(size: Int) throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var rng = SplitMix64(seed: UInt64(size))
        // Half text (compressible), half random (not).
        let bytes = (0..<size).map { i in i % 2 == 0 ? UInt8(0x61 + i % 7) : UInt8.random(in: 0...255, using: &rng) }
        let digest = try store.putBlob(bytes)
        #expect(digest == Digest.sha256(bytes))
        #expect(try store.hasBlob(digest))
        #expect(try store.blob(digest) == bytes)
        #expect(try store.putBlob(bytes) == digest)
    }

    @Test("a missing blob is nil and hasBlob is false")
    func missing() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let digest = Digest.sha256(Array("never stored".utf8))
        #expect(try store.blob(digest) == nil)
        #expect(try store.hasBlob(digest) == false)
    }

    @Test("compressible blobs take less room than their size")
    func compressed() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("blobs.sqlite")
        let store = try SQLiteStore(path: path)
        let text = Array(String(repeating: "PASS tests/test_parser.py::test_empty_input\n", count: 2000).utf8)
        let digest = try store.putBlob(text)
        let database = try Database(path: path)
        let row = try database.prepare("SELECT codec, length(data), size FROM blobs WHERE digest = ?")
        let (codec, stored, size) = try row.use { s throws(SQLiteError) in
            try s.bind(1, digest.bytes)
            _ = try s.step()
            return (s.int64(0), s.int64(1), s.int64(2))
        }
        #expect(codec == 1)
        #expect(size == Int64(text.count))
        #expect(stored < size / 10)
    }

    @Test("a blob whose bytes were altered on disk is reported as corrupt")
    func tampered() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("blobs.sqlite")
        let store = try SQLiteStore(path: path)
        let digest = try store.putBlob(Array("tiny".utf8))
        try Database(path: path).execute("UPDATE blobs SET data = CAST('tidy' AS BLOB)")
        let error = #expect(throws: StoreError.self) { try store.blob(digest) }
        #expect(error?.code == .corrupt)
    }
}
