import TraceModel

extension StoreConnection {
    /// How an envelope's `blobs` object starts in canonical JSON (never the first key). A string
    /// cannot hold it raw (its quotes would be escaped), so a line without it has no blobs.
    static let blobsKey = Array(#","blobs":{"#.utf8)

    /// Notes that session `key` references the blobs of `references`: one `blob_ref_sets` row per
    /// append and session (more when it names over `BlobReferenceSet.digestsPerRow` blobs), written
    /// at the table's tail, so the common event costs nothing and the others little.
    func recordBlobReferences(_ references: BlobReferenceSet, session key: Int64) throws(SQLiteError) {
        guard !references.isEmpty else { return }
        let insert = try statement("INSERT INTO blob_ref_sets (session, digests) VALUES (?, ?)")
        for row in references.rows { try insert.run(.integer(key), .blob(row)) }
    }

    /// The digests of `blob_ref_sets` row `id`.
    static func referencedDigests(_ packed: [UInt8], row id: Int64) throws(StoreError) -> [[UInt8]] {
        guard let digests = BlobReferenceSet.unpack(packed) else {
            throw StoreError(.corrupt, "blob_ref_sets row \(id) holds \(packed.count) bytes, not a whole number of digests")
        }
        return digests
    }

    /// Fills `blob_refs` (one row per event and blob, the layout of schema step 0004) from the
    /// events and conflicts stored before references were recorded. Runs once, inside that step;
    /// step 0006 then packs the rows into `blob_ref_sets`.
    func backfillBlobReferences() throws {
        let listChunks = try database.prepare("SELECT id, session FROM chunks ORDER BY id")
        let chunks = try listChunks.use { s throws(SQLiteError) -> [(id: Int64, session: Int64)] in
            var out: [(id: Int64, session: Int64)] = []
            while try s.step() { out.append((s.int64(0), s.int64(1))) }
            return out
        }
        for chunk in chunks {
            let (body, count) = try chunkBody(chunk.id, session: nil)
            guard Self.contains(Self.blobsKey, in: body[...]) else { continue }
            guard let decoded = ChunkFormat.decode(body, expectedCount: count) else {
                throw StoreError(.corrupt, "chunk \(chunk.id) does not hold \(count) event lines")
            }
            for index in 0..<decoded.count {
                guard let line = decoded.line(index) else { continue }
                try backfill(line: line, session: chunk.session)
            }
        }
        let listConflicts = try database.prepare("SELECT session, data FROM conflicts")
        let conflicts = try listConflicts.use { s throws(SQLiteError) -> [(session: Int64, bytes: [UInt8])] in
            var out: [(session: Int64, bytes: [UInt8])] = []
            while try s.step() {
                let bytes = s.blob(1) ?? []
                if Self.contains(Self.blobsKey, in: bytes[...]) { out.append((s.int64(0), bytes)) }
            }
            return out
        }
        for conflict in conflicts { try backfill(line: conflict.bytes, session: conflict.session) }
    }

    private func backfill(line: [UInt8], session key: Int64) throws {
        guard Self.contains(Self.blobsKey, in: line[...]) else { return }
        // A stored line that no longer decodes names no blob this code can trust; it stays as it is.
        guard let event = try? Event.decode(line[...]), !event.blobs.isEmpty else { return }
        let insert = try statement("INSERT INTO blob_refs (session, digest) VALUES (?, ?)")
        for digest in Set(event.blobs.values) { try insert.run(.integer(key), .blob(digest.bytes)) }
    }

    static func contains(_ pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Bool {
        ChunkFormat.lastIndex(of: pattern, in: bytes) != nil
    }
}
