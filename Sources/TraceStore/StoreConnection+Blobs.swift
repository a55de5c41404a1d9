import TraceModel

extension StoreConnection {
    /// Blobs below this size are stored as they are: a zstd frame would not be smaller.
    static let minimumCompressibleBlob = 64

    /// Stores the blob once, makes it visible to `project`, and marks it as just stored (a blob
    /// nothing references yet is kept by retention until it is older than the cutoff).
    func putBlob(_ bytes: [UInt8], project: String) throws -> Digest {
        let digest = Digest.sha256(bytes)
        // Compress outside the write transaction; usually the blob is new.
        var encoded = try hasBlob(digest) ? nil : encodeBlob(bytes)
        let now = Timestamp.now().microseconds
        try database.transaction {
            if encoded == nil {
                try statement("UPDATE blobs SET stored_at = max(stored_at, ?) WHERE digest = ?")
                    .run(.integer(now), .blob(digest.bytes))
                // Deleted since the check (retention on another connection): store it after all.
                if database.changes == 0 { encoded = encodeBlob(bytes) }
            }
            if let encoded {
                try statement("INSERT OR IGNORE INTO blobs (digest, size, codec, data, stored_at) VALUES (?, ?, ?, ?, ?)")
                    .run(.blob(digest.bytes), .integer(Int64(bytes.count)), .integer(encoded.codec.rawValue),
                         .blob(encoded.data), .integer(now))
            }
            try statement("INSERT OR IGNORE INTO blob_projects (digest, project) VALUES (?, ?)")
                .run(.blob(digest.bytes), .text(project))
        }
        return digest
    }

    /// zstd when that is smaller, else the bytes as they are.
    private func encodeBlob(_ bytes: [UInt8]) -> (codec: PayloadCodec, data: [UInt8]) {
        guard bytes.count >= Self.minimumCompressibleBlob else { return (.raw, bytes) }
        let compressed = codec.compress(bytes)
        return compressed.count < bytes.count ? (.zstd, compressed) : (.raw, bytes)
    }

    /// Whether `project` stored the blob (it may exist for other projects only).
    func isBlobVisible(_ digest: Digest, to project: String) throws(SQLiteError) -> Bool {
        let select = try statement("SELECT 1 FROM blob_projects WHERE digest = ? AND project = ?")
        return try select.use { s throws(SQLiteError) -> Bool in
            try s.bind(1, digest.bytes)
            try s.bind(2, project)
            return try s.step()
        }
    }

    /// Deletes a blob and who may see it; true when it existed.
    func deleteBlob(_ digest: [UInt8]) throws(SQLiteError) -> Bool {
        try statement("DELETE FROM blob_projects WHERE digest = ?").run(.blob(digest))
        try statement("DELETE FROM blobs WHERE digest = ?").run(.blob(digest))
        return database.changes > 0
    }

    /// The blob's bytes, checked against its digest.
    func blob(_ digest: Digest) throws -> [UInt8]? {
        let select = try statement("SELECT size, codec, data FROM blobs WHERE digest = ?")
        let bytes = try select.use { s throws -> [UInt8]? in
            try s.bind(1, digest.bytes)
            guard try s.step() else { return nil }
            let size = s.int64(0), codec = s.int64(1)
            return try s.withBlob(2) { data in
                switch self.codec.decode(data, codec: codec, rawSize: size) {
                case .success(let bytes): return bytes
                case .failure(let failure): throw StoreError(.corrupt, "blob \(digest) does not decode: \(failure.reason)")
                }
            }
        }
        if let bytes, Digest.sha256(bytes) != digest {
            throw StoreError(.corrupt, "blob \(digest) holds bytes with a different digest")
        }
        return bytes
    }

    func hasBlob(_ digest: Digest) throws(SQLiteError) -> Bool {
        let select = try statement("SELECT 1 FROM blobs WHERE digest = ?")
        return try select.use { s throws(SQLiteError) -> Bool in
            try s.bind(1, digest.bytes)
            return try s.step()
        }
    }
}
