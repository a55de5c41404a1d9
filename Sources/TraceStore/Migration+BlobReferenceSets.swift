import TraceModel

extension Migration {
    /// Blob references take a tenth of the room: `blob_ref_sets` keeps one row per append and
    /// session holding the distinct digests its events name, packed back to back, instead of one
    /// `blob_refs` row (and one index entry) per event and blob. Rows are still written only at
    /// the table's tail, in append order, which the retention walk relies on. The existing rows
    /// are packed in id order (consecutive rows of one session share a row), then `blob_refs` goes.
    static let blobReferenceSets = Migration("0006_blob_ref_sets", """
        CREATE TABLE blob_ref_sets (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL,
            digests BLOB NOT NULL
        );
        CREATE INDEX blob_ref_sets_by_session ON blob_ref_sets (session);
        """, backfill: { database in
            try packBlobReferences(database)
            try database.execute("DROP TABLE blob_refs")
        })

    /// Copies `blob_refs` into `blob_ref_sets`, keeping the order. A row whose digest is not 32
    /// bytes names no blob the store can hold, so it is left out.
    static func packBlobReferences(_ database: Database) throws(SQLiteError) {
        let select = try database.prepare("SELECT session, digest FROM blob_refs ORDER BY id")
        let insert = try database.prepare("INSERT INTO blob_ref_sets (session, digests) VALUES (?, ?)")
        var session: Int64 = 0
        var pending = BlobReferenceSet()
        func flush() throws(SQLiteError) {
            for row in pending.rows { try insert.run(.integer(session), .blob(row)) }
            pending = BlobReferenceSet()
        }
        try select.use { s throws(SQLiteError) in
            while try s.step() {
                guard let digest = Digest(bytes: s.blob(1) ?? []) else { continue }
                let key = s.int64(0)
                if key != session || pending.digests.count == BlobReferenceSet.digestsPerRow { try flush() }
                session = key
                pending.add(digest)
            }
        }
        try flush()
    }
}
