import TraceModel

extension StoreConnection {
    /// Blobs below this size are stored as they are: a zstd frame would not be smaller.
    static let minimumCompressibleBlob = 64

    func putBlob(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.sha256(bytes)
        if try hasBlob(digest) { return digest }
        var codec = PayloadCodec.raw
        var stored = bytes
        if bytes.count >= Self.minimumCompressibleBlob {
            let compressed = self.codec.compress(bytes)
            if compressed.count < bytes.count {
                codec = .zstd
                stored = compressed
            }
        }
        try statement("INSERT OR IGNORE INTO blobs (digest, size, codec, data) VALUES (?, ?, ?, ?)")
            .run(.blob(digest.bytes), .integer(Int64(bytes.count)), .integer(codec.rawValue), .blob(stored))
        return digest
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
