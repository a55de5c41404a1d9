import Testing
import TraceModel
@testable import TraceStore

@Suite("Blob references")
struct BlobReferenceTests {
    /// `(session key, digests)` of every `blob_ref_sets` row, in id order.
    static func rows(_ database: Database) throws -> [(session: Int64, digests: [[UInt8]])] {
        try database.prepare("SELECT session, digests FROM blob_ref_sets ORDER BY id")
            .use { s throws(SQLiteError) -> [(session: Int64, digests: [[UInt8]])] in
                var out: [(session: Int64, digests: [[UInt8]])] = []
                while try s.step() { out.append((s.int64(0), BlobReferenceSet.unpack(s.blob(1) ?? []) ?? [])) }
                return out
            }
    }

    static func key(_ database: Database, _ id: SessionID) throws -> Int64 {
        try scalar(database, "SELECT id FROM sessions WHERE ulid = ?", .text(id.string))
    }

    static func digest(_ n: Int) -> Digest { Digest.sha256(Array("blob \(n)".utf8)) }

    @Test("packed rows unpack; a length that is not a whole number of digests is refused")
    func packing() {
        var set = BlobReferenceSet()
        for n in [1, 2, 1, 3, 2] { set.add(Self.digest(n)) }
        #expect(set.digests == [1, 2, 3].map(Self.digest))
        #expect(set.rows.count == 1)
        #expect(BlobReferenceSet.unpack(set.rows[0]) == [1, 2, 3].map { Self.digest($0).bytes })
        #expect(BlobReferenceSet.unpack([]) == [])
        #expect(BlobReferenceSet.unpack([UInt8](repeating: 7, count: 31)) == nil)
        #expect(BlobReferenceSet.unpack([UInt8](repeating: 7, count: 65)) == nil)
        #expect(BlobReferenceSet().rows.isEmpty)

        var big = BlobReferenceSet()
        for n in 0..<(2 * BlobReferenceSet.digestsPerRow + 1) { big.add(Self.digest(n)) }
        #expect(big.rows.map(\.count) == [BlobReferenceSet.digestsPerRow * 32, BlobReferenceSet.digestsPerRow * 32, 32])
    }

    @Test("one row per append and session, each blob once; refused versions join their session's row")
    func oneRowPerAppendAndSession() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(milliseconds: 1_795_000_000_000, tag: 1)
        var b = SessionBuilder(milliseconds: 1_795_000_000_001, tag: 2)
        let first = [a.start(), b.start(), a.output(["out": Self.digest(1), "err": Self.digest(2)]), a.message("no blobs"),
                     b.output(["out": Self.digest(3)]), a.output(["out": Self.digest(1)]), a.output(["out": Self.digest(4)])]
        #expect(try store.append(first).accepted == first.count)
        let database = try Database(path: dir.file("store.sqlite"))
        let (keyA, keyB) = (try Self.key(database, a.id), try Self.key(database, b.id))
        var rows = try Self.rows(database)
        #expect(rows.map(\.session) == [keyA, keyB])
        #expect(Set(rows[0].digests) == Set([1, 2, 4].map { Self.digest($0).bytes }))
        #expect(rows[0].digests.count == 3)
        #expect(rows[1].digests == [Self.digest(3).bytes])

        // A batch without blobs writes no row; a refused version's blobs count for its session.
        #expect(try store.append([a.message("plain")]).accepted == 1)
        var refused = first[3]
        refused.blobs = ["evidence": Self.digest(5)]
        let next = [refused, b.output(["out": Self.digest(3)])]
        let result = try store.append(next)
        #expect(result.conflicts.count == 1)
        #expect(result.accepted == 1)
        rows = try Self.rows(database)
        #expect(rows.map(\.session) == [keyA, keyB, keyA, keyB])
        #expect(rows[2].digests == [Self.digest(5).bytes])
        #expect(rows[3].digests == [Self.digest(3).bytes])
        // The same refused version again is not a new conflict and adds nothing.
        #expect(try store.append([refused]).conflicts.count == 1)
        #expect(try Self.rows(database).count == 4)
    }

    @Test("a session naming more blobs in one append than a row holds gets several rows")
    func manyBlobsInOneAppend() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var a = SessionBuilder(milliseconds: 1_795_000_000_000, tag: 1)
        let count = BlobReferenceSet.digestsPerRow + 5
        let events = [a.start()] + (0..<count).map { a.output(["out": Self.digest($0)]) }
        #expect(try store.append(events).accepted == events.count)
        let database = try Database(path: dir.file("store.sqlite"))
        let rows = try Self.rows(database)
        #expect(rows.map(\.digests.count) == [BlobReferenceSet.digestsPerRow, 5])
        #expect(rows.flatMap(\.digests) == (0..<count).map { Self.digest($0).bytes })
    }

    @Test("retention refuses a damaged references row instead of deleting blobs it cannot account for")
    func damagedRow() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let digest = try store.putBlob(RetentionTests.blob("kept by a damaged row"))
        var old = SessionBuilder(milliseconds: RetentionTests.oldStart, tag: 1)
        var new = SessionBuilder(milliseconds: RetentionTests.newStart, tag: 2)
        _ = try store.append([old.start(), old.output(["out": digest])])
        _ = try store.append([new.start(), new.output(["out": digest])])
        let database = try Database(path: dir.file("store.sqlite"))
        try database.prepare("UPDATE blob_ref_sets SET digests = substr(digests, 1, 31) WHERE session = ?")
            .run(.integer(try Self.key(database, new.id)))
        let error = #expect(throws: StoreError.self) { try store.deleteSessions(startedBefore: RetentionTests.cutoff) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("blob_ref_sets") == true)
        #expect(try store.hasBlob(digest))
    }
}
